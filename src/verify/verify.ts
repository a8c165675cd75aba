/**
 * The verify run: wait for the new version on the health endpoint, then the latency samples and HTTP checks
 * together, the smoke command, the SQL checks and the runtime error count; then the decision and the report.
 */
import type { Clock } from '../lib/clock.js';
import type { HttpFetch } from '../lib/http.js';
import type { Logger } from '../lib/logger.js';
import type { ProcessRunner } from '../lib/process.js';
import type { Summary } from '../lib/summary.js';
import { errorMessage, oneLine } from '../lib/errors.js';
import { formatDuration } from '../lib/durations.js';
import { decide, type Decision } from './decide.js';
import { waitForVersion } from './health.js';
import type { VerifySettings } from './inputs.js';
import { runSamplesAndChecks, type CheckResult, type SampleStats } from './load.js';
import { Prober } from './probe.js';
import { countRuntimeErrors, type RuntimeLogCount } from './runtime-logs.js';
import { runSqlChecks, type SqlClient } from './sql.js';

export interface VerifyDeps {
  http: HttpFetch;
  clock: Clock;
  logger: Logger;
  processes?: ProcessRunner;
  /** Opens a database client for sql-checks. */
  openSql?: (url: string) => Promise<SqlClient>;
  /** Environment for the smoke command (INPUT_* variables are removed). */
  env?: NodeJS.ProcessEnv;
  /** How long the smoke command may run. */
  smokeTimeoutMs?: number;
}

export interface VerifyReport {
  decision: Decision;
  healthy: boolean;
  reason: string;
  reasons: string[];
  url: string;
  expectVersion: string;
  versionServed?: string;
  versionsSeenBefore: string[];
  wait: { reached: boolean; attempts: number; waitedMs: number };
  samples?: SampleStats;
  checks: CheckResult[];
  runtimeErrors?: RuntimeLogCount;
  runtimeLogsError?: string;
  thresholds: VerifySettings['thresholds'];
  migrationsApplied: number;
  durationMs: number;
}

export async function verify(settings: VerifySettings, deps: VerifyDeps): Promise<VerifyReport> {
  const { clock, logger } = deps;
  const started = clock.now();
  const prober = new Prober(deps.http, clock, settings.url, settings.requestTimeoutMs, settings.protectionBypass);

  logger.info(`verify: waiting up to ${formatDuration(settings.waitTimeoutMs)} for ${settings.url}${settings.healthPath} to serve ${settings.expectVersion}`);
  const wait = await waitForVersion(prober, clock, logger, {
    healthPath: settings.healthPath,
    expectVersion: settings.expectVersion,
    versionField: settings.versionField,
    expectStatus: settings.expectStatus,
    timeoutMs: settings.waitTimeoutMs,
    requestTimeoutMs: settings.requestTimeoutMs,
    bypassSet: settings.protectionBypass !== undefined,
  });

  const checks: CheckResult[] = [
    {
      name: 'health',
      kind: 'http',
      ok: wait.reached,
      status: wait.last?.status || undefined,
      detail: wait.reached ? `version ${wait.versionServed} after ${wait.attempts} attempt(s), ${formatDuration(wait.waitedMs)}` : (wait.reason ?? 'not reached'),
    },
  ];
  let stats: SampleStats | undefined;
  let runtime: RuntimeLogCount | undefined;
  let runtimeLogsError: string | undefined;

  if (wait.reached) {
    logger.info(`verify: ${settings.samples} sample(s) and ${settings.checks.length} check(s), ${settings.concurrency} at a time`);
    const load = await runSamplesAndChecks(prober, settings.checks, {
      healthPath: settings.healthPath,
      samples: settings.samples,
      concurrency: settings.concurrency,
      expectVersion: settings.expectVersion,
      versionField: settings.versionField,
    });
    stats = load.stats;
    checks.push(...load.checks);
    if (stats.count > 0) {
      checks.push({
        name: `latency (${stats.count} samples)`,
        kind: 'latency',
        ok: stats.errorRate < settings.thresholds.maxErrorRate && (stats.p95Ms ?? 0) <= settings.thresholds.maxP95Ms,
        ms: stats.p95Ms,
        detail: `p50 ${stats.p50Ms}ms, p95 ${stats.p95Ms}ms, max ${stats.maxMs}ms, errors ${stats.errors}/${stats.count}${stats.errorKinds.length ? ` (${stats.errorKinds.join(', ')})` : ''}`,
      });
    }

    if (settings.smokeCommand) checks.push(await runSmoke(settings, deps));

    if (settings.sqlChecks.length && settings.databaseUrl && deps.openSql) {
      const open = deps.openSql;
      const url = settings.databaseUrl;
      checks.push(...(await runSqlChecks(() => open(url), settings.sqlChecks, clock)));
    }
  }

  if (settings.runtimeLogs) {
    try {
      runtime = await countRuntimeErrors(deps.http, clock, settings.runtimeLogs, { from: started, to: clock.now() });
      checks.push({
        name: 'runtime logs',
        kind: 'runtime-logs',
        ok: runtime.errors <= settings.thresholds.maxRuntimeErrors,
        detail: `${runtime.errors} error-level line(s) of ${runtime.lines}${runtime.samples.length ? `: ${runtime.samples.join(' | ')}` : ''}`,
      });
    } catch (err) {
      runtimeLogsError = oneLine(errorMessage(err));
      logger.warning(`verify: runtime logs not counted: ${runtimeLogsError}`);
      checks.push({ name: 'runtime logs', kind: 'runtime-logs', ok: true, detail: `not counted: ${runtimeLogsError}` });
    }
  }

  const result = decide({
    reached: wait.reached,
    waitReason: wait.reason,
    stats,
    checks,
    runtimeErrors: runtime?.errors,
    thresholds: settings.thresholds,
    migrationsApplied: settings.migrationsApplied,
  });
  return {
    decision: result.decision,
    healthy: result.decision === 'ok' || result.decision === 'monitor',
    reason: result.reasons.length ? result.reasons.join('; ') : 'new version serving, checks passed, error rate and latency within limits',
    reasons: result.reasons,
    url: settings.url,
    expectVersion: settings.expectVersion,
    versionServed: wait.versionServed,
    versionsSeenBefore: wait.versionsSeen,
    wait: { reached: wait.reached, attempts: wait.attempts, waitedMs: wait.waitedMs },
    samples: stats,
    checks,
    runtimeErrors: runtime,
    runtimeLogsError,
    thresholds: settings.thresholds,
    migrationsApplied: settings.migrationsApplied,
    durationMs: clock.now() - started,
  };
}

async function runSmoke(settings: VerifySettings, deps: VerifyDeps): Promise<CheckResult> {
  const started = deps.clock.now();
  if (!deps.processes) return { name: 'smoke command', kind: 'smoke', ok: false, detail: 'no process runner' };
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(deps.env ?? process.env)) if (!k.startsWith('INPUT_')) env[k] = v;
  env.BASE_URL = settings.url;
  if (settings.protectionBypass) env.VERCEL_AUTOMATION_BYPASS_SECRET = settings.protectionBypass;
  deps.logger.info(`verify: smoke command with BASE_URL=${settings.url}`);
  try {
    const r = await deps.processes.run(settings.smokeCommand!, [], { shell: true, env, stdout: 'log', stderr: 'log', timeoutMs: deps.smokeTimeoutMs ?? 10 * 60_000 });
    const ms = deps.clock.now() - started;
    if (r.code === 0) return { name: 'smoke command', kind: 'smoke', ok: true, ms, detail: 'exit 0' };
    const tail = r.stderr.trim().split('\n').slice(-1)[0] ?? '';
    return { name: 'smoke command', kind: 'smoke', ok: false, ms, detail: `${r.signal ? `killed by ${r.signal}` : `exit ${r.code}`}${tail ? `: ${oneLine(tail).slice(0, 200)}` : ''}` };
  } catch (err) {
    return { name: 'smoke command', kind: 'smoke', ok: false, ms: deps.clock.now() - started, detail: oneLine(errorMessage(err)) };
  }
}

export function writeSummary(summary: Summary, report: VerifyReport): void {
  const icon = { ok: '✅', monitor: '⚠️', 'rollback-app': '❌', 'rollback-full': '❌' }[report.decision];
  summary.heading('Verify');
  summary.paragraph(`${icon} **${report.decision}**: ${report.reason}`);
  summary.paragraph(`URL \`${report.url}\`, expected version \`${report.expectVersion}\`, served \`${report.versionServed ?? 'none'}\``);
  summary.table(
    ['Check', 'Result', 'Status', 'Time', 'Detail'],
    // Latency and runtime logs are numbers judged by the decision; over their limit they are not a failed check.
    report.checks.map((c) => [c.name, c.ok ? 'pass' : c.kind === 'latency' || c.kind === 'runtime-logs' ? 'over limit' : 'fail', c.status ?? '', c.ms !== undefined ? `${c.ms}ms` : '', c.detail]),
  );
}

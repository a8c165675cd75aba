/**
 * The preflight logic: read the migrations folder (shared reader), compare it with the ledger, lint the pending
 * migrations with live table sizes, read database health, apply the deploy gates, and report through
 * annotations, the job summary and one pull-request comment. The outside world comes in through `PreflightDeps`.
 */
import { StageError } from '../lib/errors.js';
import type { GitHubApi } from '../lib/github.js';
import { applyTableStats, describeSize, findingTables, formatBytes, lintFiles, type Finding, type LintFile, type Suppression } from '../lib/lint/lint.js';
import { SEVERITY_RANK, type Severity } from '../lib/lint/rules.js';
import type { Logger } from '../lib/logger.js';
import { MigrationFolderError, checkLedger, detectMigrations, loadParser, readLedger, type LedgerProblem, type Migration, type MigrationFolder, type Queryable } from '../lib/migrations/index.js';
import type { ProcessRunner } from '../lib/process.js';
import type { Masker } from '../lib/secrets.js';
import type { Summary } from '../lib/summary.js';
import type { Clock } from '../lib/clock.js';
import { runAudit, type AuditResult } from './audit.js';
import { readHealth, readTableStats, resolveIndexTables, type ServerHealth } from './database.js';
import { applyColumnTypes } from './type-change.js';
import type { PreflightSettings } from './inputs.js';
import { commentMarker, upsertComment, type UpsertResult } from './pr-comment.js';
import { checkRequiredEnv, isProductionEnvironment, type EnvProblem } from './required-env.js';
import { checkVercel, type VercelCheck, type VercelProjectPort } from './vercel-check.js';
import { checkWindows, type WindowVerdict } from './window.js';

export interface DbSession extends Queryable {
  end(): Promise<void>;
}

export interface PreflightDeps {
  logger: Logger;
  summary: Summary;
  clock: Clock;
  /** The step's environment (required variables are read from it; values are never printed). */
  env: NodeJS.ProcessEnv;
  workspace: string;
  processes: ProcessRunner;
  masker?: Masker;
  connect?: (url: string) => Promise<DbSession>;
  github?: GitHubApi;
  repository?: { owner: string; repo: string };
  pullRequest?: number;
  vercel?: VercelProjectPort;
  /** Pull requests: the base branch (GITHUB_BASE_REF); findings are reported only for files the PR changed. */
  baseRef?: string;
}

export type GateStatus = 'pass' | 'block' | 'warn' | 'skip';

export interface Gate {
  gate: string;
  status: GateStatus;
  detail: string;
}

export interface PreflightReport {
  ok: boolean;
  mode: PreflightSettings['mode'];
  gates: Gate[];
  blockedReason: string;
  findings: Finding[];
  suppressions: Suppression[];
  pending: string[];
  linted: string[];
  destructive: boolean;
  health?: ServerHealth;
  ledgerProblems: LedgerProblem[];
  envProblems: EnvProblem[];
  audit?: AuditResult;
  window?: WindowVerdict;
  vercel?: VercelCheck;
  comment?: UpsertResult;
  folder?: { dir: string; format: string; count: number };
}

const TRANSACTION_BY_FORMAT = { sql: 'none', prisma: 'file', drizzle: 'all' } as const;

function atOrAbove(sev: Severity, failOn: PreflightSettings['failOn']): boolean {
  return failOn !== 'never' && SEVERITY_RANK[sev] >= SEVERITY_RANK[failOn];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export async function runPreflight(settings: PreflightSettings, deps: PreflightDeps): Promise<PreflightReport> {
  const { logger } = deps;
  const gates: Gate[] = [];
  const gate = (name: string, status: GateStatus, detail: string): void => {
    gates.push({ gate: name, status, detail });
  };
  const deploy = settings.mode === 'deploy';

  // Values of required variables are secrets until proven otherwise: mask them before anything is printed.
  // Short values (flags such as `true`, `on`, `1`) are not masked: scrubbing every `true` would mangle the
  // outputs, and preflight never prints a value anyway.
  for (const r of settings.requiredEnv) {
    const v = deps.env[r.name];
    if (v && v.length >= 8) deps.masker?.add(v);
  }

  // ---- migrations folder (the reader migrate uses)
  let folder: MigrationFolder | undefined;
  try {
    folder = detectMigrations(deps.workspace, settings.migrationsDir, settings.format);
  } catch (err) {
    if (!(err instanceof MigrationFolderError)) throw err;
    if (settings.migrationsDir) throw new StageError(`migrations-dir: ${err.message}`, err.file ? { file: err.file } : undefined);
    logger.info(`No migrations folder: ${err.message}`);
  }

  // ---- database: health, ledger, sizes
  let db: DbSession | undefined;
  let health: ServerHealth | undefined;
  let ledgerProblems: LedgerProblem[] = [];
  let pending: Migration[] = folder?.migrations ?? [];
  let ledgerRead = false;
  const report: Partial<PreflightReport> = {};
  try {
    if (settings.databaseUrl && deps.connect) {
      try {
        db = await deps.connect(settings.databaseUrl);
      } catch (err) {
        const msg = `database unreachable: ${(err as Error).message}`;
        if (deploy) gate('database', 'block', msg);
        else gate('database', 'warn', `${msg}; linting without table sizes`);
      }
    }
    if (db) {
      health = await readHealth(db);
      gate('database', 'pass', `PostgreSQL ${health.version}, ${formatBytes(health.databaseBytes)}`);
      if (folder) {
        const rows = await readLedger(db, folder.format, { databaseUrl: settings.databaseUrl, migrations: folder.migrations });
        const check = checkLedger(folder.format, folder.migrations, rows);
        pending = check.pending;
        ledgerRead = true;
        ledgerProblems = check.problems;
        for (const p of check.problems) {
          // A failed or missing migration stops migrate outright; modified / out-of-order can be allowed there.
          const hard = p.kind === 'failed' || p.kind === 'missing';
          gate('ledger', deploy && hard ? 'block' : 'warn', `${p.kind}: ${p.message}`);
          const ann = p.file ? { file: p.file, startLine: 1, title: `ledger: ${p.kind}` } : undefined;
          if (deploy && hard) logger.error(p.message, ann);
          else logger.warning(p.message, ann);
        }
        if (check.problems.length === 0) gate('ledger', 'pass', `${plural(check.applied.length, 'migration')} applied, ${check.pending.length} pending`);
      }
    }

    // ---- lint the pending migrations
    const parser = await loadParser();
    const files: LintFile[] = pending.map((m) => ({
      file: m.file,
      sql: m.sql,
      chunks: m.chunks,
      transaction: m.noTransaction ? 'none' : folder ? TRANSACTION_BY_FORMAT[folder.format] : 'none',
    }));
    const lint = lintFiles(parser, files);
    let findings = lint.findings;
    let suppressions = lint.suppressions;
    // A pull request is reviewed on what it changes: every pending file is linted (so tables created earlier are
    // known), but only findings in the files the PR touches are reported.
    let changedNote = '';
    if (settings.mode === 'pr' && deps.baseRef && files.length) {
      const changed = await changedFiles(deps.processes, deps.workspace, deps.baseRef);
      if (changed) {
        findings = findings.filter((f) => changed.has(f.file));
        suppressions = suppressions.filter((x) => changed.has(x.file));
        const mine = files.filter((f) => changed.has(f.file)).length;
        changedNote = `; ${plural(mine, 'migration')} changed by this pull request reported`;
      } else {
        changedNote = `; could not tell which files the pull request changed (git diff origin/${deps.baseRef}...HEAD failed: check out with fetch-depth: 0), so every pending file is reported`;
      }
    }
    if (db && findings.length) {
      findings = await resolveIndexTables(db, findings);
      findings = applyTableStats(findings, await readTableStats(db, findingTables(findings)));
      findings = await applyColumnTypes(db, findings);
    }
    findings = [...findings].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.file.localeCompare(b.file) || a.line - b.line);
    const destructive = findings.some((f) => f.destructive);
    const failing = findings.filter((f) => atOrAbove(f.severity, settings.failOn));
    const scope = ledgerRead ? 'the pending ones' : 'every file: no database to tell which are pending';
    if (failing.length) gate('lint', 'block', `${plural(failing.length, 'finding')} at or above fail-on=${settings.failOn}${changedNote}`);
    else gate('lint', 'pass', `${plural(files.length, 'migration')} linted (${scope}${changedNote}), ${plural(findings.length, 'finding')}`);

    // ---- deploy gates
    let envProblems: EnvProblem[] = [];
    let audit: AuditResult | undefined;
    let window: WindowVerdict | undefined;
    let vercel: VercelCheck | undefined;
    if (deploy) {
      if (destructive) {
        const list = [...new Set(findings.filter((f) => f.destructive).map((f) => f.rule))].join(', ');
        if (settings.allowDestructive) gate('destructive', 'pass', `destructive changes allowed (${list})`);
        else if (settings.emergency) gate('destructive', 'warn', `destructive changes (${list}) pass because of the emergency: ${settings.emergencyReason}`);
        else gate('destructive', 'block', `destructive changes (${list}); set allow-destructive: true after a backup, or split them into a later deploy`);
      }

      if (settings.requiredEnv.length) {
        envProblems = checkRequiredEnv(settings.requiredEnv, deps.env, { production: isProductionEnvironment(settings.environment) });
        if (envProblems.length) gate('required-env', 'block', envProblems.map((p) => `${p.name} ${p.problem}`).join('; '));
        else gate('required-env', 'pass', `${plural(settings.requiredEnv.length, 'variable')} present and valid`);
      }

      if (deps.vercel) {
        vercel = await checkVercel(deps.vercel, settings.requiredEnv.map((r) => r.name), settings.environment);
        if (vercel.error) gate('vercel', 'block', `Vercel project not reachable: ${vercel.error}`);
        else if (vercel.missing.length) gate('vercel', 'block', `missing on Vercel for ${vercel.target}: ${vercel.missing.join(', ')}`);
        else gate('vercel', 'pass', `project ${vercel.project?.name} has every required variable for ${vercel.target}`);
      }

      audit = await runAudit(deps.workspace, settings.auditLevel, deps.processes, deps.env);
      if (audit.skipped) gate('audit', settings.auditLevel === 'none' ? 'skip' : 'warn', audit.skipped);
      else if (audit.blocking > 0) gate('audit', 'block', `${audit.manager} audit: ${auditText(audit)} (blocking at ${settings.auditLevel} and above)`);
      else gate('audit', 'pass', `${audit.manager} audit: ${auditText(audit)}`);

      if (settings.deployWindow.length) {
        window = checkWindows(settings.deployWindow, deps.clock.now());
        if (window.inside) gate('deploy-window', 'pass', `inside ${window.windows} (now ${window.now})`);
        else if (settings.emergency) gate('deploy-window', 'warn', `outside ${window.windows} (now ${window.now}); passing as an emergency: ${settings.emergencyReason}`);
        else gate('deploy-window', 'block', `outside the deploy window ${window.windows} (now ${window.now}); wait for the window or deploy as an emergency with a reason`);
      }

      if (health) {
        const c = health.connections;
        if (c.percent > settings.maxConnectionUsage) gate('connections', 'block', `${c.used} of ${c.max - c.reserved} usable connections in use (${c.percent}% > ${settings.maxConnectionUsage}%)`);
        else gate('connections', 'pass', `${c.used} of ${c.max - c.reserved} connections in use (${c.percent}%)`);
        if (health.blocking.length) {
          gate('blocking-sessions', 'block', health.blocking.map((b) => `pid ${b.pid} (${b.application || 'unnamed'}, ${b.state}, ${b.seconds}s) blocks ${b.blocks.join(', ')}`).join('; '));
        } else gate('blocking-sessions', 'pass', 'no session is blocking another');
        if (health.longTransactions.length) {
          gate('long-transactions', 'warn', health.longTransactions.map((t) => `pid ${t.pid} (${t.application || 'unnamed'}, ${t.state}) open ${t.seconds}s`).join('; '));
        }
      }
    }
    if (settings.emergency) logger.warning(`Emergency deploy: ${settings.emergencyReason}`);

    const blocked = gates.filter((g) => g.status === 'block');
    const blockedReason = blocked.map((g) => `${g.gate}: ${g.detail}`).join(' | ');
    Object.assign(report, {
      ok: blocked.length === 0,
      mode: settings.mode,
      gates,
      blockedReason,
      findings,
      suppressions,
      pending: pending.map((m) => m.name),
      linted: files.map((f) => f.file),
      destructive,
      health,
      ledgerProblems,
      envProblems,
      audit,
      window,
      vercel,
      folder: folder ? { dir: folder.dir, format: folder.format, count: folder.migrations.length } : undefined,
    });
  } finally {
    await db?.end().catch(() => undefined);
  }
  const full = report as PreflightReport;

  // ---- report: annotations, summary, PR comment
  annotate(full.findings, logger);
  for (const g of gates) {
    if (g.status === 'block') logger.error(`${g.gate}: ${g.detail}`);
    else if (g.status === 'warn' && g.gate !== 'ledger') logger.warning(`${g.gate}: ${g.detail}`);
  }
  renderSummary(full, settings, deps.summary);
  if (settings.mode === 'pr' && deps.github && deps.repository && deps.pullRequest) {
    try {
      full.comment = await upsertComment(deps.github, { ...deps.repository, issue: deps.pullRequest }, commentMarker(settings.environment), renderComment(full, settings));
      logger.info(`PR comment ${full.comment.action} (id ${full.comment.id})`);
    } catch (err) {
      logger.warning(`PR comment not written: ${(err as Error).message}`);
    }
  } else if (settings.mode === 'pr' && deps.github && !deps.pullRequest) {
    logger.info('No pull request in this run: PR comment skipped');
  }
  return full;
}

/** Workspace-relative paths the pull request changed (added or modified), or undefined when git cannot tell. */
async function changedFiles(processes: ProcessRunner, workspace: string, baseRef: string): Promise<Set<string> | undefined> {
  if (!/^[\w./-]+$/.test(baseRef) || baseRef.includes('..')) return undefined;
  try {
    const r = await processes.run('git', ['diff', '--name-only', '--diff-filter=ACMR', '--relative', `origin/${baseRef}...HEAD`], { cwd: workspace, timeoutMs: 30_000 });
    if (r.code !== 0) return undefined;
    return new Set(r.stdout.split('\n').map((l) => l.trim()).filter(Boolean));
  } catch {
    return undefined;
  }
}

function auditText(a: AuditResult): string {
  const c = a.counts;
  if (!c) return 'no counts';
  return `${c.critical} critical, ${c.high} high, ${c.moderate} moderate, ${c.low} low`;
}

/** One annotation per finding on its line; the UI shows 10 errors and 10 warnings, so the rest are summarised. */
function annotate(findings: Finding[], logger: Logger): void {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of findings) {
    counts[f.severity]++;
    const ann = { file: f.file, startLine: f.line, title: `${f.rule}${f.table ? ` (${f.table})` : ''}` };
    const text = `${f.message}. Safer: ${f.safer}`;
    if (f.severity === 'error') logger.error(text, ann);
    else if (f.severity === 'warning') logger.warning(text, ann);
    else logger.notice(text, ann);
  }
  const hidden: string[] = [];
  if (counts.error > 10) hidden.push(plural(counts.error - 10, 'more error'));
  if (counts.warning > 10) hidden.push(plural(counts.warning - 10, 'more warning'));
  if (hidden.length) logger.info(`${hidden.join(' and ')} than the annotation limit: all findings are in the job summary and the findings output`);
}

const ICON: Record<GateStatus, string> = { pass: '✅', block: '⛔', warn: '⚠️', skip: '➖' };
const SEV_ICON: Record<Severity, string> = { error: '🛑 error', warning: '⚠️ warning', info: 'ℹ️ info' };

function findingRows(findings: Finding[]): (string | number | undefined)[][] {
  return findings.map((f) => [
    SEV_ICON[f.severity],
    `\`${f.rule}\``,
    `${f.file}:${f.line}`,
    f.table,
    f.rows === undefined ? '' : Math.round(f.rows).toLocaleString('en-US'),
    f.bytes === undefined ? '' : formatBytes(f.bytes),
    f.message,
    f.safer,
  ]);
}

function verdict(r: PreflightReport, s: PreflightSettings): string {
  if (s.mode === 'pr') return r.ok ? `**Lint passed** (fail-on: ${s.failOn}).` : `**Lint failed**: findings at or above fail-on=${s.failOn}.`;
  return r.ok ? `**Deploy to ${s.environment} may go ahead.**` : `**Deploy to ${s.environment} blocked**: ${r.gates.filter((g) => g.status === 'block').map((g) => g.gate).join(', ')}.`;
}

export function renderSummary(r: PreflightReport, s: PreflightSettings, summary: Summary): void {
  summary.heading(`Shipgate preflight — ${s.environment} (${s.mode})`);
  summary.paragraph(verdict(r, s));
  if (s.emergency) summary.paragraph(`⚠️ **Emergency deploy**: ${s.emergencyReason}`);
  summary.table(['', 'Gate', 'Detail'], r.gates.map((g) => [ICON[g.status], g.gate, g.detail]));
  if (r.envProblems.length) {
    summary.heading('Required variables', 3);
    summary.list(r.envProblems.map((p) => `\`${p.name}\` ${p.problem}`));
  }
  if (r.folder) summary.paragraph(`Migrations: \`${r.folder.dir}\` (${r.folder.format}), ${r.folder.count} in the folder, ${r.pending.length} pending${r.pending.length ? `: ${r.pending.map((p) => `\`${p}\``).join(', ')}` : ''}.`);
  summary.heading(`Findings (${r.findings.length})`, 3);
  if (r.findings.length) summary.table(['Severity', 'Rule', 'Where', 'Table', 'Rows', 'Size', 'Problem', 'Safer'], findingRows(r.findings));
  else summary.paragraph('No findings.');
  if (r.suppressions.length) {
    summary.heading('Suppressions', 3);
    summary.list(r.suppressions.map((x) => `${x.file}:${x.line} ${x.scope === 'file' ? '(whole file) ' : ''}\`${x.rules.join(', ')}\`: ${x.reason || '_no reason given_'}${x.used ? '' : ' (unused)'}`));
  }
  if (r.health) {
    const h = r.health;
    summary.heading('Database', 3);
    summary.list([
      `PostgreSQL ${h.version}, database size ${formatBytes(h.databaseBytes)}`,
      `Connections: ${h.connections.used} of ${h.connections.max - h.connections.reserved} usable (${h.connections.percent}%, limit ${s.maxConnectionUsage}%)`,
      `Long-running transactions: ${h.longTransactions.length ? h.longTransactions.map((t) => `pid ${t.pid} ${t.seconds}s`).join(', ') : 'none'}`,
      `Sessions blocking others: ${h.blocking.length ? h.blocking.map((b) => `pid ${b.pid} blocks ${b.blocks.join(', ')}`).join('; ') : 'none'}`,
    ]);
  }
  summary.paragraph('`require-lock-timeout` is information only when Shipgate\'s migrate stage applies the migrations: it sets `lock_timeout` and `statement_timeout` on its connection.');
}

/** GitHub comments are limited to 65,536 characters. */
const COMMENT_LIMIT = 60_000;

export function renderComment(r: PreflightReport, s: PreflightSettings): string {
  const lines: string[] = [commentMarker(s.environment), `### Shipgate preflight — migration review (${s.environment})`, '', verdict(r, s), ''];
  if (r.linted.length) {
    const shown = r.linted.slice(0, 20).map((f) => `\`${f}\``).join(', ');
    lines.push(`Linted ${plural(r.linted.length, 'migration')}: ${shown}${r.linted.length > 20 ? `, and ${r.linted.length - 20} more` : ''}`, '');
  }
  if (r.findings.length === 0) lines.push('No findings. 🎉');
  else {
    lines.push('| Severity | Rule | Where | Table | Rows | Size | Problem |', '| --- | --- | --- | --- | --- | --- | --- |');
    const esc = (t: string | number | undefined): string => String(t ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
    for (const f of r.findings) {
      lines.push(`| ${SEV_ICON[f.severity]} | \`${f.rule}\` | ${esc(`${f.file}:${f.line}`)} | ${esc(f.table)} | ${f.rows === undefined ? '' : Math.round(f.rows).toLocaleString('en-US')} | ${f.bytes === undefined ? '' : formatBytes(f.bytes)} | ${esc(f.message)} |`);
    }
    lines.push('', '<details><summary>Safer rewrites</summary>', '');
    const seen = new Set<string>();
    for (const f of r.findings) {
      if (seen.has(f.rule)) continue;
      seen.add(f.rule);
      lines.push(`- **\`${f.rule}\`**: ${f.safer}`);
    }
    lines.push('', '</details>');
  }
  if (r.suppressions.length) {
    lines.push('', `Suppressions: ${r.suppressions.map((x) => `${x.file}:${x.line} \`${x.rules.join(', ')}\` — ${x.reason || '_no reason_'}`).join('; ')}`);
  }
  const sized = r.findings.filter((f) => f.rows !== undefined || f.bytes !== undefined);
  lines.push('', sized.length ? `_Severity graded by live table sizes (${sized.map((f) => `${f.table}: ${describeSize({ rows: f.rows, bytes: f.bytes })}`).filter((v, i, a) => a.indexOf(v) === i).join('; ')})._` : '_No database connected: severities are not graded by table size._');
  let text = lines.join('\n');
  if (text.length > COMMENT_LIMIT) text = `${text.slice(0, COMMENT_LIMIT)}\n\n_(truncated; the full list is in the job summary)_`;
  return text;
}

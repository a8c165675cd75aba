/** The preflight stage: inputs -> runPreflight with the real database, GitHub, Vercel and processes -> outputs. */
import { StageError } from '../lib/errors.js';
import { createGitHubApi } from '../lib/github.js';
import { connect } from '../lib/postgres.js';
import type { StageDefinition } from '../lib/stage.js';
import { readPreflightSettings, type PreflightSettings } from './inputs.js';
import { OUTPUT } from './names.js';
import { runPreflight } from './preflight.js';

export const OUTPUT_FINDINGS_LIMIT = 512 * 1024;

/** The longest prefix of `items` whose JSON fits in `limit` bytes. */
export function capJson<T>(items: T[], limit: number): T[] {
  let size = 2;
  let n = 0;
  for (const item of items) {
    size += Buffer.byteLength(JSON.stringify(item)) + 1;
    if (size > limit) break;
    n++;
  }
  return n === items.length ? items : items.slice(0, n);
}

export const preflightStage: StageDefinition<PreflightSettings, keyof typeof OUTPUT> = {
  name: 'preflight',
  outputs: OUTPUT,
  read: (inputs) => readPreflightSettings(inputs),
  async run(settings, services) {
    const { context, logger, clock, http } = services;
    const report = await runPreflight(settings, {
      logger,
      summary: services.summary,
      clock,
      env: services.env,
      workspace: context.workspace,
      processes: services.processes,
      masker: services.masker,
      connect: (url) => connect(url, 'shipgate-preflight'),
      github: settings.githubToken ? createGitHubApi({ token: settings.githubToken, apiUrl: context.apiUrl, http, clock }) : undefined,
      repository: context.owner && context.repo ? { owner: context.owner, repo: context.repo } : undefined,
      pullRequest: context.pullRequest,
      baseRef: services.env.GITHUB_BASE_REF || undefined,
      // The Vercel SDK is loaded only when a Vercel check is configured (keeps the bundle's start fast).
      vercel: settings.vercel
        ? (await import('./vercel-port.js')).createVercelProjectPort({ token: settings.vercel.token, projectId: settings.vercel.projectId, teamId: settings.vercel.teamId, serverURL: settings.vercel.apiUrl })
        : undefined,
    });
    const all = report.findings.map((f) => ({
        rule: f.rule,
        severity: f.severity,
        file: f.file,
        line: f.line,
        statement: f.statement,
        table: f.table ?? null,
        rows: f.rows ?? null,
        bytes: f.bytes ?? null,
        message: f.message,
        safer: f.safer,
        destructive: f.destructive,
      }));
    // Step outputs share GitHub's 1 MB per job: keep the findings output under 512 KiB, most severe first
    // (the job summary has them all).
    const findings = capJson(all, OUTPUT_FINDINGS_LIMIT);
    if (findings.length < all.length) logger.warning(`findings output holds the ${findings.length} most severe of ${all.length} findings (GitHub limits outputs to 1 MB per job); the job summary lists all of them`);
    const outputs = {
      ok: report.ok,
      pendingMigrations: report.pending,
      findings,
      destructive: report.destructive,
      blockedReason: report.blockedReason,
    };
    if (report.ok) return { outputs };
    const what = settings.mode === 'pr' ? `lint failed (fail-on: ${settings.failOn})` : `deploy blocked: ${report.blockedReason}`;
    return { outputs, error: new StageError(what) };
  },
};

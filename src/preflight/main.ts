/** The preflight stage: inputs -> runPreflight with the real database, GitHub, Vercel and processes -> outputs. */
import { StageError } from '../lib/errors.js';
import { createGitHubApi } from '../lib/github.js';
import { connect } from '../lib/postgres.js';
import type { StageDefinition } from '../lib/stage.js';
import { readPreflightSettings, type PreflightSettings } from './inputs.js';
import { OUTPUT } from './names.js';
import { runPreflight } from './preflight.js';

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
    const outputs = {
      ok: report.ok,
      pendingMigrations: report.pending,
      findings: report.findings.map((f) => ({
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
      })),
      destructive: report.destructive,
      blockedReason: report.blockedReason,
    };
    if (report.ok) return { outputs };
    const what = settings.mode === 'pr' ? `lint failed (fail-on: ${settings.failOn})` : `deploy blocked: ${report.blockedReason}`;
    return { outputs, error: new StageError(what) };
  },
};

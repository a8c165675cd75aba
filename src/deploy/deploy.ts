/**
 * The deploy stage's logic: git or prebuilt deployments, staged production and promote, instant rollback.
 * It always knows which deployment serves production (the project's `targets.production`) and reports it as
 * `previous-deployment-id` so a later step can roll back to it.
 *
 * createDeployment is never retried blindly: it is repeated only after a 429 (Vercel answered and refused
 * before creating anything; Retry-After honoured) or a connection that was never established (refused,
 * DNS failure). A timeout, reset or 5xx may have created a deployment, so the stage stops and says so
 * instead of risking a second build. The one planned repeat is the CLI's: `missing_files` → upload → create.
 */
import type { Clock } from '../lib/clock.js';
import type { RunContext } from '../lib/context.js';
import { formatDuration } from '../lib/durations.js';
import { StageError, errorMessage } from '../lib/errors.js';
import type { GitHubApi } from '../lib/github.js';
import type { Logger } from '../lib/logger.js';
import type { StageOutcome } from '../lib/stage.js';
import type { Summary } from '../lib/summary.js';
import { VercelApiError } from '../lib/vercel.js';
import { checkBuildsJson, collectPrebuiltFiles, uploadMissing, type PrebuiltFile } from './files.js';
import { GitHubDeploymentRecord, type GitHubDeploymentState } from './github-deployment.js';
import { expandAlias, type DeploySettings } from './inputs.js';
import type { OUTPUT } from './names.js';
import type { CreateDeploymentRequest, CreateExtras, DeploymentInfo, ProjectInfo, VercelDeployApi } from './vercel.js';
import { pollDelay, waitForDeployment, type TimelineEntry, type WaitResult } from './wait.js';

export type OutputKey = keyof typeof OUTPUT;
type Outputs = StageOutcome<OutputKey>['outputs'];

export interface DeployDeps {
  vercel: VercelDeployApi;
  /** Absent when no token was given or github-deployment is false. */
  github?: GitHubApi;
  clock: Clock;
  logger: Logger;
  summary: Summary;
  context: RunContext;
  /** Aborted when the workflow run is cancelled. */
  signal?: AbortSignal;
  commitMessage?: string;
  /** Bounded upload concurrency (default 16). */
  uploadConcurrency?: number;
}

export const BUILD_LOG_TAIL_LINES = 40;
const CREATE_ATTEMPTS = 3;
const MISSING_FILES_ROUNDS = 3;

const https = (host: string | undefined): string => (host ? (/^https?:\/\//.test(host) ? host : `https://${host}`) : '');

class Run {
  readonly started: number;
  readonly timeline: TimelineEntry[] = [];
  record?: GitHubDeploymentRecord;
  constructor(
    readonly s: DeploySettings,
    readonly d: DeployDeps,
  ) {
    this.started = d.clock.now();
  }
  mark(state: string): void {
    this.timeline.push({ state, at: this.d.clock.now() - this.started });
  }
  async openRecord(environment: string, description: string, payload: Record<string, unknown>): Promise<void> {
    const { github, context, logger } = this.d;
    if (!github) return;
    if (!context.owner || !context.repo) {
      logger.info('no GITHUB_REPOSITORY: GitHub deployment record skipped');
      return;
    }
    this.record = await GitHubDeploymentRecord.open(
      github,
      {
        owner: context.owner,
        repo: context.repo,
        sha: this.s.gitSha || context.sha,
        environment,
        production: environment === 'production',
        description,
        runId: context.runId,
        runAttempt: context.runAttempt,
        logUrl: context.runUrl,
        payload,
      },
      logger,
    );
  }
  async recordStatus(state: GitHubDeploymentState, environmentUrl?: string, description?: string): Promise<void> {
    await this.record?.status(state, { environmentUrl, description });
  }
  summarize(title: string, rows: Array<[string, string | undefined]>, notes: string[] = []): void {
    const { summary } = this.d;
    summary.heading(title, 2);
    summary.table(
      ['Deployment', 'Value'],
      rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, v!]),
    );
    if (notes.length) summary.list(notes);
    if (this.timeline.length) {
      summary.heading('State timeline', 3);
      summary.table(['State', 'At'], this.timeline.map((t) => [t.state, `+${formatDuration(t.at)}`]));
    }
  }
}

export async function runDeploy(s: DeploySettings, d: DeployDeps): Promise<StageOutcome<OutputKey>> {
  const run = new Run(s, d);
  const project = await d.vercel.getProject();
  d.logger.info(`Vercel project ${project.name} (${project.id}); production is served by ${project.productionDeploymentId ?? 'no deployment yet'}`);
  switch (s.mode) {
    case 'git':
    case 'prebuilt':
      return ship(run, project);
    case 'promote':
      return promote(run, project);
    case 'rollback':
      return rollback(run, project);
  }
}

// ---- git / prebuilt ------------------------------------------------------------------------------

function createRequest(run: Run, project: ProjectInfo, files: PrebuiltFile[] | undefined): CreateDeploymentRequest {
  const { s, d } = run;
  const ctx = d.context;
  const body: CreateDeploymentRequest['requestBody'] = {
    name: project.name,
    project: project.id,
    meta: {
      githubCommitSha: s.gitSha,
      githubCommitRef: s.gitRef,
      ...(ctx.owner ? { githubCommitOrg: ctx.owner, githubCommitRepo: ctx.repo } : {}),
      ...(ctx.runUrl ? { shipgateRunUrl: ctx.runUrl } : {}),
    },
    gitMetadata: {
      commitSha: s.gitSha,
      commitRef: s.gitRef,
      ...(d.commitMessage ? { commitMessage: d.commitMessage.slice(0, 1000) } : {}),
      ...(ctx.actor ? { commitAuthorName: ctx.actor } : {}),
      ...(ctx.repository ? { remoteUrl: `${ctx.serverUrl}/${ctx.repository}` } : {}),
      dirty: false,
      ci: true,
      ciType: 'github-actions',
    },
  };
  if (s.target === 'production') body.target = 'production';
  else if (s.target !== 'preview') body.customEnvironmentSlugOrId = s.target;
  if (s.mode === 'git') {
    if (!ctx.owner || !ctx.repo) throw new StageError('git mode needs GITHUB_REPOSITORY (owner/repo) to tell Vercel which repository to build');
    body.gitSource = { type: 'github', org: ctx.owner, repo: ctx.repo, ref: s.gitRef, sha: s.gitSha };
  } else {
    body.files = (files ?? []).map((f) => ({ file: f.file, sha: f.sha, size: f.size }));
  }
  return { skipAutoDetectionConfirmation: '1', requestBody: body };
}

/** createDeployment, repeated only when Vercel provably created nothing (429, connection never made). */
async function createOnce(run: Run, request: CreateDeploymentRequest, extras: CreateExtras): ReturnType<VercelDeployApi['createDeployment']> {
  const { d } = run;
  for (let attempt = 1; ; attempt++) {
    try {
      return await d.vercel.createDeployment(request, extras);
    } catch (err) {
      const e = err instanceof VercelApiError ? err : undefined;
      const safe = e && (e.status === 429 || e.details.neverSent);
      if (!safe || attempt >= CREATE_ATTEMPTS) {
        if (e && (e.status === undefined || e.status >= 500)) {
          throw new StageError(
            `${e.message}. The request may have created a deployment, so it was not repeated: check the project's deployments before running again`,
            undefined,
            { cause: err },
          );
        }
        throw err instanceof VercelApiError ? new StageError(err.message, undefined, { cause: err }) : err;
      }
      const wait = e!.status === 429 ? Math.min(e!.details.retryAfterMs ?? 10_000, 5 * 60_000) : 2_000 * attempt;
      d.logger.info(`${e!.message}; nothing was created, trying again in ${formatDuration(wait)}`);
      await d.clock.sleep(wait, d.signal);
    }
  }
}

async function ship(run: Run, project: ProjectInfo): Promise<StageOutcome<OutputKey>> {
  const { s, d } = run;
  const { logger } = d;
  const previous = project.productionDeploymentId;
  const outputs: Outputs = { previousDeploymentId: previous ?? '' };
  const production = s.target === 'production';
  // After an instant rollback Vercel keeps production pinned: a new production deployment is staged whatever we ask.
  const pinned = production && !s.staged && project.autoAssignCustomDomains === false;
  if (pinned) {
    logger.warning(
      'Production is pinned after an instant rollback (automatic domain assignment is off): this deployment will not receive the production domains until it is promoted (mode: promote).',
    );
  }
  const aliases = s.aliases.map((a) => expandAlias(a, { branch: s.gitRef, pr: d.context.pullRequest, sha: s.gitSha }));
  const env = { ...s.env, GIT_SHA: s.gitSha, BUILD_TIMESTAMP: new Date(run.started).toISOString() };
  logger.info(`Deploying ${s.gitSha.slice(0, 7)} (${s.gitRef}) to ${s.target}${s.staged ? ' (staged: no domains until promote)' : ''} from ${s.mode === 'git' ? 'GitHub' : s.prebuiltDir}`);
  logger.info(`Deployment env: ${Object.keys(env).join(', ')}`);

  let files: PrebuiltFile[] | undefined;
  if (s.mode === 'prebuilt') {
    checkBuildsJson(s.prebuiltDir, s.target);
    files = await collectPrebuiltFiles(s.prebuiltDir);
    const bytes = files.reduce((n, f) => n + f.size, 0);
    logger.info(`Prebuilt output: ${files.length} files, ${bytes} bytes, ${files.filter((f) => f.symlink).length} symlinks`);
  }

  await run.openRecord(s.target, `Vercel ${s.target}${s.staged ? ' (staged)' : ''} deployment of ${s.gitSha.slice(0, 7)}`, { target: s.target, staged: s.staged });

  const request = createRequest(run, project, files);
  const extras: CreateExtras = {
    prebuilt: s.mode === 'prebuilt' || undefined,
    env,
    buildEnv: env,
    ...(s.staged ? { autoAssignCustomDomains: false as const } : {}),
    ...(files ? { fileModes: new Map(files.map((f) => [f.file, f.mode])) } : {}),
  };

  let created: DeploymentInfo | undefined;
  const uploaded = { files: 0, bytes: 0 };
  try {
    for (let round = 1; !created; round++) {
      const outcome = await createOnce(run, request, extras);
      if (outcome.kind === 'created') {
        created = outcome.deployment;
        break;
      }
      if (round > MISSING_FILES_ROUNDS) throw new StageError(`Vercel still reports ${outcome.missing.length} missing file(s) after ${MISSING_FILES_ROUNDS} uploads; nothing was deployed`);
      logger.info(`Uploading ${outcome.missing.length} file(s) Vercel does not have yet`);
      const report = await uploadMissing(d.vercel, files ?? [], outcome.missing, { clock: d.clock, logger, signal: d.signal, concurrency: d.uploadConcurrency });
      uploaded.files += report.files;
      uploaded.bytes += report.bytes;
      logger.info(`Uploaded ${report.files} file(s), ${report.bytes} bytes${report.retries ? ` (${report.retries} retries)` : ''}`);
    }
  } catch (err) {
    await run.recordStatus(d.signal?.aborted ? 'inactive' : 'failure', undefined, `deployment not created: ${errorMessage(err)}`);
    run.summarize(`Deploy to ${s.target} failed`, [['Error', errorMessage(err)], ['Previous production deployment', previous]]);
    return { outputs: { ...outputs, githubDeploymentId: run.record?.id }, error: err instanceof Error ? err : new StageError(String(err)) };
  }

  const dep = created!;
  Object.assign(outputs, { deploymentId: dep.id, url: https(dep.url), inspectorUrl: dep.inspectorUrl ?? '', githubDeploymentId: run.record?.id });
  logger.info(`Created ${dep.id}: ${https(dep.url)}`);
  if (dep.inspectorUrl) logger.info(`Inspect: ${dep.inspectorUrl}`);
  if (files) logger.info(`Files uploaded: ${uploaded.files} (${uploaded.bytes} bytes) of ${files.length}`);

  const result = await waitForDeployment(d.vercel, dep, {
    timeoutMs: s.timeoutMs,
    clock: d.clock,
    logger,
    expectAlias: !s.staged && !pinned,
    signal: d.signal,
    onState: (x) => run.mark(x.readyState === 'READY' && !s.staged && !pinned && !x.aliasAssigned ? 'READY (assigning domains)' : x.readyState),
  });
  const final = result.deployment;
  outputs.readyState = final.readyState;
  const inspector = final.inspectorUrl ?? dep.inspectorUrl;
  if (inspector) outputs.inspectorUrl = inspector;

  const rows = (): Array<[string, string | undefined]> => [
    ['URL', https(final.url || dep.url)],
    ['Inspector', inspector ? `[${inspector}](${inspector})` : undefined],
    ['Deployment', final.id],
    ['State', `${final.readyState}${final.readySubstate ? ` (${final.readySubstate})` : ''}`],
    ['Target', `${s.target}${s.staged ? ' (staged: promote to assign domains)' : ''}`],
    ['Commit', `${s.gitSha.slice(0, 7)} (${s.gitRef})`],
    ['Previous production deployment', previous],
    ['Files uploaded', files ? `${uploaded.files} of ${files.length} (${uploaded.bytes} bytes)` : undefined],
    ['GitHub deployment', run.record ? String(run.record.id) : undefined],
  ];

  if (result.outcome !== 'ready') return failShip(run, result, rows, outputs, inspector);

  const assigned: string[] = [];
  for (const alias of aliases) {
    try {
      await d.vercel.assignAlias(final.id, alias);
      assigned.push(alias);
      logger.info(`Alias https://${alias} → ${final.id}`);
    } catch (err) {
      run.mark('ALIAS FAILED');
      await run.recordStatus('failure', https(final.url), `alias ${alias} failed`);
      run.summarize(`Deploy to ${s.target}: alias failed`, [...rows(), ['Alias error', `${alias}: ${errorMessage(err)}`]]);
      return { outputs, error: new StageError(`alias ${alias} was not assigned to ${final.id}: ${errorMessage(err)} (the deployment is READY at ${https(final.url)})`, undefined, { cause: err }) };
    }
  }
  const environmentUrl = https(assigned[0] ?? final.url);
  await run.recordStatus('success', environmentUrl, s.staged ? 'staged: promote to assign production domains' : `ready at ${environmentUrl}`);
  const notes = s.staged ? [`Staged: production domains still point at ${previous ?? 'the previous deployment'}. Promote with \`mode: promote\` and \`deployment-id: ${final.id}\`.`] : [];
  run.summarize(`Deployed to ${s.target}`, [...rows(), ['Aliases', assigned.map((a) => `https://${a}`).join(', ') || undefined]], notes);
  logger.info(`${final.id} is READY${s.staged ? ' (staged)' : ''} after ${formatDuration(d.clock.now() - run.started)}`);
  return { outputs };
}

async function failShip(
  run: Run,
  result: WaitResult,
  rows: () => Array<[string, string | undefined]>,
  outputs: Outputs,
  inspector: string | undefined,
): Promise<StageOutcome<OutputKey>> {
  const { d } = run;
  const dep = result.deployment;
  let tail: string[] = [];
  if (result.outcome === 'error' || result.outcome === 'canceled') {
    try {
      tail = (await d.vercel.buildLogTail(dep.id, BUILD_LOG_TAIL_LINES)).map((l) => l.text);
    } catch (err) {
      d.logger.warning(`build log not available: ${errorMessage(err)}`);
    }
    if (tail.length) {
      await d.logger.group(`Build log of ${dep.id} (last ${tail.length} lines)`, async () => {
        for (const line of tail) d.logger.info(line);
      });
    }
  }
  let reason = result.reason ?? result.outcome;
  let state: GitHubDeploymentState = 'failure';
  if (result.outcome === 'aborted') {
    state = 'inactive';
    try {
      await d.vercel.cancelDeployment(dep.id);
      run.mark('CANCELED');
      outputs.readyState = 'CANCELED';
      reason = `the run was cancelled; Vercel deployment ${dep.id} was cancelled too`;
    } catch (err) {
      reason = `the run was cancelled; cancelling Vercel deployment ${dep.id} failed (${errorMessage(err)}): cancel it at ${inspector ?? 'the Vercel dashboard'}`;
    }
  } else if (result.outcome === 'canceled') {
    state = 'inactive';
  } else if (result.outcome === 'timeout') {
    reason = `${reason}; the deployment was left running: inspect it at ${inspector ?? https(dep.url)}`;
  }
  await run.recordStatus(state, https(dep.url), reason);
  const extra: Array<[string, string | undefined]> = [['Failure', reason]];
  run.summarize(`Deploy to ${run.s.target} failed`, [...rows(), ...extra]);
  if (tail.length) d.summary.details(`Build log (last ${tail.length} lines)`, '```\n' + tail.join('\n').replace(/```/g, '`\u200b``') + '\n```');
  const where = inspector ? ` — ${inspector}` : '';
  return { outputs, error: new StageError(`deployment ${dep.id} ${reason}${result.outcome === 'timeout' ? '' : where}`) };
}

// ---- promote / rollback --------------------------------------------------------------------------

/** Polls the project until production points at `id` (or Vercel reports the alias job failed). */
async function waitForProduction(run: Run, id: string, kind: 'promote' | 'rollback'): Promise<ProjectInfo> {
  const { d, s } = run;
  const deadline = run.started + s.timeoutMs;
  const start = d.clock.now();
  for (;;) {
    const p = await d.vercel.getProject();
    const job = p.lastAliasRequest;
    if (job && job.toDeploymentId === id && (job.jobStatus === 'failed' || job.jobStatus === 'skipped')) {
      throw new StageError(`${kind} of ${id} ${job.jobStatus} on Vercel; production is still ${p.productionDeploymentId ?? 'unknown'}`);
    }
    const jobDone = !job || job.toDeploymentId !== id || job.jobStatus === 'succeeded';
    if (p.productionDeploymentId === id && jobDone) return p;
    if (d.clock.now() >= deadline) throw new StageError(`${kind} of ${id} not finished after ${formatDuration(s.timeoutMs)}; production is ${p.productionDeploymentId ?? 'unknown'}`);
    await d.clock.sleep(Math.min(pollDelay(d.clock.now() - start), Math.max(0, deadline - d.clock.now())), d.signal);
  }
}

async function promote(run: Run, project: ProjectInfo): Promise<StageOutcome<OutputKey>> {
  const { s, d } = run;
  const id = s.deploymentId!;
  const previous = project.productionDeploymentId;
  const dep = await d.vercel.getDeployment(id);
  const outputs: Outputs = { deploymentId: dep.id, url: https(dep.url), inspectorUrl: dep.inspectorUrl ?? '', previousDeploymentId: previous ?? '', readyState: dep.readyState };
  if (dep.target !== 'production') {
    throw new StageError(`${id} is a ${dep.target ?? 'preview'} deployment; promoting it would rebuild it with production settings. Deploy with target: production and staged: true, then promote that deployment`);
  }
  if (dep.readyState !== 'READY') throw new StageError(`${id} is ${dep.readyState}; only a READY deployment can be promoted`);
  run.mark('READY');
  if (previous === id) {
    d.logger.notice(`${id} already serves production; nothing to promote`);
    run.summarize('Promote: nothing to do', [['Deployment', id], ['URL', https(dep.url)]]);
    return { outputs };
  }
  await run.openRecord('production', `Promote ${id} to production`, { promote: id, previous });
  let status: 201 | 202;
  try {
    status = await d.vercel.promote(id);
  } catch (err) {
    await run.recordStatus('failure', undefined, `promote failed: ${errorMessage(err)}`);
    throw err instanceof VercelApiError ? new StageError(`promote of ${id} failed: ${err.message}; production is still ${previous ?? 'unchanged'}`) : err;
  }
  outputs.githubDeploymentId = run.record?.id;
  const rows: Array<[string, string | undefined]> = [
    ['Deployment', id],
    ['URL', https(dep.url)],
    ['Inspector', dep.inspectorUrl],
    ['Previous production deployment', previous],
  ];
  if (status === 202) {
    run.mark('PROMOTE QUEUED');
    d.logger.notice(`Promotion of ${id} is queued behind a rolling release (HTTP 202): production moves when the release advances`);
    await run.recordStatus('queued', https(dep.url), 'queued behind a rolling release');
    run.summarize('Promote queued behind a rolling release', rows, ['Vercel answered 202: the promotion waits for the current rolling release.']);
    return { outputs };
  }
  run.mark('PROMOTE REQUESTED');
  try {
    await waitForProduction(run, id, 'promote');
  } catch (err) {
    await run.recordStatus('failure', https(dep.url), errorMessage(err));
    throw err;
  }
  run.mark('PRODUCTION');
  await run.recordStatus('success', https(dep.url), `${id} promoted to production`);
  d.logger.info(`${id} now serves production (was ${previous ?? 'none'})`);
  run.summarize('Promoted to production', rows);
  return { outputs };
}

async function rollback(run: Run, project: ProjectInfo): Promise<StageOutcome<OutputKey>> {
  const { s, d } = run;
  const current = project.productionDeploymentId;
  if (!current) throw new StageError('the project has no production deployment, so there is nothing to roll back from');
  let targetId = s.deploymentId;
  if (!targetId) {
    const serving = await d.vercel.getDeployment(current);
    const candidates = await d.vercel.listDeployments({ target: 'production', state: 'READY', rollbackCandidate: true, limit: 50 });
    const older = candidates.filter((c) => c.id !== current && (serving.createdAt === undefined || c.createdAt === undefined || c.createdAt < serving.createdAt));
    targetId = older[0]?.id;
    if (!targetId) throw new StageError(`no earlier production deployment to roll back to from ${current}; pass deployment-id`);
    d.logger.info(`Rolling back to the previous production deployment ${targetId} (production is ${current})`);
  }
  const target = await d.vercel.getDeployment(targetId);
  const outputs: Outputs = { deploymentId: target.id, url: https(target.url), inspectorUrl: target.inspectorUrl ?? '', previousDeploymentId: current, readyState: target.readyState };
  if (target.id === current) {
    d.logger.notice(`${target.id} already serves production; nothing to roll back`);
    run.summarize('Rollback: nothing to do', [['Deployment', target.id]]);
    return { outputs };
  }
  await run.openRecord('production', `Roll back production to ${target.id}`, { rollback: target.id, from: current });
  outputs.githubDeploymentId = run.record?.id;
  try {
    await d.vercel.rollback(target.id, `Shipgate rollback from ${current}${d.context.runUrl ? ` (${d.context.runUrl})` : ''}`);
    run.mark('ROLLBACK REQUESTED');
    await waitForProduction(run, target.id, 'rollback');
  } catch (err) {
    await run.recordStatus('failure', undefined, `rollback failed: ${errorMessage(err)}`);
    if (err instanceof VercelApiError) throw new StageError(`rollback to ${target.id} failed: ${err.message}; production is still ${current}`);
    throw err;
  }
  run.mark('PRODUCTION');
  const pinned =
    `Vercel now keeps production pinned to ${target.id}: automatic domain assignment is off, so new production deployments stay staged ` +
    `until one is promoted. To undo the rollback, run this stage with mode: promote and deployment-id: ${current} (or a newer deployment).`;
  d.logger.notice(pinned);
  await run.recordStatus('success', https(target.url), `rolled back from ${current}`);
  run.summarize(
    'Rolled back production',
    [
      ['Now serving', target.id],
      ['URL', https(target.url)],
      ['Inspector', target.inspectorUrl],
      ['Rolled back from', current],
    ],
    [pinned],
  );
  return { outputs };
}

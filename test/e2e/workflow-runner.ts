/**
 * Runs a Shipgate workflow file locally the way the runner would, so the end-to-end test and the demo follow
 * the wiring of deploy.yml itself instead of a hand-written copy of it:
 *
 * - jobs in `needs` order; a job's `if:` with GitHub's semantics (success() unless a status function is used);
 *   `environment:` is an approval, recorded and granted (or refused) by `approve`;
 * - steps in order with `if:`, `continue-on-error`, `id`, the `steps`/`needs`/`inputs`/`secrets`/`env`/`github`
 *   contexts; `with:` and `env:` interpolated;
 * - `uses: $/actions/<stage>`: the stage bundle through `runStage` (by default the built dist/<stage>/index.js
 *   via test/support/bundle.ts), with its outputs feeding later steps, job outputs and `needs`;
 * - `run:` steps with real bash (GITHUB_OUTPUT and GITHUB_STEP_SUMMARY honoured);
 * - other `uses:` (checkout, setup-node, AWS credentials) are external and reported as `external`: the local
 *   environment supplies what they would (the working directory, AWS_* variables for s3rver).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { condition, interpolate, type Status } from '../workflows/expressions.js';
import { stageOfStep } from '../../src/lib/workflow-checks.js';
// @ts-expect-error plain ESM JavaScript shared with the CLI
import { parseCommandFile } from '../../bin/local-runner.js';

export type Outcome = 'success' | 'failure' | 'skipped';

export interface StageRun {
  code: number | null;
  durationMs?: number;
  outputs: Record<string, string>;
  summary?: string;
  stdout?: string;
  stderr?: string;
}

export type StageRunner = (stage: string, inputs: Record<string, string>, env: Record<string, string>) => Promise<StageRun>;

export interface StepRecord {
  job: string;
  id?: string;
  name: string;
  kind: 'stage' | 'run' | 'external';
  stage?: string;
  inputs?: Record<string, string>;
  outcome: Outcome;
  conclusion: Outcome;
  outputs: Record<string, string>;
  run?: StageRun;
}

export interface JobRecord {
  result: Outcome;
  outputs: Record<string, string>;
  steps: StepRecord[];
  environment?: string;
}

export interface RunContext {
  inputs: Record<string, unknown>;
  secrets?: Record<string, string>;
  github?: Record<string, unknown>;
  vars?: Record<string, string>;
}

export interface RunOptions {
  runStage: StageRunner;
  /** Working directory of run: steps (the caller's checkout). */
  cwd?: string;
  /** Extra environment of run: steps and stage runs (e.g. AWS_* for s3rver). */
  env?: Record<string, string>;
  /** Decides an environment approval; default: approved. */
  approve?: (environment: string, job: string) => boolean;
  onStep?: (record: StepRecord) => void;
}

const SECRET_DEFAULT = '';

/** The `inputs` of a workflow_call run: the caller's values over the declared defaults. */
export function callInputs(doc: any, given: Record<string, unknown>): Record<string, unknown> {
  const declared = doc?.on?.workflow_call?.inputs ?? {};
  const out: Record<string, unknown> = {};
  for (const [k, d] of Object.entries<any>(declared)) if (d?.default !== undefined) out[k] = d.default;
  for (const [k, v] of Object.entries(given)) {
    if (!(k in declared)) throw new Error(`the workflow declares no input ${k}`);
    out[k] = v;
  }
  for (const [k, d] of Object.entries<any>(declared)) if (d?.required && !(k in out)) throw new Error(`input ${k} is required`);
  return out;
}

function withSecrets(doc: any, given: Record<string, string> = {}): Record<string, string> {
  const declared = doc?.on?.workflow_call?.secrets ?? {};
  const out: Record<string, string> = {};
  for (const k of Object.keys(declared)) out[k] = given[k] ?? SECRET_DEFAULT;
  for (const [k, d] of Object.entries<any>(declared)) if (d?.required && !given[k]) throw new Error(`secret ${k} is required`);
  return { ...out, GITHUB_TOKEN: given.GITHUB_TOKEN ?? '' };
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function interpolateMap(map: Record<string, unknown> | undefined, ctx: Record<string, unknown>, status?: Status): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map ?? {})) out[k] = interpolate(str(v), ctx, status);
  return out;
}

/** Runs a `run:` step with bash, asynchronously (so in-process stand-ins keep answering). */
async function runScript(script: string, env: Record<string, string>, cwd: string | undefined): Promise<{ code: number | null; outputs: Record<string, string>; summary: string; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-run-'));
  const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  writeFileSync(join(dir, 'step.sh'), script);
  const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', join(dir, 'step.sh')], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', RUNNER_TEMP: dir, ...env, ...files }, cwd: cwd ?? dir });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
  const outputs: Record<string, string> = parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8'));
  const summary = readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8');
  rmSync(dir, { recursive: true, force: true });
  return { code: r.status, outputs, summary, stdout: r.stdout, stderr: r.stderr };
}

/** Runs one job. `needs` holds the records of the jobs it needs. */
export async function runJob(doc: any, job: string, base: Record<string, unknown>, needs: Record<string, JobRecord>, opts: RunOptions): Promise<JobRecord> {
  const def = doc.jobs[job];
  const steps: StepRecord[] = [];
  const stepsCtx: Record<string, { outputs: Record<string, string>; outcome: Outcome; conclusion: Outcome }> = {};
  const needsCtx = Object.fromEntries(Object.entries(needs).map(([k, r]) => [k, { result: r.result, outputs: r.outputs }]));
  const ctx: Record<string, unknown> = { ...base, needs: needsCtx, steps: stepsCtx, env: {} };
  const jobEnv = interpolateMap(def.env, ctx);
  ctx.env = jobEnv;
  let failed = false;
  for (const [i, step] of (def.steps ?? []).entries()) {
    const status: Status = { job: failed ? 'failure' : 'success' };
    const name = step.name ?? step.id ?? step.uses ?? `step ${i}`;
    const stage = stageOfStep(step, 'shipgate/shipgate');
    const kind: StepRecord['kind'] = stage ? 'stage' : typeof step.run === 'string' ? 'run' : 'external';
    const record: StepRecord = { job, id: step.id, name, kind, stage, outcome: 'skipped', conclusion: 'skipped', outputs: {} };
    if (condition(step.if === undefined ? undefined : str(step.if), ctx, status)) {
      const env = { ...jobEnv, ...interpolateMap(step.env, ctx, status) };
      if (kind === 'stage') {
        record.inputs = interpolateMap(step.with, ctx, status);
        const run = await opts.runStage(stage!, record.inputs, { ...(opts.env ?? {}), ...env });
        record.run = run;
        record.outputs = run.outputs;
        record.outcome = run.code === 0 ? 'success' : 'failure';
      } else if (kind === 'run') {
        const run = await runScript(str(step.run), { ...(opts.env ?? {}), ...env }, opts.cwd);
        record.run = run;
        record.outputs = run.outputs;
        record.outcome = run.code === 0 ? 'success' : 'failure';
      } else {
        record.outcome = 'success';
      }
      record.conclusion = record.outcome === 'failure' && step['continue-on-error'] === true ? 'success' : record.outcome;
      if (record.conclusion === 'failure') failed = true;
    }
    if (step.id) stepsCtx[step.id] = { outputs: record.outputs, outcome: record.outcome, conclusion: record.conclusion };
    steps.push(record);
    opts.onStep?.(record);
  }
  const outputs = interpolateMap(def.outputs, ctx, { job: failed ? 'failure' : 'success' });
  return { result: failed ? 'failure' : 'success', outputs, steps };
}

export interface WorkflowRun {
  jobs: Record<string, JobRecord>;
  /** Environments approved, in order (one per job bound to an environment). */
  approvals: string[];
  /** The workflow_call outputs. */
  outputs: Record<string, string>;
  steps: StepRecord[];
}

/** Runs every job of a workflow_call workflow in `needs` order. */
export async function runWorkflow(doc: any, context: RunContext, opts: RunOptions): Promise<WorkflowRun> {
  const inputs = callInputs(doc, context.inputs);
  const secrets = withSecrets(doc, context.secrets);
  const base = { inputs, secrets, github: { sha: '0123456789abcdef0123456789abcdef01234567', token: secrets.GITHUB_TOKEN, ...(context.github ?? {}) }, vars: context.vars ?? {}, runner: { temp: tmpdir() } };
  const jobs: Record<string, JobRecord> = {};
  const approvals: string[] = [];
  const steps: StepRecord[] = [];
  const pending = Object.keys(doc.jobs);
  while (pending.length) {
    const next = pending.find((j) => needsOf(doc.jobs[j]).every((n) => n in jobs));
    if (!next) throw new Error(`cycle or unknown need among ${pending.join(', ')}`);
    pending.splice(pending.indexOf(next), 1);
    const needed = Object.fromEntries(needsOf(doc.jobs[next]).map((n) => [n, jobs[n]]));
    const results = Object.values(needed).map((r) => r.result);
    const status: Status = { job: results.includes('failure') ? 'failure' : results.every((r) => r === 'success') ? 'success' : 'skipped' };
    const ctx = { ...base, needs: Object.fromEntries(Object.entries(needed).map(([k, r]) => [k, { result: r.result, outputs: r.outputs }])) };
    const def = doc.jobs[next];
    if (!condition(def.if === undefined ? undefined : str(def.if), ctx, status)) {
      jobs[next] = { result: 'skipped', outputs: {}, steps: [] };
      continue;
    }
    let environment: string | undefined;
    if (def.environment !== undefined) {
      environment = interpolate(str(typeof def.environment === 'object' ? def.environment.name : def.environment), ctx);
      approvals.push(environment);
      if (!(opts.approve ?? (() => true))(environment, next)) {
        jobs[next] = { result: 'failure', outputs: {}, steps: [], environment };
        continue;
      }
    }
    const record = await runJob(doc, next, base, needed, opts);
    record.environment = environment;
    jobs[next] = record;
    steps.push(...record.steps);
  }
  const jobsCtx = Object.fromEntries(Object.entries(jobs).map(([k, r]) => [k, { result: r.result, outputs: r.outputs }]));
  const outputs: Record<string, string> = {};
  for (const [k, d] of Object.entries<any>(doc.on?.workflow_call?.outputs ?? {})) outputs[k] = interpolate(str(d.value), { jobs: jobsCtx });
  return { jobs, approvals, outputs, steps };
}

function needsOf(def: any): string[] {
  return Array.isArray(def?.needs) ? def.needs : def?.needs ? [def.needs] : [];
}

/**
 * A StageRunner on the built bundles (dist/<stage>/index.js, as the runner runs them), with a GitHub context and
 * extra environment; `mapInputs` lets a test route what only exists on the internet to local stand-ins (e.g.
 * the deployment host Vercel answers with -> the local sample app).
 */
export function bundleStages(opts: {
  env?: Record<string, string>;
  cwd?: string;
  context?: Record<string, string>;
  mapInputs?: (stage: string, inputs: Record<string, string>) => Record<string, string>;
  timeoutMs?: number;
}): StageRunner {
  return async (stage, inputs, env) => {
    const { runStageBundle } = await import('../support/bundle.js');
    const mapped = opts.mapInputs ? opts.mapInputs(stage, inputs) : inputs;
    const r = await runStageBundle(stage as never, mapped, { env: { ...(opts.env ?? {}), ...env }, cwd: opts.cwd, context: opts.context, timeoutMs: opts.timeoutMs });
    return { code: r.code, durationMs: r.durationMs, outputs: r.outputs, summary: r.summary, stdout: r.stdout, stderr: r.stderr };
  };
}

/**
 * Runs a composite action.yml as the runner would: its inputs (declared defaults, evaluated) as `inputs`, its
 * steps as one job, its outputs from `outputs.<name>.value`.
 */
export async function runComposite(action: any, given: Record<string, string>, context: Omit<RunContext, 'inputs'>, opts: RunOptions): Promise<JobRecord> {
  const github = { sha: '0123456789abcdef0123456789abcdef01234567', token: '', ...(context.github ?? {}) };
  const inputs: Record<string, string> = {};
  for (const [k, d] of Object.entries<any>(action.inputs ?? {})) if (d?.default !== undefined) inputs[k] = interpolate(str(d.default), { github });
  for (const [k, v] of Object.entries(given)) {
    if (!(k in (action.inputs ?? {}))) throw new Error(`the action declares no input ${k}`);
    inputs[k] = v;
  }
  for (const [k, d] of Object.entries<any>(action.inputs ?? {})) if (d?.required && !inputs[k]) throw new Error(`input ${k} is required`);
  const outputs = Object.fromEntries(Object.entries<any>(action.outputs ?? {}).map(([k, d]) => [k, d.value]));
  const doc = { jobs: { composite: { steps: action.runs.steps, outputs } } };
  return runJob(doc, 'composite', { inputs, github, vars: context.vars ?? {}, runner: { temp: tmpdir() } }, {}, opts);
}

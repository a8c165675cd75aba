/** Helpers for the workflow tests: the files under check, and running a workflow's `run:` step with real bash. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
// @ts-expect-error plain ESM JavaScript shared with the CLI
import { parseCommandFile } from '../../bin/local-runner.js';

export const WORKFLOWS = ['.github/workflows/deploy.yml', '.github/workflows/rollback.yml', '.github/workflows/pr-checks.yml'];

/** Every workflow file of the repository (this suite's and the lead's ci.yml) and every example. */
export function allWorkflowFiles(): string[] {
  const own = readdirSync('.github/workflows').filter((f) => /\.ya?ml$/.test(f)).map((f) => `.github/workflows/${f}`);
  const examples = existsSync('examples') ? readdirSync('examples').filter((f) => /\.ya?ml$/.test(f)).map((f) => `examples/${f}`) : [];
  return [...own, ...examples];
}

export const ACTION_FILES = ['action.yml', ...['preflight', 'backup', 'migrate', 'deploy', 'verify', 'notify'].map((s) => `actions/${s}/action.yml`)];

export function load(file: string): any {
  return YAML.parse(readFileSync(file, 'utf8'));
}

/** A step of a job by id. */
export function step(doc: any, job: string, id: string): any {
  const s = (doc.jobs[job].steps as any[]).find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id} in job ${job}`);
  return s;
}

/** Prepares a `run:` step: temp dir, GITHUB_OUTPUT/GITHUB_STEP_SUMMARY, env with `${{ }}` replaced through `values`. */
function prepare(s: any, values: Record<string, string>, extraEnv: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-wf-'));
  const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...files, ...extraEnv };
  for (const [k, v] of Object.entries<string>(s.env ?? {})) {
    env[k] = String(v).replace(/\$\{\{\s*([\s\S]*?)\s*\}\}/g, (_m, expr: string) => {
      if (!(expr in values)) throw new Error(`test gives no value for \${{ ${expr} }}`);
      return values[expr];
    });
  }
  const script = join(dir, 'step.sh');
  writeFileSync(script, s.run);
  return { dir, files, env, args: ['--noprofile', '--norc', '-eo', 'pipefail', script] };
}

function collect(dir: string, files: { GITHUB_OUTPUT: string; GITHUB_STEP_SUMMARY: string }) {
  const outputs: Record<string, string> = parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8'));
  const summary = readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8');
  rmSync(dir, { recursive: true, force: true });
  return { outputs, summary };
}

export interface StepResult {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

/**
 * Runs a `run:` step as the runner does (bash --noprofile --norc -eo pipefail), with its env: where each
 * `${{ … }}` value is replaced through `values` (keyed by the expression text). Returns exit code, outputs,
 * summary and stdout. Synchronous: use runStepAsync when the step talks to a server in this process.
 */
export function runStep(s: any, values: Record<string, string>, extraEnv: Record<string, string> = {}): StepResult {
  const { dir, files, env, args } = prepare(s, values, extraEnv);
  const r = spawnSync('bash', args, { env, encoding: 'utf8', cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ...collect(dir, files) };
}

/** runStep without blocking the event loop (for steps that call an in-process server such as s3rver). */
export function runStepAsync(s: any, values: Record<string, string>, extraEnv: Record<string, string> = {}, timeoutMs = 60_000): Promise<StepResult> {
  const { dir, files, env, args } = prepare(s, values, extraEnv);
  return new Promise((resolve, reject) => {
    const child = spawn('bash', args, { env, cwd: dir, timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ...collect(dir, files) }));
  });
}

/**
 * A stand-in for GitHub's "Get an environment" endpoint: `environments` maps a name to whether it has required
 * reviewers; other names answer 404 as GitHub does; a request without the token answers 403.
 */
export async function startEnvironmentsApi(environments: Record<string, { reviewers: boolean }>, token = 'ghs_test_token') {
  const { startStub } = await import('../support/http-stub.js');
  const stub = await startStub('github-environments');
  stub.route('GET', '/repos/:owner/:repo/environments/:name', (req) => {
    if (req.headers.authorization !== `Bearer ${token}`) return { status: 403, body: { message: 'Resource not accessible by integration' } };
    const env = environments[decodeURIComponent(req.params.name)];
    if (!env) return { status: 404, body: { message: 'Not Found' } };
    return { status: 200, body: { name: req.params.name, protection_rules: env.reviewers ? [{ id: 1, type: 'required_reviewers', reviewers: [] }] : [{ id: 2, type: 'branch_policy' }] } };
  });
  return { stub, token, env: { GITHUB_API_URL: stub.url, GITHUB_REPOSITORY: 'acme/shop' } };
}

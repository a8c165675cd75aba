/** Helpers for the workflow tests: the files under check, and running a workflow's `run:` step with real bash. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';

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

/**
 * Runs a `run:` step as the runner does (bash --noprofile --norc -eo pipefail), with its env: where each
 * `${{ … }}` value is replaced through `values` (keyed by the expression text). Returns exit code, outputs,
 * summary and stdout.
 */
export function runStep(s: any, values: Record<string, string>, extraEnv: Record<string, string> = {}) {
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
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { env, encoding: 'utf8', cwd: dir });
  const outputs: Record<string, string> = {};
  const lines = readFileSync(files.GITHUB_OUTPUT, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i]);
      outputs[heredoc[1]] = value.join('\n');
      continue;
    }
    const eq = lines[i].indexOf('=');
    if (eq > 0) outputs[lines[i].slice(0, eq)] = lines[i].slice(eq + 1);
  }
  const summary = readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8');
  rmSync(dir, { recursive: true, force: true });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, outputs, summary };
}

/**
 * Runs a built stage bundle (dist/<stage>/index.js) exactly as the runner does — INPUT_* variables,
 * GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_STATE, RUNNER_TEMP and the GITHUB_* context — and returns
 * outputs, summary, stdout, stderr and the exit code. Shares its runner emulation with the shipgate CLI.
 */
// @ts-expect-error plain ESM JavaScript shared with the CLI
import { runBundle as run, parseWorkflowCommand, scrub } from '../../bin/local-runner.js';
import { secretForms, urlSecretForms } from '../../src/lib/secrets.js';

export interface BundleResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  masks: string[];
  durationMs: number;
}

export type Stage = 'preflight' | 'backup' | 'migrate' | 'deploy' | 'verify' | 'notify';

/** A plausible GitHub context for a push to main. */
export function githubContext(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_ACTOR: 'octocat',
    GITHUB_WORKFLOW: 'deploy',
    GITHUB_JOB: 'release',
    GITHUB_EVENT_NAME: 'push',
    ...overrides,
  };
}

export async function runStageBundle(
  stage: Stage,
  inputs: Record<string, string | number | boolean | undefined>,
  opts: { env?: Record<string, string>; cwd?: string; context?: Record<string, string>; timeoutMs?: number } = {},
): Promise<BundleResult> {
  return run({ stage, inputs, env: opts.env ?? {}, cwd: opts.cwd, context: opts.context ?? githubContext(), timeoutMs: opts.timeoutMs ?? 120_000 });
}

/** Every line of stdout and stderr except the add-mask commands, which the runner consumes and never shows. */
export function visibleLines(result: Pick<BundleResult, 'stdout' | 'stderr'>): string[] {
  return `${result.stdout}\n${result.stderr}`.split('\n').filter((l) => parseWorkflowCommand(l)?.command !== 'add-mask');
}

/** The error lines (::error::) the bundle printed. */
export function errorLines(result: Pick<BundleResult, 'stdout' | 'stderr'>): string[] {
  return visibleLines(result)
    .map((l) => parseWorkflowCommand(l))
    .filter((c): c is { command: string; props: Record<string, string>; message: string } => c?.command === 'error')
    .map((c) => c.message);
}

/**
 * Every place a secret could leak from a run: visible log lines, outputs and summary. Returns the forms of
 * the secrets found (raw, URL-encoded, decoded, base64), empty when clean.
 */
export function leakedForms(result: BundleResult, secrets: { plain?: string[]; urls?: string[] }, extra: string[] = []): string[] {
  const forms = new Set<string>();
  for (const s of secrets.plain ?? []) for (const f of secretForms(s)) forms.add(f);
  for (const u of secrets.urls ?? []) for (const f of urlSecretForms(u)) forms.add(f);
  const haystack = [visibleLines(result).join('\n'), JSON.stringify(result.outputs), result.summary, ...extra].join('\n');
  return [...forms].filter((f) => haystack.includes(f));
}

export { scrub };

/** What the runner tells a step about its run, read from the GITHUB_* environment (empty strings outside GitHub). */
import { readFileSync } from 'node:fs';

export interface RunContext {
  sha: string;
  ref: string;
  refName: string;
  repository: string;
  owner: string;
  repo: string;
  runId: string;
  runAttempt: string;
  runUrl: string;
  serverUrl: string;
  apiUrl: string;
  actor: string;
  workflow: string;
  job: string;
  eventName: string;
  /** Pull request number when the event has one. */
  pullRequest?: number;
  workspace: string;
  runnerTemp: string;
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const repository = env.GITHUB_REPOSITORY ?? '';
  const [owner = '', repo = ''] = repository.split('/');
  const serverUrl = env.GITHUB_SERVER_URL || 'https://github.com';
  const runId = env.GITHUB_RUN_ID ?? '';
  let pullRequest: number | undefined;
  if (env.GITHUB_EVENT_PATH) {
    try {
      const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as { pull_request?: { number?: number }; number?: number };
      pullRequest = event.pull_request?.number ?? undefined;
    } catch {
      pullRequest = undefined;
    }
  }
  if (pullRequest === undefined) {
    const m = /^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? '');
    if (m) pullRequest = Number(m[1]);
  }
  return {
    sha: env.GITHUB_SHA ?? '',
    ref: env.GITHUB_REF ?? '',
    refName: env.GITHUB_REF_NAME ?? '',
    repository,
    owner,
    repo,
    runId,
    runAttempt: env.GITHUB_RUN_ATTEMPT ?? '',
    runUrl: repository && runId ? `${serverUrl}/${repository}/actions/runs/${runId}` : '',
    serverUrl,
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    actor: env.GITHUB_ACTOR ?? '',
    workflow: env.GITHUB_WORKFLOW ?? '',
    job: env.GITHUB_JOB ?? '',
    eventName: env.GITHUB_EVENT_NAME ?? '',
    pullRequest,
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
    runnerTemp: env.RUNNER_TEMP || '',
  };
}

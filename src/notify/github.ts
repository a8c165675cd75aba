/** The GitHub side of notify: the deployment's final status and the run's start time (for the duration). */
import type { GitHubApi } from '../lib/github.js';
import type { RunContext } from '../lib/context.js';
import type { FinalStatus } from './stages.js';

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'inactive';

/** started -> in_progress, success -> success, failure -> failure, cancelled -> inactive. */
export function deploymentState(status: FinalStatus): DeploymentState {
  return ({ started: 'in_progress', success: 'success', failure: 'failure', cancelled: 'inactive' } as const)[status];
}

export async function setDeploymentStatus(
  api: GitHubApi,
  ctx: Pick<RunContext, 'owner' | 'repo' | 'runUrl'>,
  deploymentId: number,
  status: FinalStatus,
  opts: { environment: string; environmentUrl?: string; description: string },
): Promise<{ id: number; state: DeploymentState }> {
  const state = deploymentState(status);
  const body: Record<string, unknown> = {
    state,
    environment: opts.environment,
    description: opts.description.length > 140 ? `${opts.description.slice(0, 139)}…` : opts.description,
    log_url: ctx.runUrl || undefined,
    auto_inactive: state === 'success',
  };
  if (opts.environmentUrl) body.environment_url = opts.environmentUrl;
  const res = await api.request<{ id: number }>('POST', `/repos/${ctx.owner}/${ctx.repo}/deployments/${deploymentId}/statuses`, body);
  return { id: res.data.id, state };
}

/** When the workflow run started (ms), or undefined when the API does not say. */
export async function runStartedAt(api: GitHubApi, ctx: Pick<RunContext, 'owner' | 'repo' | 'runId'>): Promise<number | undefined> {
  if (!ctx.owner || !ctx.runId) return undefined;
  const res = await api.request<{ run_started_at?: string; created_at?: string }>('GET', `/repos/${ctx.owner}/${ctx.repo}/actions/runs/${ctx.runId}`);
  const t = Date.parse(res.data.run_started_at ?? res.data.created_at ?? '');
  return Number.isNaN(t) ? undefined : t;
}

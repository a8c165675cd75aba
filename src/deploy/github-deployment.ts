/**
 * One GitHub deployment record per run: created `in_progress` when the stage starts shipping, then `success`
 * or `failure` (`inactive` when the run or the Vercel deployment is cancelled), with `environment_url` (the
 * deployment) and `log_url` (this workflow run).
 *
 * Duplicates: a job that declares `environment:` already gets a deployment record from GitHub, and GitHub
 * does not tell the step its id, so the stage cannot attach to it. Choice: the stage creates its record
 * unless `github-deployment: false`; workflows whose deploy job declares `environment:` set it to false
 * (Shipgate's reusable workflow does), and GitHub's record is the one shown. Each invocation (deploy, promote,
 * rollback) is its own record, tagged with the run id and attempt in its payload.
 *
 * Recording never fails the deploy: a missing `deployments: write` permission or an API error is a warning.
 */
import { errorMessage } from '../lib/errors.js';
import type { GitHubApi } from '../lib/github.js';
import type { Logger } from '../lib/logger.js';

export type GitHubDeploymentState = 'in_progress' | 'queued' | 'success' | 'failure' | 'inactive' | 'error';

export interface GitHubDeploymentInit {
  owner: string;
  repo: string;
  sha: string;
  environment: string;
  production: boolean;
  description: string;
  runId: string;
  runAttempt: string;
  logUrl: string;
  payload: Record<string, unknown>;
}

export class GitHubDeploymentRecord {
  readonly states: GitHubDeploymentState[] = [];
  private constructor(
    private readonly api: GitHubApi,
    private readonly init: GitHubDeploymentInit,
    readonly id: number,
    private readonly logger: Logger,
  ) {}

  /** Creates the record and sets it in_progress; undefined when GitHub refused (a warning, never a failure). */
  static async open(api: GitHubApi, init: GitHubDeploymentInit, logger: Logger): Promise<GitHubDeploymentRecord | undefined> {
    const base = `/repos/${encodeURIComponent(init.owner)}/${encodeURIComponent(init.repo)}/deployments`;
    try {
      const created = await api.request<any>('POST', base, {
        ref: init.sha,
        environment: init.environment,
        description: init.description.slice(0, 140),
        auto_merge: false,
        required_contexts: [],
        transient_environment: !init.production && init.environment !== 'production',
        production_environment: init.production,
        payload: { ...init.payload, shipgate: { runId: init.runId, runAttempt: init.runAttempt } },
      });
      const id: number | undefined = typeof created.data?.id === 'number' ? created.data.id : undefined;
      if (id === undefined) {
        logger.warning(`GitHub did not create a deployment record (${created.status}: ${String(created.data?.message ?? 'no id')})`);
        return undefined;
      }
      const record = new GitHubDeploymentRecord(api, init, id, logger);
      await record.status('in_progress', { description: init.description });
      return record;
    } catch (err) {
      logger.warning(`GitHub deployment record not created: ${errorMessage(err)}`);
      return undefined;
    }
  }

  async status(state: GitHubDeploymentState, opts: { environmentUrl?: string; description?: string } = {}): Promise<void> {
    const path = `/repos/${encodeURIComponent(this.init.owner)}/${encodeURIComponent(this.init.repo)}/deployments/${this.id}/statuses`;
    try {
      await this.api.request('POST', path, {
        state,
        log_url: this.init.logUrl || undefined,
        environment_url: opts.environmentUrl || undefined,
        description: (opts.description ?? '').slice(0, 140) || undefined,
        auto_inactive: state === 'success',
      });
      this.states.push(state);
    } catch (err) {
      this.logger.warning(`GitHub deployment ${this.id}: status ${state} not recorded: ${errorMessage(err)}`);
    }
  }
}

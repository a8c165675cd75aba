/** The deploy stage: wires the real outside world (Vercel through @vercel/sdk, GitHub, clock, signals) to the logic. */
import { readFileSync } from 'node:fs';
import { createGitHubApi } from '../lib/github.js';
import type { StageDefinition } from '../lib/stage.js';
import type { OutputKey } from './deploy.js';
import { readDeploySettings, type DeploySettings } from './inputs.js';
import { OUTPUT } from './names.js';

/** The head commit's message from the event payload, when the event has one. */
function commitMessage(env: NodeJS.ProcessEnv): string | undefined {
  if (!env.GITHUB_EVENT_PATH) return undefined;
  try {
    const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as { head_commit?: { message?: unknown } };
    return typeof event.head_commit?.message === 'string' ? event.head_commit.message : undefined;
  } catch {
    return undefined;
  }
}

export const deployStage: StageDefinition<DeploySettings, OutputKey> = {
  name: 'deploy',
  outputs: OUTPUT,
  read: (inputs, services) => readDeploySettings(inputs, services.context, services.env),
  async run(settings, services) {
    const { clock, logger, summary, context, http, env } = services;
    // The runner signals a cancelled run with SIGINT, then SIGTERM: stop waiting, cancel the Vercel deployment,
    // mark the GitHub record inactive.
    const cancel = new AbortController();
    const onSignal = (signal: string) => () => {
      logger.info(`received ${signal}: cancelling`);
      cancel.abort(new Error(`received ${signal}`));
    };
    const handlers = { SIGINT: onSignal('SIGINT'), SIGTERM: onSignal('SIGTERM') };
    for (const [sig, h] of Object.entries(handlers)) process.on(sig, h);
    try {
      // The SDK (zod schemas built at load) is loaded only once the inputs are valid: bad input fails fast.
      const [{ runDeploy }, { createSdkDeployApi }] = await Promise.all([import('./deploy.js'), import('./vercel.js')]);
      const github =
        settings.githubDeployment && settings.githubToken
          ? createGitHubApi({ token: settings.githubToken, apiUrl: context.apiUrl, http, clock })
          : undefined;
      if (settings.githubDeployment && !settings.githubToken && (settings.mode === 'git' || settings.mode === 'prebuilt')) {
        logger.info('github-token not given: no GitHub deployment record');
      }
      return await runDeploy(settings, {
        vercel: createSdkDeployApi({ token: settings.token, serverURL: settings.apiUrl, projectId: settings.projectId, teamId: settings.teamId, now: () => clock.now() }),
        github,
        clock,
        logger,
        summary,
        context,
        signal: cancel.signal,
        commitMessage: commitMessage(env),
      });
    } finally {
      for (const [sig, h] of Object.entries(handlers)) process.off(sig, h);
    }
  },
};

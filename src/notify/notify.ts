/**
 * The notify run: work out the status, then tell Slack, give the GitHub deployment its status, and write the
 * run record. Each delivery is independent; one that fails is a warning (an error with fail-on-error), and the
 * others still happen.
 */
import type { Clock } from '../lib/clock.js';
import type { RunContext } from '../lib/context.js';
import type { GitHubApi } from '../lib/github.js';
import type { HttpFetch } from '../lib/http.js';
import type { Logger } from '../lib/logger.js';
import type { Masker } from '../lib/secrets.js';
import type { Summary } from '../lib/summary.js';
import { errorMessage, oneLine } from '../lib/errors.js';
import { buildMessage, type MessageModel } from './blocks.js';
import { runStartedAt, setDeploymentStatus } from './github.js';
import type { NotifySettings } from './inputs.js';
import { buildRunRecord, runRecordKey, writeRunRecord, type RecordStore } from './run-record.js';
import { sendSlack } from './slack.js';
import { deriveStatus, stageFacts, type FinalStatus } from './stages.js';

export interface NotifyDeps {
  http: HttpFetch;
  clock: Clock;
  logger: Logger;
  masker: Masker;
  context: RunContext;
  github?: (token: string) => GitHubApi;
  store?: (settings: NonNullable<NotifySettings['runRecord']>) => RecordStore;
  slackAttempts?: number;
  slackBaseDelayMs?: number;
}

export interface Delivery {
  channel: 'slack' | 'github-deployment' | 'run-record';
  ok: boolean;
  detail: string;
}

export interface NotifyResult {
  status: FinalStatus;
  slackMessageTs?: string;
  runRecordUri?: string;
  deliveries: Delivery[];
  failures: string[];
}

export async function notify(settings: NotifySettings, deps: NotifyDeps): Promise<NotifyResult> {
  const { context: ctx, logger, clock } = deps;
  const facts = stageFacts(settings.stages);
  const decision = settings.decision ?? facts.verifyDecision;
  const status: FinalStatus = settings.status === 'auto' ? (deriveStatus(settings.stages, decision) ?? 'success') : settings.status;
  const deliveries: Delivery[] = [];
  const failures: string[] = [];
  const fail = (channel: Delivery['channel'], err: unknown): void => {
    const msg = oneLine(errorMessage(err));
    deliveries.push({ channel, ok: false, detail: msg });
    failures.push(`${channel}: ${msg}`);
    if (settings.failOnError) logger.error(`notify: ${channel} failed: ${msg}`);
    else logger.warning(`notify: ${channel} not delivered: ${msg}`);
  };

  const api = settings.github && deps.github ? deps.github(settings.github.token) : undefined;
  let startedAt: number | undefined;
  if (api) {
    try {
      startedAt = await runStartedAt(api, ctx);
    } catch (err) {
      logger.debug(`notify: run start time unknown: ${errorMessage(err)}`);
    }
  }
  const now = clock.now();
  const deploymentUrl = settings.deploymentUrl ?? (facts.deploymentUrl ? (/^https?:\/\//.test(facts.deploymentUrl) ? facts.deploymentUrl : `https://${facts.deploymentUrl}`) : undefined);
  const version = settings.version ?? facts.versionServed ?? ctx.sha;
  const emergencyReason = settings.emergencyReason ?? settings.stages.find((s) => s.kind === 'preflight')?.outputs['emergency-reason'];
  if (settings.emergency && !emergencyReason) logger.warning('notify: emergency is true but no emergency-reason was given');

  let slackMessageTs = settings.slack?.kind === 'api' ? settings.slack.ts : undefined;
  if (settings.slack) {
    const model: MessageModel = {
      status,
      title: settings.title ?? `Deploy ${ctx.repository || 'app'} to ${settings.environment}`,
      environment: settings.environment,
      version,
      sha: ctx.sha || undefined,
      actor: ctx.actor || undefined,
      durationMs: startedAt !== undefined ? Math.max(0, now - startedAt) : undefined,
      decision,
      decisionReason: facts.verifyReason,
      emergency: settings.emergency,
      emergencyReason,
      stages: settings.stages,
      links: {
        run: ctx.runUrl || undefined,
        deployment: deploymentUrl,
        inspector: facts.inspectorUrl,
        rollback: ctx.repository ? `${ctx.serverUrl}/${ctx.repository}/actions/workflows/${settings.rollbackWorkflow}` : undefined,
      },
      repository: ctx.repository ? `${ctx.repository}@${ctx.refName || ctx.ref} · run ${ctx.runId}` : undefined,
    };
    try {
      const r = await sendSlack(settings.slack, buildMessage(model), {
        http: deps.http,
        clock,
        masker: deps.masker,
        attempts: deps.slackAttempts,
        baseDelayMs: deps.slackBaseDelayMs,
        onRetry: (m) => logger.info(`notify: ${m}`),
      });
      if (r.ts) slackMessageTs = r.ts;
      deliveries.push({ channel: 'slack', ok: true, detail: `${r.method}${r.ts ? ` ts ${r.ts}` : ''}${r.attempts > 1 ? ` after ${r.attempts} attempts` : ''}` });
      logger.info(`notify: Slack ${r.method} delivered${r.ts ? ` (ts ${r.ts})` : ''}`);
    } catch (err) {
      fail('slack', err);
    }
  }

  if (api && settings.github?.deploymentId !== undefined) {
    try {
      const description = `${status}${decision ? ` (verify: ${decision})` : ''}${settings.emergency ? ' [emergency]' : ''}`;
      const r = await setDeploymentStatus(api, ctx, settings.github.deploymentId, status, { environment: settings.environment, environmentUrl: deploymentUrl, description });
      deliveries.push({ channel: 'github-deployment', ok: true, detail: `deployment ${settings.github.deploymentId}: ${r.state}` });
      logger.info(`notify: GitHub deployment ${settings.github.deploymentId} is ${r.state}`);
    } catch (err) {
      fail('github-deployment', err);
    }
  }

  let runRecordUri: string | undefined;
  if (settings.runRecord && deps.store) {
    if (status === 'started') {
      deliveries.push({ channel: 'run-record', ok: true, detail: 'not written yet (status started)' });
    } else {
      try {
        const record = buildRunRecord({
          ctx,
          environment: settings.environment,
          status,
          version,
          emergency: settings.emergency,
          emergencyReason,
          stages: settings.stages,
          facts,
          decision,
          deploymentUrl,
          githubDeploymentId: settings.github?.deploymentId,
          now,
          startedAt,
        });
        const key = runRecordKey(settings.runRecord.prefix, settings.environment, ctx, now);
        runRecordUri = await writeRunRecord(deps.store(settings.runRecord), key, record, deps.masker);
        deliveries.push({ channel: 'run-record', ok: true, detail: runRecordUri });
        logger.info(`notify: run record written to ${runRecordUri}`);
      } catch (err) {
        fail('run-record', err);
      }
    }
  }

  return { status, slackMessageTs, runRecordUri, deliveries, failures };
}

export function writeSummary(summary: Summary, settings: NotifySettings, result: NotifyResult): void {
  summary.heading('Notify');
  summary.paragraph(`Status **${result.status}** for \`${settings.environment}\`${settings.emergency ? ` — emergency: ${settings.emergencyReason ?? 'no reason given'}` : ''}`);
  if (settings.stages.length) summary.table(['Stage', 'Result'], settings.stages.map((s) => [s.name, s.result]));
  summary.table(['Delivery', 'Result', 'Detail'], result.deliveries.map((d) => [d.channel, d.ok ? 'ok' : 'failed', d.detail]));
}

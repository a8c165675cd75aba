/** Reads and validates the notify stage's inputs into one typed settings object. */
import { inputError, type Inputs } from '../lib/inputs.js';
import { normaliseStages, type StageInfo } from './stages.js';
import { INPUT } from './names.js';

export const STATUSES = ['started', 'success', 'failure', 'cancelled', 'auto'] as const;
export type StatusInput = (typeof STATUSES)[number];

export type SlackTarget = { kind: 'webhook'; url: string } | { kind: 'api'; token: string; channel: string; ts?: string; apiUrl: string };

export interface NotifySettings {
  status: StatusInput;
  environment: string;
  title?: string;
  stages: StageInfo[];
  deploymentUrl?: string;
  version?: string;
  decision?: string;
  emergency: boolean;
  emergencyReason?: string;
  slack?: SlackTarget;
  github?: { token: string; deploymentId?: number };
  runRecord?: { bucket: string; prefix: string; region?: string; endpoint?: string };
  failOnError: boolean;
  rollbackWorkflow: string;
}

const DECISIONS = ['ok', 'monitor', 'rollback-app', 'rollback-full'];

export function readNotifySettings(inputs: Inputs): NotifySettings {
  // Secrets first.
  // The whole webhook URL is the secret (its path is the credential): masked before it is even validated.
  inputs.secret(INPUT.slackWebhookUrl);
  const webhook = inputs.url(INPUT.slackWebhookUrl, { protocols: ['https:', 'http:'], secret: true, expected: 'a Slack incoming webhook URL (https://hooks.slack.com/services/…)' });
  const slackToken = inputs.secret(INPUT.slackToken);
  const githubToken = inputs.secret(INPUT.githubToken);

  const status = inputs.enum(INPUT.status, STATUSES, 'auto');
  const environment = inputs.string(INPUT.environment, { default: 'production' });
  if (!/^[\w.-]{1,100}$/.test(environment)) throw inputError(INPUT.environment, environment, 'an environment name (letters, digits, . _ -)');

  let stages: StageInfo[] = [];
  const stagesRaw = inputs.raw(INPUT.stages);
  if (stagesRaw) {
    let data: unknown;
    try {
      data = JSON.parse(stagesRaw);
    } catch {
      throw inputError(INPUT.stages, stagesRaw, 'JSON such as ${{ toJSON(needs) }} or {"deploy": {"deployment-id": "…"}}');
    }
    try {
      stages = normaliseStages(data);
    } catch (err) {
      throw inputError(INPUT.stages, stagesRaw, (err as Error).message);
    }
  }

  const decision = inputs.optional(INPUT.decision);
  if (decision !== undefined && !DECISIONS.includes(decision)) throw inputError(INPUT.decision, decision, `one of ${DECISIONS.join('|')}`);
  if (status === 'auto' && stages.length === 0 && decision === undefined) {
    throw inputError(INPUT.status, status, `started|success|failure|cancelled, or stages (\${{ toJSON(needs) }}) or decision to derive it from`);
  }

  const channel = inputs.optional(INPUT.slackChannel);
  const ts = inputs.optional(INPUT.slackMessageTs);
  if (webhook && slackToken) throw inputError(INPUT.slackToken, slackToken, 'either slack-webhook-url or slack-token + slack-channel, not both', true);
  if (slackToken && !channel) throw inputError(INPUT.slackChannel, '', 'a channel id (C0123456789) because slack-token is set');
  if (ts && !/^\d+\.\d+$/.test(ts)) throw inputError(INPUT.slackMessageTs, ts, 'a Slack message ts such as 1700000000.123456');
  if (ts && !slackToken) throw inputError(INPUT.slackToken, '', 'a Slack token because slack-message-ts is set (a webhook message cannot be updated)');
  let slack: SlackTarget | undefined;
  if (webhook) slack = { kind: 'webhook', url: webhook };
  else if (slackToken) {
    const apiUrl = (inputs.url(INPUT.slackApiUrl, { protocols: ['https:', 'http:'] }) ?? 'https://slack.com/api').replace(/\/+$/, '');
    slack = { kind: 'api', token: slackToken, channel: channel!, ts, apiUrl };
  }

  const deploymentIdRaw = inputs.optional(INPUT.githubDeploymentId);
  let deploymentId: number | undefined;
  if (deploymentIdRaw !== undefined) {
    if (!/^\d+$/.test(deploymentIdRaw)) throw inputError(INPUT.githubDeploymentId, deploymentIdRaw, 'a numeric GitHub deployment id');
    deploymentId = Number(deploymentIdRaw);
    if (!githubToken) throw inputError(INPUT.githubToken, '', 'a token with deployments: write because github-deployment-id is set');
  }

  const bucket = inputs.optional(INPUT.runRecordBucket);
  if (bucket !== undefined && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw inputError(INPUT.runRecordBucket, bucket, 'an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)');
  const prefix = inputs.string(INPUT.runRecordPrefix, { default: 'shipgate' }).replace(/^\/+|\/+$/g, '');
  const endpoint = inputs.url(INPUT.s3Endpoint, { protocols: ['https:', 'http:'] });

  const deploymentUrlRaw = inputs.optional(INPUT.deploymentUrl);
  const deploymentUrl = deploymentUrlRaw && !/^https?:\/\//i.test(deploymentUrlRaw) ? `https://${deploymentUrlRaw}` : deploymentUrlRaw;

  const rollbackWorkflow = inputs.string(INPUT.rollbackWorkflow, { default: 'rollback.yml' });

  return {
    status,
    environment,
    title: inputs.optional(INPUT.title),
    stages,
    deploymentUrl,
    version: inputs.optional(INPUT.version),
    decision,
    emergency: inputs.bool(INPUT.emergency, false),
    emergencyReason: inputs.optional(INPUT.emergencyReason),
    slack,
    github: githubToken ? { token: githubToken, deploymentId } : undefined,
    runRecord: bucket ? { bucket, prefix, region: inputs.optional(INPUT.s3Region), endpoint } : undefined,
    failOnError: inputs.bool(INPUT.failOnError, false),
    rollbackWorkflow,
  };
}

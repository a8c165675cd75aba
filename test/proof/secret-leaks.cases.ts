/** The sentinel secrets of the leak suite and where it looks for them (docs/reliability.md lists both). */
export const SENTINELS = {
  vercelToken: 'vcp_SENTINEL_v3rc3l_t0ken_71q',
  slackWebhookPath: '/services/T0SENTINL/B0SENTINL/wh00kS3cr3tSENTINEL',
  slackBotToken: 'xoxb-SENTINEL-5l4ck-b0t-t0ken',
  githubToken: 'ghs_SENTINELg1thubT0ken0000000000001',
  bypass: 'byp4ss-SENTINEL-s3cr3t-0000000000001',
};

export const LEAK_SECRETS: { secret: string; reaches: string }[] = [
  { secret: "database password `p!'()*@:/%w0rd` (the whole URL, user:password, the password raw, URL-encoded both ways, decoded, base64)", reaches: 'preflight, backup, migrate, verify (SQL checks)' },
  { secret: 'Vercel token', reaches: 'preflight (project check), deploy, verify (runtime logs)' },
  { secret: 'Slack webhook URL (and its secret path)', reaches: 'notify' },
  { secret: 'Slack bot token', reaches: 'notify (API method)' },
  { secret: 'GitHub token', reaches: 'preflight (PR comment), deploy (deployment record), notify (deployment status), the workflow guard' },
  { secret: 'Vercel protection bypass secret', reaches: 'verify' },
];

export const LEAK_PLACES = [
  'stdout and stderr of every stage run (the add-mask commands the runner consumes aside)',
  'every step summary',
  'every output',
  'every Slack request body (webhook and chat.postMessage/chat.update)',
  'every GitHub API request path, query and body',
  'every Vercel API request path, query and body',
  'the backup manifest and the run record in S3',
];

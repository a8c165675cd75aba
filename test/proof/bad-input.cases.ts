/**
 * Malformed inputs across the stages. Each case must exit 1 quickly with one error line that names `input`,
 * and change nothing. docs/reliability.md lists these cases (scripts/reliability-doc.ts).
 */
import type { Stage } from '../support/bundle.js';

export interface BadInputCase {
  stage: Stage;
  what: string;
  inputs: Record<string, string>;
  /** The input the one-line message must name. */
  input: string;
}

const c = (stage: Stage, input: string, what: string, inputs: Record<string, string>): BadInputCase => ({ stage, input, what, inputs });

export const BAD_INPUT_CASES: BadInputCase[] = [
  // migrate
  c('migrate', 'database-url', 'missing database URL', { 'database-url': '' }),
  c('migrate', 'database-url', 'a MySQL URL', { 'database-url': 'mysql://app:pw@db:3306/shop' }),
  c('migrate', 'database-url', 'host:port instead of a URL', { 'database-url': 'localhost:5432' }),
  c('migrate', 'database-url', 'a Neon -pooler host', { 'database-url': 'postgres://app:pw@ep-x-123-pooler.us-east-2.aws.neon.tech/shop' }),
  c('migrate', 'database-url', "Supabase's transaction pooler port", { 'database-url': 'postgres://app:pw@db.abc.supabase.co:6543/postgres' }),
  c('migrate', 'database-url', 'pgbouncer=true', { 'database-url': 'postgres://app:pw@db:5432/shop?pgbouncer=true' }),
  c('migrate', 'database-url', 'a MongoDB URL without command', { 'database-url': 'mongodb+srv://app:pw@cluster0.x.mongodb.net/shop' }),
  c('migrate', 'migrations-format', 'an unknown migration format', { 'migrations-format': 'flyway' }),
  c('migrate', 'lock-timeout', 'a negative duration', { 'lock-timeout': '-5s' }),
  c('migrate', 'statement-timeout', 'a duration in words', { 'statement-timeout': '5 minutes' }),
  c('migrate', 'lock-wait', 'a malformed duration', { 'lock-wait': 'soon' }),
  c('migrate', 'dry-run', 'a boolean that is not one', { 'dry-run': 'maybe' }),
  c('migrate', 'on-failure', 'an unknown enum value', { 'on-failure': 'retry' }),
  c('migrate', 'backup-id', 'on-failure restore without a backup id', { 'on-failure': 'restore' }),
  c('migrate', 'migrations-dir', 'an unreadable folder', { 'migrations-dir': 'no/such/folder' }),
  c('migrate', 'shadow-database-url', 'the shadow database is the target', { 'shadow-database-url': '$DATABASE_URL' }),
  // preflight
  c('preflight', 'mode', 'an unknown mode', { mode: 'deploy-now' }),
  c('preflight', 'fail-on', 'an unknown fail-on level', { 'fail-on': 'sometimes' }),
  c('preflight', 'audit-level', 'an unknown audit level', { 'audit-level': 'severe' }),
  c('preflight', 'max-connection-usage', 'a percentage above 100', { 'max-connection-usage': '150' }),
  c('preflight', 'max-connection-usage', 'a percentage that is not a number', { 'max-connection-usage': 'most' }),
  c('preflight', 'deploy-window', 'impossible hours', { 'deploy-window': 'Mon-Fri 25:00-26:00 UTC' }),
  c('preflight', 'deploy-window', 'an unknown time zone', { 'deploy-window': 'Tue-Thu 10:00-14:00 Mars/Olympus_Mons' }),
  c('preflight', 'deploy-window', 'an unknown day', { 'deploy-window': 'Moonday 10:00-14:00 UTC' }),
  c('preflight', 'emergency-reason', 'an emergency without a reason', { emergency: 'true' }),
  c('preflight', 'required-env', 'an unknown rule', { 'required-env': 'DATABASE_URL: postgres-url, shiny' }),
  c('preflight', 'migrations-format', 'an unknown migration format', { 'migrations-format': 'liquibase' }),
  c('preflight', 'database-url', 'a database URL that is not one', { 'database-url': 'postgres//app@db/shop' }),
  // backup
  c('backup', 'mode', 'an unknown mode', { mode: 'snapshot' }),
  c('backup', 'verify', 'an unknown verify mode', { verify: 'maybe' }),
  c('backup', 's3-sse', 'an unknown encryption', { 's3-sse': 'AES128' }),
  c('backup', 'retention-days', 'negative retention', { mode: 'prune', 'retention-days': '-1' }),
  c('backup', 'retention-keep-last', 'retention in words', { mode: 'prune', 'retention-keep-last': 'two' }),
  c('backup', 's3-endpoint', 'an endpoint that is not a URL', { 's3-endpoint': 'not a url' }),
  c('backup', 'database-url', 'a pooled URL', { 'database-url': 'postgres://app:pw@db.abc.supabase.co:6543/postgres' }),
  c('backup', 's3-bucket', 'no bucket', { 's3-bucket': '' }),
  c('backup', 'safety-snapshot', 'a boolean that is not one', { 'safety-snapshot': 'usually' }),
  // deploy
  c('deploy', 'mode', 'an unknown mode', { mode: 'ftp' }),
  c('deploy', 'timeout', 'a duration in words', { timeout: '30 minutes' }),
  c('deploy', 'vercel-token', 'no token', { 'vercel-token': '' }),
  c('deploy', 'vercel-project-id', 'no project', { 'vercel-project-id': '' }),
  c('deploy', 'vercel-api-url', 'an API URL with another protocol', { 'vercel-api-url': 'ftp://api.vercel.com' }),
  c('deploy', 'env', 'an env line without =', { env: 'GIT_SHA_ONLY' }),
  c('deploy', 'staged', 'a boolean that is not one', { staged: 'perhaps' }),
  // verify
  c('verify', 'url', 'no URL', { url: '' }),
  c('verify', 'url', 'a URL without a scheme', { url: 'localhost:3000' }),
  c('verify', 'samples', 'a negative sample count', { samples: '-3' }),
  c('verify', 'concurrency', 'concurrency in words', { concurrency: 'many' }),
  c('verify', 'max-error-rate', 'an error rate above 1', { 'max-error-rate': '2' }),
  c('verify', 'max-p95-ms', 'a negative latency limit', { 'max-p95-ms': '-1' }),
  c('verify', 'wait-timeout', 'a malformed duration', { 'wait-timeout': 'forever' }),
  c('verify', 'checks', 'malformed YAML checks', { checks: '- name: home\n  path: [unclosed' }),
  c('verify', 'checks', 'checks that are not a list of checks', { checks: 'just a string' }),
  // notify
  c('notify', 'status', 'an unknown status', { status: 'done' }),
  c('notify', 'slack-webhook-url', 'a webhook without a scheme', { 'slack-webhook-url': 'hooks.slack.com/services/T0/B0/X' }),
  c('notify', 'slack-channel', 'a Slack token without a channel', { 'slack-token': 'xoxb-1234567890-abcdef' }),
  c('notify', 'stages', 'stages that are not JSON', { stages: '{not json' }),
  c('notify', 'fail-on-error', 'a boolean that is not one', { 'fail-on-error': 'yes please' }),
];

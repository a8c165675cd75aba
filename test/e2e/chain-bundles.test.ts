/**
 * deploy.yml run by the local workflow runner on the real bundles: real PostgreSQL, s3rver, the Vercel and Slack
 * stand-ins and a local app that serves the deployed version. Scaffolding for the end-to-end test (the lead
 * coordinates its scenarios): the happy path, a verify failure with automatic app rollback, a destructive
 * migration blocked by preflight, and a failing migration.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { readFileSync } from 'node:fs';
import { createDatabase, query, ENV, type TestDatabase } from '../support/postgres.js';
import { startS3, type S3Server } from '../support/s3.js';
import { startVercelStandin, type VercelStandin } from '../support/vercel-standin.js';
import { startSlackStandin, type SlackStandin } from '../support/slack-standin.js';
import { startSampleApp, type SampleApp } from '../support/sample-app.js';
import { githubContext } from '../support/bundle.js';
import { bundleStages, runWorkflow as run0, type StepRecord, type RunContext, type RunOptions } from './workflow-runner.js';
import { startEnvironmentsApi } from '../workflows/helpers.js';

const doc = YAML.parse(readFileSync('.github/workflows/deploy.yml', 'utf8'));
const SHA = githubContext().GITHUB_SHA;
const BUCKET = 'e2e-backups';

let s3: S3Server;
let vercel: VercelStandin;
let slack: SlackStandin;
let app: SampleApp;
let db: TestDatabase;
let cwd: string;
let api: Awaited<ReturnType<typeof startEnvironmentsApi>>;
/** runWorkflow with the GitHub environments stand-in the guard asks whether the environment exists. */
const runWorkflow = (workflow: any, context: RunContext, opts: RunOptions) =>
  run0(workflow, { ...context, github: { token: api.token } }, { ...opts, env: { ...api.env, ...(opts.env ?? {}) } });

beforeAll(async () => {
  [s3, vercel, slack, app, db] = await Promise.all([startS3(), startVercelStandin(), startSlackStandin(), startSampleApp({ version: 'old-version-0000' }), createDatabase('e2e_chain')]);
  await s3.createBucket(BUCKET);
  api = await startEnvironmentsApi({ production: { reviewers: true } });
  await query(db.url, 'create table items (id bigserial primary key, name text not null); insert into items (name) select $$i$$ || g from generate_series(1, 100) g;');
  vercel.seedDeployment({ id: 'dpl_previous', target: 'production', makeProduction: true, projectId: 'prj_shipgate' });
  cwd = callerRepo({ '001_add_sku.sql': 'alter table items add column sku text;\n' });
});

const repos: string[] = [];
/** A caller's checkout with these migrations under db/migrations. */
function callerRepo(migrations: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-e2e-'));
  mkdirSync(join(dir, 'db', 'migrations'), { recursive: true });
  for (const [name, sql] of Object.entries(migrations)) writeFileSync(join(dir, 'db', 'migrations', name), sql);
  repos.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all([s3?.stop(), vercel?.close(), slack?.close(), app?.close(), db?.drop(), api?.stub.close()]);
  for (const dir of repos) rmSync(dir, { recursive: true, force: true });
});

function runner(onDeploy: () => void, repo = cwd) {
  return bundleStages({
    cwd: repo,
    context: githubContext({ GITHUB_WORKSPACE: repo }),
    env: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: s3.region, PATH: `${process.env[ENV.bin]}:${process.env.PATH}` },
    // Vercel answers with https://<host>.vercel.app; the deployed app is the local sample app.
    mapInputs: (stage, inputs) => {
      if (stage === 'deploy' && inputs.mode === 'git') onDeploy();
      return stage === 'verify' ? { ...inputs, url: app.url, 'wait-timeout': '10s', samples: '10' } : inputs;
    },
  });
}

const inputs = {
  environment: 'production',
  'install-command': 'true',
  'test-command': 'true',
  'audit-level': 'none',
  'migrations-dir': 'db/migrations',
  'migrations-format': 'sql',
  's3-bucket': BUCKET,
  's3-endpoint': '',
  'vercel-project-id': 'prj_shipgate',
  'vercel-api-url': '',
};

const line = (s: StepRecord) => `${s.job}/${s.id ?? s.name}:${s.outcome}`;

test('happy path: every stage runs from its bundle with deploy.yml\'s wiring', async () => {
  const r = await runWorkflow(
    doc,
    { inputs: { ...inputs, 's3-endpoint': s3.endpoint, 'vercel-api-url': vercel.url }, secrets: { DATABASE_URL: db.url, VERCEL_TOKEN: vercel.token, SLACK_WEBHOOK_URL: slack.webhookUrl } },
    { runStage: runner(() => app.setVersion(SHA)), cwd },
  );
  const failed = r.steps.filter((s) => s.outcome === 'failure').map((s) => `${line(s)}\n${s.run?.stdout ?? ''}${s.run?.stderr ?? ''}`);
  expect(failed).toEqual([]);
  expect(r.steps.filter((s) => s.kind === 'stage').map(line)).toEqual([
    'preflight/preflight:success',
    'release/backup:success',
    'release/migrate:success',
    'release/deploy:success',
    'release/verify:success',
    'release/rollback-app:skipped',
    'release/restore:skipped',
    'notify/notify:success',
  ]);
  expect(r.outputs.decision).toBe('ok');
  expect(r.steps.filter((s) => s.kind === 'stage' && s.outcome !== 'skipped').every((s) => (s.run?.durationMs ?? -1) >= 0)).toBe(true);
  expect(r.jobs.release.outputs).toMatchObject({ 'applied-count': '1', 'migrate-status': 'applied', 'previous-deployment-id': 'dpl_previous', healthy: 'true' });
  expect(r.outputs['backup-id']).toMatch(/^\d{8}T\d{6}Z-0123456-4242$/);
  const record = JSON.parse((await s3.getObject(BUCKET, r.outputs['run-record-uri'].replace(`s3://${BUCKET}/`, ''))).toString());
  expect(record).toMatchObject({ status: 'success', backup: { id: r.outputs['backup-id'] }, deployment: { id: r.outputs['deployment-id'], previousId: 'dpl_previous' }, verify: { decision: 'ok' } });
  expect(record.migrations.applied).toBe(1);
  expect(await query(db.url, "select count(*)::int as n from information_schema.columns where table_name = 'items' and column_name = 'sku'")).toEqual([{ n: 1 }]);
  expect((await s3.listKeys(BUCKET)).some((k) => k.endsWith(`.json`) && k.includes('/production/runs/'))).toBe(true);
  expect(slack.state.webhookPosts.length).toBeGreaterThan(0);
}, 120_000);

test('verify fails: automatic app rollback to the deployment it replaced, the database kept, a notice with the decision', async () => {
  const before = vercel.state.production.get('prj_shipgate');
  expect(before).toEqual(expect.any(String));
  const r = await runWorkflow(
    doc,
    { inputs: { ...inputs, 's3-endpoint': s3.endpoint, 'vercel-api-url': vercel.url, 'max-error-rate': '0.01' }, secrets: { DATABASE_URL: db.url, VERCEL_TOKEN: vercel.token, SLACK_WEBHOOK_URL: slack.webhookUrl } },
    {
      runStage: runner(() => {
        app.setVersion(SHA);
        app.setErrorRate(0.5);
      }),
      cwd,
    },
  );
  expect(r.steps.filter((s) => s.kind === 'stage').map(line)).toEqual([
    'preflight/preflight:success',
    'release/backup:success',
    'release/migrate:success',
    'release/deploy:success',
    'release/verify:failure',
    'release/rollback-app:success',
    'release/restore:skipped',
    'notify/notify:success',
  ]);
  expect(r.jobs.release.result).toBe('failure');
  expect(r.outputs.decision).toBe('rollback-app');
  expect(vercel.state.rollbacks.map((x) => x.deploymentId)).toEqual([before]);
  expect(vercel.state.production.get('prj_shipgate')).toBe(before);
  const record = JSON.parse((await s3.getObject(BUCKET, r.outputs['run-record-uri'].replace(`s3://${BUCKET}/`, ''))).toString());
  expect(record).toMatchObject({ status: 'failure', verify: { decision: 'rollback-app' } });
  const last = slack.state.webhookPosts[slack.state.webhookPosts.length - 1]!.payload as { text: string };
  expect(JSON.stringify(last)).toContain('rollback-app');
}, 120_000);

const columns = async () => (await query<{ column_name: string }>(db.url, "select column_name from information_schema.columns where table_name = 'items' order by ordinal_position")).map((c) => c.column_name);
const secrets = () => ({ DATABASE_URL: db.url, VERCEL_TOKEN: vercel.token, SLACK_WEBHOOK_URL: slack.webhookUrl });

test('a destructive migration is blocked by preflight: no backup, no migration, no deploy, a failure notice', async () => {
  const repo = callerRepo({ '001_add_sku.sql': 'alter table items add column sku text;\n', '002_drop_name.sql': 'alter table items drop column name;\n' });
  const columnsBefore = await columns();
  const keysBefore = await s3.listKeys(BUCKET);
  const deploymentsBefore = vercel.state.deployments.size;
  const r = await runWorkflow(doc, { inputs: { ...inputs, 's3-endpoint': s3.endpoint, 'vercel-api-url': vercel.url }, secrets: secrets() }, { runStage: runner(() => undefined, repo), cwd: repo });
  expect(r.jobs.preflight.result).toBe('failure');
  expect(r.jobs.release.result).toBe('skipped');
  expect(r.approvals).toEqual([]);
  expect(r.steps.filter((s) => s.kind === 'stage' && s.outcome !== 'skipped').map(line)).toEqual(['preflight/preflight:failure', 'notify/notify:success']);
  expect(r.jobs.preflight.outputs.destructive).toBe('true');
  expect(await columns()).toEqual(columnsBefore);
  expect(vercel.state.deployments.size).toBe(deploymentsBefore);
  const newKeys = (await s3.listKeys(BUCKET)).filter((k) => !keysBefore.includes(k));
  expect(newKeys.filter((k) => !k.includes('/runs/'))).toEqual([]);
  const record = JSON.parse((await s3.getObject(BUCKET, r.outputs['run-record-uri'].replace(`s3://${BUCKET}/`, ''))).toString());
  expect(record.status).toBe('failure');
}, 120_000);

test('a failing migration: the database is unchanged, nothing is deployed, a failure notice', async () => {
  const repo = callerRepo({ '001_add_sku.sql': 'alter table items add column sku text;\n', '002_broken.sql': 'alter table items add column price int;\nupdate items set price = 1 / 0;\n' });
  const columnsBefore = await columns();
  const deploymentsBefore = vercel.state.deployments.size;
  const r = await runWorkflow(doc, { inputs: { ...inputs, 's3-endpoint': s3.endpoint, 'vercel-api-url': vercel.url }, secrets: secrets() }, { runStage: runner(() => undefined, repo), cwd: repo });
  expect(r.steps.filter((s) => s.kind === 'stage' && s.outcome !== 'skipped').map(line)).toEqual([
    'preflight/preflight:success',
    'release/backup:success',
    'release/migrate:failure',
    'notify/notify:success',
  ]);
  expect(r.jobs.release.outputs['migrate-status']).toBe('failed');
  expect(await columns()).toEqual(columnsBefore);
  expect(vercel.state.deployments.size).toBe(deploymentsBefore);
  const record = JSON.parse((await s3.getObject(BUCKET, r.outputs['run-record-uri'].replace(`s3://${BUCKET}/`, ''))).toString());
  expect(record).toMatchObject({ status: 'failure', backup: { id: r.outputs['backup-id'] } });
}, 120_000);

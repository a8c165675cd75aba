/**
 * Secret leaks (issue 9): every stage runs with sentinel secrets — the test cluster's database password
 * `p!'()*@:/%w0rd`, a Vercel token, a Slack webhook URL and bot token, a GitHub token, a Vercel protection
 * bypass secret — and nothing any run produced may hold one in raw, URL-encoded (both styles) or base64 form:
 * stdout, stderr (the runner's add-mask commands aside), step summaries, outputs, the Slack, GitHub and Vercel
 * payloads, the backup manifest and the run record.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { PG_PASSWORD, createDatabase, query, ENV, type TestDatabase } from '../support/postgres.js';
import { startS3, type S3Server } from '../support/s3.js';
import { startVercelStandin, type VercelStandin } from '../support/vercel-standin.js';
import { startSlackStandin, type SlackStandin } from '../support/slack-standin.js';
import { startGithubStandin, type GithubStandin } from '../support/github-standin.js';
import { startSampleApp, type SampleApp } from '../support/sample-app.js';
import { githubContext, runStageBundle, visibleLines, type BundleResult } from '../support/bundle.js';
import { secretForms, urlSecretForms } from '../../src/lib/secrets.js';
import { runWorkflow, type StageRunner } from '../e2e/workflow-runner.js';
import { SENTINELS } from './secret-leaks.cases.js';


const BUCKET = 'leak-backups';
const SHA = githubContext().GITHUB_SHA;
let s3: S3Server;
let vercel: VercelStandin;
let slack: SlackStandin;
let gh: GithubStandin;
let app: SampleApp;
let db: TestDatabase;
let repo: string;
const runs: { label: string; result: BundleResult }[] = [];

beforeAll(async () => {
  [s3, vercel, slack, gh, app, db] = await Promise.all([
    startS3(),
    startVercelStandin({ token: SENTINELS.vercelToken }),
    startSlackStandin({ token: SENTINELS.slackBotToken, webhookPath: SENTINELS.slackWebhookPath }),
    startGithubStandin({ token: SENTINELS.githubToken }),
    startSampleApp({ version: 'old-version-0000' }),
    createDatabase('leaks'),
  ]);
  await s3.createBucket(BUCKET);
  app.requireBypass(SENTINELS.bypass);
  // The deploy workflow's guard asks GitHub whether the environment exists and is protected.
  gh.stub.route('GET', '/repos/:owner/:repo/environments/:name', (req) =>
    req.headers.authorization === `Bearer ${SENTINELS.githubToken}`
      ? { status: 200, body: { name: req.params.name, protection_rules: [{ id: 1, type: 'required_reviewers', reviewers: [] }] } }
      : { status: 403, body: { message: 'Resource not accessible by integration' } },
  );
  await query(db.url, 'create table items (id bigserial primary key, name text not null); insert into items (name) select $$i$$ || g from generate_series(1, 50) g;');
  vercel.seedDeployment({ id: 'dpl_leakprevious', target: 'production', makeProduction: true, projectId: 'prj_shipgate' });
  repo = mkdtempSync(join(tmpdir(), 'shipgate-leaks-'));
  mkdirSync(join(repo, 'db', 'migrations'), { recursive: true });
  writeFileSync(join(repo, 'db', 'migrations', '001_add_sku.sql'), 'alter table items add column sku text;\n');
});

afterAll(async () => {
  await Promise.all([s3?.stop(), vercel?.close(), slack?.close(), gh?.close(), app?.close(), db?.drop()]);
  rmSync(repo, { recursive: true, force: true });
});

const env = () => ({ AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: s3.region, GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: 'acme/shop', PATH: `${process.env[ENV.bin]}:${process.env.PATH}` });
const context = () => githubContext({ GITHUB_WORKSPACE: repo, GITHUB_API_URL: gh.url });

async function stage(label: string, name: Parameters<typeof runStageBundle>[0], inputs: Record<string, string>, extra: Record<string, string> = {}): Promise<BundleResult> {
  const result = await runStageBundle(name, inputs, { env: { ...env(), ...extra }, cwd: repo, context: context() });
  runs.push({ label, result });
  return result;
}

/** Every form of every sentinel. */
function forms(): string[] {
  const all = new Set<string>();
  for (const f of urlSecretForms(db.url)) all.add(f);
  for (const s of [PG_PASSWORD, SENTINELS.vercelToken, SENTINELS.slackBotToken, SENTINELS.githubToken, SENTINELS.bypass, slack.webhookUrl, SENTINELS.slackWebhookPath]) for (const f of secretForms(s)) all.add(f);
  return [...all];
}

describe('secret leaks', () => {
  test('deploy.yml end to end on the bundles with sentinel secrets', async () => {
    const doc = YAML.parse(readFileSync('.github/workflows/deploy.yml', 'utf8'));
    const runStage: StageRunner = async (name, inputs, stepEnv) => {
      if (name === 'deploy' && inputs.mode === 'git') app.setVersion(SHA);
      const mapped = name === 'verify' ? { ...inputs, url: app.url, 'wait-timeout': '10s', samples: '10' } : inputs;
      const r = await stage(`deploy.yml ${name}${inputs.mode ? ` ${inputs.mode}` : ''}`, name as never, mapped, stepEnv);
      return { code: r.code, outputs: r.outputs, summary: r.summary, stdout: r.stdout, stderr: r.stderr };
    };
    const r = await runWorkflow(
      doc,
      {
        inputs: { environment: 'production', 'install-command': 'true', 'test-command': 'true', 'audit-level': 'none', 'migrations-dir': 'db/migrations', 's3-bucket': BUCKET, 's3-endpoint': s3.endpoint, 'vercel-project-id': 'prj_shipgate', 'vercel-api-url': vercel.url, 'slack-api-url': slack.url, 'slack-channel': 'C0DEPLOYS' },
        secrets: { DATABASE_URL: db.url, VERCEL_TOKEN: SENTINELS.vercelToken, SLACK_BOT_TOKEN: SENTINELS.slackBotToken, VERCEL_AUTOMATION_BYPASS_SECRET: SENTINELS.bypass },
        github: { token: SENTINELS.githubToken },
      },
      { runStage, cwd: repo, env: env() },
    );
    const failed = r.steps.filter((x) => x.outcome === 'failure').map((x) => `${x.job}/${x.id ?? x.name}: ${x.run?.stdout ?? ''}${x.run?.stderr ?? ''}`);
    expect(failed).toEqual([]);
    expect(r.outputs.decision).toBe('ok');
    expect(runs.map((x) => x.label)).toEqual(expect.arrayContaining(['deploy.yml preflight deploy', 'deploy.yml backup backup', 'deploy.yml migrate', 'deploy.yml deploy git', 'deploy.yml verify', 'deploy.yml notify']));
    // The bypass secret really was needed and sent.
    expect(app.stub.requests.some((q) => q.headers['x-vercel-protection-bypass'] === SENTINELS.bypass)).toBe(true);
  }, 180_000);

  test('the GitHub payload paths: PR comment, deployment record and status, Slack webhook', async () => {
    const event = join(repo, 'event.json');
    writeFileSync(event, JSON.stringify({ pull_request: { number: 7, base: { ref: 'main' } } }));
    const pr = await stage('preflight pr', 'preflight', { mode: 'pr', 'database-url': db.url, 'migrations-dir': 'db/migrations', 'github-token': SENTINELS.githubToken, 'audit-level': 'none' }, { GITHUB_EVENT_PATH: event, GITHUB_EVENT_NAME: 'pull_request' });
    expect(pr.code).toBe(0);
    expect(gh.commentsOn('acme', 'shop', 7)).toHaveLength(1);
    const dep = await stage('deploy with a GitHub deployment', 'deploy', { 'vercel-token': SENTINELS.vercelToken, 'vercel-project-id': 'prj_shipgate', 'vercel-api-url': vercel.url, target: 'preview', 'github-token': SENTINELS.githubToken, 'github-deployment': 'true' });
    expect(dep.code).toBe(0);
    expect(dep.outputs['github-deployment-id']).toMatch(/^\d+$/);
    const note = await stage('notify webhook + GitHub status', 'notify', {
      status: 'success',
      stages: JSON.stringify({ deploy: { result: 'success', outputs: dep.outputs } }),
      'slack-webhook-url': slack.webhookUrl,
      'github-token': SENTINELS.githubToken,
      'github-deployment-id': dep.outputs['github-deployment-id'],
      'run-record-bucket': BUCKET,
      's3-endpoint': s3.endpoint,
    });
    expect(note.code).toBe(0);
    expect([...gh.state.deploymentStatuses.values()].flat().map((x) => x.state)).toContain('success');
    expect(slack.state.webhookPosts.length).toBeGreaterThan(0);
  }, 120_000);

  test('zero occurrences of any form of any sentinel in logs, summaries, outputs, payloads, manifests and run records', async () => {
    const places: { where: string; text: string }[] = [];
    for (const { label, result } of runs) {
      places.push({ where: `${label}: log`, text: visibleLines(result).join('\n') });
      places.push({ where: `${label}: summary`, text: result.summary });
      places.push({ where: `${label}: outputs`, text: JSON.stringify(result.outputs) });
    }
    for (const q of slack.stub.requests) places.push({ where: `Slack ${q.method} ${q.path === SENTINELS.slackWebhookPath ? '(webhook)' : q.path}: payload`, text: q.bodyText });
    for (const q of gh.stub.requests) places.push({ where: `GitHub ${q.method} ${q.path}: payload`, text: `${q.path}?${new URLSearchParams(q.query)}\n${q.bodyText}` });
    for (const q of vercel.stub.requests) places.push({ where: `Vercel ${q.method} ${q.path}: payload`, text: `${q.path}?${new URLSearchParams(q.query)}\n${q.bodyText}` });
    for (const key of await s3.listKeys(BUCKET)) {
      if (key.endsWith('.json')) places.push({ where: `s3://${BUCKET}/${key}`, text: (await s3.getObject(BUCKET, key)).toString('utf8') });
    }
    expect(places.filter((p) => p.where.includes('manifest.json')).length).toBeGreaterThan(0);
    expect(places.filter((p) => p.where.includes('/runs/')).length).toBeGreaterThan(0);
    expect(runs.length).toBeGreaterThanOrEqual(9);
    const all = forms();
    const leaks = places.flatMap((p) => all.filter((f) => p.text.includes(f)).map((f) => `${p.where}: ${f}`));
    expect(leaks).toEqual([]);
  });
});

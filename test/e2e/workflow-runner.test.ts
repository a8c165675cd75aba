/**
 * deploy.yml followed by the local workflow runner with a recording stage runner: which stages run, in what
 * order, with which inputs wired from which outputs, for the scenarios of the end-to-end test. The stages here
 * answer with fixed outputs (their behaviour is tested in test/<stage>/ through the real bundles); what is under
 * test is the workflow: its jobs, conditions, approvals and wiring. The end-to-end test swaps in the real bundles.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { runWorkflow, type StageRun, type RunOptions, type RunContext } from './workflow-runner.js';
import { startEnvironmentsApi } from '../workflows/helpers.js';
import { deriveStatus, normaliseStages, stageFacts } from '../../src/notify/stages.js';

/** What notify makes of the stages JSON the workflow hands it (notify's own parser). */
function notifyView(stagesJson: string, decision?: string) {
  const stages = normaliseStages(JSON.parse(stagesJson));
  return { names: stages.map((s) => `${s.name}:${s.result}`), facts: stageFacts(stages), status: deriveStatus(stages, decision) };
}

const doc = YAML.parse(readFileSync('.github/workflows/deploy.yml', 'utf8'));
const SECRETS = { DATABASE_URL: "postgres://app:p!'()*@:/%w0rd@127.0.0.1:5432/shop", VERCEL_TOKEN: 'vercel-token-1234567890' };
const BASE_INPUTS = { environment: 'production', 's3-bucket': 'backups', 'vercel-project-id': 'prj_1', 'install-command': 'true', 'test-command': 'touch tested' };

interface Call {
  stage: string;
  inputs: Record<string, string>;
}

/** A stage runner answering from a table, recording every call. */
function fakeStages(answers: Partial<Record<string, (inputs: Record<string, string>) => StageRun>> = {}) {
  const calls: Call[] = [];
  const defaults: Record<string, (inputs: Record<string, string>) => StageRun> = {
    preflight: () => ({ code: 0, outputs: { ok: 'true', 'pending-migrations': '["002_add_sku"]', destructive: 'false', 'blocked-reason': '' } }),
    backup: (i): StageRun => (i.mode === 'restore' ? { code: 0, outputs: { 'backup-id': 'snap-1', 'restored-from': i['backup-id'] } } : { code: 0, outputs: { 'backup-id': 'bk-1', 'backup-uri': 's3://backups/bk-1.dump', 'manifest-uri': 's3://backups/bk-1.json' } }),
    migrate: () => ({ code: 0, outputs: { applied: '["002_add_sku"]', 'applied-count': '1', status: 'applied' } }),
    deploy: (i): StageRun => (i.mode === 'rollback' ? { code: 0, outputs: { 'deployment-id': i['deployment-id'], url: 'https://old.example' } } : { code: 0, outputs: { 'deployment-id': 'dpl_new', url: 'https://new.example', 'previous-deployment-id': 'dpl_old' } }),
    verify: () => ({ code: 0, outputs: { decision: 'ok', healthy: 'true', 'p95-ms': '42', 'error-rate': '0' } }),
    notify: () => ({ code: 0, outputs: { 'run-record-uri': 's3://backups/runs/1.json' } }),
  };
  return {
    calls,
    runStage: async (stage: string, inputs: Record<string, string>): Promise<StageRun> => {
      calls.push({ stage, inputs });
      return (answers[stage] ?? defaults[stage])(inputs);
    },
    order: () => calls.map((c) => (c.inputs.mode && c.inputs.mode !== 'deploy' && c.inputs.mode !== 'git' && c.inputs.mode !== 'backup' ? `${c.stage}:${c.inputs.mode}` : c.stage)),
    call: (stage: string, mode?: string) => calls.find((c) => c.stage === stage && (mode === undefined || c.inputs.mode === mode))!,
  };
}

let cwd: string;
let api: Awaited<ReturnType<typeof startEnvironmentsApi>>;
beforeAll(async () => {
  api = await startEnvironmentsApi({ production: { reviewers: true }, 'production-emergency': { reviewers: true }, staging: { reviewers: false } });
});
afterAll(async () => {
  await api?.stub.close();
});
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'shipgate-caller-'));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

/** runWorkflow with the GitHub environments stand-in (the guard looks the environment up) and the caller's checkout. */
const go = (workflow: any, context: RunContext, opts: Omit<RunOptions, 'cwd'>) =>
  runWorkflow(workflow, { ...context, github: { token: api.token, ...(context.github ?? {}) } }, { cwd, ...opts, env: { ...api.env, ...(opts.env ?? {}) } });
const run = (stages: ReturnType<typeof fakeStages>, inputs: Record<string, unknown> = {}) => go(doc, { inputs: { ...BASE_INPUTS, ...inputs }, secrets: SECRETS }, { runStage: stages.runStage });

test('happy path: guard, preflight, the caller\'s tests, one approval, backup -> migrate -> deploy -> verify, notify', async () => {
  const stages = fakeStages();
  const r = await run(stages);
  expect(Object.fromEntries(Object.entries(r.jobs).map(([k, j]) => [k, j.result]))).toEqual({ guard: 'success', preflight: 'success', tests: 'success', release: 'success', notify: 'success' });
  expect(existsSync(join(cwd, 'tested'))).toBe(true);
  expect(r.approvals).toEqual(['production']);
  expect(stages.order()).toEqual(['preflight', 'backup', 'migrate', 'deploy', 'verify', 'notify']);
  expect(stages.call('preflight').inputs).toMatchObject({ mode: 'deploy', emergency: 'false', 'database-url': SECRETS.DATABASE_URL });
  expect(stages.call('migrate').inputs).toMatchObject({ 'backup-id': 'bk-1', environment: 'production', 's3-bucket': 'backups', 's3-prefix': 'shipgate' });
  expect(stages.call('deploy').inputs).toMatchObject({ mode: 'git', target: 'production', 'github-deployment': 'false' });
  expect(stages.call('verify').inputs).toMatchObject({ url: 'https://new.example', 'deployment-id': 'dpl_new', 'migrations-applied': '1' });
  const notify = stages.call('notify').inputs;
  expect(notify).toMatchObject({ decision: 'ok', 'deployment-url': 'https://new.example', emergency: 'false', 'run-record-bucket': 'backups' });
  const view = notifyView(notify.stages, notify.decision);
  expect(view.names).toEqual(['guard:success', 'preflight:success', 'tests:success', 'release:success', 'backup:success', 'migrate:success', 'deploy:success', 'verify:success']);
  expect(view.facts).toMatchObject({ backupId: 'bk-1', backupUri: 's3://backups/bk-1.dump', migrationsApplied: 1, deploymentId: 'dpl_new', previousDeploymentId: 'dpl_old', verifyDecision: 'ok' });
  expect(view.status).toBe('success');
  expect(r.outputs).toMatchObject({ decision: 'ok', 'backup-id': 'bk-1', url: 'https://new.example', 'run-record-uri': 's3://backups/runs/1.json' });
});

test('a MongoDB URL goes to backup and migrate (with migrate-command) but not to preflight, which checks PostgreSQL only', async () => {
  const stages = fakeStages();
  const mongo = 'mongodb+srv://app:s3cret@cluster0.example.mongodb.net/shop';
  await go(doc, { inputs: { ...BASE_INPUTS, 'migrate-command': 'true' }, secrets: { ...SECRETS, DATABASE_URL: mongo } }, { runStage: stages.runStage });
  expect(stages.call('preflight').inputs['database-url']).toBe('');
  expect(stages.call('backup').inputs['database-url']).toBe(mongo);
  expect(stages.call('migrate').inputs).toMatchObject({ 'database-url': mongo, command: 'true' });
});

test('a destructive migration blocked by preflight: no backup, no migration, no deploy; notify tells', async () => {
  const stages = fakeStages({ preflight: () => ({ code: 1, outputs: { ok: 'false', destructive: 'true', 'blocked-reason': 'destructive: DROP COLUMN' } }) });
  const r = await run(stages);
  expect(r.jobs.preflight.result).toBe('failure');
  expect(r.jobs.tests.result).toBe('skipped');
  expect(r.jobs.release.result).toBe('skipped');
  expect(r.approvals).toEqual([]);
  expect(stages.order()).toEqual(['preflight', 'notify']);
  expect(JSON.parse(stages.call('notify').inputs.stages).preflight).toMatchObject({ result: 'failure', outputs: { 'blocked-reason': 'destructive: DROP COLUMN' } });
  expect(notifyView(stages.call('notify').inputs.stages).status).toBe('failure');
});

test('preflight answering ok=false without failing still stops the run', async () => {
  const stages = fakeStages({ preflight: () => ({ code: 0, outputs: { ok: 'false', 'blocked-reason': 'deploy window' } }) });
  const r = await run(stages);
  expect(r.jobs.preflight.result).toBe('failure');
  expect(r.jobs.preflight.steps.find((s) => s.name === 'Stop when a gate is closed')?.run?.stdout).toContain('The deploy is blocked: deploy window');
  expect(stages.order()).toEqual(['preflight', 'notify']);
});

test('a failing migration: no deploy, no verify; notify tells with the release failure', async () => {
  const stages = fakeStages({ migrate: () => ({ code: 1, outputs: { status: 'failed', 'applied-count': '0' } }) });
  const r = await run(stages);
  expect(r.jobs.release.result).toBe('failure');
  expect(stages.order()).toEqual(['preflight', 'backup', 'migrate', 'notify']);
  const view = notifyView(stages.call('notify').inputs.stages);
  expect(view.names).toEqual(['guard:success', 'preflight:success', 'tests:success', 'release:failure', 'backup:success', 'migrate:failure', 'deploy:skipped', 'verify:skipped']);
  expect(view.status).toBe('failure');
  expect(view.facts.backupId).toBe('bk-1');
});

test('verify decides rollback-app: the app goes back to the previous deployment, the database stays, the run fails', async () => {
  const stages = fakeStages({ verify: () => ({ code: 1, outputs: { decision: 'rollback-app', healthy: 'false' } }) });
  const r = await run(stages);
  expect(stages.order()).toEqual(['preflight', 'backup', 'migrate', 'deploy', 'verify', 'deploy:rollback', 'notify']);
  expect(stages.call('deploy', 'rollback').inputs).toMatchObject({ 'deployment-id': 'dpl_old', target: 'production' });
  expect(r.jobs.release.result).toBe('failure');
  expect(r.jobs.release.outputs['rolled-back-to']).toBe('dpl_old');
  expect(stages.call('notify').inputs.decision).toBe('rollback-app');
  const view = notifyView(stages.call('notify').inputs.stages, 'rollback-app');
  expect(view.names).toContain('rollback-app:success');
  expect(view.names).not.toContain('restore:skipped');
  expect(view.facts).toMatchObject({ deploymentId: 'dpl_new', verifyDecision: 'rollback-app' });
  expect(view.status).toBe('failure');
});

test('rollback-full restores the database only when the caller allowed it', async () => {
  const verify = () => ({ code: 1, outputs: { decision: 'rollback-full', healthy: 'false' } });
  const notAllowed = fakeStages({ verify });
  await run(notAllowed);
  expect(notAllowed.order()).toEqual(['preflight', 'backup', 'migrate', 'deploy', 'verify', 'deploy:rollback', 'notify']);

  const allowed = fakeStages({ verify });
  const r = await run(allowed, { 'restore-database-on-rollback': true, 'database-name': 'shop' });
  expect(allowed.order()).toEqual(['preflight', 'backup', 'migrate', 'deploy', 'verify', 'deploy:rollback', 'backup:restore', 'notify']);
  expect(allowed.call('backup', 'restore').inputs).toMatchObject({ 'backup-id': 'bk-1', confirm: 'shop', 'safety-snapshot': 'true' });
  expect(r.jobs.release.outputs).toMatchObject({ 'restored-from': 'bk-1', 'safety-snapshot-id': 'snap-1' });
});

test('the emergency path: tests skipped, approval on <env>-emergency, preflight told why', async () => {
  const stages = fakeStages();
  const r = await run(stages, { 'skip-tests': true, 'emergency-reason': 'checkout is down' });
  expect(r.jobs.tests.result).toBe('skipped');
  expect(existsSync(join(cwd, 'tested'))).toBe(false);
  expect(r.jobs.release.result).toBe('success');
  expect(r.approvals).toEqual(['production-emergency']);
  expect(stages.call('preflight').inputs).toMatchObject({ emergency: 'true', 'emergency-reason': 'checkout is down' });
  expect(stages.call('notify').inputs).toMatchObject({ emergency: 'true', 'emergency-reason': 'checkout is down' });
});

test('refused requests change nothing: an unknown environment, an emergency without a reason, an allowed environment nobody created, an emergency environment missing, a refused approval', async () => {
  for (const inputs of [{ environment: 'prod' }, { 'skip-tests': true }, { environment: 'qa', environments: 'qa production' }, { environment: 'staging', 'skip-tests': true, 'emergency-reason': 'x' }]) {
    const stages = fakeStages();
    const r = await run(stages, inputs);
    expect(r.jobs.guard.result).toBe('failure');
    expect(r.approvals).toEqual([]);
    expect(stages.order()).toEqual(['notify']);
  }
  const stages = fakeStages();
  const r = await go(doc, { inputs: BASE_INPUTS, secrets: SECRETS }, { runStage: stages.runStage, approve: () => false });
  expect(r.jobs.release.result).toBe('failure');
  expect(stages.order()).toEqual(['preflight', 'notify']);
});

describe('rollback.yml through the runner', () => {
  const rollback = YAML.parse(readFileSync('.github/workflows/rollback.yml', 'utf8'));
  // Ids given, so the run-record step is skipped here (it is tested against s3rver in test/workflows/run-record.test.ts).
  const inputs = { mode: 'full', environment: 'production', reason: 'bad release', 'expect-version': '0123abcd', 'backup-id': 'bk-9', 'deployment-id': 'dpl_8', 'database-name': 'shop', 's3-bucket': 'backups', 'vercel-project-id': 'prj_1' };

  test('full: app rollback, restore (safety snapshot), verify the expected version, notify with the reason', async () => {
    const stages = fakeStages();
    const r = await go(rollback, { inputs, secrets: SECRETS }, { runStage: stages.runStage });
    expect(r.approvals).toEqual(['production']);
    expect(stages.order()).toEqual(['deploy:rollback', 'backup:restore', 'verify', 'notify']);
    expect(stages.call('deploy', 'rollback').inputs['deployment-id']).toBe('dpl_8');
    expect(stages.call('backup', 'restore').inputs).toMatchObject({ 'backup-id': 'bk-9', 'safety-snapshot': 'true', confirm: 'shop' });
    expect(r.jobs.rollback.steps.find((s) => s.id === 'record')?.outcome).toBe('skipped');
    expect(stages.call('verify').inputs).toMatchObject({ url: 'https://old.example', 'expect-version': '0123abcd' });
    expect(stages.call('notify').inputs.version).toBe('0123abcd');
    const notify = stages.call('notify').inputs;
    expect(notify).toMatchObject({ emergency: 'true', 'emergency-reason': 'bad release', title: 'Rollback (full) of production' });
    expect(notifyView(notify.stages).names).toEqual(['guard:success', 'rollback:success', 'rollback-app:success', 'restore:success', 'verify:success']);
    expect(r.outputs).toMatchObject({ 'restored-from': 'bk-9', 'safety-snapshot-id': 'snap-1', decision: 'ok' });
  });

  test('app: no restore; db: no app rollback, verify the given url', async () => {
    const app = fakeStages();
    await go(rollback, { inputs: { ...inputs, mode: 'app' }, secrets: SECRETS }, { runStage: app.runStage });
    expect(app.order()).toEqual(['deploy:rollback', 'verify', 'notify']);
    const db = fakeStages();
    await go(rollback, { inputs: { ...inputs, mode: 'db', url: 'https://shop.example' }, secrets: SECRETS }, { runStage: db.runStage });
    expect(db.order()).toEqual(['backup:restore', 'verify', 'notify']);
    expect(db.call('verify').inputs.url).toBe('https://shop.example');
  });

  test('shares the Stages step with deploy.yml', () => {
    const run = (d: any) => d.jobs.notify.steps.find((s: any) => s.id === 'stages').run;
    expect(run(rollback)).toBe(run(doc));
  });
});

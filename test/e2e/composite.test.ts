/** The root composite action.yml followed by the local runner with recording stages: order, wiring, rollback. */
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { runComposite, type StageRun } from './workflow-runner.js';
import { normaliseStages, stageFacts, deriveStatus } from '../../src/notify/stages.js';

const action = YAML.parse(readFileSync('action.yml', 'utf8'));
const given = { 'database-url': 'postgres://app:pw@127.0.0.1:5432/shop', 's3-bucket': 'backups', 'vercel-token': 'tok', 'vercel-project-id': 'prj_1' };

function stages(decision = 'ok') {
  const calls: Array<{ stage: string; inputs: Record<string, string> }> = [];
  const answer = (stage: string, i: Record<string, string>): StageRun => {
    switch (stage) {
      case 'preflight':
        return { code: 0, outputs: { ok: 'true' } };
      case 'backup':
        return i.mode === 'restore' ? { code: 0, outputs: { 'backup-id': 'snap-1', 'restored-from': i['backup-id'] } } : { code: 0, outputs: { 'backup-id': 'bk-1' } };
      case 'migrate':
        return { code: 0, outputs: { 'applied-count': '2', status: 'applied' } };
      case 'deploy':
        return i.mode === 'rollback' ? { code: 0, outputs: { 'deployment-id': i['deployment-id'] } } : { code: 0, outputs: { 'deployment-id': 'dpl_new', url: 'https://new.example', 'previous-deployment-id': 'dpl_old', 'github-deployment-id': '77' } };
      case 'verify':
        return { code: decision.startsWith('rollback') ? 1 : 0, outputs: { decision } };
      default:
        return { code: 0, outputs: { 'run-record-uri': 's3://backups/r.json' } };
    }
  };
  return {
    calls,
    runStage: async (stage: string, inputs: Record<string, string>) => {
      calls.push({ stage, inputs });
      return answer(stage, inputs);
    },
    order: () => calls.map((c) => (c.inputs.mode === 'rollback' || c.inputs.mode === 'restore' ? `${c.stage}:${c.inputs.mode}` : c.stage)),
  };
}

test('runs the six stages in one job with the runner\'s defaults and the same wiring as deploy.yml', async () => {
  const s = stages();
  const r = await runComposite(action, given, { github: { token: 'ghs_token' } }, { runStage: s.runStage });
  expect(s.order()).toEqual(['preflight', 'backup', 'migrate', 'deploy', 'verify', 'notify']);
  expect(s.calls[0].inputs).toMatchObject({ mode: 'deploy', environment: 'production', 'database-url': given['database-url'] });
  expect(s.calls[2].inputs).toMatchObject({ 'backup-id': 'bk-1', 's3-bucket': 'backups', 's3-prefix': 'shipgate' });
  expect(s.calls[3].inputs).toMatchObject({ target: 'production', 'github-token': 'ghs_token', 'github-deployment': 'true' });
  expect(s.calls[4].inputs).toMatchObject({ url: 'https://new.example', 'migrations-applied': '2', 'health-path': '/api/health' });
  const notify = s.calls[5].inputs;
  expect(notify['github-deployment-id']).toBe('77');
  const parsed = normaliseStages(JSON.parse(notify.stages));
  expect(parsed.map((x) => `${x.name}:${x.result}`)).toEqual(['preflight:success', 'backup:success', 'migrate:success', 'deploy:success', 'verify:success']);
  expect(stageFacts(parsed)).toMatchObject({ backupId: 'bk-1', deploymentId: 'dpl_new', verifyDecision: 'ok', migrationsApplied: 2 });
  expect(deriveStatus(parsed, 'ok')).toBe('success');
  expect(r.result).toBe('success');
  expect(r.outputs).toEqual({ decision: 'ok', url: 'https://new.example', 'deployment-id': 'dpl_new', 'backup-id': 'bk-1', 'applied-count': '2', 'run-record-uri': 's3://backups/r.json' });
});

test('rollback-full: app back to the previous deployment, the database restored only when allowed, the step fails', async () => {
  const plain = stages('rollback-full');
  const r1 = await runComposite(action, given, {}, { runStage: plain.runStage });
  expect(plain.order()).toEqual(['preflight', 'backup', 'migrate', 'deploy', 'verify', 'deploy:rollback', 'notify']);
  expect(r1.result).toBe('failure');

  const allowed = stages('rollback-full');
  const r2 = await runComposite(action, { ...given, 'restore-database-on-rollback': 'true', 'database-name': 'shop' }, {}, { runStage: allowed.runStage });
  expect(allowed.order()).toEqual(['preflight', 'backup', 'migrate', 'deploy', 'verify', 'deploy:rollback', 'backup:restore', 'notify']);
  expect(allowed.calls[6].inputs).toMatchObject({ 'backup-id': 'bk-1', confirm: 'shop', 'safety-snapshot': 'true' });
  expect(r2.steps.find((x) => x.name === 'Fail after a rollback')?.outcome).toBe('failure');
  expect(deriveStatus(normaliseStages(JSON.parse(allowed.calls[7].inputs.stages)), 'rollback-full')).toBe('failure');
});

test('a closed gate stops before the backup; notify still runs', async () => {
  const s = stages();
  const run = s.runStage;
  const r = await runComposite(action, given, {}, { runStage: async (stage, i) => (stage === 'preflight' ? (await run(stage, i), { code: 0, outputs: { ok: 'false', 'blocked-reason': 'deploy window' } }) : run(stage, i)) });
  expect(s.order()).toEqual(['preflight', 'notify']);
  expect(r.result).toBe('failure');
});

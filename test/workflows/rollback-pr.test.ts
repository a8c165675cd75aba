/** rollback.yml and pr-checks.yml: their shape, and their guard and aggregate steps run with real bash. */
import { load, runStep, step } from './helpers.js';

const rollback = load('.github/workflows/rollback.yml');
const pr = load('.github/workflows/pr-checks.yml');

describe('rollback.yml', () => {
  const guard = rollback.jobs.guard.steps[0];
  const values = (over: Record<string, string> = {}) => ({
    'inputs.mode': 'full',
    'inputs.environment': 'production',
    "inputs.environments || 'staging production'": 'staging production',
    'inputs.reason': 'bad release 4242',
    'inputs.expect-version': '0123abcd',
    'inputs.database-name': 'neondb',
    'inputs.url || vars.SHIPGATE_URL': '',
    ...over,
  });

  test('is callable and dispatchable with mode, environment, reason, backup-id, deployment-id', () => {
    expect(Object.keys(rollback.on).sort()).toEqual(['workflow_call', 'workflow_dispatch']);
    for (const t of ['workflow_call', 'workflow_dispatch']) {
      expect(Object.keys(rollback.on[t].inputs)).toEqual(expect.arrayContaining(['mode', 'environment', 'reason', 'backup-id', 'deployment-id']));
      expect(rollback.on[t].inputs.reason.required).toBe(true);
    }
    expect(rollback.on.workflow_dispatch.inputs.mode.options).toEqual(['app', 'db', 'full']);
    expect(rollback.permissions).toEqual({});
    expect(rollback.concurrency.group).toBe('deploy-${{ inputs.environment }}');
  });

  test('rolls the app back, restores with a safety snapshot (default from the run record, else latest), verifies after, notifies always', () => {
    const steps = rollback.jobs.rollback.steps.filter((s: any) => String(s.uses).startsWith('$/')).map((s: any) => s.id);
    expect(steps).toEqual(['rollback-app', 'restore', 'verify']);
    expect(step(rollback, 'rollback', 'rollback-app').with).toMatchObject({ mode: 'rollback', 'deployment-id': '${{ inputs.deployment-id || steps.record.outputs.deployment-id }}' });
    expect(step(rollback, 'rollback', 'restore').with).toMatchObject({ mode: 'restore', 'safety-snapshot': 'true', 'backup-id': "${{ inputs.backup-id || steps.record.outputs.backup-id || 'latest' }}", confirm: '${{ inputs.database-name }}' });
    expect(step(rollback, 'rollback', 'verify').if).toBeUndefined();
    expect(rollback.jobs.rollback.environment.name).toBe('${{ inputs.environment }}');
    expect(rollback.jobs.notify.if).toBe('${{ always() }}');
    expect(step(rollback, 'notify', 'notify').with['run-record-bucket']).toContain('inputs.s3-bucket');
  });

  test('guard accepts a complete request and writes the reason to the summary', () => {
    const r = runStep(guard, values());
    expect(r.code).toBe(0);
    expect(r.summary).toContain('> bad release 4242');
  });

  test.each([
    ['an unknown mode', { 'inputs.mode': 'everything' }, "Input 'mode'"],
    ['an environment off the allowlist', { 'inputs.environment': 'qa' }, "Input 'environment' got \"qa\""],
    ['no reason', { 'inputs.reason': ' ' }, "Input 'reason' got nothing"],
    ['a malformed expected version', { 'inputs.expect-version': 'abc' }, "Input 'expect-version'"],
    ['no database name for a restore', { 'inputs.database-name': '' }, "Input 'database-name' got nothing"],
    ['no url for a db rollback', { 'inputs.mode': 'db' }, "Input 'url' got nothing"],
  ])('guard refuses %s', (_what, over, message) => {
    const r = runStep(guard, values(over));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(message);
  });

  test('an app rollback needs no database name; the expected version may come from the run records', () => {
    expect(runStep(guard, values({ 'inputs.mode': 'app', 'inputs.database-name': '' })).code).toBe(0);
    expect(runStep(guard, values({ 'inputs.expect-version': '' })).code).toBe(0);
  });
});

describe('pr-checks.yml', () => {
  test('runs preflight in pr mode with a token for the comment, and an aggregate job that always runs after every other job', () => {
    expect(Object.keys(pr.on)).toEqual(['workflow_call']);
    expect(step(pr, 'preflight', 'preflight').with).toMatchObject({ mode: 'pr', 'github-token': '${{ github.token }}' });
    expect(pr.jobs.preflight.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    const others = Object.keys(pr.jobs).filter((j) => j !== 'checks');
    expect(pr.jobs.checks.needs).toEqual(others);
    expect(pr.jobs.checks.if).toBe('${{ always() }}');
  });

  const aggregate = pr.jobs.checks.steps[0];
  const results = (r: Record<string, string>) => ({ 'toJSON(needs)': JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, { result: v, outputs: {} }]))) });

  test('the aggregate passes only when every needed job succeeded (real bash + jq)', () => {
    expect(runStep(aggregate, results({ preflight: 'success' })).code).toBe(0);
    for (const bad of ['failure', 'cancelled', 'skipped']) {
      const r = runStep(aggregate, results({ preflight: bad }));
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`preflight: ${bad}`);
    }
  });
});

describe('the composite Stages step (real bash + jq)', () => {
  test('turns the steps context into {stage: {result, outputs}}, leaving out rollback steps that did not run', () => {
    const composite = load('action.yml');
    const stagesStep = composite.runs.steps.find((s: any) => s.id === 'stages');
    const steps = {
      preflight: { outputs: { ok: 'true' }, outcome: 'success', conclusion: 'success' },
      backup: { outputs: { 'backup-id': 'bk-1' }, outcome: 'success', conclusion: 'success' },
      verify: { outputs: { decision: 'rollback-app' }, outcome: 'failure', conclusion: 'failure' },
      'rollback-app': { outputs: { 'deployment-id': 'dpl_old' }, outcome: 'success', conclusion: 'success' },
      restore: { outputs: {}, outcome: 'skipped', conclusion: 'skipped' },
    };
    const r = runStep(stagesStep, { 'toJSON(steps)': JSON.stringify(steps) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.outputs.json)).toEqual({
      preflight: { result: 'success', outputs: { ok: 'true' } },
      backup: { result: 'success', outputs: { 'backup-id': 'bk-1' } },
      verify: { result: 'failure', outputs: { decision: 'rollback-app' } },
      'rollback-app': { result: 'success', outputs: { 'deployment-id': 'dpl_old' } },
    });
    expect(load('action.yml').runs.steps.find((s: any) => s.id === 'notify').with.stages).toBe('${{ steps.stages.outputs.json }}');
  });
});

/**
 * deploy.yml: the shape issue 8 asks for (read from the file), and the guard step run with real bash: the
 * environment allowlist, the mandatory emergency reason and the `<env>-emergency` binding.
 */
import { load, runStep, runStepAsync, startEnvironmentsApi, step } from './helpers.js';

const doc = load('.github/workflows/deploy.yml');
const jobs = doc.jobs;
const guard = step(doc, 'guard', 'check');
const inputs = (over: Record<string, string> = {}) => ({
  'inputs.environment': 'production',
  'inputs.environments': 'staging production',
  'inputs.skip-tests': 'false',
  'inputs.emergency-reason': '',
  ...over,
});

describe('deploy.yml shape', () => {
  test('is only a reusable workflow, grants nothing at the top, one deploy per environment without cancelling', () => {
    expect(Object.keys(doc.on)).toEqual(['workflow_call']);
    expect(doc.permissions).toEqual({});
    expect(doc.concurrency).toEqual({ group: 'deploy-${{ inputs.environment }}', 'cancel-in-progress': false });
  });

  test('chains guard -> preflight -> tests -> release -> notify, notify always', () => {
    expect(Object.keys(jobs)).toEqual(['guard', 'preflight', 'tests', 'release', 'notify']);
    expect(jobs.preflight.needs).toBe('guard');
    expect(jobs.tests.needs).toBe('preflight');
    expect(jobs.release.needs).toEqual(['guard', 'preflight', 'tests']);
    expect(jobs.notify.needs).toEqual(['guard', 'preflight', 'tests', 'release']);
    expect(jobs.notify.if).toBe('${{ always() }}');
  });

  test('tests are skipped only on the emergency path, and release accepts a skip only there', () => {
    expect(jobs.tests.if).toBe('${{ !inputs.skip-tests }}');
    expect(jobs.release.if.replace(/\s+/g, ' ')).toContain("(needs.tests.result == 'success' || (needs.tests.result == 'skipped' && inputs.skip-tests))");
    expect(jobs.release.if).toContain("needs.preflight.result == 'success'");
  });

  test('exactly one job is bound to an environment (one approval), the one the guard chose', () => {
    const bound = Object.entries<any>(jobs).filter(([, j]) => j.environment !== undefined).map(([n]) => n);
    expect(bound).toEqual(['release']);
    expect(jobs.release.environment.name).toBe('${{ needs.guard.outputs.binding }}');
  });

  test('release runs backup -> migrate -> deploy -> verify in one job, then the rollback steps', () => {
    const ids = jobs.release.steps.filter((s: any) => String(s.uses ?? '').startsWith('$/')).map((s: any) => `${s.id}:${s.uses}`);
    expect(ids).toEqual(['backup:$/actions/backup', 'migrate:$/actions/migrate', 'deploy:$/actions/deploy', 'verify:$/actions/verify', 'rollback-app:$/actions/deploy', 'restore:$/actions/backup']);
    expect(step(doc, 'release', 'migrate').with['backup-id']).toBe('${{ steps.backup.outputs.backup-id }}');
    expect(step(doc, 'release', 'verify').with.url).toBe('${{ steps.deploy.outputs.url }}');
    expect(step(doc, 'release', 'verify').with['migrations-applied']).toBe('${{ steps.migrate.outputs.applied-count }}');
  });

  test('the caller\'s install runs before the AWS credentials exist in the job', () => {
    const names = jobs.release.steps.map((s: any) => s.name ?? s.uses);
    expect(names.indexOf('Install for migrate-command')).toBeGreaterThan(-1);
    expect(names.indexOf('Install for migrate-command')).toBeLessThan(names.indexOf('AWS credentials'));
  });

  test('a rollback decision rolls the app back through deploy mode rollback; the database only for rollback-full when allowed', () => {
    const app = step(doc, 'release', 'rollback-app');
    expect(app.with.mode).toBe('rollback');
    expect(app.with['deployment-id']).toBe('${{ steps.deploy.outputs.previous-deployment-id }}');
    expect(app.if).toContain("steps.verify.outputs.decision == 'rollback-app' || steps.verify.outputs.decision == 'rollback-full'");
    expect(app.if).toContain('!cancelled()');
    const db = step(doc, 'release', 'restore');
    expect(db.with).toMatchObject({ mode: 'restore', 'backup-id': '${{ steps.backup.outputs.backup-id }}', 'safety-snapshot': 'true' });
    expect(db.if).toContain("steps.verify.outputs.decision == 'rollback-full'");
    expect(db.if).toContain('inputs.restore-database-on-rollback');
    expect(doc.on.workflow_call.inputs['restore-database-on-rollback'].default).toBe(false);
  });

  test('every action of this repository is used through $/, secrets are declared and mapped explicitly', () => {
    const uses = Object.values<any>(jobs).flatMap((j) => (j.steps ?? []).map((s: any) => s.uses).filter(Boolean));
    expect(uses.filter((u: string) => /actions\/(preflight|backup|migrate|deploy|verify|notify)/.test(u)).every((u: string) => u.startsWith('$/actions/'))).toBe(true);
    expect(Object.keys(doc.on.workflow_call.secrets).sort()).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'DATABASE_URL', 'SLACK_BOT_TOKEN', 'SLACK_WEBHOOK_URL', 'VERCEL_AUTOMATION_BYPASS_SECRET', 'VERCEL_TOKEN']);
    expect(JSON.stringify(doc)).not.toContain('inherit');
  });

  test('preflight gets the emergency flag and reason; notify gets every job\'s result', () => {
    expect(step(doc, 'preflight', 'preflight').with).toMatchObject({ mode: 'deploy', emergency: '${{ needs.guard.outputs.emergency }}', 'emergency-reason': '${{ inputs.emergency-reason }}' });
    expect(step(doc, 'notify', 'stages').env).toEqual({ NEEDS: '${{ toJSON(needs) }}' });
    expect(step(doc, 'notify', 'notify').with).toMatchObject({ stages: '${{ steps.stages.outputs.json }}', decision: '${{ needs.release.outputs.decision }}' });
  });
});

describe('deploy.yml guard step (real bash)', () => {
  test('binds the environment itself on the normal path', () => {
    const r = runStep(guard, inputs());
    expect(r.code).toBe(0);
    expect(r.outputs).toEqual({ binding: 'production', emergency: 'false' });
  });

  test('refuses an environment that is not on the allowlist (it would be created unprotected)', () => {
    const r = runStep(guard, inputs({ 'inputs.environment': 'prodution' }));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`::error title=Shipgate::Input 'environment' got "prodution"; expected one of: staging production`);
    expect(r.outputs).toEqual({});
  });

  test('accepts a comma/newline separated allowlist and refuses a direct <env>-emergency', () => {
    expect(runStep(guard, inputs({ 'inputs.environment': 'staging', 'inputs.environments': 'staging,\nproduction' })).outputs.binding).toBe('staging');
    const r = runStep(guard, inputs({ 'inputs.environment': 'production-emergency', 'inputs.environments': 'production production-emergency' }));
    expect(r.code).toBe(1);
  });

  test('refuses a name that is not a plain environment name, without running it', () => {
    const r = runStep(guard, inputs({ 'inputs.environment': 'production"; touch pwned; echo "' }));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('got an invalid name');
  });

  test('the emergency path requires a reason', () => {
    for (const reason of ['', '   \n ']) {
      const r = runStep(guard, inputs({ 'inputs.skip-tests': 'true', 'inputs.emergency-reason': reason }));
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("Input 'emergency-reason' got nothing");
    }
  });

  test('the emergency path binds <env>-emergency and writes the reason to the summary', () => {
    const reason = 'Checkout is down: $(rm -rf /) `id` "quoted"';
    const r = runStep(guard, inputs({ 'inputs.skip-tests': 'true', 'inputs.emergency-reason': reason }));
    expect(r.code).toBe(0);
    expect(r.outputs).toEqual({ binding: 'production-emergency', emergency: 'true' });
    expect(r.summary).toContain(`> ${reason}`);
    expect(r.summary).toContain('`production-emergency`');
  });
});

describe('deploy.yml preflight stop step (real bash)', () => {
  test('fails with the blocked reason when preflight did not say ok', () => {
    const stop = jobs.preflight.steps.find((s: any) => s.name === 'Stop when a gate is closed');
    expect(stop.if).toBe("steps.preflight.outputs.ok != 'true'");
    const r = runStep(stop, { 'steps.preflight.outputs.blocked-reason': 'deploy window: Tue-Thu 10:00-14:00' });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('::error title=Shipgate preflight::The deploy is blocked: deploy window: Tue-Thu 10:00-14:00\n');
  });
});

describe('deploy.yml: the environment to bind must exist; the emergency one must have reviewers (curl + jq against a stand-in)', () => {
  const exists = jobs.guard.steps.find((s: any) => s.name === 'The environment to bind exists');
  let api: Awaited<ReturnType<typeof startEnvironmentsApi>>;
  beforeAll(async () => {
    api = await startEnvironmentsApi({ production: { reviewers: true }, staging: { reviewers: false }, 'staging-emergency': { reviewers: false }, 'production-emergency': { reviewers: true } });
  });
  afterAll(async () => {
    await api?.stub.close();
  });
  const check = (binding: string, emergency: string, token = api.token) =>
    runStepAsync(exists, { 'steps.check.outputs.binding': binding, 'steps.check.outputs.emergency': emergency, 'github.token': token }, api.env);

  test('the guard job may read environments and nothing else', () => {
    expect(jobs.guard.permissions).toEqual({ actions: 'read' });
  });

  test('an existing environment passes; an unprotected one too on the normal path', async () => {
    expect((await check('production', 'false')).code).toBe(0);
    expect((await check('staging', 'false')).code).toBe(0);
    expect((await check('production-emergency', 'true')).stdout).toContain("Environment 'production-emergency' exists and has required reviewers.");
  });

  test('an environment nobody created is refused (GitHub would create it unprotected)', async () => {
    const r = await check('qa', 'false');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("::error title=Shipgate::Environment 'qa' does not exist in acme/shop; create it (with required reviewers) first");
  });

  test('an emergency environment without required reviewers is refused', async () => {
    const r = await check('staging-emergency', 'true');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Environment 'staging-emergency' has no required reviewers");
  });

  test('a token without actions: read is reported as such', async () => {
    const r = await check('production', 'false', 'wrong');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('(HTTP 403); the calling job must grant actions: read.');
  });
});

/**
 * rollback.yml's "Defaults from the latest run record" step, run with real bash, jq and the aws CLI against a
 * real S3 server (s3rver) holding run records in the layout notify writes (<prefix>/<env>/runs/<stamp>-<run>.json).
 */
import { spawnSync } from 'node:child_process';
import { startS3, type S3Server } from '../support/s3.js';
import { load, runStepAsync, step } from './helpers.js';

const rollback = load('.github/workflows/rollback.yml');
const recordStep = step(rollback, 'rollback', 'record');
const hasAws = spawnSync('aws', ['--version']).status === 0;
const maybe = hasAws ? describe : describe.skip;

function record(run: number, over: Record<string, unknown>) {
  return {
    schema: 1,
    kind: 'shipgate-run',
    environment: 'production',
    status: 'success',
    repository: 'acme/shop',
    sha: `${run}`.repeat(40).slice(0, 40),
    version: `${run}`.repeat(40).slice(0, 40),
    runId: String(run),
    backup: { id: `bk-${run}` },
    deployment: { id: `dpl_${run}`, previousId: `dpl_${run - 1}` },
    verify: { decision: 'ok' },
    stages: { preflight: { result: 'success', outputs: {} }, backup: { result: 'success', outputs: {} }, migrate: { result: 'success', outputs: {} }, deploy: { result: 'success', outputs: {} }, verify: { result: 'success', outputs: {} } },
    ...over,
  };
}

maybe('rollback.yml defaults from the run records (aws CLI + s3rver)', () => {
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startS3();
  });
  afterAll(async () => {
    await s3?.stop();
  });

  const run = (bucket: string, over: Record<string, string> = {}) =>
    runStepAsync(
      recordStep,
      {
        'inputs.mode': 'full',
        'inputs.environment': 'production',
        'inputs.s3-bucket || vars.SHIPGATE_S3_BUCKET': bucket,
        "inputs.s3-prefix || vars.SHIPGATE_S3_PREFIX || 'shipgate'": 'shipgate',
        'inputs.s3-endpoint || vars.SHIPGATE_S3_ENDPOINT': s3.endpoint,
        "inputs.expect-version == ''": 'true',
        ...over,
      },
      {
        HOME: process.env.HOME ?? '/root',
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('PYENV')) as Array<[string, string]>),
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
        AWS_DEFAULT_REGION: s3.region,
      },
    );

  async function bucketWith(name: string, records: Array<[string, unknown]>) {
    await s3.createBucket(name);
    for (const [key, body] of records) await s3.putObject(name, `shipgate/production/runs/${key}`, JSON.stringify(body));
  }

  test('the latest deploy run gives the backup and the deployment it replaced; the run that made that deployment gives the version', async () => {
    await bucketWith('records-a', [
      ['20261101T100000000Z-1-1.json', record(1, {})],
      ['20261102T100000000Z-2-1.json', record(2, {})],
      ['20261103T100000000Z-3-1.json', record(3, { status: 'failure', verify: { decision: 'rollback-app' } })],
      // a rollback run (no migrate stage): its safety snapshot must never be picked
      ['20261103T120000000Z-4-1.json', record(4, { backup: { id: 'snap-4' }, stages: { restore: { result: 'success', outputs: {} } } })],
      ['notes.txt', 'not a record'],
    ]);
    const r = await run('records-a');
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.outputs).toEqual({
      record: 's3://records-a/shipgate/production/runs/20261103T100000000Z-3-1.json',
      'backup-id': 'bk-3',
      'deployment-id': 'dpl_2',
      'expect-version': '2'.repeat(40),
    });
  });

  test('db mode after a deploy that was not rolled back expects the version serving now', async () => {
    await bucketWith('records-b', [
      ['20261101T100000000Z-1-1.json', record(1, {})],
      ['20261102T100000000Z-2-1.json', record(2, {})],
    ]);
    const r = await run('records-b', { 'inputs.mode': 'db' });
    expect(r.code).toBe(0);
    expect(r.outputs['expect-version']).toBe('2'.repeat(40));
    expect(r.outputs['backup-id']).toBe('bk-2');
  });

  test('a backup that did not succeed is not offered', async () => {
    await bucketWith('records-c', [['20261101T100000000Z-1-1.json', record(1, { stages: { backup: { result: 'failure', outputs: {} }, migrate: { result: 'skipped', outputs: {} } } })]]);
    const r = await run('records-c', { "inputs.expect-version == ''": 'false' });
    expect(r.code).toBe(0);
    expect(r.outputs['backup-id']).toBe('');
  });

  test('no records: fails when the version is needed, otherwise falls back with a warning', async () => {
    await s3.createBucket('records-empty');
    const needed = await run('records-empty');
    expect(needed.code).toBe(1);
    expect(needed.stdout).toContain('No deploy run record under s3://records-empty/shipgate/production/runs/; give expect-version');
    const given = await run('records-empty', { "inputs.expect-version == ''": 'false' });
    expect(given.code).toBe(0);
    expect(given.stdout).toContain('::warning');
    expect(given.outputs).toEqual({});
  });

  test('no version recorded for the deployment rolled back to: fails and says what to give', async () => {
    await bucketWith('records-d', [['20261102T100000000Z-2-1.json', record(2, {})]]);
    const r = await run('records-d');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('give expect-version');
  });
});

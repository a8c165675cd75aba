/**
 * Bad input across all stages (issue 9): every malformed input exits 1 within 2 s with one line naming the
 * input, and nothing changes — the database schema and the bucket are the same before and after.
 */
import { BAD_INPUT_CASES } from './bad-input.cases.js';
import { errorLines, runStageBundle, type Stage } from '../support/bundle.js';
import { createDatabase, schemaDump } from '../support/postgres.js';
import { startS3 } from '../support/s3.js';

type S3 = Awaited<ReturnType<typeof startS3>>;
let db: Awaited<ReturnType<typeof createDatabase>>;
let s3: S3;
let schemaBefore = '';
let keysBefore: string[] = [];

beforeAll(async () => {
  db = await createDatabase('badinput');
  s3 = await startS3();
  await s3.createBucket('backups');
  await s3.putObject('backups', 'shipgate/production/keep.txt', 'keep');
  schemaBefore = await schemaDump(db.url);
  keysBefore = await s3.listKeys('backups');
});

afterAll(async () => {
  await s3?.stop();
  await db?.drop();
});

/** Valid inputs for each stage, so that each case breaks exactly one thing. */
function baseline(stage: Stage): Record<string, string> {
  switch (stage) {
    case 'migrate':
      return { 'database-url': db.url, 'migrations-dir': 'demo/migrations' };
    case 'preflight':
      return { mode: 'pr', 'migrations-dir': 'demo/migrations', 'audit-level': 'none' };
    case 'backup':
      return { mode: 'backup', 'database-url': db.url, 's3-bucket': 'backups', 's3-endpoint': s3.endpoint, 's3-region': s3.region };
    case 'deploy':
      return { 'vercel-token': 'vercel-token-123456', 'vercel-project-id': 'prj_123', 'vercel-api-url': 'http://127.0.0.1:9', 'github-deployment': 'false' };
    case 'verify':
      return { url: 'http://127.0.0.1:9', 'wait-timeout': '1s' };
    case 'notify':
      return { status: 'success' };
  }
}

describe('bad input', () => {
  test('there are at least 40 cases covering all six stages', () => {
    expect(BAD_INPUT_CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(BAD_INPUT_CASES.map((c) => c.stage)).size).toBe(6);
  });

  test.each(BAD_INPUT_CASES.map((c) => [`${c.stage} ${c.input}: ${c.what}`, c] as const))('%s', async (_title, c) => {
    const inputs = { ...baseline(c.stage) };
    for (const [k, v] of Object.entries(c.inputs)) inputs[k] = v === '$DATABASE_URL' ? db.url : v;
    const r = await runStageBundle(c.stage, inputs, { env: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } });
    const errors = errorLines(r);
    expect({ code: r.code, errors: errors.length }).toEqual({ code: 1, errors: 1 });
    expect(errors[0]).toContain(`'${c.input}'`);
    expect(errors[0]).not.toMatch(/\n|^\s+at /);
    expect(r.durationMs).toBeLessThan(2000);
  });

  test('nothing changed: the database schema and the bucket are as before', async () => {
    expect(await schemaDump(db.url)).toBe(schemaBefore);
    expect(await s3.listKeys('backups')).toEqual(keysBefore);
  });
});

/** on-failure: restore through the built bundles: a backup taken by dist/backup is restored by dist/migrate after a failed run. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDatabase, query, schemaDump, type TestDatabase } from '../support/postgres.js';
import { startS3, type S3Server } from '../support/s3.js';
import { runStageBundle, visibleLines } from '../support/bundle.js';
import { workspace } from './helpers.js';

const BUCKET = 'migrate-restore';
let s3: S3Server;
let db: TestDatabase;
let w: ReturnType<typeof workspace>;

beforeAll(async () => {
  s3 = await startS3();
  await s3.createBucket(BUCKET);
  db = await createDatabase('mig_restore_bundle');
  w = workspace('sql');
});

afterAll(async () => {
  w?.cleanup();
  await db?.drop();
  await s3?.stop();
});

const env = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };

test('a failed run that had applied migrations is undone by restoring the backup', async () => {
  const first = await runStageBundle('migrate', { 'database-url': db.url, target: '0002_orders' }, { cwd: w.dir });
  expect(first.code).toBe(0);
  await query(db.url, `insert into users (email) values ('kept@x.test')`);
  const backup = await runStageBundle('backup', { 'database-url': db.url, 's3-bucket': BUCKET, 's3-endpoint': s3.endpoint, environment: 'staging' }, { env });
  expect(backup.code).toBe(0);
  const backupId = backup.outputs['backup-id'];
  expect(backupId).toBeTruthy();
  const before = await schemaDump(db.url);

  writeFileSync(join(w.migrations, '00011_broken.sql'), 'CREATE TABLE half (id int);\nSELECT 1 / 0;\n');
  const r = await runStageBundle(
    'migrate',
    { 'database-url': db.url, 'on-failure': 'restore', 'backup-id': backupId, 's3-bucket': BUCKET, 's3-endpoint': s3.endpoint, environment: 'staging' },
    { cwd: w.dir, env },
  );
  const log = visibleLines(r).join('\n');
  expect(r.code).toBe(1);
  expect(r.outputs.status).toBe('failed');
  expect(log).toMatch(/division by zero/);
  expect(log).toMatch(new RegExp(`Restored backup ${backupId}`));
  expect(log).toMatch(new RegExp(`division by zero.*Backup ${backupId} was restored afterwards`));
  expect(r.summary).toMatch(/Migrations this run applied \(0003_users_email_index, 00010_status_enum\) were undone by the restore/);
  expect(r.outputs['ledger-head']).toBe('0002_orders');
  // pg_restore --clean drops only what the backup contains: the enum type this run created survives, and is named.
  expect(log).toMatch(/After the restore the schema still differs from before this run.*type public\.order_status/);
  await query(db.url, 'DROP TYPE public.order_status');
  expect(await schemaDump(db.url)).toBe(before);
  expect(await query(db.url, 'select name from shipgate_migrations order by name')).toEqual([{ name: '0001_users' }, { name: '0002_orders' }]);
  expect(await query(db.url, 'select email from users')).toEqual([{ email: 'kept@x.test' }]);
});

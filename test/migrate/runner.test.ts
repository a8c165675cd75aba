/** The migrate logic against the real PostgreSQL started by the test harness (no bundle): ledgers, refusals, failures. */
import { appendFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createDatabase, query, schemaDump, type TestDatabase } from '../support/postgres.js';
import { runMigrate } from '../../src/migrate/runner.js';
import { sha256 } from '../../src/lib/migrations/index.js';
import { StageError } from '../../src/lib/errors.js';
import { ManualClock, deps, settings, workspace } from './helpers.js';

let db: TestDatabase;
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function fresh(prefix: string): Promise<TestDatabase> {
  db = await createDatabase(prefix);
  cleanups.push(() => db.drop());
  return db;
}

function ws(name: 'sql' | 'prisma' | 'drizzle') {
  const w = workspace(name);
  cleanups.push(() => w.cleanup());
  return w;
}

async function tables(url: string): Promise<string[]> {
  const rows = await query<{ t: string }>(url, `select table_schema || '.' || table_name as t from information_schema.tables where table_schema not in ('pg_catalog','information_schema') order by 1`);
  return rows.map((r) => r.t);
}

describe('apply from empty, then up to date', () => {
  test('SQL fixture: numeric order, CONCURRENTLY without a directive, own BEGIN/COMMIT, no leaked session state', async () => {
    const { url } = await fresh('mig_sql');
    const w = ws('sql');
    const d = deps(w.dir);
    const out = await runMigrate(settings(url), d);
    expect(out.error).toBeUndefined();
    expect(out.outputs.status).toBe('applied');
    expect(out.outputs.applied).toEqual(['0001_users', '0002_orders', '0003_users_email_index', '00010_status_enum']);
    expect(out.outputs.ledgerHead).toBe('00010_status_enum');
    expect(out.outputs.pendingCount).toBe(0);
    expect(d.summary.toString()).toMatch(/0003_users_email_index \| no-transaction \(CREATE INDEX CONCURRENTLY at line 2\)/);
    expect(d.summary.toString()).toMatch(/00010_status_enum \| as-written/);
    const rows = await query(url, 'select name, checksum, execution_ms, applied_by from shipgate_migrations order by applied_at');
    expect(rows.map((r) => r.name)).toEqual(out.outputs.applied);
    expect(rows[0].applied_by).toBe('https://github.com/acme/shop/actions/runs/4242');
    const idx = await query(url, `select indisvalid from pg_index where indexrelid = 'users_email_idx'::regclass`);
    expect(idx).toEqual([{ indisvalid: true }]);

    const d2 = deps(w.dir);
    const again = await runMigrate(settings(url), d2);
    expect(again.outputs).toMatchObject({ status: 'up-to-date', applied: [], appliedCount: 0, pendingCount: 0, ledgerHead: '00010_status_enum' });
    expect(again.outputs.schemaFingerprint).toBe(out.outputs.schemaFingerprint);
    expect(d2.logger.text()).toMatch(/no SQL parsed/);
  });

  test("Prisma fixture: _prisma_migrations rows exactly as Prisma writes them", async () => {
    const { url } = await fresh('mig_prisma');
    const w = ws('prisma');
    const before = Date.now();
    const out = await runMigrate(settings(url), deps(w.dir));
    expect(out.error).toBeUndefined();
    expect(out.outputs.appliedCount).toBe(3);
    const cols = await query(url, `select column_name, data_type, character_maximum_length as len, is_nullable, column_default from information_schema.columns where table_name = '_prisma_migrations' order by ordinal_position`);
    expect(cols.map((c) => [c.column_name, c.data_type, c.len, c.is_nullable])).toEqual([
      ['id', 'character varying', 36, 'NO'],
      ['checksum', 'character varying', 64, 'NO'],
      ['finished_at', 'timestamp with time zone', null, 'YES'],
      ['migration_name', 'character varying', 255, 'NO'],
      ['logs', 'text', null, 'YES'],
      ['rolled_back_at', 'timestamp with time zone', null, 'YES'],
      ['started_at', 'timestamp with time zone', null, 'NO'],
      ['applied_steps_count', 'integer', null, 'NO'],
    ]);
    const rows = await query(url, 'select * from _prisma_migrations order by started_at');
    expect(rows.map((r) => r.migration_name)).toEqual(['20240101000000_init', '20240115093000_posts', '20240201000000_post_index']);
    const { readFileSync } = await import('node:fs');
    for (const r of rows) {
      expect(r.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(r.checksum).toBe(sha256(readFileSync(join(w.migrations, r.migration_name as string, 'migration.sql'))));
      expect(r.logs).toBeNull();
      expect(r.rolled_back_at).toBeNull();
      expect(r.applied_steps_count).toBe(1);
      expect((r.finished_at as Date).getTime()).toBeGreaterThanOrEqual((r.started_at as Date).getTime());
      expect((r.started_at as Date).getTime()).toBeGreaterThanOrEqual(before - 1000);
    }
    const again = await runMigrate(settings(url), deps(w.dir));
    expect(again.outputs.status).toBe('up-to-date');
  });

  test('Drizzle fixture: drizzle.__drizzle_migrations as drizzle-kit writes it; files outside the journal never run', async () => {
    const { url } = await fresh('mig_drizzle');
    const w = ws('drizzle');
    const out = await runMigrate(settings(url), deps(w.dir));
    expect(out.error).toBeUndefined();
    expect(out.outputs.applied).toEqual(['0000_init', '0001_handles']);
    const { readFileSync } = await import('node:fs');
    const rows = await query(url, 'select id, hash, created_at::text as created_at from drizzle.__drizzle_migrations order by id');
    expect(rows).toEqual([
      { id: 1, hash: sha256(readFileSync(join(w.migrations, '0000_init.sql'))), created_at: '1717000000000' },
      { id: 2, hash: sha256(readFileSync(join(w.migrations, '0001_handles.sql'))), created_at: '1717100000000' },
    ]);
    expect(await tables(url)).not.toContain('public.never_created');
    const again = await runMigrate(settings(url), deps(w.dir));
    expect(again.outputs).toMatchObject({ status: 'up-to-date', pendingCount: 0, ledgerHead: '0001_handles' });
  });
});

test('a migration failing at its third of five statements changes nothing and names file and line', async () => {
  const { url } = await fresh('mig_fail');
  const w = ws('sql');
  expect((await runMigrate(settings(url), deps(w.dir))).error).toBeUndefined();
  writeFileSync(
    join(w.migrations, '00011_broken.sql'),
    ['CREATE TABLE audit (id int);', 'ALTER TABLE users ADD COLUMN nickname text;', '', 'INSERT INTO audit (id)', "  VALUES ('not a number');", 'CREATE INDEX audit_id ON audit (id);', 'DROP TABLE orders;', ''].join('\n'),
  );
  const dump = await schemaDump(url);
  const ledger = await query(url, 'select * from shipgate_migrations order by name');
  const out = await runMigrate(settings(url), deps(w.dir));
  expect(out.outputs.status).toBe('failed');
  expect(out.error).toBeInstanceOf(StageError);
  const err = out.error as StageError;
  expect(err.annotation).toMatchObject({ file: 'db/migrations/00011_broken.sql', startLine: 5 });
  expect(err.message).toMatch(/invalid input syntax for type integer/);
  expect(err.message).toMatch(/rolled back/);
  expect(await schemaDump(url)).toBe(dump);
  expect(await query(url, 'select * from shipgate_migrations order by name')).toEqual(ledger);
});

test('a first run whose first migration fails leaves the database exactly as it was (no empty ledger table)', async () => {
  const { url } = await fresh('mig_first_fail');
  const w = ws('prisma');
  writeFileSync(join(w.migrations, '20240101000000_init', 'migration.sql'), 'CREATE TABLE "User" (id int);\nSELECT 1/0;\n');
  const dump = await schemaDump(url);
  const out = await runMigrate(settings(url), deps(w.dir));
  expect(out.outputs.status).toBe('failed');
  expect(await schemaDump(url)).toBe(dump);
  expect(await tables(url)).toEqual([]);
});

describe('refusals', () => {
  async function applied(): Promise<{ url: string; w: ReturnType<typeof ws> }> {
    const { url } = await fresh('mig_refuse');
    const w = ws('sql');
    expect((await runMigrate(settings(url), deps(w.dir))).error).toBeUndefined();
    return { url, w };
  }

  test.each([
    ['modified', (dir: string) => appendFileSync(join(dir, '0002_orders.sql'), 'ALTER TABLE orders ADD COLUMN note text;\n'), /changed after it was applied/],
    ['missing', (dir: string) => rmSync(join(dir, '0002_orders.sql')), /recorded as applied but its file is gone/],
    ['out-of-order', (dir: string) => writeFileSync(join(dir, '0004_late.sql'), 'CREATE TABLE late (id int);\n'), /sorts before the last applied migration 00010_status_enum/],
  ])('%s', async (kind, change, message) => {
    const { url, w } = await applied();
    writeFileSync(join(w.migrations, '00020_next.sql'), 'CREATE TABLE next_one (id int);\n');
    change(w.migrations);
    const dump = await schemaDump(url);
    const d = deps(w.dir);
    const out = await runMigrate(settings(url), d);
    expect(out.outputs.status).toBe('failed');
    expect(out.error?.message).toMatch(message);
    expect(out.error?.message).toContain(`[${kind}]`);
    expect(out.error?.message).toMatch(/nothing was applied/);
    expect(await schemaDump(url)).toBe(dump);
    expect(await tables(url)).not.toContain('public.next_one');
    expect(d.logger.of('error').length).toBe(1);
  });

  test('Prisma: a failed unresolved row (P3009) is refused with the resolve command', async () => {
    const { url } = await fresh('mig_p3009');
    const w = ws('prisma');
    expect((await runMigrate(settings(url, { target: '20240101000000_init' }), deps(w.dir))).outputs.appliedCount).toBe(1);
    await query(url, `insert into _prisma_migrations (id, checksum, migration_name, logs, started_at, applied_steps_count) values ('f0000000-0000-4000-8000-000000000000', 'x', '20240115093000_posts', 'boom', now(), 0)`);
    const out = await runMigrate(settings(url), deps(w.dir));
    expect(out.error?.message).toMatch(/\[failed\].*P3009.*prisma migrate resolve --applied 20240115093000_posts/);
    expect(await tables(url)).not.toContain('public.Post');
  });
});

test('55P03: a lock timeout rolls back, retries with backoff, then fails with the ledger unchanged', async () => {
  const { url } = await fresh('mig_55p03');
  const w = ws('sql');
  expect((await runMigrate(settings(url), deps(w.dir))).error).toBeUndefined();
  writeFileSync(join(w.migrations, '00011_alter.sql'), 'ALTER TABLE users ADD COLUMN locked_out text;\n');
  const blocker = new pg.Client({ connectionString: url });
  await blocker.connect();
  cleanups.push(() => blocker.end());
  await blocker.query('BEGIN; LOCK TABLE users IN ACCESS SHARE MODE');
  const clock = new ManualClock();
  const d = deps(w.dir, { clock, lockRetryAttempts: 3, lockRetryBaseMs: 1000 });
  const out = await runMigrate(settings(url, { lockTimeoutMs: 100 }), d);
  expect(out.error?.message).toMatch(/lock timeout.*55P03/);
  expect(d.logger.of('warning').map((r) => r.message).filter((m) => /55P03/.test(m))).toHaveLength(2);
  expect(clock.sleeps.length).toBe(2);
  expect(clock.sleeps[1]).toBeGreaterThanOrEqual(1000);
  await blocker.query('ROLLBACK');
  expect((await query(url, `select count(*)::int as n from shipgate_migrations where name = '00011_alter'`))[0].n).toBe(0);
  const ok = await runMigrate(settings(url, { lockTimeoutMs: 100 }), deps(w.dir));
  expect(ok.outputs.applied).toEqual(['00011_alter']);
});

test('a failed CREATE UNIQUE INDEX CONCURRENTLY: its invalid index is reported and dropped; nothing recorded', async () => {
  const { url } = await fresh('mig_cic');
  const w = ws('sql');
  expect((await runMigrate(settings(url), deps(w.dir))).error).toBeUndefined();
  await query(url, `insert into users (email) values ('dup@x'), ('dup@x')`);
  writeFileSync(join(w.migrations, '00011_unique.sql'), 'CREATE UNIQUE INDEX CONCURRENTLY users_email_unique ON users (email);\n');
  const out = await runMigrate(settings(url), deps(w.dir));
  expect(out.error?.message).toMatch(/could not create unique index/);
  expect(out.error?.message).toMatch(/invalid index "public"."users_email_unique" this run's CREATE INDEX CONCURRENTLY left was dropped/);
  expect(await query(url, `select 1 from pg_class where relname = 'users_email_unique'`)).toEqual([]);
  expect((await query(url, `select count(*)::int as n from shipgate_migrations where name = '00011_unique'`))[0].n).toBe(0);
});

test('post-migrate report lists invalid indexes and NOT VALID constraints', async () => {
  const { url } = await fresh('mig_report');
  const w = ws('sql');
  writeFileSync(join(w.migrations, '00011_not_valid.sql'), 'ALTER TABLE orders ADD CONSTRAINT orders_total_small CHECK (total_cents < 100000) NOT VALID;\n');
  const d = deps(w.dir);
  expect((await runMigrate(settings(url), d)).error).toBeUndefined();
  expect(d.summary.toString()).toMatch(/NOT VALID constraint `orders_total_small` on `public.orders`/);
  await query(url, `update pg_index set indisvalid = false where indexrelid = 'users_email_idx'::regclass`);
  const d2 = deps(w.dir);
  await runMigrate(settings(url), d2);
  expect(d2.logger.of('warning').map((r) => r.message).join('\n')).toMatch(/Index public.users_email_idx on users is INVALID/);
});

test('dry run rehearses transactional migrations, lists the others, and changes nothing', async () => {
  const { url } = await fresh('mig_dry');
  const w = ws('sql');
  const dump = await schemaDump(url);
  const d = deps(w.dir);
  const out = await runMigrate(settings(url, { dryRun: true }), d);
  expect(out.error).toBeUndefined();
  expect(out.outputs).toMatchObject({ status: 'dry-run', appliedCount: 0, pendingCount: 4 });
  const s = d.summary.toString();
  expect(s).toMatch(/0001_users \| rehearsed, rolled back/);
  expect(s).toMatch(/0003_users_email_index \| not rehearsed/);
  expect(await schemaDump(url)).toBe(dump);

  writeFileSync(join(w.migrations, '0000_bad.sql'), 'SELECT 1;\nSELECT * FROM no_such_table;\n');
  const bad = await runMigrate(settings(url, { dryRun: true }), deps(w.dir));
  expect(bad.outputs.status).toBe('failed');
  expect((bad.error as StageError).annotation).toMatchObject({ file: 'db/migrations/0000_bad.sql', startLine: 2 });
  expect(await schemaDump(url)).toBe(dump);
});

test('target applies up to and including the named migration', async () => {
  const { url } = await fresh('mig_target');
  const w = ws('sql');
  const out = await runMigrate(settings(url, { target: '0002' }), deps(w.dir));
  expect(out.outputs).toMatchObject({ applied: ['0001_users', '0002_orders'], pendingCount: 2, ledgerHead: '0002_orders' });
  const bad = runMigrate(settings(url, { target: '9' }), deps(w.dir));
  await expect(bad).rejects.toThrow(/target 9 matches no migration/);
});

test('drift: a column added by hand is reported by table and name; the shadow is left empty', async () => {
  const { url } = await fresh('mig_drift');
  const shadow = await createDatabase('mig_shadow');
  cleanups.push(() => shadow.drop());
  const w = ws('prisma');
  expect((await runMigrate(settings(url), deps(w.dir))).error).toBeUndefined();
  await query(url, `ALTER TABLE "User" ADD COLUMN "hand_made" integer`);
  const d = deps(w.dir);
  const out = await runMigrate(settings(url, { shadowDatabaseUrl: shadow.url }), d);
  expect(out.outputs.status).toBe('up-to-date');
  const warnings = d.logger.of('warning').map((r) => r.message);
  expect(warnings).toEqual([expect.stringMatching(/^Drift in public\.User: column hand_made exists only in the target database \(integer\)$/)]);
  expect(d.summary.toString()).toMatch(/`public.User`: column hand_made exists only in the target database/);
  expect(await tables(shadow.url)).toEqual([]);

  await query(url, `CREATE FUNCTION hotfix() RETURNS int LANGUAGE sql AS 'select 1'; CREATE INDEX post_title_hand ON "Post" (title)`);
  const d3 = deps(w.dir);
  await runMigrate(settings(url, { shadowDatabaseUrl: shadow.url }), d3);
  const w3 = d3.logger.of('warning').map((r) => r.message).join('\n');
  expect(w3).toMatch(/Drift in public\.Post: index post_title_hand exists only in the target database/);
  expect(w3).toMatch(/Drift in function public\.hotfix\(\): exists only in the target database/);
  await query(url, `DROP FUNCTION hotfix(); DROP INDEX post_title_hand`);

  await query(url, `ALTER TABLE "User" DROP COLUMN "hand_made"`);
  const clean = deps(w.dir);
  await runMigrate(settings(url, { shadowDatabaseUrl: shadow.url }), clean);
  expect(clean.logger.text()).toMatch(/matches a from-scratch build/);
});

test('command mode: runs under the lock with DATABASE_URL in its environment and reports the ledger before/after', async () => {
  const { url } = await fresh('mig_cmd');
  const w = ws('sql');
  mkdirSync(join(w.dir, 'bin'));
  const script = join(w.dir, 'bin', 'migrate.mjs');
  writeFileSync(
    script,
    `import pg from ${JSON.stringify(join(process.cwd(), 'node_modules', 'pg', 'lib', 'index.js'))};
const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
await c.connect();
const lock = await c.query("select count(*)::int as n from pg_locks l join pg_database d on d.oid = l.database where l.locktype = 'advisory' and l.granted and d.datname = current_database()");
await c.query('create table if not exists shipgate_migrations (name text primary key, checksum text not null, applied_at timestamptz not null default now(), execution_ms integer not null, applied_by text not null default \\'\\')');
await c.query("insert into shipgate_migrations (name, checksum, execution_ms) values ('0001_users', 'x', 1)");
console.log('locks held while running: ' + lock.rows[0].n);
await c.end();
`,
  );
  const d = deps(w.dir, { env: { PATH: process.env.PATH ?? '' } });
  const out = await runMigrate(settings(url, { command: `node ${script}`, allowModified: true }), d);
  expect(out.error).toBeUndefined();
  expect(out.outputs).toMatchObject({ status: 'applied', applied: ['0001_users'], appliedCount: 1, pendingCount: 3 });
  expect(d.logger.text()).toMatch(/locks held while running: 1/);
  expect(d.summary.toString()).toMatch(/Ledger before: 0 applied; after: 1 applied/);
  expect(await query(url, `select count(*)::int as n from pg_locks l join pg_database d on d.oid = l.database where l.locktype = 'advisory' and d.datname = current_database()`)).toEqual([{ n: 0 }]);
});

describe('on-failure: restore (Restorer port)', () => {
  function recorder() {
    const calls: { backupId: string; databaseUrl: string }[] = [];
    return { calls, restorer: { restore: async (req: { backupId: string; databaseUrl: string }) => (calls.push(req), { message: 'ok' }) } };
  }

  test('restores after a failure that left this run\'s migrations applied', async () => {
    const { url } = await fresh('mig_restore1');
    const w = ws('sql');
    writeFileSync(join(w.migrations, '00011_broken.sql'), 'SELECT 1/0;\n');
    const r = recorder();
    const out = await runMigrate(settings(url, { onFailure: 'restore', backupId: 'b-1' }), deps(w.dir, { restorer: r.restorer }));
    expect(out.outputs.status).toBe('failed');
    expect(r.calls).toEqual([{ backupId: 'b-1', databaseUrl: url }]);
  });

  test('a restore that fails is reported in the failure line, and the database is described as left', async () => {
    const { url } = await fresh('mig_restore4');
    const w = ws('sql');
    writeFileSync(join(w.migrations, '00011_broken.sql'), 'SELECT 1/0;\n');
    const restorer = { restore: async () => Promise.reject(new Error('bucket unreachable')) };
    const out = await runMigrate(settings(url, { onFailure: 'restore', backupId: 'b-1' }), deps(w.dir, { restorer }));
    expect(out.error?.message).toMatch(/division by zero.*Restoring backup b-1 FAILED \(bucket unreachable\); the database is as the failed run left it/);
    expect(out.outputs.appliedCount).toBe(4);
  });

  test('does not restore when the run changed nothing (the failure rolled back whole)', async () => {
    const { url } = await fresh('mig_restore2');
    const w = ws('sql');
    expect((await runMigrate(settings(url), deps(w.dir))).error).toBeUndefined();
    writeFileSync(join(w.migrations, '00011_broken.sql'), 'CREATE TABLE t (id int);\nSELECT 1/0;\n');
    const r = recorder();
    const d = deps(w.dir, { restorer: r.restorer });
    const out = await runMigrate(settings(url, { onFailure: 'restore', backupId: 'b-1' }), d);
    expect(out.outputs.status).toBe('failed');
    expect(r.calls).toEqual([]);
    expect(d.logger.text()).toMatch(/not restoring b-1, because this run changed nothing/);
  });

  test('without a restorer it fails before anything is changed', async () => {
    const { url } = await fresh('mig_restore3');
    const w = ws('sql');
    await expect(runMigrate(settings(url, { onFailure: 'restore', backupId: 'b-1' }), deps(w.dir))).rejects.toThrow(/on-failure: restore needs .*nothing was changed/);
    expect(await tables(url)).toEqual([]);
  });
});

test('lock-wait: another holder of the migration lock makes the run give up with nothing changed', async () => {
  const { url } = await fresh('mig_lockwait');
  const w = ws('sql');
  const holder = new pg.Client({ connectionString: url });
  await holder.connect();
  cleanups.push(() => holder.end());
  const { LOCK_KEY } = await import('../../src/migrate/lock.js');
  await holder.query('select pg_advisory_lock($1::bigint)', [LOCK_KEY]);
  const clock = new ManualClock();
  const d = deps(w.dir, { clock });
  await expect(runMigrate(settings(url, { lockWaitMs: 2000 }), d)).rejects.toThrow(/another migrator \(backend \d+\) has held the migration lock for longer than lock-wait \(2\.00s\); nothing was changed/);
  expect(clock.sleeps.length).toBeGreaterThan(3);
  expect(await tables(url)).toEqual([]);
});

test('MongoDB with command: the command runs with DATABASE_URL and no lock', async () => {
  const w = ws('sql');
  const d = deps(w.dir);
  const out = await runMigrate(
    settings('mongodb://u:pw@127.0.0.1:1/app', { command: `node -e "process.exit(process.env.DATABASE_URL === 'mongodb://u:pw@127.0.0.1:1/app' ? 0 : 3)"` }),
    d,
  );
  expect(out.error).toBeUndefined();
  expect(out.outputs.status).toBe('applied');
  expect(d.logger.text()).toMatch(/without an advisory lock/);
});

test('files with their own BEGIN/COMMIT run as written; one that never COMMITs is rolled back and refused', async () => {
  const { url } = await fresh('mig_aswritten');
  const w = ws('sql');
  writeFileSync(join(w.migrations, '00011_open.sql'), 'BEGIN;\nCREATE TABLE never_committed (id int);\n');
  const out = await runMigrate(settings(url), deps(w.dir));
  expect(out.outputs.applied).toEqual(['0001_users', '0002_orders', '0003_users_email_index', '00010_status_enum']);
  expect(out.error?.message).toMatch(/opens a transaction it never commits/);
  expect((out.error as StageError).annotation).toMatchObject({ file: 'db/migrations/00011_open.sql', startLine: 1 });
  expect(await tables(url)).not.toContain('public.never_committed');
  expect(await query(url, `select name from shipgate_migrations where name = '00011_open'`)).toEqual([]);
});

test('ALTER TYPE ... ADD VALUE runs on its own, so the next statement of the same file can use the new value', async () => {
  const { url } = await fresh('mig_enum');
  const w = ws('sql');
  writeFileSync(join(w.migrations, '00011_refunded.sql'), "ALTER TYPE order_status ADD VALUE 'refunded';\nALTER TABLE orders ALTER COLUMN status SET DEFAULT 'refunded';\n");
  const d = deps(w.dir);
  const out = await runMigrate(settings(url), d);
  expect(out.error).toBeUndefined();
  expect(d.summary.toString()).toMatch(/00011_refunded \| mixed \(ALTER TYPE \.\.\. ADD VALUE at line 1\)/);
  expect(await query(url, `select column_default from information_schema.columns where table_name = 'orders' and column_name = 'status'`)).toEqual([{ column_default: "'refunded'::order_status" }]);
});

test('an as-written file runs statement by statement like psql: CONCURRENTLY outside its blocks works, and a failure says what committed', async () => {
  const { url } = await fresh('mig_aswritten2');
  const w = ws('sql');
  writeFileSync(
    join(w.migrations, '00011_blocks.sql'),
    ['BEGIN;', 'CREATE TABLE blk1 (id int);', 'COMMIT;', 'CREATE INDEX CONCURRENTLY blk1_idx ON blk1 (id);', 'BEGIN;', 'CREATE TABLE blk2 (id int);', 'SELECT 1/0;', 'COMMIT;', ''].join('\n'),
  );
  writeFileSync(join(w.migrations, '00012_after.sql'), 'CREATE TABLE after_blocks (id int);\n');
  const d = deps(w.dir);
  const out = await runMigrate(settings(url), d);
  expect(d.summary.toString()).toMatch(/Not run \(stopped at the failure\): `00012_after`/);
  expect((out.error as StageError).annotation).toMatchObject({ file: 'db/migrations/00011_blocks.sql', startLine: 7 });
  expect(out.error?.message).toMatch(/division by zero.*run as written; statements that committed and remain: lines 2, 4; the ledger does not record it/);
  expect(await tables(url)).toContain('public.blk1');
  expect(await tables(url)).not.toContain('public.blk2');
  expect(await query(url, `select indisvalid from pg_index where indexrelid = 'blk1_idx'::regclass`)).toEqual([{ indisvalid: true }]);
  expect(await query(url, `select name from shipgate_migrations where name = '00011_blocks'`)).toEqual([]);
});

test('a Prisma folder generated for another provider is refused before connecting', async () => {
  const w = ws('prisma');
  writeFileSync(join(w.migrations, 'migration_lock.toml'), 'provider = "mysql"\n');
  const calls: string[] = [];
  const connect = async (url: string): Promise<never> => {
    calls.push(url);
    throw new Error('must not connect');
  };
  await expect(runMigrate(settings('postgres://u:p@127.0.0.1:1/db'), { ...deps(w.dir), connect })).rejects.toThrow(/provider = "mysql".*P3019.*Nothing was changed/);
  expect(calls).toEqual([]);
});

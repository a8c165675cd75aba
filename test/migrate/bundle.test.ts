/** Key acceptance paths through the built bundle (dist/migrate), run as the GitHub runner runs it, on real PostgreSQL. */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { runStageBundle, visibleLines, leakedForms, type BundleResult } from '../support/bundle.js';
// @ts-expect-error plain ESM JavaScript shared with the CLI
import { parseWorkflowCommand } from '../../bin/local-runner.js';
import { createDatabase, query, type TestDatabase } from '../support/postgres.js';
import { workspace } from './helpers.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function fresh(prefix: string): Promise<TestDatabase> {
  const db = await createDatabase(prefix);
  cleanups.push(() => db.drop());
  return db;
}

function sqlWorkspace() {
  const w = workspace('sql');
  cleanups.push(() => w.cleanup());
  return w;
}

function commands(r: BundleResult, name: string): { props: Record<string, string>; message: string }[] {
  return visibleLines(r)
    .map((l) => parseWorkflowCommand(l) as { command: string; props: Record<string, string>; message: string } | undefined)
    .filter((c): c is { command: string; props: Record<string, string>; message: string } => c?.command === name);
}

function log(r: BundleResult): string {
  return visibleLines(r).join('\n');
}

async function advisoryLocks(url: string): Promise<number> {
  const db = new URL(url).pathname.slice(1);
  const r = await query<{ n: number }>(url, `select count(*)::int as n from pg_locks l join pg_database d on d.oid = l.database where l.locktype = 'advisory' and d.datname = $1`, [db]);
  return r[0].n;
}

test.each([
  ['sql', ['0001_users', '0002_orders', '0003_users_email_index', '00010_status_enum'], /\| 0003_users_email_index \| .* \| no-transaction \(CREATE INDEX CONCURRENTLY at line 2\) \|/],
  ['prisma', ['20240101000000_init', '20240115093000_posts', '20240201000000_post_index'], /\| 20240201000000_post_index \| .* \| no-transaction \(CREATE INDEX CONCURRENTLY at line 1\) \|/],
  ['drizzle', ['0000_init', '0001_handles'], /\| 0001_handles \| .* \| transaction \|/],
] as const)('%s fixture applies from empty; a second run applies nothing, reports up-to-date, parses nothing, and is quick', async (kind, names, summaryLine) => {
  const { url } = await fresh(`bun_${kind}`);
  const w = workspace(kind);
  cleanups.push(() => w.cleanup());
  const first = await runStageBundle('migrate', { 'database-url': url }, { cwd: w.dir });
  expect(first.code).toBe(0);
  const head = names[names.length - 1];
  expect(first.outputs).toMatchObject({ status: 'applied', 'applied-count': String(names.length), 'pending-count': '0', 'ledger-head': head });
  expect(JSON.parse(first.outputs.applied)).toEqual(names);
  expect(first.outputs['schema-fingerprint']).toMatch(/^[0-9a-f]{64}$/);
  expect(first.summary).toMatch(summaryLine);
  expect(leakedForms(first, { urls: [url] })).toEqual([]);

  const second = await runStageBundle('migrate', { 'database-url': url }, { cwd: w.dir });
  expect(second.code).toBe(0);
  expect(second.outputs).toMatchObject({ status: 'up-to-date', 'applied-count': '0', applied: '[]', 'ledger-head': head, 'pending-count': '0' });
  expect(second.outputs['schema-fingerprint']).toBe(first.outputs['schema-fingerprint']);
  // The stage's own measurement of the up-to-date check (connect, lock, ledger, checksums, fingerprint).
  const m = new RegExp(`Up to date: ${names.length} applied, nothing pending \\(checked in (\\d+(?:\\.\\d+)?)(ms|s); no SQL parsed\\)`).exec(log(second));
  expect(m).not.toBeNull();
  const checkedMs = Number(m?.[1]) * (m?.[2] === 's' ? 1000 : 1);
  // Generous functional bounds only (this 2-core machine is shared): the acceptance line's "under 1 s" is measured
  // by bench/migrate.mjs (500 migrations: ~140 ms inside the stage, ~340 ms wall including node start-up).
  expect(checkedMs).toBeLessThan(3000);
  expect(second.durationMs).toBeLessThan(10_000);
});

test('a failing statement is annotated at its file and line; exit 1; ledger and schema unchanged', async () => {
  const { url } = await fresh('bun_fail');
  const w = sqlWorkspace();
  expect((await runStageBundle('migrate', { 'database-url': url }, { cwd: w.dir })).code).toBe(0);
  writeFileSync(
    join(w.migrations, '00011_broken.sql'),
    ['CREATE TABLE audit (id int);', '-- second', 'ALTER TABLE users ADD COLUMN nickname text;', "INSERT INTO audit VALUES ('x');", 'CREATE INDEX a_i ON audit (id);', 'DROP TABLE orders;'].join('\n'),
  );
  const before = await query(url, 'select name from shipgate_migrations order by name');
  const r = await runStageBundle('migrate', { 'database-url': url }, { cwd: w.dir });
  expect(r.code).toBe(1);
  expect(r.outputs.status).toBe('failed');
  const errors = commands(r, 'error');
  expect(errors.some((e) => e.props.file === 'db/migrations/00011_broken.sql' && e.props.line === '4' && /invalid input syntax/.test(e.message))).toBe(true);
  expect(await query(url, 'select name from shipgate_migrations order by name')).toEqual(before);
  expect(await query(url, `select to_regclass('audit') as t`)).toEqual([{ t: null }]);
});

test('two runs started together: each migration applied exactly once; the second waits, then reports up-to-date', async () => {
  const { url } = await fresh('bun_race');
  const w = sqlWorkspace();
  writeFileSync(join(w.migrations, '0005_slow.sql'), 'CREATE TABLE slow_done (id int);\nSELECT pg_sleep(3);\n');
  const [a, b] = await Promise.all([
    runStageBundle('migrate', { 'database-url': url, 'lock-wait': '60s' }, { cwd: w.dir }),
    runStageBundle('migrate', { 'database-url': url, 'lock-wait': '60s' }, { cwd: w.dir }),
  ]);
  expect([a.code, b.code]).toEqual([0, 0]);
  const statuses = [a.outputs.status, b.outputs.status].sort();
  expect(statuses).toEqual(['applied', 'up-to-date']);
  const waiter = a.outputs.status === 'up-to-date' ? a : b;
  expect(log(waiter)).toMatch(/holds the migration lock; waiting/);
  const rows = await query<{ name: string; n: number }>(url, 'select name, count(*)::int as n from shipgate_migrations group by name order by name');
  expect(rows).toHaveLength(5);
  expect(rows.every((r) => r.n === 1)).toBe(true);
  expect(await advisoryLocks(url)).toBe(0);
});

test("terminating the migrator's backend mid-migration leaves no lock and no partial migration; the next run applies it", async () => {
  const { url } = await fresh('bun_kill');
  const w = sqlWorkspace();
  await query(url, 'CREATE TABLE test_control (secs float8); INSERT INTO test_control VALUES (60)');
  writeFileSync(join(w.migrations, '0005_slow.sql'), 'CREATE TABLE slow_marker (id int);\nSELECT pg_sleep((SELECT secs FROM test_control));\nCREATE TABLE after_sleep (id int);\n');
  const running = runStageBundle('migrate', { 'database-url': url }, { cwd: w.dir });
  const dbName = new URL(url).pathname.slice(1);
  let killed = false;
  for (let i = 0; i < 600 && !killed; i++) {
    const rows = await query<{ ok: boolean }>(
      url,
      `select pg_terminate_backend(pid) as ok from pg_stat_activity where datname = $1 and application_name = 'shipgate-migrate' and state = 'active' and query like '%pg_sleep%'`,
      [dbName],
    );
    killed = rows.some((r) => r.ok);
    if (!killed) await new Promise((r) => setTimeout(r, 50));
  }
  expect(killed).toBe(true);
  const r = await running;
  expect(r.code).toBe(1);
  expect(r.outputs.status).toBe('failed');
  expect(log(r)).toMatch(/terminat/i);
  expect(await advisoryLocks(url)).toBe(0);
  expect(await query(url, `select to_regclass('slow_marker') as t`)).toEqual([{ t: null }]);
  expect(await query(url, `select name from shipgate_migrations where name = '0005_slow'`)).toEqual([]);

  await query(url, 'UPDATE test_control SET secs = 0');
  const next = await runStageBundle('migrate', { 'database-url': url }, { cwd: w.dir });
  expect(next.code).toBe(0);
  expect(JSON.parse(next.outputs.applied)).toEqual(['0005_slow', '00010_status_enum']);
  expect(await query(url, `select to_regclass('after_sleep')::text as t`)).toEqual([{ t: 'after_sleep' }]);
});

describe('refused before any connection', () => {
  let server: Server;
  let connections = 0;
  let port = 0;
  beforeAll(async () => {
    server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test.each([
    [`pgbouncer=true`, () => `postgres://app:s3cr3t-pw@127.0.0.1:${port}/db?pgbouncer=true`, /pgbouncer=true; use a direct/],
    ['Neon -pooler host', () => `postgres://app:s3cr3t-pw@ep-cool-123-pooler.us-east-2.aws.neon.tech/db`, /-pooler/],
    ['Supabase port 6543', () => `postgres://app:s3cr3t-pw@db.abc.supabase.co:6543/postgres`, /port 6543/],
  ])('%s', async (_label, url, message) => {
    const w = sqlWorkspace();
    const r = await runStageBundle('migrate', { 'database-url': url() }, { cwd: w.dir });
    expect(r.code).toBe(1);
    expect(log(r)).toMatch(message);
    expect(log(r)).toMatch(/Input 'database-url'/);
    expect(connections).toBe(0);
    expect(leakedForms(r, { plain: ['s3cr3t-pw'] })).toEqual([]);
  });

  test('a MongoDB URL without command is a clear input error', async () => {
    const w = sqlWorkspace();
    const r = await runStageBundle('migrate', { 'database-url': 'mongodb://u:s3cr3t-pw@127.0.0.1:27017/app' }, { cwd: w.dir });
    expect(r.code).toBe(1);
    expect(log(r)).toMatch(/MongoDB is migrated only through `command`/);
  });
});

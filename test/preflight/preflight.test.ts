/**
 * runPreflight directly: real PostgreSQL (ledger, health, blocking sessions, connection usage), a fake
 * ProcessRunner for the package-manager audit, the Vercel stand-in, RecordingLogger and ManualClock.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { ManualClock } from '../../src/lib/clock.js';
import { RecordingLogger } from '../../src/lib/logger.js';
import { ledgerDdl, ledgerLocation, sha256 } from '../../src/lib/migrations/index.js';
import { NodeProcessRunner, type ProcessResult, type ProcessRunner, type SpawnOptions } from '../../src/lib/process.js';
import { Masker } from '../../src/lib/secrets.js';
import { Summary } from '../../src/lib/summary.js';
import { connect } from '../../src/lib/postgres.js';
import { Inputs, mapInputSource } from '../../src/lib/inputs.js';
import { parseAuditOutput } from '../../src/preflight/audit.js';
import { readHealth } from '../../src/preflight/database.js';
import { readPreflightSettings } from '../../src/preflight/inputs.js';
import { runPreflight, type PreflightDeps } from '../../src/preflight/preflight.js';
import { createVercelProjectPort } from '../../src/preflight/vercel-port.js';
import { classifyTypeChange, fromParsed, parseFormatType } from '../../src/preflight/type-change.js';
import { createDatabase, query, type TestDatabase } from '../support/postgres.js';
import { startVercelStandin, type VercelStandin } from '../support/vercel-standin.js';

let db: TestDatabase;
const dirs: string[] = [];

beforeAll(async () => {
  db = await createDatabase('preflight_logic');
  await query(db.url, 'CREATE TABLE orders (id bigint PRIMARY KEY, status text)');
  await query(db.url, 'INSERT INTO orders SELECT g, $1 FROM generate_series(1, 20000) g', ['new']);
  await query(db.url, 'ANALYZE orders');
});
afterAll(async () => {
  await db?.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-preflight-logic-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Records every command; answers from a table keyed by the command line. */
class FakeProcesses implements ProcessRunner {
  readonly calls: { command: string; args: string[]; options?: SpawnOptions }[] = [];
  constructor(private readonly answers: Record<string, Partial<ProcessResult>> = {}) {}
  spawn(): never {
    throw new Error('not used');
  }
  async run(command: string, args: string[], options?: SpawnOptions): Promise<ProcessResult> {
    this.calls.push({ command, args, options });
    const a = this.answers[[command, ...args].join(' ')];
    if (!a) throw new Error(`${command}: not found`);
    return { code: 0, signal: null, stdout: '', stderr: '', ...a };
  }
}

function settings(values: Record<string, string>) {
  return readPreflightSettings(new Inputs(mapInputSource({ 'audit-level': 'none', ...values })));
}

function deps(over: Partial<PreflightDeps> & { workspace: string }): PreflightDeps & { logger: RecordingLogger } {
  return {
    logger: new RecordingLogger(),
    summary: new Summary(),
    clock: new ManualClock(Date.UTC(2026, 2, 31, 9, 0)), // Tue 11:00 Berlin
    env: {},
    processes: new FakeProcesses(),
    masker: new Masker(),
    connect: (url) => connect(url, 'shipgate-preflight-test'),
    ...over,
  } as PreflightDeps & { logger: RecordingLogger };
}

describe('ledger and pending migrations', () => {
  test('only pending migrations are linted; modified/missing ledger rows are reported and missing blocks deploy', async () => {
    const ledgerDb = await createDatabase('preflight_ledger');
    try {
      const applied = 'CREATE TABLE t1 (id bigint PRIMARY KEY);\n';
      const cwd = workspace({
        'db/migrations/001_t1.sql': applied + '-- edited after apply\n',
        'db/migrations/002_drop.sql': 'DROP TABLE t1;\n',
      });
      for (const ddl of ledgerDdl(ledgerLocation('sql'))) await query(ledgerDb.url, ddl);
      await query(ledgerDb.url, 'INSERT INTO shipgate_migrations (name, checksum, execution_ms) VALUES ($1, $2, 1), ($3, $4, 1)', ['001_t1', sha256(applied), '000_gone', sha256('x')]);
      const d = deps({ workspace: cwd });
      const r = await runPreflight(settings({ mode: 'deploy', 'database-url': ledgerDb.url, 'allow-destructive': 'true' }), d);
      expect(r.pending).toEqual(['002_drop']);
      expect(r.linted).toEqual(['db/migrations/002_drop.sql']);
      expect(r.findings.map((f) => f.rule)).toEqual(['ban-drop-table', 'require-lock-timeout']);
      expect(r.ledgerProblems.map((p) => `${p.kind}:${p.name}`).sort()).toEqual(['missing:000_gone', 'modified:001_t1']);
      expect(r.gates.filter((g) => g.gate === 'ledger').map((g) => g.status).sort()).toEqual(['block', 'warn']);
      expect(r.ok).toBe(false);
      expect(r.blockedReason).toContain('ledger: missing');
      expect(r.destructive).toBe(true);
      expect(r.gates.find((g) => g.gate === 'destructive')).toMatchObject({ status: 'pass' });
    } finally {
      await ledgerDb.drop();
    }
  });
});

describe('database health gates', () => {
  test('a session blocking another blocks the deploy; the report names the pids, never the query text', async () => {
    const cwd = workspace({});
    const holder = new pg.Client({ connectionString: db.url, application_name: 'long-holder' });
    const waiter = new pg.Client({ connectionString: db.url, application_name: 'waiter' });
    await holder.connect();
    await waiter.connect();
    try {
      await holder.query('BEGIN');
      await holder.query("UPDATE orders SET status = 'secret-marker' WHERE id = 1");
      const waiting = waiter.query("UPDATE orders SET status = 'x' WHERE id = 1").catch(() => undefined);
      // Wait until the waiter is really blocked.
      for (let i = 0; i < 50; i++) {
        const rows = await query(db.url, "select 1 from pg_stat_activity where application_name = 'waiter' and wait_event_type = 'Lock'");
        if (rows.length) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      const r = await runPreflight(settings({ mode: 'deploy', 'database-url': db.url }), deps({ workspace: cwd }));
      const gate = r.gates.find((g) => g.gate === 'blocking-sessions')!;
      expect(gate.status).toBe('block');
      expect(gate.detail).toMatch(/pid \d+ \(long-holder, idle in transaction, \d+s\) blocks \d+/);
      expect(r.blockedReason).toContain('blocking-sessions');
      expect(JSON.stringify(r)).not.toContain('secret-marker');
      await holder.query('ROLLBACK');
      await waiting;
    } finally {
      await holder.end();
      await waiter.end();
    }
  });

  test('connection usage above max-connection-usage blocks; below passes; health lands in the summary', async () => {
    const cwd = workspace({});
    // Hold enough extra connections to exceed 2% of the usable ones, then allow only 2%.
    const [{ max, reserved }] = await query<{ max: number; reserved: number }>(db.url, "select current_setting('max_connections')::int as max, current_setting('superuser_reserved_connections')::int as reserved");
    const extra = Array.from({ length: Math.ceil((max - reserved) * 0.02) + 1 }, () => new pg.Client({ connectionString: db.url }));
    await Promise.all(extra.map((c) => c.connect()));
    try {
      const blocked = await runPreflight(settings({ mode: 'deploy', 'database-url': db.url, 'max-connection-usage': '2' }), deps({ workspace: cwd }));
      expect(blocked.gates.find((g) => g.gate === 'connections')).toMatchObject({ status: 'block' });
      expect(blocked.blockedReason).toMatch(new RegExp(`connections: \\d+ of ${max - reserved} usable connections in use \\([\\d.]+% > 2%\\)`));
    } finally {
      await Promise.all(extra.map((c) => c.end()));
    }
    const d = deps({ workspace: cwd });
    const fine = await runPreflight(settings({ mode: 'deploy', 'database-url': db.url }), d);
    expect(fine.gates.find((g) => g.gate === 'connections')).toMatchObject({ status: 'pass' });
    expect(fine.ok).toBe(true);
    expect(fine.health?.version).toMatch(/^\d+/);
    expect(d.summary.toString()).toMatch(/PostgreSQL \d+.*database size/);
  });

  test('an unreachable database blocks deploy mode but pr mode lints without sizes', async () => {
    const cwd = workspace({ 'db/migrations/001.sql': 'CREATE INDEX o_s ON orders (status);\n' });
    const bad = 'postgres://nobody:pw@127.0.0.1:1/none';
    const dep = await runPreflight(settings({ mode: 'deploy', 'database-url': bad }), deps({ workspace: cwd }));
    expect(dep.ok).toBe(false);
    expect(dep.blockedReason).toMatch(/^database: database unreachable: cannot connect to postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none/);
    const pr = await runPreflight(settings({ mode: 'pr', 'database-url': bad }), deps({ workspace: cwd }));
    expect(pr.findings[0]).toMatchObject({ rule: 'require-concurrent-index-creation', severity: 'warning' });
    expect(pr.findings[0].rows).toBeUndefined();
    expect(pr.ok).toBe(true);
  });

  test('sizes grade the finding: 20,000 rows is a warning, naming the table size', async () => {
    const cwd = workspace({ 'db/migrations/001.sql': 'CREATE INDEX o_s ON orders (status);\n' });
    const r = await runPreflight(settings({ mode: 'pr', 'database-url': db.url }), deps({ workspace: cwd }));
    expect(r.findings[0]).toMatchObject({ rule: 'require-concurrent-index-creation', severity: 'warning', table: 'orders', rows: 20000 });
    expect(r.findings[0].bytes).toBeGreaterThan(500_000);
  });
});

describe('destructive gate', () => {
  const cwd = () => workspace({ 'db/migrations/001.sql': 'ALTER TABLE orders RENAME COLUMN status TO state;\n' });
  test('blocks deploy mode; allow-destructive or an emergency with a reason passes it', async () => {
    const blocked = await runPreflight(settings({ mode: 'pr' }), deps({ workspace: cwd() }));
    expect(blocked.destructive).toBe(true);
    expect(blocked.ok).toBe(true); // pr mode: a warning, below fail-on=error
    const dep = await runPreflight(settings({ mode: 'deploy', 'database-url': db.url }), deps({ workspace: cwd() }));
    expect(dep.blockedReason).toMatch(/^destructive: destructive changes \(renaming-column\)/);
    const allowed = await runPreflight(settings({ mode: 'deploy', 'database-url': db.url, 'allow-destructive': 'true' }), deps({ workspace: cwd() }));
    expect(allowed.ok).toBe(true);
    const d = deps({ workspace: cwd() });
    const emergency = await runPreflight(settings({ mode: 'deploy', 'database-url': db.url, emergency: 'true', 'emergency-reason': 'hotfix INC-7' }), d);
    expect(emergency.ok).toBe(true);
    expect(emergency.gates.find((g) => g.gate === 'destructive')).toMatchObject({ status: 'warn' });
    expect(d.logger.of('warning').map((r) => r.message)).toContain('Emergency deploy: hotfix INC-7');
  });
});

describe('deploy window with the injected clock', () => {
  test('inside passes; outside blocks with the local time', async () => {
    const s = settings({ mode: 'deploy', 'database-url': db.url, 'deploy-window': 'Tue-Thu 10:00-14:00 Europe/Berlin' });
    const inside = await runPreflight(s, deps({ workspace: workspace({}), clock: new ManualClock(Date.UTC(2026, 2, 31, 9, 0)) }));
    expect(inside.gates.find((g) => g.gate === 'deploy-window')).toMatchObject({ status: 'pass' });
    const outside = await runPreflight(s, deps({ workspace: workspace({}), clock: new ManualClock(Date.UTC(2026, 3, 4, 9, 0)) }));
    expect(outside.blockedReason).toBe('deploy-window: outside the deploy window Tue-Thu 10:00-14:00 Europe/Berlin (now Sat 11:00 Europe/Berlin); wait for the window or deploy as an emergency with a reason');
  });
});

describe('package-manager audit', () => {
  const npmReport = (critical: number, high: number) => JSON.stringify({ auditReportVersion: 2, vulnerabilities: {}, metadata: { vulnerabilities: { info: 0, low: 3, moderate: 2, high, critical, total: 5 + high + critical } } });

  test('npm detected from package-lock.json; blocks at or above the level; runs in the workspace', async () => {
    const cwd = workspace({ 'package-lock.json': '{}' });
    const processes = new FakeProcesses({ 'npm audit --json': { code: 1, stdout: npmReport(1, 2) } });
    const r = await runPreflight(settings({ mode: 'deploy', 'database-url': db.url, 'audit-level': 'critical' }), deps({ workspace: cwd, processes }));
    expect(processes.calls[0]).toMatchObject({ command: 'npm', args: ['audit', '--json'], options: { cwd } });
    expect(r.blockedReason).toBe('audit: npm audit: 1 critical, 2 high, 2 moderate, 3 low (blocking at critical and above)');
    const ok = await runPreflight(settings({ mode: 'deploy', 'database-url': db.url, 'audit-level': 'critical' }), deps({ workspace: cwd, processes: new FakeProcesses({ 'npm audit --json': { stdout: npmReport(0, 2) } }) }));
    expect(ok.gates.find((g) => g.gate === 'audit')).toMatchObject({ status: 'pass' });
    const high = await runPreflight(settings({ mode: 'deploy', 'database-url': db.url, 'audit-level': 'high' }), deps({ workspace: cwd, processes: new FakeProcesses({ 'npm audit --json': { stdout: npmReport(0, 2) } }) }));
    expect(high.gates.find((g) => g.gate === 'audit')).toMatchObject({ status: 'block' });
  });

  test('pnpm and yarn are detected from their lockfiles and their JSON is parsed', async () => {
    const pnpm = new FakeProcesses({ 'pnpm audit --json': { stdout: npmReport(0, 1) } });
    const r1 = await runPreflight(settings({ mode: 'deploy', 'database-url': db.url, 'audit-level': 'high' }), deps({ workspace: workspace({ 'pnpm-lock.yaml': 'lockfileVersion: 9' }), processes: pnpm }));
    expect(r1.audit).toMatchObject({ manager: 'pnpm', blocking: 1 });
    const summary = JSON.stringify({ type: 'auditSummary', data: { vulnerabilities: { info: 0, low: 0, moderate: 4, high: 0, critical: 0 } } });
    const yarn = new FakeProcesses({ 'yarn audit --json': { stdout: `{"type":"auditAdvisory","data":{}}\n${summary}\n` } });
    const r2 = await runPreflight(settings({ mode: 'deploy', 'database-url': db.url, 'audit-level': 'moderate' }), deps({ workspace: workspace({ 'yarn.lock': '# yarn lockfile v1\n' }), processes: yarn }));
    expect(r2.audit).toMatchObject({ manager: 'yarn-classic', blocking: 4 });
    expect(parseAuditOutput('yarn-berry', '{"value":"a","children":{"Severity":"high"}}\n{"value":"b","children":{"Severity":"critical"}}\n')).toEqual({ low: 0, moderate: 0, high: 1, critical: 1 });
  });

  test('an audit that cannot run warns and does not block; no lockfile is reported', async () => {
    const r = await runPreflight(settings({ mode: 'deploy', 'database-url': db.url, 'audit-level': 'high' }), deps({ workspace: workspace({ 'package-lock.json': '{}' }), processes: new FakeProcesses() }));
    expect(r.gates.find((g) => g.gate === 'audit')).toMatchObject({ status: 'warn' });
    expect(r.gates.find((g) => g.gate === 'audit')?.detail).toContain('npm audit --json could not run');
    expect(r.ok).toBe(true);
    const none = await runPreflight(settings({ mode: 'deploy', 'database-url': db.url, 'audit-level': 'high' }), deps({ workspace: workspace({}) }));
    expect(none.gates.find((g) => g.gate === 'audit')?.detail).toContain('no package-lock.json');
  });
});

describe('Vercel project check (stand-in)', () => {
  let vercel: VercelStandin;
  beforeAll(async () => {
    vercel = await startVercelStandin({
      token: 'vrcl_preflight',
      envs: [
        { key: 'API_KEY', value: 'v1', target: ['production', 'preview'] },
        { key: 'PREVIEW_ONLY', value: 'v2', target: ['preview'] },
      ],
    });
  });
  afterAll(async () => {
    await vercel.close();
  });

  test('names the required variables missing for the target; a bad token blocks as unreachable', async () => {
    const project = [...vercel.state.projects.values()][0];
    const s = settings({ mode: 'deploy', 'database-url': db.url, environment: 'production', 'required-env': 'API_KEY\nPREVIEW_ONLY' });
    const env = { API_KEY: 'x'.repeat(10), PREVIEW_ONLY: 'y'.repeat(10) };
    const r = await runPreflight(s, deps({ workspace: workspace({}), env, vercel: createVercelProjectPort({ token: vercel.token, projectId: project.id, serverURL: vercel.url }) }));
    expect(r.gates.find((g) => g.gate === 'vercel')).toEqual({ gate: 'vercel', status: 'block', detail: 'missing on Vercel for production: PREVIEW_ONLY' });
    const bad = await runPreflight(s, deps({ workspace: workspace({}), env, vercel: createVercelProjectPort({ token: 'wrong', projectId: project.id, serverURL: vercel.url }) }));
    expect(bad.gates.find((g) => g.gate === 'vercel')?.detail).toMatch(/^Vercel project not reachable: .*403/);
    expect(JSON.stringify(bad)).not.toContain('v2');
  });
});

describe('reporting', () => {
  test('one annotation per finding on its line; beyond 10 errors the rest are summarised', async () => {
    const sql = Array.from({ length: 13 }, (_, i) => `DROP DATABASE db${i};`).join('\n') + '\n';
    const d = deps({ workspace: workspace({ 'db/migrations/001.sql': sql }) });
    const r = await runPreflight(settings({ mode: 'pr' }), d);
    expect(r.ok).toBe(false);
    const errors = d.logger.of('error').filter((e) => e.annotation?.file);
    expect(errors).toHaveLength(13);
    expect(errors[12].annotation).toMatchObject({ file: 'db/migrations/001.sql', startLine: 13, title: 'ban-drop-database' });
    expect(d.logger.of('info').map((l) => l.message)).toContain('3 more errors than the annotation limit: all findings are in the job summary and the findings output');
  });

  test('suppressions are listed in the summary with their reasons', async () => {
    const d = deps({ workspace: workspace({ 'db/migrations/001.sql': '-- shipgate-ignore ban-drop-table: archived in INC-9\nDROP TABLE old;\n' }) });
    const r = await runPreflight(settings({ mode: 'pr' }), d);
    expect(r.findings.filter((f) => f.rule === 'ban-drop-table')).toEqual([]);
    expect(d.summary.toString()).toContain('db/migrations/001.sql:1 (whole file) `ban-drop-table`: archived in INC-9');
  });
});

describe('column type changes against the live column', () => {
  test('classification: coercible, narrowing, rewrite', () => {
    const c = (from: string, to: { name: string; mods: number[] }) => classifyTypeChange(parseFormatType(from), fromParsed(to));
    expect(c('character varying(40)', { name: 'text', mods: [] })).toBe('coercible');
    expect(c('character varying(40)', { name: 'varchar', mods: [80] })).toBe('coercible');
    expect(c('character varying(40)', { name: 'varchar', mods: [20] })).toBe('narrowing');
    expect(c('text', { name: 'varchar', mods: [20] })).toBe('narrowing');
    expect(c('bigint', { name: 'int4', mods: [] })).toBe('narrowing');
    expect(c('integer', { name: 'int8', mods: [] })).toBe('rewrite');
    expect(c('numeric(10,2)', { name: 'numeric', mods: [12, 2] })).toBe('coercible');
    expect(c('numeric(10,2)', { name: 'numeric', mods: [10, 0] })).toBe('narrowing');
    expect(c('double precision', { name: 'float4', mods: [] })).toBe('narrowing');
    expect(c('timestamp(3) with time zone', { name: 'date', mods: [] })).toBe('narrowing');
  });

  test('live: widening varchar is information; narrowing bigint to integer is destructive and blocks deploy', async () => {
    const tdb = await createDatabase('preflight_types');
    try {
      await query(tdb.url, 'CREATE TABLE accounts (id bigint PRIMARY KEY, email varchar(40), balance bigint)');
      await query(tdb.url, 'INSERT INTO accounts SELECT g, g::text, g FROM generate_series(1, 50000) g');
      await query(tdb.url, 'ANALYZE accounts');
      const cwd = workspace({ 'db/migrations/001.sql': 'ALTER TABLE accounts ALTER COLUMN email TYPE text;\nALTER TABLE accounts ALTER COLUMN balance TYPE integer;\n' });
      const r = await runPreflight(settings({ mode: 'deploy', 'database-url': tdb.url, 'fail-on': 'never' }), deps({ workspace: cwd }));
      const byCol = Object.fromEntries(r.findings.filter((f) => f.rule === 'changing-column-type').map((f) => [f.column, f]));
      expect(byCol.email).toMatchObject({ severity: 'info', destructive: false });
      expect(byCol.email.message).toContain('from character varying(40) to text is binary-coercible');
      expect(byCol.balance).toMatchObject({ severity: 'warning', destructive: true, rows: 50000 });
      expect(byCol.balance.message).toContain('narrows bigint to integer');
      expect(r.destructive).toBe(true);
      expect(r.blockedReason).toMatch(/^destructive: destructive changes \(changing-column-type\)/);
    } finally {
      await tdb.drop();
    }
  });
});

describe('pull requests: only the files the PR changed are reported', () => {
  test('earlier pending files give context but are not reported; without the base ref it says so', async () => {
    const cwd = workspace({ 'db/migrations/001_old.sql': 'CREATE TABLE fresh (id bigint PRIMARY KEY, n bigint);\nDROP TABLE legacy;\n' });
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd, stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'base');
    git('update-ref', 'refs/remotes/origin/main', 'HEAD');
    writeFileSync(join(cwd, 'db/migrations/002_pr.sql'), 'CREATE INDEX fresh_n ON fresh (n);\nALTER TABLE orders ALTER COLUMN status TYPE varchar(10);\n');
    git('add', '.');
    git('commit', '-q', '-m', 'pr');
    const processes = new NodeProcessRunner(new RecordingLogger(), new Masker());
    const r = await runPreflight(settings({ mode: 'pr' }), deps({ workspace: cwd, processes, baseRef: 'main' }));
    // 001's DROP TABLE is not this PR's; the index on a table created by a pending migration is not flagged.
    expect([...new Set(r.findings.map((f) => f.file))]).toEqual(['db/migrations/002_pr.sql']);
    expect(r.findings.map((f) => f.rule)).toContain('changing-column-type');
    expect(r.findings.map((f) => f.rule)).not.toContain('require-concurrent-index-creation');
    expect(r.gates.find((g) => g.gate === 'lint')?.detail).toContain('1 migration changed by this pull request reported');
    const noBase = await runPreflight(settings({ mode: 'pr' }), deps({ workspace: cwd, processes, baseRef: 'release' }));
    expect(noBase.findings.map((f) => f.file)).toContain('db/migrations/001_old.sql');
    expect(noBase.gates.find((g) => g.gate === 'lint')?.detail).toContain('could not tell which files the pull request changed');
  });
});

describe('more health and ledger facts', () => {
  test('long-running transactions are listed with pid and state, never their query text', async () => {
    const holder = new pg.Client({ connectionString: db.url, application_name: 'slow-report' });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query("SELECT 'hidden-query-text'");
      const session = await connect(db.url);
      try {
        const h = await readHealth(session, 0);
        const t = h.longTransactions.find((x) => x.application === 'slow-report');
        expect(t).toMatchObject({ state: 'idle in transaction' });
        expect(JSON.stringify(h)).not.toContain('hidden-query-text');
      } finally {
        await session.end();
      }
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
  });

  test('a failed Prisma migration (P3009) blocks the deploy; its folder is linted as pending', async () => {
    const pdb = await createDatabase('preflight_prisma');
    try {
      const cwd = workspace({
        'prisma/migrations/20240101000000_init/migration.sql': 'CREATE TABLE "User" (id bigint PRIMARY KEY);\n',
        'prisma/migrations/20240201000000_idx/migration.sql': 'CREATE INDEX "User_id" ON "User" (id);\nCREATE INDEX CONCURRENTLY "User_id2" ON "User" (id);\n',
        'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
      });
      for (const ddl of ledgerDdl(ledgerLocation('prisma'))) await query(pdb.url, ddl);
      await query(pdb.url, `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count) VALUES ('a', $1, '20240101000000_init', now(), NULL, 0)`, [sha256('x')]);
      const r = await runPreflight(settings({ mode: 'deploy', 'database-url': pdb.url }), deps({ workspace: cwd }));
      expect(r.blockedReason).toMatch(/ledger: failed: migration 20240101000000_init failed in an earlier run/);
      expect(r.pending).toEqual(['20240201000000_idx']);
      // Prisma <= 6 sends a multi-statement file as one implicit transaction: CONCURRENTLY fails there.
      expect(r.findings.map((f) => f.rule)).toContain('ban-concurrent-index-creation-in-transaction');
    } finally {
      await pdb.drop();
    }
  });
});

describe('required variables and the masker', () => {
  test('values are masked before anything is printed, but short flags are not (outputs stay readable)', async () => {
    const masker = new Masker();
    const env = { API_KEY: 'sk_live_0123456789abcdef', FEATURE_X: 'true' };
    const r = await runPreflight(settings({ mode: 'deploy', 'database-url': db.url, 'required-env': 'API_KEY: min-length=64\nFEATURE_X' }), deps({ workspace: workspace({}), env, masker }));
    expect(masker.redact('key=sk_live_0123456789abcdef ok=true')).toBe('key=*** ok=true');
    expect(r.blockedReason).toBe('required-env: API_KEY is too short (24 characters, at least 64 required)');
  });
});

describe('index-only statements are graded by their table', () => {
  test('DROP INDEX on the 20,000-row orders table names the table and its size', async () => {
    await query(db.url, 'CREATE INDEX IF NOT EXISTS orders_status_idx ON orders (status)');
    const cwd = workspace({ 'db/migrations/001.sql': 'DROP INDEX orders_status_idx;\n' });
    const r = await runPreflight(settings({ mode: 'pr', 'database-url': db.url }), deps({ workspace: cwd }));
    expect(r.findings.find((f) => f.rule === 'require-concurrent-index-deletion')).toMatchObject({ table: 'orders', rows: 20000, severity: 'warning' });
  });
});

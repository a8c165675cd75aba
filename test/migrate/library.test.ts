/** The shared migrations library without a database: folder order per tool, ledger checks, statement plans. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkLedger,
  detectMigrations,
  loadParser,
  migrationStatements,
  planMigration,
  sha256,
  type LedgerRow,
} from '../../src/lib/migrations/index.js';
import { workspace } from './helpers.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'shipgate-lib-'));
}

describe('detectMigrations', () => {
  test('SQL folders run in numeric id order, not name order; .down.sql ignored', () => {
    const dir = tmp();
    try {
      mkdirSync(join(dir, 'migrations'));
      for (const f of ['0002_b.sql', '00010_c.sql', '0001_a.sql', '0003_d.up.sql', '0003_d.down.sql', 'README.md']) writeFileSync(join(dir, 'migrations', f), 'select 1;');
      const folder = detectMigrations(dir);
      expect(folder.format).toBe('sql');
      expect(folder.dir).toBe('migrations');
      expect(folder.migrations.map((m) => m.name)).toEqual(['0001_a', '0002_b', '0003_d', '00010_c']);
      expect(folder.migrations[0].file).toBe('migrations/0001_a.sql');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Prisma folders sort byte-wise and the checksum is sha256 of the raw file', () => {
    const ws = workspace('prisma');
    try {
      mkdirSync(join(ws.migrations, '20240101000000_Zeta'));
      writeFileSync(join(ws.migrations, '20240101000000_Zeta', 'migration.sql'), 'select 1;\r\n');
      const folder = detectMigrations(ws.dir);
      expect(folder.format).toBe('prisma');
      // 'Z' (0x5A) sorts before 'i' (0x69) byte-wise; a locale sort would put _init first.
      expect(folder.migrations.map((m) => m.name)).toEqual(['20240101000000_Zeta', '20240101000000_init', '20240115093000_posts', '20240201000000_post_index']);
      expect(folder.migrations[0].checksum).toBe(sha256(Buffer.from('select 1;\r\n')));
    } finally {
      ws.cleanup();
    }
  });

  test('Drizzle follows meta/_journal.json and ignores .sql files not in it', () => {
    const ws = workspace('drizzle');
    try {
      const folder = detectMigrations(ws.dir);
      expect(folder.format).toBe('drizzle');
      expect(folder.migrations.map((m) => [m.name, m.when])).toEqual([
        ['0000_init', 1717000000000],
        ['0001_handles', 1717100000000],
      ]);
    } finally {
      ws.cleanup();
    }
  });

  test('no folder: the error names the folders it looked for', () => {
    const dir = tmp();
    try {
      expect(() => detectMigrations(dir)).toThrow(/prisma\/migrations, drizzle, db\/migrations, migrations/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('checkLedger', () => {
  const ms = ['0001_a', '0002_b', '0003_c'].map((name) => ({ name, file: `m/${name}.sql`, path: '', sql: `-- ${name}\n`, checksum: sha256(`-- ${name}\n`), noTransaction: false }));
  const row = (name: string, checksum = sha256(`-- ${name}\n`), extra: Partial<LedgerRow> = {}): LedgerRow => ({ name, checksum, finished: true, rolledBack: false, ...extra });

  test('pending and head', () => {
    const c = checkLedger('sql', ms, [row('0001_a')]);
    expect(c.pending.map((m) => m.name)).toEqual(['0002_b', '0003_c']);
    expect(c.head).toBe('0001_a');
    expect(c.problems).toEqual([]);
  });

  test('CRLF-only changes are tolerated; real edits are "modified"', () => {
    expect(checkLedger('sql', ms, [row('0001_a', sha256('-- 0001_a\r\n'))]).problems).toEqual([]);
    const c = checkLedger('sql', ms, [row('0001_a', sha256('-- edited\n'))]);
    expect(c.problems.map((p) => p.kind)).toEqual(['modified']);
    expect(checkLedger('sql', ms, [row('0001_a', sha256('x'))], { allowModified: true }).problems[0].allowed).toBe(true);
  });

  test('missing, out-of-order and failed are distinct refusals', () => {
    const c = checkLedger('sql', ms, [row('0000_gone'), row('0001_a'), row('0003_c')]);
    expect(c.problems.map((p) => [p.kind, p.name])).toEqual([
      ['missing', '0000_gone'],
      ['out-of-order', '0002_b'],
    ]);
    const f = checkLedger('prisma', ms, [row('0001_a', undefined, { finished: false, logs: 'boom' })]);
    expect(f.problems.map((p) => p.kind)).toEqual(['failed']);
    expect(f.problems[0].message).toMatch(/prisma migrate resolve/);
    expect(f.pending.map((m) => m.name)).toEqual(['0002_b', '0003_c']);
  });

  test('Drizzle: a pending entry whose when is not after the newest created_at is out-of-order', () => {
    const d = ms.map((m, i) => ({ ...m, when: [100, 300, 200][i] }));
    const c = checkLedger('drizzle', d, [row('0001_a', undefined, { createdAt: 100 }), row('0002_b', undefined, { createdAt: 300 })]);
    expect(c.problems.map((p) => [p.kind, p.name])).toEqual([['out-of-order', '0003_c']]);
  });
});

describe('statement plans (libpg-query)', () => {
  const plan = (sql: string, noTransaction = false) => planMigration({ sql, file: 'f.sql', noTransaction });

  test('transactional file', async () => {
    const p = await plan('create table a (id int);\ninsert into a values (1);\n');
    expect(p.mode).toBe('transaction');
    expect(p.steps).toHaveLength(1);
    expect(p.statements.map((s) => s.kind)).toEqual(['CreateStmt', 'InsertStmt']);
  });

  test.each([
    ['CREATE INDEX CONCURRENTLY i ON a (id)', 'CREATE INDEX CONCURRENTLY'],
    ['DROP INDEX CONCURRENTLY i', 'DROP INDEX CONCURRENTLY'],
    ['REINDEX INDEX CONCURRENTLY i', 'REINDEX CONCURRENTLY'],
    ['VACUUM a', 'VACUUM'],
    ['ALTER SYSTEM SET work_mem = 1', 'ALTER SYSTEM'],
    ['ALTER TABLE p DETACH PARTITION c CONCURRENTLY', 'DETACH PARTITION CONCURRENTLY'],
    ["ALTER TYPE mood ADD VALUE 'meh'", 'ALTER TYPE ... ADD VALUE'],
    ['DO $$ BEGIN FOR i IN 1..3 LOOP UPDATE a SET x = i; COMMIT; END LOOP; END $$', 'DO block with COMMIT/ROLLBACK'],
  ])('%s runs outside a transaction', async (stmt, reason) => {
    const p = await plan(`create table x (id int);\n${stmt};\nselect 1;`);
    expect(p.mode).toBe('mixed');
    expect(p.steps.map((s) => s.transactional)).toEqual([true, false, true]);
    expect(p.steps[1].statements[0].nonTransactional).toBe(reason);
    expect(p.steps[1].statements[0].line).toBe(2);
  });

  test('ANALYZE, RENAME VALUE and a DO block without COMMIT stay transactional', async () => {
    expect((await plan("ANALYZE a; ALTER TYPE mood RENAME VALUE 'a' TO 'b'; DO $$ BEGIN PERFORM 1; END $$;")).mode).toBe('transaction');
  });

  test('own BEGIN/COMMIT: run as written', async () => {
    const p = await plan('BEGIN;\ncreate table a (id int);\nCOMMIT;\n');
    expect(p.mode).toBe('as-written');
    expect(p.reason).toMatch(/line 1/);
  });

  test('no-transaction directive splits every statement into autocommit', async () => {
    const ws = tmp();
    try {
      mkdirSync(join(ws, 'migrations'));
      writeFileSync(join(ws, 'migrations', '1_x.sql'), '-- shipgate:no-transaction\ncreate table a (id int);\ncreate table b (id int);\n');
      const [m] = detectMigrations(ws).migrations;
      expect(m.noTransaction).toBe(true);
      const p = await planMigration(m);
      expect(p.mode).toBe('no-transaction');
      expect(p.steps.map((s) => s.statements[0].line)).toEqual([2, 3]);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });

  test('lines are file lines with multibyte text and Drizzle breakpoints', async () => {
    const parser = await loadParser();
    const sql = "-- héllo wörld ✓\nselect 'ü';\n--> statement-breakpoint\n\n/* c */ create table ñ (id int);";
    const chunks = sql.split('--> statement-breakpoint');
    const sts = migrationStatements(parser, {
      sql,
      file: 'd.sql',
      chunks: [
        { text: chunks[0], offset: 0 },
        { text: chunks[1], offset: Buffer.byteLength(chunks[0]) + Buffer.byteLength('--> statement-breakpoint') },
      ],
    });
    expect(sts.map((s) => [s.line, s.text])).toEqual([
      [2, "select 'ü'"],
      [5, 'create table ñ (id int)'],
    ]);
  });

  test('a syntax error names the file line', async () => {
    await expect(plan('select 1;\n\nselect from where;\n')).rejects.toMatchObject({ name: 'SqlParseError', line: 3 });
  });
});

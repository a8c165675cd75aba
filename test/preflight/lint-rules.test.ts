import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadParser } from '../../src/lib/migrations/statements.js';
import { applyTableStats, lintFiles as lintWith, type LintFile, type LintOptions, type Parser } from '../../src/lib/lint/lint.js';
import { RULES } from '../../src/lib/lint/rules.js';

const FIXTURE = join(process.cwd(), 'test', 'fixtures', 'lint');
const META = new Set(['parse-error', 'suppression-without-reason', 'unknown-suppression', 'unused-suppression']);
const cases = readdirSync(FIXTURE, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

function lintCase(rule: string, kind: 'dangerous' | 'safer') {
  const file = `${rule}/${kind}.sql`;
  return lintFiles([{ file, sql: readFileSync(join(FIXTURE, file), 'utf8') }]);
}

let parser: Parser;
const lintFiles = (files: LintFile[], opts?: LintOptions) => lintWith(parser, files, opts);

beforeAll(async () => {
  parser = await loadParser();
});

describe('lint rule fixture', () => {
  test('covers every non-meta rule, with at least 40 statements', () => {
    const ruleIds = RULES.map((r) => r.id).filter((id) => !META.has(id));
    expect(cases).toEqual([...ruleIds].sort());
    let statements = 0;
    for (const c of cases) statements += lintCase(c, 'dangerous').statements + lintCase(c, 'safer').statements;
    expect(statements).toBeGreaterThanOrEqual(40);
  });

  test.each(cases)('%s fires on the dangerous form, at its line, and not on the safer rewrite', (rule) => {
    const bad = lintCase(rule, 'dangerous');
    const hits = bad.findings.filter((f) => f.rule === rule);
    expect(hits.length).toBeGreaterThanOrEqual(1);
    expect(hits[0].line).toBeGreaterThanOrEqual(2); // line 1 is the fixture's comment
    expect(hits[0].safer.length).toBeGreaterThan(10);
    const good = lintCase(rule, 'safer');
    expect(good.findings.filter((f) => f.rule === rule)).toEqual([]);
    expect(good.findings.filter((f) => f.rule === 'parse-error')).toEqual([]);
  });
});

describe('lint details', () => {
  test('findings carry file, the statement line in a multi-line file, and the statement text', () => {
    const sql = "-- header\n\nCREATE TABLE t (id bigint PRIMARY KEY);\n\n/* c */\n-- another\nALTER TABLE accounts\n  ALTER COLUMN balance TYPE bigint;\n";
    const r = lintFiles([{ file: 'db/migrations/002.sql', sql }]);
    const f = r.findings.find((x) => x.rule === 'changing-column-type');
    expect(f).toMatchObject({ file: 'db/migrations/002.sql', line: 7, table: 'accounts', column: 'balance', severity: 'warning' });
    expect(f?.statement).toBe('ALTER TABLE accounts ALTER COLUMN balance TYPE bigint');
  });

  test('long words inside strings and function bodies are not identifiers', () => {
    const long = 'x'.repeat(70);
    const sql = `COMMENT ON TABLE t IS '${long}';\nCREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $fn$ BEGIN RETURN 1; -- ${long}\nEND $fn$;\nSELECT 1 AS ${long};\n`;
    const hits = lintFiles([{ file: 'a.sql', sql }]).findings.filter((f) => f.rule === 'identifier-too-long');
    expect(hits.map((h) => h.line)).toEqual([4]);
  });

  test('lines stay right after multi-byte characters', () => {
    const sql = "INSERT INTO notes VALUES ('héllo wörld ✓');\nCOMMENT ON TABLE notes IS 'ünïcode';\nDROP TABLE notes;\n";
    const f = lintFiles([{ file: 'x.sql', sql }]).findings.find((x) => x.rule === 'ban-drop-table');
    expect(f?.line).toBe(3);
    expect(f?.statement).toBe('DROP TABLE notes');
  });

  test('a parse error is reported at its file and line', () => {
    const sql = 'CREATE TABLE ok (id bigint);\n\nALTER TABL broken ADD COLUMN x int;\n';
    const r = lintFiles([{ file: 'm/003.sql', sql }]);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ rule: 'parse-error', severity: 'error', file: 'm/003.sql', line: 3 });
    expect(r.findings[0].message).toContain('syntax error');
  });

  test('tables created earlier in the run are new: no lock or rewrite findings for them', () => {
    const r = lintFiles([
      { file: '1.sql', sql: 'CREATE TABLE fresh (id bigint PRIMARY KEY, n bigint);' },
      { file: '2.sql', sql: 'CREATE INDEX fresh_n ON fresh (n);\nALTER TABLE fresh ALTER COLUMN n TYPE numeric;\nCREATE INDEX old_n ON old (n);' },
    ]);
    const rules = r.findings.map((f) => `${f.rule}:${f.table}`);
    expect(rules).not.toContain('require-concurrent-index-creation:fresh');
    expect(rules).not.toContain('changing-column-type:fresh');
    expect(rules).toContain('require-concurrent-index-creation:old');
  });

  test('CONCURRENTLY in a file the tool wraps in a transaction is an error; alone in its file or autocommit is fine', () => {
    const sql = 'SELECT 1;\nCREATE INDEX CONCURRENTLY i ON t (a);';
    const rules = (files: LintFile[], o: LintOptions) => lintFiles(files, o).findings.map((f) => f.rule);
    expect(rules([{ file: 'a.sql', sql }], { transaction: 'file' })).toContain('ban-concurrent-index-creation-in-transaction');
    expect(rules([{ file: 'a.sql', sql: 'CREATE INDEX CONCURRENTLY i ON t (a);' }], { transaction: 'file' })).not.toContain('ban-concurrent-index-creation-in-transaction');
    expect(rules([{ file: 'a.sql', sql: 'CREATE INDEX CONCURRENTLY i ON t (a);' }], { transaction: 'all' })).toContain('ban-concurrent-index-creation-in-transaction');
    expect(rules([{ file: 'a.sql', sql }], { transaction: 'none' })).not.toContain('ban-concurrent-index-creation-in-transaction');
  });

  test('Drizzle chunks: lines are file lines across statement breakpoints', () => {
    const sql = 'CREATE TABLE x (id bigint);\n--> statement-breakpoint\nCREATE INDEX x_id ON old_table (id);\n--> statement-breakpoint\nDROP TABLE y;\n';
    const parts = sql.split('--> statement-breakpoint');
    let offset = 0;
    const chunks = parts.map((text) => {
      const c = { text, offset };
      offset += Buffer.byteLength(text) + Buffer.byteLength('--> statement-breakpoint');
      return c;
    });
    const r = lintFiles([{ file: 'drizzle/0001_x.sql', sql, chunks }]);
    expect(r.findings.find((f) => f.rule === 'require-concurrent-index-creation')?.line).toBe(3);
    expect(r.findings.find((f) => f.rule === 'ban-drop-table')?.line).toBe(5);
  });

  test('VALIDATE in the same transaction as NOT VALID is flagged', () => {
    const sql = 'BEGIN;\nALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT c;\nCOMMIT;';
    const f = lintFiles([{ file: 'a.sql', sql }]).findings.filter((x) => x.rule === 'constraint-missing-not-valid');
    expect(f).toHaveLength(1);
    expect(f[0].line).toBe(3);
  });

  test('destructive rules are marked destructive', () => {
    const r = lintFiles([{ file: 'a.sql', sql: 'DROP TABLE a; ALTER TABLE b DROP COLUMN c; ALTER TABLE b RENAME TO d; CREATE INDEX CONCURRENTLY x ON b (c);' }]);
    const destructive = r.findings.filter((f) => f.destructive).map((f) => f.rule).sort();
    expect(destructive).toEqual(['ban-drop-column', 'ban-drop-table', 'renaming-table']);
  });
});

describe('suppressions', () => {
  test('before a statement: suppresses that statement only, listed with its reason', () => {
    const sql = 'SET lock_timeout = 1000;\nDROP TABLE a;\n-- shipgate-ignore ban-drop-table: a is empty and unused since v3\nDROP TABLE b;\n';
    const r = lintFiles([{ file: 's.sql', sql }]);
    expect(r.findings.filter((f) => f.rule === 'ban-drop-table').map((f) => f.table)).toEqual(['a']);
    expect(r.suppressions).toEqual([{ file: 's.sql', line: 3, rules: ['ban-drop-table'], reason: 'a is empty and unused since v3', scope: 'statement', used: true }]);
    expect(r.findings.filter((f) => f.rule.includes('suppression'))).toEqual([]);
  });

  test('at the top of a file: the whole file', () => {
    const sql = '-- shipgate-ignore ban-drop-table, ban-drop-column: cleanup after the v2 cut-over\n\nSET lock_timeout = 1000;\nDROP TABLE a;\nALTER TABLE c DROP COLUMN d;\nDROP TABLE b;\n';
    const r = lintFiles([{ file: 's.sql', sql }]);
    expect(r.findings.filter((f) => f.destructive)).toEqual([]);
    expect(r.suppressions[0]).toMatchObject({ scope: 'file', rules: ['ban-drop-table', 'ban-drop-column'], used: true });
  });

  test('without a reason: still suppresses, but is a warning; unknown and unused ones are warnings', () => {
    const sql = 'SET lock_timeout = 1000;\n-- shipgate-ignore ban-drop-table\nDROP TABLE a;\n-- shipgate-ignore no-such-rule: because\nSELECT 1;\n-- shipgate-ignore ban-truncate: not needed\nSELECT 2;\n';
    const r = lintFiles([{ file: 's.sql', sql }]);
    const byRule = Object.fromEntries(r.findings.map((f) => [f.rule, f]));
    expect(byRule['ban-drop-table']).toBeUndefined();
    expect(byRule['suppression-without-reason']).toMatchObject({ severity: 'warning', line: 2 });
    expect(byRule['unknown-suppression']).toMatchObject({ line: 4 });
    expect(byRule['unknown-suppression'].message).toContain('no-such-rule');
    expect(byRule['unused-suppression']).toMatchObject({ line: 6 });
    expect(r.suppressions).toHaveLength(3);
  });
});

describe('grading by live size', () => {
  const base = () => lintFiles([{ file: 'a.sql', sql: 'ALTER TABLE big ALTER COLUMN c TYPE bigint;\nALTER TABLE small ADD COLUMN x text NOT NULL;\nCREATE TABLE t (id int);' }]).findings;
  test('a rewrite of a large table is an error naming rows and size; of a small one information', () => {
    const stats = new Map([
      ['big', { rows: 1_000_000, bytes: 36 * 1024 * 1024 }],
      ['small', { rows: 10, bytes: 8192 }],
    ]);
    const graded = applyTableStats(base(), stats);
    const big = graded.find((f) => f.rule === 'changing-column-type');
    expect(big).toMatchObject({ severity: 'error', rows: 1_000_000, bytes: 36 * 1024 * 1024 });
    expect(big?.message).toContain('~1,000,000 rows');
    expect(big?.message).toContain('36.0 MB');
    const small = applyTableStats(base(), new Map([['big', { rows: 10, bytes: 8192 }]])).find((f) => f.rule === 'changing-column-type');
    expect(small?.severity).toBe('info');
  });
  test('NOT NULL without default: error on any rows, information on an empty table; unknown size keeps the rule severity', () => {
    expect(applyTableStats(base(), new Map([['small', { rows: 10, bytes: 8192 }]])).find((f) => f.rule === 'adding-required-field')?.severity).toBe('error');
    expect(applyTableStats(base(), new Map([['small', { rows: 0, bytes: 8192 }]])).find((f) => f.rule === 'adding-required-field')?.severity).toBe('info');
    expect(base().find((f) => f.rule === 'changing-column-type')?.severity).toBe('warning');
  });
});

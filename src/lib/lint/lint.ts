/**
 * Migration lint over libpg-query parse trees. Pure: files in, findings out (no database). Live table sizes
 * are attached afterwards by `applyTableStats`.
 *
 * Suppressions: `-- shipgate-ignore <rule>[, <rule>]: <reason>` in the comments right before a statement
 * applies to that statement; in the comment block at the top of a file (before the first statement) to the
 * whole file. A suppression without a reason still suppresses but is itself a warning; unknown and unused
 * ones are warnings too; every suppression is listed in the result.
 */
import { SqlParseError, lineAtByte, lineAtChar, migrationStatements, type loadParser, type Statement } from '../migrations/statements.js';
import { RULE_BY_ID, gradeBySize, type Severity } from './rules.js';

export interface LintFile {
  /** Path shown in findings and annotations (relative to the workspace). */
  file: string;
  sql: string;
  /** Drizzle: the file's `--> statement-breakpoint` chunks (as read by src/lib/migrations). */
  chunks?: { text: string; offset: number }[];
  /** Overrides LintOptions.transaction for this file (e.g. a no-transaction directive). */
  transaction?: 'none' | 'file' | 'all';
}

export interface LintOptions {
  /**
   * How the runner executes files: 'none' (autocommit per statement), 'file' (one transaction per file), 'all'
   * (every pending file in one transaction, as Drizzle does). Decides whether CONCURRENTLY can work.
   */
  transaction?: 'none' | 'file' | 'all';
}

export interface Finding {
  rule: string;
  severity: Severity;
  file: string;
  line: number;
  statement: string;
  table?: string;
  column?: string;
  rows?: number;
  bytes?: number;
  message: string;
  safer: string;
  destructive: boolean;
  /** changing-column-type: the new type as parsed (e.g. { name: 'int4', mods: [] }), for live narrowing checks. */
  toType?: { name: string; mods: number[] };
  /** Index-only statements (DROP INDEX, REINDEX INDEX): the index, so its table can be looked up live. */
  index?: string;
}

export interface Suppression {
  file: string;
  line: number;
  rules: string[];
  reason: string;
  scope: 'file' | 'statement';
  used: boolean;
}

export interface LintResult {
  findings: Finding[];
  suppressions: Suppression[];
  statements: number;
  files: number;
}

/** A finding as a rule produces it, before suppression and grading. */
interface Hit {
  rule: string;
  table?: string;
  column?: string;
  message?: string;
  toType?: { name: string; mods: number[] };
  index?: string;
}

// ---------------------------------------------------------------- suppression comments

const IGNORE_RE = /--\s*shipgate-ignore\b[ \t]*([^\n]*)/g;

interface ParsedIgnore {
  line: number;
  rules: string[];
  reason: string;
}

/** shipgate-ignore comments in the file's bytes [from, to). */
function ignoresIn(bytes: Buffer, from: number, to: number): ParsedIgnore[] {
  if (to <= from) return [];
  const out: ParsedIgnore[] = [];
  const chunk = bytes.subarray(from, to).toString('utf8');
  const baseLine = lineAtByte(bytes, from);
  for (const m of chunk.matchAll(IGNORE_RE)) {
    const body = m[1].trim();
    const colon = body.indexOf(':');
    const names = (colon < 0 ? body : body.slice(0, colon)).split(/[\s,]+/).filter(Boolean);
    const reason = colon < 0 ? '' : body.slice(colon + 1).trim();
    out.push({ line: baseLine + lineAtChar(chunk, m.index ?? 0) - 1, rules: names, reason });
  }
  return out;
}

// ---------------------------------------------------------------- tree helpers

function nodeKind(node: Record<string, any>): [string, any] {
  const k = Object.keys(node)[0];
  return [k, node[k]];
}

function relName(rv: any): string | undefined {
  if (!rv?.relname) return undefined;
  return rv.schemaname ? `${rv.schemaname}.${rv.relname}` : rv.relname;
}

/** Lower-cased key for "same table" comparisons (ignores a public. prefix). */
function tableKey(name: string): string {
  return name.toLowerCase().replace(/^public\./, '');
}

function typeNameOf(t: any): { name: string; mods: number[] } {
  const names: string[] = (t?.names ?? []).map((n: any) => n?.String?.sval ?? '');
  const name = names.filter((n) => n !== 'pg_catalog').join('.').toLowerCase();
  const mods: number[] = (t?.typmods ?? []).map((m: any) => Number(m?.A_Const?.ival?.ival ?? NaN));
  return { name, mods };
}

function showType(t: { name: string; mods: number[] }): string {
  const alias: Record<string, string> = { int4: 'integer', int2: 'smallint', int8: 'bigint', bpchar: 'char', timestamp: 'timestamp', timestamptz: 'timestamptz' };
  const n = alias[t.name] ?? t.name;
  return t.mods.length ? `${n}(${t.mods.join(',')})` : n;
}

const VOLATILE_FUNCS = new Set(['random', 'gen_random_uuid', 'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4', 'uuidv4', 'uuidv7', 'clock_timestamp', 'timeofday', 'nextval', 'txid_current', 'statement_timestamp', 'random_normal', 'gen_random_bytes']);

/** The first volatile function called anywhere in an expression tree. */
function volatileCall(expr: unknown): string | undefined {
  if (!expr || typeof expr !== 'object') return undefined;
  if (Array.isArray(expr)) {
    for (const e of expr) {
      const f = volatileCall(e);
      if (f) return f;
    }
    return undefined;
  }
  const o = expr as Record<string, any>;
  if (o.FuncCall) {
    const names: string[] = (o.FuncCall.funcname ?? []).map((n: any) => n?.String?.sval ?? '');
    const fn = (names[names.length - 1] ?? '').toLowerCase();
    if (VOLATILE_FUNCS.has(fn)) return `${fn}()`;
  }
  for (const v of Object.values(o)) {
    const f = volatileCall(v);
    if (f) return f;
  }
  return undefined;
}

function constraintsOf(def: any): any[] {
  return (def?.constraints ?? []).map((c: any) => c.Constraint).filter(Boolean);
}

function hasOption(list: any[] | undefined, name: string): boolean {
  return (list ?? []).some((o: any) => o?.DefElem?.defname === name);
}

/** `col IS NOT NULL` check expression -> column name. */
function notNullCheckColumn(expr: any): string | undefined {
  const nt = expr?.NullTest;
  if (!nt || nt.nulltesttype !== 'IS_NOT_NULL') return undefined;
  const fields = nt.arg?.ColumnRef?.fields ?? [];
  const last = fields[fields.length - 1]?.String?.sval;
  return typeof last === 'string' ? last.toLowerCase() : undefined;
}

const MAX_IDENT = 63;

// ---------------------------------------------------------------- the rules

/** State carried across statements (and files: tables created earlier in the run are new and empty). */
interface RunState {
  createdTables: Set<string>;
  /** table.col with a validated CHECK (col IS NOT NULL). */
  notNullChecked: Set<string>;
  /** NOT VALID check constraints added earlier: name -> {table, column?}. */
  notValidChecks: Map<string, { table: string; column?: string }>;
}

interface FileState {
  /** Inside an explicit BEGIN ... COMMIT. */
  explicitTx: boolean;
  /** Constraints added NOT VALID in the current explicit transaction (or runner transaction). */
  notValidInTx: Set<string>;
  lockTimeoutSet: boolean;
  lockTimeoutReported: boolean;
  statements: number;
}

function typeHits(table: string | undefined, col: string | undefined, typeName: any, hits: Hit[]): void {
  const t = typeNameOf(typeName);
  const where = `${table ?? '?'}${col ? `.${col}` : ''}`;
  if (t.name === 'int4' || t.name === 'int2' || t.name === 'serial' || t.name === 'serial4' || t.name === 'smallserial' || t.name === 'serial2') {
    hits.push({ rule: 'prefer-bigint-over-int', table, column: col, message: `${where} is ${showType(t)}; prefer bigint` });
  }
  if (t.name === 'timestamp') hits.push({ rule: 'prefer-timestamptz', table, column: col, message: `${where} is timestamp without time zone; prefer timestamptz` });
  if (t.name === 'varchar' && t.mods.length) hits.push({ rule: 'prefer-text-field', table, column: col, message: `${where} is ${showType(t)}; prefer text with a length CHECK` });
  if (t.name === 'bpchar' || t.name === 'char') hits.push({ rule: 'ban-char-field', table, column: col, message: `${where} is ${showType(t)}; prefer text` });
  if (/^(big|small)?serial[248]?$/.test(t.name)) hits.push({ rule: 'prefer-identity', table, column: col, message: `${where} is ${t.name}; prefer GENERATED BY DEFAULT AS IDENTITY` });
}

/** Identifiers longer than 63 bytes in a statement's text (the parser has already truncated them in the tree). */
function longIdentifiers(stmtText: string): string[] {
  const code = stmtText
    .replace(/\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$/g, "''")
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/--[^\n]*/g, '');
  const out: string[] = [];
  for (const m of code.matchAll(/"((?:[^"]|"")+)"|([A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*)/g)) {
    const name = m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2];
    if (Buffer.byteLength(name) > MAX_IDENT && !out.includes(name)) out.push(name);
  }
  return out;
}

const STRONG_LOCK_STMTS = new Set(['AlterTableStmt', 'IndexStmt', 'DropStmt', 'RenameStmt', 'TruncateStmt', 'CreateTrigStmt', 'ClusterStmt', 'ReindexStmt', 'AlterDomainStmt']);

function lintStatement(node: Record<string, any>, run: RunState, fs: FileState, opts: LintOptions): Hit[] {
  const hits: Hit[] = [];
  const [kind, s] = nodeKind(node);
  const inTx = fs.explicitTx || opts.transaction === 'file' || opts.transaction === 'all';
  const isNew = (t?: string): boolean => !!t && run.createdTables.has(tableKey(t));

  if (STRONG_LOCK_STMTS.has(kind) && !fs.lockTimeoutSet && !fs.lockTimeoutReported) {
    const concurrent = (kind === 'IndexStmt' && s.concurrent) || (kind === 'DropStmt' && s.concurrent);
    const table = relName(s.relation);
    if (!concurrent && !isNew(table)) {
      fs.lockTimeoutReported = true;
      hits.push({ rule: 'require-lock-timeout', table, message: `the file takes a strong lock${table ? ` on ${table}` : ''} without SET lock_timeout; satisfied when Shipgate's migrate stage runs it (it sets lock_timeout and statement_timeout on its connection)` });
    }
  }

  switch (kind) {
    case 'VariableSetStmt': {
      if (s.name === 'lock_timeout') fs.lockTimeoutSet = true;
      break;
    }
    case 'TransactionStmt': {
      const k: string = s.kind;
      if (k === 'TRANS_STMT_BEGIN' || k === 'TRANS_STMT_START') {
        if (fs.explicitTx) hits.push({ rule: 'transaction-nesting', message: 'BEGIN inside an open transaction' });
        else if (opts.transaction === 'file' || opts.transaction === 'all') hits.push({ rule: 'transaction-nesting', message: 'BEGIN in a file the migration tool already runs inside a transaction' });
        fs.explicitTx = true;
        fs.notValidInTx.clear();
      } else if (k === 'TRANS_STMT_COMMIT' || k === 'TRANS_STMT_ROLLBACK') {
        fs.explicitTx = false;
        fs.notValidInTx.clear();
      }
      break;
    }
    case 'CreateStmt': {
      const table = relName(s.relation);
      if (table) run.createdTables.add(tableKey(table));
      for (const el of s.tableElts ?? []) {
        if (el.ColumnDef) {
          typeHits(table, el.ColumnDef.colname, el.ColumnDef.typeName, hits);
        }
      }
      break;
    }
    case 'AlterTableStmt': {
      if (s.objtype && s.objtype !== 'OBJECT_TABLE') break;
      const table = relName(s.relation);
      const fresh = isNew(table);
      for (const c of s.cmds ?? []) {
        const cmd = c.AlterTableCmd;
        if (!cmd) continue;
        switch (cmd.subtype) {
          case 'AT_AddColumn': {
            const def = cmd.def?.ColumnDef;
            if (!def) break;
            const col: string | undefined = def.colname;
            const cons = constraintsOf(def);
            const t = typeNameOf(def.typeName);
            const serial = /^(big|small)?serial[248]?$/.test(t.name);
            const hasDefault = cons.some((x) => x.contype === 'CONSTR_DEFAULT');
            const identity = cons.some((x) => x.contype === 'CONSTR_IDENTITY');
            const generated = cons.find((x) => x.contype === 'CONSTR_GENERATED');
            const notNull = cons.some((x) => x.contype === 'CONSTR_NOTNULL' || x.contype === 'CONSTR_PRIMARY');
            typeHits(table, col, def.typeName, hits);
            if (!fresh && notNull && !hasDefault && !identity && !serial && !generated) {
              hits.push({ rule: 'adding-required-field', table, column: col, message: `adds NOT NULL column ${col} to ${table} without a DEFAULT: fails if the table has rows` });
            }
            if (!fresh) {
              const vol = volatileCall(cons.find((x) => x.contype === 'CONSTR_DEFAULT')?.raw_expr);
              const why = vol ? `a volatile default ${vol}` : serial ? `a ${t.name} column (nextval() default)` : identity ? 'an identity column' : generated && generated.generated_kind !== 'v' ? 'a stored generated column' : undefined;
              if (why) hits.push({ rule: 'adding-field-with-volatile-default', table, column: col, message: `adding ${col} with ${why} rewrites ${table}` });
              if (cons.some((x) => x.contype === 'CONSTR_FOREIGN')) {
                hits.push({ rule: 'adding-foreign-key-constraint', table, column: col, message: `column ${col} REFERENCES another table: the foreign key is validated at once, scanning ${table}` });
              }
              if (cons.some((x) => x.contype === 'CONSTR_UNIQUE' || x.contype === 'CONSTR_PRIMARY')) {
                hits.push({ rule: 'disallowed-unique-constraint', table, column: col, message: `column ${col} UNIQUE/PRIMARY KEY builds the index on ${table} in place` });
              }
            }
            break;
          }
          case 'AT_AlterColumnType': {
            const t = typeNameOf(cmd.def?.ColumnDef?.typeName);
            typeHits(table, cmd.name, cmd.def?.ColumnDef?.typeName, hits);
            if (!fresh) hits.push({ rule: 'changing-column-type', table, column: cmd.name, toType: t, message: `changing ${table}.${cmd.name} to ${showType(t)} rewrites the table` });
            break;
          }
          case 'AT_AddConstraint': {
            const con = cmd.def?.Constraint;
            if (!con) break;
            if (fresh) break;
            if (con.contype === 'CONSTR_FOREIGN' && !con.skip_validation) {
              hits.push({ rule: 'adding-foreign-key-constraint', table, message: `foreign key ${con.conname ?? ''} on ${table} without NOT VALID` });
            } else if (con.contype === 'CONSTR_CHECK' && !con.skip_validation) {
              hits.push({ rule: 'constraint-missing-not-valid', table, message: `check constraint ${con.conname ?? ''} on ${table} without NOT VALID` });
            } else if ((con.contype === 'CONSTR_UNIQUE' || con.contype === 'CONSTR_PRIMARY') && !con.indexname) {
              hits.push({ rule: 'disallowed-unique-constraint', table, message: `${con.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE'} ${con.conname ?? ''} on ${table} builds its index in place` });
            }
            if (con.skip_validation && con.conname && table) {
              fs.notValidInTx.add(con.conname.toLowerCase());
              if (con.contype === 'CONSTR_CHECK') run.notValidChecks.set(con.conname.toLowerCase(), { table: tableKey(table), column: notNullCheckColumn(con.raw_expr) });
            }
            break;
          }
          case 'AT_ValidateConstraint': {
            const name = String(cmd.name ?? '').toLowerCase();
            if (inTx && fs.notValidInTx.has(name)) {
              hits.push({ rule: 'constraint-missing-not-valid', table, message: `VALIDATE CONSTRAINT ${cmd.name} runs in the same transaction that added it NOT VALID, so the strong lock is held through the scan` });
            }
            const nv = run.notValidChecks.get(name);
            if (nv?.column) run.notNullChecked.add(`${nv.table}.${nv.column}`);
            break;
          }
          case 'AT_SetNotNull': {
            const key = table ? `${tableKey(table)}.${String(cmd.name).toLowerCase()}` : '';
            if (!fresh && !run.notNullChecked.has(key)) hits.push({ rule: 'setting-not-null', table, column: cmd.name, message: `SET NOT NULL on ${table}.${cmd.name} scans the table (no validated CHECK (${cmd.name} IS NOT NULL) before it)` });
            break;
          }
          case 'AT_DropNotNull':
            hits.push({ rule: 'ban-drop-not-null', table, column: cmd.name, message: `${table}.${cmd.name} becomes nullable` });
            break;
          case 'AT_DropColumn':
            hits.push({ rule: 'ban-drop-column', table, column: cmd.name, message: `drops column ${table}.${cmd.name}` });
            break;
          case 'AT_SetLogged':
          case 'AT_SetUnLogged':
          case 'AT_SetTableSpace':
          case 'AT_SetAccessMethod':
            if (!fresh) hits.push({ rule: 'table-rewrite', table, message: `${String(cmd.subtype).replace('AT_', '')} rewrites ${table}` });
            break;
          case 'AT_DetachPartition':
            if (!cmd.def?.PartitionCmd?.concurrent) hits.push({ rule: 'require-concurrent-partition-detach', table, message: `DETACH PARTITION ${relName(cmd.def?.PartitionCmd?.name) ?? ''} from ${table} without CONCURRENTLY` });
            else if (inTx) hits.push({ rule: 'ban-concurrent-index-creation-in-transaction', table, message: 'DETACH PARTITION CONCURRENTLY inside a transaction fails' });
            break;
        }
      }
      break;
    }
    case 'IndexStmt': {
      const table = relName(s.relation);
      if (s.concurrent) {
        if (inTx) hits.push({ rule: 'ban-concurrent-index-creation-in-transaction', table, message: `CREATE INDEX CONCURRENTLY ${s.idxname ?? ''} inside a transaction${fs.explicitTx ? ' (explicit BEGIN)' : ' (the migration tool wraps this file in one)'}` });
      } else if (!isNew(table)) {
        hits.push({ rule: 'require-concurrent-index-creation', table, message: `CREATE ${s.unique ? 'UNIQUE ' : ''}INDEX ${s.idxname ?? ''} on ${table} without CONCURRENTLY blocks writes` });
      }
      break;
    }
    case 'DropStmt': {
      const names: string[] = (s.objects ?? []).map((o: any) => (o?.List?.items ?? []).map((i: any) => i?.String?.sval).filter(Boolean).join('.'));
      if (s.removeType === 'OBJECT_TABLE') {
        for (const n of names) {
          hits.push({ rule: 'ban-drop-table', table: n, message: `drops table ${n}` });
          run.createdTables.delete(tableKey(n));
        }
      } else if (s.removeType === 'OBJECT_INDEX') {
        if (!s.concurrent) hits.push({ rule: 'require-concurrent-index-deletion', index: names[0], message: `DROP INDEX ${names.join(', ')} without CONCURRENTLY` });
        else if (inTx) hits.push({ rule: 'ban-concurrent-index-creation-in-transaction', message: `DROP INDEX CONCURRENTLY ${names.join(', ')} inside a transaction` });
      }
      break;
    }
    case 'DropdbStmt':
      hits.push({ rule: 'ban-drop-database', message: `drops database ${s.dbname}` });
      break;
    case 'RenameStmt': {
      const table = relName(s.relation);
      if (s.renameType === 'OBJECT_TABLE') hits.push({ rule: 'renaming-table', table, message: `renames table ${table} to ${s.newname}` });
      else if (s.renameType === 'OBJECT_COLUMN') hits.push({ rule: 'renaming-column', table, column: s.subname, message: `renames column ${table}.${s.subname} to ${s.newname}` });
      break;
    }
    case 'TruncateStmt': {
      const tables: string[] = (s.relations ?? []).map((x: any) => relName(x.RangeVar)).filter(Boolean);
      if (s.behavior === 'DROP_CASCADE') hits.push({ rule: 'ban-truncate-cascade', table: tables[0], message: `TRUNCATE ${tables.join(', ')} CASCADE also empties every referencing table` });
      else hits.push({ rule: 'ban-truncate', table: tables[0], message: `TRUNCATE ${tables.join(', ')} deletes every row` });
      break;
    }
    case 'ReindexStmt': {
      const table = s.kind === 'REINDEX_OBJECT_TABLE' ? relName(s.relation) : undefined;
      if (!hasOption(s.params, 'concurrently')) hits.push({ rule: 'require-concurrent-reindex', table, index: s.kind === 'REINDEX_OBJECT_INDEX' ? relName(s.relation) : undefined, message: `REINDEX ${relName(s.relation) ?? s.name ?? ''} without CONCURRENTLY` });
      else if (inTx) hits.push({ rule: 'ban-concurrent-index-creation-in-transaction', table, message: 'REINDEX CONCURRENTLY inside a transaction fails' });
      break;
    }
    case 'VacuumStmt': {
      if (s.is_vacuumcmd && hasOption(s.options, 'full')) {
        const tables: string[] = (s.rels ?? []).map((x: any) => relName(x.VacuumRelation?.relation)).filter(Boolean);
        hits.push({ rule: 'table-rewrite', table: tables[0], message: `VACUUM FULL ${tables.join(', ') || '(every table)'} rewrites under ACCESS EXCLUSIVE` });
      }
      break;
    }
    case 'ClusterStmt': {
      const table = relName(s.relation);
      hits.push({ rule: 'table-rewrite', table, message: `CLUSTER ${table ?? '(every clustered table)'} rewrites under ACCESS EXCLUSIVE` });
      break;
    }
    case 'CreateDomainStmt':
      if (constraintsOf(s).some((x) => x.contype === 'CONSTR_CHECK')) hits.push({ rule: 'ban-create-domain-with-constraint', message: 'domain with a CHECK constraint' });
      break;
    case 'AlterDomainStmt':
      if (s.subtype === 'C' && !s.def?.Constraint?.skip_validation) hits.push({ rule: 'ban-alter-domain-with-add-constraint', message: 'ALTER DOMAIN ... ADD CONSTRAINT validates every column of the domain' });
      break;
  }
  return hits;
}

// ---------------------------------------------------------------- the driver

function oneLineStatement(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 197)}...` : t;
}

function finding(rule: string, file: string, line: number, statement: string, hit: Partial<Hit>): Finding {
  const info = RULE_BY_ID.get(rule);
  if (!info) throw new Error(`unknown lint rule ${rule}`);
  return {
    rule,
    severity: info.severity,
    file,
    line,
    statement,
    table: hit.table,
    column: hit.column,
    message: hit.message ?? info.summary,
    safer: info.safer,
    destructive: info.destructive,
    ...(hit.toType ? { toType: hit.toType } : {}),
    ...(hit.index ? { index: hit.index } : {}),
  };
}

/** The loaded libpg-query API, from the shared loader in src/lib/migrations (one loader for both stages). */
export type Parser = Awaited<ReturnType<typeof loadParser>>;

/** Lints files in the order they run. Load the parser first: `const parser = await loadParser()`. */
export function lintFiles(parser: Parser, files: LintFile[], opts: LintOptions = {}): LintResult {
  const run: RunState = { createdTables: new Set(), notNullChecked: new Set(), notValidChecks: new Map() };
  const findings: Finding[] = [];
  const suppressions: Suppression[] = [];
  let statements = 0;
  const txAll: Set<string> = new Set();

  for (const f of files) {
    const bytes = Buffer.from(f.sql, 'utf8');
    let stmts: Statement[];
    try {
      stmts = migrationStatements(parser, { sql: f.sql, file: f.file, chunks: f.chunks });
    } catch (err) {
      const line = err instanceof SqlParseError ? err.line : 1;
      const message = (err as Error).message;
      findings.push(finding('parse-error', f.file, line, '', { message: message.startsWith(f.file) ? message : `${f.file}:${line}: ${message}` }));
      continue;
    }
    // One implicit transaction per file only matters when the file has more than one statement (Prisma <= 6).
    let tx = f.transaction ?? opts.transaction ?? 'none';
    if (tx === 'file' && stmts.length <= 1) tx = 'none';
    const fileOpts: LintOptions = { ...opts, transaction: tx };
    const fs: FileState = { explicitTx: false, notValidInTx: tx === 'all' ? txAll : new Set(), lockTimeoutSet: false, lockTimeoutReported: false, statements: 0 };
    const fileIgnores: Suppression[] = [];
    const fileHits: { hit: Hit; line: number; statement: string; ignores: Suppression[] }[] = [];

    let prevEnd = 0;
    stmts.forEach((st, idx) => {
      // Comments between the previous statement's end and this one's first token.
      const ignores = ignoresIn(bytes, prevEnd, st.offset).map((g) => ({ ...g, file: f.file, scope: (idx === 0 ? 'file' : 'statement') as Suppression['scope'], used: false }));
      prevEnd = st.offset + Buffer.byteLength(st.text);
      if (idx === 0) fileIgnores.push(...ignores);
      suppressions.push(...ignores);
      const statement = oneLineStatement(st.text.replace(/;\s*$/, ''));
      const hits = lintStatement(st.node as Record<string, any>, run, fs, fileOpts);
      for (const name of longIdentifiers(st.text)) {
        hits.push({ rule: 'identifier-too-long', message: `identifier "${name.slice(0, 40)}…" is ${Buffer.byteLength(name)} bytes; PostgreSQL truncates it to ${MAX_IDENT}` });
      }
      for (const hit of hits) fileHits.push({ hit, line: st.line, statement, ignores: idx === 0 ? [] : ignores });
      statements++;
      fs.statements++;
    });
    if (stmts.length === 0) {
      suppressions.push(...ignoresIn(bytes, 0, bytes.length).map((g) => ({ ...g, file: f.file, scope: 'file' as const, used: false })));
    }
    if (fs.explicitTx) {
      const line = stmts.length ? stmts[stmts.length - 1].line : 1;
      fileHits.push({ hit: { rule: 'ban-uncommitted-transaction', message: 'the file ends inside BEGIN without COMMIT' }, line, statement: '', ignores: [] });
    }

    for (const { hit, line, statement, ignores } of fileHits) {
      const covering = [...ignores, ...fileIgnores].find((g) => g.rules.includes(hit.rule));
      if (covering) {
        covering.used = true;
        continue;
      }
      findings.push(finding(hit.rule, f.file, line, statement, hit));
    }
  }

  for (const s of suppressions) {
    const unknown = s.rules.filter((x) => !RULE_BY_ID.has(x));
    if (s.rules.length === 0 || unknown.length) {
      findings.push(finding('unknown-suppression', s.file, s.line, '', { message: s.rules.length ? `shipgate-ignore names unknown rule(s) ${unknown.join(', ')}` : 'shipgate-ignore names no rule' }));
    } else if (!s.used) {
      findings.push(finding('unused-suppression', s.file, s.line, '', { message: `shipgate-ignore ${s.rules.join(', ')} suppresses nothing` }));
    }
    if (!s.reason) findings.push(finding('suppression-without-reason', s.file, s.line, '', { message: `shipgate-ignore ${s.rules.join(', ')} has no reason (write "-- shipgate-ignore <rule>: <reason>")` }));
  }

  return { findings, suppressions, statements, files: files.length };
}

// ---------------------------------------------------------------- live sizes

export interface TableStats {
  rows: number | undefined;
  bytes: number | undefined;
}

/** Tables the findings touch (as written in the SQL). */
export function findingTables(findings: Finding[]): string[] {
  return [...new Set(findings.map((f) => f.table).filter((t): t is string => !!t))];
}

/**
 * Attach live sizes and grade size-dependent findings: info for small tables, error for large ones.
 * ADD COLUMN NOT NULL without a default fails on any non-empty table, so there rows > 0 is an error.
 */
export function applyTableStats(findings: Finding[], stats: ReadonlyMap<string, TableStats>): Finding[] {
  return findings.map((f) => {
    const st = f.table ? stats.get(tableKey(f.table)) : undefined;
    if (!st) return f;
    const info = RULE_BY_ID.get(f.rule);
    const out: Finding = { ...f, rows: st.rows, bytes: st.bytes };
    if (f.rule === 'adding-required-field') {
      out.severity = st.rows === undefined ? f.severity : st.rows > 0 ? 'error' : 'info';
    } else if (info?.sizeGraded) {
      out.severity = gradeBySize(info.severity, st.rows, st.bytes);
    }
    if (st.rows !== undefined || st.bytes !== undefined) out.message = `${f.message} (${f.table}: ${describeSize(st)})`;
    return out;
  });
}

export function describeSize(st: TableStats): string {
  const parts: string[] = [];
  if (st.rows !== undefined) parts.push(`~${Math.round(st.rows).toLocaleString('en-US')} rows`);
  if (st.bytes !== undefined) parts.push(formatBytes(st.bytes));
  return parts.join(', ');
}

export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

export { tableKey };

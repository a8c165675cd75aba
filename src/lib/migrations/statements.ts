/**
 * Splitting and classifying migration SQL with the real PostgreSQL parser (libpg-query, WebAssembly).
 * The parser is loaded on first use only, so paths that parse nothing stay fast.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Migration } from './folder.js';

export interface Statement {
  /** Statement text as sent to the server (leading comments and whitespace kept out). */
  text: string;
  /** Byte offset in the file of the statement's first significant character. */
  offset: number;
  /** 1-based line in the file of the statement's first significant character. */
  line: number;
  /** Parse node type, e.g. CreateStmt, IndexStmt, TransactionStmt. */
  kind: string;
  /** Why this statement cannot run inside a transaction block, if it cannot. */
  nonTransactional?: string;
  /** BEGIN/COMMIT/ROLLBACK/SAVEPOINT… written in the file. */
  transactionControl?: boolean;
  /** The raw parse tree node (`{ [kind]: {...} }`). */
  node: Record<string, unknown>;
}

/**
 * transaction: the whole file in one transaction.
 * mixed: runs of transactional statements in transactions, each non-transactional statement alone.
 * no-transaction: every statement alone in autocommit (forced by a directive).
 * as-written: the file has its own BEGIN/COMMIT and runs as written, statement by statement (as psql -f does).
 */
export type TransactionMode = 'transaction' | 'mixed' | 'no-transaction' | 'as-written';

export interface Step {
  /** true: these statements run inside one BEGIN … COMMIT. */
  transactional: boolean;
  statements: Statement[];
}

export interface MigrationPlan {
  mode: TransactionMode;
  statements: Statement[];
  steps: Step[];
  /** Human reason for the mode (e.g. "CREATE INDEX CONCURRENTLY at line 3"). */
  reason?: string;
}

export class SqlParseError extends Error {
  override name = 'SqlParseError';
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
  ) {
    super(message);
  }
}

interface PgQuery {
  parseSync(sql: string): { stmts?: { stmt: Record<string, unknown>; stmt_location?: number; stmt_len?: number }[] };
  loadModule(): Promise<void>;
}

let loading: Promise<PgQuery> | undefined;

/**
 * Load libpg-query. Its Emscripten glue locates `libpg-query.wasm` through `__dirname` (`scriptDirectory =
 * __dirname + "/"`), which does not exist in an ESM ncc bundle ("__dirname is not defined"). When this module runs
 * from a bundle with `libpg-query.wasm` beside it (scripts/build.mjs copies it there), a global `__dirname` naming
 * that folder is provided while the module initialises, then removed. From source (tests), the package's CommonJS
 * entry has its own `__dirname` and finds its wasm in node_modules.
 */
export function loadParser(): Promise<PgQuery> {
  loading ??= (async () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const g = globalThis as { __dirname?: string };
    const shim = g.__dirname === undefined && existsSync(join(here, 'libpg-query.wasm'));
    if (shim) g.__dirname = here;
    try {
      const mod = (await import('libpg-query')) as unknown as PgQuery & { default?: PgQuery };
      const api: PgQuery = typeof mod.parseSync === 'function' ? mod : (mod.default as PgQuery);
      await api.loadModule();
      return api;
    } catch (err) {
      loading = undefined;
      throw new Error(`the SQL parser (libpg-query.wasm) could not be loaded: ${(err as Error).message}; ${wasmHint()}`);
    } finally {
      if (shim) delete g.__dirname;
    }
  })();
  return loading;
}

function wasmHint(): string {
  try {
    const req = createRequire(import.meta.url);
    const p = join(dirname(req.resolve('libpg-query')), 'libpg-query.wasm');
    return existsSync(p) ? 'the wasm exists at ' + p : 'reinstall libpg-query';
  } catch {
    return 'the bundle must ship libpg-query.wasm next to index.js (scripts/build.mjs copies it)';
  }
}

/** Line (1-based) of a byte offset in `bytes`. */
export function lineAtByte(bytes: Buffer, offset: number): number {
  let line = 1;
  const end = Math.min(offset, bytes.length);
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Line (1-based) of a 0-based character index in `text`. */
export function lineAtChar(text: string, index: number): number {
  let line = 1;
  const end = Math.min(index, text.length);
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Length in bytes of leading whitespace and comments. */
function leadingNoise(bytes: Buffer, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const c = bytes[i];
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c) {
      i++;
    } else if (c === 0x2d && bytes[i + 1] === 0x2d) {
      while (i < to && bytes[i] !== 0x0a) i++;
    } else if (c === 0x2f && bytes[i + 1] === 0x2a) {
      let depth = 0;
      while (i < to) {
        if (bytes[i] === 0x2f && bytes[i + 1] === 0x2a) {
          depth++;
          i += 2;
        } else if (bytes[i] === 0x2a && bytes[i + 1] === 0x2f) {
          depth--;
          i += 2;
          if (depth === 0) break;
        } else i++;
      }
    } else break;
  }
  return i - from;
}

const NON_TX_KINDS: Record<string, string> = {
  VacuumStmt: 'VACUUM',
  AlterSystemStmt: 'ALTER SYSTEM',
  CreatedbStmt: 'CREATE DATABASE',
  DropdbStmt: 'DROP DATABASE',
  CreateTableSpaceStmt: 'CREATE TABLESPACE',
  DropTableSpaceStmt: 'DROP TABLESPACE',
  CreateSubscriptionStmt: 'CREATE SUBSCRIPTION',
  DropSubscriptionStmt: 'DROP SUBSCRIPTION',
};

/** Why a parsed statement cannot run in a transaction block, or undefined. */
export function nonTransactionalReason(node: Record<string, unknown>): string | undefined {
  const kind = Object.keys(node)[0];
  const body = (node[kind] ?? {}) as Record<string, any>;
  if (kind in NON_TX_KINDS) {
    if (kind === 'VacuumStmt' && !body.is_vacuumcmd) return undefined; // ANALYZE runs in a transaction
    return NON_TX_KINDS[kind];
  }
  if (kind === 'IndexStmt' && body.concurrent) return 'CREATE INDEX CONCURRENTLY';
  if (kind === 'DropStmt' && body.concurrent) return 'DROP INDEX CONCURRENTLY';
  if (kind === 'ReindexStmt') {
    const params = (body.params ?? []) as { DefElem?: { defname?: string } }[];
    if (params.some((p) => p.DefElem?.defname === 'concurrently')) return 'REINDEX CONCURRENTLY';
    if (body.kind === 'REINDEX_OBJECT_SYSTEM' || body.kind === 'REINDEX_OBJECT_DATABASE') return 'REINDEX SYSTEM/DATABASE';
  }
  if (kind === 'AlterTableStmt') {
    const cmds = (body.cmds ?? []) as { AlterTableCmd?: { subtype?: string; def?: { PartitionCmd?: { concurrent?: boolean } } } }[];
    if (cmds.some((c) => c.AlterTableCmd?.subtype === 'AT_DetachPartition' && c.AlterTableCmd.def?.PartitionCmd?.concurrent)) {
      return 'DETACH PARTITION CONCURRENTLY';
    }
  }
  // PG < 12 refuses ADD VALUE in a transaction block; PG >= 12 accepts it but the new value cannot be used until
  // the transaction commits ("unsafe use of new value"), so it runs on its own.
  if (kind === 'AlterEnumStmt' && body.newVal && !body.oldVal) return 'ALTER TYPE ... ADD VALUE';
  if (kind === 'DoStmt') {
    const args = (body.args ?? []) as { DefElem?: { defname?: string; arg?: { String?: { sval?: string } } } }[];
    const code = args.find((a) => a.DefElem?.defname === 'as')?.DefElem?.arg?.String?.sval ?? '';
    const plain = code.replace(/--[^\n]*/g, ' ').replace(/'(?:[^']|'')*'/g, "''");
    if (/(?:^|;|\bbegin|\bthen|\bloop|\belse)\s*(?:commit|rollback)\s*(?:;|$|\band\b)/im.test(plain)) return 'DO block with COMMIT/ROLLBACK';
  }
  return undefined;
}

/**
 * Split `sql` into statements with the real parser. `baseOffset` is the byte offset of `sql` inside its file and
 * `fileBytes` the whole file, so lines are file lines (Drizzle chunks). Throws SqlParseError at the failing line.
 */
export function splitStatements(parser: PgQuery, sql: string, file: string, fileBytes?: Buffer, baseOffset = 0): Statement[] {
  const bytes = Buffer.from(sql, 'utf8');
  const whole = fileBytes ?? bytes;
  if (sql.trim() === '' || leadingNoise(bytes, 0, bytes.length) === bytes.length) return [];
  let tree: ReturnType<PgQuery['parseSync']>;
  try {
    tree = parser.parseSync(sql);
  } catch (err) {
    const e = err as Error & { sqlDetails?: { cursorPosition?: number } };
    const pos = e.sqlDetails?.cursorPosition ?? 0;
    // PostgreSQL reports the error cursor in characters.
    const line = lineAtByte(whole, baseOffset) + lineAtChar(sql, pos) - 1;
    throw new SqlParseError(`${file}:${line}: ${e.message}`, file, line);
  }
  const out: Statement[] = [];
  for (const s of tree.stmts ?? []) {
    const loc = s.stmt_location ?? 0;
    const len = s.stmt_len ?? bytes.length - loc;
    const skip = leadingNoise(bytes, loc, loc + len);
    const start = loc + skip;
    const text = bytes.subarray(start, loc + len).toString('utf8');
    const kind = Object.keys(s.stmt)[0];
    const reason = nonTransactionalReason(s.stmt);
    out.push({
      text,
      offset: baseOffset + start,
      line: lineAtByte(whole, baseOffset + start),
      kind,
      nonTransactional: reason,
      transactionControl: kind === 'TransactionStmt' ? true : undefined,
      node: s.stmt,
    });
  }
  return out;
}

/** Statements of a migration (Drizzle: chunk by chunk, with file lines). */
export function migrationStatements(parser: PgQuery, m: Pick<Migration, 'sql' | 'file' | 'chunks'>): Statement[] {
  if (!m.chunks) return splitStatements(parser, m.sql, m.file);
  const bytes = Buffer.from(m.sql, 'utf8');
  return m.chunks.flatMap((c) => splitStatements(parser, c.text, m.file, bytes, c.offset));
}

/** The execution plan of one migration (see TransactionMode). */
export function planStatements(statements: Statement[], noTransaction: boolean): MigrationPlan {
  const control = statements.find((s) => s.transactionControl);
  if (control) {
    return { mode: 'as-written', statements, steps: [{ transactional: false, statements }], reason: `own transaction control at line ${control.line}` };
  }
  if (noTransaction) {
    return { mode: 'no-transaction', statements, steps: statements.map((s) => ({ transactional: false, statements: [s] })), reason: 'no-transaction directive' };
  }
  const nonTx = statements.filter((s) => s.nonTransactional);
  if (nonTx.length === 0) return { mode: 'transaction', statements, steps: statements.length ? [{ transactional: true, statements }] : [] };
  const steps: Step[] = [];
  for (const s of statements) {
    if (s.nonTransactional) steps.push({ transactional: false, statements: [s] });
    else if (steps.length && steps[steps.length - 1].transactional) steps[steps.length - 1].statements.push(s);
    else steps.push({ transactional: true, statements: [s] });
  }
  const reason = nonTx.map((s) => `${s.nonTransactional} at line ${s.line}`).join(', ');
  if (steps.every((s) => !s.transactional)) return { mode: 'no-transaction', statements, steps, reason };
  return { mode: 'mixed', statements, steps, reason };
}

/** Parse (loading the parser on first use) and plan one migration. */
export async function planMigration(m: Pick<Migration, 'sql' | 'file' | 'chunks' | 'noTransaction'>): Promise<MigrationPlan> {
  const parser = await loadParser();
  return planStatements(migrationStatements(parser, m), m.noTransaction);
}

/** For tests and tools: read a file and split it. */
export async function statementsOfFile(path: string): Promise<Statement[]> {
  const parser = await loadParser();
  return splitStatements(parser, readFileSync(path, 'utf8'), path);
}

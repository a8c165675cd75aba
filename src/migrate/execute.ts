/**
 * Executing one migration on a migration session: fresh session state, timeouts, the planned steps, the ledger row,
 * and precise failure reports (file + line from the server's error position, what a non-transactional failure left).
 */
import { randomUUID } from 'node:crypto';
import type { Annotation } from '../lib/errors.js';
import { ledgerDdl, lineAtChar, type LedgerLocation, type Migration, type MigrationPlan, type Statement } from '../lib/migrations/index.js';

export interface Session {
  query(text: string, params?: unknown[]): Promise<{ rows: any[] }>;
}

export interface PgError extends Error {
  code?: string;
  position?: string;
  detail?: string;
  hint?: string;
}

export interface ExecuteOptions {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  /** Ledger to write (undefined: no ledger, e.g. the shadow database). */
  ledger?: LedgerLocation;
  /** Create the ledger table (idempotently) together with the first row, so a failed first run leaves no empty ledger. */
  createLedger?: boolean;
  appliedBy: string;
  now: () => number;
}

/** A failed migration, with where it failed and what it left behind. */
export class MigrationFailure extends Error {
  override name = 'MigrationFailure';
  constructor(
    message: string,
    readonly migration: Migration,
    readonly annotation: Annotation,
    readonly code: string | undefined,
    /** True when nothing of the migration remains (rolled back whole). */
    readonly rolledBack: boolean,
    /** What a partial failure left: statements that committed, invalid indexes, … */
    readonly left: string[],
  ) {
    super(message);
  }
}

export function pgMessage(err: unknown): string {
  const e = err as PgError;
  const text = `${e.message}${e.code ? ` (SQLSTATE ${e.code})` : ''}${e.detail ? `; ${e.detail}` : ''}${e.hint ? `; hint: ${e.hint}` : ''}`;
  return text.replace(/\.+$/, '');
}

/** File line of a server error inside `statement` (its `position` is a 1-based character index in the text sent). */
export function errorLine(statement: Pick<Statement, 'text' | 'line'>, err: unknown): number {
  const pos = Number((err as PgError).position);
  if (!Number.isFinite(pos) || pos < 1) return statement.line;
  return statement.line + lineAtChar(statement.text, pos - 1) - 1;
}

function ms(v: number): string {
  return `${Math.round(v)}ms`;
}

/** Reset everything a previous migration may have SET, then apply the runner's timeouts. */
export async function freshSession(db: Session, opts: Pick<ExecuteOptions, 'lockTimeoutMs' | 'statementTimeoutMs'>): Promise<void> {
  await db.query('DISCARD ALL');
  // One round trip; on PostgreSQL 14+ also notice a vanished client (a cancelled job) during a long statement.
  await db.query(
    `select set_config('lock_timeout', $1, false), set_config('statement_timeout', $2, false),
            case when current_setting('server_version_num')::int >= 140000 then set_config('client_connection_check_interval', '1000', false) end`,
    [ms(opts.lockTimeoutMs), ms(opts.statementTimeoutMs)],
  );
}

/** Insert the ledger row the format's own tool would write. */
export async function writeLedgerRow(db: Session, loc: LedgerLocation, m: Migration, startedAt: Date, executionMs: number, appliedBy: string, create = false): Promise<void> {
  if (create) for (const ddl of ledgerDdl(loc)) await db.query(ddl);
  if (loc.format === 'prisma') {
    await db.query(
      `insert into ${loc.qualified} (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
       values ($1, $2, clock_timestamp(), $3, NULL, NULL, $4, 1)`,
      [randomUUID(), m.checksum, m.name, startedAt],
    );
  } else if (loc.format === 'drizzle') {
    await db.query(`insert into ${loc.qualified} ("hash", "created_at") values ($1, $2)`, [m.checksum, m.when ?? Date.now()]);
  } else {
    await db.query(`insert into ${loc.qualified} (name, checksum, applied_at, execution_ms, applied_by) values ($1, $2, clock_timestamp(), $3, $4)`, [
      m.name,
      m.checksum,
      Math.round(executionMs),
      appliedBy,
    ]);
  }
}

async function rollbackQuietly(db: Session): Promise<void> {
  try {
    await db.query('ROLLBACK');
  } catch {
    // the connection may be gone; the server then rolls back by itself
  }
}

interface ConcurrentIndex {
  schema?: string;
  name: string;
  existedBefore: boolean;
}

function concurrentIndexTarget(st: Statement): { schema?: string; name: string } | undefined {
  const idx = (st.node as { IndexStmt?: { concurrent?: boolean; idxname?: string; relation?: { schemaname?: string } } }).IndexStmt;
  if (!idx?.concurrent || !idx.idxname) return undefined;
  return { schema: idx.relation?.schemaname, name: idx.idxname };
}

async function indexState(db: Session, schema: string | undefined, name: string): Promise<{ exists: boolean; valid: boolean; qualified?: string }> {
  const r = await db.query(
    `select n.nspname as s, i.indisvalid as valid from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_index i on i.indexrelid = c.oid
      where c.relname = $1 and ($2::text is null and n.nspname = any (current_schemas(false)) or n.nspname = $2) limit 1`,
    [name, schema ?? null],
  );
  const row = r.rows[0];
  if (!row) return { exists: false, valid: false };
  return { exists: true, valid: row.valid, qualified: `"${row.s.replace(/"/g, '""')}"."${name.replace(/"/g, '""')}"` };
}

/**
 * Apply one migration according to its plan. Resolves with the execution time; rejects with MigrationFailure.
 * Transactional plans write the ledger row inside the migration's transaction; other plans write it after the last
 * statement succeeded, so a failure records nothing as applied.
 */
export async function applyMigration(db: Session, m: Migration, plan: MigrationPlan, opts: ExecuteOptions): Promise<number> {
  await freshSession(db, opts);
  const started = opts.now();
  const startedAt = new Date(started);
  const done: Statement[] = [];
  const fail = async (st: Statement | undefined, err: unknown, inTx: boolean, extra: string[] = []): Promise<never> => {
    if (inTx) await rollbackQuietly(db);
    const line = st ? errorLine(st, err) : 1;
    const rolledBack = done.length === 0 || plan.mode === 'transaction';
    const left = rolledBack ? [] : [`statements that completed and remain: lines ${done.map((s) => s.line).join(', ')}`];
    const code = (err as PgError).code;
    const killed = code === '57P01' || code === '57P02' || code === '57P03' || /terminat|Connection terminated/i.test((err as Error).message ?? '');
    const what = rolledBack ? 'rolled back; nothing of it was applied and the ledger is unchanged' : 'partly applied; the ledger does not record it';
    throw new MigrationFailure(
      `${m.file}:${line}: ${pgMessage(err)}${killed ? ' (the migration connection was terminated; the server rolled back its open transaction)' : ''}. Migration ${m.name} ${what}${[...left, ...extra].length ? ` (${[...left, ...extra].join('; ')})` : ''}`,
      m,
      { file: m.file, startLine: line, title: `migration ${m.name} failed` },
      code,
      rolledBack && extra.length === 0,
      [...left, ...extra],
    );
  };

  if (plan.mode === 'as-written') {
    // The file controls its own transactions: run it as psql would, statement by statement, its BEGIN/COMMIT
    // included (statements outside its blocks autocommit, so CONCURRENTLY works there too).
    const committed: Statement[] = [];
    let block: Statement[] | undefined;
    for (const st of plan.statements) {
      try {
        await db.query(st.text);
      } catch (err) {
        await rollbackQuietly(db);
        const e = err as PgError;
        const line = errorLine(st, err);
        const left = committed.length ? [`statements that committed and remain: lines ${committed.map((x) => x.line).join(', ')}`] : [];
        throw new MigrationFailure(
          `${m.file}:${line}: ${pgMessage(e)}. Migration ${m.name} manages its own transactions (BEGIN/COMMIT in the file) and was run as written; ${
            committed.length ? `${left[0]}` : 'nothing of it committed'
          }; the ledger does not record it`,
          m,
          { file: m.file, startLine: line, title: `migration ${m.name} failed` },
          e.code,
          committed.length === 0,
          left,
        );
      }
      const tx = (st.node as { TransactionStmt?: { kind?: string } }).TransactionStmt?.kind;
      if (tx === 'TRANS_STMT_BEGIN' || tx === 'TRANS_STMT_START') block = [];
      else if (tx === 'TRANS_STMT_COMMIT' || tx === 'TRANS_STMT_COMMIT_PREPARED') {
        committed.push(...(block ?? []));
        block = undefined;
      } else if (tx === 'TRANS_STMT_ROLLBACK' || tx === 'TRANS_STMT_ROLLBACK_PREPARED') block = undefined;
      else if (block) block.push(st);
      else committed.push(st);
    }
    // A file that BEGINs without COMMIT leaves the session inside its transaction: inside a block now() is the
    // block's start, so it differs from statement_timestamp(). Roll that open part back and fail.
    const open = await db.query('select now() <> statement_timestamp() as open');
    if (open.rows[0]?.open) {
      await rollbackQuietly(db);
      const line = plan.statements.filter((s) => s.transactionControl).pop()?.line ?? 1;
      throw new MigrationFailure(
        `${m.file}:${line}: the file opens a transaction it never commits; its open part was rolled back (work it committed before that remains); the ledger does not record it. Add the missing COMMIT`,
        m,
        { file: m.file, startLine: line, title: `migration ${m.name} leaves a transaction open` },
        undefined,
        false,
        ['the file ran as written: work it committed before its last BEGIN remains'],
      );
    }
    const took = opts.now() - started;
    if (opts.ledger) await writeLedgerRow(db, opts.ledger, m, startedAt, took, opts.appliedBy, opts.createLedger);
    return took;
  }

  const lastTxStep = plan.steps.length - 1;
  for (let i = 0; i < plan.steps.length; i++) {
    const step = plan.steps[i];
    if (step.transactional) {
      await db.query('BEGIN');
      let current: Statement | undefined;
      try {
        for (const st of step.statements) {
          current = st;
          await db.query(st.text);
        }
        if (i === lastTxStep && opts.ledger) await writeLedgerRow(db, opts.ledger, m, startedAt, opts.now() - started, opts.appliedBy, opts.createLedger);
        current = undefined;
        await db.query('COMMIT');
      } catch (err) {
        await fail(current, err, true);
      }
      done.push(...step.statements);
    } else {
      const st = step.statements[0];
      const target = concurrentIndexTarget(st);
      let idx: ConcurrentIndex | undefined;
      if (target) idx = { ...target, existedBefore: (await indexState(db, target.schema, target.name)).exists };
      try {
        await db.query(st.text);
      } catch (err) {
        const extra: string[] = [];
        if (idx) {
          try {
            const state = await indexState(db, idx.schema, idx.name);
            if (state.exists && !state.valid) {
              if (!idx.existedBefore) {
                await db.query(`DROP INDEX CONCURRENTLY IF EXISTS ${state.qualified}`);
                extra.push(`the invalid index ${state.qualified} this run's CREATE INDEX CONCURRENTLY left was dropped`);
              } else {
                extra.push(`index ${state.qualified} is INVALID (it existed before this run, so it was left alone: drop it and re-run)`);
              }
            }
          } catch (e) {
            extra.push(`could not check index ${idx.name} for an invalid leftover: ${(e as Error).message}`);
          }
        }
        await fail(st, err, false, extra);
      }
      done.push(st);
    }
  }
  const took = opts.now() - started;
  const lastStep = plan.steps[plan.steps.length - 1];
  if (opts.ledger && (!lastStep || !lastStep.transactional)) await writeLedgerRow(db, opts.ledger, m, startedAt, took, opts.appliedBy, opts.createLedger);
  return took;
}

/**
 * Live database context for preflight, read-only: table sizes for lint findings, server version, database
 * size, connection usage, long-running transactions and sessions blocking others right now.
 * Everything goes through a `Queryable`, so it runs against a real PostgreSQL in tests.
 */
import type { Queryable } from '../lib/migrations/ledger.js';
import { quoteIdent } from '../lib/postgres.js';
import { tableKey, type TableStats } from '../lib/lint/lint.js';

export interface ServerHealth {
  version: string;
  databaseBytes: number;
  connections: { used: number; max: number; reserved: number; percent: number };
  longTransactions: { pid: number; seconds: number; state: string; application: string }[];
  blocking: { pid: number; blocks: number[]; state: string; application: string; seconds: number }[];
}

/** Transactions open at least this long are reported. */
export const LONG_TRANSACTION_SECONDS = 300;

export async function readHealth(db: Queryable, longSeconds = LONG_TRANSACTION_SECONDS): Promise<ServerHealth> {
  const v = await db.query(`select current_setting('server_version') as version, pg_database_size(current_database())::text as bytes`);
  const c = await db.query(
    `select (select count(*) from pg_stat_activity where backend_type = 'client backend')::int as used,
            current_setting('max_connections')::int as max,
            current_setting('superuser_reserved_connections')::int as reserved`,
  );
  const usable = Math.max(1, c.rows[0].max - c.rows[0].reserved);
  const long = await db.query(
    `select pid, extract(epoch from now() - xact_start)::int as seconds, coalesce(state, '') as state, coalesce(application_name, '') as application
       from pg_stat_activity
      where xact_start is not null and pid <> pg_backend_pid() and backend_type = 'client backend'
        and now() - xact_start >= make_interval(secs => $1)
      order by xact_start limit 20`,
    [longSeconds],
  );
  // Sessions that other sessions are waiting on right now (query text is never read: it may hold secrets).
  const blocking = await db.query(
    `with waits as (select pid, unnest(pg_blocking_pids(pid)) as blocker from pg_stat_activity where cardinality(pg_blocking_pids(pid)) > 0)
     select b.pid, array_agg(w.pid order by w.pid) as blocks, coalesce(b.state, '') as state, coalesce(b.application_name, '') as application,
            coalesce(extract(epoch from now() - b.xact_start), 0)::int as seconds
       from waits w join pg_stat_activity b on b.pid = w.blocker
      group by b.pid, b.state, b.application_name, b.xact_start
      order by b.pid limit 20`,
  );
  return {
    version: v.rows[0].version,
    databaseBytes: Number(v.rows[0].bytes),
    connections: { used: c.rows[0].used, max: c.rows[0].max, reserved: c.rows[0].reserved, percent: Math.round((c.rows[0].used / usable) * 1000) / 10 },
    longTransactions: long.rows.map((r) => ({ pid: r.pid, seconds: r.seconds, state: r.state, application: r.application })),
    blocking: blocking.rows.map((r) => ({ pid: r.pid, blocks: (r.blocks as number[]).map(Number), state: r.state, application: r.application, seconds: r.seconds })),
  };
}

/** A table name as written in SQL (already case-folded by the parser) -> a regclass literal. */
function regclassText(name: string): string {
  return name
    .split('.')
    .map((p) => quoteIdent(p))
    .join('.');
}

/**
 * Estimated rows (`pg_class.reltuples`; `n_live_tup` when the table was never analyzed) and total size
 * (`pg_total_relation_size`) of each table that exists. Keys are `tableKey(name)`.
 */
export async function readTableStats(db: Queryable, tables: string[]): Promise<Map<string, TableStats>> {
  const out = new Map<string, TableStats>();
  for (const t of tables) {
    const r = await db.query(
      `select c.reltuples::float8 as reltuples, s.n_live_tup::float8 as live, pg_total_relation_size(c.oid)::float8 as bytes
         from pg_class c left join pg_stat_user_tables s on s.relid = c.oid
        where c.oid = to_regclass($1)`,
      [regclassText(t)],
    );
    const row = r.rows[0];
    if (!row) continue;
    const rows = row.reltuples >= 0 ? Math.round(row.reltuples) : row.live !== null && row.live !== undefined ? Math.round(row.live) : undefined;
    out.set(tableKey(t), { rows, bytes: row.bytes === null ? undefined : Math.round(row.bytes) });
  }
  return out;
}

/** Index-only findings (DROP INDEX, REINDEX INDEX) get the table the index belongs to, so they can be graded. */
export async function resolveIndexTables<F extends { index?: string; table?: string }>(db: Queryable, findings: F[]): Promise<F[]> {
  const out: F[] = [];
  for (const f of findings) {
    if (!f.index || f.table) {
      out.push(f);
      continue;
    }
    const r = await db.query(
      `select n.nspname as schema, c.relname as table from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace where i.indexrelid = to_regclass($1)`,
      [regclassText(f.index)],
    );
    const row = r.rows[0];
    out.push(row ? { ...f, table: row.schema === 'public' ? row.table : `${row.schema}.${row.table}` } : f);
  }
  return out;
}

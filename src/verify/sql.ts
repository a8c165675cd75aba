/**
 * sql-checks: each query's first column of its first row must equal the expected value (compared as text;
 * no row compares as `null`). Queries run in a read-only transaction with a statement timeout, so a check
 * can never change the database it checks.
 */
import { errorMessage } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { SqlCheck } from './checks.js';
import type { CheckResult } from './load.js';

/** The part of a database client the checks need (pg.Client fits). */
export interface SqlClient {
  query(sql: string): Promise<{ rows: Array<Record<string, unknown>>; fields?: Array<{ name: string }> }>;
  end(): Promise<void>;
}

export function firstValue(result: { rows: Array<Record<string, unknown>>; fields?: Array<{ name: string }> }): string {
  const row = result.rows[0];
  if (!row) return 'null';
  const key = result.fields?.[0]?.name ?? Object.keys(row)[0];
  const v = key === undefined ? null : row[key];
  if (v === null || v === undefined) return 'null';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export async function runSqlChecks(open: () => Promise<SqlClient>, checks: readonly SqlCheck[], clock: Clock, statementTimeoutMs = 30_000): Promise<CheckResult[]> {
  if (checks.length === 0) return [];
  let client: SqlClient;
  try {
    client = await open();
  } catch (err) {
    return checks.map((c) => ({ name: c.name, kind: 'sql' as const, ok: false, detail: `could not connect: ${errorMessage(err)}` }));
  }
  const results: CheckResult[] = [];
  try {
    await client.query(`SET statement_timeout = ${Math.max(1, Math.round(statementTimeoutMs))}`);
    await client.query('SET default_transaction_read_only = on');
    for (const c of checks) {
      const started = clock.now();
      try {
        await client.query('BEGIN READ ONLY');
        let actual: string;
        try {
          actual = firstValue(await client.query(c.query));
        } finally {
          await client.query('ROLLBACK').catch(() => undefined);
        }
        const ok = actual === c.expected;
        results.push({ name: c.name, kind: 'sql', ok, ms: clock.now() - started, detail: ok ? `= ${c.expected}` : `got ${truncate(actual)}, expected ${truncate(c.expected)}` });
      } catch (err) {
        results.push({ name: c.name, kind: 'sql', ok: false, ms: clock.now() - started, detail: `query failed: ${errorMessage(err)}` });
      }
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  return results;
}

function truncate(s: string): string {
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

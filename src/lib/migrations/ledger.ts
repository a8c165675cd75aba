/**
 * The three ledgers (SQL `shipgate_migrations`, Prisma `_prisma_migrations`, Drizzle `drizzle.__drizzle_migrations`):
 * reading them into one shape, and checking them against the folder.
 */
import { acceptableChecksums, type Migration, type MigrationFormat } from './folder.js';

/** The part of a pg client the ledger needs. */
export interface Queryable {
  query<R extends Record<string, any> = Record<string, any>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

export interface LedgerRow {
  /** Migration name (Drizzle: the name of the journal entry with the same `when`, if any; else `created_at=<n>`). */
  name: string;
  checksum: string;
  /** Prisma: finished_at set. Others: always true. */
  finished: boolean;
  /** Prisma: rolled_back_at set (such rows are ignored, as Prisma does). */
  rolledBack: boolean;
  appliedAt?: Date;
  /** Drizzle: created_at (the journal's `when`). */
  createdAt?: number;
  /** Prisma: logs of a failed row. */
  logs?: string;
}

export interface LedgerLocation {
  format: MigrationFormat;
  /** Schema of the ledger table. */
  schema: string;
  table: string;
  /** Quoted, schema-qualified name. */
  qualified: string;
}

function q(id: string): string {
  return `"${id.replace(/"/g, '""')}"`;
}

/**
 * Where each format keeps its ledger. Prisma puts `_prisma_migrations` in the schema named by the URL's `schema`
 * parameter (default public); Drizzle uses `drizzle.__drizzle_migrations`; Shipgate's own is `public.shipgate_migrations`.
 */
export function ledgerLocation(format: MigrationFormat, databaseUrl?: string): LedgerLocation {
  let schema = 'public';
  let table = 'shipgate_migrations';
  if (format === 'prisma') {
    table = '_prisma_migrations';
    try {
      schema = (databaseUrl && new URL(databaseUrl).searchParams.get('schema')) || 'public';
    } catch {
      schema = 'public';
    }
  } else if (format === 'drizzle') {
    schema = 'drizzle';
    table = '__drizzle_migrations';
  }
  return { format, schema, table, qualified: `${q(schema)}.${q(table)}` };
}

/** DDL that creates the ledger exactly as the tool does (idempotent). */
export function ledgerDdl(loc: LedgerLocation): string[] {
  if (loc.format === 'prisma') {
    return [
      `CREATE TABLE IF NOT EXISTS ${loc.qualified} (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`,
    ];
  }
  if (loc.format === 'drizzle') {
    return [
      `CREATE SCHEMA IF NOT EXISTS ${q(loc.schema)}`,
      `CREATE TABLE IF NOT EXISTS ${loc.qualified} (
			id SERIAL PRIMARY KEY,
			hash text NOT NULL,
			created_at bigint
		)`,
    ];
  }
  return [
    `CREATE TABLE IF NOT EXISTS ${loc.qualified} (
  name text PRIMARY KEY,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  execution_ms integer NOT NULL,
  applied_by text NOT NULL DEFAULT ''
)`,
  ];
}

export async function ledgerExists(client: Queryable, loc: LedgerLocation): Promise<boolean> {
  const r = await client.query<{ t: string | null }>('select to_regclass($1)::text as t', [loc.qualified]);
  return r.rows[0]?.t != null;
}

/**
 * Reads the ledger in application order. A missing table is an empty ledger. For Drizzle pass the folder's
 * migrations so rows get the name of the journal entry with the same `when`.
 */
export async function readLedger(client: Queryable, format: MigrationFormat, opts: { databaseUrl?: string; migrations?: Migration[] } = {}): Promise<LedgerRow[]> {
  const loc = ledgerLocation(format, opts.databaseUrl);
  if (!(await ledgerExists(client, loc))) return [];
  if (format === 'prisma') {
    const r = await client.query(
      `select migration_name, checksum, finished_at, rolled_back_at, started_at, logs from ${loc.qualified} order by started_at, migration_name`,
    );
    return r.rows.map((row) => ({
      name: row.migration_name,
      checksum: row.checksum,
      finished: row.finished_at != null,
      rolledBack: row.rolled_back_at != null,
      appliedAt: row.finished_at ?? row.started_at,
      logs: row.logs ?? undefined,
    }));
  }
  if (format === 'drizzle') {
    const byWhen = new Map((opts.migrations ?? []).map((m) => [m.when, m.name]));
    const r = await client.query(`select id, hash, created_at::text as created_at from ${loc.qualified} order by id`);
    return r.rows.map((row) => {
      const createdAt = row.created_at == null ? undefined : Number(row.created_at);
      return {
        name: byWhen.get(createdAt) ?? `created_at=${row.created_at}`,
        checksum: row.hash,
        finished: true,
        rolledBack: false,
        createdAt,
      };
    });
  }
  const r = await client.query(`select name, checksum, applied_at from ${loc.qualified} order by applied_at, name`);
  return r.rows.map((row) => ({ name: row.name, checksum: row.checksum, finished: true, rolledBack: false, appliedAt: row.applied_at }));
}

export type ProblemKind = 'modified' | 'missing' | 'out-of-order' | 'failed';

export interface LedgerProblem {
  kind: ProblemKind;
  name: string;
  /** Repo-relative file, when there is one. */
  file?: string;
  /** What is wrong and how to resolve it. */
  message: string;
  /** Allowed by an option: reported as a warning, not a refusal. */
  allowed?: boolean;
}

export interface LedgerCheck {
  /** Migrations recorded as applied (in folder order). */
  applied: Migration[];
  /** Migrations not recorded, in folder order. */
  pending: Migration[];
  /** Refusals and (allowed) warnings. */
  problems: LedgerProblem[];
  /** Name of the last applied migration (folder order), if any. */
  head?: string;
}

function resolveHint(format: MigrationFormat, name: string): string {
  if (format === 'prisma') return `\`npx prisma migrate resolve --applied ${name}\` or \`--rolled-back ${name}\``;
  if (format === 'drizzle') return `delete or fix the matching row in drizzle.__drizzle_migrations`;
  return `delete or fix its row in shipgate_migrations`;
}

/**
 * Compares the folder with the ledger. Refusals (problems without `allowed`): an applied file that changed
 * (modified), an applied migration with no file (missing), a pending migration sorting before the last applied
 * one (out-of-order; Drizzle: `when` not after the newest created_at, which drizzle-kit would skip silently), a
 * Prisma row that failed and was never resolved (failed, P3009).
 */
export function checkLedger(
  format: MigrationFormat,
  migrations: Migration[],
  rows: LedgerRow[],
  opts: { allowModified?: boolean; allowOutOfOrder?: boolean } = {},
): LedgerCheck {
  const problems: LedgerProblem[] = [];
  const live = rows.filter((r) => !r.rolledBack);
  const byName = new Map(migrations.map((m) => [m.name, m]));
  const appliedNames = new Set<string>();
  for (const r of live) {
    const m = byName.get(r.name);
    if (!r.finished) {
      problems.push({
        kind: 'failed',
        name: r.name,
        file: m?.file,
        message: `migration ${r.name} failed in an earlier run and was never resolved (Prisma P3009)${r.logs ? `: ${r.logs.split('\n')[0]}` : ''}; check what it left in the database, then mark it with ${resolveHint(format, r.name)}`,
      });
      continue;
    }
    if (!m) {
      problems.push({
        kind: 'missing',
        name: r.name,
        message: `migration ${r.name} is recorded as applied but its file is gone from the folder; restore the file from git history (or, if it was removed on purpose, ${resolveHint(format, r.name)})`,
      });
      continue;
    }
    appliedNames.add(m.name);
    if (!acceptableChecksums(m.sql).has(r.checksum) && !legacyPrismaMatch(format, m, r.checksum)) {
      problems.push({
        kind: 'modified',
        name: m.name,
        file: m.file,
        allowed: opts.allowModified || undefined,
        message: `${m.file} changed after it was applied (ledger checksum ${r.checksum.slice(0, 12)}…, file ${m.checksum.slice(0, 12)}…); revert the edit and put the change in a new migration, or set allow-modified: true if the edit is cosmetic`,
      });
    }
  }
  const applied = migrations.filter((m) => appliedNames.has(m.name));
  const pending = migrations.filter((m) => !appliedNames.has(m.name) && !live.some((r) => r.name === m.name));
  // Failed (unfinished) rows keep their migration out of pending: it must be resolved first.
  let lastIndex = -1;
  migrations.forEach((m, i) => {
    if (appliedNames.has(m.name)) lastIndex = i;
  });
  const head = lastIndex >= 0 ? migrations[lastIndex].name : undefined;
  const newestCreated = Math.max(-Infinity, ...live.map((r) => r.createdAt ?? -Infinity));
  for (const m of pending) {
    const idx = migrations.indexOf(m);
    const early = format === 'drizzle' ? m.when !== undefined && m.when <= newestCreated : idx < lastIndex;
    if (early) {
      problems.push({
        kind: 'out-of-order',
        name: m.name,
        file: m.file,
        allowed: opts.allowOutOfOrder || undefined,
        message:
          format === 'drizzle'
            ? `${m.file} is pending but its journal time (${m.when}) is not after the newest applied migration's (${newestCreated}); drizzle-kit would skip it silently. Regenerate it after the latest migration, or set allow-out-of-order: true to apply it anyway`
            : `${m.file} is pending but sorts before the last applied migration ${head}; rename it so it sorts last, or set allow-out-of-order: true to apply it anyway`,
      });
    }
  }
  return { applied, pending, problems, head };
}

/** Prisma once wrote checksums without zero-padding each byte (prisma-engines#1887). */
function legacyPrismaMatch(format: MigrationFormat, m: Migration, checksum: string): boolean {
  if (format !== 'prisma' || checksum.length >= 64) return false;
  const bytes = Buffer.from(m.checksum, 'hex');
  return [...bytes].map((b) => b.toString(16)).join('') === checksum;
}

/** Problems that refuse the run (not allowed by an option). */
export function refusals(check: LedgerCheck): LedgerProblem[] {
  return check.problems.filter((p) => !p.allowed);
}

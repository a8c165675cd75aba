/**
 * The migration lint rules: what each one guards against, its severity before live sizes are known, whether
 * the table's size decides how bad it is, whether it is destructive, and the safer rewrite.
 * Names follow squawk's where squawk has the same rule, so users can map between the two.
 */
export type Severity = 'error' | 'warning' | 'info';

export type RuleCategory = 'lock' | 'rewrite' | 'scan' | 'concurrency' | 'destructive' | 'type' | 'transaction' | 'meta';

export interface RuleInfo {
  id: string;
  category: RuleCategory;
  /** Severity without live table sizes (or for rules sizes do not affect). */
  severity: Severity;
  /** Severity is graded by the table's live row count and size (rewrites, scans, strong locks). */
  sizeGraded: boolean;
  /** Drops or renames something clients may still use: blocks deploy mode unless allowed. */
  destructive: boolean;
  summary: string;
  safer: string;
}

const r = (id: string, category: RuleCategory, severity: Severity, summary: string, safer: string, opts: { sizeGraded?: boolean; destructive?: boolean } = {}): RuleInfo => ({
  id,
  category,
  severity,
  sizeGraded: opts.sizeGraded ?? false,
  destructive: opts.destructive ?? false,
  summary,
  safer,
});

export const RULES: readonly RuleInfo[] = [
  r('adding-required-field', 'lock', 'error', 'ADD COLUMN ... NOT NULL without a DEFAULT fails on any table that has rows', 'Add the column nullable (or with a constant DEFAULT), backfill in batches, then add a NOT VALID CHECK (col IS NOT NULL), VALIDATE it, and SET NOT NULL.', { sizeGraded: true }),
  r('adding-field-with-volatile-default', 'rewrite', 'warning', 'a column with a volatile default (random(), gen_random_uuid(), clock_timestamp(), serial, identity or GENERATED ... STORED) rewrites the whole table under ACCESS EXCLUSIVE', 'Add the column without a default (or with a constant/now() default), set the default afterwards, and backfill existing rows in batches.', { sizeGraded: true }),
  r('changing-column-type', 'rewrite', 'warning', 'ALTER COLUMN ... TYPE rewrites the table and its indexes under ACCESS EXCLUSIVE (unless binary-coercible, e.g. varchar(n) -> text)', 'Add a new column of the new type, backfill it in batches, switch reads and writes, then drop the old column in a later deploy.', { sizeGraded: true }),
  r('constraint-missing-not-valid', 'scan', 'warning', 'ADD CONSTRAINT ... CHECK without NOT VALID scans the whole table under ACCESS EXCLUSIVE (and VALIDATE in the same transaction keeps that lock)', 'ADD CONSTRAINT ... NOT VALID in one migration, then ALTER TABLE ... VALIDATE CONSTRAINT in a separate transaction.', { sizeGraded: true }),
  r('adding-foreign-key-constraint', 'scan', 'warning', 'a FOREIGN KEY without NOT VALID takes SHARE ROW EXCLUSIVE on both tables and scans the whole table', 'ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then VALIDATE CONSTRAINT in a separate transaction.', { sizeGraded: true }),
  r('setting-not-null', 'scan', 'warning', 'SET NOT NULL scans the whole table under ACCESS EXCLUSIVE unless a validated CHECK (col IS NOT NULL) exists (PostgreSQL 12+)', 'ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT c; then SET NOT NULL (instant) and drop the check.', { sizeGraded: true }),
  r('require-concurrent-index-creation', 'lock', 'warning', 'CREATE INDEX without CONCURRENTLY blocks writes to the table while the index builds', 'CREATE INDEX CONCURRENTLY, outside a transaction (IF NOT EXISTS makes it retryable).', { sizeGraded: true }),
  r('require-concurrent-index-deletion', 'lock', 'warning', 'DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table', 'DROP INDEX CONCURRENTLY, outside a transaction.', { sizeGraded: true }),
  r('ban-concurrent-index-creation-in-transaction', 'transaction', 'error', 'CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction block (the migration fails)', 'Put the CONCURRENTLY statement in its own migration that the runner executes outside a transaction.'),
  r('disallowed-unique-constraint', 'lock', 'warning', 'ADD UNIQUE / PRIMARY KEY builds its index in place under ACCESS EXCLUSIVE', 'CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... UNIQUE USING INDEX (instant).', { sizeGraded: true }),
  r('table-rewrite', 'rewrite', 'warning', 'VACUUM FULL, CLUSTER, SET LOGGED/UNLOGGED, SET TABLESPACE and SET ACCESS METHOD rewrite the whole table under ACCESS EXCLUSIVE', 'Use pg_repack (or pg_squeeze) online instead of a blocking rewrite.', { sizeGraded: true }),
  r('require-concurrent-reindex', 'lock', 'warning', 'REINDEX without CONCURRENTLY blocks writes (and reads through the index)', 'REINDEX ... CONCURRENTLY (PostgreSQL 12+), outside a transaction.', { sizeGraded: true }),
  r('require-concurrent-partition-detach', 'lock', 'warning', 'DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the parent', 'ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+), outside a transaction.', { sizeGraded: true }),
  r('ban-drop-table', 'destructive', 'warning', 'DROP TABLE deletes the table and its data; running code that still uses it breaks', 'Stop using the table in a deploy first; drop it in a later migration after a backup (expand/contract).', { destructive: true }),
  r('ban-drop-column', 'destructive', 'warning', 'DROP COLUMN deletes data; running code that still selects the column breaks', 'Stop reading and writing the column in one deploy; drop it in a later one.', { destructive: true }),
  r('ban-drop-database', 'destructive', 'error', 'DROP DATABASE deletes a whole database', 'Do not drop databases from a migration.', { destructive: true }),
  r('renaming-table', 'destructive', 'warning', 'RENAME TABLE breaks running code that uses the old name', 'Create the new table (or a view under the new name), migrate clients, drop the old name later.', { destructive: true }),
  r('renaming-column', 'destructive', 'warning', 'RENAME COLUMN breaks running code that uses the old name', 'Add the new column, write to both, backfill, switch reads, then drop the old column later.', { destructive: true }),
  r('ban-truncate-cascade', 'destructive', 'error', 'TRUNCATE ... CASCADE also empties every table that references this one, recursively', 'TRUNCATE only the tables you name (without CASCADE), or delete in batches.', { destructive: true }),
  r('ban-truncate', 'destructive', 'warning', 'TRUNCATE deletes every row of the table under ACCESS EXCLUSIVE', 'Delete the rows you mean to delete in batches, after a backup.', { destructive: true }),
  r('ban-drop-not-null', 'lock', 'info', 'DROP NOT NULL lets NULLs in that clients may not expect', 'Make sure readers handle NULL before dropping the constraint.'),
  r('prefer-bigint-over-int', 'type', 'warning', 'int/smallint (and serial/smallserial) ids and counters overflow at 2^31; changing the type later rewrites the table', 'Use bigint (bigint GENERATED ... AS IDENTITY for keys).'),
  r('prefer-timestamptz', 'type', 'warning', 'timestamp without time zone stores wall-clock time with no zone, which breaks across time zones and DST', 'Use timestamptz.'),
  r('prefer-text-field', 'type', 'info', 'varchar(n): changing the limit later may rewrite the table', 'Use text with a CHECK (char_length(col) <= n) constraint.'),
  r('ban-char-field', 'type', 'warning', 'char(n) pads with spaces and compares surprisingly', 'Use text (with a CHECK on length if needed).'),
  r('prefer-identity', 'type', 'info', 'serial columns own a sequence with awkward permissions and ownership', 'Use bigint GENERATED BY DEFAULT AS IDENTITY.'),
  r('ban-create-domain-with-constraint', 'lock', 'warning', 'a domain CHECK cannot be added NOT VALID later without a full scan of every column of that domain', 'Put the CHECK on the table columns instead.'),
  r('ban-alter-domain-with-add-constraint', 'scan', 'warning', 'ALTER DOMAIN ... ADD CONSTRAINT scans every column of that domain while holding locks', 'Add table-level NOT VALID CHECK constraints instead, then VALIDATE them.'),
  r('identifier-too-long', 'type', 'warning', 'identifiers longer than 63 bytes are silently truncated by PostgreSQL', 'Use a name of at most 63 bytes.'),
  r('transaction-nesting', 'transaction', 'warning', 'BEGIN inside an open transaction (or inside a runner-managed transaction) is ignored with a warning; the COMMIT then ends the runner\'s transaction early', 'Leave transactions to the runner, or use one BEGIN ... COMMIT per file.'),
  r('ban-uncommitted-transaction', 'transaction', 'error', 'BEGIN without COMMIT leaves the transaction open at the end of the file', 'Close every BEGIN with COMMIT in the same file.'),
  r('require-lock-timeout', 'lock', 'info', 'a statement taking a strong lock without lock_timeout queues behind long transactions and blocks every query behind it', 'SET lock_timeout = \'2s\' first (Shipgate\'s migrate stage sets lock_timeout and statement_timeout on its connection, which satisfies this).'),
  r('parse-error', 'meta', 'error', 'the PostgreSQL parser rejected the file', 'Fix the SQL syntax.'),
  r('suppression-without-reason', 'meta', 'warning', 'a shipgate-ignore comment without a reason', 'Write `-- shipgate-ignore <rule>: <why this is safe here>`.'),
  r('unknown-suppression', 'meta', 'warning', 'a shipgate-ignore comment names a rule that does not exist', 'Use one of the rule names in the report.'),
  r('unused-suppression', 'meta', 'warning', 'a shipgate-ignore comment that suppresses nothing', 'Remove it.'),
];

export const RULE_BY_ID: ReadonlyMap<string, RuleInfo> = new Map(RULES.map((x) => [x.id, x]));

export const ROWS_ERROR = 100_000;
export const ROWS_WARNING = 10_000;
export const BYTES_ERROR = 256 * 1024 * 1024;
export const BYTES_WARNING = 32 * 1024 * 1024;

/**
 * A size-graded finding's severity from the live table: a rewrite of a 200-row table is information, of a
 * 10-million-row table an error. Unknown size keeps the rule's own severity.
 */
export function gradeBySize(base: Severity, rows: number | undefined, bytes: number | undefined): Severity {
  if (rows === undefined && bytes === undefined) return base;
  const n = rows ?? 0;
  const b = bytes ?? 0;
  if (n >= ROWS_ERROR || b >= BYTES_ERROR) return 'error';
  if (n >= ROWS_WARNING || b >= BYTES_WARNING) return 'warning';
  return 'info';
}

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

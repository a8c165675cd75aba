/**
 * Shared migration-folder reader, ledger checks and SQL statement planner, used by migrate and preflight.
 *
 * Folder (no database, no parser):
 *   detectMigrations(workspace, dir?, format = 'auto') -> { format, dir, path, migrations: Migration[] }
 *     Migration = { name, file (workspace-relative, '/'), path, sql, checksum, noTransaction, when?, chunks? }
 *     Order is each tool's own: SQL = numeric id order for id-prefixed names (`00010_x` after `0002_y`), then
 *     byte order; `*.down.sql` ignored, `.up.sql` stripped from the name. Prisma = byte-wise folder order of
 *     folders holding migration.sql. Drizzle = meta/_journal.json order; .sql files not in the journal are ignored.
 *     noTransaction = a leading `-- shipgate:no-transaction`, `--! no-transaction` or
 *     `-- postgres-migrations disable-transaction` comment. Throws MigrationFolderError (message says what to do).
 *   acceptableChecksums(text) -> raw / LF / CRLF sha256 set (ledger comparisons are line-ending tolerant).
 *
 * Ledger:
 *   ledgerLocation(format, databaseUrl?) -> { schema, table, qualified }   (Prisma honours ?schema=)
 *   readLedger(client, format, { databaseUrl?, migrations? }) -> LedgerRow[]   (missing table = [])
 *   checkLedger(format, migrations, rows, { allowModified?, allowOutOfOrder? })
 *     -> { applied, pending, head?, problems: [{ kind: 'modified'|'missing'|'out-of-order'|'failed', name, file?, message, allowed? }] }
 *   refusals(check) -> the problems not allowed by an option.
 *
 * Statements (libpg-query, loaded lazily on first call; inside an ncc bundle the wasm is read from the bundle's
 * own folder, where scripts/build.mjs copies it):
 *   loadParser(); planMigration(migration) -> { mode: 'transaction'|'mixed'|'no-transaction'|'as-written', statements, steps, reason? }
 *   Statement = { text, offset (file byte offset), line (file line), kind, nonTransactional? (reason), transactionControl?, node }
 *   splitStatements / migrationStatements / planStatements / nonTransactionalReason for finer use.
 *   Parse errors throw SqlParseError { file, line }.
 */
export * from './folder.js';
export * from './ledger.js';
export * from './statements.js';

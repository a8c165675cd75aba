/**
 * The migrate stage's logic: read the folder and the ledger, refuse unsafe states, plan, then apply pending
 * migrations one by one under the advisory lock (or run the user's command under it), and report.
 * The outside world (database connections, processes, clock, logger, summary, restore) comes in through MigrateDeps.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StageError, errorMessage } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Summary } from '../lib/summary.js';
import type { ProcessRunner } from '../lib/process.js';
import type { StageOutcome, OutputValue } from '../lib/stage.js';
import { formatDuration } from '../lib/durations.js';
import { retry } from '../lib/retry.js';
import { isMongoUrl } from '../lib/postgres.js';
import {
  MigrationFolderError,
  SqlParseError,
  checkLedger,
  detectMigrations,
  ledgerExists,
  ledgerLocation,
  planMigration,
  readLedger,
  refusals,
  type LedgerCheck,
  type LedgerRow,
  type Migration,
  type MigrationFolder,
  type MigrationFormat,
  type MigrationPlan,
} from '../lib/migrations/index.js';
import type { MigrateSettings } from './inputs.js';
import { AdvisoryLock, type LockConnection } from './lock.js';
import { MigrationFailure, applyMigration, errorLine, freshSession, pgMessage, type PgError } from './execute.js';
import { diffSnapshots, fingerprint, leftovers, snapshot, type TableDrift } from './schema.js';
import type { OUTPUT } from './names.js';

export type OutputKey = keyof typeof OUTPUT;

export interface Connection extends LockConnection {
  query(text: string, params?: unknown[]): Promise<{ rows: any[] }>;
}

/** Restores a backup taken by the backup stage (port; wired in main.ts when src/backup provides it). */
export interface Restorer {
  restore(request: { backupId: string; databaseUrl: string }): Promise<{ message: string }>;
}

export interface MigrateDeps {
  connect(url: string, applicationName: string): Promise<Connection>;
  logger: Logger;
  clock: Clock;
  summary: Summary;
  processes: ProcessRunner;
  env: NodeJS.ProcessEnv;
  workspace: string;
  /** Recorded as applied_by in shipgate_migrations. */
  runUrl: string;
  restorer?: Restorer;
  /** Attempts for a migration that hit lock_timeout (SQLSTATE 55P03). */
  lockRetryAttempts?: number;
  lockRetryBaseMs?: number;
  /** Poll interval of the advisory lock. */
  lockPollMs?: number;
}

type Outputs = Partial<Record<OutputKey, OutputValue>>;

interface Planned {
  migration: Migration;
  plan: MigrationPlan;
}

function modeLabel(p: MigrationPlan): string {
  return p.reason ? `${p.mode} (${p.reason})` : p.mode;
}

function folderError(err: unknown): never {
  if (err instanceof MigrationFolderError) throw new StageError(err.message, err.file ? { file: err.file } : undefined);
  throw err;
}

/** Prisma refuses a folder whose migration_lock.toml names another provider (P3019); so does Shipgate, before connecting. */
export function checkPrismaProvider(folder: MigrationFolder): void {
  if (folder.format !== 'prisma') return;
  const file = join(folder.path, 'migration_lock.toml');
  if (!existsSync(file)) return;
  const provider = /^\s*provider\s*=\s*"([^"]*)"/m.exec(readFileSync(file, 'utf8'))?.[1];
  if (provider && !['postgresql', 'postgres', 'cockroachdb'].includes(provider)) {
    throw new StageError(`${folder.dir}/migration_lock.toml says provider = "${provider}", but this is a PostgreSQL database; these migrations were generated for another database (Prisma P3019). Nothing was changed`, {
      file: `${folder.dir}/migration_lock.toml`,
    });
  }
}

/** The pending migrations up to and including `target` (a name or a unique prefix). */
export function limitToTarget(all: Migration[], check: LedgerCheck, target: string | undefined): Migration[] {
  if (!target) return check.pending;
  const exact = all.find((m) => m.name === target);
  const matches = exact ? [exact] : all.filter((m) => m.name.startsWith(target));
  if (matches.length === 0) throw new StageError(`target ${target} matches no migration in the folder; use a migration name or a unique prefix of one`);
  if (matches.length > 1) throw new StageError(`target ${target} matches ${matches.length} migrations (${matches.slice(0, 3).map((m) => m.name).join(', ')}…); use a longer prefix`);
  const idx = all.indexOf(matches[0]);
  return check.pending.filter((m) => all.indexOf(m) <= idx);
}

export async function runMigrate(settings: MigrateSettings, deps: MigrateDeps): Promise<StageOutcome<OutputKey>> {
  if (settings.onFailure === 'restore' && !deps.restorer) {
    throw new StageError(
      'on-failure: restore needs the backup stage\'s restore and the bucket that holds the backup (s3-bucket); nothing was changed',
    );
  }
  if (settings.command) return runCommand(settings, deps);
  if (isMongoUrl(settings.databaseUrl)) throw new StageError('MongoDB is migrated only through the command input');
  const started = deps.clock.now();
  let folder: MigrationFolder;
  try {
    folder = detectMigrations(deps.workspace, settings.migrationsDir, settings.format);
  } catch (err) {
    folderError(err);
  }
  deps.logger.info(`Migrations: ${folder.migrations.length} ${folder.format} migration(s) in ${folder.dir}.`);
  checkPrismaProvider(folder);
  // A target naming no migration is refused before any connection.
  if (settings.target) limitToTarget(folder.migrations, { applied: [], pending: [], problems: [] }, settings.target);

  const lock = new AdvisoryLock(await deps.connect(settings.databaseUrl, 'shipgate-migrate-lock'), deps.clock, deps.logger);
  let db: Connection | undefined;
  try {
    await lock.acquire(settings.lockWaitMs, deps.lockPollMs);
    db = await deps.connect(settings.databaseUrl, 'shipgate-migrate');
    return await migrateLocked(settings, deps, folder, db, lock, started);
  } finally {
    if (db) await db.end().catch(() => undefined);
    await lock.release();
  }
}

async function migrateLocked(
  settings: MigrateSettings,
  deps: MigrateDeps,
  folder: MigrationFolder,
  db: Connection,
  lock: AdvisoryLock,
  started: number,
): Promise<StageOutcome<OutputKey>> {
  const { logger, summary } = deps;
  const loc = ledgerLocation(folder.format, settings.databaseUrl);
  const rows = await readLedger(db, folder.format, { databaseUrl: settings.databaseUrl, migrations: folder.migrations });
  const check = checkLedger(folder.format, folder.migrations, rows, { allowModified: settings.allowModified, allowOutOfOrder: settings.allowOutOfOrder });
  summary.heading('Shipgate migrate');
  for (const p of check.problems.filter((x) => x.allowed)) logger.warning(`${p.message} (allowed)`, p.file ? { file: p.file, title: `${p.kind} migration` } : undefined);
  const refused = refusals(check);
  if (refused.length) {
    for (const p of refused) logger.error(p.message, p.file ? { file: p.file, title: `${p.kind} migration ${p.name}` } : { title: `${p.kind} migration ${p.name}` });
    summary.paragraph(`**Refused**: nothing was applied.`).list(refused.map((p) => `**${p.kind}** ${p.name}: ${p.message}`));
    return {
      outputs: { status: 'failed', applied: [], appliedCount: 0, pendingCount: check.pending.length, ledgerHead: check.head ?? '' },
      // Each problem was annotated above; the failure line itself carries no second copy.
      error: new StageError(`refused ${refused.length} ledger problem(s), nothing was applied: ${refused.map((p) => `[${p.kind}] ${p.message}`).join(' | ')}`),
    };
  }
  const todo = limitToTarget(folder.migrations, check, settings.target);

  if (todo.length === 0) {
    const fp = fingerprint(await snapshot(db));
    const took = deps.clock.now() - started;
    logger.info(`Up to date: ${check.applied.length} applied, nothing pending${settings.target ? ` up to ${settings.target}` : ''} (checked in ${formatDuration(took)}; no SQL parsed).`);
    const rest = check.pending.length ? `, ${check.pending.length} pending after target ${settings.target}` : ', none pending';
    summary.paragraph(`Up to date: ${check.applied.length} migration(s) applied${rest}. Ledger head: \`${check.head ?? '(empty)'}\`.`);
    await reportLeftovers(db, deps);
    const outputs: Outputs = {
      status: 'up-to-date',
      applied: [],
      appliedCount: 0,
      pendingCount: check.pending.length,
      ledgerHead: check.head ?? '',
      schemaFingerprint: fp,
    };
    if (settings.shadowDatabaseUrl) await driftCheck(settings, deps, db, folder, check.applied.map((m) => m.name));
    return { outputs };
  }

  // Plan: parse every migration that will run (the parser is loaded here, not before).
  const planned: Planned[] = [];
  for (const m of todo) {
    try {
      planned.push({ migration: m, plan: await planMigration(m) });
    } catch (err) {
      if (err instanceof SqlParseError) {
        return {
          outputs: { status: 'failed', applied: [], appliedCount: 0, pendingCount: check.pending.length, ledgerHead: check.head ?? '' },
          error: new StageError(`${err.message}; nothing was applied`, { file: err.file, startLine: err.line, title: `cannot parse ${m.name}` }),
        };
      }
      throw err;
    }
  }
  logger.info(`Plan (${planned.length} pending${settings.dryRun ? ', dry run' : ''}):`);
  for (const p of planned) logger.info(`  ${p.migration.file} -> ${modeLabel(p.plan)}, ${p.plan.statements.length} statement(s)`);
  summary.heading('Plan', 3).table(
    ['Migration', 'Mode', 'Statements'],
    planned.map((p) => [p.migration.name, modeLabel(p.plan), p.plan.statements.length]),
  );

  if (settings.dryRun) return dryRun(settings, deps, db, planned, check);

  const opts = {
    lockTimeoutMs: settings.lockTimeoutMs,
    statementTimeoutMs: settings.statementTimeoutMs,
    ledger: loc,
    // Created inside the first migration's own ledger write, so a failed first run leaves no empty ledger behind.
    createLedger: !(await ledgerExists(db, loc)),
    appliedBy: deps.runUrl || 'shipgate',
    now: () => deps.clock.now(),
  };
  // With on-failure: restore, remember the schema before this run to say what a restore did not put back.
  const preRun = settings.onFailure === 'restore' ? await snapshot(db) : undefined;
  const applied: { name: string; ms: number; mode: string }[] = [];
  let failure: MigrationFailure | Error | undefined;
  for (const p of planned) {
    if (lock.lost) {
      failure = new StageError(`the advisory lock connection was lost (${lock.lost}) before ${p.migration.name}; stopped. Applied so far: ${applied.length}`);
      break;
    }
    try {
      const took = await retry(() => applyMigration(db, p.migration, p.plan, opts), {
        attempts: deps.lockRetryAttempts ?? 4,
        baseMs: deps.lockRetryBaseMs ?? 1000,
        maxMs: 15_000,
        clock: deps.clock,
        retryable: (e) => e instanceof MigrationFailure && e.code === '55P03' && e.rolledBack,
        onRetry: ({ attempt, delayMs }) =>
          logger.warning(`${p.migration.name}: lock_timeout (55P03) on attempt ${attempt}; rolled back, retrying in ${formatDuration(delayMs)}`),
      });
      applied.push({ name: p.migration.name, ms: took, mode: modeLabel(p.plan) });
      opts.createLedger = false;
      logger.info(`Applied ${p.migration.name} in ${formatDuration(took)} (${p.plan.mode}).`);
    } catch (err) {
      failure = err as Error;
      break;
    }
  }

  const after = await readLedger(db, folder.format, { databaseUrl: settings.databaseUrl, migrations: folder.migrations }).catch(() => undefined as LedgerRow[] | undefined);
  const afterCheck = after ? checkLedger(folder.format, folder.migrations, after, { allowModified: true, allowOutOfOrder: true }) : undefined;
  summary.heading('Applied', 3);
  if (applied.length) summary.table(['Migration', 'Duration', 'Transaction mode'], applied.map((a) => [a.name, formatDuration(a.ms), a.mode]));
  else summary.paragraph('Nothing was applied.');
  const outputs: Outputs = {
    applied: applied.map((a) => a.name),
    appliedCount: applied.length,
    pendingCount: afterCheck ? afterCheck.pending.length : check.pending.length - applied.length,
    ledgerHead: afterCheck?.head ?? check.head ?? '',
  };

  if (failure) {
    outputs.status = 'failed';
    const f = failure;
    const annotation = f instanceof MigrationFailure ? f.annotation : undefined;
    summary.heading('Failure', 3).paragraph(f.message);
    if (f instanceof MigrationFailure && f.left.length) summary.list(f.left);
    const failedName = f instanceof MigrationFailure ? f.migration.name : undefined;
    const notRun = planned.map((p) => p.migration.name).filter((n) => !applied.some((a) => a.name === n) && n !== failedName);
    if (notRun.length) summary.paragraph(`Not run (stopped at the failure): ${notRun.map((n) => `\`${n}\``).join(', ')}.`);
    const changed = applied.length > 0 || !(f instanceof MigrationFailure && f.rolledBack);
    let restoreNote = '';
    if (settings.onFailure === 'restore' && deps.restorer && settings.backupId) {
      if (!changed) {
        logger.info(`on-failure: restore: not restoring ${settings.backupId}, because this run changed nothing (the failed migration rolled back whole); restoring would only discard writes made since the backup.`);
        summary.paragraph(`Backup \`${settings.backupId}\` was not restored: this run changed nothing.`);
      } else {
        let restored = false;
        try {
          const r = await deps.restorer.restore({ backupId: settings.backupId, databaseUrl: settings.databaseUrl });
          restored = true;
          restoreNote = ` Backup ${settings.backupId} was restored afterwards (on-failure: restore).`;
          outputs.applied = [];
          outputs.appliedCount = 0;
          summary.paragraph(`Restored backup \`${settings.backupId}\` after the failure: ${r.message}. Migrations this run applied (${applied.map((a) => a.name).join(', ') || 'none'}) were undone by the restore.`);
          logger.warning(`Restored backup ${settings.backupId} after the failure: ${r.message}`);
        } catch (err) {
          restoreNote = ` Restoring backup ${settings.backupId} FAILED (${errorMessage(err)}); the database is as the failed run left it.`;
          logger.error(`Restoring backup ${settings.backupId} failed: ${errorMessage(err)}`);
          summary.paragraph(`Restoring backup \`${settings.backupId}\` FAILED: ${errorMessage(err)}. The database is as the failed run left it (see above).`);
        }
        if (restored) {
          // A fresh connection: the migration session may be the one that was terminated.
          try {
            const after = await deps.connect(settings.databaseUrl, 'shipgate-migrate');
            try {
              if (preRun) {
                const left = diffSnapshots(await snapshot(after), preRun);
                if (left.length) {
                  const items = left.flatMap((d) => d.differences.map((x) => `${d.table}: ${x.replace('migrations give', 'before this run')}`));
                  logger.warning(`After the restore the schema still differs from before this run (objects the backup does not contain are not removed by a restore): ${items.join('; ')}`);
                  summary.paragraph('After the restore the schema still differs from before this run:').list(items.map((i) => `\`${i}\``));
                }
              }
              const rows = await readLedger(after, folder.format, { databaseUrl: settings.databaseUrl, migrations: folder.migrations });
              const c = checkLedger(folder.format, folder.migrations, rows, { allowModified: true, allowOutOfOrder: true });
              outputs.pendingCount = c.pending.length;
              outputs.ledgerHead = c.head ?? '';
              outputs.schemaFingerprint = fingerprint(await snapshot(after));
            } finally {
              await after.end().catch(() => undefined);
            }
          } catch (err) {
            logger.warning(`Could not inspect the database after the restore: ${errorMessage(err)}`);
          }
          return { outputs, error: new StageError(f.message + restoreNote, annotation) };
        }
      }
    }
    try {
      outputs.schemaFingerprint = fingerprint(await snapshot(db));
    } catch {
      // the connection may be gone (terminated backend)
    }
    return { outputs, error: new StageError(f.message + restoreNote, annotation) };
  }

  outputs.status = applied.length ? 'applied' : 'up-to-date';
  outputs.schemaFingerprint = fingerprint(await snapshot(db));
  summary.paragraph(`Ledger head: \`${outputs.ledgerHead || '(empty)'}\`; ${outputs.pendingCount} pending; schema fingerprint \`${String(outputs.schemaFingerprint).slice(0, 16)}…\`.`);
  await reportLeftovers(db, deps);
  if (settings.shadowDatabaseUrl) await driftCheck(settings, deps, db, folder, afterCheck?.applied.map((m) => m.name) ?? []);
  logger.info(`Applied ${applied.length} migration(s); ${outputs.pendingCount} pending; ledger head ${outputs.ledgerHead || '(empty)'}.`);
  return { outputs };
}

async function reportLeftovers(db: Connection, deps: MigrateDeps): Promise<void> {
  const l = await leftovers(db);
  for (const i of l.invalidIndexes) deps.logger.warning(`Index ${i.index} on ${i.table} is INVALID (a failed CREATE INDEX CONCURRENTLY?): drop it and create it again`);
  for (const c of l.notValidConstraints) deps.logger.warning(`Constraint ${c.constraint} on ${c.table} is NOT VALID: run ALTER TABLE ... VALIDATE CONSTRAINT when convenient`);
  const items = [
    ...l.invalidIndexes.map((i) => `Invalid index \`${i.index}\` on \`${i.table}\``),
    ...l.notValidConstraints.map((c) => `NOT VALID constraint \`${c.constraint}\` on \`${c.table}\``),
  ];
  if (items.length) deps.summary.heading('Needs attention', 3).list(items);
}

/** Rehearse transactional migrations in one transaction that is always rolled back; list the others as not rehearsed. */
async function dryRun(settings: MigrateSettings, deps: MigrateDeps, db: Connection, planned: Planned[], check: LedgerCheck): Promise<StageOutcome<OutputKey>> {
  const { logger, summary } = deps;
  await freshSession(db, settings);
  const rows: [string, string][] = [];
  let failure: StageError | undefined;
  let skipped: string | undefined;
  await db.query('BEGIN');
  try {
    for (const p of planned) {
      if (p.plan.mode !== 'transaction') {
        rows.push([p.migration.name, `not rehearsed (${modeLabel(p.plan)})`]);
        skipped ??= p.migration.name;
        continue;
      }
      await db.query('SAVEPOINT shipgate_rehearsal');
      // Session state a previous file SET must not leak into this one (DISCARD ALL cannot run in a transaction).
      await db.query('RESET ALL');
      await db.query(`select set_config('lock_timeout', $1, false), set_config('statement_timeout', $2, false)`, [
        `${settings.lockTimeoutMs}ms`,
        `${settings.statementTimeoutMs}ms`,
      ]);
      let current = p.plan.statements[0];
      try {
        for (const st of p.plan.statements) {
          current = st;
          await db.query(st.text);
        }
        await db.query('RELEASE SAVEPOINT shipgate_rehearsal');
        rows.push([p.migration.name, 'rehearsed, rolled back']);
      } catch (err) {
        await db.query('ROLLBACK TO SAVEPOINT shipgate_rehearsal');
        const line = current ? errorLine(current, err) : 1;
        const msg = `${p.migration.file}:${line}: ${pgMessage(err as PgError)}`;
        if (skipped) {
          rows.push([p.migration.name, `failed in rehearsal, possibly because ${skipped} was not rehearsed: ${msg}`]);
          logger.warning(`dry run: ${msg} (may depend on the unrehearsed ${skipped})`, { file: p.migration.file, startLine: line });
        } else {
          rows.push([p.migration.name, `FAILS: ${msg}`]);
          failure ??= new StageError(`dry run: ${msg}; nothing was changed`, { file: p.migration.file, startLine: line, title: `migration ${p.migration.name} would fail` });
          break;
        }
      }
    }
  } finally {
    await db.query('ROLLBACK').catch(() => undefined);
  }
  summary.heading('Dry run', 3).table(['Migration', 'Rehearsal'], rows);
  for (const [n, r] of rows) logger.info(`dry run: ${n}: ${r}`);
  const outputs: Outputs = {
    status: failure ? 'failed' : 'dry-run',
    applied: [],
    appliedCount: 0,
    pendingCount: check.pending.length,
    ledgerHead: check.head ?? '',
    schemaFingerprint: fingerprint(await snapshot(db)),
  };
  return { outputs, error: failure };
}

async function isEmptyDatabase(db: Connection): Promise<boolean> {
  const r = await db.query(
    `select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r','p','v','m','S','f') and n.nspname not in ('pg_catalog','information_schema') and n.nspname not like 'pg_toast%'`,
  );
  return r.rows[0].n === 0;
}

/** Apply `names` from scratch on the shadow database, compare with the target, then empty the shadow again. */
async function driftCheck(settings: MigrateSettings, deps: MigrateDeps, target: Connection, folder: MigrationFolder, names: string[]): Promise<TableDrift[]> {
  const { logger, summary } = deps;
  const url = settings.shadowDatabaseUrl as string;
  const shadow = await deps.connect(url, 'shipgate-migrate-shadow');
  try {
    if (!(await isEmptyDatabase(shadow))) {
      logger.warning('Drift check skipped: the shadow database is not empty (it must be an empty scratch database)');
      summary.paragraph('Drift check skipped: the shadow database is not empty.');
      return [];
    }
    const schemasBefore = new Set((await shadow.query('select nspname from pg_namespace')).rows.map((r) => r.nspname as string));
    try {
      const wanted = new Set(names);
      for (const m of folder.migrations.filter((x) => wanted.has(x.name))) {
        const plan = await planMigration(m);
        await applyMigration(shadow, m, plan, { lockTimeoutMs: settings.lockTimeoutMs, statementTimeoutMs: 0, appliedBy: '', now: () => deps.clock.now() });
      }
      const drift = diffSnapshots(await snapshot(target), await snapshot(shadow));
      if (drift.length === 0) {
        logger.info('Drift check: the target schema matches a from-scratch build of the migrations.');
        summary.paragraph('Drift check: no drift.');
      } else {
        summary.heading('Drift', 3).paragraph('The target database differs from a from-scratch build of its applied migrations:');
        for (const d of drift) {
          logger.warning(`Drift in ${d.table}: ${d.differences.join('; ')}`);
          summary.list(d.differences.map((x) => `\`${d.table}\`: ${x}`));
        }
      }
      return drift;
    } catch (err) {
      const msg = err instanceof MigrationFailure ? err.message : errorMessage(err);
      logger.warning(`Drift check could not build the shadow schema: ${msg}`);
      summary.paragraph(`Drift check failed on the shadow database: ${msg}`);
      return [];
    } finally {
      // Leave the scratch database empty again.
      const now = (await shadow.query('select nspname from pg_namespace')).rows.map((r) => r.nspname as string);
      for (const s of now.filter((n) => !schemasBefore.has(n))) await shadow.query(`DROP SCHEMA "${s.replace(/"/g, '""')}" CASCADE`);
      for (const s of [...schemasBefore].filter((n) => !n.startsWith('pg_') && n !== 'information_schema')) {
        const objs = await shadow.query(
          `select c.relname, c.relkind::text as k from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relkind in ('r','p','v','m','S','f')`,
          [s],
        );
        if (objs.rows.length) {
          await shadow.query(`DROP SCHEMA "${s.replace(/"/g, '""')}" CASCADE`);
          await shadow.query(`CREATE SCHEMA "${s.replace(/"/g, '""')}"`);
        }
      }
    }
  } finally {
    await shadow.end().catch(() => undefined);
  }
}

/** Ledger rows, or undefined when the format is unknown. */
async function ledgerNames(db: Connection, format: MigrationFormat | undefined, url: string, migrations: Migration[]): Promise<string[] | undefined> {
  if (!format) return undefined;
  const rows = await readLedger(db, format, { databaseUrl: url, migrations });
  return rows.filter((r) => r.finished && !r.rolledBack).map((r) => r.name);
}

/** `command` mode: the user's migrate command under the advisory lock, with the ledger read before and after. */
async function runCommand(settings: MigrateSettings, deps: MigrateDeps): Promise<StageOutcome<OutputKey>> {
  const { logger, summary } = deps;
  const command = settings.command as string;
  const env = { ...deps.env, DATABASE_URL: settings.databaseUrl };
  summary.heading('Shipgate migrate (command)');
  if (isMongoUrl(settings.databaseUrl)) {
    logger.info('MongoDB: running the command without an advisory lock (PostgreSQL only) and without ledger reporting.');
    const r = await deps.processes.run(command, [], { shell: true, env, cwd: deps.workspace, stdout: 'log', stderr: 'log' });
    summary.paragraph(`Ran \`${command}\` against MongoDB: exit ${r.code ?? r.signal}.`);
    if (r.code !== 0) return { outputs: { status: 'failed' }, error: new StageError(`command exited with ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`) };
    return { outputs: { status: 'applied', applied: [], appliedCount: 0 } };
  }
  let folder: MigrationFolder | undefined;
  try {
    folder = detectMigrations(deps.workspace, settings.migrationsDir, settings.format);
  } catch (err) {
    if (!(err instanceof MigrationFolderError)) throw err;
    logger.info(`No migrations folder for ledger reporting (${err.message}).`);
  }
  const format = folder?.format ?? (settings.format === 'auto' ? undefined : settings.format);
  const migrations = folder?.migrations ?? [];
  const lock = new AdvisoryLock(await deps.connect(settings.databaseUrl, 'shipgate-migrate-lock'), deps.clock, deps.logger);
  let db: Connection | undefined;
  try {
    await lock.acquire(settings.lockWaitMs, deps.lockPollMs);
    db = await deps.connect(settings.databaseUrl, 'shipgate-migrate');
    const before = await ledgerNames(db, format, settings.databaseUrl, migrations);
    logger.info(`Running \`${command}\` under the migration lock${before ? ` (ledger before: ${before.length} applied)` : ''}.`);
    const started = deps.clock.now();
    const r = await deps.processes.run(command, [], { shell: true, env, cwd: deps.workspace, stdout: 'log', stderr: 'log' });
    const took = deps.clock.now() - started;
    const after = await ledgerNames(db, format, settings.databaseUrl, migrations);
    const added = before && after ? after.filter((n) => !before.includes(n)) : [];
    const check = format && folder ? checkLedger(format, migrations, await readLedger(db, format, { databaseUrl: settings.databaseUrl, migrations }), { allowModified: true, allowOutOfOrder: true }) : undefined;
    summary.paragraph(`Ran \`${command}\` under the advisory lock in ${formatDuration(took)}: exit ${r.code ?? r.signal}.`);
    if (before && after) {
      summary.paragraph(`Ledger before: ${before.length} applied; after: ${after.length} applied.`);
      summary.list(added.map((n) => `applied \`${n}\``));
    }
    const outputs: Outputs = {
      applied: added,
      appliedCount: added.length,
      pendingCount: check?.pending.length,
      ledgerHead: check?.head ?? (after?.length ? after[after.length - 1] : ''),
      schemaFingerprint: fingerprint(await snapshot(db)),
    };
    if (r.code !== 0) {
      outputs.status = 'failed';
      return { outputs, error: new StageError(`command exited with ${r.code ?? r.signal}${added.length ? ` after applying ${added.join(', ')}` : ''}: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`) };
    }
    outputs.status = added.length ? 'applied' : 'up-to-date';
    await reportLeftovers(db, deps);
    return { outputs };
  } finally {
    if (db) await db.end().catch(() => undefined);
    await lock.release();
  }
}

/**
 * PostgreSQL backup, verification and restore: `pg_dump -Fc` of the server's own major streamed into the
 * bucket (credentials only in PG* variables), verified by reading it back through `pg_restore --file=/dev/null`
 * with its sha256 (or by a restore drill with per-table row counts), and a manifest written last.
 */
import { createWriteStream, rmSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { finished, pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { StageError, errorMessage } from '../lib/errors.js';
import type { ProcessResult, RunningProcess } from '../lib/process.js';
import { childPgEnv, connect, databaseName, quoteIdent, serverVersion } from '../lib/postgres.js';
import { redactUrl } from '../lib/secrets.js';
import {
  MANIFEST_FILE,
  MANIFEST_SCHEMA_VERSION,
  backupDir,
  backupIdFor,
  type BackupKind,
  type Manifest,
} from './catalog.js';
import type { VerifyLevel } from './inputs.js';
import type { PgTools } from './pgtools.js';
import type { BackupPorts } from './ports.js';
import { partSizeFor, queueSizeFor, type BackupStore } from './store.js';
import { HashTap, Progress, formatBytes, guardedUpload } from './stream.js';

export interface PgBackupRequest {
  databaseUrl: string;
  environment: string;
  prefix: string;
  kind: BackupKind;
  verify: VerifyLevel;
  verifyDatabaseUrl?: string;
  schemas: string[];
  excludeSchemas: string[];
  pgDumpArgs: string[];
  partSize?: number;
  encryption?: { sse?: string; kmsKeyId?: string };
}

export interface BackupResult {
  manifest: Manifest;
  manifestKey: string;
}

export type TableCounts = Record<string, number>;

/** Environment for a libpq tool: the base environment minus stray PG*, plus the URL's PG* (never argv). */
function toolEnv(ports: BackupPorts, url?: string): NodeJS.ProcessEnv {
  if (url) return childPgEnv(url, ports.env);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(ports.env)) if (!k.startsWith('PG') && !k.startsWith('INPUT_')) env[k] = v;
  return env;
}

/** The conninfo naming only the database (host, user and password come from PG* variables). */
export function dbnameConninfo(name: string): string {
  return `dbname='${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function tail(text: string, lines = 5): string {
  return text.trim().split('\n').slice(-lines).join(' | ');
}

function exitText(r: ProcessResult): string {
  return r.signal ? `killed by ${r.signal}` : `exit ${r.code}`;
}

/** Settles when the process has exited; rejects unless it exited 0. */
function succeeded(proc: RunningProcess, what: string): Promise<void> {
  return proc.done.then((r) => {
    if (r.code !== 0) throw new StageError(`${what} failed (${exitText(r)})${r.stderr.trim() ? `: ${tail(r.stderr)}` : ''}`);
  });
}

export async function listTables(client: pg.Client, schemas: string[] = [], excludeSchemas: string[] = []): Promise<string[]> {
  const r = await client.query<{ nspname: string; relname: string }>(
    `select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema')
        and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'
        and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')
      order by 1, 2`,
  );
  return r.rows
    .filter((t) => (schemas.length === 0 || schemas.includes(t.nspname)) && !excludeSchemas.includes(t.nspname))
    .map((t) => `${t.nspname}.${t.relname}`);
}

/** Exact row counts per table (`schema.table`). */
export async function countRows(client: pg.Client, tables: string[]): Promise<TableCounts> {
  const out: TableCounts = {};
  for (const t of tables) {
    const dot = t.indexOf('.');
    const r = await client.query<{ n: string }>(`select count(*)::text as n from ${quoteIdent(t.slice(0, dot))}.${quoteIdent(t.slice(dot + 1))}`);
    out[t] = Number(r.rows[0].n);
  }
  return out;
}

export async function tableCounts(url: string, schemas: string[] = [], excludeSchemas: string[] = []): Promise<TableCounts> {
  const client = await connect(url, 'shipgate-backup');
  try {
    return await countRows(client, await listTables(client, schemas, excludeSchemas));
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Differences between two count maps, as readable lines. */
export function diffCounts(expected: TableCounts, actual: TableCounts): string[] {
  const out: string[] = [];
  for (const [t, n] of Object.entries(expected)) {
    if (!(t in actual)) out.push(`${t}: missing (expected ${n} rows)`);
    else if (actual[t] !== n) out.push(`${t}: ${actual[t]} rows, expected ${n}`);
  }
  for (const t of Object.keys(actual)) if (!(t in expected)) out.push(`${t}: unexpected table (${actual[t]} rows)`);
  return out;
}

/** The last applied migration in whichever ledger the database has (Shipgate SQL, Prisma, Drizzle). */
export async function ledgerHead(client: pg.Client): Promise<{ table: string; name: string } | null> {
  const ledgers: [string, string][] = [
    ['shipgate_migrations', 'select name::text as name from shipgate_migrations order by applied_at desc, name desc limit 1'],
    [
      '_prisma_migrations',
      'select migration_name::text as name from _prisma_migrations where finished_at is not null and rolled_back_at is null order by finished_at desc, migration_name desc limit 1',
    ],
    ['drizzle.__drizzle_migrations', 'select hash::text as name from drizzle.__drizzle_migrations order by created_at desc limit 1'],
  ];
  for (const [table, sql] of ledgers) {
    try {
      const exists = await client.query<{ t: string | null }>('select to_regclass($1)::text as t', [table]);
      if (!exists.rows[0].t) continue;
      const r = await client.query<{ name: string }>(sql);
      if (r.rows[0]) return { table, name: r.rows[0].name };
    } catch {
      // a ledger we cannot read is not a reason to skip the backup
    }
  }
  return null;
}

export function restoreArgs(conninfo: string, file?: string): string[] {
  return ['--clean', '--if-exists', '--no-owner', '--single-transaction', '--exit-on-error', `--dbname=${conninfo}`, ...(file ? [file] : [])];
}

function restoreCommand(tools: PgTools, uri: string, dbName: string): string {
  return (
    `aws s3 cp '${uri}' ./dump.pgdump && ` +
    `PGHOST=… PGPORT=… PGUSER=… PGPASSWORD=… ${tools.binDir}/pg_restore ${restoreArgs(dbnameConninfo(dbName)).map((a) => (a.includes("'") ? `"${a}"` : a)).join(' ')} ./dump.pgdump`
  );
}

/** Take one backup. Throws with nothing left in the bucket when the dump, upload or verification fails. */
export async function backupPostgres(req: PgBackupRequest, ports: BackupPorts): Promise<BackupResult> {
  const { store, logger, clock, context } = ports;
  const started = clock.now();
  const client = await connect(req.databaseUrl, 'shipgate-backup');
  let inSnapshot = false;
  try {
    const server = await serverVersion(client);
    const dbName = databaseName(req.databaseUrl);
    const sizeRow = await client.query<{ size: string }>('select pg_database_size(current_database())::text as size');
    const dbSize = Number(sizeRow.rows[0].size);
    const head = await ledgerHead(client);
    const tools = await ports.pgTools(server.major);
    logger.info(`PostgreSQL ${server.text} (${formatBytes(dbSize)}); using pg_dump ${tools.version} from ${tools.binDir}`);

    const id0 = backupIdFor(started, context.sha, context.runId);
    let id = id0;
    for (let n = 2; await store.exists(`${backupDir(req.prefix, req.environment, started, id)}${MANIFEST_FILE}`); n++) id = `${id0}-${n}`;
    const dir = backupDir(req.prefix, req.environment, started, id);
    const key = `${dir}dump.pgdump`;
    const manifestKey = `${dir}${MANIFEST_FILE}`;

    // One snapshot for the dump and the row counts, so a drill compares like with like.
    let snapshot: string | undefined;
    try {
      await client.query('begin isolation level repeatable read read only');
      inSnapshot = true;
      snapshot = (await client.query<{ s: string }>('select pg_export_snapshot() as s')).rows[0].s;
    } catch (err) {
      logger.debug(`no exported snapshot (${errorMessage(err)}); pg_dump takes its own`);
      if (inSnapshot) await client.query('rollback').catch(() => undefined);
      inSnapshot = false;
    }
    const countsPromise =
      req.verify === 'restore' && snapshot
        ? listTables(client, req.schemas, req.excludeSchemas).then((t) => countRows(client, t))
        : Promise.resolve(undefined);
    countsPromise.catch(() => undefined);

    const flags = [
      '--format=custom',
      ...req.schemas.map((s) => `--schema=${s}`),
      ...req.excludeSchemas.map((s) => `--exclude-schema=${s}`),
      ...req.pgDumpArgs,
    ];
    const args = [...flags, ...(snapshot ? [`--snapshot=${snapshot}`] : [])];
    const partSize = req.partSize ?? partSizeFor(dbSize);
    logger.info(`dumping ${dbName} to ${store.uri(key)} (parts of ${formatBytes(partSize)})`);
    const proc = ports.processes.spawn(tools.pgDump, args, { env: toolEnv(ports, req.databaseUrl), stdout: 'stream' });
    const progress = new Progress('dumped', clock, logger);
    let uploaded: { sha256: string; size: number };
    try {
      uploaded = await guardedUpload(store, key, proc.stdout!, succeeded(proc, 'pg_dump'), {
        partSize,
        queueSize: queueSizeFor(partSize),
        contentType: 'application/vnd.postgresql.custom',
        progress,
        abortProducer: () => proc.kill('SIGTERM'),
      });
    } catch (err) {
      await proc.done.catch(() => undefined);
      throw new StageError(`backup failed, nothing was stored (no object, no manifest): ${errorMessage(err)}`, undefined, { cause: err });
    }
    logger.info(`dumped ${formatBytes(uploaded.size)} (${progress.rate()}), sha256 ${uploaded.sha256}`);
    const sourceCounts = await countsPromise;
    if (inSnapshot) {
      await client.query('commit').catch(() => undefined);
      inSnapshot = false;
    }

    let verification: Manifest['verification'];
    try {
      verification = await verifyBackup(req, ports, tools, key, uploaded, sourceCounts);
    } catch (err) {
      await store.delete(key).catch(() => undefined);
      throw new StageError(`verification of the backup failed, so it was deleted (no object, no manifest): ${errorMessage(err)}`, undefined, { cause: err });
    }
    const finished = clock.now();
    const manifest: Manifest = {
      schemaVersion: MANIFEST_SCHEMA_VERSION,
      id,
      kind: req.kind,
      engine: 'postgresql',
      environment: req.environment,
      createdAt: new Date(started).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      durationMs: finished - started,
      database: { url: redactUrl(req.databaseUrl), name: dbName, serverVersion: server.text, serverVersionNum: server.num, sizeBytes: dbSize },
      tool: { name: 'pg_dump', version: tools.version, major: tools.major, flags },
      format: 'pg_dump custom (-Fc)',
      compression: req.pgDumpArgs.some((a) => /^(-Z|--compress)/.test(a)) ? 'per pg-dump-args' : 'pg_dump default',
      encryption: { sse: req.encryption?.sse, kmsKeyId: req.encryption?.kmsKeyId },
      object: { bucket: store.bucket, key, uri: store.uri(key), size: uploaded.size, sha256: uploaded.sha256, partSize },
      git: {
        sha: context.sha,
        ref: context.ref,
        runId: context.runId,
        runAttempt: context.runAttempt,
        runUrl: context.runUrl,
        repository: context.repository,
      },
      ledgerHead: head,
      tables: sourceCounts,
      verification,
      restore: {
        minClientMajor: tools.major,
        command: restoreCommand(tools, store.uri(key), dbName),
        action: `mode: restore, backup-id: ${id}, environment: ${req.environment}, confirm: ${dbName}`,
      },
    };
    await store.putText(manifestKey, JSON.stringify(manifest, null, 2) + '\n');
    logger.info(`manifest ${store.uri(manifestKey)} written; backup ${id} is complete`);
    return { manifest, manifestKey };
  } finally {
    if (inSnapshot) await client.query('rollback').catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}

async function verifyBackup(
  req: PgBackupRequest,
  ports: BackupPorts,
  tools: PgTools,
  key: string,
  uploaded: { sha256: string; size: number },
  sourceCounts: TableCounts | undefined,
): Promise<Manifest['verification']> {
  if (req.verify === 'none') return { level: 'none', result: 'skipped', detail: 'verify: none' };
  if (req.verify === 'read') {
    await verifyRead(ports, tools, key, uploaded);
    return { level: 'read', result: 'passed', detail: `sha256 and size match; pg_restore --file=/dev/null read every block` };
  }
  const url = req.verifyDatabaseUrl!;
  const counts = await restoreInto(ports, tools, key, uploaded, url, 'verify');
  if (sourceCounts) {
    const diff = diffCounts(sourceCounts, counts);
    if (diff.length) throw new StageError(`the restore drill into ${redactUrl(url)} differs from the source: ${diff.slice(0, 5).join('; ')}`);
  }
  const rows = Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    level: 'restore',
    result: 'passed',
    detail: `restored into ${databaseName(url)}: ${Object.keys(counts).length} tables, ${rows} rows${sourceCounts ? ', counts equal to the source snapshot' : ''}`,
  };
}

/** Stream the stored object back through `pg_restore --file=/dev/null` and recompute its sha256. */
export async function verifyRead(ports: BackupPorts, tools: PgTools, key: string, expected: { sha256: string; size: number }): Promise<void> {
  const source = await ports.store.getStream(key);
  const tap = new HashTap(new Progress('verified', ports.clock, ports.logger));
  source.on('error', (err) => tap.destroy(err));
  source.pipe(tap);
  const proc = ports.processes.spawn(tools.pgRestore, ['--file=/dev/null'], { env: toolEnv(ports), stdin: tap, stdout: 'ignore' });
  const r = await proc.done;
  if (r.code !== 0) {
    source.destroy();
    throw new StageError(`pg_restore could not read the stored dump (${exitText(r)}): ${tail(r.stderr)}`);
  }
  // pg_restore may stop before the trailing bytes; the hash needs all of them.
  tap.unpipe();
  tap.resume();
  await finished(tap);
  if (tap.size !== expected.size || tap.digest() !== expected.sha256) {
    throw new StageError(`the stored object ${ports.store.uri(key)} does not match what was uploaded (size ${tap.size} vs ${expected.size})`);
  }
}

/**
 * Download the object to a temp file, checking size and sha256 on the way; throws (and removes the file)
 * on a mismatch, so nothing downstream ever sees unverified bytes.
 */
export async function downloadVerified(ports: BackupPorts, key: string, expected: { sha256: string; size: number }): Promise<{ file: string; cleanup: () => void }> {
  const dir = mkdtempSync(join(ports.tmpDir, 'shipgate-restore-'));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  const file = join(dir, 'dump');
  try {
    const tap = new HashTap(new Progress('downloaded', ports.clock, ports.logger));
    await pipeline(await ports.store.getStream(key), tap, createWriteStream(file, { mode: 0o600 }));
    const sha = tap.digest();
    if (sha !== expected.sha256 || tap.size !== expected.size) {
      throw new StageError(
        `sha256 mismatch for ${ports.store.uri(key)}: the manifest says ${expected.sha256} (${expected.size} bytes), the stored object is ${sha} (${tap.size} bytes); refusing to restore it, nothing was changed`,
      );
    }
    return { file, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}

/** Download (verified) and restore into `url`; returns per-table row counts afterwards. */
export async function restoreInto(
  ports: BackupPorts,
  tools: PgTools,
  key: string,
  expected: { sha256: string; size: number },
  url: string,
  what: string,
  beforeRestore?: () => Promise<void>,
): Promise<TableCounts> {
  const { file, cleanup } = await downloadVerified(ports, key, expected);
  try {
    await beforeRestore?.();
    ports.logger.info(`${what}: pg_restore ${tools.version} into ${databaseName(url)}`);
    const r = await ports.processes.run(tools.pgRestore, restoreArgs(dbnameConninfo(databaseName(url)), file), { env: toolEnv(ports, url), stdout: 'ignore' });
    if (r.code !== 0) {
      throw new StageError(`pg_restore into ${databaseName(url)} failed (${exitText(r)}); it ran in one transaction, so the database was left as it was: ${tail(r.stderr)}`);
    }
  } finally {
    cleanup();
  }
  return tableCounts(url);
}

export async function pgServerMajor(url: string): Promise<{ major: number; text: string }> {
  const client = await connect(url, 'shipgate-backup');
  try {
    return await serverVersion(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export type { BackupStore };

/**
 * Restore: resolve the backup (id, `latest` = newest verified, or a git sha), refuse unless `confirm` names
 * the target database, download while checking the sha256 BEFORE touching the target, take a safety snapshot
 * of the target, then restore in one transaction and report per-table row counts.
 * `restoreBackup` is also the entry point the migrate stage calls for `on-failure: restore`.
 */
import { StageError, errorMessage } from '../lib/errors.js';
import { databaseName, isMongoUrl } from '../lib/postgres.js';
import { listManifests, resolveBackup, type Manifest } from './catalog.js';
import { backupMongo, mongoDbName, restoreMongo } from './mongo.js';
import { backupPostgres, diffCounts, downloadVerified, pgServerMajor, restoreInto, type BackupResult, type TableCounts } from './pg.js';
import type { BackupPorts } from './ports.js';

export interface RestoreSettings {
  /** Target database (overwritten). */
  databaseUrl: string;
  environment: string;
  prefix: string;
  /** An id, `latest`, or a git sha. */
  backupId: string;
  /** Must equal the target database's name. */
  confirm?: string;
  /** Back up the target before restoring over it (default true). */
  safetySnapshot?: boolean;
  encryption?: { sse?: string; kmsKeyId?: string };
}

export interface RestoreResult {
  restoredFrom: Manifest;
  snapshot?: BackupResult;
  tables: TableCounts;
  durationMs: number;
}

export function checkConfirm(databaseUrl: string, confirm: string | undefined): void {
  const target = databaseName(databaseUrl);
  if (!confirm) throw new StageError(`restore refused: confirm must name the target database (${JSON.stringify(target)}); nothing was changed`);
  if (confirm !== target) {
    throw new StageError(`restore refused: confirm is ${JSON.stringify(confirm)} but the target database is ${JSON.stringify(target)}; nothing was changed`);
  }
}

export async function restoreBackup(settings: RestoreSettings, ports: BackupPorts): Promise<RestoreResult> {
  const started = ports.clock.now();
  checkConfirm(settings.databaseUrl, settings.confirm);
  const entries = await listManifests(ports.store, settings.prefix, settings.environment, (key, why) => ports.logger.warning(`skipping ${key}: ${why}`));
  const { manifest } = resolveBackup(entries, settings.backupId, settings.environment);
  ports.logger.info(`restoring backup ${manifest.id} (${manifest.createdAt}, git ${manifest.git?.sha?.slice(0, 7) || '-'}, ${manifest.object.size} bytes)`);
  const expected = { sha256: manifest.object.sha256, size: manifest.object.size };

  if (manifest.engine === 'mongodb' || isMongoUrl(settings.databaseUrl)) {
    if (manifest.engine !== 'mongodb' || !isMongoUrl(settings.databaseUrl)) {
      throw new StageError(`backup ${manifest.id} is a ${manifest.engine} backup and the target is not; nothing was changed`);
    }
    const { file, cleanup } = await downloadVerified(ports, manifest.object.key, expected);
    try {
      let snapshot: BackupResult | undefined;
      if (settings.safetySnapshot ?? true) {
        ports.logger.info(`safety snapshot of ${mongoDbName(settings.databaseUrl) || 'the target'} before restoring over it`);
        try {
          snapshot = await backupMongo(
            { databaseUrl: settings.databaseUrl, environment: settings.environment, prefix: settings.prefix, verify: 'read', kind: 'safety-snapshot', encryption: settings.encryption },
            ports,
          );
        } catch (err) {
          throw new StageError(`the safety snapshot of the target failed, so nothing was restored: ${errorMessage(err)}`, undefined, { cause: err });
        }
        ports.logger.info(`safety snapshot ${snapshot.manifest.id} stored at ${snapshot.manifest.object.uri}`);
      }
      const tables = await restoreMongo(settings.databaseUrl, file, ports);
      return { restoredFrom: manifest, snapshot, tables, durationMs: ports.clock.now() - started };
    } finally {
      cleanup();
    }
  }

  const server = await pgServerMajor(settings.databaseUrl);
  const dumpMajor = manifest.tool?.major ?? 0;
  if (dumpMajor > server.major) {
    throw new StageError(
      `backup ${manifest.id} was made by pg_dump ${manifest.tool.version}, newer than the target server (PostgreSQL ${server.text}); its archive may not restore there. Nothing was changed`,
    );
  }
  const tools = await ports.pgTools(server.major);
  let snapshot: BackupResult | undefined;
  const tables = await restoreInto(ports, tools, manifest.object.key, expected, settings.databaseUrl, `restore of ${manifest.id}`, async () => {
    if (settings.safetySnapshot ?? true) {
      ports.logger.info(`safety snapshot of ${databaseName(settings.databaseUrl)} before restoring over it`);
      try {
        snapshot = await backupPostgres(
          {
            databaseUrl: settings.databaseUrl,
            environment: settings.environment,
            prefix: settings.prefix,
            kind: 'safety-snapshot',
            verify: 'read',
            schemas: [],
            excludeSchemas: [],
            pgDumpArgs: [],
            encryption: settings.encryption,
          },
          ports,
        );
      } catch (err) {
        throw new StageError(`the safety snapshot of the target failed, so nothing was restored: ${errorMessage(err)}`, undefined, { cause: err });
      }
      ports.logger.info(`safety snapshot ${snapshot.manifest.id} stored at ${snapshot.manifest.object.uri}`);
    }
  });
  if (manifest.tables) {
    const diff = diffCounts(manifest.tables, tables);
    if (diff.length) ports.logger.warning(`row counts differ from the backup's manifest: ${diff.slice(0, 5).join('; ')}`);
  }
  return { restoredFrom: manifest, snapshot, tables, durationMs: ports.clock.now() - started };
}

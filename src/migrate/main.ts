/** The migrate stage: wires the real outside world to the migration logic. */
import type { StageDefinition, StageServices } from '../lib/stage.js';
import { connect, databaseName } from '../lib/postgres.js';
import { readMigrateSettings, type MigrateSettings } from './inputs.js';
import { OUTPUT } from './names.js';
import { runMigrate, type Restorer } from './runner.js';

/**
 * on-failure: restore goes through the backup stage's own restore (download with sha256 check, safety snapshot of
 * the failed state, pg_restore in one transaction). Loaded only when a restore actually happens, so the S3 client
 * stays out of every normal run.
 */
export function backupRestorer(settings: MigrateSettings, services: StageServices): Restorer | undefined {
  const where = settings.restore;
  if (!where) return undefined;
  return {
    async restore({ backupId, databaseUrl }) {
      const backup = await import('../backup/main.js');
      const ports = backup.backupPorts(services, { bucket: where.bucket, prefix: where.prefix, region: where.region, endpoint: where.endpoint });
      const r = await backup.restoreBackup(
        // The user asked for this restore with on-failure: restore, so it confirms the target itself.
        { databaseUrl, environment: where.environment, prefix: where.prefix, backupId, confirm: databaseName(databaseUrl), safetySnapshot: true },
        ports,
      );
      const snap = r.snapshot ? `; the failed state was saved first as backup ${r.snapshot.manifest.id}` : '';
      return { message: `restored ${r.restoredFrom.id} (${Object.keys(r.tables).length} tables) in ${Math.round(r.durationMs)}ms${snap}` };
    },
  };
}

export const migrateStage: StageDefinition<MigrateSettings, keyof typeof OUTPUT> = {
  name: 'migrate',
  outputs: OUTPUT,
  read: (inputs) => readMigrateSettings(inputs),
  run: (settings, services) =>
    runMigrate(settings, {
      connect: (url, applicationName) => connect(url, applicationName),
      logger: services.logger,
      clock: services.clock,
      summary: services.summary,
      processes: services.processes,
      env: services.env,
      workspace: services.context.workspace,
      runUrl: services.context.runUrl,
      restorer: backupRestorer(settings, services),
    }),
};

/** The backup stage: wires the real outside world (S3, pg_dump/pg_restore, apt + Actions cache, artifacts) to the logic. */
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { StageDefinition, StageServices } from '../lib/stage.js';
import { createS3Client } from '../lib/s3.js';
import { readBackupSettings, type BackupSettings, type StoreSettings } from './inputs.js';
import { OUTPUT } from './names.js';
import { aptInstaller, locatePgTools, nodeToolHost, type CachePort } from './pgtools.js';
import type { BackupPorts } from './ports.js';
import { runBackupStage } from './run.js';
import { S3BackupStore } from './store.js';

export { restoreBackup, type RestoreSettings, type RestoreResult } from './restore.js';
export type { BackupPorts } from './ports.js';

const actionsCache: CachePort = {
  restore: async (paths, key) => {
    const cache = await import('@actions/cache');
    if (!cache.isFeatureAvailable()) return false;
    return (await cache.restoreCache(paths, key)) !== undefined;
  },
  save: async (paths, key) => {
    const cache = await import('@actions/cache');
    if (cache.isFeatureAvailable()) await cache.saveCache(paths, key);
  },
};

/** Real ports for the backup logic, from the stage services and the bucket settings (also used by migrate's restore). */
export function backupPorts(services: StageServices, store: StoreSettings): BackupPorts {
  const env = services.env;
  const tmpDir = services.context.runnerTemp || tmpdir();
  const host = nodeToolHost(env);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const install = aptInstaller({
    processes: services.processes,
    cache: actionsCache,
    logger: services.logger,
    host,
    debDir: (major) => join(tmpDir, `shipgate-postgresql-client-${major}`),
    sudo: isRoot ? [] : ['sudo', '-n'],
    arch: process.arch,
  });
  const client = createS3Client({ region: store.region, endpoint: store.endpoint }, env);
  return {
    store: new S3BackupStore(client, store.bucket, { sse: store.sse, kmsKeyId: store.kmsKeyId }),
    processes: services.processes,
    logger: services.logger,
    summary: services.summary,
    clock: services.clock,
    context: services.context,
    env,
    tmpDir,
    pgTools: (major) => locatePgTools(major, services.processes, host, env.SHIPGATE_NO_CLIENT_INSTALL ? undefined : install),
    uploadArtifact: async (name, file) => {
      const { DefaultArtifactClient } = await import('@actions/artifact');
      await new DefaultArtifactClient().uploadArtifact(name, [file], dirname(file));
    },
  };
}

export const backupStage: StageDefinition<BackupSettings, keyof typeof OUTPUT> = {
  name: 'backup',
  outputs: OUTPUT,
  read: (inputs, services) => readBackupSettings(inputs, services.env),
  run: (settings, services) => runBackupStage(settings, backupPorts(services, settings.store)),
};

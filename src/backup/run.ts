/** The backup stage's four modes, their outputs and the job summary. */
import { StageError, errorMessage } from '../lib/errors.js';
import { isMongoUrl } from '../lib/postgres.js';
import type { StageOutcome } from '../lib/stage.js';
import { isVerified, listManifests, type Manifest } from './catalog.js';
import type { BackupSettings } from './inputs.js';
import { backupMongo } from './mongo.js';
import type { OUTPUT } from './names.js';
import { backupPostgres, downloadVerified, type BackupResult } from './pg.js';
import type { BackupPorts } from './ports.js';
import { pruneBackups } from './prune.js';
import { restoreBackup } from './restore.js';
import { formatBytes } from './stream.js';

type Outcome = StageOutcome<keyof typeof OUTPUT>;

function backupOutputs(r: BackupResult, ports: BackupPorts): Outcome['outputs'] {
  return {
    backupId: r.manifest.id,
    backupUri: r.manifest.object.uri,
    manifestUri: ports.store.uri(r.manifestKey),
    sha256: r.manifest.object.sha256,
    sizeBytes: r.manifest.object.size,
  };
}

function manifestRows(m: Manifest): [string, string | number][] {
  return [
    ['id', m.id],
    ['object', m.object.uri],
    ['size', `${formatBytes(m.object.size)} (${m.object.size} bytes)`],
    ['sha256', m.object.sha256],
    ['server', `${m.engine} ${m.database.serverVersion}`],
    ['client', `${m.tool.name} ${m.tool.version}`],
    ['ledger head', m.ledgerHead ? `${m.ledgerHead.name} (${m.ledgerHead.table})` : '-'],
    ['verification', `${m.verification.level}: ${m.verification.result} — ${m.verification.detail}`],
    ['duration', `${(m.durationMs / 1000).toFixed(1)} s`],
  ];
}

export async function runBackupStage(s: BackupSettings, ports: BackupPorts): Promise<Outcome> {
  const started = ports.clock.now();
  const { summary } = ports;
  const encryption = { sse: s.store.sse, kmsKeyId: s.store.kmsKeyId };
  switch (s.mode) {
    case 'backup': {
      const url = s.databaseUrl!;
      const r = isMongoUrl(url)
        ? await backupMongo({ databaseUrl: url, environment: s.environment, prefix: s.store.prefix, verify: s.verify, partSize: s.partSize, encryption }, ports)
        : await backupPostgres(
            {
              databaseUrl: url,
              environment: s.environment,
              prefix: s.store.prefix,
              kind: 'backup',
              verify: s.verify,
              verifyDatabaseUrl: s.verifyDatabaseUrl,
              schemas: s.schemas,
              excludeSchemas: s.excludeSchemas,
              pgDumpArgs: s.pgDumpArgs,
              partSize: s.partSize,
              encryption,
            },
            ports,
          );
      summary.heading('Shipgate backup').table(['', ''], manifestRows(r.manifest));
      if (r.manifest.tables && Object.keys(r.manifest.tables).length) {
        summary.details('Rows per table', Object.entries(r.manifest.tables).map(([t, n]) => `- ${t}: ${n}`).join('\n'));
      }
      summary.paragraph('Restore by hand:').code(r.manifest.restore.command, 'sh');
      const outputs = { ...backupOutputs(r, ports), durationMs: ports.clock.now() - started };
      if (s.artifact) {
        if (!ports.uploadArtifact) return { outputs, error: new StageError('artifact: true, but workflow artifacts are not available here') };
        try {
          const { file, cleanup } = await downloadVerified(ports, r.manifest.object.key, r.manifest.object);
          try {
            await ports.uploadArtifact(`shipgate-backup-${r.manifest.id}`, file);
          } finally {
            cleanup();
          }
          ports.logger.info(`uploaded the dump as workflow artifact shipgate-backup-${r.manifest.id}`);
        } catch (err) {
          return { outputs, error: new StageError(`the backup ${r.manifest.id} is stored and verified, but uploading it as a workflow artifact failed: ${errorMessage(err)}`) };
        }
      }
      return { outputs };
    }
    case 'restore': {
      const r = await restoreBackup(
        {
          databaseUrl: s.databaseUrl!,
          environment: s.environment,
          prefix: s.store.prefix,
          backupId: s.backupId!,
          confirm: s.confirm,
          safetySnapshot: s.safetySnapshot,
          encryption,
        },
        ports,
      );
      summary.heading('Shipgate restore').table(['', ''], [['restored from', r.restoredFrom.id], ...manifestRows(r.restoredFrom).slice(1), ['safety snapshot', r.snapshot?.manifest.object.uri ?? 'none']]);
      summary.table(['table', 'rows after restore'], Object.entries(r.tables));
      for (const [t, n] of Object.entries(r.tables)) ports.logger.info(`${t}: ${n} rows`);
      return {
        outputs: {
          restoredFrom: r.restoredFrom.id,
          ...(r.snapshot ? backupOutputs(r.snapshot, ports) : {}),
          durationMs: ports.clock.now() - started,
        },
      };
    }
    case 'list': {
      const entries = await listManifests(ports.store, s.store.prefix, s.environment, (key, why) => ports.logger.warning(`skipping ${key}: ${why}`));
      const rows = [...entries].reverse().map((e) => [e.manifest.id, e.manifest.kind, e.manifest.createdAt, e.manifest.object.size, isVerified(e.manifest) ? e.manifest.verification.level : 'no', e.manifest.git?.sha?.slice(0, 7) ?? '']);
      for (const r of rows) ports.logger.info(r.join('  '));
      summary.heading(`Shipgate backups (${s.environment})`).table(['id', 'kind', 'created', 'bytes', 'verified', 'git'], rows);
      if (!rows.length) summary.paragraph('No backups.');
      const newest = entries.at(-1);
      return {
        outputs: newest
          ? { backupId: newest.manifest.id, backupUri: newest.manifest.object.uri, manifestUri: ports.store.uri(newest.key), sha256: newest.manifest.object.sha256, sizeBytes: newest.manifest.object.size, durationMs: ports.clock.now() - started }
          : { durationMs: ports.clock.now() - started },
      };
    }
    case 'prune': {
      const r = await pruneBackups({ prefix: s.store.prefix, environment: s.environment, keepLast: s.keepLast, retentionDays: s.retentionDays }, ports);
      summary.heading(`Shipgate prune (${s.environment})`).table(
        ['id', 'created', 'result'],
        [
          ...r.kept.map((e) => [e.manifest.id, e.manifest.createdAt, 'kept']),
          ...r.deleted.map((e) => [e.manifest.id, e.manifest.createdAt, 'deleted']),
          ...r.refused.map((x) => [x.entry.manifest.id, x.entry.manifest.createdAt, `kept: ${x.reason}`]),
        ],
      );
      ports.logger.info(`prune: kept ${r.kept.length}, deleted ${r.deleted.length}, refused ${r.refused.length}`);
      return { outputs: { durationMs: ports.clock.now() - started } };
    }
  }
}

/** Reads and validates the migrate stage's inputs into one typed settings object. */

import { DATABASE_PROTOCOLS, POSTGRES_PROTOCOLS, inputError, type Inputs } from '../lib/inputs.js';
import { isMongoUrl, poolerReason } from '../lib/postgres.js';
import { INPUT } from './names.js';

export const MIGRATION_FORMATS = ['auto', 'sql', 'prisma', 'drizzle'] as const;
export type MigrationFormat = (typeof MIGRATION_FORMATS)[number];

export interface MigrateSettings {
  databaseUrl: string;
  migrationsDir?: string;
  format: MigrationFormat;
  dryRun: boolean;
  target?: string;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  lockWaitMs: number;
  allowOutOfOrder: boolean;
  allowModified: boolean;
  command?: string;
  onFailure: 'stop' | 'restore';
  backupId?: string;
  shadowDatabaseUrl?: string;
  /** Where the backup to restore lives (on-failure: restore). */
  restore?: { environment: string; bucket: string; prefix: string; region?: string; endpoint?: string };
}

export function readMigrateSettings(inputs: Inputs): MigrateSettings {
  const databaseUrl = inputs.url(INPUT.databaseUrl, {
    protocols: DATABASE_PROTOCOLS,
    secret: true,
    required: true,
    expected: 'a direct PostgreSQL URL (postgres://user:password@host:5432/db)',
  });
  const command = inputs.optional(INPUT.command);
  if (isMongoUrl(databaseUrl) && !command) {
    throw inputError(INPUT.databaseUrl, databaseUrl, `a PostgreSQL URL: MongoDB is migrated only through \`${INPUT.command}\``, true);
  }
  const pooled = isMongoUrl(databaseUrl) ? undefined : poolerReason(databaseUrl);
  if (pooled) throw inputError(INPUT.databaseUrl, databaseUrl, `a direct (unpooled) URL: ${pooled}`, true);
  const shadowDatabaseUrl = inputs.url(INPUT.shadowDatabaseUrl, { protocols: POSTGRES_PROTOCOLS, secret: true });
  if (shadowDatabaseUrl && shadowDatabaseUrl === databaseUrl) {
    throw inputError(INPUT.shadowDatabaseUrl, shadowDatabaseUrl, `an empty scratch database, not the target database`, true);
  }
  const onFailure = inputs.enum(INPUT.onFailure, ['stop', 'restore'] as const, 'stop');
  const backupId = inputs.optional(INPUT.backupId);
  if (onFailure === 'restore' && !backupId) {
    throw inputError(INPUT.backupId, '', `a backup id when ${INPUT.onFailure} is restore`);
  }
  let restore: MigrateSettings['restore'];
  if (onFailure === 'restore') {
    const bucket = inputs.optional(INPUT.s3Bucket);
    if (!bucket) throw inputError(INPUT.s3Bucket, '', `the S3 bucket holding backup ${backupId} when ${INPUT.onFailure} is restore`);
    restore = {
      environment: inputs.string(INPUT.environment, { default: 'production' }),
      bucket,
      prefix: inputs.string(INPUT.s3Prefix, { default: 'shipgate' }),
      region: inputs.optional(INPUT.s3Region),
      endpoint: inputs.url(INPUT.s3Endpoint, { protocols: ['http:', 'https:'] }),
    };
  }
  return {
    restore,
    databaseUrl,
    migrationsDir: inputs.optional(INPUT.migrationsDir),
    format: inputs.enum(INPUT.migrationsFormat, MIGRATION_FORMATS, 'auto'),
    dryRun: inputs.bool(INPUT.dryRun, false),
    target: inputs.optional(INPUT.target),
    lockTimeoutMs: inputs.duration(INPUT.lockTimeout, '5s'),
    statementTimeoutMs: inputs.duration(INPUT.statementTimeout, '0'),
    lockWaitMs: inputs.duration(INPUT.lockWait, '10m'),
    allowOutOfOrder: inputs.bool(INPUT.allowOutOfOrder, false),
    allowModified: inputs.bool(INPUT.allowModified, false),
    command,
    onFailure,
    backupId,
    shadowDatabaseUrl,
  };
}


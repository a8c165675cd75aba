/** Reads and validates the backup stage's inputs into one typed settings object. */
import { DATABASE_PROTOCOLS, POSTGRES_PROTOCOLS, inputError, type Inputs } from '../lib/inputs.js';
import { databaseName, isMongoUrl, poolerReason } from '../lib/postgres.js';
import { INPUT } from './names.js';

export const MODES = ['backup', 'restore', 'list', 'prune'] as const;
export type Mode = (typeof MODES)[number];
export const VERIFY_LEVELS = ['read', 'restore', 'none'] as const;
export type VerifyLevel = (typeof VERIFY_LEVELS)[number];

export interface StoreSettings {
  bucket: string;
  prefix: string;
  region?: string;
  endpoint?: string;
  sse?: 'AES256' | 'aws:kms';
  kmsKeyId?: string;
}

export interface BackupSettings {
  mode: Mode;
  databaseUrl?: string;
  environment: string;
  store: StoreSettings;
  backupId?: string;
  verify: VerifyLevel;
  verifyDatabaseUrl?: string;
  keepLast?: number;
  retentionDays?: number;
  artifact: boolean;
  schemas: string[];
  excludeSchemas: string[];
  pgDumpArgs: string[];
  confirm?: string;
  safetySnapshot: boolean;
  /** Multipart part size override in bytes (tests, benchmarks); otherwise derived from the database size. */
  partSize?: number;
}

/** pg_dump options that would change where it connects, where it writes or the archive format. */
const FORBIDDEN_DUMP_ARGS = [
  '-h', '--host', '-p', '--port', '-U', '--username', '-d', '--dbname', '-W', '--password', '-w', '--no-password',
  '-f', '--file', '-F', '--format', '-j', '--jobs', '--role', '--snapshot', '-n', '--schema', '-N', '--exclude-schema',
];

function listOf(inputs: Inputs, name: string): string[] {
  return inputs
    .string(name)
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function validPrefix(p: string): boolean {
  return /^[A-Za-z0-9!_.*'()\-/]+$/.test(p) && !p.startsWith('/') && !p.includes('//') && !p.split('/').includes('..');
}

export function readPgDumpArgs(inputs: Inputs): string[] {
  const args = inputs.lines(INPUT.pgDumpArgs);
  for (const a of args) {
    const flag = a.startsWith('--') ? a.split('=')[0] : a.slice(0, 2);
    if (!a.startsWith('-')) throw inputError(INPUT.pgDumpArgs, a, 'pg_dump options, one per line (e.g. --no-comments), each starting with -');
    if (FORBIDDEN_DUMP_ARGS.includes(flag)) {
      throw inputError(
        INPUT.pgDumpArgs,
        a,
        `pg_dump options other than connection, output, format and schema options (${FORBIDDEN_DUMP_ARGS.filter((f) => f.startsWith('--')).join(', ')}); use ${INPUT.databaseUrl}, ${INPUT.schemas} and ${INPUT.excludeSchemas}`,
      );
    }
  }
  return args;
}

export function readBackupSettings(inputs: Inputs, env: NodeJS.ProcessEnv = {}): BackupSettings {
  const mode = inputs.enum(INPUT.mode, MODES, 'backup');
  const needsDb = mode === 'backup' || mode === 'restore';
  const databaseUrl = inputs.url(INPUT.databaseUrl, {
    protocols: DATABASE_PROTOCOLS,
    secret: true,
    required: needsDb,
    expected: 'a direct PostgreSQL or MongoDB URL (postgres://user:password@host:5432/db or mongodb://…)',
  });
  if (databaseUrl && !isMongoUrl(databaseUrl)) {
    const pooled = poolerReason(databaseUrl);
    if (pooled) throw inputError(INPUT.databaseUrl, databaseUrl, `a direct (unpooled) URL: ${pooled}`, true);
    if (needsDb && !databaseName(databaseUrl)) throw inputError(INPUT.databaseUrl, databaseUrl, 'a URL that names the database (…/dbname)', true);
  }
  const environment = inputs.string(INPUT.environment, { default: 'production' });
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(environment)) {
    throw inputError(INPUT.environment, environment, 'a name of letters, digits, "_", "." or "-" (e.g. production)');
  }
  const bucket = inputs.string(INPUT.s3Bucket, { required: true, expected: 'an S3 bucket name (this input is required)' });
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw inputError(INPUT.s3Bucket, bucket, 'an S3 bucket name (3-63 lower-case letters, digits, "." or "-")');
  const prefix = inputs.string(INPUT.s3Prefix, { default: 'shipgate' }).replace(/\/+$/, '');
  if (!validPrefix(prefix)) throw inputError(INPUT.s3Prefix, prefix, 'a key prefix such as shipgate or backups/app (no leading "/", no "..")');
  const endpoint = inputs.url(INPUT.s3Endpoint, { protocols: ['http:', 'https:'], expected: 'an http(s):// endpoint of an S3-compatible store' });
  const sse = inputs.optional(INPUT.s3Sse);
  if (sse !== undefined && sse !== 'AES256' && sse !== 'aws:kms') throw inputError(INPUT.s3Sse, sse, 'AES256 or aws:kms');
  const kmsKeyId = inputs.optional(INPUT.s3KmsKeyId);
  if (kmsKeyId && sse !== 'aws:kms') throw inputError(INPUT.s3KmsKeyId, kmsKeyId, `nothing unless ${INPUT.s3Sse} is aws:kms`);

  const verify = inputs.enum(INPUT.verify, VERIFY_LEVELS, 'read');
  const verifyDatabaseUrl = inputs.url(INPUT.verifyDatabaseUrl, {
    protocols: POSTGRES_PROTOCOLS,
    secret: true,
    expected: 'a PostgreSQL URL of a scratch database (it is overwritten)',
  });
  if (mode === 'backup' && verify === 'restore') {
    if (!verifyDatabaseUrl) throw inputError(INPUT.verifyDatabaseUrl, '', `a scratch PostgreSQL database URL when ${INPUT.verify} is restore`);
    if (databaseUrl && isMongoUrl(databaseUrl)) throw inputError(INPUT.verify, verify, 'read or none for a MongoDB backup');
    if (databaseUrl && sameDatabase(verifyDatabaseUrl, databaseUrl)) {
      throw inputError(INPUT.verifyDatabaseUrl, verifyDatabaseUrl, `a scratch database, not the database being backed up`, true);
    }
    const pooled = poolerReason(verifyDatabaseUrl);
    if (pooled) throw inputError(INPUT.verifyDatabaseUrl, verifyDatabaseUrl, `a direct (unpooled) URL: ${pooled}`, true);
  }

  const keepLast = inputs.int(INPUT.retentionKeepLast, { min: 1 });
  const retentionDays = inputs.number(INPUT.retentionDays, { min: 0 });
  if (mode === 'prune' && keepLast === undefined && retentionDays === undefined) {
    throw inputError(INPUT.retentionKeepLast, '', `a number of backups to keep (or ${INPUT.retentionDays}) when ${INPUT.mode} is prune`);
  }

  const backupId = inputs.optional(INPUT.backupId);
  if (backupId !== undefined && !/^[A-Za-z0-9_.-]+$/.test(backupId)) {
    throw inputError(INPUT.backupId, backupId, 'a backup id (e.g. 20260101T120000Z-0123abc-4242), latest, or a git sha');
  }
  const confirm = inputs.optional(INPUT.confirm);
  if (mode === 'restore') {
    if (!backupId) throw inputError(INPUT.backupId, '', `a backup id, latest, or a git sha when ${INPUT.mode} is restore`);
    const target = databaseName(databaseUrl!);
    if (confirm !== target) {
      throw inputError(INPUT.confirm, confirm ?? '', `the target database's name (${JSON.stringify(target)}) to confirm that it is overwritten`);
    }
  }
  const safetySnapshot = inputs.bool(INPUT.safetySnapshot, true);
  const partSizeEnv = env.SHIPGATE_BACKUP_PART_SIZE;
  return {
    mode,
    databaseUrl,
    environment,
    store: { bucket, prefix, region: inputs.optional(INPUT.s3Region), endpoint, sse: sse as StoreSettings['sse'], kmsKeyId },
    backupId,
    verify,
    verifyDatabaseUrl,
    keepLast,
    retentionDays,
    artifact: inputs.bool(INPUT.artifact, false),
    schemas: listOf(inputs, INPUT.schemas),
    excludeSchemas: listOf(inputs, INPUT.excludeSchemas),
    pgDumpArgs: readPgDumpArgs(inputs),
    confirm,
    safetySnapshot,
    partSize: partSizeEnv && /^\d+$/.test(partSizeEnv) ? Number(partSizeEnv) : undefined,
  };
}

function sameDatabase(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.hostname === y.hostname && (x.port || '5432') === (y.port || '5432') && x.pathname === y.pathname;
  } catch {
    return a === b;
  }
}

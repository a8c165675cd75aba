/** Input and output names of the backup stage; a test keeps them equal to actions/backup/action.yml. */
export const INPUT = {
  mode: 'mode',
  databaseUrl: 'database-url',
  environment: 'environment',
  s3Bucket: 's3-bucket',
  s3Prefix: 's3-prefix',
  s3Region: 's3-region',
  s3Endpoint: 's3-endpoint',
  s3Sse: 's3-sse',
  s3KmsKeyId: 's3-kms-key-id',
  backupId: 'backup-id',
  verify: 'verify',
  verifyDatabaseUrl: 'verify-database-url',
  retentionKeepLast: 'retention-keep-last',
  retentionDays: 'retention-days',
  artifact: 'artifact',
  schemas: 'schemas',
  excludeSchemas: 'exclude-schemas',
  pgDumpArgs: 'pg-dump-args',
  confirm: 'confirm',
  safetySnapshot: 'safety-snapshot',
} as const;

export const OUTPUT = {
  backupId: 'backup-id',
  backupUri: 'backup-uri',
  manifestUri: 'manifest-uri',
  sha256: 'sha256',
  sizeBytes: 'size-bytes',
  durationMs: 'duration-ms',
  restoredFrom: 'restored-from',
} as const;

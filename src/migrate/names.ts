/** Input and output names of the migrate stage; a test keeps them equal to actions/migrate/action.yml. */
export const INPUT = {
  databaseUrl: 'database-url',
  migrationsDir: 'migrations-dir',
  migrationsFormat: 'migrations-format',
  dryRun: 'dry-run',
  target: 'target',
  lockTimeout: 'lock-timeout',
  statementTimeout: 'statement-timeout',
  lockWait: 'lock-wait',
  allowOutOfOrder: 'allow-out-of-order',
  allowModified: 'allow-modified',
  command: 'command',
  onFailure: 'on-failure',
  backupId: 'backup-id',
  shadowDatabaseUrl: 'shadow-database-url',
  environment: 'environment',
  s3Bucket: 's3-bucket',
  s3Prefix: 's3-prefix',
  s3Region: 's3-region',
  s3Endpoint: 's3-endpoint',
} as const;

export const OUTPUT = {
  applied: 'applied',
  appliedCount: 'applied-count',
  pendingCount: 'pending-count',
  ledgerHead: 'ledger-head',
  status: 'status',
  schemaFingerprint: 'schema-fingerprint',
} as const;

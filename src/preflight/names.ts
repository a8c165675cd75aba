/** Input and output names of the preflight stage; a test keeps them equal to actions/preflight/action.yml. */
export const INPUT = {
  mode: 'mode',
  environment: 'environment',
  databaseUrl: 'database-url',
  migrationsDir: 'migrations-dir',
  migrationsFormat: 'migrations-format',
  requiredEnv: 'required-env',
  deployWindow: 'deploy-window',
  emergency: 'emergency',
  emergencyReason: 'emergency-reason',
  allowDestructive: 'allow-destructive',
  failOn: 'fail-on',
  maxConnectionUsage: 'max-connection-usage',
  githubToken: 'github-token',
  vercelToken: 'vercel-token',
  vercelProjectId: 'vercel-project-id',
  vercelTeamId: 'vercel-team-id',
  vercelApiUrl: 'vercel-api-url',
  auditLevel: 'audit-level',
} as const;

export const OUTPUT = {
  ok: 'ok',
  pendingMigrations: 'pending-migrations',
  findings: 'findings',
  destructive: 'destructive',
  blockedReason: 'blocked-reason',
} as const;

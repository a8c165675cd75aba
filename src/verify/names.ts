/** Input and output names of the verify stage; a test keeps them equal to actions/verify/action.yml. */
export const INPUT = {
  url: 'url',
  healthPath: 'health-path',
  expectVersion: 'expect-version',
  versionField: 'version-field',
  expectStatus: 'expect-status',
  checks: 'checks',
  samples: 'samples',
  concurrency: 'concurrency',
  maxP95Ms: 'max-p95-ms',
  maxErrorRate: 'max-error-rate',
  waitTimeout: 'wait-timeout',
  protectionBypass: 'protection-bypass',
  smokeCommand: 'smoke-command',
  databaseUrl: 'database-url',
  sqlChecks: 'sql-checks',
  vercelToken: 'vercel-token',
  deploymentId: 'deployment-id',
  migrationsApplied: 'migrations-applied',
} as const;

export const OUTPUT = {
  healthy: 'healthy',
  decision: 'decision',
  p95Ms: 'p95-ms',
  errorRate: 'error-rate',
  versionServed: 'version-served',
  report: 'report',
} as const;

/** Reads and validates the preflight stage's inputs into one typed settings object. */
import { POSTGRES_PROTOCOLS, inputError, type Inputs } from '../lib/inputs.js';
/** Same default as src/lib/vercel.ts; not imported from there so the Vercel SDK stays out of the entry chunk. */
const VERCEL_API_URL = 'https://api.vercel.com';
import { INPUT } from './names.js';
import { RequiredEnvSyntaxError, parseRequiredEnvLine, type RequiredEnv } from './required-env.js';
import { WindowSyntaxError, parseWindows, type WindowSpec } from './window.js';

export const MODES = ['deploy', 'pr'] as const;
export const MIGRATION_FORMATS = ['auto', 'sql', 'prisma', 'drizzle'] as const;
export const FAIL_ON = ['error', 'warning', 'never'] as const;
export const AUDIT_LEVELS = ['none', 'low', 'moderate', 'high', 'critical'] as const;
export type AuditLevel = (typeof AUDIT_LEVELS)[number];

export interface PreflightSettings {
  mode: (typeof MODES)[number];
  environment: string;
  databaseUrl?: string;
  migrationsDir?: string;
  format: (typeof MIGRATION_FORMATS)[number];
  requiredEnv: RequiredEnv[];
  deployWindow: WindowSpec[];
  emergency: boolean;
  emergencyReason?: string;
  allowDestructive: boolean;
  failOn: (typeof FAIL_ON)[number];
  maxConnectionUsage: number;
  githubToken?: string;
  vercel?: { token: string; projectId: string; teamId?: string; apiUrl: string };
  auditLevel: AuditLevel;
}

export function readPreflightSettings(inputs: Inputs): PreflightSettings {
  const mode = inputs.enum(INPUT.mode, MODES, 'deploy');
  // Secrets first, so nothing below can print them.
  const githubToken = inputs.secret(INPUT.githubToken);
  const vercelToken = inputs.secret(INPUT.vercelToken);
  const databaseUrl = inputs.url(INPUT.databaseUrl, {
    protocols: POSTGRES_PROTOCOLS,
    secret: true,
    required: mode === 'deploy',
    expected: `a PostgreSQL URL (postgres://user:password@host:5432/db; a read-only role is enough)${mode === 'deploy' ? ' — required in deploy mode' : ''}`,
  });

  const requiredEnv: RequiredEnv[] = [];
  for (const line of inputs.lines(INPUT.requiredEnv)) {
    try {
      requiredEnv.push(parseRequiredEnvLine(line));
    } catch (err) {
      if (err instanceof RequiredEnvSyntaxError) throw inputError(INPUT.requiredEnv, line, `one variable per line, NAME or NAME: rule, rule (${err.message})`);
      throw err;
    }
  }

  const windowText = inputs.raw(INPUT.deployWindow);
  let deployWindow: WindowSpec[] = [];
  try {
    deployWindow = parseWindows(windowText);
  } catch (err) {
    if (err instanceof WindowSyntaxError) throw inputError(INPUT.deployWindow, windowText, `a window such as "Tue-Thu 10:00-14:00 Europe/Berlin" (days optional, zone an IANA name; ${err.message})`);
    throw err;
  }

  const emergency = inputs.bool(INPUT.emergency, false);
  const emergencyReason = inputs.optional(INPUT.emergencyReason);
  if (emergency && !emergencyReason) throw inputError(INPUT.emergencyReason, '', `a reason when ${INPUT.emergency} is true (it is written to the summary and repeated by notify)`);

  const vercelProjectId = inputs.optional(INPUT.vercelProjectId);
  const vercelTeamId = inputs.optional(INPUT.vercelTeamId);
  if (vercelToken && !vercelProjectId) throw inputError(INPUT.vercelProjectId, '', `the Vercel project id or name when ${INPUT.vercelToken} is set`);

  return {
    mode,
    environment: inputs.string(INPUT.environment, { default: mode === 'pr' ? 'preview' : 'production' }),
    databaseUrl,
    migrationsDir: inputs.optional(INPUT.migrationsDir),
    format: inputs.enum(INPUT.migrationsFormat, MIGRATION_FORMATS, 'auto'),
    requiredEnv,
    deployWindow,
    emergency,
    emergencyReason: emergency ? emergencyReason : undefined,
    allowDestructive: inputs.bool(INPUT.allowDestructive, false),
    failOn: inputs.enum(INPUT.failOn, FAIL_ON, 'error'),
    maxConnectionUsage: inputs.number(INPUT.maxConnectionUsage, { default: 75, min: 1, max: 100 }) ?? 75,
    githubToken,
    vercel: vercelToken && vercelProjectId ? { token: vercelToken, projectId: vercelProjectId, teamId: vercelTeamId, apiUrl: (inputs.url(INPUT.vercelApiUrl, { protocols: ['https:', 'http:'] }) ?? VERCEL_API_URL).replace(/\/+$/, '') } : undefined,
    auditLevel: inputs.enum(INPUT.auditLevel, AUDIT_LEVELS, 'critical'),
  };
}

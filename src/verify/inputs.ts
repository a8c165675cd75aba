/** Reads and validates the verify stage's inputs into one typed settings object. */
import { POSTGRES_PROTOCOLS, inputError, type Inputs } from '../lib/inputs.js';
import type { RunContext } from '../lib/context.js';
import { parseChecks, parseSqlChecks, type HttpCheck, type SqlCheck } from './checks.js';
import { INPUT } from './names.js';

export interface Thresholds {
  /** Below this error rate (and p95 within the limit) the decision is ok. */
  maxErrorRate: number;
  /** From this error rate on: rollback-app. */
  rollbackErrorRate: number;
  /** Above this error rate: rollback-full when migrations were applied, else rollback-app. */
  rollbackFullErrorRate: number;
  maxP95Ms: number;
  /** p95 above maxP95Ms × this: rollback-app. */
  rollbackP95Factor: number;
  maxRuntimeErrors: number;
}

export interface VerifySettings {
  /** Base URL without a trailing slash. */
  url: string;
  healthPath: string;
  expectVersion: string;
  /** Explicit dotted path, or undefined for the first of version, gitSha, commit, build.sha. */
  versionField?: string;
  /** Conditions on the health JSON: path = value. */
  expectStatus: Array<{ path: string; value: string }>;
  checks: HttpCheck[];
  samples: number;
  concurrency: number;
  thresholds: Thresholds;
  waitTimeoutMs: number;
  requestTimeoutMs: number;
  protectionBypass?: string;
  smokeCommand?: string;
  databaseUrl?: string;
  sqlChecks: SqlCheck[];
  runtimeLogs?: { token: string; deploymentId: string; teamId?: string; projectId?: string; apiUrl: string };
  migrationsApplied: number;
}

export function readVerifySettings(inputs: Inputs, context: Pick<RunContext, 'sha' | 'workspace'>): VerifySettings {
  // Secrets first, so nothing below can print them.
  const protectionBypass = inputs.secret(INPUT.protectionBypass);
  const vercelToken = inputs.secret(INPUT.vercelToken);
  const databaseUrl = inputs.url(INPUT.databaseUrl, {
    protocols: POSTGRES_PROTOCOLS,
    secret: true,
    expected: 'a PostgreSQL URL (postgres://user:password@host:5432/db) for sql-checks',
  });

  // Vercel's deployment `url` is a bare host (shop-abc123.vercel.app): https is implied.
  const rawUrl = inputs.raw(INPUT.url);
  const url = /^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?(\/[^?#]*)?$/i.test(rawUrl)
    ? `https://${rawUrl}`
    : inputs.url(INPUT.url, { protocols: ['https:', 'http:'], required: true, expected: 'the deployment URL (https://…)' })!;
  const parsedUrl = new URL(url);
  if (parsedUrl.username || parsedUrl.password) throw inputError(INPUT.url, url, 'a URL without credentials (use protection-bypass for protected deployments)', true);
  if (parsedUrl.search || parsedUrl.hash) {
    // Never echo the query: it may carry x-vercel-protection-bypass.
    throw inputError(INPUT.url, `${parsedUrl.origin}${parsedUrl.pathname}?…`, 'a base URL without a query or fragment (pass the bypass secret as protection-bypass)');
  }
  const base = url.replace(/\/+$/, '');

  let healthPath = inputs.string(INPUT.healthPath, { default: '/api/health' });
  if (!healthPath.startsWith('/')) healthPath = `/${healthPath}`;

  const expectVersion = inputs.string(INPUT.expectVersion, { default: context.sha });
  if (!expectVersion) throw inputError(INPUT.expectVersion, '', 'the version the new build reports (GITHUB_SHA is not set either)');
  if (/^[0-9a-f]+$/i.test(expectVersion) && expectVersion.length < 7) {
    throw inputError(INPUT.expectVersion, expectVersion, 'a full sha or a prefix of at least 7 characters');
  }

  const versionField = inputs.optional(INPUT.versionField);
  if (versionField !== undefined && !/^[\w$-]+(\.[\w$-]+)*$/.test(versionField)) {
    throw inputError(INPUT.versionField, versionField, 'a dotted path such as version or build.sha');
  }

  const expectStatus: Array<{ path: string; value: string }> = [];
  const statusRaw = inputs.optional(INPUT.expectStatus);
  if (statusRaw) {
    for (const part of statusRaw.split(',').map((p) => p.trim()).filter(Boolean)) {
      const m = /^([\w$-]+(?:\.[\w$-]+)*)\s*=\s*(.*)$/.exec(part);
      if (!m) throw inputError(INPUT.expectStatus, statusRaw, 'path=value pairs such as status=healthy (comma-separated)');
      expectStatus.push({ path: m[1]!, value: m[2]! });
    }
  }

  const checks = parseChecks(INPUT.checks, inputs.raw(INPUT.checks), context.workspace);
  const sqlChecks = parseSqlChecks(INPUT.sqlChecks, inputs.raw(INPUT.sqlChecks), context.workspace);
  if (sqlChecks.length > 0 && !databaseUrl) throw inputError(INPUT.databaseUrl, '', 'a PostgreSQL URL because sql-checks is set');

  const samples = inputs.int(INPUT.samples, { default: 20, min: 0, max: 10_000 })!;
  const concurrency = inputs.int(INPUT.concurrency, { default: 8, min: 1, max: 256 })!;
  const maxP95Ms = inputs.number(INPUT.maxP95Ms, { default: 1000, min: 1 })!;
  const maxErrorRate = inputs.number(INPUT.maxErrorRate, { default: 0.01, min: 0, max: 1 })!;
  const rollbackErrorRate = inputs.number(INPUT.rollbackErrorRate, { default: 0.05, min: 0, max: 1 })!;
  const rollbackFullErrorRate = inputs.number(INPUT.rollbackFullErrorRate, { default: 0.1, min: 0, max: 1 })!;
  if (rollbackErrorRate < maxErrorRate) {
    throw inputError(INPUT.rollbackErrorRate, String(rollbackErrorRate), `a rate at least max-error-rate (${maxErrorRate})`);
  }
  if (rollbackFullErrorRate < rollbackErrorRate) {
    throw inputError(INPUT.rollbackFullErrorRate, String(rollbackFullErrorRate), `a rate at least rollback-error-rate (${rollbackErrorRate})`);
  }
  const rollbackP95Factor = inputs.number(INPUT.rollbackP95Factor, { default: 2, min: 1 })!;
  const maxRuntimeErrors = inputs.int(INPUT.maxRuntimeErrors, { default: 0, min: 0 })!;

  const waitTimeoutMs = inputs.duration(INPUT.waitTimeout, '5m', { max: 60 * 60_000 });
  const requestTimeoutMs = inputs.duration(INPUT.requestTimeout, '10s', { min: 100, max: 5 * 60_000 });

  const smokeCommand = inputs.optional(INPUT.smokeCommand);

  const deploymentId = inputs.optional(INPUT.deploymentId);
  let runtimeLogs: VerifySettings['runtimeLogs'];
  if (vercelToken && !deploymentId) throw inputError(INPUT.deploymentId, '', 'the Vercel deployment id (dpl_…) because vercel-token is set');
  if (deploymentId && !vercelToken) throw inputError(INPUT.vercelToken, '', 'a Vercel token because deployment-id is set (runtime logs)');
  if (vercelToken && deploymentId) {
    const apiUrl = inputs.url(INPUT.vercelApiUrl, { protocols: ['https:', 'http:'] }) ?? 'https://api.vercel.com';
    runtimeLogs = {
      token: vercelToken,
      deploymentId,
      teamId: inputs.optional(INPUT.vercelTeamId),
      projectId: inputs.optional(INPUT.vercelProjectId),
      apiUrl: apiUrl.replace(/\/+$/, ''),
    };
  }

  const migrationsApplied = readMigrationsApplied(inputs);

  return {
    url: base,
    healthPath,
    expectVersion,
    versionField,
    expectStatus,
    checks,
    samples,
    concurrency,
    thresholds: { maxErrorRate, rollbackErrorRate, rollbackFullErrorRate, maxP95Ms, rollbackP95Factor, maxRuntimeErrors },
    waitTimeoutMs,
    requestTimeoutMs,
    protectionBypass,
    smokeCommand,
    databaseUrl,
    sqlChecks,
    runtimeLogs,
    migrationsApplied,
  };
}

/** A count (migrate's applied-count), or true/false (migrate's applied); empty is 0. */
function readMigrationsApplied(inputs: Inputs): number {
  const raw = inputs.raw(INPUT.migrationsApplied).toLowerCase();
  if (raw === '' || raw === 'false' || raw === 'no') return 0;
  if (raw === 'true' || raw === 'yes') return 1;
  if (/^\d+$/.test(raw)) return Number(raw);
  // migrate's `applied` output is a JSON list of the migrations it applied.
  if (raw.startsWith('[')) {
    try {
      const list = JSON.parse(raw) as unknown;
      if (Array.isArray(list)) return list.length;
    } catch {
      /* fall through */
    }
  }
  throw inputError(INPUT.migrationsApplied, raw, 'a count of applied migrations, true/false, or a JSON list');
}

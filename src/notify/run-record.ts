/**
 * The run record: one JSON per run under `<prefix>/<environment>/runs/`, named so that the newest sorts last
 * (`<UTC timestamp>-<run id>-<attempt>.json`). It holds what each stage produced — backup id and sha256,
 * migrations applied and the ledger head before and after, previous and new deployment ids, the verify
 * decision, the emergency reason — so the rollback workflow knows what to restore. No secret: every string is
 * scrubbed with the Masker and any credentials in URLs are removed before it is written.
 */
import type { RunContext } from '../lib/context.js';
import { redactUrl, type Masker } from '../lib/secrets.js';
import type { FinalStatus, StageFacts, StageInfo } from './stages.js';

/** Where run records go (S3 in the stage, a map in tests). */
export interface RecordStore {
  put(key: string, body: string, contentType: string): Promise<void>;
  uri(key: string): string;
}

export const RUN_RECORD_SCHEMA = 1;

export interface RunRecord {
  schema: number;
  kind: 'shipgate-run';
  environment: string;
  status: FinalStatus;
  repository: string;
  sha: string;
  ref: string;
  version?: string;
  runId: string;
  runAttempt: string;
  runUrl: string;
  actor: string;
  workflow: string;
  recordedAt: string;
  startedAt?: string;
  emergency: boolean;
  emergencyReason?: string;
  backup: { id?: string; sha256?: string; uri?: string };
  migrations: { applied?: number; list?: unknown; ledgerHeadBefore?: string; ledgerHeadAfter?: string };
  deployment: { id?: string; previousId?: string; url?: string; inspectorUrl?: string; githubDeploymentId?: number };
  verify: { decision?: string; reason?: string; p95Ms?: number; errorRate?: number; versionServed?: string };
  stages: Record<string, { kind?: string; result: string; outputs: Record<string, string> }>;
}

export function runRecordKey(prefix: string, environment: string, ctx: Pick<RunContext, 'runId' | 'runAttempt'>, now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.(\d{3})Z$/, '$1Z');
  const run = `${ctx.runId || 'local'}-${ctx.runAttempt || '1'}`;
  return `${prefix ? `${prefix}/` : ''}${environment}/runs/${stamp}-${run}.json`;
}

/** Removes credentials from URL-looking strings and every registered secret from every string. */
export function scrubRecord<T>(value: T, masker: Masker): T {
  if (typeof value === 'string') {
    let s = masker.redact(value);
    // Credentials of URLs nobody registered (`scheme://user:password@host`), anywhere in the text.
    s = s.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*):([^\s/?#@]+)@/gi, '$1:***@');
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s) && /[?&][^=&#]*(pass|secret|token|key)[^=&#]*=/i.test(s)) s = redactUrl(s);
    return s as T;
  }
  if (Array.isArray(value)) return value.map((v) => scrubRecord(v, masker)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // An output that is itself a credential never belongs in the record.
      out[k] = /(^|[-_])(token|password|secret|api-key|apikey)($|[-_])/i.test(k) && typeof v === 'string' && v !== '' ? '***' : scrubRecord(v, masker);
    }
    return out as T;
  }
  return value;
}

export function buildRunRecord(input: {
  ctx: RunContext;
  environment: string;
  status: FinalStatus;
  version?: string;
  emergency: boolean;
  emergencyReason?: string;
  stages: StageInfo[];
  facts: StageFacts;
  decision?: string;
  deploymentUrl?: string;
  githubDeploymentId?: number;
  now: number;
  startedAt?: number;
}): RunRecord {
  const { ctx, facts } = input;
  const stages: RunRecord['stages'] = {};
  for (const s of input.stages) stages[s.name] = { kind: s.kind, result: s.result, outputs: s.outputs };
  return {
    schema: RUN_RECORD_SCHEMA,
    kind: 'shipgate-run',
    environment: input.environment,
    status: input.status,
    repository: ctx.repository,
    sha: ctx.sha,
    ref: ctx.ref,
    version: input.version,
    runId: ctx.runId,
    runAttempt: ctx.runAttempt,
    runUrl: ctx.runUrl,
    actor: ctx.actor,
    workflow: ctx.workflow,
    recordedAt: new Date(input.now).toISOString(),
    startedAt: input.startedAt !== undefined ? new Date(input.startedAt).toISOString() : undefined,
    emergency: input.emergency,
    emergencyReason: input.emergencyReason,
    backup: { id: facts.backupId, sha256: facts.backupSha256, uri: facts.backupUri },
    migrations: { applied: facts.migrationsApplied, list: facts.migrationsAppliedList, ledgerHeadBefore: facts.ledgerHeadBefore, ledgerHeadAfter: facts.ledgerHeadAfter },
    deployment: {
      id: facts.deploymentId,
      previousId: facts.previousDeploymentId,
      url: input.deploymentUrl ?? facts.deploymentUrl,
      inspectorUrl: facts.inspectorUrl,
      githubDeploymentId: input.githubDeploymentId,
    },
    verify: { decision: input.decision ?? facts.verifyDecision, reason: facts.verifyReason, p95Ms: facts.p95Ms, errorRate: facts.errorRate, versionServed: facts.versionServed },
    stages,
  };
}

export async function writeRunRecord(store: RecordStore, key: string, record: RunRecord, masker: Masker): Promise<string> {
  const clean = scrubRecord(record, masker);
  const body = JSON.stringify(clean, null, 2) + '\n';
  if (masker.leaks(body)) throw new Error('the run record still contains a secret after scrubbing; not written');
  await store.put(key, body, 'application/json');
  return store.uri(key);
}

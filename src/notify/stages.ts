/**
 * The `stages` input: `${{ toJSON(needs) }}` ({job: {result, outputs}}) or plain stage outputs
 * ({stage: {output: value}}), normalised into a list, with each Shipgate stage recognised by its name or,
 * failing that, by the outputs it produced; plus the overall status derived from them.
 */
export const STAGE_KINDS = ['preflight', 'backup', 'migrate', 'deploy', 'verify'] as const;
export type StageKind = (typeof STAGE_KINDS)[number];

export type StageResultText = 'success' | 'failure' | 'cancelled' | 'skipped' | 'unknown';

export interface StageInfo {
  /** The job id or key in the JSON. */
  name: string;
  kind?: StageKind;
  result: StageResultText;
  outputs: Record<string, string>;
}

const SIGNATURES: Record<StageKind, string[]> = {
  preflight: ['pending-migrations', 'findings', 'blocked-reason'],
  backup: ['backup-id', 'manifest-uri'],
  migrate: ['ledger-head', 'applied-count', 'schema-fingerprint'],
  deploy: ['deployment-id', 'inspector-url', 'previous-deployment-id', 'ready-state'],
  verify: ['decision', 'p95-ms', 'version-served'],
};

function kindOf(name: string, outputs: Record<string, string>): StageKind | undefined {
  const n = name.toLowerCase();
  for (const k of STAGE_KINDS) if (n === k || n.endsWith(`-${k}`) || n.startsWith(`${k}-`) || n.endsWith(`_${k}`)) return k;
  let best: StageKind | undefined;
  let bestHits = 0;
  for (const k of STAGE_KINDS) {
    const hits = SIGNATURES[k].filter((o) => o in outputs).length;
    if (hits > bestHits) {
      best = k;
      bestHits = hits;
    }
  }
  return best;
}

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Throws a plain Error (the reader turns it into an InputError) when the JSON is not a map of stages. */
export function normaliseStages(data: unknown): StageInfo[] {
  if (data === undefined || data === null) return [];
  if (typeof data !== 'object' || Array.isArray(data)) throw new Error('a JSON object of stages');
  const out: StageInfo[] = [];
  for (const [name, raw] of Object.entries(data as Record<string, unknown>)) {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`a JSON object of stages; "${name}" is not an object`);
    const r = raw as Record<string, unknown>;
    const needsShape = 'result' in r || ('outputs' in r && typeof r.outputs === 'object');
    const rawOutputs = (needsShape ? (r.outputs ?? {}) : r) as Record<string, unknown>;
    const outputs: Record<string, string> = {};
    for (const [k, v] of Object.entries(rawOutputs)) outputs[k] = text(v);
    const resultRaw = needsShape ? String(r.result ?? 'unknown').toLowerCase() : 'success';
    const result: StageResultText = (['success', 'failure', 'cancelled', 'skipped'] as const).includes(resultRaw as never) ? (resultRaw as StageResultText) : 'unknown';
    out.push({ name, kind: kindOf(name, outputs), result, outputs });
  }
  return out;
}

export type FinalStatus = 'started' | 'success' | 'failure' | 'cancelled';

/** The run's status from its stages and the verify decision. */
export function deriveStatus(stages: StageInfo[], decision: string | undefined): FinalStatus | undefined {
  if (stages.some((s) => s.result === 'failure')) return 'failure';
  if (decision === 'rollback-app' || decision === 'rollback-full') return 'failure';
  if (stages.some((s) => s.result === 'cancelled')) return 'cancelled';
  if (stages.length === 0) return decision ? 'success' : undefined;
  if (stages.every((s) => s.result === 'success' || s.result === 'skipped')) return 'success';
  return 'started';
}

export function stageOf(stages: StageInfo[], kind: StageKind): StageInfo | undefined {
  return stages.find((s) => s.kind === kind);
}

/** What the run record and the message need from the stages, each value as the stage reported it. */
export interface StageFacts {
  backupId?: string;
  backupSha256?: string;
  backupUri?: string;
  migrationsApplied?: number;
  migrationsAppliedList?: unknown;
  ledgerHeadBefore?: string;
  ledgerHeadAfter?: string;
  deploymentId?: string;
  previousDeploymentId?: string;
  deploymentUrl?: string;
  inspectorUrl?: string;
  verifyDecision?: string;
  verifyReason?: string;
  p95Ms?: number;
  errorRate?: number;
  versionServed?: string;
}

const opt = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);
const num = (v: string | undefined): number | undefined => (v === undefined || v === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));

export function stageFacts(stages: StageInfo[]): StageFacts {
  const b = stageOf(stages, 'backup')?.outputs ?? {};
  const m = stageOf(stages, 'migrate')?.outputs ?? {};
  const d = stageOf(stages, 'deploy')?.outputs ?? {};
  const v = stageOf(stages, 'verify')?.outputs ?? {};
  const p = stageOf(stages, 'preflight')?.outputs ?? {};
  let appliedList: unknown;
  if (opt(m['applied'])) {
    try {
      appliedList = JSON.parse(m['applied']!);
    } catch {
      appliedList = m['applied'];
    }
  }
  let verifyReason: string | undefined;
  if (opt(v['report'])) {
    try {
      verifyReason = (JSON.parse(v['report']!) as { reason?: string }).reason;
    } catch {
      /* not JSON */
    }
  }
  const appliedCount = num(m['applied-count']) ?? (Array.isArray(appliedList) ? appliedList.length : undefined);
  return {
    backupId: opt(b['backup-id']),
    backupSha256: opt(b['sha256']),
    backupUri: opt(b['backup-uri']),
    migrationsApplied: appliedCount,
    migrationsAppliedList: appliedList,
    ledgerHeadBefore: opt(m['ledger-head-before']) ?? opt(p['ledger-head']),
    ledgerHeadAfter: opt(m['ledger-head']),
    deploymentId: opt(d['deployment-id']),
    previousDeploymentId: opt(d['previous-deployment-id']),
    deploymentUrl: opt(d['url']),
    inspectorUrl: opt(d['inspector-url']),
    verifyDecision: opt(v['decision']),
    verifyReason,
    p95Ms: num(v['p95-ms']),
    errorRate: num(v['error-rate']),
    versionServed: opt(v['version-served']),
  };
}

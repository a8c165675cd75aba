/**
 * The rollback decision matrix (defaults; every threshold is an input):
 *   error rate < max-error-rate (1 %) and p95 within max-p95-ms                      -> ok
 *   error rate in [max-error-rate, rollback-error-rate) (1–5 %), or p95 over the limit -> monitor
 *   error rate in [rollback-error-rate, rollback-full-error-rate] (5–10 %), p95 above
 *     rollback-p95-factor × the limit, a failed HTTP check or smoke command           -> rollback-app
 *   error rate above rollback-full-error-rate (10 %), a failed SQL check, or health
 *     never reaching the new version -> rollback-full when migrations were applied in this run, else rollback-app
 *   runtime error log lines above max-runtime-errors                                   -> at least monitor
 * The most severe finding wins; every finding is kept as a reason.
 */
import type { Thresholds } from './inputs.js';
import type { CheckResult, SampleStats } from './load.js';

export const DECISIONS = ['ok', 'monitor', 'rollback-app', 'rollback-full'] as const;
export type Decision = (typeof DECISIONS)[number];

export interface DecisionInput {
  reached: boolean;
  waitReason?: string;
  stats?: SampleStats;
  checks: CheckResult[];
  runtimeErrors?: number;
  thresholds: Thresholds;
  migrationsApplied: number;
}

export interface DecisionResult {
  decision: Decision;
  /** The reasons behind the decision, most severe first; empty for ok. */
  reasons: string[];
}

const pct = (r: number): string => `${(r * 100).toFixed(r * 100 < 10 ? 1 : 0).replace(/\.0$/, '')} %`;

export function decide(input: DecisionInput): DecisionResult {
  const t = input.thresholds;
  const findings: Array<{ level: Decision; reason: string }> = [];
  const full = (reason: string): void => {
    if (input.migrationsApplied > 0) findings.push({ level: 'rollback-full', reason: `${reason} (${input.migrationsApplied} migration(s) applied in this run)` });
    else findings.push({ level: 'rollback-app', reason: `${reason} (no migrations applied in this run)` });
  };

  if (!input.reached) full(input.waitReason ?? 'the health endpoint never served the new version');

  const s = input.stats;
  if (s && s.count > 0) {
    const rate = s.errorRate;
    const what = `error rate ${pct(rate)} (${s.errors}/${s.count}${s.errorKinds.length ? `: ${s.errorKinds.join(', ')}` : ''})`;
    if (rate > t.rollbackFullErrorRate) full(`${what} above ${pct(t.rollbackFullErrorRate)}`);
    else if (rate >= t.rollbackErrorRate) findings.push({ level: 'rollback-app', reason: `${what} at or above ${pct(t.rollbackErrorRate)}` });
    else if (rate >= t.maxErrorRate && rate > 0) findings.push({ level: 'monitor', reason: `${what} at or above ${pct(t.maxErrorRate)}` });
  }
  if (s?.p95Ms !== undefined) {
    const hard = t.maxP95Ms * t.rollbackP95Factor;
    if (s.p95Ms > hard) findings.push({ level: 'rollback-app', reason: `p95 ${s.p95Ms}ms above ${t.rollbackP95Factor}× the ${t.maxP95Ms}ms limit` });
    else if (s.p95Ms > t.maxP95Ms) findings.push({ level: 'monitor', reason: `p95 ${s.p95Ms}ms above the ${t.maxP95Ms}ms limit` });
  }
  for (const c of input.checks) {
    if (c.ok) continue;
    if (c.kind === 'sql') full(`SQL check "${c.name}" failed: ${c.detail}`);
    // Latency and runtime logs are judged by their numbers above, not as pass/fail rows.
    else if (c.kind === 'runtime-logs' || c.kind === 'latency') continue;
    else findings.push({ level: 'rollback-app', reason: `${c.kind === 'smoke' ? 'smoke command' : 'check'} "${c.name}" failed: ${c.detail}` });
  }
  if (input.runtimeErrors !== undefined && input.runtimeErrors > t.maxRuntimeErrors) {
    findings.push({ level: 'monitor', reason: `${input.runtimeErrors} error-level runtime log line(s) during verify (tolerated: ${t.maxRuntimeErrors})` });
  }

  const rank = (d: Decision): number => DECISIONS.indexOf(d);
  findings.sort((a, b) => rank(b.level) - rank(a.level));
  const decision = findings[0]?.level ?? 'ok';
  return { decision, reasons: findings.map((f) => f.reason) };
}

/**
 * Waiting for a deployment the way the Vercel CLI does: poll every 1 s for the first 15 s, every 5 s up to a
 * minute, every 15 s up to five minutes, then every 30 s — plus an overall timeout the CLI lacks. A 429
 * answer's Retry-After is honoured; other 5xx and network errors wait 5 s. All waits go through the Clock.
 *
 * Success: READY, and for a deployment that gets domains (not staged) its aliases assigned (`aliasAssigned`)
 * without `aliasError`. Failure: ERROR, CANCELED, BLOCKED, `aliasError`, failed checks. A readyState this
 * code does not know is logged once and waited on.
 */
import type { Clock } from '../lib/clock.js';
import { formatDuration } from '../lib/durations.js';
import type { Logger } from '../lib/logger.js';
import { VercelApiError } from '../lib/vercel.js';
import type { DeploymentInfo, VercelDeployApi } from './vercel.js';

export const KNOWN_STATES = ['QUEUED', 'INITIALIZING', 'BUILDING', 'READY', 'ERROR', 'CANCELED', 'BLOCKED'];
const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** The CLI's polling interval for the time elapsed since waiting began. */
export function pollDelay(elapsedMs: number): number {
  if (elapsedMs < 15_000) return 1_000;
  if (elapsedMs < 60_000) return 5_000;
  if (elapsedMs < 5 * 60_000) return 15_000;
  return 30_000;
}

export interface TimelineEntry {
  state: string;
  /** ms since the deploy began. */
  at: number;
}

export type WaitOutcome = 'ready' | 'error' | 'canceled' | 'timeout' | 'aborted';

export interface WaitResult {
  outcome: WaitOutcome;
  deployment: DeploymentInfo;
  /** Why it failed, in words. */
  reason?: string;
}

export interface WaitOptions {
  timeoutMs: number;
  clock: Clock;
  logger: Logger;
  /** Domains are expected to be assigned (not a staged production deployment). */
  expectAlias: boolean;
  signal?: AbortSignal;
  /** Called on every state change (timeline). */
  onState?: (d: DeploymentInfo) => void;
}

/** Judges one answer: finished (with outcome) or still waiting. */
export function judge(d: DeploymentInfo, expectAlias: boolean): { outcome: Exclude<WaitOutcome, 'timeout' | 'aborted'>; reason?: string } | undefined {
  if (d.checksConclusion === 'failed') return { outcome: 'error', reason: 'deployment checks failed' };
  switch (d.readyState) {
    case 'READY':
      if (d.aliasError) return { outcome: 'error', reason: `alias assignment failed: ${d.aliasError.code ?? ''} ${d.aliasError.message ?? ''}`.trim() };
      if (expectAlias && !d.aliasAssigned) return undefined;
      return { outcome: 'ready' };
    case 'ERROR':
      return { outcome: 'error', reason: `build failed${d.errorCode ? ` (${d.errorCode}${d.errorMessage ? `: ${d.errorMessage}` : ''})` : ''}` };
    case 'CANCELED':
      return { outcome: 'canceled', reason: 'the deployment was canceled' };
    case 'BLOCKED':
      return { outcome: 'error', reason: `the deployment is blocked${d.errorMessage ? `: ${d.errorMessage}` : ''}` };
    default:
      return undefined;
  }
}

export async function waitForDeployment(api: VercelDeployApi, initial: DeploymentInfo, opts: WaitOptions): Promise<WaitResult> {
  const { clock, logger } = opts;
  const start = clock.now();
  const deadline = start + opts.timeoutMs;
  const warned = new Set<string>();
  let current = initial;
  let lastState = '';
  const seen = (d: DeploymentInfo): void => {
    const key = `${d.readyState}${d.readyState === 'READY' && opts.expectAlias && !d.aliasAssigned ? ' (assigning domains)' : ''}`;
    if (key !== lastState) {
      lastState = key;
      logger.info(`${d.id}: ${key}`);
      opts.onState?.(d);
    }
    if (!KNOWN_STATES.includes(d.readyState) && !warned.has(d.readyState)) {
      warned.add(d.readyState);
      logger.warning(`Vercel reported readyState ${JSON.stringify(d.readyState)}, which this version does not know; still waiting for READY`);
    }
  };
  seen(current);
  for (;;) {
    const verdict = judge(current, opts.expectAlias);
    if (verdict) return { ...verdict, deployment: current };
    if (opts.signal?.aborted) return { outcome: 'aborted', deployment: current, reason: 'the run was cancelled' };
    const now = clock.now();
    if (now >= deadline) {
      return { outcome: 'timeout', deployment: current, reason: `not ready after ${formatDuration(opts.timeoutMs)} (last state ${current.readyState})` };
    }
    let delay = pollDelay(now - start);
    for (;;) {
      try {
        await clock.sleep(Math.max(0, Math.min(delay, deadline - clock.now())), opts.signal);
      } catch {
        return { outcome: 'aborted', deployment: current, reason: 'the run was cancelled' };
      }
      if (opts.signal?.aborted) return { outcome: 'aborted', deployment: current, reason: 'the run was cancelled' };
      try {
        current = await api.getDeployment(current.id);
        break;
      } catch (err) {
        if (!(err instanceof VercelApiError) || !err.transient) throw err;
        delay = err.status === 429 ? Math.min(err.details.retryAfterMs ?? 5_000, MAX_RETRY_AFTER_MS) : 5_000;
        logger.info(`${err.message}; asking again in ${formatDuration(delay)}`);
        if (clock.now() >= deadline) {
          return { outcome: 'timeout', deployment: current, reason: `not ready after ${formatDuration(opts.timeoutMs)} (last state ${current.readyState})` };
        }
      }
    }
    seen(current);
  }
}

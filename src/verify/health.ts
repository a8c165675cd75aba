/**
 * Reading the health endpoint and waiting until it serves the expected version. An old build that still
 * answers 200 does not pass: the served version must equal expect-version (or share a prefix of at least
 * 7 characters with it, so a short sha matches a full one).
 */
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { formatDuration } from '../lib/durations.js';
import { getPath, sameValue } from './checks.js';
import { protectionHint, type Prober, type ProbeResult } from './probe.js';

export const DEFAULT_VERSION_FIELDS = ['version', 'gitSha', 'commit', 'build.sha'];

export interface HealthReading {
  status: number;
  /** The version the body reports, when one was found. */
  version?: string;
  /** Which field it came from. */
  field?: string;
  /** The expect-status conditions that did not hold. */
  statusProblems: string[];
  error?: string;
}

export function readHealth(result: ProbeResult, versionField: string | undefined, expectStatus: Array<{ path: string; value: string }>): HealthReading {
  const reading: HealthReading = { status: result.status, statusProblems: [], error: result.error };
  let data: unknown;
  try {
    data = JSON.parse(result.text);
  } catch {
    data = undefined;
  }
  if (data !== undefined && data !== null && typeof data === 'object') {
    for (const field of versionField ? [versionField] : DEFAULT_VERSION_FIELDS) {
      const hit = getPath(data, field);
      if (hit.found && hit.value !== null && hit.value !== undefined && typeof hit.value !== 'object') {
        reading.version = String(hit.value);
        reading.field = field;
        break;
      }
    }
  } else if (typeof data === 'string' || (data === undefined && /^[\w.+-]{1,100}$/.test(result.text.trim()))) {
    // A plain-text health body that is just a version string.
    if (!versionField) {
      reading.version = (typeof data === 'string' ? data : result.text).trim();
      reading.field = '(body)';
    }
  }
  for (const cond of expectStatus) {
    const hit = data && typeof data === 'object' ? getPath(data, cond.path) : { found: false };
    if (!hit.found) reading.statusProblems.push(`${cond.path} missing (expected ${cond.value})`);
    else if (!sameValue(hit.value, cond.value)) reading.statusProblems.push(`${cond.path}=${JSON.stringify(hit.value)} (expected ${cond.value})`);
  }
  return reading;
}

/** Equal, or one is a prefix of the other and the shorter has at least 7 characters (case-insensitive). */
export function versionMatches(served: string | undefined, expected: string): boolean {
  if (served === undefined) return false;
  const a = served.trim().toLowerCase();
  const b = expected.trim().toLowerCase();
  if (a === b) return true;
  const shorter = a.length < b.length ? a : b;
  const longer = a.length < b.length ? b : a;
  return shorter.length >= 7 && longer.startsWith(shorter);
}

export interface WaitOptions {
  healthPath: string;
  expectVersion: string;
  versionField?: string;
  expectStatus: Array<{ path: string; value: string }>;
  timeoutMs: number;
  requestTimeoutMs: number;
  bypassSet: boolean;
  /** First delay between attempts, doubled each time up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export interface WaitResult {
  reached: boolean;
  attempts: number;
  waitedMs: number;
  versionServed?: string;
  /** Versions seen before the expected one (the old build still answering). */
  versionsSeen: string[];
  last?: HealthReading;
  /** Why the wait failed, one line. */
  reason?: string;
}

function describe(r: HealthReading, expected: string): string {
  if (r.status === 0) return r.error ?? 'no answer';
  if (r.status !== 200) return `HTTP ${r.status}`;
  if (r.version === undefined) return 'HTTP 200 without a version field';
  if (!versionMatches(r.version, expected)) return `HTTP 200 with version ${r.version}`;
  if (r.statusProblems.length) return `HTTP 200 with ${r.statusProblems.join(', ')}`;
  return 'HTTP 200';
}

export async function waitForVersion(prober: Prober, clock: Clock, logger: Logger, opts: WaitOptions): Promise<WaitResult> {
  const start = clock.now();
  const deadline = start + opts.timeoutMs;
  const initial = opts.initialDelayMs ?? 500;
  const maxDelay = opts.maxDelayMs ?? 5000;
  const seen: string[] = [];
  let attempts = 0;
  let last: HealthReading | undefined;
  let lastRaw: ProbeResult | undefined;
  for (;;) {
    attempts++;
    const remaining = deadline - clock.now();
    const timeoutMs = Math.max(100, Math.min(opts.requestTimeoutMs, remaining > 0 ? remaining : opts.requestTimeoutMs));
    lastRaw = await prober.request(opts.healthPath, { timeoutMs });
    last = readHealth(lastRaw, opts.versionField, opts.expectStatus);
    if (last.version !== undefined && !versionMatches(last.version, opts.expectVersion) && !seen.includes(last.version)) seen.push(last.version);
    const ok = last.status === 200 && versionMatches(last.version, opts.expectVersion) && last.statusProblems.length === 0;
    if (ok) {
      const waitedMs = clock.now() - start;
      logger.info(`health: version ${last.version} is serving (attempt ${attempts}, after ${formatDuration(waitedMs)})`);
      return { reached: true, attempts, waitedMs, versionServed: last.version, versionsSeen: seen, last };
    }
    const delay = Math.min(maxDelay, initial * 2 ** (attempts - 1));
    const now = clock.now();
    if (now >= deadline) break;
    logger.info(`health: attempt ${attempts}: ${describe(last, opts.expectVersion)}; waiting for ${opts.expectVersion} (next try in ${formatDuration(Math.min(delay, deadline - now))})`);
    await clock.sleep(Math.min(delay, Math.max(0, deadline - now)));
  }
  const waitedMs = clock.now() - start;
  const hint = lastRaw ? protectionHint(lastRaw, opts.bypassSet) : undefined;
  const reason =
    `the health endpoint never served version ${opts.expectVersion} within ${formatDuration(opts.timeoutMs)} ` +
    `(${attempts} attempts; last answer: ${describe(last!, opts.expectVersion)})${hint ? `; ${hint}` : ''}`;
  return { reached: false, attempts, waitedMs, versionServed: last?.version, versionsSeen: seen, last, reason };
}

/** Retry with exponential backoff and jitter that honours a server's Retry-After. */
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';

/** An error that says when the server wants to be asked again. */
export class RetryableError extends Error {
  override name = 'RetryableError';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Retry-After is either delay-seconds or an HTTP-date. Returns milliseconds, or undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const h = header.trim();
  if (/^\d+(\.\d+)?$/.test(h)) return Math.round(Number(h) * 1000);
  const date = Date.parse(h);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export interface RetryOptions {
  /** Total attempts, the first included. */
  attempts: number;
  baseMs?: number;
  maxMs?: number;
  /** Cap on a server-requested Retry-After (a hostile or broken header must not stall the run). */
  maxRetryAfterMs?: number;
  clock?: Clock;
  /** Whether this error is worth another attempt. Default: RetryableError only. */
  retryable?: (err: unknown) => boolean;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** Deterministic jitter for tests; default Math.random. */
  random?: () => number;
}

export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(exp / 2 + (random() * exp) / 2);
}

export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const clock = opts.clock ?? systemClock;
  const baseMs = opts.baseMs ?? 500;
  const maxMs = opts.maxMs ?? 30_000;
  const maxRetryAfter = opts.maxRetryAfterMs ?? 5 * 60_000;
  const retryable = opts.retryable ?? ((e) => e instanceof RetryableError);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= opts.attempts || !retryable(err)) throw err;
      const after = err instanceof RetryableError ? err.retryAfterMs : undefined;
      const delayMs = after !== undefined ? Math.min(after, maxRetryAfter) : backoffDelay(attempt, baseMs, maxMs, opts.random);
      opts.onRetry?.({ attempt, delayMs, error: err });
      await clock.sleep(delayMs);
    }
  }
}

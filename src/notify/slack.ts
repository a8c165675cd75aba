/**
 * Delivery to Slack, by incoming webhook or by the Web API (chat.postMessage once, then chat.update of that
 * same message, never a second post). 429 waits for Retry-After; 5xx and network errors are retried with
 * backoff; anything else fails at once. Every payload is scrubbed of registered secrets and checked with the
 * Masker before it leaves.
 */
import type { Clock } from '../lib/clock.js';
import { fetchWithTimeout, type HttpFetch } from '../lib/http.js';
import type { Masker } from '../lib/secrets.js';
import { RetryableError, parseRetryAfter, retry } from '../lib/retry.js';
import type { SlackTarget } from './inputs.js';
import type { SlackMessage } from './blocks.js';

export interface SlackDeps {
  http: HttpFetch;
  clock: Clock;
  masker: Masker;
  /** Total attempts per request (default 4). */
  attempts?: number;
  baseDelayMs?: number;
  onRetry?: (message: string) => void;
}

export interface SlackResult {
  method: 'webhook' | 'chat.postMessage' | 'chat.update';
  ts?: string;
  channel?: string;
  attempts: number;
}

export class SlackError extends Error {
  override name = 'SlackError';
}

/** Replaces every registered secret form in every string of a JSON value. */
export function scrubDeep<T>(value: T, masker: Masker): T {
  if (typeof value === 'string') return masker.redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, masker)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, masker);
    return out as T;
  }
  return value;
}

/** The JSON body to send: scrubbed, then proven clean; refuses to send anything that still carries a secret. */
export function safeBody(payload: unknown, masker: Masker): string {
  const body = JSON.stringify(scrubDeep(payload, masker));
  if (masker.leaks(body)) throw new SlackError('the payload still contains a secret after scrubbing; not sent');
  return body;
}

export async function sendSlack(target: SlackTarget, message: SlackMessage, deps: SlackDeps): Promise<SlackResult> {
  let attempts = 0;
  const call = async (url: string, body: string, headers: Record<string, string>, label: string): Promise<{ status: number; text: string }> =>
    retry(
      async () => {
        attempts++;
        let res: Response;
        try {
          res = await fetchWithTimeout(deps.http, url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body }, 15_000);
        } catch (err) {
          throw new RetryableError(`Slack ${label}: ${(err as Error).message}`);
        }
        const text = await res.text();
        if (res.status === 429) {
          throw new RetryableError(`Slack ${label}: 429 rate limited`, parseRetryAfter(res.headers.get('retry-after'), deps.clock.now()) ?? 1000, 429);
        }
        if (res.status >= 500) throw new RetryableError(`Slack ${label}: ${res.status} ${text.slice(0, 120)}`, undefined, res.status);
        return { status: res.status, text };
      },
      {
        attempts: deps.attempts ?? 4,
        baseMs: deps.baseDelayMs ?? 500,
        maxMs: 10_000,
        maxRetryAfterMs: 60_000,
        clock: deps.clock,
        onRetry: ({ attempt, delayMs, error }) => deps.onRetry?.(`${(error as Error).message}; retry ${attempt} in ${delayMs}ms`),
      },
    );

  if (target.kind === 'webhook') {
    const r = await call(target.url, safeBody(message, deps.masker), {}, 'webhook');
    if (r.status !== 200) throw new SlackError(`Slack webhook: ${r.status} ${r.text.slice(0, 120)}`);
    return { method: 'webhook', attempts };
  }

  const method = target.ts ? 'chat.update' : 'chat.postMessage';
  const payload = target.ts ? { channel: target.channel, ts: target.ts, ...message } : { channel: target.channel, ...message, unfurl_links: false };
  const r = await call(`${target.apiUrl}/${method}`, safeBody(payload, deps.masker), { authorization: `Bearer ${target.token}` }, method);
  let data: { ok?: boolean; error?: string; ts?: string; channel?: string };
  try {
    data = JSON.parse(r.text);
  } catch {
    throw new SlackError(`Slack ${method}: ${r.status} with a non-JSON answer`);
  }
  if (r.status !== 200 || !data.ok) throw new SlackError(`Slack ${method}: ${data.error ?? `HTTP ${r.status}`}`);
  return { method, ts: data.ts ?? target.ts, channel: data.channel ?? target.channel, attempts };
}

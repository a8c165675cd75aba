/**
 * The Vercel API through @vercel/sdk's standalone functions: one client factory (`VercelCore` with an
 * `HTTPClient` that can carry a `beforeRequest` hook) and one way to read a call's result.
 *
 * Reading results: a 2xx answer whose body does not match the SDK's closed schemas (a new `readyState`, a new
 * framework slug) arrives as `ResponseValidationError`; the call did succeed, so `resultValue` returns the raw
 * JSON body (`rawValue`) instead of failing. Every other failure becomes a `VercelApiError` that says whether
 * it is worth retrying and whether the request provably never reached the server.
 */
import { VercelCore } from '@vercel/sdk/core.js';
import { HTTPClient, type BeforeRequestHook, type Fetcher } from '@vercel/sdk/lib/http.js';
import { ResponseValidationError } from '@vercel/sdk/models/responsevalidationerror.js';
import { VercelError } from '@vercel/sdk/models/vercelerror.js';
import { parseRetryAfter } from './retry.js';

export const VERCEL_API_URL = 'https://api.vercel.com';

export interface VercelClientOptions {
  token: string;
  /** Base URL (default https://api.vercel.com); a loopback stand-in in tests. */
  serverURL?: string;
  fetcher?: Fetcher;
  beforeRequest?: BeforeRequestHook;
  /** Per-request timeout (default 60 s). */
  timeoutMs?: number;
}

export function createVercelCore(opts: VercelClientOptions): VercelCore {
  const httpClient = new HTTPClient(opts.fetcher ? { fetcher: opts.fetcher } : {});
  if (opts.beforeRequest) httpClient.addHook('beforeRequest', opts.beforeRequest);
  return new VercelCore({
    bearerToken: opts.token,
    serverURL: (opts.serverURL ?? VERCEL_API_URL).replace(/\/+$/, ''),
    httpClient,
    timeoutMs: opts.timeoutMs ?? 60_000,
    // Retries are the caller's, per operation (createDeployment must never be retried blindly).
    retryConfig: { strategy: 'none' },
  });
}

/** Network error codes that prove the request never reached a server (nothing can have been created). */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export class VercelApiError extends Error {
  override name = 'VercelApiError';
  constructor(
    message: string,
    readonly details: {
      operation: string;
      /** HTTP status; undefined for network errors and timeouts. */
      status?: number;
      /** `error.code` of Vercel's error envelope. */
      code?: string;
      /** The parsed error body (e.g. `missing` of missing_files). */
      body?: any;
      retryAfterMs?: number;
      /** No answer: connection failure, reset or timeout. */
      network: boolean;
      /** The connection was never established (refused, DNS), so the server cannot have acted on it. */
      neverSent: boolean;
    },
  ) {
    super(message);
  }
  get status(): number | undefined {
    return this.details.status;
  }
  get code(): string | undefined {
    return this.details.code;
  }
  /** 429, 5xx, or no answer. */
  get transient(): boolean {
    const s = this.details.status;
    return this.details.network || s === 429 || (s !== undefined && s >= 500);
  }
}

function causeCodes(err: unknown): string[] {
  const codes: string[] = [];
  let e: any = err;
  for (let i = 0; e && i < 6; i++, e = e.cause) if (typeof e.code === 'string') codes.push(e.code);
  return codes;
}

export function toVercelApiError(operation: string, err: unknown, now = Date.now()): VercelApiError {
  if (err instanceof VercelApiError) return err;
  if (err instanceof VercelError && !(err instanceof ResponseValidationError)) {
    let body: any;
    try {
      body = err.body ? JSON.parse(err.body) : undefined;
    } catch {
      body = undefined;
    }
    const envelope = body?.error ?? body;
    const code = typeof envelope?.code === 'string' ? envelope.code : undefined;
    const text = typeof envelope?.message === 'string' ? envelope.message : (err.body ?? '').slice(0, 200);
    return new VercelApiError(`Vercel API ${operation}: ${err.statusCode}${code ? ` ${code}` : ''}${text ? `: ${text}` : ''}`, {
      operation,
      status: err.statusCode,
      code,
      body: envelope,
      retryAfterMs: parseRetryAfter(err.headers.get('retry-after'), now),
      network: false,
      neverSent: false,
    });
  }
  const name = (err as Error)?.name ?? '';
  const codes = causeCodes(err);
  // Node's fetch fails with TypeError('fetch failed', { cause: <socket error> }), which the SDK does not
  // recognise as a connection error and wraps as UnexpectedClientError.
  const fetchFailed = /fetch failed/i.test(String((err as any)?.cause?.message ?? (err as Error)?.message ?? ''));
  const network = ['ConnectionError', 'RequestTimeoutError', 'RequestAbortedError', 'TypeError', 'AbortError'].includes(name) || fetchFailed || codes.length > 0;
  const neverSent = codes.some((c) => NEVER_SENT.has(c));
  const message = (err as Error)?.message ?? String(err);
  return new VercelApiError(`Vercel API ${operation}: ${message}`, { operation, network, neverSent });
}

type SdkResult<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * The value of a call: the validated body, or — when only the SDK's response validation failed on a 2xx —
 * the raw JSON body. Throws VercelApiError for everything else.
 */
export function resultValue<T>(operation: string, result: SdkResult<T>, now?: number): T | Record<string, unknown> {
  if (result.ok) return result.value;
  if (result.error instanceof ResponseValidationError) return (result.error.rawValue ?? {}) as Record<string, unknown>;
  throw toVercelApiError(operation, result.error, now);
}

/** True when a validated or raw body only failed the SDK's schema (tests and logs use it). */
export function isSchemaDrift(result: SdkResult<unknown>): boolean {
  return !result.ok && result.error instanceof ResponseValidationError;
}

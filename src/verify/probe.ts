/**
 * One HTTP request against the deployment, timed through the injected clock, with a per-request timeout.
 * The protection-bypass secret is sent only to the deployment's own origin, and redirects are not followed
 * (a 302 to vercel.com/sso-api is reported, and the secret never travels to another host).
 */
import type { Clock } from '../lib/clock.js';
import { fetchWithTimeout, HttpTimeoutError, type HttpFetch } from '../lib/http.js';
import { errorMessage } from '../lib/errors.js';

export interface ProbeRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  contentType?: string;
  timeoutMs?: number;
}

export interface ProbeResult {
  /** 0 when there was no answer (network error or timeout). */
  status: number;
  ms: number;
  text: string;
  error?: string;
  timedOut?: boolean;
  location?: string;
}

const BODY_LIMIT = 1024 * 1024;

export class Prober {
  private readonly origin: string;
  constructor(
    private readonly http: HttpFetch,
    private readonly clock: Clock,
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
    private readonly bypass?: string,
  ) {
    this.origin = new URL(baseUrl).origin;
  }

  resolve(pathOrUrl: string): string {
    return /^https?:\/\//i.test(pathOrUrl) ? pathOrUrl : `${this.baseUrl}${pathOrUrl}`;
  }

  /** Headers that go with a request to `url`: the bypass pair only for the deployment's origin. */
  headersFor(url: string): Record<string, string> {
    if (!this.bypass || new URL(url).origin !== this.origin) return {};
    return { 'x-vercel-protection-bypass': this.bypass, 'x-vercel-set-bypass-cookie': 'true' };
  }

  async request(pathOrUrl: string, req: ProbeRequest = {}): Promise<ProbeResult> {
    const url = this.resolve(pathOrUrl);
    const headers: Record<string, string> = { 'user-agent': 'shipgate-verify', 'cache-control': 'no-cache', ...(req.headers ?? {}), ...this.headersFor(url) };
    if (req.body !== undefined && req.contentType && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = req.contentType;
    const started = this.clock.now();
    try {
      const res = await fetchWithTimeout(this.http, url, { method: req.method ?? 'GET', headers, body: req.body, redirect: 'manual' }, req.timeoutMs ?? this.timeoutMs);
      let text = await res.text();
      if (text.length > BODY_LIMIT) text = text.slice(0, BODY_LIMIT);
      return { status: res.status, ms: this.clock.now() - started, text, location: res.headers.get('location') ?? undefined };
    } catch (err) {
      const timedOut = err instanceof HttpTimeoutError;
      const cause = (err as { cause?: unknown }).cause;
      const detail = cause ? `${errorMessage(err)} (${errorMessage(cause)})` : errorMessage(err);
      return { status: 0, ms: this.clock.now() - started, text: '', error: timedOut ? `no answer within ${req.timeoutMs ?? this.timeoutMs}ms` : detail, timedOut };
    }
  }
}

/** Why a protected deployment refused us, as a hint for the user; undefined when the answer does not look like protection. */
export function protectionHint(result: ProbeResult, bypassSet: boolean): string | undefined {
  const sso = result.status >= 300 && result.status < 400 && /vercel\.com\/sso|_vercel_sso/i.test(result.location ?? '');
  if (result.status === 401 || result.status === 403 || sso) {
    return bypassSet
      ? 'the deployment refused the protection-bypass secret (is it the project\'s current automation bypass secret?)'
      : 'the deployment looks protected (Vercel Deployment Protection): set protection-bypass to the automation bypass secret';
  }
  return undefined;
}

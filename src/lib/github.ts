/**
 * The GitHub REST API as a small port: `request(method, path, body)` over an injected fetch, with the run's
 * API URL (GITHUB_API_URL), retries on 5xx, 429 and secondary rate limits (honouring Retry-After), and
 * errors that say which permission is missing.
 */
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import type { HttpFetch } from './http.js';
import { RetryableError, parseRetryAfter, retry } from './retry.js';

export interface GitHubResponse<T = any> {
  status: number;
  data: T;
  headers: Headers;
}

export interface GitHubApi {
  request<T = any>(method: string, path: string, body?: unknown): Promise<GitHubResponse<T>>;
}

export class GitHubApiError extends Error {
  override name = 'GitHubApiError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export function createGitHubApi(opts: { token: string; apiUrl: string; http: HttpFetch; clock?: Clock; attempts?: number }): GitHubApi {
  const base = opts.apiUrl.replace(/\/$/, '');
  const clock = opts.clock ?? systemClock;
  return {
    async request<T>(method: string, path: string, body?: unknown): Promise<GitHubResponse<T>> {
      return retry(
        async () => {
          let res: Response;
          try {
            res = await opts.http(`${base}${path}`, {
              method,
              headers: {
                authorization: `Bearer ${opts.token}`,
                accept: 'application/vnd.github+json',
                'x-github-api-version': '2022-11-28',
                'user-agent': 'shipgate',
                ...(body === undefined ? {} : { 'content-type': 'application/json' }),
              },
              body: body === undefined ? undefined : JSON.stringify(body),
            });
          } catch (err) {
            throw new RetryableError(`GitHub API ${method} ${path}: ${(err as Error).message}`);
          }
          const text = await res.text();
          let data: any = text;
          try {
            data = text ? JSON.parse(text) : undefined;
          } catch {
            /* keep text */
          }
          if (res.ok) return { status: res.status, data: data as T, headers: res.headers };
          const message = typeof data === 'object' && data?.message ? String(data.message) : text.slice(0, 200);
          const retryAfter = parseRetryAfter(res.headers.get('retry-after'), clock.now());
          const secondary = res.status === 403 && (retryAfter !== undefined || /secondary rate limit/i.test(message));
          if (res.status >= 500 || res.status === 429 || secondary) {
            throw new RetryableError(`GitHub API ${method} ${path}: ${res.status} ${message}`, retryAfter, res.status);
          }
          const hint = res.status === 403 && /not accessible by integration/i.test(message) ? ' (the workflow token lacks a permission this call needs; grant it in the job\'s permissions)' : '';
          throw new GitHubApiError(`GitHub API ${method} ${path}: ${res.status} ${message}${hint}`, res.status);
        },
        { attempts: opts.attempts ?? 4, baseMs: 1000, maxMs: 20_000, clock },
      );
    },
  };
}

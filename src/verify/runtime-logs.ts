/**
 * Error-level runtime log lines of the deployment during the verify window, from Vercel's runtime logs API
 * (`GET /v1/projects/{projectId}/deployments/{deploymentId}/runtime-logs`, application/stream+json).
 *
 * Not through @vercel/sdk's `logsGetRuntimeLogs`: in 1.28.35 it JSON.parses the whole NDJSON stream as one
 * document and throws a SyntaxError as soon as the API sends more than one line (checked against a loopback
 * server). So this reads the same endpoint with fetch and parses one JSON object per line. The project id,
 * when not given, comes from `GET /v13/deployments/{id}`.
 */
import type { Clock } from '../lib/clock.js';
import { fetchWithTimeout, type HttpFetch } from '../lib/http.js';
import { RetryableError, parseRetryAfter, retry } from '../lib/retry.js';

export interface RuntimeLogsConfig {
  token: string;
  deploymentId: string;
  teamId?: string;
  projectId?: string;
  apiUrl: string;
}

export interface RuntimeLogCount {
  /** Error- or fatal-level lines inside the window. */
  errors: number;
  /** Lines read inside the window. */
  lines: number;
  /** Up to three sample messages of the errors (truncated). */
  samples: string[];
}

export async function countRuntimeErrors(http: HttpFetch, clock: Clock, cfg: RuntimeLogsConfig, window: { from: number; to: number }, timeoutMs = 15_000): Promise<RuntimeLogCount> {
  const q = cfg.teamId ? `?teamId=${encodeURIComponent(cfg.teamId)}` : '';
  const get = (path: string, accept: string): Promise<string> =>
    retry(
      async () => {
        const res = await fetchWithTimeout(http, `${cfg.apiUrl}${path}${q}`, { headers: { authorization: `Bearer ${cfg.token}`, accept } }, timeoutMs).catch((err: unknown) => {
          throw new RetryableError(`Vercel API ${path}: ${(err as Error).message}`);
        });
        const text = await res.text();
        if (res.ok) return text;
        let message = text.slice(0, 200);
        try {
          message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
        } catch {
          /* keep text */
        }
        const err = `Vercel API GET ${path}: ${res.status} ${message}`;
        if (res.status === 429 || res.status >= 500) throw new RetryableError(err, parseRetryAfter(res.headers.get('retry-after'), clock.now()), res.status);
        throw new Error(err);
      },
      { attempts: 3, baseMs: 1000, maxMs: 5000, maxRetryAfterMs: 30_000, clock },
    );

  let projectId = cfg.projectId;
  if (!projectId) {
    const d = JSON.parse(await get(`/v13/deployments/${encodeURIComponent(cfg.deploymentId)}`, 'application/json')) as { projectId?: string };
    if (!d.projectId) throw new Error(`Vercel deployment ${cfg.deploymentId} has no projectId; set vercel-project-id`);
    projectId = d.projectId;
  }
  const text = await get(`/v1/projects/${encodeURIComponent(projectId)}/deployments/${encodeURIComponent(cfg.deploymentId)}/runtime-logs`, 'application/stream+json');
  const result: RuntimeLogCount = { errors: 0, lines: 0, samples: [] };
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let row: { level?: string; timestampInMs?: number; message?: string; requestPath?: string; responseStatusCode?: number };
    try {
      row = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof row.timestampInMs === 'number' && (row.timestampInMs < window.from || row.timestampInMs > window.to)) continue;
    result.lines++;
    if (row.level === 'error' || row.level === 'fatal') {
      result.errors++;
      if (result.samples.length < 3) result.samples.push(`${row.requestPath ?? ''} ${String(row.message ?? '').slice(0, 160)}`.trim());
    }
  }
  return result;
}

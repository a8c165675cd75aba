/**
 * Latency samples of the health endpoint and the HTTP checks, run together through one pool of at most
 * `concurrency` requests in flight; p50, p95, max and the error rate of the samples.
 */
import { getPath, sameValue, type HttpCheck } from './checks.js';
import { readHealth, versionMatches } from './health.js';
import type { Prober, ProbeResult } from './probe.js';

/** Runs fn over items with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}

/** Nearest-rank percentile (p in 0..1) of unsorted values; undefined for none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export interface SampleStats {
  count: number;
  errors: number;
  /** Samples answered 200 by a version other than the expected one (traffic still reaching the old build). */
  staleVersion: number;
  errorRate: number;
  p50Ms?: number;
  p95Ms?: number;
  maxMs?: number;
  /** Up to five distinct error descriptions. */
  errorKinds: string[];
}

export interface CheckResult {
  name: string;
  kind: 'http' | 'sql' | 'smoke' | 'runtime-logs' | 'latency';
  ok: boolean;
  status?: number;
  ms?: number;
  detail: string;
}

export function evaluateCheck(check: HttpCheck, r: ProbeResult): CheckResult {
  const base = { name: check.name, kind: 'http' as const, status: r.status || undefined, ms: r.ms };
  if (r.status === 0) return { ...base, ok: false, detail: r.error ?? 'no answer' };
  const problems: string[] = [];
  const statusOk = check.status ? check.status.includes(r.status) : r.status >= 200 && r.status < 300;
  if (!statusOk) problems.push(`status ${r.status}, expected ${check.status ? check.status.join(' or ') : '2xx'}`);
  if (check.contains !== undefined && !r.text.includes(check.contains)) problems.push(`body lacks ${JSON.stringify(check.contains)}`);
  if (check.json) {
    let data: unknown;
    try {
      data = JSON.parse(r.text);
    } catch {
      problems.push('body is not JSON');
    }
    if (data !== undefined) {
      for (const [path, expected] of Object.entries(check.json)) {
        const hit = getPath(data, path);
        if (!hit.found) problems.push(`${path} missing`);
        else if (!sameValue(hit.value, expected)) problems.push(`${path}=${JSON.stringify(hit.value)}, expected ${JSON.stringify(expected)}`);
      }
    }
  }
  if (check.maxMs !== undefined && r.ms > check.maxMs) problems.push(`took ${r.ms}ms, limit ${check.maxMs}ms`);
  return { ...base, ok: problems.length === 0, detail: problems.length ? problems.join('; ') : `${r.status} in ${r.ms}ms` };
}

export interface LoadOptions {
  healthPath: string;
  samples: number;
  concurrency: number;
  expectVersion: string;
  versionField?: string;
}

export async function runSamplesAndChecks(prober: Prober, checks: readonly HttpCheck[], opts: LoadOptions): Promise<{ stats: SampleStats; checks: CheckResult[] }> {
  type Task = { kind: 'sample' } | { kind: 'check'; check: HttpCheck };
  const tasks: Task[] = [];
  // Interleave checks among the samples so they see the same load.
  const every = checks.length ? Math.max(1, Math.floor(opts.samples / checks.length)) : 0;
  let ci = 0;
  for (let i = 0; i < opts.samples; i++) {
    tasks.push({ kind: 'sample' });
    if (every && (i + 1) % every === 0 && ci < checks.length) tasks.push({ kind: 'check', check: checks[ci++]! });
  }
  while (ci < checks.length) tasks.push({ kind: 'check', check: checks[ci++]! });

  const latencies: number[] = [];
  const kinds = new Map<string, number>();
  let errors = 0;
  let stale = 0;
  const results = await mapLimit(tasks, opts.concurrency, async (task) => {
    if (task.kind === 'check') {
      const c = task.check;
      return evaluateCheck(c, await prober.request(c.path, { method: c.method, headers: c.headers, body: c.body, contentType: c.contentType }));
    }
    const r = await prober.request(opts.healthPath);
    latencies.push(r.ms);
    let kind: string | undefined;
    if (r.status === 0) kind = r.timedOut ? 'timeout' : (r.error ?? 'network error');
    else if (r.status < 200 || r.status >= 300) kind = `HTTP ${r.status}`;
    else {
      const reading = readHealth(r, opts.versionField, []);
      if (reading.version !== undefined && !versionMatches(reading.version, opts.expectVersion)) {
        stale++;
        kind = `old version ${reading.version}`;
      }
    }
    if (kind) {
      errors++;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    return undefined;
  });
  const count = opts.samples;
  const stats: SampleStats = {
    count,
    errors,
    staleVersion: stale,
    errorRate: count ? errors / count : 0,
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    maxMs: latencies.length ? Math.max(...latencies) : undefined,
    errorKinds: [...kinds.entries()].slice(0, 5).map(([k, n]) => `${k} ×${n}`),
  };
  return { stats, checks: results.filter((r): r is CheckResult => r !== undefined) };
}

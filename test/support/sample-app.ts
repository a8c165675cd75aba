/**
 * A local stand-in for the deployed web app that verify checks (reusable by the end-to-end test and the demo).
 *
 * - `GET <healthPath>` (default `/api/health`) answers `{ status, version, gitSha, build: { sha } }` with the
 *   version currently served; `setVersion(v)` switches builds, `switchVersionAfter(ms, v)` does it later.
 * - `setErrorRate(r)`: exactly `r` of the health requests answer 500, spread evenly and deterministically
 *   (request k fails when floor((k+1)·r) > floor(k·r)), so 3 % of 100 samples is 3 failures, not "about 3".
 * - `setLatency(ms)`: every answer is delayed by `ms` (or by `ms(k)` for request k).
 * - `requireBypass(secret)`: like a Vercel-protected deployment, anything without
 *   `x-vercel-protection-bypass: <secret>` answers 401 (`redirectUnauthorised` for the 302 to vercel.com/sso-api).
 * - `GET /` serves HTML naming the version; `GET /api/items` serves JSON; `POST /api/echo` echoes the JSON body.
 * - Every request is recorded (`app.stub.requests`).
 */
import { startStub, type Stub, type StubRequest, type StubResponse } from './http-stub.js';

export interface SampleAppOptions {
  version: string;
  healthPath?: string;
  status?: string;
  errorRate?: number;
  latencyMs?: number | ((k: number) => number);
  bypassSecret?: string;
  /** Answer unauthorised requests with a 302 to vercel.com/sso-api instead of 401. */
  redirectUnauthorised?: boolean;
  /** Shape of the health body: 'version' (default) | 'gitSha' | 'commit' | 'build.sha' | 'text'. */
  versionShape?: 'version' | 'gitSha' | 'commit' | 'build.sha' | 'text';
}

export interface SampleApp {
  url: string;
  stub: Stub;
  readonly version: string;
  setVersion(version: string): void;
  /** Serve `version` from `ms` milliseconds from now. */
  switchVersionAfter(ms: number, version: string): void;
  setStatus(status: string): void;
  setErrorRate(rate: number): void;
  setLatency(ms: number | ((k: number) => number)): void;
  requireBypass(secret: string | undefined, opts?: { redirect?: boolean }): void;
  /** Health requests answered so far (the k used by error injection). */
  readonly healthRequests: number;
  /** Health requests answered with an injected 500. */
  readonly injectedErrors: number;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function startSampleApp(options: SampleAppOptions): Promise<SampleApp> {
  const stub = await startStub('sample-app');
  const healthPath = options.healthPath ?? '/api/health';
  let version = options.version;
  let status = options.status ?? 'healthy';
  let errorRate = options.errorRate ?? 0;
  let errorCounter = 0;
  let latency: number | ((k: number) => number) = options.latencyMs ?? 0;
  let bypass = options.bypassSecret;
  let redirect = options.redirectUnauthorised ?? false;
  let healthRequests = 0;
  let injectedErrors = 0;
  let requestCount = 0;
  const timers = new Set<NodeJS.Timeout>();
  const shape = options.versionShape ?? 'version';

  stub.before(async (req: StubRequest): Promise<StubResponse | undefined> => {
    const k = requestCount++;
    const delay = typeof latency === 'function' ? latency(k) : latency;
    if (delay > 0) await sleep(delay);
    if (bypass !== undefined && req.headers['x-vercel-protection-bypass'] !== bypass) {
      if (redirect) return { status: 302, headers: { location: `https://vercel.com/sso-api?url=${encodeURIComponent(stub.url + req.path)}` }, body: '' };
      return { status: 401, headers: { 'content-type': 'text/html' }, body: '<html><body>Authentication Required</body></html>' };
    }
    return undefined;
  });

  const healthBody = (): unknown => {
    switch (shape) {
      case 'gitSha':
        return { status, gitSha: version };
      case 'commit':
        return { status, commit: version };
      case 'build.sha':
        return { status, build: { sha: version, time: '2026-11-22T00:00:00Z' } };
      case 'text':
        return version;
      default:
        return { status, version, uptime: 1 };
    }
  };

  stub.route('GET', healthPath, () => {
    const k = errorCounter++;
    healthRequests++;
    if (errorRate > 0 && Math.floor((k + 1) * errorRate) > Math.floor(k * errorRate)) {
      injectedErrors++;
      return { status: 500, body: { error: 'injected failure' } };
    }
    return { status: 200, body: healthBody() };
  });
  stub.route('GET', '/', () => ({ status: 200, headers: { 'content-type': 'text/html' }, body: `<html><body><h1>Shop</h1><p>build ${version}</p></body></html>` }));
  stub.route('GET', '/api/items', () => ({ status: 200, body: { items: [{ id: 1, name: 'widget' }, { id: 2, name: 'gadget' }], count: 2, version } }));
  stub.route('POST', '/api/echo', (req) => ({ status: 200, body: { received: req.body ?? null } }));

  return {
    url: stub.url,
    stub,
    get version() {
      return version;
    },
    setVersion(v) {
      version = v;
    },
    switchVersionAfter(ms, v) {
      const t = setTimeout(() => {
        timers.delete(t);
        version = v;
      }, ms);
      timers.add(t);
    },
    setStatus(s) {
      status = s;
    },
    setErrorRate(rate) {
      errorRate = rate;
      errorCounter = 0;
    },
    setLatency(ms) {
      latency = ms;
    },
    requireBypass(secret, opts) {
      bypass = secret;
      redirect = opts?.redirect ?? false;
    },
    get healthRequests() {
      return healthRequests;
    },
    get injectedErrors() {
      return injectedErrors;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await stub.close();
    },
  };
}

/** Verify's logic, tested directly: health reading and version matching, waiting with backoff on a ManualClock, the pool, the decision matrix. */
import { ManualClock } from '../../src/lib/clock.js';
import { RecordingLogger } from '../../src/lib/logger.js';
import { nodeFetch, type HttpFetch } from '../../src/lib/http.js';
import { decide, type DecisionInput } from '../../src/verify/decide.js';
import { readHealth, versionMatches, waitForVersion } from '../../src/verify/health.js';
import { mapLimit, percentile, runSamplesAndChecks, evaluateCheck } from '../../src/verify/load.js';
import { Prober, type ProbeResult } from '../../src/verify/probe.js';
import type { Thresholds } from '../../src/verify/inputs.js';
import { startSampleApp, type SampleApp } from '../support/sample-app.js';

const NEW = '0123456789abcdef0123456789abcdef01234567';
const OLD = 'fedcba9876543210fedcba9876543210fedcba98';

const probe = (status: number, body: unknown): ProbeResult => ({ status, ms: 1, text: typeof body === 'string' ? body : JSON.stringify(body) });

describe('version matching and health reading', () => {
  it('matches equal versions and prefixes of at least 7 characters, nothing shorter', () => {
    expect(versionMatches(NEW, NEW)).toBe(true);
    expect(versionMatches(NEW.slice(0, 7), NEW)).toBe(true);
    expect(versionMatches(NEW, NEW.slice(0, 12).toUpperCase())).toBe(true);
    expect(versionMatches(NEW.slice(0, 6), NEW)).toBe(false);
    expect(versionMatches(OLD, NEW)).toBe(false);
    expect(versionMatches(undefined, NEW)).toBe(false);
    expect(versionMatches('v1.2.3', 'v1.2.30')).toBe(false);
  });

  it('takes the first of version, gitSha, commit, build.sha, or the given dotted field', () => {
    expect(readHealth(probe(200, { gitSha: 'a', commit: 'b' }), undefined, []).version).toBe('a');
    expect(readHealth(probe(200, { commit: 'b', build: { sha: 'c' } }), undefined, []).field).toBe('commit');
    expect(readHealth(probe(200, { build: { sha: 'c' } }), undefined, []).version).toBe('c');
    expect(readHealth(probe(200, { meta: { rev: 'd' }, version: 'x' }), 'meta.rev', []).version).toBe('d');
    expect(readHealth(probe(200, { version: { nested: 1 } }), undefined, []).version).toBeUndefined();
    expect(readHealth(probe(200, 'abc1234\n'), undefined, []).version).toBe('abc1234');
  });

  it('checks expect-status conditions against the health JSON', () => {
    expect(readHealth(probe(200, { status: 'healthy' }), undefined, [{ path: 'status', value: 'healthy' }]).statusProblems).toEqual([]);
    expect(readHealth(probe(200, { status: 'degraded' }), undefined, [{ path: 'status', value: 'healthy' }]).statusProblems).toEqual(['status="degraded" (expected healthy)']);
    expect(readHealth(probe(200, {}), undefined, [{ path: 'db.ok', value: 'true' }]).statusProblems).toEqual(['db.ok missing (expected true)']);
  });
});

describe('waitForVersion', () => {
  let app: SampleApp;
  beforeEach(async () => {
    app = await startSampleApp({ version: OLD });
  });
  afterEach(() => app.close());

  const opts = { healthPath: '/api/health', expectVersion: NEW, expectStatus: [], timeoutMs: 60_000, requestTimeoutMs: 2000, bypassSet: false };

  it('keeps waiting while the old build answers 200, with doubling delays, and passes once the new one serves', async () => {
    const clock = new ManualClock();
    let calls = 0;
    // The new build starts serving on the fourth health request.
    const http: HttpFetch = async (url, init) => {
      if (++calls === 4) app.setVersion(NEW);
      return nodeFetch(url, init);
    };
    const logger = new RecordingLogger();
    const r = await waitForVersion(new Prober(http, clock, app.url, 2000), clock, logger, opts);
    expect(r.reached).toBe(true);
    expect(r.attempts).toBe(4);
    expect(r.versionServed).toBe(NEW);
    expect(r.versionsSeen).toEqual([OLD]);
    expect(clock.sleeps).toEqual([500, 1000, 2000]);
    expect(logger.text()).toContain(`HTTP 200 with version ${OLD}`);
  });

  it('gives up at the deadline with the last answer as the reason, never passing the old build', async () => {
    const clock = new ManualClock();
    const r = await waitForVersion(new Prober(nodeFetch, clock, app.url, 2000), clock, new RecordingLogger(), { ...opts, timeoutMs: 20_000 });
    expect(r.reached).toBe(false);
    // 500+1000+2000+4000+5000+5000 = 17.5 s, then 2.5 s to the deadline: 8 attempts in all.
    expect(clock.sleeps).toEqual([500, 1000, 2000, 4000, 5000, 5000, 2500]);
    expect(r.attempts).toBe(8);
    expect(r.waitedMs).toBe(20_000);
    expect(r.reason).toMatch(new RegExp(`never served version ${NEW} within 20.0s .*last answer: HTTP 200 with version ${OLD}`));
  });

  it('says when the deployment looks protected', async () => {
    app.setVersion(NEW);
    app.requireBypass('s3cret-bypass-value');
    const clock = new ManualClock();
    const r = await waitForVersion(new Prober(nodeFetch, clock, app.url, 2000), clock, new RecordingLogger(), { ...opts, timeoutMs: 1000 });
    expect(r.reached).toBe(false);
    expect(r.reason).toMatch(/HTTP 401.*set protection-bypass/);
    const r2 = await waitForVersion(new Prober(nodeFetch, clock, app.url, 2000, 's3cret-bypass-value'), clock, new RecordingLogger(), { ...opts, bypassSet: true });
    expect(r2.reached).toBe(true);
    const sent = app.stub.requests.at(-1)!.headers;
    expect(sent['x-vercel-protection-bypass']).toBe('s3cret-bypass-value');
    expect(sent['x-vercel-set-bypass-cookie']).toBe('true');
  });

  it('does not follow a redirect to Vercel\'s SSO and says why', async () => {
    app.setVersion(NEW);
    app.requireBypass('another-secret', { redirect: true });
    const clock = new ManualClock();
    const r = await waitForVersion(new Prober(nodeFetch, clock, app.url, 2000), clock, new RecordingLogger(), { ...opts, timeoutMs: 600 });
    expect(r.reached).toBe(false);
    expect(r.last?.status).toBe(302);
    expect(r.reason).toMatch(/last answer: HTTP 302\); the deployment looks protected/);
  });

  it('times out a hanging request and keeps trying', async () => {
    app.setVersion(NEW);
    app.setLatency((k) => (k === 0 ? 1500 : 0));
    const clock = new ManualClock();
    const logger = new RecordingLogger();
    const r = await waitForVersion(new Prober(nodeFetch, clock, app.url, 300), clock, logger, { ...opts, requestTimeoutMs: 300 });
    expect(r.reached).toBe(true);
    expect(r.attempts).toBe(2);
    expect(logger.text()).toMatch(/no answer within 300ms/);
  });
});

describe('the request pool and statistics', () => {
  it('never has more than `limit` tasks in flight and keeps result order', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapLimit([...Array(25).keys()], 4, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 2 + (n % 3)));
      inFlight--;
      return n * 2;
    });
    expect(peak).toBe(4);
    expect(out).toEqual([...Array(25).keys()].map((n) => n * 2));
  });

  it('computes nearest-rank percentiles', () => {
    const v = [...Array(100).keys()].map((i) => i + 1).reverse();
    expect(percentile(v, 0.5)).toBe(50);
    expect(percentile(v, 0.95)).toBe(95);
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile([], 0.5)).toBeUndefined();
  });

  it('samples the health endpoint and runs checks through the same pool, counting errors exactly', async () => {
    const app = await startSampleApp({ version: NEW, errorRate: 0.1 });
    try {
      const clock = new ManualClock();
      const checks = [
        { name: 'home', method: 'GET', path: '/', headers: {}, contains: 'Shop' },
        { name: 'items', method: 'GET', path: '/api/items', headers: {}, json: { 'items.1.name': 'gadget', count: 2 } },
        { name: 'wrong', method: 'GET', path: '/api/items', headers: {}, json: { count: 3 } },
        { name: 'missing', method: 'GET', path: '/nope', headers: {}, status: [200] },
      ];
      const r = await runSamplesAndChecks(new Prober(nodeFetch, clock, app.url, 2000), checks, { healthPath: '/api/health', samples: 50, concurrency: 5, expectVersion: NEW });
      expect(r.stats.count).toBe(50);
      expect(r.stats.errors).toBe(5);
      expect(r.stats.errorRate).toBeCloseTo(0.1);
      expect(r.stats.errorKinds).toEqual(['HTTP 500 ×5']);
      expect(app.healthRequests).toBe(50);
      expect(r.checks.map((c) => [c.name, c.ok])).toEqual([
        ['home', true],
        ['items', true],
        ['wrong', false],
        ['missing', false],
      ]);
      expect(r.checks[2]!.detail).toBe('count=2, expected 3');
      expect(r.checks[3]!.detail).toMatch(/status 404, expected 200/);
    } finally {
      await app.close();
    }
  });

  it('counts samples served by the old build as errors', async () => {
    const app = await startSampleApp({ version: OLD });
    try {
      const r = await runSamplesAndChecks(new Prober(nodeFetch, new ManualClock(), app.url, 2000), [], { healthPath: '/api/health', samples: 10, concurrency: 3, expectVersion: NEW });
      expect(r.stats.staleVersion).toBe(10);
      expect(r.stats.errorRate).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('enforces a check\'s max-ms', () => {
    const c = evaluateCheck({ name: 'slow', method: 'GET', path: '/', headers: {}, maxMs: 100 }, { status: 200, ms: 250, text: '' });
    expect(c.ok).toBe(false);
    expect(c.detail).toBe('took 250ms, limit 100ms');
  });
});

describe('decision matrix', () => {
  const thresholds: Thresholds = { maxErrorRate: 0.01, rollbackErrorRate: 0.05, rollbackFullErrorRate: 0.1, maxP95Ms: 1000, rollbackP95Factor: 2, maxRuntimeErrors: 0 };
  const stats = (errorRate: number, p95Ms = 100) => ({ count: 1000, errors: Math.round(errorRate * 1000), staleVersion: 0, errorRate, p50Ms: 50, p95Ms, maxMs: p95Ms, errorKinds: [] });
  const base = (over: Partial<DecisionInput> = {}): DecisionInput => ({ reached: true, checks: [], thresholds, migrationsApplied: 0, stats: stats(0), ...over });

  it.each([
    [0, 0, 'ok'],
    [0.009, 0, 'ok'],
    [0.01, 0, 'monitor'],
    [0.03, 0, 'monitor'],
    [0.049, 3, 'monitor'],
    [0.05, 0, 'rollback-app'],
    [0.1, 3, 'rollback-app'],
    [0.12, 0, 'rollback-app'],
    [0.12, 2, 'rollback-full'],
  ])('error rate %p with %p migrations applied -> %s', (rate, migrations, expected) => {
    expect(decide(base({ stats: stats(rate), migrationsApplied: migrations })).decision).toBe(expected);
  });

  it.each([
    [1000, 'ok'],
    [1001, 'monitor'],
    [2000, 'monitor'],
    [2001, 'rollback-app'],
  ])('p95 %pms with a 1000ms limit -> %s', (p95, expected) => {
    const r = decide(base({ stats: stats(0, p95) }));
    expect(r.decision).toBe(expected);
    if (expected !== 'ok') expect(r.reasons[0]).toMatch(new RegExp(`p95 ${p95}ms above`));
  });

  it('health never reaching the new version: rollback-full only when migrations were applied', () => {
    expect(decide(base({ reached: false, waitReason: 'never', stats: undefined, migrationsApplied: 1 }))).toEqual({
      decision: 'rollback-full',
      reasons: ['never (1 migration(s) applied in this run)'],
    });
    expect(decide(base({ reached: false, waitReason: 'never', stats: undefined })).decision).toBe('rollback-app');
  });

  it('a failed SQL check is rollback-full with migrations, a failed HTTP check or smoke is rollback-app, runtime errors are monitor', () => {
    const sql = { name: 'rows', kind: 'sql' as const, ok: false, detail: 'got 0, expected 1' };
    expect(decide(base({ checks: [sql], migrationsApplied: 2 })).decision).toBe('rollback-full');
    expect(decide(base({ checks: [sql] })).decision).toBe('rollback-app');
    expect(decide(base({ checks: [{ name: 'smoke command', kind: 'smoke', ok: false, detail: 'exit 1' }], migrationsApplied: 2 })).decision).toBe('rollback-app');
    expect(decide(base({ runtimeErrors: 2 })).decision).toBe('monitor');
    expect(decide(base({ runtimeErrors: 2, thresholds: { ...thresholds, maxRuntimeErrors: 5 } })).decision).toBe('ok');
  });

  it('the thresholds are overridable', () => {
    const loose = { ...thresholds, maxErrorRate: 0.05, rollbackErrorRate: 0.2, rollbackFullErrorRate: 0.3 };
    expect(decide(base({ stats: stats(0.03), thresholds: loose })).decision).toBe('ok');
    expect(decide(base({ stats: stats(0.12), thresholds: loose, migrationsApplied: 1 })).decision).toBe('monitor');
  });

  it('keeps every reason, most severe first', () => {
    const r = decide(base({ stats: stats(0.02, 2500), runtimeErrors: 1 }));
    expect(r.decision).toBe('rollback-app');
    expect(r.reasons).toHaveLength(3);
    expect(r.reasons[0]).toMatch(/^p95 2500ms above 2× the 1000ms limit/);
  });
});

/**
 * Acceptance of the verify stage through the built bundle (dist/verify/index.js run as the runner does)
 * against the local sample app: waiting out an old build, the decision matrix with injected errors and
 * latency, protection bypass without leaking the secret, and the smoke command.
 */
import { errorLines, githubContext, leakedForms, runStageBundle, visibleLines } from '../support/bundle.js';
import { startSampleApp, type SampleApp } from '../support/sample-app.js';

const SHA = githubContext().GITHUB_SHA!;
const OLD = 'fedcba9876543210fedcba9876543210fedcba98';

describe('verify bundle against the sample app', () => {
  let app: SampleApp;
  afterEach(() => app?.close());

  it('waits while the old build answers, then passes when the new version serves', async () => {
    app = await startSampleApp({ version: OLD });
    app.switchVersionAfter(2000, SHA);
    const r = await runStageBundle('verify', { url: app.url, 'wait-timeout': '20s', samples: 20 });
    expect(r.code).toBe(0);
    expect(r.outputs.decision).toBe('ok');
    expect(r.outputs.healthy).toBe('true');
    expect(r.outputs['version-served']).toBe(SHA);
    const report = JSON.parse(r.outputs.report!);
    expect(report.versionsSeenBefore).toEqual([OLD]);
    expect(report.wait.attempts).toBeGreaterThan(1);
    expect(report.wait.waitedMs).toBeGreaterThanOrEqual(1500);
    expect(Number(r.outputs['p95-ms'])).toBeGreaterThanOrEqual(0);
    expect(r.outputs['error-rate']).toBe('0');
    // Only one request may have seen the new build before sampling started: the wait ended on the first one.
    const healthAfterSwitch = app.stub.requests.filter((q) => q.path === '/api/health' && JSON.stringify(q.responseBody).includes(SHA));
    expect(healthAfterSwitch).toHaveLength(1 + 20);
    expect(r.summary).toMatch(/\| health \| pass \|/);
  });

  it('fails with rollback-full and the reason when the new version never comes and migrations were applied', async () => {
    app = await startSampleApp({ version: OLD });
    const r = await runStageBundle('verify', { url: app.url, 'wait-timeout': '2s', 'migrations-applied': 2 });
    expect(r.code).toBe(1);
    expect(r.outputs.decision).toBe('rollback-full');
    expect(r.outputs.healthy).toBe('false');
    expect(r.outputs['version-served']).toBe(OLD);
    const errors = errorLines(r);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^verify: rollback-full: the health endpoint never served version ${SHA} within 2.00s .*last answer: HTTP 200 with version ${OLD}.*2 migration\\(s\\) applied`));
    expect(r.summary).toMatch(/\| health \| fail \|/);
  });

  it('fails with rollback-app when the new version never comes and no migrations were applied', async () => {
    app = await startSampleApp({ version: OLD });
    const r = await runStageBundle('verify', { url: app.url, 'wait-timeout': '1s' });
    expect(r.code).toBe(1);
    expect(r.outputs.decision).toBe('rollback-app');
    expect(errorLines(r)[0]).toMatch(/no migrations applied in this run/);
  });

  it('3 % injected errors -> monitor (exit 0, a warning)', async () => {
    app = await startSampleApp({ version: SHA });
    app.setErrorRate(0.03);
    const r = await runStageBundle('verify', { url: app.url, 'wait-timeout': '10s', samples: 200, concurrency: 16 });
    expect(r.code).toBe(0);
    expect(r.outputs.decision).toBe('monitor');
    expect(Number(r.outputs['error-rate'])).toBeGreaterThanOrEqual(0.025);
    expect(Number(r.outputs['error-rate'])).toBeLessThan(0.05);
    const report = JSON.parse(r.outputs.report!);
    expect(report.samples.errors).toBeGreaterThanOrEqual(5);
    expect(visibleLines(r).some((l) => /^::warning::verify: monitor: error rate 3/.test(l))).toBe(true);
    expect(r.summary).toMatch(/\| latency \(200 samples\) \| over limit \|/);
  });

  it('12 % injected errors with migrations applied -> rollback-full', async () => {
    app = await startSampleApp({ version: SHA });
    app.setErrorRate(0.12);
    const r = await runStageBundle('verify', { url: app.url, 'wait-timeout': '10s', samples: 200, concurrency: 16, 'migrations-applied': 'true' });
    expect(r.code).toBe(1);
    expect(r.outputs.decision).toBe('rollback-full');
    expect(Number(r.outputs['error-rate'])).toBeGreaterThan(0.1);
    expect(errorLines(r)[0]).toMatch(/rollback-full: error rate 1[12](\.\d)? % \(\d+\/200: HTTP 500 ×\d+\) above 10 %/);
  });

  it('injected latency: p95 is reported and the limit enforced (monitor above it, rollback-app above twice it)', async () => {
    app = await startSampleApp({ version: SHA, latencyMs: 300 });
    const within = await runStageBundle('verify', { url: app.url, 'wait-timeout': '10s', samples: 16, concurrency: 8, 'max-p95-ms': 1000 });
    expect(within.outputs.decision).toBe('ok');
    expect(Number(within.outputs['p95-ms'])).toBeGreaterThanOrEqual(300);

    const over = await runStageBundle('verify', { url: app.url, 'wait-timeout': '10s', samples: 16, concurrency: 8, 'max-p95-ms': 250 });
    expect(over.code).toBe(0);
    expect(over.outputs.decision).toBe('monitor');
    expect(Number(over.outputs['p95-ms'])).toBeGreaterThanOrEqual(300);
    expect(JSON.parse(over.outputs.report!).reasons[0]).toMatch(/^p95 \d+ms above the 250ms limit/);

    const far = await runStageBundle('verify', { url: app.url, 'wait-timeout': '10s', samples: 16, concurrency: 8, 'max-p95-ms': 100 });
    expect(far.code).toBe(1);
    expect(far.outputs.decision).toBe('rollback-app');
    expect(errorLines(far)[0]).toMatch(/rollback-app: p95 \d+ms above 2× the 100ms limit/);
  });

  it('a protected deployment: refused without the bypass, passes with it, and the secret never shows', async () => {
    const secret = 'bypass-S3cr3t/+=!value';
    app = await startSampleApp({ version: SHA, bypassSecret: secret });
    const refused = await runStageBundle('verify', { url: app.url, 'wait-timeout': '1s' });
    expect(refused.code).toBe(1);
    expect(errorLines(refused)[0]).toMatch(/HTTP 401.*set protection-bypass/);

    app.stub.reset();
    const checks = '- name: home\n  path: /\n  contains: Shop\n- name: items\n  path: /api/items\n  json:\n    count: 2';
    const r = await runStageBundle('verify', {
      url: app.url,
      'wait-timeout': '5s',
      'protection-bypass': secret,
      checks,
      samples: 10,
      'smoke-command': 'echo "smoke for $BASE_URL with $VERCEL_AUTOMATION_BYPASS_SECRET"; test -n "$VERCEL_AUTOMATION_BYPASS_SECRET"',
    });
    expect(r.code).toBe(0);
    expect(r.outputs.decision).toBe('ok');
    const report = JSON.parse(r.outputs.report!);
    expect(report.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok])).toEqual([
      ['health', true],
      ['home', true],
      ['items', true],
      ['latency (10 samples)', true],
      ['smoke command', true],
    ]);
    // Every request carried the bypass pair.
    expect(app.stub.requests.every((q) => q.headers['x-vercel-protection-bypass'] === secret && q.headers['x-vercel-set-bypass-cookie'] === 'true')).toBe(true);
    expect(visibleLines(r).join('\n')).toContain(`smoke for ${app.url} with ***`);
    expect(leakedForms(r, { plain: [secret] })).toEqual([]);
    expect(r.masks).toContain(secret);
    // Summary: one row per check.
    const rows = r.summary.split('\n').filter((l) => /^\| (health|home|items|latency|smoke)/.test(l));
    expect(rows).toHaveLength(5);
  });

  it('a failing smoke command and a failing check are rollback-app', async () => {
    app = await startSampleApp({ version: SHA });
    const r = await runStageBundle('verify', {
      url: app.url,
      'wait-timeout': '5s',
      samples: 5,
      checks: '[{ name: items, path: /api/items, json: { count: 3 } }]',
      'smoke-command': 'echo boom >&2; exit 3',
      'migrations-applied': 1,
    });
    expect(r.code).toBe(1);
    expect(r.outputs.decision).toBe('rollback-app');
    const report = JSON.parse(r.outputs.report!);
    expect(report.reasons).toEqual(['check "items" failed: count=2, expected 3', 'smoke command "smoke command" failed: exit 3: boom']);
  });

  it('malformed checks YAML is one input error line and nothing is requested', async () => {
    app = await startSampleApp({ version: SHA });
    const r = await runStageBundle('verify', { url: app.url, checks: '- name: a\n  path: [unclosed' });
    expect(r.code).toBe(1);
    const errors = errorLines(r);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^Input 'checks' got ".*"; expected a list of checks .* in valid YAML; the YAML parser said: /);
    expect(errors[0]).not.toContain('\n');
    expect(app.stub.requests).toHaveLength(0);
  });
});

/**
 * Verify's inputs, its SQL checks against the real test PostgreSQL, and its runtime log count against the
 * Vercel stand-in.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, systemClock } from '../../src/lib/clock.js';
import { nodeFetch } from '../../src/lib/http.js';
import { Inputs, mapInputSource } from '../../src/lib/inputs.js';
import { connect } from '../../src/lib/postgres.js';
import { Masker } from '../../src/lib/secrets.js';
import { parseChecks, parseSqlChecks } from '../../src/verify/checks.js';
import { readVerifySettings } from '../../src/verify/inputs.js';
import { countRuntimeErrors } from '../../src/verify/runtime-logs.js';
import { runSqlChecks } from '../../src/verify/sql.js';
import { errorLines, githubContext, leakedForms, runStageBundle } from '../support/bundle.js';
import { createDatabase, query, type TestDatabase } from '../support/postgres.js';
import { startSampleApp } from '../support/sample-app.js';
import { startVercelStandin } from '../support/vercel-standin.js';

const SHA = githubContext().GITHUB_SHA!;

describe('verify inputs', () => {
  const ctx = { sha: SHA, workspace: '/tmp' };
  const read = (values: Record<string, string | number>, masker = new Masker()) => readVerifySettings(new Inputs(mapInputSource(values), masker), ctx);

  it('defaults: health path, the workflow sha, 20 samples, 8 at a time, the decision thresholds', () => {
    const s = read({ url: 'https://shop.example/' });
    expect(s).toMatchObject({ url: 'https://shop.example', healthPath: '/api/health', expectVersion: SHA, samples: 20, concurrency: 8, waitTimeoutMs: 300_000, requestTimeoutMs: 10_000, migrationsApplied: 0 });
    expect(s.thresholds).toEqual({ maxErrorRate: 0.01, rollbackErrorRate: 0.05, rollbackFullErrorRate: 0.1, maxP95Ms: 1000, rollbackP95Factor: 2, maxRuntimeErrors: 0 });
  });

  it('takes Vercel\'s bare deployment host as https, and refuses a query that could carry the bypass secret', () => {
    expect(read({ url: 'shop-abc123.vercel.app' }).url).toBe('https://shop-abc123.vercel.app');
    let msg = '';
    try {
      read({ url: 'https://shop.example/?x-vercel-protection-bypass=topsecretvalue' });
    } catch (err) {
      msg = (err as Error).message;
    }
    expect(msg).toBe(`Input 'url' got "https://shop.example/?…"; expected a base URL without a query or fragment (pass the bypass secret as protection-bypass).`);
  });

  it('one line per bad input, secrets redacted', () => {
    expect(() => read({})).toThrow(/^Input 'url' got nothing; expected the deployment URL/);
    expect(() => read({ url: 'https://shop.example', 'expect-version': 'abc12' })).toThrow(/^Input 'expect-version' got "abc12"; expected a full sha or a prefix of at least 7/);
    expect(() => read({ url: 'https://shop.example', 'expect-status': 'healthy' })).toThrow(/^Input 'expect-status' got "healthy"; expected path=value/);
    expect(() => read({ url: 'https://shop.example', 'rollback-error-rate': '0.001' })).toThrow(/^Input 'rollback-error-rate' got "0.001"; expected a rate at least max-error-rate/);
    expect(() => read({ url: 'https://shop.example', 'sql-checks': 'select 1: 1' })).toThrow(/^Input 'database-url' got nothing; expected a PostgreSQL URL because sql-checks is set/);
    expect(() => read({ url: 'https://shop.example', 'vercel-token': 'tok_secret' })).toThrow(/^Input 'deployment-id' got nothing/);
    expect(() => read({ url: 'https://shop.example', 'migrations-applied': 'lots' })).toThrow(/^Input 'migrations-applied' got "lots"/);
    const masker = new Masker();
    let msg = '';
    try {
      read({ url: 'https://shop.example', 'database-url': 'mysql://u:hunter22@h/db' }, masker);
    } catch (err) {
      msg = (err as Error).message;
    }
    expect(msg).toMatch(/^Input 'database-url' got "mysql:\/\/u:\*\*\*@h\/db"/);
    expect(masker.leaks(msg)).toBe(false);
  });

  it('reads migrations-applied as a count, a boolean, or migrate\'s JSON list', () => {
    expect(read({ url: 'https://x.example', 'migrations-applied': '3' }).migrationsApplied).toBe(3);
    expect(read({ url: 'https://x.example', 'migrations-applied': 'true' }).migrationsApplied).toBe(1);
    expect(read({ url: 'https://x.example', 'migrations-applied': '["a","b"]' }).migrationsApplied).toBe(2);
    expect(read({ url: 'https://x.example', 'migrations-applied': '[]' }).migrationsApplied).toBe(0);
  });

  it('checks come inline or from a file; malformed YAML and bad fields are one line each', () => {
    const dir = mkdtempSync(join(tmpdir(), 'verify-checks-'));
    writeFileSync(join(dir, 'checks.yml'), 'checks:\n  - name: api\n    path: /api/items\n    json: { count: 2 }\n    max-ms: 300\n  - path: /api/echo\n    body: { a: 1 }\n');
    const fromFile = parseChecks('checks', 'checks.yml', dir);
    expect(fromFile).toEqual([
      { name: 'api', method: 'GET', path: '/api/items', headers: {}, body: undefined, contentType: undefined, status: undefined, contains: undefined, json: { count: 2 }, maxMs: 300 },
      { name: 'POST /api/echo', method: 'POST', path: '/api/echo', headers: {}, body: '{"a":1}', contentType: 'application/json', status: undefined, contains: undefined, json: undefined, maxMs: undefined },
    ]);
    expect(() => parseChecks('checks', 'missing.yml', dir)).toThrow(/^Input 'checks' got "missing.yml"; expected inline YAML or a YAML file that exists/);
    expect(() => parseChecks('checks', '- path: /a\n  status: nine', dir)).toThrow(/^Input 'checks' got .*; expected a list of checks .*; checks\[0\]\.status: /);
    expect(() => parseChecks('checks', '- path: /a\n  colour: red', dir)).toThrow(/checks\[0\]: Unrecognized key: "colour"/);
    expect(() => parseChecks('checks', '- path: relative', dir)).toThrow(/path must start with \//);
    const malformed = (() => {
      try {
        parseChecks('checks', '- name: "unterminated\n  path: /', dir);
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    expect(malformed).toMatch(/^Input 'checks' got .*; expected .* in valid YAML; the YAML parser said: /);
    expect(malformed).not.toContain('\n');
  });

  it('sql-checks as a map or a list', () => {
    expect(parseSqlChecks('sql-checks', "select count(*) from orders: 0\n'select 1 is null': false", '/tmp')).toEqual([
      { name: 'sql #1', query: 'select count(*) from orders', expected: '0' },
      { name: 'sql #2', query: 'select 1 is null', expected: 'false' },
    ]);
    expect(parseSqlChecks('sql-checks', '- { name: v, query: "select null", expected: null }', '/tmp')).toEqual([{ name: 'v', query: 'select null', expected: 'null' }]);
    expect(() => parseSqlChecks('sql-checks', '- { query: "select 1" }', '/tmp')).toThrow(/^Input 'sql-checks' .*sql-checks\[0\]\.expected/);
  });
});

describe('SQL checks against PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createDatabase('verify_sql');
    await query(db.url, "CREATE TABLE orders (id int primary key, state text); INSERT INTO orders VALUES (1, 'paid'), (2, 'paid'), (3, 'open')");
  });
  afterAll(() => db.drop());

  it('compares the first value of each query, read-only, and reports failures per check', async () => {
    const checks = parseSqlChecks(
      'sql-checks',
      [
        "select count(*) from orders where state = 'paid': 2",
        'select max(id) from orders: 4',
        "select state from orders where id = 99: null",
        'select * from missing_table: 1',
        "'insert into orders values (9, ''x'') returning id': 9",
      ].join('\n'),
      '/tmp',
    );
    const r = await runSqlChecks(() => connect(db.url), checks, new ManualClock());
    expect(r.map((c) => [c.ok, c.detail])).toEqual([
      [true, '= 2'],
      [false, 'got 3, expected 4'],
      [true, '= null'],
      [false, expect.stringMatching(/^query failed: relation "missing_table" does not exist/)],
      [false, expect.stringMatching(/^query failed: cannot execute INSERT in a read-only transaction/)],
    ]);
    expect(await query(db.url, 'SELECT count(*)::int AS n FROM orders')).toEqual([{ n: 3 }]);
  });

  it('through the bundle: a failed SQL check is rollback-full when migrations were applied, and the password never shows', async () => {
    const app = await startSampleApp({ version: SHA });
    try {
      const r = await runStageBundle('verify', {
        url: app.url,
        'wait-timeout': '5s',
        samples: 5,
        'database-url': db.url,
        'sql-checks': "- { name: paid orders, query: \"select count(*) from orders where state = 'paid'\", expected: 5 }",
        'migrations-applied': 2,
      });
      expect(r.code).toBe(1);
      expect(r.outputs.decision).toBe('rollback-full');
      expect(errorLines(r)[0]).toBe('verify: rollback-full: SQL check "paid orders" failed: got 2, expected 5 (2 migration(s) applied in this run)');
      expect(r.summary).toMatch(/\| paid orders \| fail \|/);
      expect(leakedForms(r, { urls: [db.url] })).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe('runtime error log count', () => {
  it('counts error-level lines of the deployment inside the window through the runtime logs API', async () => {
    const vercel = await startVercelStandin();
    try {
      const d = vercel.seedDeployment({ id: 'dpl_verify1' });
      const from = Date.now();
      const row = (i: number, level: string, t: number) => JSON.stringify({ rowId: `r${i}`, timestampInMs: t, domain: d.url, level, message: `boom ${i}`, messageTruncated: false, requestMethod: 'GET', requestPath: '/api/x', responseStatusCode: 500, source: 'serverless' });
      vercel.stub.route('GET', '/v1/projects/:projectId/deployments/:deploymentId/runtime-logs', () => ({
        status: 200,
        headers: { 'content-type': 'application/stream+json' },
        body: [row(1, 'error', from + 10), row(2, 'info', from + 20), row(3, 'fatal', from + 30), row(4, 'error', from - 60_000)].join('\n') + '\n',
      }));
      const cfg = { token: vercel.token, deploymentId: d.id, apiUrl: vercel.url };
      const r = await countRuntimeErrors(nodeFetch, systemClock, cfg, { from, to: from + 1000 });
      expect(r).toEqual({ errors: 2, lines: 3, samples: ['/api/x boom 1', '/api/x boom 3'] });
      // The project id was read from the deployment, then used in the logs path.
      expect(vercel.stub.requestsTo('GET', `/v13/deployments/${d.id}`)).toHaveLength(1);
      expect(vercel.stub.requestsTo('GET', new RegExp(`^/v1/projects/${d.projectId}/deployments/${d.id}/runtime-logs$`))).toHaveLength(1);
      await expect(countRuntimeErrors(nodeFetch, systemClock, { ...cfg, token: 'wrong' }, { from, to: from + 1 })).rejects.toThrow(/403/);
    } finally {
      await vercel.close();
    }
  });

  it('through the bundle: runtime errors during verify make the decision monitor', async () => {
    const vercel = await startVercelStandin();
    const app = await startSampleApp({ version: SHA });
    try {
      const d = vercel.seedDeployment({ id: 'dpl_verify2' });
      vercel.stub.route('GET', '/v1/projects/:projectId/deployments/:deploymentId/runtime-logs', () => ({
        status: 200,
        headers: { 'content-type': 'application/stream+json' },
        // Logged while verify was sampling the app (inside its window), as a failing request would be.
        body: JSON.stringify({ rowId: 'r1', timestampInMs: app.stub.requests[app.stub.requests.length - 1]?.time ?? Date.now(), domain: d.url, level: 'error', message: 'TypeError: x is undefined', messageTruncated: false, requestMethod: 'GET', requestPath: '/api/health', responseStatusCode: 500, source: 'serverless' }) + '\n',
      }));
      const r = await runStageBundle('verify', { url: app.url, 'wait-timeout': '5s', samples: 5, 'vercel-token': vercel.token, 'deployment-id': d.id, 'vercel-api-url': vercel.url });
      expect(r.code).toBe(0);
      expect(r.outputs.decision).toBe('monitor');
      const report = JSON.parse(r.outputs.report!);
      expect(report.runtimeErrors.errors).toBe(1);
      expect(report.reasons).toEqual(['1 error-level runtime log line(s) during verify (tolerated: 0)']);
      expect(leakedForms(r, { plain: [vercel.token] })).toEqual([]);
    } finally {
      await app.close();
      await vercel.close();
    }
  });
});

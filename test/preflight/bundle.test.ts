/**
 * Preflight acceptance paths through the built bundle (dist/preflight/index.js), run as the runner runs it,
 * against the real test PostgreSQL and the GitHub stand-in.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorLines, githubContext, leakedForms, runStageBundle, visibleLines } from '../support/bundle.js';
import { startGithubStandin, type GithubStandin } from '../support/github-standin.js';
import { createDatabase, query, type TestDatabase } from '../support/postgres.js';
import { startVercelStandin } from '../support/vercel-standin.js';

let db: TestDatabase;
const dirs: string[] = [];

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-preflight-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

beforeAll(async () => {
  db = await createDatabase('preflight_bundle');
  await query(db.url, 'CREATE TABLE big (id bigint PRIMARY KEY, c integer NOT NULL)');
  await query(db.url, 'INSERT INTO big SELECT g, g % 1000 FROM generate_series(1, 1000000) g');
  await query(db.url, 'CREATE TABLE small (id bigint PRIMARY KEY, c integer NOT NULL)');
  await query(db.url, 'INSERT INTO small SELECT g, g FROM generate_series(1, 10) g');
  await query(db.url, 'ANALYZE big');
  await query(db.url, 'ANALYZE small');
}, 120_000);

afterAll(async () => {
  await db?.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const findingsOf = (out: Record<string, string>) => JSON.parse(out.findings) as { rule: string; severity: string; table: string; rows: number; bytes: number; message: string; line: number; file: string }[];

describe('lint with live table sizes', () => {
  test('ALTER COLUMN TYPE on a 1,000,000-row table is an error naming rows and size', async () => {
    const cwd = workspace({ 'db/migrations/001_widen.sql': '-- widen c\nALTER TABLE big ALTER COLUMN c TYPE bigint;\n' });
    const r = await runStageBundle('preflight', { mode: 'pr', 'database-url': db.url }, { cwd });
    const f = findingsOf(r.outputs).find((x) => x.rule === 'changing-column-type')!;
    expect(f).toMatchObject({ severity: 'error', table: 'big', file: 'db/migrations/001_widen.sql', line: 2 });
    expect(f.rows).toBeGreaterThan(900_000);
    expect(f.bytes).toBeGreaterThan(20 * 1024 * 1024);
    expect(f.message).toMatch(/~1,000,000 rows|~\d{3},\d{3} rows/);
    expect(f.message).toMatch(/\d+(\.\d)? MB/);
    // The annotation lands on the migration line, and the step fails per fail-on=error.
    expect(r.stdout).toMatch(/::error title=changing-column-type \(big\),file=db\/migrations\/001_widen.sql,line=2::changing big\.c to bigint rewrites the table \(big: ~[\d,]+ rows, [\d.]+ MB\)/);
    expect(r.code).toBe(1);
    expect(r.outputs.ok).toBe('false');
    expect(JSON.parse(r.outputs['pending-migrations'])).toEqual(['001_widen']);
    expect(r.summary).toContain('changing-column-type');
    expect(leakedForms(r, { urls: [db.url] })).toEqual([]);
  }, 60_000);

  test('the same change on a 10-row table is not an error', async () => {
    const cwd = workspace({ 'db/migrations/001_widen.sql': 'ALTER TABLE small ALTER COLUMN c TYPE bigint;\n' });
    const r = await runStageBundle('preflight', { mode: 'pr', 'database-url': db.url }, { cwd });
    const f = findingsOf(r.outputs).find((x) => x.rule === 'changing-column-type')!;
    expect(f).toMatchObject({ severity: 'info', table: 'small', rows: 10 });
    expect(r.code).toBe(0);
    expect(r.outputs.ok).toBe('true');
    expect(errorLines(r)).toEqual([]);
  }, 60_000);
});

describe('deploy window and emergency', () => {
  const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  // A window on a day two days away in UTC: the run is outside it whatever the time.
  const otherDay = DAYS[(new Date().getUTCDay() + 2) % 7];
  const closed = `${otherDay} 10:00-14:00 UTC`;
  const base = () => ({ mode: 'deploy', environment: 'staging', 'database-url': db.url, 'deploy-window': closed, 'audit-level': 'none' });

  test('outside the window: blocked, and blocked-reason says so', async () => {
    const cwd = workspace({ 'db/migrations/001_add.sql': 'ALTER TABLE small ADD COLUMN note text;\n' });
    const r = await runStageBundle('preflight', base(), { cwd });
    expect(r.code).toBe(1);
    expect(r.outputs.ok).toBe('false');
    expect(r.outputs['blocked-reason']).toContain(`deploy-window: outside the deploy window ${closed}`);
    expect(r.outputs['blocked-reason']).toMatch(/now \w{3} \d{2}:\d{2} UTC/);
    expect(errorLines(r).some((l) => l.includes('deploy blocked: deploy-window'))).toBe(true);
  }, 60_000);

  test('emergency with a reason: passes with a warning', async () => {
    const cwd = workspace({ 'db/migrations/001_add.sql': 'ALTER TABLE small ADD COLUMN note text;\n' });
    const r = await runStageBundle('preflight', { ...base(), emergency: 'true', 'emergency-reason': 'checkout is down (INC-42)' }, { cwd });
    expect({ code: r.code, errors: errorLines(r) }).toEqual({ code: 0, errors: [] });
    expect(r.outputs.ok).toBe('true');
    expect(r.outputs['blocked-reason']).toBe('');
    expect(r.stdout).toContain('::warning::Emergency deploy: checkout is down (INC-42)');
    expect(r.stdout).toMatch(/::warning::deploy-window: outside .*passing as an emergency: checkout is down/);
    expect(r.summary).toContain('**Emergency deploy**: checkout is down (INC-42)');
  }, 60_000);

  test('emergency without a reason: an input error, nothing else happens', async () => {
    const cwd = workspace({ 'db/migrations/001_add.sql': 'ALTER TABLE small ADD COLUMN note text;\n' });
    const r = await runStageBundle('preflight', { ...base(), emergency: 'true' }, { cwd });
    expect(r.code).toBe(1);
    expect(errorLines(r)).toEqual(["Input 'emergency-reason' got nothing; expected a reason when emergency is true (it is written to the summary and repeated by notify)."]);
    expect(r.outputs).toEqual({});
  }, 60_000);

  test('a malformed window is an input error naming the input', async () => {
    const r = await runStageBundle('preflight', { ...base(), 'deploy-window': 'Tue-Thu 10:00-14:00 Mars/Olympus' }, { cwd: workspace({}) });
    expect(r.code).toBe(1);
    expect(errorLines(r)[0]).toMatch(/^Input 'deploy-window' got "Tue-Thu 10:00-14:00 Mars\/Olympus"; expected .*unknown time zone "Mars\/Olympus"/);
  }, 60_000);
});

describe('required-env', () => {
  test('missing, too short and malformed values are reported by name; no value is printed anywhere', async () => {
    const short = 'sk_live_short!';
    const badUrl = 'mysql://admin:hunter2-secret@db.internal:3306/app';
    const noSsl = "postgres://app:v3ry'secret@db.example.com:5432/app";
    const r = await runStageBundle(
      'preflight',
      {
        mode: 'deploy',
        environment: 'production',
        'database-url': db.url,
        'audit-level': 'none',
        'required-env': 'API_KEY: min-length=32\nAPP_DATABASE_URL: postgres-url\nREPLICA_URL: postgres-url\nSENTRY_DSN: https\nMISSING_ONE',
      },
      { cwd: workspace({}), env: { API_KEY: short, APP_DATABASE_URL: badUrl, REPLICA_URL: noSsl, SENTRY_DSN: 'https://abc@o1.ingest.sentry.io/2' } },
    );
    expect(r.code).toBe(1);
    const reason = r.outputs['blocked-reason'];
    expect(reason).toContain('API_KEY is too short (14 characters, at least 32 required)');
    expect(reason).toContain('APP_DATABASE_URL is not a PostgreSQL URL');
    expect(reason).toContain('REPLICA_URL is a PostgreSQL URL without sslmode=require');
    expect(reason).toContain('MISSING_ONE is missing or empty');
    expect(reason).not.toContain('SENTRY_DSN');
    expect(r.summary).toContain('`MISSING_ONE` is missing or empty');
    // No form of any value in the visible log, outputs or summary.
    expect(leakedForms(r, { plain: [short, badUrl, noSsl, 'hunter2-secret', "v3ry'secret"], urls: [badUrl, noSsl, db.url] })).toEqual([]);
    expect(visibleLines(r).join('\n')).not.toContain('sk_live');
  }, 60_000);
});

describe('PR comment', () => {
  let github: GithubStandin;
  beforeAll(async () => {
    github = await startGithubStandin({ token: 'ghs_preflight-token' });
  });
  afterAll(async () => {
    await github.close();
  });

  test('created once, then updated in place on a rerun, never duplicated', async () => {
    const context = githubContext({ GITHUB_API_URL: github.url, GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/7/merge' });
    const cwd = workspace({ 'db/migrations/001_idx.sql': 'CREATE INDEX small_c ON small (c);\n' });
    // Someone else's comment on the same PR must be left alone.
    await fetch(`${github.url}/repos/acme/shop/issues/7/comments`, { method: 'POST', headers: { authorization: `Bearer ${github.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ body: 'LGTM' }) });

    const first = await runStageBundle('preflight', { mode: 'pr', 'github-token': github.token, 'database-url': db.url }, { cwd, context });
    expect(first.code).toBe(0);
    let comments = github.commentsOn('acme', 'shop', 7);
    expect(comments).toHaveLength(2);
    const ours = comments.find((c) => c.body.includes('<!-- shipgate:preflight:preview -->'))!;
    expect(ours.body).toContain('require-concurrent-index-creation');
    expect(ours.body).toContain('CREATE INDEX CONCURRENTLY');

    writeFileSync(join(cwd, 'db/migrations/002_drop.sql'), 'DROP TABLE small;\n');
    const second = await runStageBundle('preflight', { mode: 'pr', 'github-token': github.token, 'database-url': db.url }, { cwd, context });
    expect(second.code).toBe(0);
    comments = github.commentsOn('acme', 'shop', 7);
    expect(comments).toHaveLength(2);
    const updated = comments.find((c) => c.id === ours.id)!;
    expect(updated.body).toContain('ban-drop-table');
    expect(comments.find((c) => c.id !== ours.id)?.body).toBe('LGTM');
    expect(github.stub.requestsTo('POST', /\/issues\/7\/comments$/)).toHaveLength(2); // LGTM + ours, once
    expect(github.stub.requestsTo('PATCH', /\/issues\/comments\/\d+$/)).toHaveLength(1);
    expect(leakedForms(second, { plain: [github.token], urls: [db.url] })).toEqual([]);
  }, 90_000);
});

describe('Vercel project check through the bundle (SDK chunk loaded on demand)', () => {
  test('a required variable missing on Vercel for production blocks; the token never appears', async () => {
    const vercel = await startVercelStandin({ token: 'vrcl_bundle-secret-token', envs: [{ key: 'API_KEY', value: 'remote-value-1', target: ['production'] }] });
    try {
      const project = [...vercel.state.projects.values()][0];
      const r = await runStageBundle(
        'preflight',
        {
          mode: 'deploy',
          environment: 'production',
          'database-url': db.url,
          'audit-level': 'none',
          'required-env': 'API_KEY\nSESSION_SECRET',
          'vercel-token': vercel.token,
          'vercel-project-id': project.id,
          'vercel-api-url': vercel.url,
        },
        { cwd: workspace({}), env: { API_KEY: 'local-api-key-value', SESSION_SECRET: 'local-session-secret' } },
      );
      expect(r.code).toBe(1);
      expect(r.outputs['blocked-reason']).toBe('vercel: missing on Vercel for production: SESSION_SECRET');
      expect(vercel.stub.requestsTo('GET', /^\/v10\/projects\/[^/]+\/env$/)).toHaveLength(1);
      expect(leakedForms(r, { plain: [vercel.token, 'local-api-key-value', 'local-session-secret'], urls: [db.url] })).toEqual([]);
    } finally {
      await vercel.close();
    }
  }, 60_000);
});

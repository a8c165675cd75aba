/**
 * The fault suite (issue 9), table-driven across the stages. Each case injects one fault into a real run of a
 * built bundle and checks the exit code, the message, and that nothing was lost. docs/reliability.md lists
 * these cases (scripts/reliability-doc.ts), so the table here is the single source.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { errorLines, githubContext, runStageBundle, visibleLines, type BundleResult } from '../support/bundle.js';
import { ENV, createDatabase, query, schemaDump, type TestDatabase } from '../support/postgres.js';
import { startS3 } from '../support/s3.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { startVercelStandin } from '../support/vercel-standin.js';
import { startSlackStandin } from '../support/slack-standin.js';
import { startGithubStandin } from '../support/github-standin.js';
import { startSampleApp } from '../support/sample-app.js';

export interface FaultOutcome {
  result: BundleResult;
  /** What was lost or left behind; empty when nothing was. */
  lost: string[];
}

export interface FaultCase {
  stage: string;
  fault: string;
  /** What must happen, in words (for docs/reliability.md). */
  expect: string;
  code: 0 | 1;
  /** The message (error line, or warning when code is 0) must match. */
  message: RegExp;
  run(): Promise<FaultOutcome>;
}

const S3ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };

/** The one line a failed run printed, or its warnings when it succeeded. */
export function messageOf(r: BundleResult): string {
  const errors = errorLines(r);
  if (errors.length) return errors.join('\n');
  return visibleLines(r)
    .filter((l) => l.startsWith('::warning'))
    .join('\n');
}

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-fault-mig-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

async function ledger(url: string): Promise<string[]> {
  const rows = await query<{ name: string }>(url, 'select name from shipgate_migrations order by name');
  return rows.map((r) => r.name);
}

async function advisoryLocks(url: string): Promise<number> {
  const rows = await query<{ n: string }>(url, "select count(*)::text as n from pg_locks where locktype = 'advisory'");
  return Number(rows[0].n);
}

/** A database with the first migration applied; returns a snapshot to compare against after the fault. */
async function migratedOnce(prefix: string, files: Record<string, string>): Promise<{ db: TestDatabase; dir: string; schema: string; ledger: string[] }> {
  const db = await createDatabase(prefix);
  const first = Object.keys(files).sort()[0];
  const dir = migrationsDir({ [first]: files[first] });
  const r = await runStageBundle('migrate', { 'database-url': db.url, 'migrations-dir': dir });
  if (r.code !== 0) throw new Error(`setup migrate failed: ${errorLines(r).join(' ')}`);
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return { db, dir, schema: await schemaDump(db.url), ledger: await ledger(db.url) };
}

async function unchanged(db: TestDatabase, snapshot: { schema: string; ledger: string[] }): Promise<string[]> {
  const lost: string[] = [];
  if ((await schemaDump(db.url)) !== snapshot.schema) lost.push('schema changed');
  if (JSON.stringify(await ledger(db.url)) !== JSON.stringify(snapshot.ledger)) lost.push('ledger changed');
  if ((await advisoryLocks(db.url)) !== 0) lost.push('advisory lock left held');
  return lost;
}

async function seeded(prefix: string): Promise<TestDatabase> {
  const db = await createDatabase(prefix);
  await query(
    db.url,
    `create table accounts (id bigserial primary key, email text not null);
     insert into accounts (email) select 'user' || g || '@example.com' from generate_series(1, 20000) g;`,
  );
  return db;
}

async function withS3<T>(fn: (s3: Awaited<ReturnType<typeof startS3>>) => Promise<T>): Promise<T> {
  const s3 = await startS3();
  await s3.createBucket('backups');
  try {
    return await fn(s3);
  } finally {
    await s3.stop();
  }
}

const DEPLOY = (url: string, token: string, extra: Record<string, string> = {}) => ({
  'vercel-token': token,
  'vercel-project-id': 'prj_shipgate',
  'vercel-api-url': url,
  mode: 'git',
  target: 'production',
  timeout: '2m',
  'github-deployment': 'false',
  ...extra,
});

async function deployCase(
  setup: (v: Awaited<ReturnType<typeof startVercelStandin>>) => void,
  extra: Record<string, string> = {},
  context?: Record<string, string>,
): Promise<FaultOutcome & { creates: number; standin: Awaited<ReturnType<typeof startVercelStandin>> }> {
  const v = await startVercelStandin({ token: 'vercel-fault-token' });
  try {
    const before = v.seedDeployment({ target: 'production', makeProduction: true });
    setup(v);
    const result = await runStageBundle('deploy', DEPLOY(v.url, v.token, extra), context ? { context: githubContext(context) } : {});
    const creates = v.stub.requestsTo('POST', /^\/v13\/deployments$/).length;
    const lost: string[] = [];
    const prod = v.state.production.get('prj_shipgate');
    if (result.code !== 0 && prod !== before.id) lost.push(`production moved to ${prod} although the deploy failed`);
    return { result, lost, creates, standin: v };
  } finally {
    await v.close();
  }
}

export const FAULT_CASES: FaultCase[] = [
  {
    stage: 'migrate',
    fault: "the migrator's backend killed mid-migration (pg_terminate_backend)",
    expect: 'exit 1; schema and ledger as before the run; no advisory lock left',
    code: 1,
    message: /terminat|connection|0002/i,
    async run() {
      const files = { '0001_init.sql': 'create table items (id int primary key);', '0002_slow.sql': 'alter table items add column note text;\nselect pg_sleep(20);' };
      const snap = await migratedOnce('fault_kill', files);
      const running = runStageBundle('migrate', { 'database-url': snap.db.url, 'migrations-dir': snap.dir });
      const admin = new pg.Client({ connectionString: snap.db.url });
      await admin.connect();
      try {
        for (let i = 0; i < 200; i++) {
          const r = await admin.query("select pid from pg_stat_activity where query ilike '%pg_sleep(20)%' and pid <> pg_backend_pid()");
          if (r.rows.length) {
            await admin.query('select pg_terminate_backend($1)', [r.rows[0].pid]);
            break;
          }
          await new Promise((res) => setTimeout(res, 50));
        }
      } finally {
        await admin.end();
      }
      const result = await running;
      const lost = await unchanged(snap.db, snap);
      await snap.db.drop();
      return { result, lost };
    },
  },
  {
    stage: 'migrate',
    fault: 'a lock timeout caused by a competing session holding the table',
    expect: 'retried with backoff, then exit 1 naming the lock timeout; schema and ledger unchanged',
    code: 1,
    message: /lock/i,
    async run() {
      const files = { '0001_init.sql': 'create table hot (id int primary key);', '0002_alter.sql': 'alter table hot add column flag boolean;' };
      const snap = await migratedOnce('fault_lock', files);
      const holder = new pg.Client({ connectionString: snap.db.url });
      await holder.connect();
      await holder.query('begin; lock table hot in access exclusive mode');
      try {
        const result = await runStageBundle('migrate', { 'database-url': snap.db.url, 'migrations-dir': snap.dir, 'lock-timeout': '100ms' });
        await holder.query('rollback');
        const lost = await unchanged(snap.db, snap);
        return { result, lost };
      } finally {
        await holder.end();
        await snap.db.drop();
      }
    },
  },
  {
    stage: 'migrate',
    fault: 'two migrate runs at once',
    expect: 'both exit 0; every migration applied exactly once',
    code: 0,
    message: /^$|.*/,
    async run() {
      const db = await createDatabase('fault_twice');
      const dir = migrationsDir({ '0001_a.sql': 'create table a (id int);', '0002_b.sql': 'create table b (id int);\nselect pg_sleep(0.5);', '0003_c.sql': 'create table c (id int);' });
      const [x, y] = await Promise.all([0, 1].map(() => runStageBundle('migrate', { 'database-url': db.url, 'migrations-dir': dir })));
      const lost: string[] = [];
      if (y.code !== 0) lost.push(`second run exited ${y.code}: ${errorLines(y).join(' ')}`);
      const names = await ledger(db.url);
      if (JSON.stringify(names) !== JSON.stringify(['0001_a', '0002_b', '0003_c'])) lost.push(`ledger ${JSON.stringify(names)}`);
      const applied = Number(x.outputs['applied-count']) + Number(y.outputs['applied-count']);
      if (applied !== 3) lost.push(`applied ${applied} times in all`);
      await db.drop();
      return { result: x, lost };
    },
  },
  {
    stage: 'backup',
    fault: 'pg_dump killed mid-stream',
    expect: 'exit 1; no object and no manifest under the prefix',
    code: 1,
    message: /pg_dump/i,
    async run() {
      const db = await seeded('fault_dumpkill');
      const bin = mkdtempSync(join(tmpdir(), 'shipgate-fault-bin-'));
      const real = process.env[ENV.bin]!;
      writeFileSync(join(bin, 'pg_dump'), `#!/bin/bash\nif [ "$1" = --version ]; then exec "${real}/pg_dump" "$@"; fi\n"${real}/pg_dump" "$@" | head -c 20000\nkill -9 $$\n`);
      writeFileSync(join(bin, 'pg_restore'), `#!/bin/bash\nexec "${real}/pg_restore" "$@"\n`);
      chmodSync(join(bin, 'pg_dump'), 0o755);
      chmodSync(join(bin, 'pg_restore'), 0o755);
      try {
        return await withS3(async (s3) => {
          const result = await runStageBundle('backup', { 'database-url': db.url, 's3-bucket': 'backups', 's3-endpoint': s3.endpoint }, { env: { ...S3ENV, PATH: `${bin}:${process.env.PATH}` } });
          const keys = await s3.listKeys('backups');
          return { result, lost: keys.length ? [`left ${keys.join(', ')}`] : [] };
        });
      } finally {
        await db.drop();
      }
    },
  },
  {
    stage: 'backup',
    fault: 'S3 answering 500 to every upload request',
    expect: 'exit 1 after the SDK retries; no object and no manifest',
    code: 1,
    message: /upload|S3|500|InternalError|injected/i,
    async run() {
      const db = await seeded('fault_s3500');
      try {
        return await withS3(async (s3) => {
          const proxy = await startFaultProxy(s3.endpoint);
          proxy.inject({ method: 'PUT', status: 500, times: 1000 });
          proxy.inject({ method: 'POST', url: /uploads?(=|&|$)/, status: 500, times: 1000 });
          try {
            const result = await runStageBundle('backup', { 'database-url': db.url, 's3-bucket': 'backups', 's3-endpoint': proxy.url }, { env: S3ENV });
            const keys = await s3.listKeys('backups');
            return { result, lost: keys.length ? [`left ${keys.join(', ')}`] : [] };
          } finally {
            await proxy.close();
          }
        });
      } finally {
        await db.drop();
      }
    },
  },
  {
    stage: 'backup',
    fault: 'a connection dropped mid-upload (once)',
    expect: 'the upload is retried; exit 0; the stored dump matches the manifest sha256',
    code: 0,
    message: /.*/,
    async run() {
      const db = await seeded('fault_s3drop');
      try {
        return await withS3(async (s3) => {
          const proxy = await startFaultProxy(s3.endpoint);
          proxy.inject({ method: 'PUT', dropAfterBytes: 1000, times: 1 });
          try {
            const result = await runStageBundle('backup', { 'database-url': db.url, 's3-bucket': 'backups', 's3-endpoint': proxy.url }, { env: S3ENV });
            const lost: string[] = [];
            if (proxy.pending() !== 0) lost.push('the fault was never hit');
            const keys = await s3.listKeys('backups');
            const manifestKey = keys.find((k) => k.endsWith('manifest.json'));
            if (!manifestKey) lost.push('no manifest');
            else {
              const manifest = JSON.parse((await s3.getObject('backups', manifestKey)).toString('utf8'));
              const body = await s3.getObject('backups', manifest.object.key);
              const sha = createHash('sha256').update(body).digest('hex');
              if (sha !== manifest.object.sha256) lost.push(`stored dump sha256 ${sha} differs from the manifest's ${manifest.object.sha256}`);
            }
            return { result, lost };
          } finally {
            await proxy.close();
          }
        });
      } finally {
        await db.drop();
      }
    },
  },
  {
    stage: 'backup',
    fault: 'one byte of the stored dump changed, then restore',
    expect: 'restore refuses on the sha256 before touching the target; target unchanged',
    code: 1,
    message: /sha256/i,
    async run() {
      const db = await seeded('fault_corrupt');
      try {
        return await withS3(async (s3) => {
          const made = await runStageBundle('backup', { 'database-url': db.url, 's3-bucket': 'backups', 's3-endpoint': s3.endpoint }, { env: S3ENV });
          if (made.code !== 0) throw new Error(`setup backup failed: ${errorLines(made).join(' ')}`);
          const key = made.outputs['backup-uri'].replace(/^s3:\/\/backups\//, '');
          const body = await s3.getObject('backups', key);
          body[Math.floor(body.length / 2)] ^= 0xff;
          await s3.putObject('backups', key, body);
          await query(db.url, "insert into accounts (email) values ('after-backup@example.com')");
          const before = await schemaDump(db.url);
          const count = async () => (await query<{ n: string }>(db.url, 'select count(*)::text as n from accounts'))[0].n;
          const rowsBefore = await count();
          const result = await runStageBundle(
            'backup',
            { mode: 'restore', 'database-url': db.url, 's3-bucket': 'backups', 's3-endpoint': s3.endpoint, 'backup-id': made.outputs['backup-id'], confirm: db.name, 'safety-snapshot': 'false' },
            { env: S3ENV },
          );
          const lost: string[] = [];
          if ((await schemaDump(db.url)) !== before) lost.push('target schema changed');
          if ((await count()) !== rowsBefore) lost.push('target rows changed');
          return { result, lost };
        });
      } finally {
        await db.drop();
      }
    },
  },
  {
    stage: 'deploy',
    fault: 'Vercel 429 with Retry-After while polling',
    expect: 'the wait is honoured; exit 0 at READY',
    code: 0,
    message: /.*/,
    async run() {
      const out = await deployCase((v) => v.stub.fail({ method: 'GET', path: /^\/v13\/deployments\/dpl_/ }, { status: 429, retryAfter: 2, times: 1 }));
      const polls = out.standin.stub.requestsTo('GET', /^\/v13\/deployments\/dpl_/);
      const i = polls.findIndex((p) => p.status === 429);
      if (i < 0 || !polls[i + 1]) out.lost.push('the 429 was never answered or never followed by another poll');
      else if (polls[i + 1].time - polls[i].time < 2000) out.lost.push(`asked again after ${polls[i + 1].time - polls[i].time} ms, before Retry-After: 2`);
      return out;
    },
  },
  {
    stage: 'deploy',
    fault: 'Vercel 500 on createDeployment',
    expect: 'exit 1 without a blind retry (one create request); production unchanged',
    code: 1,
    message: /500|deployment/i,
    async run() {
      const out = await deployCase((v) => v.stub.fail('POST /v13/deployments', { status: 500, times: 5 }));
      if (out.creates !== 1) out.lost.push(`createDeployment sent ${out.creates} times`);
      return out;
    },
  },
  {
    stage: 'deploy',
    fault: 'Vercel 500s while polling (transient)',
    expect: 'polling retries; exit 0 at READY',
    code: 0,
    message: /.*/,
    async run() {
      return deployCase((v) => v.stub.fail({ method: 'GET', path: /^\/v13\/deployments\/dpl_/ }, { status: 502, times: 2 }));
    },
  },
  {
    stage: 'deploy',
    fault: 'the deployment ends in ERROR',
    expect: 'exit 1 naming the failed build; production unchanged',
    code: 1,
    message: /build failed/i,
    async run() {
      return deployCase((v) => v.setScenario('error'));
    },
  },
  {
    stage: 'deploy',
    fault: 'an unknown readyState value in a response',
    expect: 'no crash: a warning, the wait goes on to READY, exit 0',
    code: 0,
    message: /FROZEN/,
    async run() {
      return deployCase((v) => v.setScenario(['QUEUED', 'FROZEN', 'BUILDING', 'READY']));
    },
  },
  {
    stage: 'deploy',
    fault: 'GitHub API 403 (token without deployments: write)',
    expect: 'a warning naming the permission; the Vercel deploy still completes, exit 0',
    code: 0,
    message: /permission|403|accessible/i,
    async run() {
      const gh = await startGithubStandin({ token: 'ghs_fault_token_123456' });
      try {
        gh.notAccessible(undefined, 100);
        const out = await deployCase(() => {}, { 'github-deployment': 'true', 'github-token': gh.token }, { GITHUB_API_URL: gh.url });
        return out;
      } finally {
        await gh.close();
      }
    },
  },
  {
    stage: 'verify',
    fault: 'a health endpoint that flaps (every other request 500)',
    expect: 'exit 1 with decision rollback-app and the error rate',
    code: 1,
    message: /rollback/i,
    async run() {
      const app = await startSampleApp({ version: '0123456789abcdef0123456789abcdef01234567', errorRate: 0.5 });
      try {
        const result = await runStageBundle('verify', { url: app.url, samples: '20', 'wait-timeout': '20s' });
        const lost = result.outputs.decision === 'rollback-app' ? [] : [`decision ${result.outputs.decision}`];
        return { result, lost };
      } finally {
        await app.close();
      }
    },
  },
  {
    stage: 'notify',
    fault: 'Slack 429 with Retry-After',
    expect: 'the wait is honoured, the message delivered once, exit 0',
    code: 0,
    message: /.*/,
    async run() {
      const slack = await startSlackStandin();
      try {
        slack.stub.fail('*', { status: 429, retryAfter: 1, times: 1 });
        const result = await runStageBundle('notify', { status: 'success', 'slack-webhook-url': slack.webhookUrl, stages: '{}' });
        const posts = slack.state.webhookPosts.length;
        return { result, lost: posts === 1 ? [] : [`${posts} messages delivered`] };
      } finally {
        await slack.close();
      }
    },
  },
  {
    stage: 'notify',
    fault: 'Slack 500 on every attempt',
    expect: 'a warning, exit 0 (notify never fails the deploy unless fail-on-error)',
    code: 0,
    message: /slack/i,
    async run() {
      const slack = await startSlackStandin();
      try {
        slack.stub.fail('*', { status: 500, times: 100 });
        const result = await runStageBundle('notify', { status: 'success', 'slack-webhook-url': slack.webhookUrl, stages: '{}' });
        return { result, lost: [] };
      } finally {
        await slack.close();
      }
    },
  },
];


/** The built bundle (dist/backup) run as the runner does, against the test cluster and s3rver. */
import { PG_PASSWORD, createDatabase, query, type TestDatabase } from '../support/postgres.js';
import { startS3, type S3Server } from '../support/s3.js';
import { errorLines, leakedForms, runStageBundle, visibleLines, type BundleResult } from '../support/bundle.js';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manifest } from '../../src/backup/catalog.js';
import { ENV } from '../support/postgres.js';

/**
 * pg_dump and pg_restore wrappers put first on PATH: they record their argv (and whether PGPASSWORD reached
 * them), then run the real tool; with SHIPGATE_TEST_CUT_DUMP=<bytes>, pg_dump's output is cut there and the
 * wrapper exits 1, like a pg_dump that dies mid-stream.
 */
function wrapperDir(): { dir: string; log: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-pgwrap-'));
  const log = join(dir, 'argv.log');
  const real = process.env[ENV.bin]!;
  for (const tool of ['pg_dump', 'pg_restore']) {
    const file = join(dir, tool);
    writeFileSync(
      file,
      `#!/bin/bash
printf '%s\t%s\t%s\n' "${tool}" "\${PGPASSWORD:+env-has-password}" "$*" >> "${log}"
if [ "${tool}" = pg_dump ] && [ -n "$SHIPGATE_TEST_CUT_DUMP" ] && [ "$1" != --version ]; then
  "${real}/${tool}" "$@" | head -c "$SHIPGATE_TEST_CUT_DUMP"
  exit 1
fi
exec "${real}/${tool}" "$@"
`,
    );
    chmodSync(file, 0o755);
  }
  writeFileSync(log, '');
  return { dir, log, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const BUCKET = 'bundle-backups';
let s3: S3Server;
let db: TestDatabase;

beforeAll(async () => {
  s3 = await startS3();
  await s3.createBucket(BUCKET);
  db = await createDatabase('bk_bundle');
  await query(
    db.url,
    `create table accounts (id bigserial primary key, email text unique not null);
     create table events (id bigserial primary key, account_id bigint references accounts(id), kind text not null);
     insert into accounts (email) select 'a' || g || '@x.test' from generate_series(1, 500) g;
     insert into events (account_id, kind) select 1 + g % 500, 'k' || g % 9 from generate_series(1, 3000) g;
     create table shipgate_migrations (name text primary key, checksum text, applied_at timestamptz not null default now());
     insert into shipgate_migrations (name, applied_at) values ('0001_init.sql', '2026-01-01'), ('0002_events.sql', '2026-01-02');`,
  );
});

afterAll(async () => {
  await db?.drop();
  await s3?.stop();
});

function env(): Record<string, string> {
  return { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1', RUNNER_DEBUG: '1' };
}

function inputs(over: Record<string, string> = {}): Record<string, string> {
  return { 'database-url': db.url, 's3-bucket': BUCKET, 's3-endpoint': s3.endpoint, environment: 'staging', ...over };
}

function expectClean(r: BundleResult): void {
  expect(leakedForms(r, { plain: [PG_PASSWORD], urls: [db.url] })).toEqual([]);
}

describe('backup bundle', () => {
  it('backs up with verify: read, sets outputs and a summary, and never shows the password (debug on)', async () => {
    const r = await runStageBundle('backup', inputs(), { env: env() });
    expect(errorLines(r)).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.outputs['backup-id']).toMatch(/^\d{8}T\d{6}Z-0123456-4242$/);
    expect(r.outputs['sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(Number(r.outputs['size-bytes'])).toBeGreaterThan(1000);
    expect(r.outputs['backup-uri']).toBe(`s3://${BUCKET}/shipgate/staging/${r.outputs['backup-id'].slice(0, 4)}/${r.outputs['backup-id'].slice(4, 6)}/${r.outputs['backup-id'].slice(6, 8)}/${r.outputs['backup-id']}/dump.pgdump`);
    const manifest = JSON.parse((await s3.getObject(BUCKET, r.outputs['manifest-uri'].replace(`s3://${BUCKET}/`, ''))).toString()) as Manifest;
    expect(manifest.ledgerHead).toEqual({ table: 'shipgate_migrations', name: '0002_events.sql' });
    expect(manifest.verification).toMatchObject({ level: 'read', result: 'passed' });
    expect(manifest.git.runUrl).toBe('https://github.com/acme/shop/actions/runs/4242');
    expect(r.summary).toContain('Shipgate backup');
    expect(r.summary).toContain(manifest.object.sha256);
    // Debug output shows the spawned command lines; none of them carries a credential.
    expect(visibleLines(r).some((l) => /pg_dump --format=custom/.test(l))).toBe(true);
    expectClean(r);
  });

  it('refuses a restore without confirm, or with the wrong name, before doing anything', async () => {
    for (const confirm of [undefined, 'production_db']) {
      const r = await runStageBundle('backup', inputs({ mode: 'restore', 'backup-id': 'latest', ...(confirm ? { confirm } : {}) }), { env: env() });
      expect(r.code).toBe(1);
      expect(errorLines(r)).toEqual([expect.stringContaining(`Input 'confirm' got ${confirm ? '"production_db"' : 'nothing'}; expected the target database's name ("${db.name}")`)]);
      expectClean(r);
    }
    expect(await query(db.url, 'select count(*)::int as n from events')).toEqual([{ n: 3000 }]);
  });

  it('with pg_dump dying mid-stream: exit 1, no object and no manifest; no argv ever held the password', async () => {
    const w = wrapperDir();
    try {
      const base = { ...env(), PATH: `${w.dir}:${process.env.PATH}`, SHIPGATE_BACKUP_PART_SIZE: String(5 * 1024 * 1024) };
      const r = await runStageBundle('backup', inputs({ 's3-prefix': 'cut', 'pg-dump-args': '--compress=0' }), { env: { ...base, SHIPGATE_TEST_CUT_DUMP: '60000' } });
      expect(r.code).toBe(1);
      expect(errorLines(r)).toEqual([expect.stringMatching(/^backup: backup failed, nothing was stored \(no object, no manifest\): pg_dump failed \(exit 1\)/)]);
      expect(r.outputs['backup-id']).toBeUndefined();
      expect(await s3.listKeys(BUCKET, 'cut/')).toEqual([]);
      expectClean(r);
      // The same wrappers without the cut: a good backup, verified by pg_restore through the wrapper.
      const ok = await runStageBundle('backup', inputs({ 's3-prefix': 'uncut' }), { env: base });
      expect(ok.code).toBe(0);
      const lines = readFileSync(w.log, 'utf8').trim().split('\n');
      const runs = lines.filter((l) => !l.endsWith('--version'));
      expect(runs.map((l) => l.split('\t')[0])).toEqual(['pg_dump', 'pg_dump', 'pg_restore']);
      // pg_dump gets the password from PGPASSWORD; pg_restore --file=/dev/null needs no connection at all.
      expect(runs.map((l) => l.split('\t')[1])).toEqual(['env-has-password', 'env-has-password', '']);
      const all = lines.join('\n');
      for (const f of [PG_PASSWORD, encodeURIComponent(PG_PASSWORD), db.url]) expect(all).not.toContain(f);
      expect(all).not.toMatch(/postgres(ql)?:\/\//);
    } finally {
      w.cleanup();
    }
  });

  it('refuses pooler URLs', async () => {
    const pooled = db.url.replace('127.0.0.1', 'ep-cool-123-pooler.us-east-2.aws.neon.tech');
    const r = await runStageBundle('backup', inputs({ 'database-url': pooled }), { env: env() });
    expect(r.code).toBe(1);
    expect(errorLines(r)[0]).toMatch(/Input 'database-url' got ".*:\*\*\*@ep-cool-123-pooler.*"; expected a direct \(unpooled\) URL: .*-pooler/);
    expect(leakedForms(r, { plain: [PG_PASSWORD], urls: [pooled] })).toEqual([]);
  });

  it('restores `latest` into a database with confirm, and prune keeps the newest verified backup', async () => {
    const target = await createDatabase('bk_bundle_target');
    try {
      // An unverified backup after the verified one from the first test: `latest` must skip it.
      const unverified = await runStageBundle('backup', inputs({ verify: 'none' }), { env: env(), context: undefined });
      expect(unverified.code).toBe(0);
      await query(target.url, 'create table old_stuff (id int)');
      const r = await runStageBundle(
        'backup',
        inputs({ mode: 'restore', 'database-url': target.url, 'backup-id': 'latest', confirm: target.name }),
        { env: env() },
      );
      expect(errorLines(r)).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.outputs['restored-from']).toMatch(/^\d{8}T\d{6}Z-0123456-4242$/);
      expect(r.outputs['restored-from']).not.toBe(unverified.outputs['backup-id']);
      expect(r.outputs['backup-id']).toBeTruthy(); // the safety snapshot
      expect(await query(target.url, 'select count(*)::int as n from events')).toEqual([{ n: 3000 }]);
      // pg_restore --clean drops what the dump contains; objects only the target has are left alone.
      expect(await query(target.url, `select to_regclass('old_stuff')::text as t`)).toEqual([{ t: 'old_stuff' }]);
      expect(r.summary).toMatch(/public\.events \| 3000/);
      expect(leakedForms(r, { plain: [PG_PASSWORD], urls: [db.url, target.url] })).toEqual([]);

      const before = (await s3.listKeys(BUCKET, 'shipgate/staging/')).filter((k) => k.endsWith('manifest.json'));
      expect(before.length).toBe(3);
      const p = await runStageBundle('backup', { mode: 'prune', 's3-bucket': BUCKET, 's3-endpoint': s3.endpoint, environment: 'staging', 'retention-keep-last': '1' }, { env: env() });
      expect(errorLines(p)).toEqual([]);
      expect(p.code).toBe(0);
      const after = (await s3.listKeys(BUCKET, 'shipgate/staging/')).filter((k) => k.endsWith('manifest.json'));
      // Kept: the newest (the safety snapshot) and the newest verified backup (what `latest` restored).
      expect(after.length).toBe(2);
      expect(after.some((k) => k.includes(`/${r.outputs['restored-from']}/`))).toBe(true);
      expect(after.some((k) => k.includes(`/${r.outputs['backup-id']}/`))).toBe(true);
      expect(await s3.listKeys(BUCKET, `shipgate/staging/`)).toHaveLength(4);
    } finally {
      await target.drop();
    }
  });
});

/**
 * Acceptance paths of the PostgreSQL backup against the real test cluster and s3rver: round trip, killed dump,
 * corrupted object, confirm, and argv/log hygiene.
 */
import { ENV, PG_PASSWORD, createDatabase, query, schemaDump, type TestDatabase } from '../support/postgres.js';
import { startS3, type S3Server } from '../support/s3.js';
import { backupPostgres, tableCounts, verifyRead, type PgBackupRequest } from '../../src/backup/pg.js';
import { createHash } from 'node:crypto';
import { restoreBackup } from '../../src/backup/restore.js';
import { listManifests, type Manifest } from '../../src/backup/catalog.js';
import { S3BackupStore } from '../../src/backup/store.js';
import { makePorts, seed, type TestPorts } from './helpers.js';

const BUCKET = 'backups';
let s3: S3Server;
let source: TestDatabase;

beforeAll(async () => {
  s3 = await startS3();
  await s3.createBucket(BUCKET);
  source = await createDatabase('bk_src');
  await seed(source.url, { payloadBytes: 96 });
});

afterAll(async () => {
  await source?.drop();
  await s3?.stop();
});

function request(over: Partial<PgBackupRequest> = {}): PgBackupRequest {
  return {
    databaseUrl: source.url,
    environment: 'production',
    prefix: 'shipgate',
    kind: 'backup',
    verify: 'read',
    schemas: [],
    excludeSchemas: [],
    pgDumpArgs: [],
    ...over,
  };
}

/** Every argv and log line must be free of the cluster password in all its forms. */
function expectNoPassword(t: TestPorts): void {
  const forms = [PG_PASSWORD, encodeURIComponent(PG_PASSWORD), Buffer.from(PG_PASSWORD).toString('base64')];
  expect(t.runner.spawned.length).toBeGreaterThan(0);
  for (const s of t.runner.spawned) {
    for (const f of forms) expect(s.args.join(' ')).not.toContain(f);
  }
  const logs = t.logger.records.map((r) => r.message).join('\n');
  for (const f of forms) expect(logs).not.toContain(f);
}

describe('PostgreSQL backup to s3rver', () => {
  it('backs up a seeded database, verifies it by a restore drill, and restores it into a fresh database identically', async () => {
    const drill = await createDatabase('bk_drill');
    const target = await createDatabase('bk_target');
    // A raw masker-less logger would show leaks: register nothing, so the log check below is honest.
    const t = makePorts(s3, BUCKET);
    try {
      const expectedCounts = await tableCounts(source.url);
      expect(Object.values(expectedCounts).reduce((a, b) => a + b, 0)).toBe(100_000);
      const { manifest, manifestKey } = await backupPostgres(request({ verify: 'restore', verifyDatabaseUrl: drill.url }), t.ports);
      // Manifest written last, beside the dump, with the fields the issue lists.
      const keys = await s3.listKeys(BUCKET, 'shipgate/production/');
      expect(keys).toEqual([manifest.object.key, manifestKey].sort());
      expect(manifest.object.key).toMatch(/^shipgate\/production\/\d{4}\/\d{2}\/\d{2}\/\d{8}T\d{6}Z-0123456-4242\/dump\.pgdump$/);
      const stored = JSON.parse((await s3.getObject(BUCKET, manifestKey)).toString()) as Manifest;
      expect(stored).toEqual(manifest);
      expect(stored.database.url).not.toContain(encodeURIComponent(PG_PASSWORD));
      expect(stored.database.url).toContain('***');
      expect(stored.verification).toMatchObject({ level: 'restore', result: 'passed' });
      expect(stored.tables).toEqual(expectedCounts);
      expect(stored.tool.major).toBe(Number((await query(source.url, 'show server_version_num'))[0].server_version_num) / 10000 | 0);
      expect(stored.restore.command).toContain('pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error');
      expect(stored.git.sha).toBe('0123456789abcdef0123456789abcdef01234567');
      const body = await s3.getObject(BUCKET, manifest.object.key);
      expect(body.length).toBe(manifest.object.size);
      expect((await import('node:crypto')).createHash('sha256').update(body).digest('hex')).toBe(manifest.object.sha256);
      expect(await tableCounts(drill.url)).toEqual(expectedCounts);

      const restored = await restoreBackup(
        { databaseUrl: target.url, environment: 'production', prefix: 'shipgate', backupId: 'latest', confirm: target.name, safetySnapshot: true },
        t.ports,
      );
      expect(restored.restoredFrom.id).toBe(manifest.id);
      expect(restored.tables).toEqual(expectedCounts);
      expect(await tableCounts(target.url)).toEqual(expectedCounts);
      expect(await schemaDump(target.url)).toBe(await schemaDump(source.url));
      // The safety snapshot is stored too, but `latest` still means the newest verified *backup*.
      expect(restored.snapshot?.manifest.kind).toBe('safety-snapshot');
      const entries = await listManifests(t.ports.store, 'shipgate', 'production');
      expect(entries.map((e) => e.manifest.kind).sort()).toEqual(['backup', 'safety-snapshot']);
      // pg_restore ran with the documented flags, credentials only in the environment.
      const pgRestore = t.runner.spawned.filter((s) => s.command.endsWith('pg_restore') && s.args.includes('--clean'));
      expect(pgRestore.length).toBe(2);
      for (const s of pgRestore) {
        expect(s.args.slice(0, 5)).toEqual(['--clean', '--if-exists', '--no-owner', '--single-transaction', '--exit-on-error']);
      }
      const dumps = t.runner.spawned.filter((s) => s.command.endsWith('pg_dump') && !s.args.includes('--version'));
      expect(dumps.length).toBe(2);
      for (const d of dumps) expect(d.env.PGPASSWORD).toBe(PG_PASSWORD);
      expectNoPassword(t);
    } finally {
      await Promise.all([drill.drop(), target.drop()]);
    }
  });

  it('pg_dump killed mid-stream: fails, and leaves no object and no manifest under the prefix', async () => {
    const t = makePorts(s3, BUCKET);
    // Record every S3 call the upload makes (s3rver answers AbortMultipartUpload with 405 Method Not Allowed).
    const client = s3.client();
    const calls: { command: string; key?: string; status?: number }[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const key = (args.input as { Key?: string }).Key;
        try {
          const r = await next(args);
          calls.push({ command: context.commandName!, key, status: (r.response as { statusCode?: number }).statusCode });
          return r;
        } catch (err) {
          calls.push({ command: context.commandName!, key, status: (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode });
          throw err;
        }
      },
      { step: 'initialize', name: 'recordCalls' },
    );
    t.ports.store = new S3BackupStore(client, BUCKET);
    // 5 MiB parts and an uncompressed dump (~8 MiB): the kill lands after the first part was uploaded.
    t.runner.killDumpAfterBytes = 6 * 1024 * 1024;
    await expect(backupPostgres(request({ prefix: 'killed', partSize: 5 * 1024 * 1024, pgDumpArgs: ['--compress=0'] }), t.ports)).rejects.toThrow(
      /backup failed, nothing was stored \(no object, no manifest\): pg_dump failed \(killed by SIGKILL\)/,
    );
    expect(await s3.listKeys(BUCKET, 'killed/')).toEqual([]);
    const names = calls.map((c) => c.command);
    expect(names).toContain('CreateMultipartUploadCommand');
    expect(calls.filter((c) => c.command === 'UploadPartCommand' && c.status === 200).length).toBeGreaterThanOrEqual(1);
    expect(names).not.toContain('CompleteMultipartUploadCommand');
    expect(names).not.toContain('PutObjectCommand');
    // The abort is attempted (s3rver refuses it with 405; its parts stay in its private uploads/ folder, never listed).
    expect(calls.filter((c) => c.command === 'AbortMultipartUploadCommand').map((c) => c.status)).toContain(405);
    // The same run without the kill is big enough for several parts and does complete.
    const ok = makePorts(s3, BUCKET);
    const { manifest } = await backupPostgres(request({ prefix: 'unkilled', partSize: 5 * 1024 * 1024, pgDumpArgs: ['--compress=0'] }), ok.ports);
    expect(manifest.object.size).toBeGreaterThan(6 * 1024 * 1024);
    expectNoPassword(t);
  });

  it('refuses a stored object with one byte changed, before touching the target', async () => {
    const t = makePorts(s3, BUCKET);
    const target = await createDatabase('bk_corrupt');
    try {
      await query(target.url, `create table keep_me (id int primary key, v text); insert into keep_me select g, 'v' || g from generate_series(1, 50) g`);
      const before = { schema: await schemaDump(target.url), counts: await tableCounts(target.url) };
      const { manifest } = await backupPostgres(request({ prefix: 'corrupt', verify: 'none' }), t.ports);
      const bytes = await s3.getObject(BUCKET, manifest.object.key);
      bytes[Math.floor(bytes.length / 2)] ^= 0x01;
      await s3.putObject(BUCKET, manifest.object.key, bytes);
      await expect(
        restoreBackup({ databaseUrl: target.url, environment: 'production', prefix: 'corrupt', backupId: manifest.id, confirm: target.name, safetySnapshot: true }, t.ports),
      ).rejects.toThrow(/sha256 mismatch .*refusing to restore it, nothing was changed/);
      expect(await schemaDump(target.url)).toBe(before.schema);
      expect(await tableCounts(target.url)).toEqual(before.counts);
      // No safety snapshot either: nothing was done to the target.
      expect((await s3.listKeys(BUCKET, 'corrupt/')).filter((k) => k.endsWith('manifest.json'))).toHaveLength(1);
    } finally {
      await target.drop();
    }
  });

  it('verify: read catches a truncated dump through pg_restore --file=/dev/null even when its sha256 is consistent', async () => {
    const t = makePorts(s3, BUCKET);
    const { manifest } = await backupPostgres(request({ prefix: 'trunc', verify: 'read' }), t.ports);
    const tools = await t.ports.pgTools(manifest.tool.major!);
    const whole = await s3.getObject(BUCKET, manifest.object.key);
    // The intact object passes.
    await expect(verifyRead(t.ports, tools, manifest.object.key, { sha256: manifest.object.sha256, size: manifest.object.size })).resolves.toBeUndefined();
    // Cut at 60 %: `pg_restore --list` would still read the table of contents; reading every block fails.
    const cut = whole.subarray(0, Math.floor(whole.length * 0.6));
    await s3.putObject(BUCKET, manifest.object.key, cut);
    const listed = await t.ports.processes.run(tools.pgRestore, ['--list'], { stdin: (await import('node:stream')).Readable.from([cut]) });
    expect(listed.code).toBe(0);
    await expect(
      verifyRead(t.ports, tools, manifest.object.key, { sha256: createHash('sha256').update(cut).digest('hex'), size: cut.length }),
    ).rejects.toThrow(/pg_restore could not read the stored dump \(exit 1\)/);
  });

  it('verify: restore catches a dump that lost table data, and then keeps neither the dump nor a manifest', async () => {
    const drill = await createDatabase('bk_drill_bad');
    const t = makePorts(s3, BUCKET);
    try {
      await expect(
        backupPostgres(request({ prefix: 'drill-bad', verify: 'restore', verifyDatabaseUrl: drill.url, pgDumpArgs: ['--exclude-table-data=public.order_items'] }), t.ports),
      ).rejects.toThrow(/verification of the backup failed, so it was deleted .*public\.order_items: 0 rows, expected 25000/);
      expect(await s3.listKeys(BUCKET, 'drill-bad/')).toEqual([]);
    } finally {
      await drill.drop();
    }
  });

  it('refuses a restore without confirm or with the wrong database name', async () => {
    const t = makePorts(s3, BUCKET);
    const target = await createDatabase('bk_confirm');
    try {
      await query(target.url, 'create table untouched (id int)');
      const base = { databaseUrl: target.url, environment: 'production', prefix: 'shipgate', backupId: 'latest' };
      await expect(restoreBackup({ ...base }, t.ports)).rejects.toThrow(/restore refused: confirm must name the target database/);
      await expect(restoreBackup({ ...base, confirm: source.name }, t.ports)).rejects.toThrow(/restore refused: confirm is .* but the target database is/);
      expect(t.runner.spawned).toEqual([]);
      expect(await tableCounts(target.url)).toEqual({ 'public.untouched': 0 });
    } finally {
      await target.drop();
    }
  });

  it('reads the server major and uses pg_dump of exactly that major', async () => {
    const t = makePorts(s3, BUCKET);
    const { manifest } = await backupPostgres(request({ prefix: 'major', verify: 'none', schemas: ['public'], excludeSchemas: [] }), t.ports);
    const num = Number((await query(source.url, 'show server_version_num'))[0].server_version_num);
    expect(manifest.tool.major).toBe(Math.floor(num / 10000));
    expect(manifest.database.serverVersionNum).toBe(num);
    expect(manifest.tool.flags).toEqual(['--format=custom', '--schema=public']);
    expect(process.env[ENV.bin]).toBeDefined();
  });
});

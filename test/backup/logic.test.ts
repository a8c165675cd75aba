/** Backup logic with fakes of its own ports: inputs, client location/installation, streaming guard, progress, catalog, prune. */
import { PassThrough, Readable } from 'node:stream';
import { Inputs, mapInputSource } from '../../src/lib/inputs.js';
import { InputError } from '../../src/lib/errors.js';
import { ManualClock } from '../../src/lib/clock.js';
import { RecordingLogger } from '../../src/lib/logger.js';
import { Masker } from '../../src/lib/secrets.js';
import type { ProcessResult, ProcessRunner, RunningProcess, SpawnOptions } from '../../src/lib/process.js';
import { readBackupSettings } from '../../src/backup/inputs.js';
import { aptInstaller, locatePgTools, parseClientVersion, type CachePort, type ToolHost } from '../../src/backup/pgtools.js';
import { guardedUpload, Progress } from '../../src/backup/stream.js';
import { MAX_PARTS, partSizeFor, type BackupStore, type UploadOptions } from '../../src/backup/store.js';
import { backupIdFor, resolveBackup, type Manifest, type ManifestEntry } from '../../src/backup/catalog.js';
import { planPrune, pruneBackups } from '../../src/backup/prune.js';
import type { BackupPorts } from '../../src/backup/ports.js';
import { testContext } from './helpers.js';

const PW = "p!'()*@:/%w0rd";
const URL_OK = `postgres://app:${encodeURIComponent(PW)}@db.example.com:5432/shop`;

function read(values: Record<string, string>): ReturnType<typeof readBackupSettings> {
  return readBackupSettings(new Inputs(mapInputSource({ 's3-bucket': 'my-backups', ...values }), new Masker()));
}

function inputFailure(values: Record<string, string>): string {
  try {
    read(values);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error('expected an input error');
}

describe('inputs', () => {
  it('reads a backup with defaults', () => {
    const s = read({ 'database-url': URL_OK });
    expect(s).toMatchObject({ mode: 'backup', environment: 'production', verify: 'read', store: { bucket: 'my-backups', prefix: 'shipgate' }, safetySnapshot: true, artifact: false });
  });

  it('refuses pooler URLs, without showing the password', () => {
    const msg = inputFailure({ 'database-url': `postgres://app:${encodeURIComponent(PW)}@ep-x-123-pooler.eu-central-1.aws.neon.tech/shop` });
    expect(msg).toMatch(/^Input 'database-url' got ".*"; expected a direct \(unpooled\) URL: host .*-pooler/);
    expect(msg).not.toContain(PW);
    expect(msg).not.toContain(encodeURIComponent(PW));
    expect(inputFailure({ 'database-url': 'postgres://u:secretpw@aws-0-eu.pooler.supabase.com:6543/postgres' })).toMatch(/6543/);
  });

  it('requires confirm = the target database name for restore', () => {
    expect(inputFailure({ mode: 'restore', 'database-url': URL_OK, 'backup-id': 'latest' })).toBe(
      `Input 'confirm' got nothing; expected the target database's name ("shop") to confirm that it is overwritten.`,
    );
    expect(inputFailure({ mode: 'restore', 'database-url': URL_OK, 'backup-id': 'latest', confirm: 'Shop' })).toMatch(/^Input 'confirm' got "Shop"/);
    expect(read({ mode: 'restore', 'database-url': URL_OK, 'backup-id': 'latest', confirm: 'shop' }).confirm).toBe('shop');
    expect(inputFailure({ mode: 'restore', 'database-url': URL_OK, confirm: 'shop' })).toMatch(/^Input 'backup-id' got nothing/);
  });

  it('refuses connection and output options in pg-dump-args, and a verify drill without a scratch database', () => {
    expect(inputFailure({ 'database-url': URL_OK, 'pg-dump-args': '--no-comments\n--host=evil' })).toMatch(/^Input 'pg-dump-args' got "--host=evil"/);
    expect(inputFailure({ 'database-url': URL_OK, 'pg-dump-args': '-f/tmp/x' })).toMatch(/^Input 'pg-dump-args' got "-f\/tmp\/x"/);
    expect(read({ 'database-url': URL_OK, 'pg-dump-args': '--no-comments\n-Z 1' }).pgDumpArgs).toEqual(['--no-comments', '-Z 1']);
    expect(inputFailure({ 'database-url': URL_OK, verify: 'restore' })).toMatch(/^Input 'verify-database-url' got nothing/);
    expect(inputFailure({ 'database-url': URL_OK, verify: 'restore', 'verify-database-url': URL_OK })).toMatch(/not the database being backed up/);
  });

  it('validates bucket, prefix, sse, retention and mode', () => {
    expect(inputFailure({ 'database-url': URL_OK, 's3-bucket': 'Bad_Bucket' })).toMatch(/^Input 's3-bucket'/);
    expect(inputFailure({ 'database-url': URL_OK, 's3-prefix': '../up' })).toMatch(/^Input 's3-prefix'/);
    expect(inputFailure({ 'database-url': URL_OK, 's3-sse': 'kms' })).toMatch(/^Input 's3-sse' got "kms"; expected AES256 or aws:kms/);
    expect(inputFailure({ 'database-url': URL_OK, 's3-kms-key-id': 'k' })).toMatch(/^Input 's3-kms-key-id'/);
    expect(inputFailure({ mode: 'prune' })).toMatch(/^Input 'retention-keep-last' got nothing/);
    expect(read({ mode: 'prune', 'retention-days': '14' }).retentionDays).toBe(14);
    expect(inputFailure({ mode: 'copy' })).toMatch(/^Input 'mode' got "copy"; expected one of backup\|restore\|list\|prune/);
    expect(read({ mode: 'list' }).databaseUrl).toBeUndefined();
  });
});

/** A ProcessRunner answering `--version` from a table, recording every call. */
class FakeRunner implements ProcessRunner {
  calls: { command: string; args: string[] }[] = [];
  constructor(
    private readonly versions: Record<string, string>,
    private readonly onRun: (command: string, args: string[]) => ProcessResult = () => ({ code: 0, signal: null, stdout: '', stderr: '' }),
  ) {}
  spawn(command: string, args: string[]): RunningProcess {
    this.calls.push({ command, args });
    const result: ProcessResult =
      args[0] === '--version'
        ? this.versions[command]
          ? { code: 0, signal: null, stdout: this.versions[command], stderr: '' }
          : { code: 127, signal: null, stdout: '', stderr: 'not found' }
        : this.onRun(command, args);
    return { pid: 1, done: Promise.resolve(result), kill: () => undefined };
  }
  run(command: string, args: string[], _o?: SpawnOptions): Promise<ProcessResult> {
    return this.spawn(command, args).done;
  }
}

function fakeHost(files: string[], os: string[] = ['ubuntu', 'debian'], path = ['/usr/bin']): ToolHost & { files: Set<string> } {
  const set = new Set(files);
  return {
    files: set,
    exists: (p) => set.has(p),
    listDir: (d) => [...new Set([...set].filter((f) => f.startsWith(d + '/')).map((f) => f.slice(d.length + 1).split('/')[0]))],
    pathDirs: () => path,
    osIds: () => os,
  };
}

describe('pg_dump matched to the server major', () => {
  it('parses client versions', () => {
    expect(parseClientVersion('pg_dump (PostgreSQL) 17.2 (Ubuntu 17.2-1.pgdg24.04+1)')).toEqual({ major: 17, version: '17.2' });
    expect(parseClientVersion('pg_dump (PostgreSQL) 9.6.24')).toEqual({ major: 9, version: '9.6' });
    expect(parseClientVersion('nonsense')).toBeUndefined();
  });

  it('picks the server major from PATH or /usr/lib/postgresql/<N>/bin, never a different major', async () => {
    const host = fakeHost(['/usr/bin/pg_dump', '/usr/bin/pg_restore', '/usr/lib/postgresql/16/bin/pg_dump', '/usr/lib/postgresql/16/bin/pg_restore', '/usr/lib/postgresql/17/bin/pg_dump', '/usr/lib/postgresql/17/bin/pg_restore']);
    const runner = new FakeRunner({
      '/usr/bin/pg_dump': 'pg_dump (PostgreSQL) 16.4',
      '/usr/lib/postgresql/16/bin/pg_dump': 'pg_dump (PostgreSQL) 16.4',
      '/usr/lib/postgresql/17/bin/pg_dump': 'pg_dump (PostgreSQL) 17.2',
    });
    await expect(locatePgTools(17, runner, host)).resolves.toEqual({
      major: 17,
      version: '17.2',
      pgDump: '/usr/lib/postgresql/17/bin/pg_dump',
      pgRestore: '/usr/lib/postgresql/17/bin/pg_restore',
      binDir: '/usr/lib/postgresql/17/bin',
    });
    await expect(locatePgTools(16, runner, host)).resolves.toMatchObject({ pgDump: '/usr/bin/pg_dump' });
  });

  it('fails fast with what it found when the major is missing and it cannot install', async () => {
    const host = fakeHost(['/usr/bin/pg_dump', '/usr/bin/pg_restore'], ['alpine']);
    const runner = new FakeRunner({ '/usr/bin/pg_dump': 'pg_dump (PostgreSQL) 16.4' });
    let installed = false;
    await expect(locatePgTools(18, runner, host, async () => void (installed = true))).rejects.toThrow(
      /pg_dump 18 is needed for this PostgreSQL 18 server .*found only 16\.4 \(\/usr\/bin\)\. Install postgresql-client-18/,
    );
    expect(installed).toBe(false);
  });

  it('installs postgresql-client-<N> from PGDG on Debian/Ubuntu (Neon recipe) and caches the .deb files', async () => {
    const host = fakeHost(['/usr/bin/pg_dump', '/usr/bin/pg_restore']);
    const saved: string[] = [];
    const cache: CachePort = { restore: async () => false, save: async (_p, key) => void saved.push(key) };
    const runner = new FakeRunner({ '/usr/bin/pg_dump': 'pg_dump (PostgreSQL) 16.4' }, (command, args) => {
      const all = [command, ...args];
      if (all.includes('postgresql-client-17')) {
        // apt leaves the .deb files in the cache directory and installs the binaries.
        host.files.add('/tmp/shipgate-test-debs-17/postgresql-client-17_17.2-1_amd64.deb');
        host.files.add('/usr/lib/postgresql/17/bin/pg_dump');
        host.files.add('/usr/lib/postgresql/17/bin/pg_restore');
        (runner as unknown as { versions: Record<string, string> }).versions['/usr/lib/postgresql/17/bin/pg_dump'] = 'pg_dump (PostgreSQL) 17.2';
      }
      return { code: 0, signal: null, stdout: '', stderr: '' };
    });
    const logger = new RecordingLogger();
    const install = aptInstaller({ processes: runner, cache, logger, host, debDir: (m) => `/tmp/shipgate-test-debs-${m}`, sudo: ['sudo', '-n'], arch: 'x64' });
    const tools = await locatePgTools(17, runner, host, install);
    expect(tools.pgDump).toBe('/usr/lib/postgresql/17/bin/pg_dump');
    const commands = runner.calls.filter((c) => c.args[0] !== '--version').map((c) => [c.command, ...c.args].join(' '));
    expect(commands).toEqual([
      'sudo -n apt-get update -qq',
      'sudo -n apt-get install -y --no-install-recommends postgresql-common',
      'sudo -n /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y',
      'sudo -n apt-get install -y --no-install-recommends -o Dir::Cache::archives=/tmp/shipgate-test-debs-17 postgresql-client-17',
    ]);
    expect(saved).toEqual(['shipgate-postgresql-client-17-ubuntu-debian-x64-v1']);
  });

  it('installs from the cache when it hits, without the network', async () => {
    const host = fakeHost(['/tmp/shipgate-test-debs-18/postgresql-client-18_18.1_amd64.deb', '/tmp/shipgate-test-debs-18/libpq5_18.1_amd64.deb']);
    const cache: CachePort = { restore: async () => true, save: async () => undefined };
    const runner = new FakeRunner({});
    await aptInstaller({ processes: runner, cache, logger: new RecordingLogger(), host, debDir: (m) => `/tmp/shipgate-test-debs-${m}`, sudo: [], arch: 'x64' })(18);
    expect(runner.calls.map((c) => [c.command, ...c.args].join(' '))).toEqual([
      'apt-get install -y --no-install-recommends /tmp/shipgate-test-debs-18/postgresql-client-18_18.1_amd64.deb /tmp/shipgate-test-debs-18/libpq5_18.1_amd64.deb',
    ]);
  });

  it('reports a failed install as one clear error', async () => {
    const host = fakeHost([]);
    const runner = new FakeRunner({}, (c, a) => ({ code: a.includes('update') ? 100 : 0, signal: null, stdout: '', stderr: 'E: Could not open lock file' }));
    const install = aptInstaller({ processes: runner, logger: new RecordingLogger(), host, debDir: () => '/tmp/shipgate-test-debs-x', sudo: [], arch: 'x64' });
    await expect(locatePgTools(17, runner, host, install)).rejects.toThrow(/installing postgresql-client-17 failed: apt-get update failed \(exit 100\): E: Could not open lock file/);
  });
});

/** An in-memory store that behaves like lib-storage for the guard: buffers the body, stores only when it ends cleanly. */
class MemoryStore implements BackupStore {
  readonly bucket = 'mem';
  objects = new Map<string, Buffer>();
  failUpload?: Error;
  deleteRefusals = new Set<string>();
  uri(key: string): string {
    return `s3://mem/${key}`;
  }
  async upload(key: string, body: Readable, _o: UploadOptions): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of body) {
      chunks.push(c as Buffer);
      if (this.failUpload) throw this.failUpload;
    }
    this.objects.set(key, Buffer.concat(chunks));
  }
  async putText(key: string, text: string): Promise<void> {
    this.objects.set(key, Buffer.from(text));
  }
  async getStream(key: string): Promise<Readable> {
    return Readable.from([this.objects.get(key)!]);
  }
  async getText(key: string): Promise<string> {
    return this.objects.get(key)!.toString();
  }
  async list(prefix: string) {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort().map((key) => ({ key, size: this.objects.get(key)!.length }));
  }
  async exists(key: string): Promise<boolean> {
    return this.objects.has(key);
  }
  async delete(key: string): Promise<void> {
    if (this.deleteRefusals.has(key)) throw Object.assign(new Error('Access Denied because object protected by object lock.'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    this.objects.delete(key);
  }
}

describe('guarded upload', () => {
  it('stores the object, with its sha256, only after the producer succeeded', async () => {
    const store = new MemoryStore();
    const source = new PassThrough();
    let ok!: () => void;
    const succeeded = new Promise<void>((r) => (ok = r));
    const up = guardedUpload(store, 'k', source, succeeded, { partSize: 8 << 20 });
    source.write(Buffer.from('hello '));
    source.end(Buffer.from('world'));
    await new Promise((r) => setTimeout(r, 20));
    expect(store.objects.has('k')).toBe(false);
    ok();
    await expect(up).resolves.toEqual({ size: 11, sha256: '' + (await import('node:crypto')).createHash('sha256').update('hello world').digest('hex') });
    expect(store.objects.get('k')?.toString()).toBe('hello world');
  });

  it('a producer that fails after writing everything leaves no object', async () => {
    const store = new MemoryStore();
    const source = new PassThrough();
    const failed = new Promise<void>((_, rej) => source.on('end', () => rej(new Error('pg_dump failed (exit 1)'))));
    const up = guardedUpload(store, 'k', source, failed, { partSize: 8 << 20 });
    source.end(Buffer.alloc(1000, 1));
    await expect(up).rejects.toThrow('pg_dump failed (exit 1)');
    expect(store.objects.size).toBe(0);
  });

  it('an empty dump is refused', async () => {
    const store = new MemoryStore();
    const source = new PassThrough();
    source.end();
    await expect(guardedUpload(store, 'k', source, Promise.resolve(), { partSize: 8 << 20 })).rejects.toThrow(/empty/);
    expect(store.objects.size).toBe(0);
  });

  it('an upload failure stops the producer and reports the upload', async () => {
    const store = new MemoryStore();
    store.failUpload = Object.assign(new Error('SlowDown'), { name: 'SlowDown' });
    const source = new PassThrough();
    let killed = false;
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    const up = guardedUpload(store, 'k', source, done, { partSize: 8 << 20, abortProducer: () => ((killed = true), finish()) });
    source.write(Buffer.alloc(10));
    await expect(up).rejects.toThrow(/upload to s3:\/\/mem\/k failed: SlowDown/);
    expect(killed).toBe(true);
    expect(store.objects.size).toBe(0);
  });
});

describe('progress and part size', () => {
  it('logs at most one progress line per 5 s, with bytes and MB/s', () => {
    const clock = new ManualClock(0);
    const logger = new RecordingLogger();
    const p = new Progress('dumped', clock, logger);
    for (let i = 0; i < 100; i++) {
      clock.advance(1000);
      p.add(10_000_000);
    }
    const lines = logger.of('info').map((r) => r.message);
    expect(lines).toHaveLength(20);
    expect(lines[0]).toBe('dumped: 47.7 MiB (10.0 MB/s)');
  });

  it('sizes parts so 10,000 parts hold four times the database, from 8 MiB to 5 GiB', () => {
    expect(partSizeFor(0)).toBe(8 * 1024 * 1024);
    const tib = 1024 ** 4;
    const ps = partSizeFor(tib);
    expect(ps * MAX_PARTS).toBeGreaterThanOrEqual(4 * tib);
    expect(ps % (1024 * 1024)).toBe(0);
    expect(partSizeFor(100 * tib)).toBe(5 * 1024 ** 3);
    // The lib-storage default (5 MiB) caps an object at ~48.8 GiB; 60 GiB databases get room for 240 GiB.
    expect(partSizeFor(60 * 1024 ** 3) * MAX_PARTS).toBeGreaterThan(240 * 1024 ** 3);
  });
});

function entry(id: string, createdAt: string, over: Partial<Manifest> = {}): ManifestEntry {
  const key = `shipgate/production/${createdAt.slice(0, 4)}/${createdAt.slice(5, 7)}/${createdAt.slice(8, 10)}/${id}/manifest.json`;
  return {
    key,
    manifest: {
      id,
      kind: 'backup',
      createdAt,
      git: { sha: id.split('-')[1] + '0'.repeat(33), ref: '', runId: '', runAttempt: '', runUrl: '', repository: '' },
      object: { bucket: 'mem', key: key.replace('manifest.json', 'dump.pgdump'), uri: '', size: 1, sha256: 'x', partSize: 1 },
      verification: { level: 'read', result: 'passed', detail: '' },
      ...over,
    } as Manifest,
  };
}

describe('catalog and prune', () => {
  const a = entry('20260101T000000Z-aaaaaaa-1', '2026-01-01T00:00:00.000Z');
  const b = entry('20260102T000000Z-bbbbbbb-2', '2026-01-02T00:00:00.000Z');
  const c = entry('20260103T000000Z-ccccccc-3', '2026-01-03T00:00:00.000Z', { verification: { level: 'none', result: 'skipped', detail: '' } });
  const d = entry('20260104T000000Z-ddddddd-4', '2026-01-04T00:00:00.000Z', { kind: 'safety-snapshot' });

  it('ids sort by time and resolve by id, latest verified, or git sha', () => {
    expect(backupIdFor(Date.parse('2026-03-04T05:06:07Z'), '0123456789abcdef', '99')).toBe('20260304T050607Z-0123456-99');
    expect(backupIdFor(0, '', '')).toBe('19700101T000000Z-nosha00-local');
    const all = [a, b, c, d];
    expect(resolveBackup(all, 'latest', 'production')).toBe(b);
    expect(resolveBackup(all, c.manifest.id, 'production')).toBe(c);
    expect(resolveBackup(all, 'aaaaaaa', 'production')).toBe(a);
    expect(() => resolveBackup(all, 'eeeeeee', 'production')).toThrow(/backup eeeeeee not found under environment production \(4 backup\(s\) there\)/);
    expect(() => resolveBackup([c, d], 'latest', 'production')).toThrow(/no verified backup/);
  });

  it('keeps the newest N and/or those younger than D days, and always the newest verified backup', () => {
    const now = Date.parse('2026-01-04T12:00:00Z');
    const ids = (x: ManifestEntry[]) => x.map((e) => e.manifest.id.slice(17, 24));
    expect(ids(planPrune([a, b, c, d], { prefix: '', environment: '', keepLast: 1 }, now).keep)).toEqual(['ddddddd', 'bbbbbbb']);
    expect(ids(planPrune([a, b, c, d], { prefix: '', environment: '', keepLast: 1 }, now).remove)).toEqual(['ccccccc', 'aaaaaaa']);
    expect(ids(planPrune([a, b, c, d], { prefix: '', environment: '', retentionDays: 2 }, now).keep)).toEqual(['ddddddd', 'ccccccc', 'bbbbbbb']);
    expect(ids(planPrune([a, b, c, d], { prefix: '', environment: '', retentionDays: 0, keepLast: 2 }, now).keep)).toEqual(['ddddddd', 'ccccccc', 'bbbbbbb']);
    expect(ids(planPrune([a, c, d], { prefix: '', environment: '', retentionDays: 0 }, now).keep)).toEqual(['aaaaaaa']);
  });

  it('tolerates object-lock refusals: the locked backup is kept whole and reported, the rest is pruned', async () => {
    const store = new MemoryStore();
    for (const e of [a, b, c, d]) {
      await store.putText(e.key, JSON.stringify(e.manifest));
      store.objects.set(e.manifest.object.key, Buffer.from('dump'));
    }
    store.deleteRefusals.add(a.manifest.object.key);
    const logger = new RecordingLogger();
    const ports = { store, logger, clock: new ManualClock(Date.parse('2026-01-05T00:00:00Z')), context: testContext() } as unknown as BackupPorts;
    const r = await pruneBackups({ prefix: 'shipgate', environment: 'production', keepLast: 1 }, ports);
    expect(r.deleted.map((e) => e.manifest.id)).toEqual([c.manifest.id]);
    expect(r.refused.map((x) => x.entry.manifest.id)).toEqual([a.manifest.id]);
    expect(r.refused[0].reason).toMatch(/refused \(object lock or policy\)/);
    expect([...store.objects.keys()].sort()).toEqual([a.key, a.manifest.object.key, b.key, b.manifest.object.key, d.key, d.manifest.object.key].sort());
    expect(logger.of('warning')[0].message).toMatch(/kept 20260101T000000Z-aaaaaaa-1/);
  });
});

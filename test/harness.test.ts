/** The test harness itself: the shared PostgreSQL cluster, per-test databases, schema dumps and in-process S3. */
import { ListObjectsV2Command, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import pg from 'pg';
import {
  ENV,
  PG_PASSWORD,
  createDatabase,
  normalizeDump,
  query,
  schemaDumpCommand,
  schemaDump,
  urlFor,
} from './support/postgres.js';
import { startS3, type S3Server } from './support/s3.js';

describe('postgres harness', () => {
  const url = (): string => process.env[ENV.url]!;

  it('publishes the cluster through env vars', () => {
    expect(process.env[ENV.password]).toBe(PG_PASSWORD);
    expect(PG_PASSWORD).toMatch(/[!'()*@:/%]/);
    expect(url()).toBe(`postgres://postgres:${encodeURIComponent(PG_PASSWORD)}@127.0.0.1:${process.env[ENV.port]}/postgres`);
    expect(process.env[ENV.bin]).toMatch(/bin$/);
  });

  it('accepts the sentinel password over TCP with SCRAM', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: Number(process.env[ENV.port]), user: 'postgres', password: PG_PASSWORD, database: 'postgres' });
    await client.connect();
    try {
      const { rows } = await client.query<{ method: string }>(
        `SELECT (SELECT auth_method FROM pg_hba_file_rules WHERE type = 'host' LIMIT 1) AS method`,
      );
      expect(rows[0].method).toBe('scram-sha-256');
    } finally {
      await client.end();
    }
    await expect(query(url(), 'SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });

  it('rejects a wrong password', async () => {
    const bad = new URL(url());
    bad.password = 'wrong';
    await expect(query(bad.toString(), 'SELECT 1')).rejects.toThrow(/password authentication failed/);
  });

  it('createDatabase gives isolated databases and drop() removes them', async () => {
    const [a, b] = await Promise.all([createDatabase('iso'), createDatabase('iso')]);
    try {
      expect(a.name).toMatch(/^t_iso_[0-9a-f]+$/);
      expect(a.name).not.toBe(b.name);
      expect(a.url).toBe(urlFor(a.name));
      await query(a.url, 'CREATE TABLE only_in_a (id int)');
      await expect(query(a.url, 'SELECT current_database() AS db')).resolves.toEqual([{ db: a.name }]);
      await expect(query(b.url, 'SELECT * FROM only_in_a')).rejects.toThrow(/does not exist/);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
    const left = await query(url(), 'SELECT datname FROM pg_database WHERE datname = ANY($1)', [[a.name, b.name]]);
    expect(left).toEqual([]);
  });

  it('schemaDump returns the schema without comments or \\restrict keys', async () => {
    const db = await createDatabase('dump');
    try {
      await query(db.url, 'CREATE TABLE widgets (id bigint PRIMARY KEY, name text NOT NULL)');
      const dump = await schemaDump(db.url);
      expect(dump).toContain('CREATE TABLE public.widgets (');
      expect(dump).toMatch(/name text NOT NULL/);
      expect(dump).not.toMatch(/^--/m);
      expect(dump).not.toMatch(/^\\(un)?restrict/m);
      expect(await schemaDump(db.url)).toBe(dump);
    } finally {
      await db.drop();
    }
  });

  it('schemaDump passes credentials through the environment, never argv', () => {
    const dbUrl = urlFor('some_db');
    const { file, args, env } = schemaDumpCommand(dbUrl, '/pg/bin');
    expect(file).toBe('/pg/bin/pg_dump');
    expect(args).toEqual(['--schema-only', '--no-owner', '--no-privileges']);
    const argv = [file, ...args].join(' ');
    for (const secret of [PG_PASSWORD, encodeURIComponent(PG_PASSWORD), dbUrl, 'w0rd']) expect(argv).not.toContain(secret);
    expect(env).toMatchObject({ PGPASSWORD: PG_PASSWORD, PGUSER: 'postgres', PGHOST: '127.0.0.1', PGDATABASE: 'some_db' });
  });

  it('normalizeDump drops \\restrict lines and comments', () => {
    const raw = '--\n-- PostgreSQL database dump\n--\n\\restrict abc123\nSET x = 1;\n\n\n\nCREATE TABLE t ();\n\\unrestrict abc123\n';
    expect(normalizeDump(raw)).toBe('SET x = 1;\n\nCREATE TABLE t ();\n');
  });
});

describe('s3 harness', () => {
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startS3();
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('round-trips put/get/list', async () => {
    expect(s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await s3.createBucket('roundtrip');
    await s3.putObject('roundtrip', 'backups/a.dump', Buffer.from('alpha'));
    await s3.putObject('roundtrip', 'backups/b.dump', 'beta');
    await s3.putObject('roundtrip', 'other/c.txt', 'gamma');
    expect((await s3.getObject('roundtrip', 'backups/a.dump')).toString()).toBe('alpha');
    expect(await s3.listKeys('roundtrip', 'backups/')).toEqual(['backups/a.dump', 'backups/b.dump']);
    expect(await s3.listKeys('roundtrip')).toHaveLength(3);
  });

  it('lists past one page (listKeys and a ListObjectsV2 paginator)', async () => {
    await s3.createBucket('many');
    const keys = Array.from({ length: 1105 }, (_, i) => `k/${String(i).padStart(5, '0')}`);
    const client = s3.client();
    for (let i = 0; i < keys.length; i += 100) {
      await Promise.all(keys.slice(i, i + 100).map((k) => s3.putObject('many', k, 'x')));
    }
    expect(await s3.listKeys('many')).toEqual(keys);

    const paged: string[] = [];
    for await (const page of paginateListObjectsV2({ client, pageSize: 400 }, { Bucket: 'many', Prefix: 'k/' })) {
      paged.push(...(page.Contents ?? []).map((o) => o.Key!));
    }
    expect(paged).toEqual(keys);

    const first = await client.send(new ListObjectsV2Command({ Bucket: 'many', MaxKeys: 2, StartAfter: keys[10] }));
    expect(first.Contents?.map((o) => o.Key)).toEqual([keys[11], keys[12]]);
    expect(first.IsTruncated).toBe(true);
    expect(first.KeyCount).toBe(2);
    client.destroy();
  });
});

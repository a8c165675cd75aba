/**
 * The MongoDB backup and restore logic through its MongoConnector port, with an in-memory stand-in for the
 * driver's client (no MongoDB server can run here): archive streamed to s3rver, manifest, read verification
 * (sha256 + CRC-64 + counts), restore into another database with indexes. The format against a real
 * server and mongorestore is covered by mongo.test.ts when MONGODB_URI is set.
 */
import { BSON, type MongoClient } from 'mongodb';
import { gunzipSync } from 'node:zlib';
import { startS3, type S3Server } from '../support/s3.js';
import { backupMongo } from '../../src/backup/mongo.js';
import { restoreBackup } from '../../src/backup/restore.js';
import { readArchive } from '../../src/backup/mongo-archive.js';
import { makePorts } from './helpers.js';

interface FakeCollection {
  docs: Buffer[];
  indexes: Record<string, unknown>[];
  options: Record<string, unknown>;
}

/** Just the driver surface backup/mongo.ts uses, over a map of databases. */
function fakeMongo(data: Map<string, Map<string, FakeCollection>>): MongoClient {
  const dbOf = (name: string) => {
    if (!data.has(name)) data.set(name, new Map());
    return data.get(name)!;
  };
  const collection = (dbName: string, name: string) => {
    const get = () => dbOf(dbName).get(name);
    return {
      listIndexes: () => ({ toArray: async () => get()?.indexes ?? [] }),
      find: () =>
        (async function* () {
          for (const d of get()?.docs ?? []) yield new Uint8Array(d);
        })(),
      drop: async () => {
        if (!dbOf(dbName).delete(name)) throw new Error('ns not found');
      },
      insertMany: async (docs: Record<string, unknown>[]) => {
        get()!.docs.push(...docs.map((d) => Buffer.from(BSON.serialize(d))));
      },
      createIndexes: async (specs: Record<string, unknown>[]) => {
        get()!.indexes.push(...specs.map((s) => ({ v: 2, ...s })));
      },
    };
  };
  const db = (name: string) => ({
    command: async () => ({ version: '7.0.14' }),
    stats: async () => ({ dataSize: 12345 }),
    listCollections: () => ({
      toArray: async () => [...dbOf(name)].map(([n, c]) => ({ name: n, type: 'collection', options: c.options, info: { readOnly: false } })),
    }),
    collection: (c: string) => collection(name, c),
    createCollection: async (c: string, options: Record<string, unknown>) => {
      dbOf(name).set(c, { docs: [], indexes: [{ v: 2, key: { _id: 1 }, name: '_id_' }], options });
    },
    admin: () => ({ listDatabases: async () => ({ databases: [...data.keys()].map((n) => ({ name: n })) }) }),
  });
  return { db, close: async () => undefined } as unknown as MongoClient;
}

let s3: S3Server;
beforeAll(async () => {
  s3 = await startS3();
  await s3.createBucket('mongo-fake');
});
afterAll(async () => s3?.stop());

describe('MongoDB backup logic (driver stand-in)', () => {
  it('streams a gzip archive to S3 with a manifest, verifies it, and restores it with indexes into another database', async () => {
    const users = Array.from({ length: 1200 }, (_, i) => ({ _id: i, email: `u${i}@x.test`, score: i % 17 }));
    const data = new Map([
      [
        'shop',
        new Map<string, FakeCollection>([
          ['users', { docs: users.map((u) => Buffer.from(BSON.serialize(u))), indexes: [{ v: 2, key: { _id: 1 }, name: '_id_' }, { v: 2, key: { email: 1 }, name: 'email_1', unique: true }], options: {} }],
          ['audit', { docs: [], indexes: [{ v: 2, key: { _id: 1 }, name: '_id_' }], options: { capped: true, size: 4096 } }],
          ['system.views', { docs: [], indexes: [], options: {} }],
        ]),
      ],
    ]);
    const t = makePorts(s3, 'mongo-fake');
    const urls: string[] = [];
    t.ports.mongo = async (url) => (urls.push(url), fakeMongo(data));
    const { manifest, manifestKey } = await backupMongo({ databaseUrl: 'mongodb://app:s3cret@db.example:27017/shop', environment: 'production', prefix: 'm', verify: 'read' }, t.ports);
    expect(manifest).toMatchObject({ engine: 'mongodb', format: 'mongodump archive', compression: 'gzip', tables: { 'shop.users': 1200, 'shop.audit': 0 } });
    expect(manifest.verification).toMatchObject({ level: 'read', result: 'passed' });
    expect(manifest.database.url).toBe('mongodb://app:***@db.example:27017/shop');
    expect(manifest.restore.command).toContain('mongorestore');
    expect(manifest.object.key.endsWith('/dump.archive.gz')).toBe(true);
    expect(await s3.listKeys('mongo-fake', 'm/')).toEqual([manifest.object.key, manifestKey].sort());

    // The stored object is a gzip mongodump archive with both collections (system.* skipped) and their metadata.
    const events = [];
    for await (const ev of readArchive([gunzipSync(await s3.getObject('mongo-fake', manifest.object.key))])) if (ev.kind !== 'document') events.push(ev);
    const colls = events.filter((e) => e.kind === 'collection').map((e) => (e.kind === 'collection' ? e.meta : undefined)!);
    expect(colls.map((c) => c.collection)).toEqual(['audit', 'users']);
    expect(JSON.parse(colls[0].metadata).options).toEqual({ capped: true, size: { $numberInt: '4096' } });

    const r = await restoreBackup({ databaseUrl: 'mongodb://app:s3cret@db.example:27017/copy', environment: 'production', prefix: 'm', backupId: 'latest', confirm: 'copy', safetySnapshot: true }, t.ports);
    expect(r.tables).toEqual({ 'copy.audit': 0, 'copy.users': 1200 });
    // The (empty) target was snapshotted first; `latest` still means the newest verified backup.
    expect(r.snapshot?.manifest).toMatchObject({ kind: 'safety-snapshot', tables: {}, verification: { result: 'passed' } });
    expect(r.restoredFrom.id).toBe(manifest.id);
    const copy = data.get('copy')!;
    expect(copy.get('users')!.docs.map((d) => BSON.deserialize(d))).toEqual(users);
    expect(copy.get('users')!.indexes.map((i) => i.name)).toEqual(['_id_', 'email_1']);
    // Values keep their BSON types (Int32 stays Int32); compared here as relaxed Extended JSON.
    const relaxed = (v: unknown) => JSON.parse(BSON.EJSON.stringify(v as never, { relaxed: true }));
    expect(relaxed(copy.get('users')!.indexes[1])).toEqual({ v: 2, key: { email: 1 }, name: 'email_1', unique: true });
    expect(relaxed(copy.get('audit')!.options)).toEqual({ capped: true, size: 4096 });
    // A PostgreSQL target refuses a MongoDB backup before anything happens.
    await expect(
      restoreBackup({ databaseUrl: 'postgres://u:p@localhost:1/x', environment: 'production', prefix: 'm', backupId: 'latest', confirm: 'x' }, t.ports),
    ).rejects.toThrow(/is a mongodb backup and the target is not; nothing was changed/);
    expect(t.logger.text()).not.toContain('s3cret');
  });
});

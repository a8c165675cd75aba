/**
 * MongoDB backup and restore against a real server. No MongoDB server can run on this machine: the tests run
 * when MONGODB_URI is set (the GitHub CI workflow provides a mongo service) and otherwise say so visibly.
 */
import { MongoClient } from 'mongodb';
import { startS3, type S3Server } from '../support/s3.js';
import { backupMongo } from '../../src/backup/mongo.js';
import { restoreBackup } from '../../src/backup/restore.js';
import { makePorts } from './helpers.js';

const MONGODB_URI = process.env.MONGODB_URI;

function withDb(uri: string, db: string): string {
  const u = new URL(uri);
  u.pathname = `/${db}`;
  return u.toString();
}

if (!MONGODB_URI) {
  describe('MongoDB integration', () => {
    it('is not run here: MONGODB_URI is not set', () => {
      console.log('backup/mongo: MongoDB integration tests not run: set MONGODB_URI (e.g. mongodb://127.0.0.1:27017) to run them');
      expect(process.env.MONGODB_URI).toBeUndefined();
    });
  });
} else {
  describe('MongoDB integration', () => {
    let s3: S3Server;
    let client: MongoClient;
    const suffix = Math.random().toString(16).slice(2, 8);
    const srcDb = `shipgate_src_${suffix}`;
    const dstDb = `shipgate_dst_${suffix}`;

    beforeAll(async () => {
      s3 = await startS3();
      await s3.createBucket('mongo');
      client = await MongoClient.connect(MONGODB_URI);
      const db = client.db(srcDb);
      await db.collection('users').insertMany(Array.from({ length: 3000 }, (_, i) => ({ n: i, email: `u${i}@x.test`, at: new Date(1_700_000_000_000 + i) })));
      await db.collection('users').createIndex({ email: 1 }, { unique: true });
      await db.collection<{ _id: number; total: number }>('orders').insertMany(Array.from({ length: 500 }, (_, i) => ({ _id: i, total: i * 3 })));
      await db.createCollection('empty');
    });

    afterAll(async () => {
      await client?.db(srcDb).dropDatabase().catch(() => undefined);
      await client?.db(dstDb).dropDatabase().catch(() => undefined);
      await client?.close();
      await s3?.stop();
    });

    it('backs up through the driver, verifies the archive, and restores it with indexes', async () => {
      const t = makePorts(s3, 'mongo');
      const { manifest } = await backupMongo({ databaseUrl: withDb(MONGODB_URI, srcDb), environment: 'production', prefix: 'm', verify: 'read' }, t.ports);
      expect(manifest.tables).toEqual({ [`${srcDb}.empty`]: 0, [`${srcDb}.orders`]: 500, [`${srcDb}.users`]: 3000 });
      expect(manifest.verification.result).toBe('passed');
      const r = await restoreBackup(
        { databaseUrl: withDb(MONGODB_URI, dstDb), environment: 'production', prefix: 'm', backupId: manifest.id, confirm: dstDb, safetySnapshot: true },
        t.ports,
      );
      expect(r.tables).toEqual({ [`${dstDb}.empty`]: 0, [`${dstDb}.orders`]: 500, [`${dstDb}.users`]: 3000 });
      const dst = client.db(dstDb);
      expect(await dst.collection('users').countDocuments()).toBe(3000);
      const idx = await dst.collection('users').listIndexes().toArray();
      expect(idx.find((i) => i.name === 'email_1')?.unique).toBe(true);
      expect(await dst.collection('orders').findOne({ _id: 42 as never })).toEqual({ _id: 42, total: 126 });
    });
  });
}

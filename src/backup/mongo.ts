/**
 * MongoDB backup without the MongoDB tools: the driver reads raw BSON and collection/index metadata, written
 * as a gzip-compressed mongodump archive (restorable with `mongorestore --archive --gzip --drop`), streamed
 * through the same guarded upload as pg_dump. Shipgate's own restore reads the archive back (CRC-checked),
 * inserts in batches and recreates indexes.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { BSON, type Document, type MongoClient } from 'mongodb';
import { StageError, errorMessage } from '../lib/errors.js';
import { redactUrl } from '../lib/secrets.js';
import { MANIFEST_FILE, MANIFEST_SCHEMA_VERSION, backupDir, backupIdFor, type BackupKind, type Manifest } from './catalog.js';
import { readArchive, writeArchive, type ArchiveNamespace } from './mongo-archive.js';
import type { TableCounts, BackupResult } from './pg.js';
import type { BackupPorts } from './ports.js';
import { partSizeFor, queueSizeFor } from './store.js';
import { HashTap, Progress, formatBytes, guardedUpload } from './stream.js';

export const TOOL_VERSION = 'shipgate-mongo-archive 1';
const SKIP_DBS = new Set(['admin', 'local', 'config']);

export function mongoDbName(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  } catch {
    return '';
  }
}

function connector(ports: BackupPorts): NonNullable<BackupPorts['mongo']> {
  if (ports.mongo) return ports.mongo;
  return async (url: string) => {
    const { MongoClient } = await import('mongodb');
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 15_000, appName: 'shipgate-backup' });
    try {
      await client.connect();
    } catch (err) {
      throw new StageError(`cannot connect to ${redactUrl(url)}: ${errorMessage(err)}`);
    }
    return client;
  };
}

/** The namespaces of one database (or all user databases), with canonical-EJSON metadata and raw documents. */
async function namespaces(client: MongoClient, dbNames: string[]): Promise<ArchiveNamespace[]> {
  const out: ArchiveNamespace[] = [];
  for (const dbName of dbNames) {
    const db = client.db(dbName);
    const colls = await db.listCollections({}, { nameOnly: false }).toArray();
    colls.sort((a, b) => a.name.localeCompare(b.name));
    for (const c of colls) {
      const info = c as Document;
      const type = (info.type as string) ?? 'collection';
      if (c.name.startsWith('system.') && c.name !== 'system.js') continue;
      if (type === 'view') continue;
      const coll = db.collection(c.name);
      const indexes = await coll.listIndexes().toArray();
      const meta: Document = {
        options: info.options ?? {},
        indexes,
        collectionName: c.name,
        type,
      };
      if (info.info?.uuid) meta.uuid = Buffer.from((info.info.uuid as { buffer: Uint8Array }).buffer).toString('hex');
      out.push({
        db: dbName,
        collection: c.name,
        type,
        metadata: BSON.EJSON.stringify(meta, { relaxed: false }),
        documents: (async function* () {
          for await (const doc of coll.find({}, { raw: true, batchSize: 1000 })) yield doc as unknown as Uint8Array;
        })(),
      });
    }
  }
  return out;
}

export interface MongoBackupRequest {
  databaseUrl: string;
  environment: string;
  prefix: string;
  verify: 'read' | 'none' | 'restore';
  kind?: BackupKind;
  partSize?: number;
  encryption?: { sse?: string; kmsKeyId?: string };
}

export async function backupMongo(req: MongoBackupRequest, ports: BackupPorts): Promise<BackupResult> {
  const { store, logger, clock, context } = ports;
  const started = clock.now();
  const client = await connector(ports)(req.databaseUrl);
  try {
    const buildInfo = await client.db('admin').command({ buildInfo: 1 });
    const serverVersion = String(buildInfo.version ?? 'unknown');
    const dbName = mongoDbName(req.databaseUrl);
    const dbNames = dbName
      ? [dbName]
      : ((await client.db('admin').admin().listDatabases({ nameOnly: true })).databases.map((d) => d.name).filter((n) => !SKIP_DBS.has(n)) as string[]);
    const stats = dbName ? await client.db(dbName).stats().catch(() => ({ dataSize: 0 })) : { dataSize: 0 };
    const sizeBytes = Number((stats as Document).dataSize ?? 0);
    const id0 = backupIdFor(started, context.sha, context.runId);
    let id = id0;
    for (let n = 2; await store.exists(`${backupDir(req.prefix, req.environment, started, id)}${MANIFEST_FILE}`); n++) id = `${id0}-${n}`;
    const dir = backupDir(req.prefix, req.environment, started, id);
    const key = `${dir}dump.archive.gz`;
    const manifestKey = `${dir}${MANIFEST_FILE}`;
    const counts: TableCounts = {};
    const nss = await namespaces(client, dbNames);
    for (const ns of nss) {
      const docs = ns.documents;
      const name = `${ns.db}.${ns.collection}`;
      counts[name] = 0;
      ns.documents = (async function* () {
        for await (const d of docs as AsyncIterable<Uint8Array>) {
          counts[name]++;
          yield d;
        }
      })();
    }
    const archive = Readable.from(writeArchive({ serverVersion, toolVersion: TOOL_VERSION }, nss));
    const gzip = createGzip({ level: 6 });
    const produced = pipeline(archive, gzip).catch((err) => {
      throw new StageError(`reading MongoDB failed: ${errorMessage(err)}`);
    });
    const partSize = req.partSize ?? partSizeFor(sizeBytes);
    logger.info(`dumping ${dbNames.join(', ')} (MongoDB ${serverVersion}) to ${store.uri(key)}`);
    const progress = new Progress('dumped', clock, logger);
    let uploaded;
    try {
      uploaded = await guardedUpload(store, key, gzip, produced, { partSize, queueSize: queueSizeFor(partSize), contentType: 'application/gzip', progress, abortProducer: () => archive.destroy() });
    } catch (err) {
      throw new StageError(`backup failed, nothing was stored (no object, no manifest): ${errorMessage(err)}`, undefined, { cause: err });
    }
    let verification: Manifest['verification'] = { level: 'none', result: 'skipped', detail: 'verify: none' };
    if (req.verify !== 'none') {
      try {
        const seen = await verifyArchiveStream(await store.getStream(key), uploaded, ports);
        const diff = Object.entries(counts).filter(([n, c]) => seen[n] !== c);
        if (diff.length) throw new StageError(`document counts read back differ: ${diff.map(([n, c]) => `${n} ${seen[n]} vs ${c}`).join('; ')}`);
        verification = { level: 'read', result: 'passed', detail: 'sha256 matches; every namespace CRC-64 and document count checked' };
      } catch (err) {
        await store.delete(key).catch(() => undefined);
        throw new StageError(`verification of the backup failed, so it was deleted (no object, no manifest): ${errorMessage(err)}`, undefined, { cause: err });
      }
    }
    const finished = clock.now();
    const manifest: Manifest = {
      schemaVersion: MANIFEST_SCHEMA_VERSION,
      id,
      kind: req.kind ?? 'backup',
      engine: 'mongodb',
      environment: req.environment,
      createdAt: new Date(started).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      durationMs: finished - started,
      database: { url: redactUrl(req.databaseUrl), name: dbName || dbNames.join(','), serverVersion, sizeBytes },
      tool: { name: 'shipgate (mongodump archive format)', version: TOOL_VERSION, flags: ['--archive', '--gzip'] },
      format: 'mongodump archive',
      compression: 'gzip',
      encryption: { sse: req.encryption?.sse, kmsKeyId: req.encryption?.kmsKeyId },
      object: { bucket: store.bucket, key, uri: store.uri(key), size: uploaded.size, sha256: uploaded.sha256, partSize },
      git: { sha: context.sha, ref: context.ref, runId: context.runId, runAttempt: context.runAttempt, runUrl: context.runUrl, repository: context.repository },
      ledgerHead: null,
      tables: counts,
      verification,
      restore: {
        command: `aws s3 cp '${store.uri(key)}' - | mongorestore --uri="$MONGODB_URI" --archive --gzip --drop`,
        action: `mode: restore, backup-id: ${id}, environment: ${req.environment}, confirm: ${dbName}`,
      },
    };
    await store.putText(manifestKey, JSON.stringify(manifest, null, 2) + '\n');
    logger.info(`manifest ${store.uri(manifestKey)} written; backup ${id} is complete (${formatBytes(uploaded.size)})`);
    return { manifest, manifestKey };
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Read a gzip archive stream back: sha256 of the stored bytes, CRC-64 of every namespace; document counts. */
export async function verifyArchiveStream(stream: Readable, expected: { sha256: string; size: number }, ports: BackupPorts): Promise<TableCounts> {
  const tap = new HashTap(new Progress('verified', ports.clock, ports.logger));
  const gunzip = createGunzip();
  stream.on('error', (err) => tap.destroy(err));
  stream.pipe(tap).pipe(gunzip);
  const counts: TableCounts = {};
  for await (const ev of readArchive(gunzip)) if (ev.kind === 'eof') counts[`${ev.db}.${ev.collection}`] = ev.documents;
  if (tap.size !== expected.size || tap.digest() !== expected.sha256) {
    throw new StageError(`the stored object does not match what was uploaded (size ${tap.size} vs ${expected.size})`);
  }
  return counts;
}

/** Restore a verified archive file into the database named by `url`: drop, recreate, insert in batches, indexes. */
export async function restoreMongo(url: string, file: string, ports: BackupPorts): Promise<TableCounts> {
  const target = mongoDbName(url);
  const client = await connector(ports)(url);
  const counts: TableCounts = {};
  try {
    const metas = new Map<string, { options: Document; indexes: Document[] }>();
    let batch: Document[] = [];
    let current = '';
    const flush = async (): Promise<void> => {
      if (!batch.length) return;
      const [db, ...rest] = current.split('.');
      await client.db(target || db).collection(rest.join('.')).insertMany(batch, { ordered: true, bypassDocumentValidation: true });
      batch = [];
    };
    for await (const ev of readArchive(createReadStream(file).pipe(createGunzip()))) {
      if (ev.kind === 'collection') {
        const meta = BSON.EJSON.parse(ev.meta.metadata, { relaxed: false }) as { options?: Document; indexes?: Document[] };
        metas.set(`${ev.meta.db}.${ev.meta.collection}`, { options: meta.options ?? {}, indexes: meta.indexes ?? [] });
        const db = client.db(target || ev.meta.db);
        await db.collection(ev.meta.collection).drop().catch(() => undefined);
        await db.createCollection(ev.meta.collection, meta.options ?? {});
        counts[`${target || ev.meta.db}.${ev.meta.collection}`] = 0;
      } else if (ev.kind === 'document') {
        const ns = `${ev.db}.${ev.collection}`;
        if (ns !== current || batch.length >= 1000) {
          await flush();
          current = ns;
        }
        batch.push(BSON.deserialize(ev.bytes, { promoteValues: false }));
        counts[`${target || ev.db}.${ev.collection}`]++;
      } else if (ev.kind === 'eof') {
        await flush();
      }
    }
    await flush();
    for (const [ns, meta] of metas) {
      const [db, ...rest] = ns.split('.');
      const indexes = meta.indexes.filter((i) => i.name !== '_id_').map(({ v: _v, ns: _ns, ...spec }) => spec);
      if (indexes.length) await client.db(target || db).collection(rest.join('.')).createIndexes(indexes as never);
    }
    return counts;
  } finally {
    await client.close().catch(() => undefined);
  }
}

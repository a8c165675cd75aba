/**
 * mongodump's archive format (mongo-tools common/archive/spec.md), written and read without the MongoDB tools:
 *
 *   magic 0x8199E26D (little-endian: 6D E2 99 81)
 *   header BSON {concurrent_collections: int32, version: "0.1", server_version, tool_version}
 *   per collection: BSON {db, collection, metadata: <canonical Extended JSON>, size, type}
 *   terminator FF FF FF FF
 *   per namespace: segments of BSON {db, collection, EOF: false, CRC: int64 0} + raw BSON documents + FF FF FF FF,
 *   then BSON {db, collection, EOF: true, CRC: int64 CRC-64/XZ of every document byte} + FF FF FF FF
 *
 * The whole stream is gzip-compressed for `mongorestore --archive --gzip`.
 */
import { BSON, Long } from 'mongodb';

export const ARCHIVE_MAGIC = 0x8199e26d;
export const TERMINATOR = Buffer.from([0xff, 0xff, 0xff, 0xff]);
export const ARCHIVE_VERSION = '0.1';
/** Documents per segment are capped by bytes, like mongodump's multiplexer buffers. */
export const SEGMENT_BYTES = 16 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------------
// CRC-64/XZ (Go's crc64.ECMA table with inversion): reflected polynomial 0xC96C5795D7870F42, init and xorout ~0.
// Computed on two 32-bit halves (no BigInt in the loop).

const POLY_HI = 0xc96c5795;
const POLY_LO = 0xd7870f42;
const TABLE_HI = new Uint32Array(256);
const TABLE_LO = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let hi = 0;
  let lo = i;
  for (let k = 0; k < 8; k++) {
    const lsb = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi = hi >>> 1;
    if (lsb) {
      hi = (hi ^ POLY_HI) >>> 0;
      lo = (lo ^ POLY_LO) >>> 0;
    }
  }
  TABLE_HI[i] = hi;
  TABLE_LO[i] = lo;
}

/** Incremental CRC-64/XZ. */
export class Crc64 {
  private hi = 0xffffffff;
  private lo = 0xffffffff;
  update(data: Uint8Array): this {
    let hi = this.hi;
    let lo = this.lo;
    for (let i = 0; i < data.length; i++) {
      const idx = (lo ^ data[i]) & 0xff;
      const nlo = ((lo >>> 8) | ((hi & 0xff) << 24)) >>> 0;
      const nhi = hi >>> 8;
      lo = (nlo ^ TABLE_LO[idx]) >>> 0;
      hi = (nhi ^ TABLE_HI[idx]) >>> 0;
    }
    this.hi = hi;
    this.lo = lo;
    return this;
  }
  /** Unsigned 64-bit value. */
  digest(): bigint {
    return (BigInt((~this.hi) >>> 0) << 32n) | BigInt((~this.lo) >>> 0);
  }
}

export function crc64(data: Uint8Array): bigint {
  return new Crc64().update(data).digest();
}

/** The CRC as the archive stores it (Go int64). */
export function crcLong(crc: bigint): Long {
  return Long.fromBigInt(BigInt.asIntN(64, crc));
}

// ---------------------------------------------------------------------------------------------------------------
// Writer

export interface ArchiveHeader {
  serverVersion: string;
  toolVersion: string;
  concurrentCollections?: number;
}

export interface ArchiveNamespace {
  db: string;
  collection: string;
  /** Canonical Extended JSON: {options, indexes, uuid?, collectionName, type}. */
  metadata: string;
  type?: string;
  /** Raw BSON documents. */
  documents: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

function int32LE(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

function bson(doc: Record<string, unknown>): Buffer {
  return Buffer.from(BSON.serialize(doc));
}

/**
 * The archive as a sequence of Buffers. Documents are validated as BSON frames (length prefix matches), so a
 * corrupt driver buffer cannot poison the archive; every namespace gets its EOF block with the CRC.
 */
export async function* writeArchive(header: ArchiveHeader, namespaces: ArchiveNamespace[], segmentBytes = SEGMENT_BYTES): AsyncGenerator<Buffer> {
  yield int32LE(ARCHIVE_MAGIC);
  yield bson({
    concurrent_collections: header.concurrentCollections ?? 1,
    version: ARCHIVE_VERSION,
    server_version: header.serverVersion,
    tool_version: header.toolVersion,
  });
  for (const ns of namespaces) {
    yield bson({ db: ns.db, collection: ns.collection, metadata: ns.metadata, size: 0, type: ns.type ?? 'collection' });
  }
  yield TERMINATOR;
  for (const ns of namespaces) {
    const crc = new Crc64();
    let open = false;
    let bytesInSegment = 0;
    for await (const doc of ns.documents) {
      const buf = Buffer.isBuffer(doc) ? doc : Buffer.from(doc.buffer, doc.byteOffset, doc.byteLength);
      if (buf.length < 5 || buf.readInt32LE(0) !== buf.length) throw new Error(`invalid BSON document in ${ns.db}.${ns.collection}`);
      if (!open) {
        yield bson({ db: ns.db, collection: ns.collection, EOF: false, CRC: Long.fromInt(0) });
        open = true;
        bytesInSegment = 0;
      }
      crc.update(buf);
      // Copy: the driver may reuse the buffer it handed out.
      yield Buffer.from(buf);
      bytesInSegment += buf.length;
      if (bytesInSegment >= segmentBytes) {
        yield TERMINATOR;
        open = false;
      }
    }
    if (open) yield TERMINATOR;
    yield bson({ db: ns.db, collection: ns.collection, EOF: true, CRC: crcLong(crc.digest()) });
    yield TERMINATOR;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reader

export interface CollectionMetadata {
  db: string;
  collection: string;
  metadata: string;
  size: number;
  type: string;
}

export type ArchiveEvent =
  | { kind: 'header'; header: { concurrent_collections: number; version: string; server_version: string; tool_version: string } }
  | { kind: 'collection'; meta: CollectionMetadata }
  | { kind: 'document'; db: string; collection: string; bytes: Buffer }
  | { kind: 'eof'; db: string; collection: string; crc: bigint; documents: number };

/** Pulls exact byte counts out of a (async) stream of chunks, without quadratic copying. */
class ByteReader {
  private buf = Buffer.alloc(0);
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly it: AsyncIterator<Buffer | Uint8Array | string> | Iterator<Buffer | Uint8Array | string>;
  private done = false;
  constructor(source: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>) {
    this.it = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (source as Iterable<Buffer>)[Symbol.iterator]();
  }
  private async fill(n: number): Promise<boolean> {
    while (this.buf.length + this.pendingBytes < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else {
        const b = Buffer.from(r.value as Uint8Array);
        this.pending.push(b);
        this.pendingBytes += b.length;
      }
    }
    if (this.pending.length) {
      this.buf = Buffer.concat([this.buf, ...this.pending]);
      this.pending = [];
      this.pendingBytes = 0;
    }
    return this.buf.length >= n;
  }
  async read(n: number, what: string): Promise<Buffer> {
    if (!(await this.fill(n))) throw new Error(`archive truncated: expected ${n} bytes for ${what}, ${this.buf.length} left`);
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }
  async peekInt32(what: string): Promise<number> {
    if (!(await this.fill(4))) throw new Error(`archive truncated: expected ${what}`);
    return this.buf.readInt32LE(0);
  }
  async atEnd(): Promise<boolean> {
    return !(await this.fill(1));
  }
}

async function readBson(r: ByteReader, what: string): Promise<Buffer> {
  const len = await r.peekInt32(what);
  if (len < 5 || len > 48 * 1024 * 1024) throw new Error(`archive corrupt: ${what} has BSON length ${len}`);
  return Buffer.from(await r.read(len, what));
}

/**
 * Parse an (uncompressed) archive, checking the magic number, the structure, and every namespace's CRC-64.
 * Throws "CRC mismatch for namespace <db.coll>" like mongorestore.
 */
export async function* readArchive(source: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>): AsyncGenerator<ArchiveEvent> {
  const r = new ByteReader(source);
  const magic = (await r.read(4, 'the magic number')).readUInt32LE(0);
  if (magic !== ARCHIVE_MAGIC) throw new Error(`not a mongodump archive (magic 0x${magic.toString(16)})`);
  const header = BSON.deserialize(await readBson(r, 'the header')) as Extract<ArchiveEvent, { kind: 'header' }>['header'];
  yield { kind: 'header', header };
  const known = new Map<string, { crc: Crc64; documents: number; eof: boolean }>();
  for (;;) {
    if ((await r.peekInt32('collection metadata')) === -1) {
      await r.read(4, 'terminator');
      break;
    }
    const d = BSON.deserialize(await readBson(r, 'collection metadata'), { promoteLongs: true }) as CollectionMetadata;
    known.set(`${d.db}.${d.collection}`, { crc: new Crc64(), documents: 0, eof: false });
    yield { kind: 'collection', meta: { db: d.db, collection: d.collection, metadata: d.metadata, size: Number(d.size ?? 0), type: d.type ?? 'collection' } };
  }
  while (!(await r.atEnd())) {
    const h = BSON.deserialize(await readBson(r, 'namespace header'), { useBigInt64: true }) as {
      db: string;
      collection: string;
      EOF: boolean;
      CRC: bigint;
    };
    const name = `${h.db}.${h.collection}`;
    const state = known.get(name);
    if (!state) throw new Error(`archive corrupt: data for ${name}, which has no metadata`);
    if (state.eof) throw new Error(`archive corrupt: data for ${name} after its EOF block`);
    if (h.EOF) {
      const expected = BigInt.asUintN(64, BigInt(h.CRC));
      const actual = state.crc.digest();
      if (expected !== actual) throw new Error(`CRC mismatch for namespace ${name}: archive says ${expected.toString(16)}, data is ${actual.toString(16)}`);
      if ((await r.peekInt32('terminator')) !== -1) throw new Error(`archive corrupt: no terminator after the EOF block of ${name}`);
      await r.read(4, 'terminator');
      state.eof = true;
      yield { kind: 'eof', db: h.db, collection: h.collection, crc: actual, documents: state.documents };
      continue;
    }
    for (;;) {
      if ((await r.peekInt32('document or terminator')) === -1) {
        await r.read(4, 'terminator');
        break;
      }
      const doc = await readBson(r, `a document of ${name}`);
      state.crc.update(doc);
      state.documents++;
      yield { kind: 'document', db: h.db, collection: h.collection, bytes: doc };
    }
  }
  const open = [...known].filter(([, s]) => !s.eof).map(([n]) => n);
  if (open.length) throw new Error(`archive truncated: no EOF block for ${open.join(', ')}`);
}

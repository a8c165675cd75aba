/**
 * The mongodump archive writer, read back by an independent reader written here from the format description
 * (mongo-tools common/archive/spec.md), with its own bit-by-bit BigInt CRC-64; plus CRC test vectors and the
 * project's own reader on good and damaged archives.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { BSON, Long, ObjectId } from 'mongodb';
import { Crc64, crc64, crcLong, readArchive, writeArchive, type ArchiveNamespace } from '../../src/backup/mongo-archive.js';

/** CRC-64/XZ, bit by bit with BigInt: reflected ECMA-182 polynomial, init and final XOR all ones. */
function referenceCrc64(data: Uint8Array): bigint {
  const poly = 0xc96c5795d7870f42n;
  const mask = 0xffffffffffffffffn;
  let crc = mask;
  for (const byte of data) {
    crc ^= BigInt(byte);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return crc ^ mask;
}

interface ParsedArchive {
  header: Record<string, unknown>;
  collections: Record<string, unknown>[];
  segments: { db: string; collection: string; eof: boolean; crc: bigint; docs: Buffer[] }[];
}

/** An independent, strict parser of an uncompressed archive (no code shared with src/backup). */
function parseArchive(buf: Buffer): ParsedArchive {
  let off = 0;
  const int32 = (): number => buf.readInt32LE(off);
  const take = (n: number): Buffer => {
    if (off + n > buf.length) throw new Error('truncated');
    const b = buf.subarray(off, off + n);
    off += n;
    return b;
  };
  const doc = (): Buffer => take(int32());
  expect(take(4)).toEqual(Buffer.from([0x6d, 0xe2, 0x99, 0x81]));
  const header = BSON.deserialize(doc());
  const collections: Record<string, unknown>[] = [];
  while (int32() !== -1) collections.push(BSON.deserialize(doc(), { promoteLongs: false }));
  take(4);
  const segments: ParsedArchive['segments'] = [];
  while (off < buf.length) {
    const h = BSON.deserialize(doc(), { promoteLongs: false }) as { db: string; collection: string; EOF: boolean; CRC: Long };
    expect(Long.isLong(h.CRC)).toBe(true);
    const seg = { db: h.db, collection: h.collection, eof: h.EOF, crc: BigInt.asUintN(64, h.CRC.toBigInt()), docs: [] as Buffer[] };
    if (!h.EOF) while (int32() !== -1) seg.docs.push(Buffer.from(doc()));
    expect(take(4).readInt32LE(0)).toBe(-1);
    segments.push(seg);
  }
  return { header, collections, segments };
}

function rawDocs(docs: Record<string, unknown>[]): Buffer[] {
  return docs.map((d) => Buffer.from(BSON.serialize(d)));
}

async function archiveBytes(namespaces: ArchiveNamespace[], segmentBytes?: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of writeArchive({ serverVersion: '7.0.14', toolVersion: 'test' }, namespaces, segmentBytes)) chunks.push(c);
  return Buffer.concat(chunks);
}

const users = Array.from({ length: 2500 }, (_, i) => ({ _id: new ObjectId(), n: i, name: `user ${i}`, tags: ['a', 'b'].slice(0, i % 3), when: new Date(1_700_000_000_000 + i) }));
const orders = Array.from({ length: 300 }, (_, i) => ({ _id: i, total: Long.fromNumber(i * 100), note: 'x'.repeat(i % 50) }));
const meta = (name: string, indexes: Record<string, unknown>[]) =>
  BSON.EJSON.stringify({ options: {}, indexes: [{ v: 2, key: { _id: 1 }, name: '_id_' }, ...indexes], collectionName: name, type: 'collection' }, { relaxed: false });

function namespaces(): ArchiveNamespace[] {
  return [
    { db: 'shop', collection: 'users', metadata: meta('users', [{ v: 2, key: { name: 1 }, name: 'name_1', unique: true }]), documents: rawDocs(users) },
    { db: 'shop', collection: 'orders', metadata: meta('orders', []), documents: rawDocs(orders) },
    { db: 'shop', collection: 'empty', metadata: meta('empty', []), documents: [] },
  ];
}

describe('CRC-64/XZ', () => {
  it('matches the published check value and an independent bitwise implementation', () => {
    expect(crc64(Buffer.from('123456789'))).toBe(0x995dc9bbdf1939fan);
    expect(crc64(Buffer.alloc(0))).toBe(0n);
    const random = Buffer.from(Array.from({ length: 4099 }, (_, i) => (i * 7919 + (i >> 3)) & 0xff));
    expect(crc64(random)).toBe(referenceCrc64(random));
    // Incremental updates equal one pass.
    expect(new Crc64().update(random.subarray(0, 1000)).update(random.subarray(1000)).digest()).toBe(referenceCrc64(random));
    // Stored as Go int64: values with the top bit set become negative and round-trip.
    expect(crcLong(0x995dc9bbdf1939fan).isNegative()).toBe(true);
    expect(BigInt.asUintN(64, crcLong(0x995dc9bbdf1939fan).toBigInt())).toBe(0x995dc9bbdf1939fan);
  });
});

describe('mongodump archive writer', () => {
  it('is read back by an independent reader: magic, header, metadata, documents in order, EOF blocks with correct CRCs', async () => {
    const bytes = await archiveBytes(namespaces());
    // gzip round trip, as mongorestore --archive --gzip reads it
    const parsed = parseArchive(gunzipSync(gzipSync(bytes)));
    expect(parsed.header).toEqual({ concurrent_collections: 1, version: '0.1', server_version: '7.0.14', tool_version: 'test' });
    expect(parsed.collections.map((c) => [c.db, c.collection, c.type])).toEqual([
      ['shop', 'users', 'collection'],
      ['shop', 'orders', 'collection'],
      ['shop', 'empty', 'collection'],
    ]);
    const usersMeta = BSON.EJSON.parse(parsed.collections[0].metadata as string, { relaxed: false }) as { indexes: { name: string; v: unknown }[] };
    expect(usersMeta.indexes.map((i) => i.name)).toEqual(['_id_', 'name_1']);
    expect((parsed.collections[0].metadata as string)).toContain('{"$numberInt":"2"}'); // canonical Extended JSON
    for (const [name, docs] of [['users', users], ['orders', orders], ['empty', []]] as const) {
      const segs = parsed.segments.filter((s) => s.collection === name);
      const data = segs.filter((s) => !s.eof);
      const eof = segs.filter((s) => s.eof);
      expect(eof).toHaveLength(1);
      expect(segs.at(-1)?.eof).toBe(true);
      const all = data.flatMap((s) => s.docs);
      expect(all.map((d) => BSON.deserialize(d))).toEqual(docs.map((d) => BSON.deserialize(BSON.serialize(d))));
      expect(eof[0].crc).toBe(referenceCrc64(Buffer.concat(all)));
      for (const s of data) expect(s.crc).toBe(0n);
    }
  });

  it("is read by the project's reader, which rejects a flipped document byte (CRC mismatch) and a truncated archive", async () => {
    const bytes = await archiveBytes(namespaces());
    const counts: Record<string, number> = {};
    for await (const ev of readArchive([bytes])) if (ev.kind === 'eof') counts[`${ev.db}.${ev.collection}`] = ev.documents;
    expect(counts).toEqual({ 'shop.users': 2500, 'shop.orders': 300, 'shop.empty': 0 });

    // Flip a byte inside a string value of the last users document (BSON framing stays valid).
    const damaged = Buffer.from(bytes);
    const needle = Buffer.from('user 2499');
    const at = damaged.indexOf(needle);
    expect(at).toBeGreaterThan(0);
    damaged[at + needle.length - 1] ^= 0x01;
    const drain = async (b: Buffer[]): Promise<void> => {
      for await (const _ of readArchive(b)) void _;
    };
    await expect(drain([damaged])).rejects.toThrow(/CRC mismatch for namespace shop\.users/);
    await expect(drain([bytes.subarray(0, bytes.length - 40)])).rejects.toThrow(/truncated|no EOF block/);
    await expect(drain([Buffer.from([1, 2, 3, 4]), bytes.subarray(4)])).rejects.toThrow(/not a mongodump archive/);
  });

  it('splits large collections into several segments with one CRC over all of them', async () => {
    const big = Array.from({ length: 40 }, (_, i) => ({ _id: i, blob: Buffer.alloc(6_000, i) }));
    const bytes = await archiveBytes([{ db: 'd', collection: 'big', metadata: meta('big', []), documents: rawDocs(big) }], 50_000);
    const parsed = parseArchive(bytes);
    const data = parsed.segments.filter((s) => !s.eof);
    expect(data.length).toBe(5);
    expect(parsed.segments.at(-1)!.crc).toBe(referenceCrc64(Buffer.concat(data.flatMap((s) => s.docs))));
    expect(data.flatMap((s) => s.docs)).toHaveLength(40);
  });
});

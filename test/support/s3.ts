/**
 * In-process S3-compatible server for tests: s3rver 3.7.1 on a free loopback port, storing into a temp directory.
 *
 * Finding on truncated ListObjectsV2 (checked on Node 20.20 / OpenSSL 3.0): s3rver encrypts V2 continuation tokens
 * with DES (`crypto.createCipheriv('des', ...)`), which OpenSSL 3 only provides through its legacy provider. Without
 * `--openssl-legacy-provider` (NODE_OPTIONS or node flag) every *truncated* V2 listing (more than MaxKeys, i.e. more
 * than 1000 keys by default) fails with HTTP 500 "error:0308010C:digital envelope routines::unsupported"; untruncated
 * listings and V1 ListObjects (Marker pagination) work either way. The legacy provider can't be loaded at runtime, so
 * rather than requiring the flag this module:
 *   - makes listKeys() page with V1 ListObjects + Marker (no DES involved), so it works for any number of keys;
 *   - when DES is unavailable, wraps s3rver's GET Bucket handler (installListV2Shim) to serve ListObjectsV2 through
 *     its V1 code path with our own base64 continuation tokens, so code under test that paginates with
 *     ListObjectsV2 / paginateListObjectsV2 works without the flag too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCipheriv } from 'node:crypto';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  S3Client,
  type PutObjectCommandInput,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';

/** A running in-process S3 server. */
export interface S3Server {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  region: 'us-east-1';
  accessKeyId: 'S3RVER';
  secretAccessKey: 'S3RVER';
  /** A new S3Client for this server (path-style addressing). */
  client(): S3Client;
  createBucket(name: string): Promise<void>;
  /** Every key in `bucket` (optionally under `prefix`), in key order, across all pages. */
  listKeys(bucket: string, prefix?: string): Promise<string[]>;
  getObject(bucket: string, key: string): Promise<Buffer>;
  putObject(bucket: string, key: string, body: PutObjectCommandInput['Body']): Promise<void>;
  /** Close the server and remove its directory. Idempotent. */
  stop(): Promise<void>;
}

/** The parts of s3rver (untyped CommonJS) this module uses. */
interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverCtor = new (options: Record<string, unknown>) => S3rverInstance;

/** Minimal Koa context type and s3rver's bucket controller module, for the ListObjectsV2 shim. */
interface KoaContext {
  query: Record<string, string | string[] | undefined>;
  body: unknown;
}
interface BucketController {
  getBucket(ctx: KoaContext): Promise<void>;
  [SHIMMED]?: boolean;
}

/** Whether this process can use DES (OpenSSL legacy provider loaded), which s3rver needs for V2 tokens. */
export function desAvailable(): boolean {
  try {
    createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
    return true;
  } catch {
    return false;
  }
}

/** Start s3rver on 127.0.0.1 with an OS-assigned port and a fresh temp directory. */
export async function startS3(): Promise<S3Server> {
  const { default: S3rver } = (await import('s3rver' as string)) as { default: S3rverCtor };
  const directory = mkdtempSync(join(tmpdir(), 'shipgate-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, vhostBuckets: false });
  if (!desAvailable()) await installListV2Shim();
  let port: number;
  try {
    ({ port } = await server.run());
  } catch (err) {
    rmSync(directory, { recursive: true, force: true });
    throw err;
  }
  return makeS3Server(server, `http://127.0.0.1:${port}`, directory);
}

/** Client options for the server: static credentials, path-style, checksums only where S3 requires them. */
export function s3ClientConfig(endpoint: string): S3ClientConfig {
  return {
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // s3rver predates the SDK's default CRC32 checksums / aws-chunked trailers; only send them when required.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

/** Wrap a running s3rver in the S3Server helper API. */
function makeS3Server(server: S3rverInstance, endpoint: string, directory: string): S3Server {
  const shared = new S3Client(s3ClientConfig(endpoint));
  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    client: () => new S3Client(s3ClientConfig(endpoint)),
    createBucket: async (name) => void (await shared.send(new CreateBucketCommand({ Bucket: name }))),
    listKeys: (bucket, prefix) => listAllKeys(shared, bucket, prefix),
    getObject: async (bucket, key) => {
      const res = await shared.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await res.Body!.transformToByteArray());
    },
    putObject: async (bucket, key, body) => void (await shared.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))),
    stop: () =>
      (stopping ??= (async () => {
        shared.destroy();
        await server.close().catch(() => undefined);
        rmSync(directory, { recursive: true, force: true });
      })()),
  };
}

/** List every key with V1 ListObjects, paging by Marker = last key returned (works without DES). */
export async function listAllKeys(client: S3Client, bucket: string, prefix?: string, pageSize = 1000): Promise<string[]> {
  const keys: string[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await client.send(new ListObjectsCommand({ Bucket: bucket, Prefix: prefix, Marker: marker, MaxKeys: pageSize }));
    const batch = (page.Contents ?? []).map((o) => o.Key!).filter(Boolean);
    keys.push(...batch);
    if (!page.IsTruncated || batch.length === 0) return keys;
    marker = batch[batch.length - 1];
  }
}

/**
 * Serve ListObjectsV2 through s3rver's V1 code path so truncated listings don't need DES: the request's
 * continuation-token/start-after become a V1 marker, and the V1 result is reshaped into a V2 result whose
 * NextContinuationToken is `base64url("shipgate:" + last key)`. Done by wrapping s3rver's GET Bucket controller
 * (its router looks it up on the module exports at call time), i.e. after request signature verification, which
 * covers the original query string. Idempotent; affects only s3rver.
 */
export async function installListV2Shim(): Promise<void> {
  const mod = (await import('s3rver/lib/controllers/bucket.js' as string)) as { default: BucketController };
  const ctrl = mod.default;
  if (ctrl[SHIMMED]) return;
  const original = ctrl.getBucket;
  ctrl.getBucket = async (ctx) => (ctx.query['list-type'] === '2' ? listV2ViaV1(ctx, original) : original(ctx));
  ctrl[SHIMMED] = true;
}

const SHIMMED = Symbol.for('shipgate.s3rver.listV2Shim');
const TOKEN_PREFIX = 'shipgate:';

/** Rewrite a V2 listing request as V1, run s3rver's handler, reshape the result as V2. */
async function listV2ViaV1(ctx: KoaContext, original: (ctx: KoaContext) => Promise<void>): Promise<void> {
  const { 'list-type': _lt, 'continuation-token': token, 'start-after': after, 'fetch-owner': owner, ...rest } = ctx.query;
  const tokenText = typeof token === 'string' ? token : undefined;
  const startAfter = tokenText !== undefined ? decodeToken(tokenText) : typeof after === 'string' ? after : undefined;
  ctx.query = startAfter ? { ...rest, marker: startAfter } : rest;
  await original(ctx);
  const body = ctx.body as { ListBucketResult?: Record<string, unknown> } | undefined;
  if (body?.ListBucketResult) {
    body.ListBucketResult = toV2Result(body.ListBucketResult, { token: tokenText, startAfter, fetchOwner: owner === 'true' });
  }
}

function decodeToken(token: string): string {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  return text.startsWith(TOKEN_PREFIX) ? text.slice(TOKEN_PREFIX.length) : '';
}

/** Reshape a V1 ListBucketResult (Marker/NextMarker) into a V2 one (KeyCount/ContinuationToken/...). */
function toV2Result(
  v1: Record<string, unknown>,
  req: { token?: string; startAfter?: string; fetchOwner: boolean },
): Record<string, unknown> {
  const { Marker: _marker, NextMarker, Contents, CommonPrefixes, IsTruncated, ...rest } = v1;
  const contents = asArray(Contents).map((c) => (req.fetchOwner ? c : omitOwner(c)));
  const prefixes = asArray(CommonPrefixes);
  const lastKey = (NextMarker as string | undefined) ?? lastListed(contents, prefixes);
  return {
    ...rest,
    ...(req.token === undefined && req.startAfter ? { StartAfter: req.startAfter } : {}),
    ...(req.token !== undefined ? { ContinuationToken: req.token } : {}),
    ...(IsTruncated && lastKey ? { NextContinuationToken: Buffer.from(TOKEN_PREFIX + lastKey).toString('base64url') } : {}),
    KeyCount: contents.length + prefixes.length,
    IsTruncated,
    ...(contents.length ? { Contents: contents } : {}),
    ...(prefixes.length ? { CommonPrefixes: prefixes } : {}),
  };
}

function asArray(v: unknown): Record<string, unknown>[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v as Record<string, unknown>];
}

function omitOwner(c: Record<string, unknown>): Record<string, unknown> {
  const { Owner: _owner, ...rest } = c;
  return rest;
}

/** The greatest key or common prefix in a page (V1 only sets NextMarker when a delimiter is given). */
function lastListed(contents: Record<string, unknown>[], prefixes: Record<string, unknown>[]): string | undefined {
  const names = [...contents.map((c) => String(c.Key)), ...prefixes.map((p) => String(p.Prefix))];
  return names.sort().at(-1);
}

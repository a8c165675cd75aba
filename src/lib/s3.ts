/**
 * Shared S3 helpers (backup stores dumps and manifests; notify keeps its run record). A client factory that
 * works against AWS and S3-compatible stores (custom endpoint -> path-style addressing, checksums only where
 * S3 requires them), and small put/get/list/delete helpers that page through listings and speak plain
 * strings, Buffers and streams. Credentials come from the SDK's default chain (AWS_* env, OIDC role, profile).
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type PutObjectCommandInput,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';

export interface S3Location {
  region?: string;
  /** An S3-compatible endpoint (MinIO, R2, s3rver…); path-style addressing is used for it. */
  endpoint?: string;
  /** Static credentials (tests, CLI); otherwise the SDK's default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export interface ServerSideEncryption {
  /** 'AES256' or 'aws:kms'. */
  sse?: 'AES256' | 'aws:kms';
  kmsKeyId?: string;
}

export function s3Config(loc: S3Location, env: NodeJS.ProcessEnv = process.env): S3ClientConfig {
  const config: S3ClientConfig = {
    region: loc.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
  };
  if (loc.endpoint) {
    config.endpoint = loc.endpoint;
    config.forcePathStyle = true;
    // Many S3-compatible stores reject the SDK's default CRC32 checksums / aws-chunked trailers.
    config.requestChecksumCalculation = 'WHEN_REQUIRED';
    config.responseChecksumValidation = 'WHEN_REQUIRED';
  }
  if (loc.credentials) config.credentials = loc.credentials;
  return config;
}

export function createS3Client(loc: S3Location, env: NodeJS.ProcessEnv = process.env): S3Client {
  // The bundle pins its SDK version, so the SDK's notice that *later* SDK releases will need Node 22 does not
  // apply to it; on the runner's node24 it never shows, on a Node 20 CLI run it would only be noise in the log.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client(s3Config(loc, env));
}

export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** Parameters for server-side encryption on Put/CreateMultipartUpload. */
export function sseParams(enc: ServerSideEncryption | undefined): Pick<PutObjectCommandInput, 'ServerSideEncryption' | 'SSEKMSKeyId' | 'BucketKeyEnabled'> {
  if (!enc?.sse) return {};
  if (enc.sse === 'aws:kms') return { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: enc.kmsKeyId, BucketKeyEnabled: true };
  return { ServerSideEncryption: 'AES256' };
}

export interface ObjectInfo {
  key: string;
  size: number;
  lastModified?: Date;
}

export async function putObject(
  client: S3Client,
  bucket: string,
  key: string,
  body: string | Buffer,
  opts: { contentType?: string; encryption?: ServerSideEncryption } = {},
): Promise<void> {
  await client.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: opts.contentType, ...sseParams(opts.encryption) }),
  );
}

/** The object's bytes as a stream (the caller must consume or destroy it). */
export async function getObjectStream(client: S3Client, bucket: string, key: string): Promise<{ body: Readable; size?: number }> {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { body: res.Body as Readable, size: res.ContentLength };
}

export async function getObjectText(client: S3Client, bucket: string, key: string): Promise<string> {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return res.Body!.transformToString('utf8');
}

/** undefined when the key does not exist. */
export async function headObject(client: S3Client, bucket: string, key: string): Promise<ObjectInfo | undefined> {
  try {
    const res = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { key, size: res.ContentLength ?? 0, lastModified: res.LastModified };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Every object under `prefix`, in key order, across all pages (ListObjectsV2 stops at 1,000 keys per page). */
export async function listObjects(client: S3Client, bucket: string, prefix: string): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  let token: string | undefined;
  for (;;) {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) out.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified });
    if (!page.IsTruncated || !page.NextContinuationToken) return out;
    token = page.NextContinuationToken;
  }
}

export async function deleteObject(client: S3Client, bucket: string, key: string): Promise<void> {
  await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

export function s3ErrorName(err: unknown): string {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return e?.Code ?? e?.name ?? '';
}

export function isNotFound(err: unknown): boolean {
  const e = err as { $metadata?: { httpStatusCode?: number } };
  return ['NotFound', 'NoSuchKey'].includes(s3ErrorName(err)) || e?.$metadata?.httpStatusCode === 404;
}

/** Refusals that Object Lock (retention, legal hold) or a deny policy produce on delete. */
export function isAccessRefusal(err: unknown): boolean {
  const e = err as { $metadata?: { httpStatusCode?: number } };
  return ['AccessDenied', 'ObjectLocked', 'InvalidRequest'].includes(s3ErrorName(err)) || e?.$metadata?.httpStatusCode === 403;
}

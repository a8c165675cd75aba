/**
 * Where backups live: a port over the bucket, and its S3 implementation (lib-storage multipart upload for
 * dumps, small helpers from src/lib/s3.ts for manifests, listings and deletes).
 */
import { AbortMultipartUploadCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import {
  deleteObject,
  getObjectStream,
  getObjectText,
  headObject,
  listObjects,
  putObject,
  s3Uri,
  sseParams,
  type ObjectInfo,
  type ServerSideEncryption,
} from '../lib/s3.js';

export interface UploadOptions {
  partSize: number;
  queueSize?: number;
  contentType?: string;
}

export interface BackupStore {
  readonly bucket: string;
  uri(key: string): string;
  /**
   * Upload a stream of unknown length. Resolves once the object is complete; rejects (after aborting any
   * multipart upload) when the body errors or S3 refuses, in which case no object must exist.
   */
  upload(key: string, body: Readable, opts: UploadOptions): Promise<void>;
  putText(key: string, text: string, contentType?: string): Promise<void>;
  getStream(key: string): Promise<Readable>;
  getText(key: string): Promise<string>;
  /** Every object under the prefix, in key order, all pages. */
  list(prefix: string): Promise<ObjectInfo[]>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
}

export class S3BackupStore implements BackupStore {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    private readonly encryption?: ServerSideEncryption,
  ) {}

  uri(key: string): string {
    return s3Uri(this.bucket, key);
  }

  async upload(key: string, body: Readable, opts: UploadOptions): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: opts.contentType ?? 'application/octet-stream', ...sseParams(this.encryption) },
      partSize: opts.partSize,
      queueSize: opts.queueSize ?? 4,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      // lib-storage aborts the multipart upload itself; some S3-compatible stores refuse AbortMultipartUpload
      // (s3rver answers 405), which then replaces the original error. Try once more, never mask the cause.
      const uploadId = (upload as unknown as { uploadId?: string }).uploadId;
      if (uploadId) {
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
      }
      throw err;
    }
  }

  async putText(key: string, text: string, contentType = 'application/json'): Promise<void> {
    await putObject(this.client, this.bucket, key, text, { contentType, encryption: this.encryption });
  }

  async getStream(key: string): Promise<Readable> {
    return (await getObjectStream(this.client, this.bucket, key)).body;
  }

  getText(key: string): Promise<string> {
    return getObjectText(this.client, this.bucket, key);
  }

  list(prefix: string): Promise<ObjectInfo[]> {
    return listObjects(this.client, this.bucket, prefix);
  }

  async exists(key: string): Promise<boolean> {
    return (await headObject(this.client, this.bucket, key)) !== undefined;
  }

  delete(key: string): Promise<void> {
    return deleteObject(this.client, this.bucket, key);
  }
}

const MiB = 1024 * 1024;
export const MIN_PART_SIZE = 8 * MiB;
export const MAX_PART_SIZE = 5 * 1024 * MiB;
export const MAX_PARTS = 10_000;

/**
 * Part size for an object of unknown length: lib-storage defaults to 5 MiB (10,000 parts cap it at ~48.8 GiB).
 * Sized from the database size with 4x headroom (dumps are usually smaller, but bloat and compression-off
 * settings vary), at least 8 MiB, rounded up to a whole MiB, at most S3's 5 GiB.
 */
export function partSizeFor(databaseBytes: number): number {
  const needed = Math.ceil((Math.max(0, databaseBytes) * 4) / (MAX_PARTS * 0.9));
  const rounded = Math.ceil(needed / MiB) * MiB;
  return Math.min(MAX_PART_SIZE, Math.max(MIN_PART_SIZE, rounded));
}

/** Fewer parts in flight when parts are big, so memory stays near 256 MiB at most for large databases. */
export function queueSizeFor(partSize: number): number {
  if (partSize <= 64 * MiB) return 4;
  if (partSize <= 128 * MiB) return 2;
  return 1;
}

/**
 * Streaming a dump into the bucket without ever publishing a truncated object: the producer's bytes go
 * through a SHA-256/byte-counting tap into the upload body, and the body is ended only once the producer
 * has succeeded (pg_dump exit 0). On failure the body is destroyed, which makes lib-storage abort the
 * multipart upload (or never send the single PutObject); afterwards the key is checked and deleted if an
 * object exists anyway.
 */
import { createHash } from 'node:crypto';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Clock } from '../lib/clock.js';
import { errorMessage, StageError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { BackupStore, UploadOptions } from './store.js';

export const PROGRESS_INTERVAL_MS = 5_000;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** Logs "<what>: <bytes> (<MB/s>)" at most once per interval. */
export class Progress {
  private last: number;
  private readonly start: number;
  bytes = 0;
  constructor(
    private readonly what: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
  ) {
    this.start = clock.now();
    this.last = this.start;
  }
  add(n: number): void {
    this.bytes += n;
    const now = this.clock.now();
    if (now - this.last >= this.intervalMs) {
      this.last = now;
      this.logger.info(`${this.what}: ${formatBytes(this.bytes)} (${this.rate(now)})`);
    }
  }
  rate(now = this.clock.now()): string {
    const s = Math.max(1, now - this.start) / 1000;
    return `${(this.bytes / 1e6 / s).toFixed(1)} MB/s`;
  }
}

/** A pass-through that hashes and counts what flows through it. */
export class HashTap extends Transform {
  private readonly hash = createHash('sha256');
  size = 0;
  constructor(private readonly progress?: Progress) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    this.progress?.add(chunk.length);
    cb(null, chunk);
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

export interface GuardedUploadResult {
  sha256: string;
  size: number;
}

/**
 * Upload `source` to `key`. `succeeded` resolves when the producer succeeded and rejects with the reason it
 * failed (it must settle after the producer's output ended, e.g. on the process's `close`). `abortProducer` is
 * called when the upload fails first, so the producer does not run on into a dead pipe.
 */
export async function guardedUpload(
  store: BackupStore,
  key: string,
  source: Readable,
  succeeded: Promise<void>,
  opts: UploadOptions & { progress?: Progress; abortProducer?: () => void },
): Promise<GuardedUploadResult> {
  const tap = new HashTap(opts.progress);
  const body = new PassThrough({ highWaterMark: 1024 * 1024 });
  source.on('error', (err) => tap.destroy(err));
  source.pipe(tap).pipe(body, { end: false });
  let uploadError: unknown;
  const uploading = store.upload(key, body, opts).catch((err) => {
    uploadError = err;
    opts.abortProducer?.();
    source.unpipe(tap);
    source.resume();
    tap.destroy();
    throw err;
  });
  uploading.catch(() => undefined);

  let producerError: unknown;
  try {
    await succeeded;
    // Every byte the producer wrote must have passed the tap before the body may end.
    await finished(tap);
  } catch (err) {
    producerError = err;
  }
  if (uploadError !== undefined) {
    await removeIfPresent(store, key);
    throw new StageError(`upload to ${store.uri(key)} failed: ${errorMessage(uploadError)}`, undefined, { cause: uploadError });
  }
  if (producerError === undefined && tap.size === 0) producerError = new Error('the dump is empty (0 bytes)');
  if (producerError !== undefined) {
    body.destroy(producerError instanceof Error ? producerError : new Error(String(producerError)));
    await uploading.catch(() => undefined);
    await removeIfPresent(store, key);
    throw producerError;
  }
  body.end();
  try {
    await uploading;
  } catch (err) {
    await removeIfPresent(store, key);
    throw new StageError(`upload to ${store.uri(key)} failed: ${errorMessage(err)}`, undefined, { cause: err });
  }
  return { sha256: tap.digest(), size: tap.size };
}

/** Make sure no (partial) object is left at `key`; failures to check are reported, not thrown. */
async function removeIfPresent(store: BackupStore, key: string): Promise<void> {
  try {
    if (await store.exists(key)) await store.delete(key);
  } catch {
    // best effort: the caller's error already says the upload failed, and no manifest is written
  }
}

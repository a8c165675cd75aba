/**
 * The prebuilt output as the Vercel CLI sends it: every file under the output directory, named
 * `.vercel/output/<path>` (posix), with its sha1, size and mode (st_mode from lstat). A symlink is not
 * followed: its content is its link text, sent with its own mode, so symlinked function folders stay one
 * function. Missing files are uploaded with bounded concurrency and retries on 5xx and network errors.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Clock } from '../lib/clock.js';
import { StageError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { RetryableError, retry } from '../lib/retry.js';
import { VercelApiError } from '../lib/vercel.js';
import type { VercelDeployApi } from './vercel.js';

export const OUTPUT_PREFIX = '.vercel/output';

export interface PrebuiltFile {
  /** Name sent to Vercel, e.g. `.vercel/output/static/index.html`. */
  file: string;
  /** Absolute path on disk. */
  path: string;
  sha: string;
  size: number;
  mode: number;
  symlink: boolean;
}

async function contentOf(path: string, symlink: boolean): Promise<Buffer> {
  return symlink ? Buffer.from(await readlink(path), 'utf8') : readFile(path);
}

/** Lists and hashes the output directory (sorted by name). */
export async function collectPrebuiltFiles(dir: string, concurrency = 32): Promise<PrebuiltFile[]> {
  let top;
  try {
    top = await lstat(dir);
  } catch {
    throw new StageError(`prebuilt output ${dir} does not exist: run \`vercel build\` (or point prebuilt-dir at the build output) first`);
  }
  if (!top.isDirectory()) throw new StageError(`prebuilt output ${dir} is not a directory`);
  const paths: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (entry.isFile() || entry.isSymbolicLink()) paths.push(p);
    }
  };
  await walk(dir);
  paths.sort();
  const out: PrebuiltFile[] = new Array(paths.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, paths.length) }, async () => {
      while (next < paths.length) {
        const i = next++;
        const path = paths[i]!;
        const st = await lstat(path);
        const symlink = st.isSymbolicLink();
        const data = await contentOf(path, symlink);
        out[i] = {
          file: `${OUTPUT_PREFIX}/${relative(dir, path).split(sep).join('/')}`,
          path,
          sha: createHash('sha1').update(data).digest('hex'),
          size: data.byteLength,
          mode: st.mode,
          symlink,
        };
      }
    }),
  );
  if (!out.some((f) => f.file === `${OUTPUT_PREFIX}/config.json`)) {
    throw new StageError(`prebuilt output ${dir} has no config.json: it is not a Build Output API directory (run \`vercel build\`)`);
  }
  return out;
}

/**
 * What `vercel build` recorded in builds.json: a failed build or a build for another target is refused before
 * anything is uploaded (the CLI does the same: a preview build must not go to production with preview env).
 */
export function checkBuildsJson(dir: string, target: string): void {
  const file = join(dir, 'builds.json');
  if (!existsSync(file)) return;
  let builds: { target?: unknown; error?: { message?: unknown }; builds?: Array<{ error?: { message?: unknown } }> };
  try {
    builds = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return;
  }
  const error = builds.error ?? builds.builds?.find((b) => b && b.error)?.error;
  if (error) throw new StageError(`the prebuilt output records a failed \`vercel build\`: ${String(error.message ?? 'unknown error')}`);
  if (typeof builds.target === 'string' && builds.target !== target) {
    throw new StageError(
      `the prebuilt output was built for target ${builds.target} but target is ${target}: run \`vercel build${target === 'production' ? ' --prod' : target === 'preview' ? '' : ` --target ${target}`}\` for the target you deploy`,
    );
  }
}

export interface UploadReport {
  files: number;
  bytes: number;
  retries: number;
}

export interface UploadOptions {
  concurrency?: number;
  attempts?: number;
  clock: Clock;
  logger: Logger;
  signal?: AbortSignal;
}

/**
 * Uploads the files whose sha the API reported missing (each sha once). Network errors, 429 and 5xx are
 * retried; any other answer aborts the remaining uploads.
 */
export async function uploadMissing(api: VercelDeployApi, files: PrebuiltFile[], missing: string[], opts: UploadOptions): Promise<UploadReport> {
  const bySha = new Map<string, PrebuiltFile>();
  for (const f of files) if (!bySha.has(f.sha)) bySha.set(f.sha, f);
  const todo = [...new Set(missing)];
  const unknown = todo.filter((s) => !bySha.has(s));
  if (unknown.length) throw new StageError(`Vercel asked for ${unknown.length} file(s) this output does not have (sha ${unknown.slice(0, 3).join(', ')})`);
  const report: UploadReport = { files: 0, bytes: 0, retries: 0 };
  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (next < todo.length && failure === undefined && !opts.signal?.aborted) {
      const file = bySha.get(todo[next++]!)!;
      try {
        const data = await contentOf(file.path, file.symlink);
        await retry(
          async () => {
            try {
              await api.uploadFile(file.sha, data);
            } catch (err) {
              if (err instanceof VercelApiError && err.transient) throw new RetryableError(err.message, err.details.retryAfterMs, err.status);
              throw err;
            }
          },
          {
            attempts: opts.attempts ?? 5,
            baseMs: 1000,
            maxMs: 30_000,
            maxRetryAfterMs: 60_000,
            clock: opts.clock,
            onRetry: ({ attempt, delayMs, error }) => {
              report.retries++;
              opts.logger.debug(`upload ${file.file} attempt ${attempt} failed (${(error as Error).message}); retrying in ${delayMs}ms`);
            },
          },
        );
        report.files++;
        report.bytes += data.byteLength;
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 16, todo.length)) }, worker));
  if (failure !== undefined) {
    throw new StageError(`upload failed after ${report.files} of ${todo.length} file(s): ${(failure as Error).message}; nothing was deployed`, undefined, { cause: failure });
  }
  if (opts.signal?.aborted) throw new StageError(`upload cancelled after ${report.files} of ${todo.length} file(s); nothing was deployed`);
  return report;
}

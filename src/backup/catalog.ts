/**
 * Key layout, manifests and finding backups in the bucket.
 * Keys sort by time: `<prefix>/<environment>/<YYYY>/<MM>/<DD>/<timestamp>-<sha7>-<run-id>/` holding the dump
 * and `manifest.json` (written last: a backup without a manifest does not exist).
 */
import { StageError } from '../lib/errors.js';
import type { BackupStore } from './store.js';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_SCHEMA_VERSION = 1;

export type BackupKind = 'backup' | 'safety-snapshot';
export type Engine = 'postgresql' | 'mongodb';

export interface Manifest {
  schemaVersion: number;
  id: string;
  kind: BackupKind;
  engine: Engine;
  environment: string;
  createdAt: string;
  finishedAt: string;
  durationMs: number;
  database: { url: string; name: string; serverVersion: string; serverVersionNum?: number; sizeBytes?: number };
  tool: { name: string; version: string; major?: number; flags: string[] };
  format: string;
  compression: string;
  encryption: { sse?: string; kmsKeyId?: string };
  object: { bucket: string; key: string; uri: string; size: number; sha256: string; partSize: number };
  git: { sha: string; ref: string; runId: string; runAttempt: string; runUrl: string; repository: string };
  ledgerHead?: { table: string; name: string } | null;
  tables?: Record<string, number>;
  verification: { level: 'none' | 'read' | 'restore'; result: 'passed' | 'skipped'; detail: string };
  restore: { minClientMajor?: number; command: string; action: string };
}

export interface ManifestEntry {
  key: string;
  manifest: Manifest;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** 20260101T120501Z */
export function timestampOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

export function backupIdFor(ms: number, sha: string, runId: string): string {
  const sha7 = /^[0-9a-f]{7,}$/i.test(sha) ? sha.slice(0, 7).toLowerCase() : 'nosha00';
  const run = /^[A-Za-z0-9]+$/.test(runId) ? runId : 'local';
  return `${timestampOf(ms)}-${sha7}-${run}`;
}

export function environmentPrefix(prefix: string, environment: string): string {
  return `${prefix ? `${prefix}/` : ''}${environment}/`;
}

/** The folder of one backup (ends with '/'). */
export function backupDir(prefix: string, environment: string, ms: number, id: string): string {
  const d = new Date(ms);
  return `${environmentPrefix(prefix, environment)}${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${id}/`;
}

export function idOfManifestKey(key: string): string {
  const parts = key.split('/');
  return parts[parts.length - 2] ?? '';
}

export function isVerified(m: Manifest): boolean {
  return m.verification?.result === 'passed' && m.verification.level !== 'none';
}

/** Every manifest under the environment, oldest first (keys sort by time). Unreadable manifests are reported. */
export async function listManifests(store: BackupStore, prefix: string, environment: string, onBad?: (key: string, why: string) => void): Promise<ManifestEntry[]> {
  const objects = await store.list(environmentPrefix(prefix, environment));
  const keys = objects.map((o) => o.key).filter((k) => k.endsWith(`/${MANIFEST_FILE}`));
  keys.sort();
  const out: ManifestEntry[] = [];
  const batch = 8;
  for (let i = 0; i < keys.length; i += batch) {
    const slice = keys.slice(i, i + batch);
    const read = await Promise.all(
      slice.map(async (key) => {
        try {
          const m = JSON.parse(await store.getText(key)) as Manifest;
          if (!m || typeof m !== 'object' || !m.object?.key || !m.id) throw new Error('not a Shipgate manifest');
          return { key, manifest: m };
        } catch (err) {
          onBad?.(key, (err as Error).message);
          return undefined;
        }
      }),
    );
    for (const r of read) if (r) out.push(r);
  }
  return out;
}

/**
 * `latest` = the newest verified backup (safety snapshots excluded); an id = that backup; a git sha (7-40 hex)
 * = the newest verified backup of that commit (else its newest backup).
 */
export function resolveBackup(entries: ManifestEntry[], wanted: string, environment: string): ManifestEntry {
  const newestFirst = [...entries].reverse();
  if (wanted === 'latest') {
    const hit = newestFirst.find((e) => e.manifest.kind === 'backup' && isVerified(e.manifest));
    if (!hit) throw new StageError(`no verified backup found for environment ${environment}`);
    return hit;
  }
  const byId = newestFirst.find((e) => e.manifest.id === wanted || idOfManifestKey(e.key) === wanted);
  if (byId) return byId;
  if (/^[0-9a-f]{7,40}$/i.test(wanted)) {
    const sha = wanted.toLowerCase();
    const ofCommit = newestFirst.filter((e) => e.manifest.kind === 'backup' && (e.manifest.git?.sha ?? '').toLowerCase().startsWith(sha));
    const hit = ofCommit.find((e) => isVerified(e.manifest)) ?? ofCommit[0];
    if (hit) return hit;
  }
  throw new StageError(`backup ${wanted} not found under environment ${environment} (${entries.length} backup(s) there)`);
}

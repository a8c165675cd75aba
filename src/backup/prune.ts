/**
 * Retention: keep the newest N backups and/or those younger than D days, and always the newest verified backup.
 * Each backup is deleted dump first, then manifest; refusals (Object Lock retention, legal hold, a deny policy)
 * are tolerated and reported, and the manifest of a refused dump is kept so the backup stays usable.
 */
import { errorMessage } from '../lib/errors.js';
import { isAccessRefusal } from '../lib/s3.js';
import { isVerified, listManifests, type ManifestEntry } from './catalog.js';
import type { BackupPorts } from './ports.js';

export interface PruneSettings {
  prefix: string;
  environment: string;
  keepLast?: number;
  retentionDays?: number;
}

export interface PruneResult {
  kept: ManifestEntry[];
  deleted: ManifestEntry[];
  refused: { entry: ManifestEntry; reason: string }[];
}

/** Which backups to keep; pure, so the policy is tested on its own. */
export function planPrune(entries: ManifestEntry[], settings: PruneSettings, now: number): { keep: ManifestEntry[]; remove: ManifestEntry[] } {
  const newestFirst = [...entries].sort((a, b) => (a.manifest.createdAt < b.manifest.createdAt ? 1 : a.manifest.createdAt > b.manifest.createdAt ? -1 : b.key.localeCompare(a.key)));
  const keep = new Set<ManifestEntry>();
  if (settings.keepLast !== undefined) newestFirst.slice(0, settings.keepLast).forEach((e) => keep.add(e));
  if (settings.retentionDays !== undefined) {
    const cutoff = now - settings.retentionDays * 86_400_000;
    for (const e of newestFirst) if (Date.parse(e.manifest.createdAt) >= cutoff) keep.add(e);
  }
  const newestVerified = newestFirst.find((e) => e.manifest.kind === 'backup' && isVerified(e.manifest));
  if (newestVerified) keep.add(newestVerified);
  return { keep: newestFirst.filter((e) => keep.has(e)), remove: newestFirst.filter((e) => !keep.has(e)) };
}

export async function pruneBackups(settings: PruneSettings, ports: BackupPorts): Promise<PruneResult> {
  const entries = await listManifests(ports.store, settings.prefix, settings.environment, (key, why) => ports.logger.warning(`skipping ${key}: ${why}`));
  const { keep, remove } = planPrune(entries, settings, ports.clock.now());
  const result: PruneResult = { kept: keep, deleted: [], refused: [] };
  for (const e of remove) {
    try {
      await ports.store.delete(e.manifest.object.key);
    } catch (err) {
      const reason = isAccessRefusal(err) ? `refused (object lock or policy): ${errorMessage(err)}` : errorMessage(err);
      ports.logger.warning(`kept ${e.manifest.id}: deleting its dump was ${reason}`);
      result.refused.push({ entry: e, reason });
      continue;
    }
    try {
      await ports.store.delete(e.key);
    } catch (err) {
      const reason = `its dump was deleted but the manifest ${ports.store.uri(e.key)} was not: ${errorMessage(err)}`;
      ports.logger.warning(`${e.manifest.id}: ${reason}`);
      result.refused.push({ entry: e, reason });
      continue;
    }
    ports.logger.info(`deleted ${e.manifest.id} (${e.manifest.createdAt})`);
    result.deleted.push(e);
  }
  return result;
}

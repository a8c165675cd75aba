/** Jest globalTeardown: stop the cluster started by global-setup.ts and remove its temp directory. */
import type { PgCluster } from './postgres.js';

/** Same key as CLUSTER_KEY in global-setup.ts (not imported: relative imports do not resolve here, see there). */
const CLUSTER_KEY = '__shipgateTestPgCluster';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as Record<string, unknown>;
  const cluster = g[CLUSTER_KEY] as PgCluster | undefined;
  delete g[CLUSTER_KEY];
  await cluster?.stop();
}

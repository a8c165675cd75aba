/**
 * Jest globalSetup: start ONE throwaway PostgreSQL cluster for the whole run and publish it to test workers through
 * environment variables (workers inherit the environment set here). The handle stays on globalThis for
 * global-teardown.ts, which runs in this same process.
 */
import type { PgCluster } from './postgres.js';

/** Key on globalThis under which the cluster handle is kept for globalTeardown. */
export const CLUSTER_KEY = '__shipgateTestPgCluster';

/**
 * Load ./postgres.ts. Jest compiles globalSetup to CommonJS and loads it with Node's own `require`, outside its
 * module registry, so moduleNameMapper does not apply and `./postgres.js` would not resolve; Jest's require hook
 * (active while the setup function runs) does transpile `.ts`, so require the source file by its real name.
 */
async function loadHarness(): Promise<typeof import('./postgres.js')> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (typeof require === 'function') return require('./postgres.ts') as typeof import('./postgres.js');
  return import('./postgres.js');
}

export default async function globalSetup(): Promise<void> {
  const { startPostgres, ENV } = await loadHarness();
  const cluster: PgCluster = await startPostgres();
  (globalThis as Record<string, unknown>)[CLUSTER_KEY] = cluster;
  process.env[ENV.url] = cluster.superuserUrl;
  process.env[ENV.bin] = cluster.binDir;
  process.env[ENV.password] = cluster.password;
  process.env[ENV.port] = String(cluster.port);
}

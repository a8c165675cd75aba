/**
 * PostgreSQL connection helpers shared by migrate, backup, preflight and verify: pooler detection, a client
 * factory, and libpq environment variables for child processes (credentials never go into argv).
 */
import pg from 'pg';
import { redactUrl, tryParseUrl } from './secrets.js';

/** Why a URL goes through a transaction pooler (session state and advisory locks do not survive there), or undefined. */
export function poolerReason(url: string): string | undefined {
  const u = tryParseUrl(url);
  if (!u) return undefined;
  const host = u.hostname.toLowerCase();
  if (/-pooler\./.test(host)) return `host ${host} is a Neon pooled endpoint (-pooler); use the direct endpoint without -pooler`;
  if (u.port === '6543') return `port 6543 is Supabase's transaction pooler; use the direct connection on port 5432`;
  if ((u.searchParams.get('pgbouncer') ?? '').toLowerCase() === 'true') return `the URL has pgbouncer=true; use a direct (unpooled) URL`;
  if (/\.pooler\.supabase\.com$/.test(host) && u.port !== '5432') return `host ${host} is Supabase's pooler; use the direct connection`;
  return undefined;
}

export function isMongoUrl(url: string): boolean {
  return /^mongodb(\+srv)?:\/\//i.test(url);
}

export function isLocalHost(host: string): boolean {
  return ['localhost', '127.0.0.1', '::1', '[::1]', ''].includes(host.toLowerCase()) || host.startsWith('/');
}

/** libpq environment for pg_dump, pg_restore, psql and users' commands. */
export function pgEnv(url: string): NodeJS.ProcessEnv {
  const u = new URL(url);
  const env: NodeJS.ProcessEnv = {};
  const q = u.searchParams;
  const host = q.get('host') ?? decodeURIComponent(u.hostname);
  if (host) env.PGHOST = host.replace(/^\[(.*)\]$/, '$1');
  env.PGPORT = q.get('port') ?? (u.port || '5432');
  if (u.username) env.PGUSER = decodeURIComponent(u.username);
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  const db = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (db) env.PGDATABASE = db;
  const map: Record<string, string> = {
    sslmode: 'PGSSLMODE',
    sslrootcert: 'PGSSLROOTCERT',
    sslcert: 'PGSSLCERT',
    sslkey: 'PGSSLKEY',
    application_name: 'PGAPPNAME',
    options: 'PGOPTIONS',
    connect_timeout: 'PGCONNECT_TIMEOUT',
    target_session_attrs: 'PGTARGETSESSIONATTRS',
  };
  for (const [k, v] of Object.entries(map)) {
    const val = q.get(k);
    if (val) env[v] = val;
  }
  if (!env.PGCONNECT_TIMEOUT) env.PGCONNECT_TIMEOUT = '15';
  return env;
}

/** A process environment for a libpq client: the caller's environment without stray PG* variables, plus the URL's. */
export function childPgEnv(url: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!k.startsWith('PG') && !k.startsWith('INPUT_')) env[k] = v;
  return { ...env, ...pgEnv(url) };
}

export function databaseName(url: string): string {
  const u = tryParseUrl(url);
  return u ? decodeURIComponent(u.pathname.replace(/^\//, '')) : '';
}

export type PgClient = pg.Client;

/** Options the pg driver does not understand in the URL are dropped; sslmode is mapped. */
export function clientConfig(url: string, applicationName = 'shipgate'): pg.ClientConfig {
  const u = new URL(url);
  const sslmode = u.searchParams.get('sslmode');
  for (const k of ['pgbouncer', 'schema', 'connection_limit', 'pool_timeout', 'sslaccept', 'channel_binding']) u.searchParams.delete(k);
  const config: pg.ClientConfig = { connectionString: u.toString(), application_name: applicationName, connectionTimeoutMillis: 15_000 };
  if (sslmode === 'disable' || !sslmode) {
    // leave to the driver
  } else if (sslmode === 'require' || sslmode === 'prefer' || sslmode === 'allow' || sslmode === 'no-verify') {
    u.searchParams.delete('sslmode');
    config.connectionString = u.toString();
    config.ssl = { rejectUnauthorized: false };
  }
  return config;
}

/** Connect, with errors that name the redacted URL. */
export async function connect(url: string, applicationName = 'shipgate'): Promise<pg.Client> {
  const client = new pg.Client(clientConfig(url, applicationName));
  try {
    await client.connect();
  } catch (err) {
    const e = err as Error & { code?: string };
    throw new Error(`cannot connect to ${redactUrl(url)}: ${e.message}${e.code ? ` (${e.code})` : ''}`);
  }
  // An error on an idle client must not crash the process; the next query reports it.
  client.on('error', () => {});
  return client;
}

/** Server major version (e.g. 15) and full version number (150018). */
export async function serverVersion(client: pg.Client): Promise<{ major: number; num: number; text: string }> {
  const r = await client.query<{ server_version_num: string; server_version: string }>(
    "select current_setting('server_version_num') as server_version_num, current_setting('server_version') as server_version",
  );
  const num = Number(r.rows[0].server_version_num);
  return { major: Math.floor(num / 10000), num, text: r.rows[0].server_version };
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

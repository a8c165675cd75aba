/**
 * Throwaway PostgreSQL for tests, without Docker: initdb a cluster in a temp directory, run `postgres` on a free
 * loopback port, and tear it all down afterwards.
 *
 * Jest's globalSetup starts ONE cluster per run (see global-setup.ts) and publishes it through environment variables
 * that workers inherit; tests then call createDatabase() to get an isolated database on it.
 *
 * This module must stay self-contained (node builtins and `pg` only, no relative imports): global-setup.ts loads it
 * through plain Node `require`, where Jest's moduleNameMapper (which maps `./x.js` to `./x.ts`) does not apply.
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';

/** Superuser password of every test cluster: it contains `!'()*@:/%` so every test exercises URL/shell escaping. */
export const PG_PASSWORD = "p!'()*@:/%w0rd";

/** Environment variables through which global setup publishes the cluster to test workers. */
export const ENV = {
  url: 'SHIPGATE_TEST_PG_URL',
  bin: 'SHIPGATE_TEST_PG_BIN',
  password: 'SHIPGATE_TEST_PG_PASSWORD',
  port: 'SHIPGATE_TEST_PG_PORT',
} as const;

const NOT_FOUND =
  'PostgreSQL server binaries not found: run `apt-get update && apt-get install -y postgresql` (Debian/Ubuntu)';
const STARTUP_TIMEOUT_MS = 30_000;
const SHUTDOWN_TIMEOUT_MS = 10_000;

/** A running throwaway cluster. */
export interface PgCluster {
  port: number;
  host: '127.0.0.1';
  password: string;
  /** postgres://postgres:<encoded password>@127.0.0.1:<port>/postgres */
  superuserUrl: string;
  binDir: string;
  dataDir: string;
  /** Fast shutdown (SIGINT), wait for exit, remove the temp directory. Idempotent. */
  stop(): Promise<void>;
}

/** A database created by createDatabase(). */
export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** uid/gid to run the server as (only when we are root; initdb refuses to run as root). */
interface RunAs {
  uid: number;
  gid: number;
}

/** The directory holding `initdb` and `postgres`: the highest /usr/lib/postgresql/<N>/bin, else the PATH. */
export function findServerBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirNumeric(root) : [];
  for (const v of versions) {
    const dir = join(root, String(v), 'bin');
    if (hasServerBinaries(dir)) return dir;
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && hasServerBinaries(dir)) return dir;
  }
  throw new Error(NOT_FOUND);
}

/** Numeric subdirectory names of `dir`, highest first. */
function readdirNumeric(dir: string): number[] {
  return readdirSync(dir)
    .filter((n) => /^\d+(\.\d+)?$/.test(n))
    .map(Number)
    .sort((a, b) => b - a);
}

function hasServerBinaries(dir: string): boolean {
  return existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'));
}

function execFileSyncSafe(file: string, args: string[]): string {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

/** When root: the `postgres` system user (or a `shipgate-pg` user we create). Otherwise undefined: run as ourselves. */
export function serverUser(): RunAs | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  for (const name of ['postgres', 'shipgate-pg']) {
    const ids = lookupUser(name);
    if (ids) return ids;
  }
  execFileSync('useradd', ['-r', '-M', '-s', '/usr/sbin/nologin', 'shipgate-pg'], { stdio: 'ignore' });
  const ids = lookupUser('shipgate-pg');
  if (!ids) throw new Error('could not create the shipgate-pg system user to run PostgreSQL as (initdb refuses root)');
  return ids;
}

function lookupUser(name: string): RunAs | undefined {
  const uid = execFileSyncSafe('id', ['-u', name]);
  const gid = execFileSyncSafe('id', ['-g', name]);
  return uid && gid ? { uid: Number(uid), gid: Number(gid) } : undefined;
}

/** A free TCP port on 127.0.0.1 (asked from the kernel, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not get a free port'))));
    });
  });
}

/** Spawn options for server processes: minimal, deterministic environment, dropped privileges when root. */
function serverSpawnOptions(cwd: string, runAs: RunAs | undefined): SpawnOptions {
  return {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C', TZ: 'UTC', HOME: cwd },
    ...(runAs ?? {}),
  };
}

/** Run a command to completion; reject with its output on a non-zero exit. */
function run(file: string, args: string[], options: SpawnOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${file} exited with ${code ?? signal}:\n${out.trim()}`)),
    );
  });
}

/** The postgres:// URL of `dbName` on `cluster` (default: the cluster published by global setup). */
export function urlFor(dbName: string, cluster?: Pick<PgCluster, 'superuserUrl'>): string {
  const u = new URL(cluster?.superuserUrl ?? sharedSuperuserUrl());
  u.pathname = '/' + encodeURIComponent(dbName);
  return u.toString();
}

function sharedSuperuserUrl(): string {
  const url = process.env[ENV.url];
  if (!url) throw new Error(`${ENV.url} is not set: the Jest globalSetup (test/support/global-setup.ts) did not run`);
  return url;
}

function superuserUrlFor(port: number, password: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

/** Run one statement on `url` with a short-lived client; returns the rows. */
export async function query<T extends Record<string, unknown> = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Try one TCP connection with the superuser password; resolves true when the server accepts it. */
async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Last `lines` lines of a log file ('' if unreadable). */
function logTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Resolve when `child` has exited (immediately if it already has). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Poll until the server accepts connections, it dies, or the startup timeout passes. */
async function waitForServer(child: ChildProcess, url: string, logFile: string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`postgres exited during startup (${child.exitCode ?? child.signalCode}); log tail:\n${logTail(logFile)}`);
    }
    if (await canConnect(url)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`postgres did not accept connections within ${STARTUP_TIMEOUT_MS / 1000} s; log tail:\n${logTail(logFile)}`);
}

/** SIGINT (fast shutdown), wait; escalate to SIGQUIT (immediate) and SIGKILL if it hangs. */
async function stopServer(child: ChildProcess): Promise<void> {
  // The server is unref'd so it never keeps the test process alive; while we wait for it to exit it must be
  // ref'd again, or Node, seeing nothing else to wait for, exits mid-teardown with code 0 and Jest's failure
  // exit code is lost.
  child.ref();
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT', 'SIGKILL'];
  for (const signal of signals) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timedOut = await Promise.race([
      exited(child).then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), SHUTDOWN_TIMEOUT_MS).unref()),
    ]);
    if (!timedOut) return;
  }
}

/** Create the temp layout (root dir, socket dir, password file), owned by the server user. */
function prepareTempDir(runAs: RunAs | undefined): { root: string; dataDir: string; socketDir: string; pwFile: string } {
  const root = mkdtempSync(join(tmpdir(), 'shipgate-pg-'));
  const socketDir = join(root, 'sock');
  const pwFile = join(root, 'pwfile');
  mkdirSync(socketDir, { mode: 0o700 });
  writeFileSync(pwFile, PG_PASSWORD + '\n', { mode: 0o600 });
  if (runAs) for (const p of [root, socketDir, pwFile]) chownSync(p, runAs.uid, runAs.gid);
  return { root, dataDir: join(root, 'data'), socketDir, pwFile };
}

/** initdb + start postgres on a free loopback port; resolves once it accepts password logins over TCP. */
export async function startPostgres(): Promise<PgCluster> {
  const binDir = findServerBinDir();
  const runAs = serverUser();
  const { root, dataDir, socketDir, pwFile } = prepareTempDir(runAs);
  const opts = serverSpawnOptions(root, runAs);
  const logFile = join(root, 'server.log');
  let child: ChildProcess | undefined;
  try {
    await run(join(binDir, 'initdb'), initdbArgs(dataDir, pwFile), opts);
    const port = await freePort();
    const logFd = openSync(logFile, 'a');
    try {
      child = spawn(join(binDir, 'postgres'), postgresArgs(dataDir, port, socketDir), { ...opts, stdio: ['ignore', logFd, logFd] });
    } finally {
      closeSync(logFd);
    }
    child.unref();
    const superuserUrl = superuserUrlFor(port, PG_PASSWORD);
    await waitForServer(child, superuserUrl, logFile);
    return makeCluster(child, { port, superuserUrl, binDir, dataDir, root });
  } catch (err) {
    if (child) await stopServer(child);
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
}

/** initdb argv: trust on the socket, SCRAM over TCP, superuser `postgres` with the password from `pwFile`. */
export function initdbArgs(dataDir: string, pwFile: string): string[] {
  return [
    '-D', dataDir,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '-U', 'postgres',
    `--pwfile=${pwFile}`,
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync',
    '--no-instructions',
  ];
}

/** postgres argv: loopback only, durability off (tests don't need it), plenty of connections. */
export function postgresArgs(dataDir: string, port: number, socketDir: string): string[] {
  return [
    '-D', dataDir,
    '-p', String(port),
    '-k', socketDir,
    '-c', 'listen_addresses=127.0.0.1',
    '-c', 'fsync=off',
    '-c', 'synchronous_commit=off',
    '-c', 'full_page_writes=off',
    '-c', 'max_connections=200',
  ];
}

/** Wrap a running server in a PgCluster whose stop() is idempotent and also runs if the process exits first. */
function makeCluster(
  child: ChildProcess,
  info: { port: number; superuserUrl: string; binDir: string; dataDir: string; root: string },
): PgCluster {
  // Last resort if Jest dies without running globalTeardown: immediate shutdown so no postmaster is left behind.
  const onExit = (): void => void (child.exitCode === null && child.signalCode === null && child.kill('SIGQUIT'));
  process.once('exit', onExit);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      process.removeListener('exit', onExit);
      await stopServer(child);
      rmSync(info.root, { recursive: true, force: true });
    })());
  return {
    port: info.port,
    host: '127.0.0.1',
    password: PG_PASSWORD,
    superuserUrl: info.superuserUrl,
    binDir: info.binDir,
    dataDir: info.dataDir,
    stop,
  };
}

/** Create a uniquely named database `t_<prefix>_<random>` on the shared cluster. */
export async function createDatabase(prefix = 'db'): Promise<TestDatabase> {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9_]+/g, '_').slice(0, 40);
  const name = `t_${clean}_${randomBytes(5).toString('hex')}`;
  const admin = sharedSuperuserUrl();
  await query(admin, `CREATE DATABASE ${quoteIdent(name)}`);
  return {
    name,
    url: urlFor(name, { superuserUrl: admin }),
    drop: async () => void (await query(admin, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)),
  };
}

/** Quote an SQL identifier. */
export function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/** libpq environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE) for a postgres:// URL. Test-only helper. */
export function pgEnv(url: string): Record<string, string> {
  const u = new URL(url);
  const env: Record<string, string> = {
    PGHOST: decodeURIComponent(u.hostname).replace(/^\[(.*)\]$/, '$1'),
    PGPORT: u.port || '5432',
    PGDATABASE: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
  };
  if (u.username) env.PGUSER = decodeURIComponent(u.username);
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  return env;
}

/** Process environment for a libpq client: ours without stray PG* variables, plus the URL's. */
function clientEnv(url: string): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PG')));
  return { ...base, ...pgEnv(url), PGCONNECT_TIMEOUT: '10' };
}

/** The pg_dump invocation for schemaDump(): credentials only in `env`, never in `args`. */
export function schemaDumpCommand(url: string, binDir = process.env[ENV.bin] ?? findServerBinDir()): {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
} {
  return {
    file: join(binDir, 'pg_dump'),
    args: ['--schema-only', '--no-owner', '--no-privileges'],
    env: clientEnv(url),
  };
}

/** Schema of the database at `url` as SQL, minus comments, `\restrict` key lines and repeated blank lines. */
export async function schemaDump(url: string): Promise<string> {
  const { file, args, env } = schemaDumpCommand(url);
  const text = await new Promise<string>((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`pg_dump exited with ${code}: ${err.trim()}`))));
  });
  return normalizeDump(text);
}

/** Drop volatile/noise lines from pg_dump output so dumps compare equal across runs. */
export function normalizeDump(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\\(un)?restrict\b/.test(line) && !/^--/.test(line))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim() + '\n';
}

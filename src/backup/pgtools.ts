/**
 * pg_dump / pg_restore matched to the server's major version. Looks in /usr/lib/postgresql/<N>/bin and on
 * the PATH; when that major is missing on a Debian/Ubuntu runner, installs `postgresql-client-<N>` from the
 * PGDG apt repository the way Neon's GitHub Actions guide does (postgresql-common's apt.postgresql.org.sh),
 * keeping the downloaded .deb files in the Actions cache so the next run installs offline.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { StageError, errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { ProcessRunner } from '../lib/process.js';

export interface PgTools {
  major: number;
  /** e.g. "15.14" from `pg_dump --version` */
  version: string;
  pgDump: string;
  pgRestore: string;
  binDir: string;
}

/** The file system and environment the locator looks at (a port, so tests can describe any machine). */
export interface ToolHost {
  exists(path: string): boolean;
  listDir(path: string): string[];
  pathDirs(): string[];
  /** /etc/os-release ID and ID_LIKE, lower-case ('' when unknown). */
  osIds(): string[];
  /** The real path of a file (symlinks resolved); optional. */
  realpath?(path: string): string;
}

export const nodeToolHost = (env: NodeJS.ProcessEnv = process.env): ToolHost => ({
  exists: (p) => existsSync(p),
  listDir: (p) => {
    try {
      return readdirSync(p);
    } catch {
      return [];
    }
  },
  pathDirs: () => (env.PATH ?? '').split(delimiter).filter(Boolean),
  realpath: (p) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  },
  osIds: () => {
    try {
      const text = readFileSync('/etc/os-release', 'utf8');
      const get = (k: string) => new RegExp(`^${k}="?([^"\\n]*)"?`, 'm').exec(text)?.[1] ?? '';
      return [get('ID'), ...get('ID_LIKE').split(/\s+/)].map((s) => s.toLowerCase()).filter(Boolean);
    } catch {
      return [];
    }
  },
});

/** The Actions cache as a port (restore/save a directory under a key). */
export interface CachePort {
  restore(paths: string[], key: string): Promise<boolean>;
  save(paths: string[], key: string): Promise<void>;
}

export interface InstallPorts {
  processes: ProcessRunner;
  cache?: CachePort;
  logger: Logger;
  host: ToolHost;
  /** Where downloaded .deb files are kept for the cache (e.g. $RUNNER_TEMP/shipgate-pg-client-17). */
  debDir: (major: number) => string;
  /** 'sudo' when not root. */
  sudo: string[];
  arch: string;
}

export function parseClientVersion(text: string): { major: number; version: string } | undefined {
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  return { major: Number(m[1]), version: m[2] !== undefined ? `${m[1]}.${m[2]}` : m[1] };
}

/** Candidate directories for a major: every PATH entry (an explicit choice wins), then the Debian layout. */
export function candidateDirs(major: number, host: ToolHost): string[] {
  const dirs = [...host.pathDirs(), `/usr/lib/postgresql/${major}/bin`];
  // Debian's pg_wrapper (/usr/bin/pg_dump) picks a version per call from the cluster it connects to, so the
  // version it reports is not necessarily the one that runs: use the versioned directories it points at.
  const isWrapper = (f: string): boolean => (host.realpath?.(f) ?? f).endsWith('/pg_wrapper');
  return [...new Set(dirs)].filter((d) => host.exists(join(d, 'pg_dump')) && host.exists(join(d, 'pg_restore')) && !isWrapper(join(d, 'pg_dump')));
}

async function versionOf(processes: ProcessRunner, file: string): Promise<{ major: number; version: string } | undefined> {
  try {
    const r = await processes.run(file, ['--version'], { env: { PATH: process.env.PATH, LANG: 'C' } });
    return r.code === 0 ? parseClientVersion(r.stdout) : undefined;
  } catch {
    return undefined;
  }
}

/** Find the client tools of exactly `major`; undefined when absent. `found` collects the majors seen. */
export async function findPgTools(major: number, processes: ProcessRunner, host: ToolHost, found: Set<string> = new Set()): Promise<PgTools | undefined> {
  for (const dir of candidateDirs(major, host)) {
    const pgDump = join(dir, 'pg_dump');
    const v = await versionOf(processes, pgDump);
    if (!v) continue;
    found.add(`${v.version} (${dir})`);
    if (v.major === major) return { major, version: v.version, pgDump, pgRestore: join(dir, 'pg_restore'), binDir: dir };
  }
  for (const n of host.listDir('/usr/lib/postgresql')) if (/^\d+$/.test(n) && Number(n) !== major) found.add(`${n} (/usr/lib/postgresql/${n}/bin)`);
  return undefined;
}

export type Installer = (major: number) => Promise<void>;

/** Locate, else install (Debian/Ubuntu), else fail with what was found and what to do. */
export async function locatePgTools(major: number, processes: ProcessRunner, host: ToolHost, install?: Installer): Promise<PgTools> {
  const found = new Set<string>();
  const tools = await findPgTools(major, processes, host, found);
  if (tools) return tools;
  const isDebian = host.osIds().some((id) => id === 'debian' || id === 'ubuntu');
  if (install && isDebian) {
    try {
      await install(major);
    } catch (err) {
      throw new StageError(`pg_dump ${major} is needed for this PostgreSQL ${major} server and installing postgresql-client-${major} failed: ${errorMessage(err)}`);
    }
    const after = await findPgTools(major, processes, host);
    if (after) return after;
    throw new StageError(`postgresql-client-${major} was installed but /usr/lib/postgresql/${major}/bin/pg_dump was not found`);
  }
  const seen = found.size ? `found only ${[...found].join(', ')}` : 'found no pg_dump';
  throw new StageError(
    `pg_dump ${major} is needed for this PostgreSQL ${major} server (pg_dump refuses newer servers, and an archive from a newer pg_dump may not restore here); ${seen}. ` +
      `Install postgresql-client-${major} (Debian/Ubuntu runners get it automatically) or put its bin directory on PATH.`,
  );
}

/** The apt installer with a cache of .deb files (the Neon recipe: add the PGDG repo, install the -client- package). */
export function aptInstaller(ports: InstallPorts): Installer {
  return async (major: number) => {
    const { processes, logger, sudo } = ports;
    const dir = ports.debDir(major);
    mkdirSync(join(dir, 'partial'), { recursive: true });
    const osKey = ports.host.osIds().join('-') || 'linux';
    const cacheKey = `shipgate-postgresql-client-${major}-${osKey}-${ports.arch}-v1`;
    const run = async (args: string[], what: string): Promise<void> => {
      const [cmd, ...rest] = [...sudo, ...args];
      const r = await processes.run(cmd, rest, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeoutMs: 10 * 60_000 });
      if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
    };
    let hit = false;
    if (ports.cache) {
      try {
        hit = await ports.cache.restore([dir], cacheKey);
      } catch (err) {
        logger.info(`cache restore of ${cacheKey} failed: ${errorMessage(err)}`);
      }
    }
    const debs = (): string[] => ports.host.listDir(dir).filter((f) => f.endsWith('.deb'));
    if (hit && debs().length) {
      logger.info(`installing postgresql-client-${major} from the Actions cache (${debs().length} packages)`);
      await run(['apt-get', 'install', '-y', '--no-install-recommends', ...debs().map((f) => join(dir, f))], `apt-get install of cached postgresql-client-${major}`);
      return;
    }
    logger.info(`installing postgresql-client-${major} from apt.postgresql.org (PGDG)`);
    await run(['apt-get', 'update', '-qq'], 'apt-get update');
    await run(['apt-get', 'install', '-y', '--no-install-recommends', 'postgresql-common'], 'apt-get install postgresql-common');
    await run(['/usr/share/postgresql-common/pgdg/apt.postgresql.org.sh', '-y'], 'adding the PGDG apt repository');
    await run(
      ['apt-get', 'install', '-y', '--no-install-recommends', '-o', `Dir::Cache::archives=${dir}`, `postgresql-client-${major}`],
      `apt-get install postgresql-client-${major}`,
    );
    if (ports.cache && debs().length) {
      try {
        await ports.cache.save([dir], cacheKey);
      } catch (err) {
        logger.info(`cache save of ${cacheKey} failed: ${errorMessage(err)}`);
      }
    }
  };
}

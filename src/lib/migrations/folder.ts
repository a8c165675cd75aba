/**
 * Reading a migrations folder the way each tool reads it: plain SQL files, Prisma folders, Drizzle journal.
 * Pure file-system work: no database, no parser.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

export type MigrationFormat = 'sql' | 'prisma' | 'drizzle';

export interface Migration {
  /** Ledger name: SQL file name without `.sql` (and without `.up`), Prisma folder name, Drizzle journal tag. */
  name: string;
  /** Path relative to the workspace, with forward slashes (for annotations). */
  file: string;
  /** Absolute path. */
  path: string;
  /** File text exactly as read (UTF-8). */
  sql: string;
  /** The checksum the format's ledger stores: sha256 hex of the raw file (SQL format: of the LF-normalised file). */
  checksum: string;
  /** The file asks to run without a transaction (`-- shipgate:no-transaction` and the equivalents listed in NO_TRANSACTION_DIRECTIVES). */
  noTransaction: boolean;
  /** Drizzle: the journal's `when` (the ledger's created_at). */
  when?: number;
  /** Drizzle: the file split on `--> statement-breakpoint`, with each chunk's byte offset in the file. */
  chunks?: { text: string; offset: number }[];
}

export interface MigrationFolder {
  format: MigrationFormat;
  /** Folder relative to the workspace (forward slashes). */
  dir: string;
  /** Absolute folder path. */
  path: string;
  migrations: Migration[];
}

/** Folders tried in this order when no folder is given. */
export const DEFAULT_DIRS = ['prisma/migrations', 'drizzle', 'db/migrations', 'migrations'];

/** First-line-ish comments that force a file to run outside a transaction. */
export const NO_TRANSACTION_DIRECTIVES = [
  /^\s*--\s*shipgate:no-transaction\b/im,
  /^\s*--!\s*no-transaction\b/im, // graphile-migrate
  /^\s*--\s*postgres-migrations\s+disable-transaction\b/im, // supabase/storage's runner
];

export const DRIZZLE_BREAKPOINT = '--> statement-breakpoint';

export class MigrationFolderError extends Error {
  override name = 'MigrationFolderError';
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(message);
  }
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Checksums a ledger value may legitimately have for this file text: raw, LF-normalised and CRLF-normalised. */
export function acceptableChecksums(text: string): Set<string> {
  const lf = text.replace(/\r\n/g, '\n');
  return new Set([sha256(text), sha256(lf), sha256(lf.replace(/\n/g, '\r\n'))]);
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Byte-wise (not locale) comparison of two names, as Rust's and Go's sorts do. */
export function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function hasDirective(sql: string): boolean {
  // Only look at the leading comment block, so a directive quoted deep inside a function body does not count.
  const head = /^(?:\s*(?:--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/))*/.exec(sql)?.[0] ?? '';
  return NO_TRANSACTION_DIRECTIVES.some((re) => re.test(head));
}

/** Which format a folder holds: meta/_journal.json = drizzle, subfolders with migration.sql = prisma, else sql. */
export function detectFormat(path: string): MigrationFormat {
  if (existsSync(join(path, 'meta', '_journal.json'))) return 'drizzle';
  const entries = readdirSync(path, { withFileTypes: true });
  if (entries.some((e) => e.isDirectory() && existsSync(join(path, e.name, 'migration.sql')))) return 'prisma';
  return 'sql';
}

/**
 * Finds and reads the migrations folder. `dir` is relative to `workspace` (or absolute); without it the first of
 * DEFAULT_DIRS that exists is used. `format` 'auto' detects it. Throws MigrationFolderError with a message that says
 * what to do when nothing is found or the folder is malformed.
 */
export function detectMigrations(workspace: string, dir?: string, format: MigrationFormat | 'auto' = 'auto'): MigrationFolder {
  let abs: string;
  if (dir) {
    abs = isAbsolute(dir) ? dir : join(workspace, dir);
    if (!isDir(abs)) throw new MigrationFolderError(`Input 'migrations-dir' got ${JSON.stringify(dir)}; expected an existing folder (relative to the workspace ${workspace})`);
  } else {
    const found = DEFAULT_DIRS.find((d) => isDir(join(workspace, d)));
    if (!found) {
      throw new MigrationFolderError(`no migrations folder found: looked for ${DEFAULT_DIRS.join(', ')} in ${workspace}; set the input 'migrations-dir'`);
    }
    abs = join(workspace, found);
  }
  const fmt = format === 'auto' ? detectFormat(abs) : format;
  const relDir = toPosix(relative(workspace, abs)) || '.';
  const rel = (p: string): string => toPosix(relative(workspace, p));
  const migrations = fmt === 'prisma' ? readPrisma(abs, rel) : fmt === 'drizzle' ? readDrizzle(abs, rel) : readSql(abs, rel);
  return { format: fmt, dir: relDir, path: abs, migrations };
}

function readText(path: string): string {
  return readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
}

/** Numeric id prefix (`0021_…`, `20240101120000-…`, `V3__…`) or undefined. */
function numericId(name: string): bigint | undefined {
  const m = /^[Vv]?(\d+)(?=[_\-.\s]|$)/.exec(name);
  return m ? BigInt(m[1]) : undefined;
}

function readSql(abs: string, rel: (p: string) => string): Migration[] {
  const files = readdirSync(abs, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.sql') && !/\.down\.sql$/i.test(e.name))
    .map((e) => e.name);
  const keyed = files.map((f) => ({ f, id: numericId(f) }));
  keyed.sort((a, b) => {
    if (a.id !== undefined && b.id !== undefined && a.id !== b.id) return a.id < b.id ? -1 : 1;
    if ((a.id === undefined) !== (b.id === undefined)) return a.id === undefined ? 1 : -1;
    return byteCompare(a.f, b.f);
  });
  const seen = new Map<string, string>();
  return keyed.map(({ f }) => {
    const path = join(abs, f);
    const sql = readText(path);
    const name = f.replace(/\.sql$/i, '').replace(/\.up$/i, '');
    const dup = seen.get(name);
    if (dup) throw new MigrationFolderError(`${rel(path)} and ${dup} have the same migration name ${name}; rename one`, rel(path));
    seen.set(name, rel(path));
    return { name, file: rel(path), path, sql, checksum: sha256(sql.replace(/\r\n/g, '\n')), noTransaction: hasDirective(sql) };
  });
}

function readPrisma(abs: string, rel: (p: string) => string): Migration[] {
  const dirs = readdirSync(abs, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(abs, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort(byteCompare);
  return dirs.map((d) => {
    const path = join(abs, d, 'migration.sql');
    const raw = readFileSync(path);
    const sql = raw.toString('utf8');
    return { name: d, file: rel(path), path, sql, checksum: sha256(raw), noTransaction: hasDirective(sql) };
  });
}

interface DrizzleJournal {
  entries?: { idx?: number; when?: number; tag?: string; breakpoints?: boolean }[];
}

function readDrizzle(abs: string, rel: (p: string) => string): Migration[] {
  const journalPath = join(abs, 'meta', '_journal.json');
  let journal: DrizzleJournal;
  try {
    journal = JSON.parse(readFileSync(journalPath, 'utf8')) as DrizzleJournal;
  } catch (err) {
    throw new MigrationFolderError(`${rel(journalPath)} is not valid JSON (${(err as Error).message}); regenerate it with drizzle-kit generate`, rel(journalPath));
  }
  if (!Array.isArray(journal.entries)) throw new MigrationFolderError(`${rel(journalPath)} has no entries array`, rel(journalPath));
  return journal.entries.map((e, i) => {
    if (typeof e.tag !== 'string' || typeof e.when !== 'number') {
      throw new MigrationFolderError(`${rel(journalPath)} entry ${i} lacks a tag or a numeric when`, rel(journalPath));
    }
    const path = join(abs, `${e.tag}.sql`);
    if (!existsSync(path)) {
      throw new MigrationFolderError(`${rel(journalPath)} lists ${e.tag} but ${rel(path)} does not exist; restore the file or regenerate the journal`, rel(path));
    }
    const raw = readFileSync(path);
    const sql = raw.toString('utf8');
    const chunks: { text: string; offset: number }[] = [];
    let offset = 0;
    for (const part of sql.split(DRIZZLE_BREAKPOINT)) {
      chunks.push({ text: part, offset });
      offset += Buffer.byteLength(part) + Buffer.byteLength(DRIZZLE_BREAKPOINT);
    }
    return { name: e.tag, file: rel(path), path, sql, checksum: sha256(raw), noTransaction: hasDirective(sql), when: e.when, chunks };
  });
}

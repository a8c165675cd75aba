/**
 * The real PostgreSQL parser (libpg-query, WebAssembly) loaded once. In the ncc bundle the module finds its
 * `libpg-query.wasm` next to `dist/<stage>/index.js` (scripts/build.mjs copies it there).
 */
import { loadModule, parseSync } from 'libpg-query';

let loaded: Promise<void> | undefined;

/** Load the WebAssembly parser (idempotent). Call before `parseSql`. */
export function loadParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

export interface RawStmt {
  stmt: Record<string, any>;
  /** Byte offset of the statement in the UTF-8 text (leading comments and blanks included). */
  stmt_location?: number;
  /** Byte length; absent for the last statement without a trailing semicolon. */
  stmt_len?: number;
}

export class SqlParseError extends Error {
  override name = 'SqlParseError';
  constructor(
    message: string,
    /** 0-based character index in the text where the parser stopped, when known. */
    readonly position: number | undefined,
  ) {
    super(message);
  }
}

/** Parse a whole SQL text; throws SqlParseError with the position the parser reported. */
export function parseSql(sql: string): RawStmt[] {
  try {
    return (parseSync(sql) as { stmts?: RawStmt[] }).stmts ?? [];
  } catch (err) {
    const e = err as Error & { sqlDetails?: { cursorPosition?: number } };
    const pos = e.sqlDetails?.cursorPosition;
    throw new SqlParseError(e.message, typeof pos === 'number' && pos >= 0 ? pos : undefined);
  }
}

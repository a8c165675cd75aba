/**
 * What an ALTER COLUMN ... TYPE does to the live column: `coercible` (binary-coercible, no rewrite: varchar(n) ->
 * varchar(m >= n) or text, numeric precision increase), `narrowing` (values may not fit: bigint -> integer,
 * text -> varchar(n), varchar(n) -> varchar(m < n), double -> real, timestamp -> date; destructive), or `rewrite`.
 */
import type { Queryable } from '../lib/migrations/ledger.js';
import type { Finding } from '../lib/lint/lint.js';
import { quoteIdent } from '../lib/postgres.js';

export type TypeChange = 'coercible' | 'narrowing' | 'rewrite';

interface T {
  base: string;
  mods: number[];
}

const INT_RANK: Record<string, number> = { smallint: 1, integer: 2, bigint: 3 };
const ALIAS: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  varchar: 'character varying',
  bpchar: 'character',
  char: 'character',
  float4: 'real',
  float8: 'double precision',
  timestamptz: 'timestamp with time zone',
  timestamp: 'timestamp without time zone',
  timetz: 'time with time zone',
  time: 'time without time zone',
  bool: 'boolean',
  decimal: 'numeric',
};

/** format_type() text, e.g. `character varying(40)`, `numeric(10,2)`. */
export function parseFormatType(text: string): T {
  const m = /^(.*?)(?:\(([\d,\s]+)\))?(\[\])?$/.exec(text.trim());
  const base = (m?.[1] ?? text).trim();
  const mods = m?.[2] ? m[2].split(',').map((x) => Number(x.trim())) : [];
  // format_type puts the modifier before "with(out) time zone": timestamp(3) with time zone.
  const tz = /^(timestamp|time)\((\d+)\) (with(?:out)? time zone)$/.exec(text.trim());
  if (tz) return { base: `${tz[1]} ${tz[3]}`, mods: [Number(tz[2])] };
  return { base: m?.[3] ? `${base}[]` : base, mods };
}

export function fromParsed(t: { name: string; mods: number[] }): T {
  return { base: ALIAS[t.name] ?? t.name, mods: t.mods };
}

export function classifyTypeChange(from: T, to: T): TypeChange {
  const fi = INT_RANK[from.base];
  const ti = INT_RANK[to.base];
  if (fi && ti) return ti < fi ? 'narrowing' : ti === fi ? 'coercible' : 'rewrite';
  const texty = (b: string): boolean => b === 'text' || b === 'character varying';
  if (texty(from.base) && texty(to.base)) {
    const fl = from.base === 'text' || from.mods.length === 0 ? Infinity : from.mods[0];
    const tl = to.base === 'text' || to.mods.length === 0 ? Infinity : to.mods[0];
    return tl >= fl ? 'coercible' : 'narrowing';
  }
  if (texty(from.base) && to.base === 'character') return 'narrowing';
  if (from.base === 'numeric' && to.base === 'numeric') {
    if (to.mods.length === 0) return 'coercible';
    if (from.mods.length === 0) return 'narrowing';
    const [fp, fs = 0] = from.mods;
    const [tp, ts = 0] = to.mods;
    if (ts === fs && tp >= fp) return 'coercible';
    return ts < fs || tp - ts < fp - fs ? 'narrowing' : 'rewrite';
  }
  if (from.base === 'double precision' && to.base === 'real') return 'narrowing';
  if ((from.base === 'numeric' || from.base === 'double precision' || from.base === 'real') && INT_RANK[to.base]) return 'narrowing';
  if (/^timestamp/.test(from.base) && to.base === 'date') return 'narrowing';
  return 'rewrite';
}

function showT(t: T): string {
  return t.mods.length ? `${t.base}(${t.mods.join(',')})` : t.base;
}

/**
 * Looks up the current type of each changed column and adjusts the finding: binary-coercible changes become
 * information (no rewrite), narrowing ones destructive.
 */
export async function applyColumnTypes(db: Queryable, findings: Finding[]): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const f of findings) {
    if (f.rule !== 'changing-column-type' || !f.table || !f.column || !f.toType) {
      out.push(f);
      continue;
    }
    const reg = f.table.split('.').map(quoteIdent).join('.');
    const r = await db.query(`select format_type(atttypid, atttypmod) as t from pg_attribute where attrelid = to_regclass($1) and attname = $2 and not attisdropped`, [reg, f.column]);
    const current = r.rows[0]?.t as string | undefined;
    if (!current) {
      out.push(f);
      continue;
    }
    const from = parseFormatType(current);
    const to = fromParsed(f.toType);
    const kind = classifyTypeChange(from, to);
    if (kind === 'coercible') out.push({ ...f, severity: 'info', message: `changing ${f.table}.${f.column} from ${showT(from)} to ${showT(to)} is binary-coercible: no rewrite, only a brief ACCESS EXCLUSIVE lock` });
    else if (kind === 'narrowing') out.push({ ...f, destructive: true, message: `${f.message}; it narrows ${showT(from)} to ${showT(to)}: values that do not fit make it fail or lose precision` });
    else out.push({ ...f, message: `${f.message} (from ${showT(from)})` });
  }
  return out;
}

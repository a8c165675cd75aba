/**
 * Schema facts after migrating: a normalised snapshot (tables, columns, indexes, constraints, enums), its
 * fingerprint, leftovers (invalid indexes, NOT VALID constraints), and the table-by-table diff used for drift.
 * Ledger tables are left out so the fingerprint depends on the schema only.
 */
import { createHash } from 'node:crypto';

export interface Db {
  query(text: string, params?: unknown[]): Promise<{ rows: any[] }>;
}

export interface TableShape {
  kind: string;
  columns: Record<string, string>;
  indexes: Record<string, string>;
  constraints: Record<string, string>;
  /** Views and materialized views: the definition. */
  definition?: string;
}

export interface SchemaSnapshot {
  tables: Record<string, TableShape>;
  enums: Record<string, string>;
  /** Functions and procedures (not extension-owned): signature -> md5 of the definition. */
  routines: Record<string, string>;
}

const SYSTEM = `n.nspname not in ('pg_catalog', 'information_schema', 'drizzle') and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%'`;
const LEDGERS = `c.relname not in ('shipgate_migrations', '_prisma_migrations')`;

export async function snapshot(db: Db): Promise<SchemaSnapshot> {
  const tables: Record<string, TableShape> = {};
  const rels = await db.query(
    `select n.nspname as s, c.relname as t, c.relkind::text as k, case when c.relkind in ('v','m') then pg_get_viewdef(c.oid) end as def
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r','p','v','m','f') and ${SYSTEM} and ${LEDGERS} order by 1, 2`,
  );
  for (const r of rels.rows) {
    tables[`${r.s}.${r.t}`] = { kind: r.k, columns: {}, indexes: {}, constraints: {}, ...(r.def != null ? { definition: r.def } : {}) };
  }
  const cols = await db.query(
    `select n.nspname as s, c.relname as t, a.attname as col,
            format_type(a.atttypid, a.atttypmod) || case when a.attnotnull then ' not null' else '' end ||
            coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') as def
       from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
       left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where a.attnum > 0 and not a.attisdropped and c.relkind in ('r','p','v','m','f') and ${SYSTEM} and ${LEDGERS}`,
  );
  for (const r of cols.rows) if (tables[`${r.s}.${r.t}`]) tables[`${r.s}.${r.t}`].columns[r.col] = r.def;
  const idx = await db.query(
    `select n.nspname as s, t.relname as t, c.relname as i, pg_get_indexdef(i.indexrelid) as def
       from pg_index i join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid
       join pg_namespace n on n.oid = t.relnamespace where ${SYSTEM} and ${LEDGERS.replace('c.relname', 't.relname')}`,
  );
  for (const r of idx.rows) if (tables[`${r.s}.${r.t}`]) tables[`${r.s}.${r.t}`].indexes[r.i] = r.def;
  const cons = await db.query(
    `select n.nspname as s, c.relname as t, k.conname as name, pg_get_constraintdef(k.oid) as def
       from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
      where ${SYSTEM} and ${LEDGERS}`,
  );
  for (const r of cons.rows) if (tables[`${r.s}.${r.t}`]) tables[`${r.s}.${r.t}`].constraints[r.name] = r.def;
  const enums: Record<string, string> = {};
  const en = await db.query(
    `select n.nspname as s, t.typname as t, string_agg(e.enumlabel, ',' order by e.enumsortorder) as labels
       from pg_type t join pg_enum e on e.enumtypid = t.oid join pg_namespace n on n.oid = t.typnamespace
      where ${SYSTEM} group by 1, 2`,
  );
  for (const r of en.rows) enums[`${r.s}.${r.t}`] = r.labels;
  const routines: Record<string, string> = {};
  const fn = await db.query(
    `select n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' as sig, md5(pg_get_functiondef(p.oid)) as def
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where p.prokind in ('f','p') and ${SYSTEM}
        and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')`,
  );
  for (const r of fn.rows) routines[r.sig] = r.def;
  return { tables, enums, routines };
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function fingerprint(s: SchemaSnapshot): string {
  return createHash('sha256').update(JSON.stringify(canonical(s))).digest('hex');
}

export interface Leftovers {
  invalidIndexes: { index: string; table: string }[];
  notValidConstraints: { constraint: string; table: string }[];
}

export async function leftovers(db: Db): Promise<Leftovers> {
  const inv = await db.query(
    `select n.nspname || '.' || c.relname as index, t.relname as table from pg_index i
       join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
      where not i.indisvalid and ${SYSTEM} order by 1`,
  );
  const nv = await db.query(
    `select k.conname as constraint, n.nspname || '.' || c.relname as table from pg_constraint k
       join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
      where not k.convalidated and k.contype in ('c','f') and ${SYSTEM} order by 2, 1`,
  );
  return { invalidIndexes: inv.rows, notValidConstraints: nv.rows };
}

export interface TableDrift {
  table: string;
  differences: string[];
}

/** What differs between the target (`actual`) and a from-scratch build (`expected`), table by table. */
export function diffSnapshots(actual: SchemaSnapshot, expected: SchemaSnapshot): TableDrift[] {
  const out: TableDrift[] = [];
  const names = [...new Set([...Object.keys(actual.tables), ...Object.keys(expected.tables)])].sort();
  for (const t of names) {
    const a = actual.tables[t];
    const e = expected.tables[t];
    if (!e) {
      out.push({ table: t, differences: ['exists only in the target database (not created by the migrations)'] });
      continue;
    }
    if (!a) {
      out.push({ table: t, differences: ['created by the migrations but missing from the target database'] });
      continue;
    }
    const diffs: string[] = [];
    for (const [label, x, y] of [
      ['column', a.columns, e.columns],
      ['index', a.indexes, e.indexes],
      ['constraint', a.constraints, e.constraints],
    ] as const) {
      for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) {
        if (!(k in y)) diffs.push(`${label} ${k} exists only in the target database (${x[k]})`);
        else if (!(k in x)) diffs.push(`${label} ${k} is missing from the target database (migrations give ${y[k]})`);
        else if (x[k] !== y[k]) diffs.push(`${label} ${k} differs: target has ${x[k]}, migrations give ${y[k]}`);
      }
    }
    if ((a.definition ?? '') !== (e.definition ?? '')) diffs.push('view definition differs');
    if (diffs.length) out.push({ table: t, differences: diffs });
  }
  for (const k of [...new Set([...Object.keys(actual.enums), ...Object.keys(expected.enums)])].sort()) {
    if (actual.enums[k] !== expected.enums[k]) {
      out.push({ table: `type ${k}`, differences: [`enum labels: target ${actual.enums[k] ?? '(none)'}, migrations ${expected.enums[k] ?? '(none)'}`] });
    }
  }
  for (const k of [...new Set([...Object.keys(actual.routines), ...Object.keys(expected.routines)])].sort()) {
    if (!(k in expected.routines)) out.push({ table: `function ${k}`, differences: ['exists only in the target database'] });
    else if (!(k in actual.routines)) out.push({ table: `function ${k}`, differences: ['created by the migrations but missing from the target database'] });
    else if (actual.routines[k] !== expected.routines[k]) out.push({ table: `function ${k}`, differences: ['body differs from the migrations'] });
  }
  return out;
}

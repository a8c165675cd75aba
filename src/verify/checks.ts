/**
 * The `checks` and `sql-checks` inputs: YAML written inline or kept in a file, validated with zod into typed
 * check definitions. Every problem is one InputError line naming the input and the offending entry.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { inputError } from '../lib/inputs.js';
import { oneLine } from '../lib/errors.js';

export interface HttpCheck {
  name: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Content type sent with the body (application/json when the YAML body is a map or list). */
  contentType?: string;
  /** Accepted statuses; default any 2xx. */
  status?: number[];
  contains?: string;
  /** Dotted JSON path -> expected value. */
  json?: Record<string, unknown>;
  maxMs?: number;
}

export interface SqlCheck {
  name: string;
  query: string;
  expected: string;
}

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const checkSchema = z
  .object({
    name: z.string().min(1).optional(),
    method: z
      .string()
      .regex(/^[A-Za-z]+$/, 'a method such as GET or POST')
      .optional(),
    path: z.string().min(1),
    headers: z.record(z.string(), scalar).optional(),
    body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
    status: z.union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)]).optional(),
    contains: z.string().optional(),
    json: z.record(z.string(), z.unknown()).optional(),
    'max-ms': z.number().positive().optional(),
  })
  .strict();

const checksSchema = z.union([z.array(checkSchema), z.object({ checks: z.array(checkSchema) }).strict()]);

const sqlEntrySchema = z
  .object({
    name: z.string().min(1).optional(),
    query: z.string().min(1),
    expected: z.union([scalar, z.null()]),
  })
  .strict();
const sqlChecksSchema = z.union([z.array(sqlEntrySchema), z.record(z.string(), z.union([scalar, z.null()]))]);

/** Inline YAML, or a path to a YAML file (relative to the workspace). */
export function loadYamlInput(name: string, value: string, workspace: string): { text: string; file?: string } {
  const single = !/\r?\n/.test(value.trim());
  const looksLikePath = single && /\.(ya?ml|json)$/i.test(value.trim()) && !/^\s*[-[{]/.test(value);
  if (single && !/^\s*[-[{]/.test(value) && !value.includes(': ')) {
    const file = isAbsolute(value) ? value : resolve(workspace, value);
    if (existsSync(file)) return { text: readFileSync(file, 'utf8'), file: value };
    if (looksLikePath) throw inputError(name, value, `inline YAML or a YAML file that exists (not found under ${workspace})`);
  }
  return { text: value };
}

function parseYaml(name: string, raw: string, text: string, file: string | undefined, what: string): unknown {
  try {
    return YAML.parse(text, { prettyErrors: false });
  } catch (err) {
    const first = oneLine(String((err as Error).message).split('\n')[0] ?? '');
    throw inputError(name, raw, `${what} in valid YAML${file ? ` (${file})` : ''}; the YAML parser said: ${first}`);
  }
}

function issueText(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0];
  if (!issue) return 'an invalid value';
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  return `${prefix}${path}: ${issue.message}`;
}

export function parseChecks(name: string, value: string, workspace: string): HttpCheck[] {
  if (value.trim() === '') return [];
  const { text, file } = loadYamlInput(name, value, workspace);
  const what = 'a list of checks (name, method, path, headers, body, status, contains, json, max-ms)';
  const data = parseYaml(name, value, text, file, what);
  if (data === null || data === undefined) return [];
  const parsed = checksSchema.safeParse(data);
  if (!parsed.success) {
    // Report against the list shape, which is what users write.
    const listErr = z.array(checkSchema).safeParse(Array.isArray(data) ? data : (data as { checks?: unknown }).checks);
    const err = listErr.success ? parsed.error : listErr.error;
    throw inputError(name, value, `${what}; ${issueText(err, 'checks')}`);
  }
  const list = Array.isArray(parsed.data) ? parsed.data : parsed.data.checks;
  return list.map((c) => {
    const method = (c.method ?? (c.body !== undefined ? 'POST' : 'GET')).toUpperCase();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(c.headers ?? {})) headers[k.toLowerCase()] = String(v);
    let body: string | undefined;
    let contentType: string | undefined;
    if (typeof c.body === 'string') body = c.body;
    else if (c.body !== undefined) {
      body = JSON.stringify(c.body);
      contentType = 'application/json';
    }
    if (!/^(\/|https?:\/\/)/i.test(c.path)) throw inputError(name, value, `${what}; check "${c.name ?? c.path}": path must start with / (relative to url)`);
    return {
      name: c.name ?? `${method} ${c.path}`,
      method,
      path: c.path,
      headers,
      body,
      contentType,
      status: c.status === undefined ? undefined : Array.isArray(c.status) ? c.status : [c.status],
      contains: c.contains,
      json: c.json,
      maxMs: c['max-ms'],
    };
  });
}

export function parseSqlChecks(name: string, value: string, workspace: string): SqlCheck[] {
  if (value.trim() === '') return [];
  const { text, file } = loadYamlInput(name, value, workspace);
  const what = 'a YAML map of query: expected value, or a list of {name, query, expected}';
  const data = parseYaml(name, value, text, file, what);
  if (data === null || data === undefined) return [];
  const parsed = sqlChecksSchema.safeParse(data);
  if (!parsed.success) {
    const err = Array.isArray(data) ? (z.array(sqlEntrySchema).safeParse(data).error ?? parsed.error) : parsed.error;
    throw inputError(name, value, `${what}; ${issueText(err, 'sql-checks')}`);
  }
  const show = (v: unknown): string => (v === null ? 'null' : String(v));
  if (Array.isArray(parsed.data)) {
    return parsed.data.map((e, i) => ({ name: e.name ?? `sql #${i + 1}`, query: e.query, expected: show(e.expected) }));
  }
  return Object.entries(parsed.data).map(([query, expected], i) => ({ name: `sql #${i + 1}`, query, expected: show(expected) }));
}

/** Reads a dotted path (`a.b.0.c`) from parsed JSON. */
export function getPath(data: unknown, path: string): { found: boolean; value?: unknown } {
  let cur: unknown = data;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return { found: false };
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(part) || Number(part) >= cur.length) return { found: false };
      cur = cur[Number(part)];
    } else {
      if (!Object.prototype.hasOwnProperty.call(cur, part)) return { found: false };
      cur = (cur as Record<string, unknown>)[part];
    }
  }
  return { found: true, value: cur };
}

/** Loose equality for expectations written in YAML: 5 equals "5", true equals "true", objects compared as JSON. */
export function sameValue(actual: unknown, expected: unknown): boolean {
  if (actual === expected) return true;
  if (actual !== null && typeof actual === 'object') return JSON.stringify(actual) === JSON.stringify(expected);
  if (expected !== null && typeof expected === 'object') return false;
  return String(actual) === String(expected);
}

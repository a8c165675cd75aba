/**
 * Required environment variables: `NAME` or `NAME: rule, rule` per line. Rules: url, https, postgres-url,
 * mongodb-url, min-length=N. Problems name the variable and the rule, never the value.
 */
import { isLocalHost } from '../lib/postgres.js';
import { tryParseUrl } from '../lib/secrets.js';

export type EnvRule = { kind: 'url' } | { kind: 'https' } | { kind: 'postgres-url' } | { kind: 'mongodb-url' } | { kind: 'min-length'; n: number };

export interface RequiredEnv {
  name: string;
  rules: EnvRule[];
}

export class RequiredEnvSyntaxError extends Error {
  override name = 'RequiredEnvSyntaxError';
}

export const ENV_RULE_NAMES = ['url', 'https', 'postgres-url', 'mongodb-url', 'min-length=N'];

export function parseRequiredEnvLine(line: string): RequiredEnv {
  const colon = line.indexOf(':');
  const name = (colon < 0 ? line : line.slice(0, colon)).trim();
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new RequiredEnvSyntaxError(`"${name}" is not a variable name`);
  const rules: EnvRule[] = [];
  if (colon >= 0) {
    for (const raw of line.slice(colon + 1).split(',').map((r) => r.trim()).filter(Boolean)) {
      const ml = /^min-length\s*=\s*(\d+)$/.exec(raw);
      if (ml) rules.push({ kind: 'min-length', n: Number(ml[1]) });
      else if (raw === 'url' || raw === 'https' || raw === 'postgres-url' || raw === 'mongodb-url') rules.push({ kind: raw });
      else throw new RequiredEnvSyntaxError(`unknown rule "${raw}" for ${name} (rules: ${ENV_RULE_NAMES.join(', ')})`);
    }
  }
  return { name, rules };
}

export interface EnvProblem {
  name: string;
  /** What is wrong, without the value. */
  problem: string;
}

export function isProductionEnvironment(environment: string): boolean {
  return /^prod(uction)?$/i.test(environment.trim());
}

/** Checks every required variable against `env`. Never includes a value in a problem. */
export function checkRequiredEnv(required: RequiredEnv[], env: NodeJS.ProcessEnv, opts: { production: boolean }): EnvProblem[] {
  const problems: EnvProblem[] = [];
  for (const r of required) {
    const v = env[r.name];
    if (v === undefined || v === '') {
      problems.push({ name: r.name, problem: 'is missing or empty' });
      continue;
    }
    for (const rule of r.rules) {
      const p = checkRule(rule, v, opts.production);
      if (p) problems.push({ name: r.name, problem: p });
    }
  }
  return problems;
}

function checkRule(rule: EnvRule, v: string, production: boolean): string | undefined {
  const u = tryParseUrl(v.trim());
  switch (rule.kind) {
    case 'min-length':
      return v.length < rule.n ? `is too short (${v.length} characters, at least ${rule.n} required)` : undefined;
    case 'url':
      return !u || !u.protocol || !(u.host || u.pathname) ? 'is not a valid URL' : undefined;
    case 'https':
      return !u ? 'is not a valid URL (expected https://…)' : u.protocol !== 'https:' ? `is not an https URL (scheme ${u.protocol.replace(':', '')})` : undefined;
    case 'postgres-url': {
      if (!u || (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')) return 'is not a PostgreSQL URL (expected postgres://user:password@host:5432/db)';
      if (!u.hostname && !u.searchParams.get('host')) return 'is a PostgreSQL URL without a host';
      const host = u.searchParams.get('host') ?? decodeURIComponent(u.hostname);
      const ssl = (u.searchParams.get('sslmode') ?? '').toLowerCase();
      if (production && !isLocalHost(host) && !['require', 'verify-ca', 'verify-full'].includes(ssl)) {
        return `is a PostgreSQL URL without sslmode=require (needed in production for a non-local host; got ${ssl ? `sslmode=${ssl}` : 'no sslmode'})`;
      }
      return undefined;
    }
    case 'mongodb-url':
      return !u || (u.protocol !== 'mongodb:' && u.protocol !== 'mongodb+srv:') || !u.hostname ? 'is not a MongoDB URL (expected mongodb:// or mongodb+srv://)' : undefined;
  }
}

/**
 * Typed, validated reading of action inputs. Every failure is an InputError whose one-line message names the
 * input, shows what it got (redacted when secret) and says what it expects.
 */
import { InputError } from './errors.js';
import { parseDuration } from './durations.js';
import { redactUrl, tryParseUrl, type Masker } from './secrets.js';

/** Where raw input values come from: the runner's INPUT_* variables (through @actions/core) or a plain map in tests. */
export interface InputSource {
  get(name: string): string;
}

/** Reads INPUT_<NAME> the way the runner sets it and @actions/core reads it. */
export function envInputSource(env: NodeJS.ProcessEnv = process.env): InputSource {
  return { get: (name) => (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim() };
}

export function mapInputSource(values: Record<string, string | number | boolean | undefined>): InputSource {
  return { get: (name) => (values[name] === undefined ? '' : String(values[name]).trim()) };
}

function show(value: string, secret = false): string {
  if (secret) return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? JSON.stringify(redactUrl(value)) : '"***"';
  const v = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return JSON.stringify(v);
}

export function inputError(name: string, got: string, expected: string, secret = false): InputError {
  const what = got === '' ? 'nothing' : show(got, secret);
  return new InputError(name, `Input '${name}' got ${what}; expected ${expected}.`);
}

export interface UrlOptions {
  protocols: string[];
  secret?: boolean;
  required?: boolean;
  expected?: string;
}

/** Reads inputs from a source; secrets are registered with the masker the moment they are read. */
export class Inputs {
  constructor(
    private readonly source: InputSource,
    private readonly masker?: Masker,
  ) {}

  raw(name: string): string {
    return this.source.get(name);
  }

  string(name: string, opts: { required?: boolean; default?: string; expected?: string } = {}): string {
    const v = this.source.get(name);
    if (v === '') {
      if (opts.required) throw inputError(name, '', opts.expected ?? 'a value (this input is required)');
      return opts.default ?? '';
    }
    return v;
  }

  optional(name: string): string | undefined {
    const v = this.source.get(name);
    return v === '' ? undefined : v;
  }

  /** A token or other secret: masked before anything else happens. */
  secret(name: string, opts: { required?: boolean; expected?: string } = {}): string | undefined {
    const v = this.source.get(name);
    if (v === '') {
      if (opts.required) throw inputError(name, '', opts.expected ?? 'a value (this input is required)');
      return undefined;
    }
    this.masker?.add(v);
    return v;
  }

  bool(name: string, def: boolean): boolean {
    const v = this.source.get(name).toLowerCase();
    if (v === '') return def;
    if (['true', 'yes', '1', 'on'].includes(v)) return true;
    if (['false', 'no', '0', 'off'].includes(v)) return false;
    throw inputError(name, v, 'true or false');
  }

  enum<T extends string>(name: string, values: readonly T[], def?: T): T {
    const v = this.source.get(name);
    if (v === '') {
      if (def === undefined) throw inputError(name, '', `one of ${values.join('|')}`);
      return def;
    }
    if (!(values as readonly string[]).includes(v)) throw inputError(name, v, `one of ${values.join('|')}`);
    return v as T;
  }

  /** Milliseconds. */
  duration(name: string, def: string, opts: { min?: number; max?: number } = {}): number {
    const raw = this.source.get(name) || def;
    const ms = parseDuration(raw);
    const expected = 'a duration such as 500ms, 5s, 10m or 1h (0 for none)';
    if (ms === undefined || ms < 0) throw inputError(name, raw, expected);
    if (opts.min !== undefined && ms < opts.min) throw inputError(name, raw, `${expected}, at least ${opts.min}ms`);
    if (opts.max !== undefined && ms > opts.max) throw inputError(name, raw, `${expected}, at most ${opts.max}ms`);
    return ms;
  }

  int(name: string, opts: { default?: number; min?: number; max?: number; required?: boolean } = {}): number | undefined {
    const raw = this.source.get(name);
    if (raw === '') {
      if (opts.required) throw inputError(name, '', 'an integer (this input is required)');
      return opts.default;
    }
    const range = `${opts.min !== undefined ? ` >= ${opts.min}` : ''}${opts.max !== undefined ? ` <= ${opts.max}` : ''}`;
    if (!/^[+-]?\d+$/.test(raw)) throw inputError(name, raw, `an integer${range}`);
    const n = Number(raw);
    if ((opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) throw inputError(name, raw, `an integer${range}`);
    return n;
  }

  number(name: string, opts: { default?: number; min?: number; max?: number } = {}): number | undefined {
    const raw = this.source.get(name);
    if (raw === '') return opts.default;
    const range = `${opts.min !== undefined ? ` >= ${opts.min}` : ''}${opts.max !== undefined ? ` <= ${opts.max}` : ''}`;
    const n = Number(raw);
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(raw) || !Number.isFinite(n)) throw inputError(name, raw, `a number${range}`);
    if ((opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) throw inputError(name, raw, `a number${range}`);
    return n;
  }

  /** A URL with one of the given protocols. When secret, every form of its password is masked first. */
  url(name: string, opts: UrlOptions & { required: true }): string;
  url(name: string, opts: UrlOptions): string | undefined;
  url(name: string, opts: UrlOptions): string | undefined {
    const v = this.source.get(name);
    const expected = opts.expected ?? `a URL starting with ${opts.protocols.map((p) => `${p}//`).join(' or ')}`;
    if (v === '') {
      if (opts.required) throw inputError(name, '', `${expected} (this input is required)`);
      return undefined;
    }
    if (opts.secret) {
      this.masker?.addUrl(v);
    }
    const parsed = tryParseUrl(v);
    if (!parsed || !opts.protocols.includes(parsed.protocol) || (!parsed.host && !parsed.pathname)) {
      throw inputError(name, v, expected, opts.secret);
    }
    return v;
  }

  /** Non-empty, trimmed lines; `#` comments dropped. */
  lines(name: string): string[] {
    return this.source
      .get(name)
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
  }

  json<T = unknown>(name: string, expected: string): T | undefined {
    const v = this.source.get(name);
    if (v === '') return undefined;
    try {
      return JSON.parse(v) as T;
    } catch {
      throw inputError(name, v, expected);
    }
  }
}

export const DATABASE_PROTOCOLS = ['postgres:', 'postgresql:', 'mongodb:', 'mongodb+srv:'];
export const POSTGRES_PROTOCOLS = ['postgres:', 'postgresql:'];

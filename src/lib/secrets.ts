/**
 * Secret masking. Every form in which a secret can show up is registered: raw, URL-encoded (JavaScript's
 * encodeURIComponent leaves !'()* alone, RFC 3986 escapes them), URL-decoded and base64; for a database URL
 * also the password as written in the URL, `user:password` and the whole URL. `redact` replaces every form
 * with `***`, longest first, so no partial form survives.
 */

export type MaskSink = (value: string) => void;

const MIN_SECRET_LENGTH = 3;

export function strictEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Every form of one secret value that could be printed. */
export function secretForms(value: string): string[] {
  const forms = new Set<string>();
  if (!value || value.length < MIN_SECRET_LENGTH) return [];
  const base = [value, safeDecode(value)];
  for (const v of base) {
    forms.add(v);
    forms.add(encodeURIComponent(v));
    forms.add(strictEncode(v));
    forms.add(Buffer.from(v).toString('base64'));
    forms.add(JSON.stringify(v).slice(1, -1));
  }
  // Lower-case percent escapes (some encoders emit %2f rather than %2F).
  for (const f of [...forms]) forms.add(f.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

/** Parse a URL without throwing. Accepts postgres://, postgresql://, mongodb://, mongodb+srv://, https://… */
export function tryParseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** The password of a URL exactly as it is written between `:` and `@` (WHATWG URL re-encodes some characters). */
function rawPasswordOf(value: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(value);
  if (!m) return undefined;
  const userinfo = m[1];
  const i = userinfo.indexOf(':');
  if (i < 0) return undefined;
  return userinfo.slice(i + 1);
}

function rawUserOf(value: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(value);
  if (!m) return undefined;
  const userinfo = m[1];
  const i = userinfo.indexOf(':');
  return i < 0 ? userinfo : userinfo.slice(0, i);
}

/**
 * The userinfo of a URL may itself contain '@' (an unencoded password such as `p@ss`): the last '@' before
 * the path ends it. This reads it the way libpq and the pg driver do.
 */
export function urlSecretForms(url: string): string[] {
  const forms = new Set<string>();
  const rawPw = rawPasswordOf(url);
  if (rawPw) for (const f of secretForms(rawPw)) forms.add(f);
  const parsed = tryParseUrl(url);
  if (parsed?.password) for (const f of secretForms(parsed.password)) forms.add(f);
  // Secrets in query parameters (password=…, sslpassword=…, token=…).
  if (parsed) {
    for (const [k, v] of parsed.searchParams) {
      if (/pass|secret|token|key/i.test(k) && v) for (const f of secretForms(v)) forms.add(f);
    }
  }
  forms.add(url);
  if (rawPw) {
    const user = rawUserOf(url) ?? '';
    forms.add(`${user}:${rawPw}`);
    forms.add(strictEncode(url));
    forms.add(encodeURIComponent(url));
    forms.add(Buffer.from(url).toString('base64'));
  }
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

/** A URL safe to print: the password (and secret-looking query values) replaced by `***`. Non-URLs are redacted whole. */
export function redactUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@(.*)$/is.exec(url);
  let out = url;
  if (m) {
    const userinfo = m[2];
    const i = userinfo.indexOf(':');
    const user = i < 0 ? userinfo : userinfo.slice(0, i);
    out = `${m[1]}${i < 0 ? user : `${user}:***`}@${m[3]}`;
  } else if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    return '***';
  }
  return out.replace(/([?&][^=&#]*(?:pass|secret|token|key)[^=&#]*=)[^&#]*/gi, '$1***');
}

/** Holds every registered secret form and scrubs text. */
export class Masker {
  private forms: string[] = [];
  constructor(private readonly sink: MaskSink = () => {}) {}

  /** Register a plain secret (token, webhook URL, bypass secret…). */
  add(value: string | undefined): void {
    if (!value) return;
    this.register(secretForms(value));
    // A URL secret (webhook) also hides its path and query separately.
    const parsed = tryParseUrl(value);
    if (parsed && parsed.pathname.length > 8) this.register(secretForms(parsed.pathname + parsed.search));
  }

  /** Register a connection URL: its password in every form, `user:password`, and the whole URL. */
  addUrl(url: string | undefined): void {
    if (!url) return;
    this.register(urlSecretForms(url));
  }

  private register(forms: string[]): void {
    let changed = false;
    for (const f of forms) {
      if (f.length < MIN_SECRET_LENGTH || this.forms.includes(f)) continue;
      this.forms.push(f);
      this.sink(f);
      changed = true;
    }
    if (changed) this.forms.sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const f of this.forms) if (out.includes(f)) out = out.split(f).join('***');
    return out;
  }

  /** Whether any registered form occurs in the text (used by tests and by a last check before writing payloads). */
  leaks(text: string): boolean {
    return this.forms.some((f) => text.includes(f));
  }

  get size(): number {
    return this.forms.length;
  }
}

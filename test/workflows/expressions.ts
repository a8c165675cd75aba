/**
 * A small evaluator of GitHub Actions expressions, enough to evaluate this suite's `if:` conditions and `with:`
 * values against a context in tests (and for an end-to-end chain that follows deploy.yml): literals, property
 * access (a.b, a['b'], a.*.b), ! && || == != < <= > >=, parentheses, and the functions always, success, failure,
 * cancelled, contains, startsWith, endsWith, format, join, toJSON, fromJSON.
 * Semantics follow GitHub's: && and || return an operand; == compares strings case-insensitively and coerces
 * other mixed types to numbers; '' 0 null false are falsy; a missing property is null.
 */
export interface Status {
  /**
   * For a step: the job status so far. For a job: success when every needed job succeeded, failure when one
   * failed, skipped when one was skipped (then success() and failure() are both false), cancelled.
   */
  job: 'success' | 'failure' | 'cancelled' | 'skipped';
}

type Value = unknown;

type Token = { t: 'num' | 'str' | 'id' | 'op' | 'eof'; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new Error(`unterminated string in ${src}`);
        if (src[i] === "'") {
          if (src[i + 1] === "'") { s += "'"; i += 2; continue; }
          i++;
          break;
        }
        s += src[i++];
      }
      out.push({ t: 'str', v: s });
      continue;
    }
    const two = src.slice(i, i + 2);
    if (['&&', '||', '==', '!=', '<=', '>='].includes(two)) { out.push({ t: 'op', v: two }); i += 2; continue; }
    if ('!<>()[].,*'.includes(c)) { out.push({ t: 'op', v: c }); i++; continue; }
    const num = /^(0x[0-9a-f]+|-?\d+(\.\d+)?(e[+-]?\d+)?)/i.exec(src.slice(i));
    if (num && !(out.length && out[out.length - 1].v === '.')) { out.push({ t: 'num', v: num[0] }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i));
    if (id) { out.push({ t: 'id', v: id[0] }); i += id[0].length; continue; }
    throw new Error(`unexpected ${c} in ${src}`);
  }
  out.push({ t: 'eof', v: '' });
  return out;
}

export function truthy(v: Value): boolean {
  return !(v === null || v === undefined || v === false || v === 0 || v === '' || (typeof v === 'number' && Number.isNaN(v)));
}

function toNumber(v: Value): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v.trim() === '' ? 0 : Number(v);
  return NaN;
}

function toStr(v: Value): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  return JSON.stringify(v, null, 2);
}

function equal(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a === typeof b && (typeof a !== 'object' || a === null || b === null)) return a === b || (a == null && b == null);
  if ((typeof a === 'object' && a !== null) || (typeof b === 'object' && b !== null)) return a === b;
  return toNumber(a) === toNumber(b);
}

function compare(a: Value, b: Value): number {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0;
  const x = toNumber(a);
  const y = toNumber(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function get(obj: Value, key: string): Value {
  if (obj === null || obj === undefined || typeof obj !== 'object') return null;
  if (Array.isArray(obj) && /^\d+$/.test(key)) return obj[Number(key)] ?? null;
  const hit = Object.keys(obj).find((k) => k.toLowerCase() === key.toLowerCase());
  return hit === undefined ? null : (obj as Record<string, Value>)[hit];
}

/** Evaluates one expression (the text inside `${{ }}`, or a bare `if:`). */
export function evaluate(expr: string, context: Record<string, Value>, status: Status = { job: 'success' }): Value {
  const toks = tokenize(expr);
  let p = 0;
  const peek = () => toks[p];
  const take = (v?: string) => {
    const tk = toks[p];
    if (v !== undefined && tk.v !== v) throw new Error(`expected ${v} at ${tk.v || 'end'} in ${expr}`);
    p++;
    return tk;
  };
  const functions: Record<string, (...a: Value[]) => Value> = {
    always: () => true,
    success: () => status.job === 'success',
    failure: () => status.job === 'failure',
    cancelled: () => status.job === 'cancelled',
    contains: (s, x) => (Array.isArray(s) ? s.some((e) => equal(e, x)) : toStr(s).toLowerCase().includes(toStr(x).toLowerCase())),
    startswith: (s, x) => toStr(s).toLowerCase().startsWith(toStr(x).toLowerCase()),
    endswith: (s, x) => toStr(s).toLowerCase().endsWith(toStr(x).toLowerCase()),
    format: (f, ...args) => toStr(f).replace(/\{(\d+)\}/g, (_m, i) => toStr(args[Number(i)])),
    join: (a, sep = ',') => (Array.isArray(a) ? a.map(toStr).join(toStr(sep)) : toStr(a)),
    tojson: (v) => JSON.stringify(v, null, 2),
    fromjson: (v) => JSON.parse(toStr(v)),
  };
  const primary = (): Value => {
    const tk = take();
    if (tk.t === 'num') return Number(tk.v);
    if (tk.t === 'str') return tk.v;
    if (tk.v === '(') {
      const v = or();
      take(')');
      return postfix(v);
    }
    if (tk.v === '!') return !truthy(unary());
    if (tk.t === 'id') {
      if (tk.v === 'true') return true;
      if (tk.v === 'false') return false;
      if (tk.v === 'null') return null;
      if (peek().v === '(') {
        take('(');
        const args: Value[] = [];
        if (peek().v !== ')') {
          args.push(or());
          while (peek().v === ',') { take(','); args.push(or()); }
        }
        take(')');
        const fn = functions[tk.v.toLowerCase()];
        if (!fn) throw new Error(`unknown function ${tk.v}`);
        return postfix(fn(...args));
      }
      return postfix(get(context, tk.v));
    }
    throw new Error(`unexpected ${tk.v || 'end'} in ${expr}`);
  };
  const postfix = (v: Value): Value => {
    for (;;) {
      if (peek().v === '.') {
        take('.');
        const k = take();
        if (k.v === '*') v = Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v) : [];
        else v = projectOrGet(v, k.v);
      } else if (peek().v === '[') {
        take('[');
        const k = or();
        take(']');
        v = get(v, toStr(k));
      } else return v;
    }
  };
  const projectOrGet = (v: Value, k: string): Value => (Array.isArray(v) && !/^\d+$/.test(k) ? v.map((e) => get(e, k)) : get(v, k));
  const unary = (): Value => (peek().v === '!' ? (take('!'), !truthy(unary())) : primary());
  const cmp = (): Value => {
    let l = unary();
    while (['==', '!=', '<', '<=', '>', '>='].includes(peek().v)) {
      const op = take().v;
      const r = unary();
      l = op === '==' ? equal(l, r) : op === '!=' ? !equal(l, r) : op === '<' ? compare(l, r) < 0 : op === '<=' ? compare(l, r) <= 0 : op === '>' ? compare(l, r) > 0 : compare(l, r) >= 0;
    }
    return l;
  };
  const and = (): Value => {
    let l = cmp();
    while (peek().v === '&&') {
      take();
      const r = cmp();
      l = truthy(l) ? r : l;
    }
    return l;
  };
  function or(): Value {
    let l = and();
    while (peek().v === '||') {
      take();
      const r = and();
      l = truthy(l) ? l : r;
    }
    return l;
  }
  const v = or();
  if (peek().t !== 'eof') throw new Error(`unexpected ${peek().v} in ${expr}`);
  return v;
}

/** An `if:` condition as the runner decides it: success() is implied unless a status function appears. */
export function condition(ifText: string | undefined, context: Record<string, Value>, status: Status = { job: 'success' }): boolean {
  if (ifText === undefined) return status.job === 'success';
  const m = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(ifText);
  const expr = m ? m[1] : ifText;
  const usesStatus = /\b(always|success|failure|cancelled)\s*\(/i.test(expr);
  const value = truthy(evaluate(expr, context, status));
  return usesStatus ? value : status.job === 'success' && value;
}

/** A string with `${{ }}` parts replaced by their values (as the runner does for with: and env:). */
export function interpolate(text: string, context: Record<string, Value>, status?: Status): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_m, e: string) => toStr(evaluate(e, context, status)));
}

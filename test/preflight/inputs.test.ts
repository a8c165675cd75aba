import { Inputs, mapInputSource } from '../../src/lib/inputs.js';
import { InputError } from '../../src/lib/errors.js';
import { Masker } from '../../src/lib/secrets.js';
import { readPreflightSettings } from '../../src/preflight/inputs.js';
import { checkRequiredEnv, parseRequiredEnvLine } from '../../src/preflight/required-env.js';
import { checkWindows, insideWindow, parseWindow, parseWindows } from '../../src/preflight/window.js';

const read = (values: Record<string, string>, masker?: Masker) => readPreflightSettings(new Inputs(mapInputSource(values), masker));
const errorOf = (fn: () => unknown): InputError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('no input error');
};

describe('readPreflightSettings', () => {
  test('defaults for pr mode: no database needed', () => {
    const s = read({ mode: 'pr' });
    expect(s).toMatchObject({ mode: 'pr', environment: 'preview', failOn: 'error', maxConnectionUsage: 75, auditLevel: 'critical', emergency: false, allowDestructive: false, deployWindow: [], requiredEnv: [] });
    expect(s.databaseUrl).toBeUndefined();
  });

  test('deploy mode needs the database URL', () => {
    expect(errorOf(() => read({ mode: 'deploy' })).message).toMatch(/^Input 'database-url' got nothing; expected a PostgreSQL URL .*required in deploy mode/);
  });

  test('emergency without a reason is an input error naming emergency-reason', () => {
    const e = errorOf(() => read({ mode: 'pr', emergency: 'true' }));
    expect(e.input).toBe('emergency-reason');
    expect(read({ mode: 'pr', emergency: 'true', 'emergency-reason': 'INC-1' })).toMatchObject({ emergency: true, emergencyReason: 'INC-1' });
  });

  test('the database URL and tokens are masked as they are read; a bad URL is shown redacted', () => {
    const masker = new Masker();
    read({ mode: 'pr', 'database-url': 'postgres://u:pa55word@h/db', 'github-token': 'ghs_abcdef' }, masker);
    expect(masker.redact('x pa55word ghs_abcdef')).toBe('x *** ***');
    const e = errorOf(() => read({ mode: 'pr', 'database-url': 'mysql://u:pa55word@h/db' }, new Masker()));
    expect(e.message).not.toContain('pa55word');
  });

  test('required-env lines are parsed; a bad rule is an input error showing the line', () => {
    const s = read({ mode: 'pr', 'required-env': 'API_KEY: min-length=32, https\n# comment\nPLAIN' });
    expect(s.requiredEnv).toEqual([
      { name: 'API_KEY', rules: [{ kind: 'min-length', n: 32 }, { kind: 'https' }] },
      { name: 'PLAIN', rules: [] },
    ]);
    const e = errorOf(() => read({ mode: 'pr', 'required-env': 'API_KEY: shiny' }));
    expect(e.message).toMatch(/^Input 'required-env' got "API_KEY: shiny"; expected .*unknown rule "shiny"/);
    expect(errorOf(() => read({ mode: 'pr', 'required-env': '1BAD' })).input).toBe('required-env');
  });

  test('fail-on, audit-level, max-connection-usage are validated', () => {
    expect(errorOf(() => read({ mode: 'pr', 'fail-on': 'sometimes' })).input).toBe('fail-on');
    expect(errorOf(() => read({ mode: 'pr', 'audit-level': 'severe' })).input).toBe('audit-level');
    expect(errorOf(() => read({ mode: 'pr', 'max-connection-usage': '150' })).input).toBe('max-connection-usage');
    expect(errorOf(() => read({ mode: 'pr', 'vercel-token': 'tok' })).input).toBe('vercel-project-id');
  });
});

describe('deploy window', () => {
  test('syntax: days optional, ranges and lists, IANA zone validated', () => {
    expect(parseWindow('Tue-Thu 10:00-14:00 Europe/Berlin')).toEqual({ text: 'Tue-Thu 10:00-14:00 Europe/Berlin', days: [2, 3, 4], startMinute: 600, endMinute: 840, zone: 'Europe/Berlin' });
    expect(parseWindow('09:30-17:00 America/New_York').days).toBeUndefined();
    expect(parseWindow('Mon,Wed,Fri 09:00-17:00').zone).toBe('UTC');
    expect(parseWindow('Fri-Mon 22:00-02:00 UTC').days).toEqual([0, 1, 5, 6]);
    expect(parseWindows('Mon 10:00-11:00 UTC; Tue 10:00-11:00 UTC')).toHaveLength(2);
    for (const bad of ['Tue-Thu 10:00-14:00 Mars/Olympus', 'Tue-Thu', 'Tue-Thu 10-14 UTC', 'Tue-Thu 25:00-26:00 UTC', 'Someday 10:00-14:00 UTC', 'Tue 10:00-10:00 UTC', 'Tue 10:00-11:00 UTC extra']) {
      expect(() => parseWindow(bad)).toThrow();
    }
    expect(errorOf(() => read({ mode: 'pr', 'deploy-window': 'Tue-Thu 10:00-14:00 Mars/Olympus' })).input).toBe('deploy-window');
  });

  test('evaluated in the window\'s zone, across DST', () => {
    const w = parseWindow('Tue-Thu 10:00-14:00 Europe/Berlin');
    // Tue 2026-03-31 08:30 UTC = 10:30 CEST (summer time): inside.
    expect(insideWindow(w, Date.UTC(2026, 2, 31, 8, 30))).toBe(true);
    // Tue 2026-03-24 08:30 UTC = 09:30 CET (winter time): outside.
    expect(insideWindow(w, Date.UTC(2026, 2, 24, 8, 30))).toBe(false);
    // Sat 11:00 Berlin: outside; the verdict names the local time.
    const v = checkWindows([w], Date.UTC(2026, 3, 4, 9, 0));
    expect(v).toEqual({ inside: false, now: 'Sat 11:00 Europe/Berlin', windows: 'Tue-Thu 10:00-14:00 Europe/Berlin' });
  });

  test('a window crossing midnight belongs to its start day', () => {
    const w = parseWindow('Fri 22:00-02:00 UTC');
    expect(insideWindow(w, Date.UTC(2026, 3, 3, 23, 0))).toBe(true); // Fri 23:00
    expect(insideWindow(w, Date.UTC(2026, 3, 4, 1, 0))).toBe(true); // Sat 01:00
    expect(insideWindow(w, Date.UTC(2026, 3, 5, 1, 0))).toBe(false); // Sun 01:00
    expect(insideWindow(w, Date.UTC(2026, 3, 3, 21, 0))).toBe(false); // Fri 21:00
  });
});

describe('required-env checks', () => {
  const rules = ['API_KEY: min-length=16', 'SITE: https', 'DB: postgres-url', 'MONGO: mongodb-url', 'HOOK: url', 'PLAIN'].map(parseRequiredEnvLine);
  test('each problem names the variable and never contains the value', () => {
    const env = { API_KEY: 'short-val', SITE: 'http://shop.example.com', DB: 'postgres://u:topsecretpw@db.example.com/app', MONGO: 'https://nope', HOOK: 'not a url' };
    const problems = checkRequiredEnv(rules, env, { production: true });
    expect(problems.map((p) => p.name)).toEqual(['API_KEY', 'SITE', 'DB', 'MONGO', 'HOOK', 'PLAIN']);
    const text = JSON.stringify(problems);
    for (const v of Object.values(env)) expect(text).not.toContain(v);
    expect(text).not.toContain('topsecretpw');
  });
  test('sslmode=require is needed only in production and only for non-local hosts', () => {
    const r = [parseRequiredEnvLine('DB: postgres-url')];
    expect(checkRequiredEnv(r, { DB: 'postgres://u:p@db.example.com/app' }, { production: false })).toEqual([]);
    expect(checkRequiredEnv(r, { DB: 'postgres://u:p@localhost/app' }, { production: true })).toEqual([]);
    expect(checkRequiredEnv(r, { DB: 'postgres://u:p@db.example.com/app?sslmode=require' }, { production: true })).toEqual([]);
    expect(checkRequiredEnv(r, { DB: 'postgres://u:p@db.example.com/app?sslmode=prefer' }, { production: true })[0].problem).toContain('sslmode=prefer');
  });
});

describe('findings output size', () => {
  test('capJson keeps the longest prefix that fits', async () => {
    const { capJson } = await import('../../src/preflight/main.js');
    const items = Array.from({ length: 100 }, (_, i) => ({ i, pad: 'x'.repeat(90) }));
    const capped = capJson(items, 1000);
    expect(Buffer.byteLength(JSON.stringify(capped))).toBeLessThanOrEqual(1000);
    expect(Buffer.byteLength(JSON.stringify(items.slice(0, capped.length + 1)))).toBeGreaterThan(1000);
    expect(capped[0]).toBe(items[0]);
    expect(capJson(items, 1e6)).toBe(items);
  });
});

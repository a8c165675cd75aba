/**
 * Deploy windows: `[days] HH:MM-HH:MM [IANA zone]`, e.g. `Tue-Thu 10:00-14:00 Europe/Berlin`,
 * `Mon,Wed,Fri 09:00-17:30 America/New_York`, `22:00-02:00 UTC` (crosses midnight; the day is the start day).
 * Several windows may be separated by `;` or new lines. Evaluated in the window's own time zone (DST-aware,
 * through Intl) at the injected clock's time.
 */
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export interface WindowSpec {
  text: string;
  /** Allowed start days, 0 = Sunday; undefined = every day. */
  days?: number[];
  startMinute: number;
  endMinute: number;
  zone: string;
}

export class WindowSyntaxError extends Error {
  override name = 'WindowSyntaxError';
}

function dayIndex(token: string): number {
  const i = DAYS.indexOf(token.slice(0, 3).toLowerCase() as (typeof DAYS)[number]);
  const full = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
  const t = token.toLowerCase();
  if (i < 0 || !(t.length === 3 || full[i] === t)) throw new WindowSyntaxError(`unknown day "${token}" (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)`);
  return i;
}

function parseDays(text: string): number[] {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const p = part.trim();
    if (!p) throw new WindowSyntaxError(`empty day in "${text}"`);
    const range = p.split('-');
    if (range.length === 1) out.add(dayIndex(p));
    else if (range.length === 2) {
      const a = dayIndex(range[0]);
      const b = dayIndex(range[1]);
      for (let d = a; ; d = (d + 1) % 7) {
        out.add(d);
        if (d === b) break;
      }
    } else throw new WindowSyntaxError(`bad day range "${p}"`);
  }
  return [...out].sort((a, b) => a - b);
}

function parseTime(t: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(t);
  if (!m) throw new WindowSyntaxError(`bad time "${t}" (use HH:MM, 24-hour)`);
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 24 || min > 59 || (h === 24 && min !== 0)) throw new WindowSyntaxError(`bad time "${t}" (use HH:MM, 24-hour)`);
  return h * 60 + min;
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function parseWindow(text: string): WindowSpec {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  let days: number[] | undefined;
  let i = 0;
  if (tokens[i] && /^[A-Za-z]/.test(tokens[i]) && !tokens[i].includes('/') && tokens[i] !== 'UTC' && tokens[i] !== 'GMT') {
    days = parseDays(tokens[i]);
    i++;
  }
  const range = tokens[i++];
  if (!range) throw new WindowSyntaxError('missing the time range (HH:MM-HH:MM)');
  const rm = /^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/.exec(range);
  if (!rm) throw new WindowSyntaxError(`bad time range "${range}" (use HH:MM-HH:MM)`);
  const startMinute = parseTime(rm[1]);
  const endMinute = parseTime(rm[2]);
  if (startMinute === endMinute) throw new WindowSyntaxError(`empty time range "${range}"`);
  const zone = tokens[i++] ?? 'UTC';
  if (!isValidTimeZone(zone)) throw new WindowSyntaxError(`unknown time zone "${zone}" (use an IANA name such as Europe/Berlin or UTC)`);
  if (i < tokens.length) throw new WindowSyntaxError(`unexpected "${tokens.slice(i).join(' ')}"`);
  return { text: text.trim(), days, startMinute, endMinute, zone };
}

/** Several windows separated by `;` or new lines. */
export function parseWindows(text: string): WindowSpec[] {
  return text
    .split(/[;\n]/)
    .map((t) => t.trim())
    .filter(Boolean)
    .map(parseWindow);
}

/** Weekday (0 = Sunday) and minute of the day at `epochMs` in `zone`. */
export function localTime(epochMs: number, zone: string): { day: number; minute: number; text: string } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(epochMs));
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  const day = DAY_NAMES.indexOf(get('weekday'));
  const hour = Number(get('hour')) % 24;
  const minute = Number(get('minute'));
  return { day, minute: hour * 60 + minute, text: `${get('weekday')} ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')} ${zone}` };
}

export function insideWindow(w: WindowSpec, epochMs: number): boolean {
  const { day, minute } = localTime(epochMs, w.zone);
  const dayOk = (d: number): boolean => !w.days || w.days.includes(d);
  if (w.startMinute < w.endMinute) return dayOk(day) && minute >= w.startMinute && minute < w.endMinute;
  // Crosses midnight: the evening part belongs to today, the morning part to yesterday's window.
  if (minute >= w.startMinute) return dayOk(day);
  if (minute < w.endMinute) return dayOk((day + 6) % 7);
  return false;
}

export interface WindowVerdict {
  inside: boolean;
  /** The local time in each window's zone, e.g. "Sat 11:00 Europe/Berlin". */
  now: string;
  windows: string;
}

export function checkWindows(windows: WindowSpec[], epochMs: number): WindowVerdict {
  const inside = windows.some((w) => insideWindow(w, epochMs));
  const zones = [...new Set(windows.map((w) => w.zone))];
  return { inside, now: zones.map((z) => localTime(epochMs, z).text).join(' / '), windows: windows.map((w) => w.text).join('; ') };
}

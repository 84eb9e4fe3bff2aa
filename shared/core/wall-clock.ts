// Wall-clock time in a time zone, on Intl alone: a zone's offset at a moment, a local time's moment, calendar arithmetic.
//
// These are luxon's rules, kept to the letter when attest left it (issue 18: luxon was ~70 KB of
// every bundle and looked up the machine's locale at load). date-fns with @date-fns/tz was tried and
// not taken: its reading of a local time that a clock change made happen twice depends on the
// machine's own time zone, where attest's must not.

/** A moment and the zone's offset from UTC then, in minutes (luxon's `ts` and `o`). */
export interface Moment {
  ts: number;
  o: number;
}

/** The fields of a local time; weekday 1 = Monday … 7 = Sunday (ISO). */
export interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/** A calendar duration's whole parts, each optional (ISO 8601: `P1Y2M3W4DT5H6M7S`). */
export interface Parts {
  years?: number;
  months?: number;
  weeks?: number;
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
}

const UTC_NAMES = /^(?:utc|gmt)$/i;
const formats = new Map<string, Intl.DateTimeFormat>();

/** The formatter that reads a zone's local time (undefined for a zone Intl does not know), made once per zone. */
function zoneFormat(zone: string): Intl.DateTimeFormat | undefined {
  let format = formats.get(zone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        hour12: false,
        timeZone: zone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        era: 'short',
      });
    } catch {
      return undefined; // not kept: what is not a zone may be anything
    }
    formats.set(zone, format);
  }
  return format;
}

/** Is `zone` a time zone: UTC or GMT by name, or one Intl knows. */
export function isZone(zone: string): boolean {
  return UTC_NAMES.test(zone) || zoneFormat(zone) !== undefined;
}

/** RangeError for a zone that is not one, in luxon's words. */
export function checkZone(zone: string): void {
  if (!isZone(zone)) throw new RangeError(`the zone "${zone}" is not supported`);
}

/** A local time as milliseconds on a clock that has no zone (Date.UTC, years 0–99 kept as written). */
export function localMillis(f: Fields): number {
  let ts = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second, f.millisecond);
  if (f.year < 100 && f.year >= 0) {
    const d = new Date(ts);
    d.setUTCFullYear(f.year, f.month - 1, f.day);
    ts = d.getTime();
  }
  return ts;
}

/** `zone`'s offset from UTC at `ts`, in minutes (a fraction before standard time); NaN when either is not one. */
export function offsetAt(zone: string, ts: number): number {
  if (UTC_NAMES.test(zone)) return Number.isNaN(ts) ? Number.NaN : 0;
  const format = zoneFormat(zone);
  const date = new Date(ts);
  if (!format || Number.isNaN(date.getTime())) return Number.NaN;
  const f: Record<string, number> = {};
  let bc = false;
  for (const { type, value } of format.formatToParts(date)) {
    if (type === 'era') bc = value === 'BC';
    else if (type !== 'literal') f[type] = Number.parseInt(value, 10);
  }
  const year = bc ? -Math.abs(f.year as number) + 1 : (f.year as number);
  const asUtc = localMillis({
    year,
    month: f.month as number,
    day: f.day as number,
    hour: f.hour === 24 ? 0 : (f.hour as number),
    minute: f.minute as number,
    second: f.second as number,
    millisecond: 0,
  });
  const over = ts % 1000;
  return (asUtc - (ts - (over >= 0 ? over : 1000 + over))) / 60_000;
}

/** `at` in `zone`. */
export function inZone(at: number, zone: string): Moment {
  return { ts: at, o: offsetAt(zone, at) };
}

/** The local time of a moment. */
export function fieldsOf(m: Moment): Fields & { weekday: number } {
  const d = new Date(m.ts + m.o * 60_000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
    weekday: d.getUTCDay() || 7,
  };
}

/**
 * The moment of a local time in `zone`, trying the offset `guess` first: a time that happens twice
 * (clocks going back) is read with `guess` if it fits; a time a clock change skipped is moved on
 * by the gap's length (01:30 in a gap from 01:00 to 02:00 is 02:30).
 */
export function atLocal(local: number, guess: number, zone: string): Moment {
  let ts = local - guess * 60_000;
  const o2 = offsetAt(zone, ts);
  if (guess === o2) return { ts, o: guess };
  ts -= (o2 - guess) * 60_000;
  const o3 = offsetAt(zone, ts);
  if (o2 === o3) return { ts, o: o2 };
  return { ts: local - Math.min(o2, o3) * 60_000, o: Math.max(o2, o3) };
}

/** Days in a month (months past 12 or below 1 roll into other years). */
export function daysInMonth(year: number, month: number): number {
  const m = ((((month - 1) % 12) + 12) % 12) + 1;
  const y = year + (month - m) / 12;
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] as number;
}

/**
 * `m` plus a duration in `zone`: years, months, weeks and days on the calendar (the same local
 * time, a month on from the 31st is the month's last day), then hours to seconds as elapsed time.
 */
export function plus(m: Moment, by: Parts, zone: string): Moment {
  const c = fieldsOf(m);
  const year = c.year + Math.trunc(by.years ?? 0);
  const month = c.month + Math.trunc(by.months ?? 0);
  const day =
    Math.min(c.day, daysInMonth(year, month)) + Math.trunc(by.days ?? 0) + Math.trunc(by.weeks ?? 0) * 7;
  const elapsed = (by.hours ?? 0) * 3_600_000 + (by.minutes ?? 0) * 60_000 + (by.seconds ?? 0) * 1000;
  const moved = atLocal(localMillis({ ...c, year, month, day }), m.o, zone);
  if (elapsed === 0) return moved;
  const ts = moved.ts + elapsed;
  return { ts, o: offsetAt(zone, ts) };
}

/** The first moment of `m`'s local day in `zone`. */
export function startOfDay(m: Moment, zone: string): Moment {
  const c = fieldsOf(m);
  return atLocal(localMillis({ ...c, hour: 0, minute: 0, second: 0, millisecond: 0 }), m.o, zone);
}

/** The first moment of `m`'s ISO week (its Monday) in `zone`. */
export function startOfWeek(m: Moment, zone: string): Moment {
  const c = fieldsOf(m);
  const monday = { ...c, day: c.day - c.weekday + 1, hour: 0, minute: 0, second: 0, millisecond: 0 };
  return atLocal(localMillis(monday), m.o, zone);
}

/** `n` with at least `width` digits, a minus sign before them. */
export function pad(n: number, width = 2): string {
  return n < 0 ? `-${String(-n).padStart(width, '0')}` : String(n).padStart(width, '0');
}

/** A local day as ISO 8601 writes it: YYYY-MM-DD, or ±YYYYYY-MM-DD outside years 0–9999. */
export function isoDate(f: Pick<Fields, 'year' | 'month' | 'day'>): string {
  const long = f.year > 9999 || f.year < 0;
  return `${long && f.year >= 0 ? '+' : ''}${pad(f.year, long ? 6 : 4)}-${pad(f.month)}-${pad(f.day)}`;
}

/** The ISO week of a local day: `2026-W48`. */
export function isoWeek(f: Pick<Fields, 'year' | 'month' | 'day'>): string {
  const date = new Date(localMillis({ ...f, hour: 0, minute: 0, second: 0, millisecond: 0 }));
  const weekday = date.getUTCDay() || 7;
  const thursday = new Date(date.getTime() + (4 - weekday) * 86_400_000);
  const weekYear = thursday.getUTCFullYear();
  const january1 = localMillis({
    year: weekYear,
    month: 1,
    day: 1,
    hour: 0,
    minute: 0,
    second: 0,
    millisecond: 0,
  });
  const week = Math.floor((thursday.getTime() - january1) / (7 * 86_400_000)) + 1;
  return `${pad(weekYear, 4)}-W${pad(week)}`;
}

/** An offset in minutes as `+05:30`. */
export function formatOffset(offset: number): string {
  const hours = Math.trunc(Math.abs(offset / 60));
  const minutes = Math.trunc(Math.abs(offset % 60));
  return `${offset >= 0 ? '+' : '-'}${pad(hours)}:${pad(minutes)}`;
}

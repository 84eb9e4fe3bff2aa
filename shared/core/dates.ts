// Calendar days and moments as attest reads and writes them — in emails, on pages, in the CLI and in log lines — on Intl.
import {
  atLocal,
  checkZone,
  daysInMonth,
  fieldsOf,
  formatOffset,
  isoDate,
  localMillis,
  type Moment,
  offsetAt,
  pad,
  plus,
  startOfDay,
  inZone as zoned,
} from './wall-clock.ts';

const LONG_DATE = { day: 'numeric', month: 'long', year: 'numeric' } as const;
const CLOCK = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } as const;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `at` in `zone`; a zone Intl does not know or a date that is not one throws rather than print "Invalid Date". */
function inZone(at: Date, zone: string): Moment {
  if (Number.isNaN(at.getTime())) throw new RangeError('not a date');
  checkZone(zone);
  return zoned(at.getTime(), zone);
}

/** The first moment in UTC of a calendar day written YYYY-MM-DD; undefined for anything else (2026-02-30 included). */
function dayMillis(text: string): number | undefined {
  const match = DAY.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return localMillis({ year, month, day, hour: 0, minute: 0, second: 0, millisecond: 0 });
}

/** A calendar day, YYYY-MM-DD, in UTC (where no reader's zone can move it to another day). */
function day(text: string): Moment {
  const ts = dayMillis(text);
  if (ts === undefined) throw new RangeError(`"${text}" is not a calendar day (YYYY-MM-DD)`);
  return { ts, o: 0 };
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** Intl's formatter for a locale, a zone and what to show, made once (they are slow to make). */
function format(locale: string, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const zone = /^(?:utc|gmt)$/i.test(timeZone) ? 'UTC' : timeZone;
  const tag = locale.split('-x-')[0] as string;
  const key = `${tag}\u0000${zone}\u0000${JSON.stringify(options)}`;
  let made = formats.get(key);
  if (!made) {
    made = new Intl.DateTimeFormat(tag, { ...options, timeZone: zone });
    formats.set(key, made);
  }
  return made;
}

/** Zones found valid, so each event's zone is not checked by building a formatter (about 0.1 ms) again. */
const knownZones = new Set<string>();
/** Enough for every IANA name and its usual spellings; more (a sender's variations) are checked each time. */
const KNOWN_ZONES_MAX = 2000;

/** Is `zone` an IANA time zone this runtime knows (Europe/London, UTC)? As Intl decides, remembered when it is. */
export function isTimeZone(zone: string): boolean {
  if (knownZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
  } catch {
    return false;
  }
  if (knownZones.size < KNOWN_ZONES_MAX) knownZones.add(zone);
  return true;
}

/** Is `text` a calendar day written YYYY-MM-DD (2026-02-30 is not)? */
export function isCalendarDay(text: string): boolean {
  return dayMillis(text) !== undefined;
}

/** The calendar day of `at` in `timeZone` (UTC if none), YYYY-MM-DD. */
export function isoDay(at: Date, timeZone = 'utc'): string {
  return isoDate(fieldsOf(inZone(at, timeZone)));
}

/** The calendar day after `text` (YYYY-MM-DD). */
export function nextDay(text: string): string {
  return isoDate(fieldsOf(plus(day(text), { days: 1 }, 'UTC')));
}

/** The first moment of a local calendar day (YYYY-MM-DD) in `timeZone`; an invalid date for a day or a zone that is not one. */
export function startOfLocalDay(text: string, timeZone: string): Date {
  // A midnight that happens twice (clocks going back) reads with the offset the zone has at that
  // wall-clock time taken as UTC; one a clock change skipped, as the first moment after the gap.
  const local = dayMillis(text) ?? Number.NaN;
  return new Date(startOfDay(atLocal(local, offsetAt(timeZone, local), timeZone), timeZone).ts);
}

/** "24 December 2026" in the starter's time zone: how people read a date in an email. */
export function formatDate(at: Date, timeZone: string, locale = 'en-GB'): string {
  inZone(at, timeZone);
  return format(locale, timeZone, LONG_DATE).format(at);
}

/** "24 December 2026" for a calendar day (YYYY-MM-DD: a start date, a policy's effective date), wherever it is read. */
export function formatDay(text: string, locale = 'en-GB'): string {
  return format(locale, 'UTC', LONG_DATE).format(day(text).ts);
}

/**
 * "26 November 2026 at 09:14 (Europe/London)": a moment as the starter lived it, joined as the
 * locale joins a date and a time (Intl: "26 Tachwedd 2026 am 09:14" in Welsh).
 */
export function formatMoment(at: Date, timeZone: string, locale = 'en-GB'): string {
  inZone(at, timeZone);
  return `${format(locale, timeZone, { ...LONG_DATE, ...CLOCK }).format(at)} (${timeZone})`;
}

/** "24 November 2026, 10:15 UTC": a moment unambiguous in a receipt read years later, anywhere. */
export function formatUtcMoment(at: Date): string {
  inZone(at, 'UTC');
  return `${format('en-GB', 'UTC', LONG_DATE).format(at)}, ${format('en-GB', 'UTC', CLOCK).format(at)} UTC`;
}

/** "2026-11-24 10:15": a moment to the minute in UTC, for the CLI's tables and messages. */
export function utcMinute(at: Date | string): string {
  const f = fieldsOf(inZone(typeof at === 'string' ? new Date(at) : at, 'UTC'));
  return `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)} ${pad(f.hour)}:${pad(f.minute)}`;
}

/** "18:02:11": a moment on this machine's clock, for a log line read as it is written. */
export function clockTime(at: Date): string {
  if (Number.isNaN(at.getTime())) throw new RangeError('not a date');
  const f = fieldsOf({ ts: at.getTime(), o: -at.getTimezoneOffset() });
  return `${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}`;
}

/**
 * A report's day bound, `YYYY-MM-DD` in UTC: its start, or with `endOfDay` the next day's start
 * (the day included); undefined for anything else. The CLI's --since/--until and the console's export.
 */
export function parseDay(value: string, endOfDay: boolean): Date | undefined {
  if (!isCalendarDay(value)) return undefined;
  const day = new Date(`${value}T00:00:00.000Z`);
  return endOfDay ? new Date(day.getTime() + 86_400_000) : day;
}

/**
 * "2026-11-24 10:15:00" in `timeZone`, with its offset "+00:00": written from numbers only, so the
 * same moment reads the same on any machine (Intl's month and zone names differ between ICU
 * versions) — for what must be made again byte for byte, such as a certificate.
 */
export function isoMoment(at: Date, timeZone: string): { text: string; offset: string } {
  const local = inZone(at, timeZone);
  const f = fieldsOf(local);
  return {
    text: `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)} ${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}`,
    offset: formatOffset(local.o),
  };
}

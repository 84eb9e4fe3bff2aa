// Calendar days and moments as attest reads and writes them — in emails, on pages, in the CLI and in log lines — on luxon.
import { DateTime } from 'luxon';

const LONG_DATE = { day: 'numeric', month: 'long', year: 'numeric' } as const;
const CLOCK = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } as const;

/** `at` in `zone`; a zone or a day luxon cannot read throws, as Intl does, rather than print "Invalid DateTime". */
function valid(at: DateTime): DateTime<true> {
  if (at.isValid) return at as DateTime<true>;
  throw new RangeError(at.invalidExplanation ?? 'not a date');
}
const inZone = (at: Date, zone: string) => valid(DateTime.fromJSDate(at, { zone }));
/** A calendar day, YYYY-MM-DD, as a date in UTC (where no reader's zone can move it to another day). */
const day = (text: string) => valid(DateTime.fromISO(text, { zone: 'utc' }));

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
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && DateTime.fromISO(text, { zone: 'utc' }).isValid;
}

/** The calendar day of `at` in `timeZone` (UTC if none), YYYY-MM-DD. */
export function isoDay(at: Date, timeZone = 'utc'): string {
  return inZone(at, timeZone).toISODate();
}

/** The calendar day after `text` (YYYY-MM-DD). */
export function nextDay(text: string): string {
  return day(text).plus({ days: 1 }).toISODate();
}

/** The first moment of a local calendar day (YYYY-MM-DD) in `timeZone`. */
export function startOfLocalDay(text: string, timeZone: string): Date {
  return DateTime.fromISO(text, { zone: timeZone }).startOf('day').toJSDate();
}

/** "24 December 2026" in the starter's time zone: how people read a date in an email. */
export function formatDate(at: Date, timeZone: string, locale = 'en-GB'): string {
  return inZone(at, timeZone).setLocale(locale).toLocaleString(LONG_DATE);
}

/** "24 December 2026" for a calendar day (YYYY-MM-DD: a start date, a policy's effective date), wherever it is read. */
export function formatDay(text: string, locale = 'en-GB'): string {
  return day(text).setLocale(locale).toLocaleString(LONG_DATE);
}

/**
 * "26 November 2026 at 09:14 (Europe/London)": a moment as the starter lived it, joined as the
 * locale joins a date and a time (Intl: "26 Tachwedd 2026 am 09:14" in Welsh).
 */
export function formatMoment(at: Date, timeZone: string, locale = 'en-GB'): string {
  const local = inZone(at, timeZone).setLocale(locale);
  return `${local.toLocaleString({ ...LONG_DATE, ...CLOCK })} (${timeZone})`;
}

/** "24 November 2026, 10:15 UTC": a moment unambiguous in a receipt read years later, anywhere. */
export function formatUtcMoment(at: Date): string {
  const utc = inZone(at, 'utc').setLocale('en-GB');
  return `${utc.toLocaleString(LONG_DATE)}, ${utc.toLocaleString(CLOCK)} UTC`;
}

/** "2026-11-24 10:15": a moment to the minute in UTC, for the CLI's tables and messages. */
export function utcMinute(at: Date | string): string {
  return inZone(typeof at === 'string' ? new Date(at) : at, 'utc').toFormat('yyyy-MM-dd HH:mm');
}

/** "18:02:11": a moment on this machine's clock, for a log line read as it is written. */
export function clockTime(at: Date): string {
  return valid(DateTime.fromJSDate(at)).toFormat('HH:mm:ss');
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
  return { text: local.toFormat('yyyy-MM-dd HH:mm:ss'), offset: local.toFormat('ZZ') };
}

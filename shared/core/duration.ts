// ISO 8601 durations used by settings: exact ones (PT5M, P30D) in milliseconds, calendar ones (P1Y) kept whole for dates.
import { textSetting } from './validation.ts';
import { type Parts, plus } from './wall-clock.ts';

/**
 * The part of ISO 8601 attest reads: weeks, days, hours, minutes and seconds, each a whole number
 * but the seconds, at least one of them, no sign, at most 20 digits each (as luxon read them, which
 * attest used before). Refused: years and months (their length in milliseconds depends on the
 * calendar), `P` and `PT` alone (no amount), negatives, fractions of other units and a decimal comma.
 */
const READ =
  /^P(?=\d|T\d)(?:(\d{1,20})W)?(?:(\d{1,20})D)?(?:T(?=\d)(?:(\d{1,20})H)?(?:(\d{1,20})M)?(?:(\d{1,20})(?:\.(\d{1,20}))?S)?)?$/;

/** Milliseconds in a week, a day, an hour, a minute and a second. */
const MS = [604_800_000, 86_400_000, 3_600_000, 60_000, 1000];

/**
 * Parses a duration of weeks, days, hours, minutes and seconds, to the millisecond: a fraction of
 * a second is cut to whole milliseconds (PT0.0019S is 1 ms), the parts added from the largest.
 */
export function parseDuration(text: string): number {
  const match = READ.exec(text);
  if (!match) throw new RangeError(`"${text}" is not an ISO 8601 duration such as PT5M or P30D`);
  let ms = 0;
  MS.forEach((unit, i) => {
    const part = match[i + 1];
    if (part !== undefined) ms += Number(part) * unit;
  });
  const fraction = match[6];
  return fraction === undefined ? ms : ms + Math.floor(Number.parseFloat(`0.${fraction}`) * 1000);
}

/** A zod schema for a setting holding a duration; its output is milliseconds. */
export const durationSetting = textSetting(parseDuration);

/**
 * How retention settings read: ISO 8601 with years and months allowed (`P1Y`, `P6Y`, `P18M`), as
 * well as weeks to seconds (`PT30S` for tests). Retention is a calendar matter — "six years after
 * they left" means the same date six years on, not 6 × 365 days — so the duration is kept whole
 * and added to a date in UTC (`addCalendar`), never turned into milliseconds.
 */
const CALENDAR =
  /^P(?=\d|T\d)(?:(\d{1,20})Y)?(?:(\d{1,20})M)?(?:(\d{1,20})W)?(?:(\d{1,20})D)?(?:T(?=\d)(?:(\d{1,20})H)?(?:(\d{1,20})M)?(?:(\d{1,20})S)?)?$/;
const UNITS = ['years', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds'] as const;

/** A calendar duration: its text as given, for logs and docs, and its parts. */
export interface CalendarDuration {
  iso: string;
  parts: Readonly<Parts>;
}

/**
 * Parses a calendar duration of whole years, months, weeks, days, hours, minutes and seconds;
 * at least one of them above zero (a retention of nothing is a mistake, not a setting).
 */
export function parseCalendarDuration(text: string): CalendarDuration {
  const match = CALENDAR.exec(text);
  if (!match) throw new RangeError(`"${text}" is not an ISO 8601 duration such as P1Y, P18M or PT30S`);
  const parts: Parts = {};
  UNITS.forEach((unit, i) => {
    const part = match[i + 1];
    if (part !== undefined) parts[unit] = Number(part);
  });
  if (!Object.values(parts).some((n) => n > 0)) throw new RangeError(`"${text}" must be longer than nothing`);
  return { iso: text, parts };
}

/**
 * The days a calendar duration lasts, a year counted as 365 days and a month as 30 (as luxon
 * counted them), hours to seconds as fractions of a day.
 */
export function approximateDays({ parts: p }: CalendarDuration): number {
  const days = (p.years ?? 0) * 365 + (p.months ?? 0) * 30 + (p.weeks ?? 0) * 7 + (p.days ?? 0);
  return days + ((p.hours ?? 0) * 3600 + (p.minutes ?? 0) * 60 + (p.seconds ?? 0)) / 86_400;
}

/** `at` plus a calendar duration, counted in UTC (1 February + P1M is 1 March; 31 January + P1M is 28 or 29 February). */
export function addCalendar(at: Date, by: CalendarDuration): Date {
  return new Date(plus({ ts: at.getTime(), o: 0 }, by.parts, 'UTC').ts);
}

/** A zod schema for a setting holding a calendar duration (retention). */
export const calendarDurationSetting = textSetting(parseCalendarDuration);

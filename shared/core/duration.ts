// ISO 8601 durations used by settings, read by luxon: exact ones (PT5M, P30D) in milliseconds, calendar ones (P1Y) kept whole for dates.
import { DateTime, Duration } from 'luxon';
import { textSetting } from './validation.ts';

/**
 * The part of ISO 8601 attest reads: weeks, days, hours, minutes and seconds, each a whole number
 * but the seconds, at least one of them, no sign. luxon reads more, which attest refuses: years and
 * months (their length in milliseconds depends on the calendar), `P` and `PT` alone (no amount),
 * negatives, fractions of other units and a decimal comma.
 */
const READ = /^P(?=\d|T\d)(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$/;

/**
 * Parses a duration of weeks, days, hours, minutes and seconds, to the millisecond (luxon keeps
 * seconds' fractions as whole milliseconds). A part of more than 20 digits, which luxon does not
 * read, is refused too.
 */
export function parseDuration(text: string): number {
  const duration = READ.test(text) ? Duration.fromISO(text) : undefined;
  if (!duration?.isValid) {
    throw new RangeError(`"${text}" is not an ISO 8601 duration such as PT5M or P30D`);
  }
  return duration.as('milliseconds');
}

/** A zod schema for a setting holding a duration; its output is milliseconds. */
export const durationSetting = textSetting(parseDuration);

/**
 * How retention settings read: ISO 8601 with years and months allowed (`P1Y`, `P6Y`, `P18M`), as
 * well as weeks to seconds (`PT30S` for tests). Retention is a calendar matter — "six years after
 * they left" means the same date six years on, not 6 × 365 days — so the duration is kept whole
 * and added to a date in UTC (`addCalendar`), never turned into milliseconds.
 */
const CALENDAR = /^P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+S)?)?$/;

/** A calendar duration: its text as given, for logs and docs, and luxon's reading of it. */
export interface CalendarDuration {
  iso: string;
  duration: Duration;
}

/**
 * Parses a calendar duration of whole years, months, weeks, days, hours, minutes and seconds;
 * at least one of them above zero (a retention of nothing is a mistake, not a setting).
 */
export function parseCalendarDuration(text: string): CalendarDuration {
  const duration = CALENDAR.test(text) ? Duration.fromISO(text) : undefined;
  if (!duration?.isValid) {
    throw new RangeError(`"${text}" is not an ISO 8601 duration such as P1Y, P18M or PT30S`);
  }
  if (duration.as('milliseconds') <= 0) throw new RangeError(`"${text}" must be longer than nothing`);
  return { iso: text, duration };
}

/** `at` plus a calendar duration, counted in UTC (1 February + P1M is 1 March; 31 January + P1M is 28 or 29 February). */
export function addCalendar(at: Date, by: CalendarDuration): Date {
  return DateTime.fromJSDate(at, { zone: 'utc' }).plus(by.duration).toJSDate();
}

/** A zod schema for a setting holding a calendar duration (retention). */
export const calendarDurationSetting = textSetting(parseCalendarDuration);

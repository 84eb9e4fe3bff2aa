// ISO 8601 durations (PT5M, P30D) used by settings, read by luxon and converted to milliseconds.
import { Duration } from 'luxon';
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

// ISO 8601 durations (PT5M, P30D) used by settings, converted to milliseconds.
import { textSetting } from './validation.ts';

const PATTERN = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * Parses a duration of weeks, days, hours, minutes and seconds. Years and months are refused:
 * their length in milliseconds depends on the calendar.
 */
export function parseDuration(text: string): number {
  const m = PATTERN.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) {
    throw new RangeError(`"${text}" is not an ISO 8601 duration such as PT5M or P30D`);
  }
  const [, w, d, h, min, s] = m;
  const n = (v: string | undefined) => (v === undefined ? 0 : Number(v));
  return ((((n(w) * 7 + n(d)) * 24 + n(h)) * 60 + n(min)) * 60 + n(s)) * 1000;
}

/** A zod schema for a setting holding a duration; its output is milliseconds. */
export const durationSetting = textSetting(parseDuration);

// ISO 8601 durations in settings: the weeks-to-seconds subset attest reads, everything else refused with one message.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addCalendar,
  calendarDurationSetting,
  durationSetting,
  parseCalendarDuration,
  parseDuration,
} from '#shared/core/duration.ts';

const FC = process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {};

const refusal = (text: string) => `"${text}" is not an ISO 8601 duration such as PT5M or P30D`;

describe('parseDuration', () => {
  it.each([
    ['PT5M', 300_000],
    ['P30D', 30 * 86_400_000],
    ['P1W', 7 * 86_400_000],
    ['P1W2D', 9 * 86_400_000],
    ['PT36H', 36 * 3_600_000],
    ['P1DT2H3M4S', 93_784_000],
    ['PT1.5S', 1500],
    ['PT4.35S', 4350],
    ['PT0S', 0],
    ['P0D', 0],
    ['PT90M', 5_400_000],
  ])('reads %s as %d ms', (text, ms) => {
    // Act and assess
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['', 'nothing'],
    ['P', 'no amount'],
    ['PT', 'no amount after T'],
    ['P1DT', 'a T with nothing after it'],
    ['P1Y', 'years (their length depends on the calendar)'],
    ['P1M', 'months'],
    ['P1Y2M3D', 'years and months with days'],
    ['-PT5M', 'a negative duration'],
    ['P-1D', 'a negative part'],
    ['PT-5S', 'negative seconds'],
    ['P1.5D', 'a fractional day'],
    ['PT1.5M', 'fractional minutes'],
    ['PT0.5H', 'fractional hours'],
    ['PT1,5S', 'a decimal comma'],
    ['pt5m', 'lower case'],
    [' PT5M', 'a leading space'],
    ['PT5M ', 'a trailing space'],
    ['5M', 'no P'],
    ['PT5', 'a number without a unit'],
    ['P1H', 'hours before the T'],
    ['PT1D', 'days after the T'],
    ['P1D1W', 'units out of order'],
    ['PT.5S', 'a fraction without its whole part'],
    ['PT5.S', 'a point without a fraction'],
    ['P2026-01-01', 'an alternative-format duration'],
    ['P100000000000000000000D', 'a part of more than 20 digits'],
  ])('refuses %j (%s), naming it', (text) => {
    // Act and assess
    expect(() => parseDuration(text)).toThrow(new RangeError(refusal(text)));
  });

  it('adds up weeks, days, hours, minutes and seconds to the millisecond', () => {
    const n = fc.integer({ min: 0, max: 999 });
    fc.assert(
      fc.property(
        fc.record({
          w: fc.option(n),
          d: fc.option(n),
          h: fc.option(n),
          m: fc.option(n),
          s: fc.option(fc.tuple(n, fc.option(fc.stringMatching(/^\d{1,3}$/)))),
        }),
        ({ w, d, h, m, s }) => {
          // Prepare
          const time = `${h === null ? '' : `${h}H`}${m === null ? '' : `${m}M`}${
            s === null ? '' : `${s[0]}${s[1] === null ? '' : `.${s[1]}`}S`
          }`;
          const text = `P${w === null ? '' : `${w}W`}${d === null ? '' : `${d}D`}${time ? `T${time}` : ''}`;
          const fraction = s?.[1] ? Math.round(Number(`0.${s[1]}`) * 1000) : 0;
          const expected =
            ((((w ?? 0) * 7 + (d ?? 0)) * 24 + (h ?? 0)) * 60 + (m ?? 0)) * 60_000 +
            (s?.[0] ?? 0) * 1000 +
            fraction;
          fc.pre(text !== 'P');

          // Act
          const ms = parseDuration(text);

          // Assess: to the millisecond (decimal seconds in binary floating point may be a hair off)
          expect(Math.abs(ms - expected)).toBeLessThan(1e-3);
        },
      ),
      FC,
    );
  });
});

describe('durationSetting', () => {
  it('gives a setting in milliseconds, and names a bad value in its issue', () => {
    // Act
    const good = durationSetting.safeParse('PT10S');
    const bad = durationSetting.safeParse('P1M');

    // Assess
    expect(good).toEqual({ success: true, data: 10_000 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.message)).toEqual([refusal('P1M')]);
  });
});

describe('parseCalendarDuration', () => {
  it.each([
    ['P1Y', '2027-11-24T10:00:00.000Z'],
    ['P6Y', '2032-11-24T10:00:00.000Z'],
    ['P18M', '2028-05-24T10:00:00.000Z'],
    ['P30D', '2026-12-24T10:00:00.000Z'],
    ['PT30S', '2026-11-24T10:00:30.000Z'],
    ['P1Y2M3DT4H5M6S', '2028-01-27T14:05:06.000Z'],
  ])('reads %s and adds it to a date in UTC, by the calendar', (text, after) => {
    // Act
    const duration = parseCalendarDuration(text);

    // Assess
    expect(duration.iso).toBe(text);
    expect(addCalendar(new Date('2026-11-24T10:00:00.000Z'), duration).toISOString()).toBe(after);
  });

  it('adds a month to the 31st of January as the last day of February', () => {
    // Act and assess
    expect(addCalendar(new Date('2028-01-31T00:00:00Z'), parseCalendarDuration('P1M')).toISOString()).toBe(
      '2028-02-29T00:00:00.000Z',
    );
  });

  it.each(['', 'P', 'PT', '1Y', 'P1.5Y', 'P-1Y', '-P1Y', 'PT1.5S', 'p1y', 'P1M1Y'])(
    'refuses %j, naming it',
    (text) => {
      // Act and assess
      expect(() => parseCalendarDuration(text)).toThrow(
        new RangeError(`"${text}" is not an ISO 8601 duration such as P1Y, P18M or PT30S`),
      );
    },
  );

  it.each(['P0Y', 'PT0S', 'P0D'])('refuses %s, a retention of nothing', (text) => {
    // Act and assess
    expect(() => parseCalendarDuration(text)).toThrow(`"${text}" must be longer than nothing`);
  });

  it('gives a setting’s error its name at start-up', () => {
    // Act
    const result = calendarDurationSetting.safeParse('P1.5Y');

    // Assess
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('"P1.5Y" is not an ISO 8601 duration');
  });
});

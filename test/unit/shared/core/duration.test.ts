// ISO 8601 durations in settings: the weeks-to-seconds subset attest reads, everything else refused with one message.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { durationSetting, parseDuration } from '#shared/core/duration.ts';

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
    ['P100000000000000000000D', 'a part of more than 20 digits, which luxon does not read'],
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

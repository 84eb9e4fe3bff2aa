// Days and moments as people read them: in the starter's zone in emails, in UTC on receipts and in the CLI, on this machine's clock in log lines.
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  clockTime,
  formatDate,
  formatDay,
  formatMoment,
  formatUtcMoment,
  isCalendarDay,
  isoDay,
  isoMoment,
  isTimeZone,
  nextDay,
  startOfLocalDay,
  utcMinute,
} from '#shared/core/dates.ts';

const FC = process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {};

/** 09:14:03 in London on 26 November 2026 (GMT), and 00:30 on 1 July 2026 in London (BST): the day before in UTC. */
const AUTUMN = new Date('2026-11-26T09:14:03.123Z');
const SUMMER_NIGHT = new Date('2026-06-30T23:30:00.000Z');

afterEach(() => vi.unstubAllEnvs());

describe('formatDate and formatMoment', () => {
  it('write a moment as the starter lived it, in their zone', () => {
    // Act and assess
    expect(formatDate(AUTUMN, 'Europe/London')).toBe('26 November 2026');
    expect(formatMoment(AUTUMN, 'Europe/London')).toBe('26 November 2026 at 09:14 (Europe/London)');
    expect(formatDate(SUMMER_NIGHT, 'Europe/London')).toBe('1 July 2026');
    expect(formatMoment(SUMMER_NIGHT, 'Europe/London')).toBe('1 July 2026 at 00:30 (Europe/London)');
    expect(formatMoment(AUTUMN, 'America/New_York')).toBe('26 November 2026 at 04:14 (America/New_York)');
  });

  it('refuse a zone that is not one, rather than write "Invalid DateTime"', () => {
    // Act and assess
    expect(() => formatDate(AUTUMN, 'Mars/Olympus_Mons')).toThrow(RangeError);
    expect(() => formatMoment(AUTUMN, 'Mars/Olympus_Mons')).toThrow(RangeError);
  });

  it('write the same date as Intl does for any moment and zone', () => {
    const zones = fc.constantFrom(
      'Europe/London',
      'UTC',
      'Pacific/Kiritimati',
      'America/St_Johns',
      'Asia/Kolkata',
    );
    const moment = fc.date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true });
    fc.assert(
      fc.property(moment, zones, (at, timeZone) => {
        // Act
        const written = formatDate(at, timeZone);

        // Assess
        const intl = new Intl.DateTimeFormat('en-GB', {
          day: 'numeric',
          month: 'long',
          year: 'numeric',
          timeZone,
        });
        expect(written).toBe(intl.format(at));
      }),
      FC,
    );
  });
});

describe('formatDay', () => {
  it('writes a calendar day as that day wherever it is read', () => {
    // Act and assess
    expect(formatDay('2026-12-24')).toBe('24 December 2026');
    expect(formatDay('2026-01-01')).toBe('1 January 2026');
    expect(() => formatDay('2026-02-30')).toThrow(RangeError);
  });
});

describe('formatUtcMoment', () => {
  it('writes a moment in UTC, to the minute, saying so', () => {
    // Act and assess
    expect(formatUtcMoment(new Date('2026-11-24T10:15:59.999Z'))).toBe('24 November 2026, 10:15 UTC');
    expect(formatUtcMoment(SUMMER_NIGHT)).toBe('30 June 2026, 23:30 UTC');
  });
});

describe('isoMoment', () => {
  it('writes a moment in a zone from numbers, with the zone’s offset then', () => {
    // Assess: GMT in November, BST (the next day) in summer, and UTC itself
    expect(isoMoment(AUTUMN, 'Europe/London')).toEqual({ text: '2026-11-26 09:14:03', offset: '+00:00' });
    expect(isoMoment(SUMMER_NIGHT, 'Europe/London')).toEqual({
      text: '2026-07-01 00:30:00',
      offset: '+01:00',
    });
    expect(isoMoment(AUTUMN, 'Asia/Kolkata')).toEqual({ text: '2026-11-26 14:44:03', offset: '+05:30' });
    expect(isoMoment(AUTUMN, 'UTC')).toEqual({ text: '2026-11-26 09:14:03', offset: '+00:00' });
  });

  it('refuses a zone Intl does not know rather than print "Invalid Date"', () => {
    // Assess
    expect(() => isoMoment(AUTUMN, 'Mars/Olympus_Mons')).toThrow(RangeError);
  });
});

describe('utcMinute', () => {
  it('writes a moment or an ISO string as YYYY-MM-DD HH:MM in UTC', () => {
    // Act and assess
    expect(utcMinute(AUTUMN)).toBe('2026-11-26 09:14');
    expect(utcMinute('2026-06-30T23:30:00.000Z')).toBe('2026-06-30 23:30');
    expect(utcMinute('2026-07-01T00:30:00+01:00')).toBe('2026-06-30 23:30');
  });

  it('is the ISO string cut to the minute, for every moment', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1970-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }),
        (at) => {
          // Act and assess
          expect(utcMinute(at)).toBe(at.toISOString().replace('T', ' ').slice(0, 16));
        },
      ),
      FC,
    );
  });
});

describe('calendar days', () => {
  it('tells a calendar day from what only looks like one', () => {
    // Act and assess
    expect(isCalendarDay('2028-02-29')).toBe(true);
    expect(isCalendarDay('2026-02-29')).toBe(false);
    expect(isCalendarDay('2026-13-01')).toBe(false);
    expect(isCalendarDay('2026-1-01')).toBe(false);
    expect(isCalendarDay('2026-01-01T00:00')).toBe(false);
  });

  it('names the day of a moment in a zone (UTC by default), the next day, and a local day’s first moment', () => {
    // Act and assess
    expect(isoDay(SUMMER_NIGHT)).toBe('2026-06-30');
    expect(isoDay(SUMMER_NIGHT, 'Europe/London')).toBe('2026-07-01');
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
    expect(startOfLocalDay('2026-07-01', 'Europe/London')).toEqual(new Date('2026-06-30T23:00:00.000Z'));
  });
});

describe('clockTime', () => {
  it("writes a moment on this machine's clock, to the second", () => {
    // Prepare
    vi.stubEnv('TZ', 'Europe/London');

    // Act and assess
    expect(clockTime(AUTUMN)).toBe('09:14:03');
    expect(clockTime(SUMMER_NIGHT)).toBe('00:30:00');
  });
});

describe('isTimeZone', () => {
  it('knows the IANA zones and refuses other names, asked once or again', () => {
    // Act and assess: asked twice, as each event of a run asks
    for (let i = 0; i < 2; i++) {
      expect(isTimeZone('Europe/London')).toBe(true);
      expect(isTimeZone('UTC')).toBe(true);
      expect(isTimeZone('Europe/Lundon')).toBe(false);
      expect(isTimeZone('')).toBe(false);
    }
  });

  it('answers as Intl does for any name', () => {
    fc.assert(
      fc.property(fc.string(), (zone) => {
        let intl = true;
        try {
          new Intl.DateTimeFormat('en-GB', { timeZone: zone });
        } catch {
          intl = false;
        }
        expect(isTimeZone(zone)).toBe(intl);
        expect(isTimeZone(zone)).toBe(intl);
      }),
      FC,
    );
  });
});

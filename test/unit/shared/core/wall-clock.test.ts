// Dates without luxon (issue 18): every reading and writing of a date attest does, checked against luxon's, which it replaced.
import fc from 'fast-check';
import { DateTime, Duration } from 'luxon';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { signedPerWeek } from '#shared/core/console/aggregates.ts';
import {
  clockTime,
  formatDate,
  formatDay,
  formatMoment,
  formatUtcMoment,
  isCalendarDay,
  isoDay,
  isoMoment,
  nextDay,
  startOfLocalDay,
  utcMinute,
} from '#shared/core/dates.ts';
import { addCalendar, approximateDays, parseCalendarDuration, parseDuration } from '#shared/core/duration.ts';
import { signByFor } from '#shared/core/lifecycle.ts';
import { inWindow, nextOpening, parseSendWindow, type Window } from '#shared/core/schedule.ts';
import { inZone, offsetAt, plus } from '#shared/core/wall-clock.ts';
import { aReportRow } from '../../../support/fakes.ts';

const FC = { ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}), numRuns: 400 };

/**
 * The oracle: attest's code as it was on luxon 3.7 (git: shared/core/{duration,dates,schedule,
 * lifecycle}.ts and console/aggregates.ts before issue 18), cut to what is compared.
 */
const luxon = {
  parseDuration(text: string): number {
    const READ = /^P(?=\d|T\d)(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$/;
    const duration = READ.test(text) ? Duration.fromISO(text) : undefined;
    if (!duration?.isValid)
      throw new RangeError(`"${text}" is not an ISO 8601 duration such as PT5M or P30D`);
    return duration.as('milliseconds');
  },
  parseCalendarDuration(text: string): Duration {
    const CALENDAR =
      /^P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+S)?)?$/;
    const duration = CALENDAR.test(text) ? Duration.fromISO(text) : undefined;
    if (!duration?.isValid)
      throw new RangeError(`"${text}" is not an ISO 8601 duration such as P1Y, P18M or PT30S`);
    if (duration.as('milliseconds') <= 0) throw new RangeError(`"${text}" must be longer than nothing`);
    return duration;
  },
  inWindow(at: Date, window: Window, timeZone: string): boolean {
    if (window === 'always') return true;
    const local = DateTime.fromJSDate(at, { zone: timeZone });
    const m = local.hour * 60 + local.minute + local.second / 60 + local.millisecond / 60_000;
    return window.days.has(local.weekday) && m >= window.startMinute && m < window.endMinute;
  },
  nextOpening(at: Date, window: Window, timeZone: string): Date {
    if (window === 'always' || luxon.inWindow(at, window, timeZone)) return at;
    let local = DateTime.fromJSDate(at, { zone: timeZone });
    for (let i = 0; i < 15; i++) {
      const open = local.set({
        hour: Math.floor(window.startMinute / 60),
        minute: window.startMinute % 60,
        second: 0,
        millisecond: 0,
      });
      if (
        window.days.has(local.weekday) &&
        open.toMillis() >= at.getTime() &&
        luxon.inWindow(open.toJSDate(), window, timeZone)
      ) {
        let t = open.toMillis();
        if (open.hour * 60 + open.minute !== window.startMinute) {
          while (t - 60_000 >= at.getTime() && luxon.inWindow(new Date(t - 60_000), window, timeZone))
            t -= 60_000;
        }
        return new Date(t);
      }
      local = local.plus({ days: 1 }).startOf('day');
    }
    throw new Error(`no opening in the window "${window.text}"`);
  },
  signedPerWeek(acknowledgedAt: readonly string[], timeZone: string) {
    const counts = new Map<string, number>();
    let first: DateTime | undefined;
    let last: DateTime | undefined;
    for (const at of acknowledgedAt) {
      const monday = DateTime.fromISO(at, { zone: timeZone }).startOf('week');
      if (!monday.isValid) continue;
      const key = monday.toISODate() as string;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      if (!first || monday < first) first = monday;
      if (!last || monday > last) last = monday;
    }
    const weeks = [];
    for (let monday = first; monday && last && monday <= last; monday = monday.plus({ weeks: 1 })) {
      const key = monday.toISODate() as string;
      weeks.push({
        week: monday.toISOWeekDate()?.slice(0, 8) ?? key,
        monday: key,
        signed: counts.get(key) ?? 0,
      });
    }
    return weeks;
  },
};

/** What a call gives, or the kind of error it throws (and its message, where `message`). */
function outcome<T>(call: () => T, message = true): T | string {
  try {
    const value = call();
    return value instanceof Date
      ? Number.isNaN(value.getTime())
        ? 'Invalid Date'
        : (value.toISOString() as T)
      : value;
  } catch (error) {
    return `${(error as Error).name}${message ? `: ${(error as Error).message}` : ''}`;
  }
}

/** Zones with clock changes at 01:00, at midnight, by half an hour, backwards in winter, a skipped day. */
const ZONES = [
  'Europe/London',
  'Europe/Dublin',
  'America/New_York',
  'America/Santiago',
  'Asia/Beirut',
  'Australia/Lord_Howe',
  'Pacific/Apia',
  'Asia/Kolkata',
  'America/St_Johns',
  'Pacific/Kiritimati',
  'UTC',
  'utc',
  'Etc/GMT+5',
];
const zone = fc.constantFrom(...ZONES);
/** Moments from 1900 to 2100, to the millisecond, and often on the minute near a clock change. */
const moment = fc.oneof(
  fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
  fc.date({ min: new Date('2024-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
  fc
    .tuple(
      fc.integer({ min: 2020, max: 2030 }),
      fc.constantFrom(2, 3, 9, 10, 11),
      fc.integer({ min: 0, max: 40 * 24 * 4 }),
    )
    .map(([y, m, q]) => new Date(Date.UTC(y, m, 1) + q * 15 * 60_000)),
);
const digits = (max: number) => fc.stringMatching(new RegExp(`^\\d{1,${max}}$`));

afterEach(() => vi.unstubAllEnvs());

describe('plus', () => {
  it.each([
    [
      '2026-01-31T10:00:00Z',
      'Europe/London',
      'P1M',
      '2026-02-28T10:00:00.000Z',
      'a month on from 31 January: the end of February',
    ],
    ['2028-02-29T09:00:00Z', 'Europe/London', 'P1Y', '2029-02-28T09:00:00.000Z', 'a year on from a leap day'],
    [
      '2028-02-29T09:00:00Z',
      'Europe/London',
      'P12M',
      '2029-02-28T09:00:00.000Z',
      'twelve months on from a leap day',
    ],
    [
      '2026-03-07T14:00:00Z',
      'America/New_York',
      'P1D',
      '2026-03-08T13:00:00.000Z',
      'a day across spring-forward: 09:00 again',
    ],
    [
      '2026-03-07T14:00:00Z',
      'America/New_York',
      'PT24H',
      '2026-03-08T14:00:00.000Z',
      '24 hours across it: 10:00',
    ],
    [
      '2026-03-28T01:30:00Z',
      'Europe/London',
      'P1D',
      '2026-03-29T01:30:00.000Z',
      'a day into the gap: 02:30 BST',
    ],
    [
      '2026-10-24T00:30:00Z',
      'Europe/London',
      'P1D',
      '2026-10-25T00:30:00.000Z',
      'a day into the overlap from BST: the first 01:30',
    ],
    [
      '2026-10-24T01:30:00Z',
      'Europe/London',
      'P1D',
      '2026-10-25T02:30:00.000Z',
      'a day from 02:30 BST: 02:30 GMT',
    ],
    [
      '2026-03-31T22:00:00Z',
      'Australia/Lord_Howe',
      'P1M',
      '2026-04-30T22:30:00.000Z',
      'a month across a half-hour change',
    ],
  ])('adds to %s in %s %s as luxon did (%s)', (at, zone, text, after) => {
    // Act
    const moved = plus(inZone(Date.parse(at), zone), parseCalendarDuration(text).parts, zone);

    // Assess
    expect(new Date(moved.ts).toISOString()).toBe(after);
  });
});

describe('startOfLocalDay', () => {
  it('starts a day whose midnight a clock change skipped at the first moment after the gap, as luxon did', () => {
    // Assess: Havana and Santiago put their clocks forward at midnight
    expect(startOfLocalDay('2026-03-08', 'America/Havana')).toEqual(new Date('2026-03-08T05:00:00.000Z'));
    expect(startOfLocalDay('2026-09-06', 'America/Santiago')).toEqual(new Date('2026-09-06T04:00:00.000Z'));
  });

  it('starts a day whose midnight happens twice at the first (luxon chose by the season the process started in)', () => {
    // Assess: Havana puts its clocks back from 01:00 to midnight on 1 November 2026
    expect(startOfLocalDay('2026-11-01', 'America/Havana')).toEqual(new Date('2026-11-01T04:00:00.000Z'));
  });
});

describe('durations, against luxon', () => {
  it('parseDuration reads and refuses what luxon did, to the millisecond and the message', () => {
    const part = (unit: string) =>
      fc.option(
        digits(22).map((n) => `${n}${unit}`),
        { nil: '' },
      );
    const seconds = fc.option(
      fc
        .tuple(digits(22), fc.option(digits(22), { nil: undefined }))
        .map(([s, f]) => `${s}${f === undefined ? '' : `.${f}`}S`),
      { nil: '' },
    );
    const text = fc.oneof(
      fc
        .tuple(part('W'), part('D'), part('H'), part('M'), seconds)
        .map(([w, d, h, m, s]) => `P${w}${d}${h || m || s ? 'T' : ''}${h}${m}${s}`),
      fc.stringMatching(/^-?P[\d.,YMWDTHS-]{0,12}$/),
    );
    fc.assert(
      fc.property(text, (t) => {
        expect(outcome(() => parseDuration(t))).toEqual(outcome(() => luxon.parseDuration(t)));
      }),
      FC,
    );
  });

  it('parseCalendarDuration refuses what luxon did, and adds a duration in UTC as luxon did', () => {
    const part = (unit: string) =>
      fc.option(
        fc.nat({ max: 40 }).map((n) => `${n}${unit}`),
        { nil: '' },
      );
    const text = fc.oneof(
      fc
        .tuple(part('Y'), part('M'), part('W'), part('D'), part('H'), part('M'), part('S'))
        .map(([y, mo, w, d, h, mi, s]) => `P${y}${mo}${w}${d}${h || mi || s ? 'T' : ''}${h}${mi}${s}`),
      fc.stringMatching(/^-?P[\d.YMWDTHS-]{0,10}$/),
      digits(22).map((n) => `P${n}Y`),
    );
    fc.assert(
      fc.property(text, moment, (t, at) => {
        const ours = outcome(() => parseCalendarDuration(t));
        const theirs = outcome(() => luxon.parseCalendarDuration(t));
        expect(typeof ours).toBe(typeof theirs);
        if (typeof theirs === 'string' || typeof ours === 'string') {
          expect(ours).toBe(theirs);
          return;
        }
        const duration = parseCalendarDuration(t);
        expect(outcome(() => addCalendar(at, duration))).toEqual(
          outcome(() => DateTime.fromJSDate(at, { zone: 'utc' }).plus(theirs).toJSDate()),
        );
        expect(Math.floor(approximateDays(duration))).toBe(Math.floor(theirs.as('days')));
      }),
      FC,
    );
  });
});

describe('zones and calendar days, against luxon', () => {
  it("reads a zone's offset at any moment as luxon did", () => {
    fc.assert(
      fc.property(moment, zone, (at, z) => {
        expect(offsetAt(z, at.getTime())).toBe(DateTime.fromJSDate(at, { zone: z }).offset);
      }),
      FC,
    );
  });

  it('writes a moment in a zone as luxon and Intl did', () => {
    fc.assert(
      fc.property(
        moment,
        zone,
        fc.constantFrom('en-GB', 'cy', 'fr-FR', 'en-US-x-attest'),
        (at, z, locale) => {
          const inZone = DateTime.fromJSDate(at, { zone: z });
          expect(isoDay(at, z)).toBe(inZone.toISODate());
          expect(isoMoment(at, z)).toEqual({
            text: inZone.toFormat('yyyy-MM-dd HH:mm:ss'),
            offset: inZone.toFormat('ZZ'),
          });
          expect(formatDate(at, z, locale)).toBe(
            inZone.setLocale(locale).toLocaleString({ day: 'numeric', month: 'long', year: 'numeric' }),
          );
          expect(formatMoment(at, z, locale)).toBe(
            `${inZone.setLocale(locale).toLocaleString({ day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })} (${z})`,
          );
        },
      ),
      FC,
    );
  });

  it('writes a moment in UTC and on this machine’s clock as luxon did, in any year Date holds', () => {
    // (a day inside Date's range at either end, where luxon's local time falls outside it)
    const any = fc.date({
      min: new Date(-8.64e15 + 86_400_000),
      max: new Date(8.64e15 - 86_400_000),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(any, fc.constantFrom('Europe/London', 'America/St_Johns', 'Asia/Kolkata'), (at, tz) => {
        vi.stubEnv('TZ', tz);
        const utc = DateTime.fromJSDate(at, { zone: 'utc' });
        expect(utcMinute(at)).toBe(utc.toFormat('yyyy-MM-dd HH:mm'));
        expect(isoDay(at)).toBe(utc.toISODate());
        expect(formatUtcMoment(at)).toBe(
          `${utc.setLocale('en-GB').toLocaleString({ day: 'numeric', month: 'long', year: 'numeric' })}, ${utc.setLocale('en-GB').toLocaleString({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })} UTC`,
        );
        expect(clockTime(at)).toBe(DateTime.fromJSDate(at).toFormat('HH:mm:ss'));
      }),
      FC,
    );
  });

  it('reads, writes and counts on calendar days as luxon did, leap days and month ends included', () => {
    const day = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
      )
      .map(
        ([y, m, d]) =>
          `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
      );
    fc.assert(
      fc.property(day, (text) => {
        const theirs = DateTime.fromISO(text, { zone: 'utc' });
        expect(isCalendarDay(text)).toBe(theirs.isValid);
        if (!theirs.isValid) {
          expect(() => nextDay(text)).toThrow(RangeError);
          return;
        }
        expect(nextDay(text)).toBe(theirs.plus({ days: 1 }).toISODate());
        expect(formatDay(text, 'en-GB')).toBe(
          theirs.setLocale('en-GB').toLocaleString({ day: 'numeric', month: 'long', year: 'numeric' }),
        );
      }),
      FC,
    );
  });

  it("finds a local day's first moment as luxon did, where midnight happens once", () => {
    const day = fc
      .date({ min: new Date('1950-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, zone, (text, z) => {
        expect(outcome(() => startOfLocalDay(text, z))).toEqual(
          outcome(() => DateTime.fromISO(text, { zone: z }).startOf('day').toJSDate()),
        );
      }),
      FC,
    );
  });
});

describe('the chase and renewals, against luxon', () => {
  const windows = fc.constantFrom(
    'Mon-Fri 09:00-17:30',
    'Sat-Sun 00:00-01:00',
    'Sun 01:00-03:00',
    'Mon-Sun 02:15-02:45',
    'Fri-Mon 00:30-24:00',
    'always',
  );

  it('opens a send window when luxon did, across every clock change', () => {
    fc.assert(
      fc.property(moment, windows, zone, (at, text, z) => {
        const window = parseSendWindow(text);
        expect(inWindow(at, window, z)).toBe(luxon.inWindow(at, window, z));
        expect(outcome(() => nextOpening(at, window, z))).toEqual(
          outcome(() => luxon.nextOpening(at, window, z)),
        );
      }),
      FC,
    );
  });

  it('sets a sign-by date when luxon did: the same local time, a calendar period on', () => {
    const due = fc.constantFrom('P14D', 'P1M', 'P1Y', 'P1W', 'PT36H', 'P1MT1H', 'P2M3DT4H5M6S');
    fc.assert(
      fc.property(moment, moment, due, zone, (start, invitedAt, text, z) => {
        const starter = { startDate: start.toISOString().slice(0, 10), timeZone: z };
        const begins = DateTime.fromISO(starter.startDate, { zone: z }).startOf('day').toJSDate();
        fc.pre(begins.getTime() === startOfLocalDay(starter.startDate, z).getTime());
        const from = invitedAt.getTime() > begins.getTime() ? invitedAt : begins;
        const theirs = DateTime.fromJSDate(from, { zone: z }).plus(Duration.fromISO(text)).toJSDate();
        expect(signByFor(starter, invitedAt, parseCalendarDuration(text))).toEqual(theirs);
      }),
      FC,
    );
  });

  it('counts signatures week by week as luxon did, Mondays in the zone', () => {
    const at = fc.oneof(
      moment.map((d) => d.toISOString()),
      fc.constantFrom('', 'not a date', '2026-11-24T10:15:00+01:00'),
    );
    fc.assert(
      fc.property(fc.array(at, { maxLength: 6 }), zone, (times, z) => {
        const rows = times.map((acknowledgedAt) => aReportRow({ status: 'acknowledged', acknowledgedAt }));
        expect(signedPerWeek(rows, z)).toEqual(luxon.signedPerWeek(times.filter(Boolean), z));
      }),
      { ...FC, numRuns: 60 },
    );
  });
});

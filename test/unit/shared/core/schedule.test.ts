// Send windows and the chase's next step, across time zones, daylight saving, weekends and any window.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoMoment } from '#shared/core/dates.ts';
import { ValidationError } from '#shared/core/errors.ts';
import {
  chasePlan,
  checkChasePlan,
  inWindow,
  nextChaseStep,
  nextOpening,
  parseSendWindow,
  type SendWindow,
} from '#shared/core/schedule.ts';

const DAY = 86_400_000;
const ZONES = [
  'Europe/London',
  'America/New_York',
  'Australia/Sydney',
  'Asia/Kolkata',
  'Pacific/Auckland',
  'America/Santiago',
  'Asia/Kathmandu',
  'UTC',
];
const weekdays = parseSendWindow('Mon-Fri 09:00-17:30') as SendWindow;
/** `Mon 2026-11-23 09:00`: a moment as the starter's clock and calendar show it. */
const local = (at: Date, zone: string) =>
  `${new Intl.DateTimeFormat('en-US', { weekday: 'short', timeZone: zone }).format(at)} ${isoMoment(at, zone).text.slice(0, 16)}`;

describe('parseSendWindow', () => {
  it('reads days and times', () => {
    // Assess
    expect(weekdays).toMatchObject({ days: new Set([1, 2, 3, 4, 5]), startMinute: 540, endMinute: 1050 });
    expect(parseSendWindow('Fri-Mon 08:00-12:00')).toMatchObject({ days: new Set([5, 6, 7, 1]) });
    expect(parseSendWindow('mon,wed,Fri 08:00-24:00')).toMatchObject({
      days: new Set([1, 3, 5]),
      endMinute: 1440,
    });
    expect(parseSendWindow(' always ')).toBe('always');
  });

  it.each([
    ['Mon-Fri', 'days and times are needed'],
    ['Mon-Fry 09:00-17:00', '"Fry" is not a day'],
    ['Mon-Fri 9am-5pm', '"9am" is not a time'],
    ['Mon-Fri 17:00-09:00', 'must end after it starts'],
    ['Mon-Fri 09:00-25:00', '"25:00" is not a time'],
  ])('refuses "%s", saying why', (text, why) => {
    // Act
    const attempt = () => parseSendWindow(text);

    // Assess
    expect(attempt).toThrow(ValidationError);
    try {
      attempt();
    } catch (error) {
      expect((error as ValidationError).issues[0]).toEqual({
        field: 'SEND_WINDOW',
        message: expect.stringContaining(why),
      });
    }
  });
});

describe('nextOpening', () => {
  it.each([
    ['inside the window: at once', '2026-11-25T10:00:00Z', 'Europe/London', 'Wed 2026-11-25 10:00'],
    ['early morning: at nine', '2026-11-25T06:30:00Z', 'Europe/London', 'Wed 2026-11-25 09:00'],
    ['the evening: next morning', '2026-11-25T18:00:00Z', 'Europe/London', 'Thu 2026-11-26 09:00'],
    ['Friday evening: Monday', '2026-11-27T17:30:00Z', 'Europe/London', 'Mon 2026-11-30 09:00'],
    ['Saturday: Monday', '2026-11-28T12:00:00Z', 'Europe/London', 'Mon 2026-11-30 09:00'],
    ['New York time, not UTC', '2026-11-25T15:00:00Z', 'America/New_York', 'Wed 2026-11-25 10:00'],
    ['Sydney is already Thursday', '2026-11-25T23:00:00Z', 'Australia/Sydney', 'Thu 2026-11-26 10:00'],
    ['London clocks go forward on Sunday', '2026-03-28T12:00:00Z', 'Europe/London', 'Mon 2026-03-30 09:00'],
    ['London clocks go back on Sunday', '2026-10-24T12:00:00Z', 'Europe/London', 'Mon 2026-10-26 09:00'],
  ])('%s', (_, at, zone, expected) => {
    // Act
    const opening = nextOpening(new Date(at), weekdays, zone);

    // Assess
    expect(local(opening, zone)).toBe(expected);
  });

  it('waits a week when a clock change swallows the whole window (Santiago, midnight)', () => {
    // Act: Sundays 00:00-00:15; on 8 September 2024 Chile's clocks went from midnight to 01:00
    const window = parseSendWindow('Sun 00:00-00:15');
    const opening = nextOpening(new Date('2024-09-01T04:15:00.000Z'), window, 'America/Santiago');

    // Assess
    expect(local(opening, 'America/Santiago')).toBe('Sun 2024-09-15 00:00');
  });

  it('keeps nine o’clock local across a daylight-saving change: the UTC hour moves instead', () => {
    // Act: the Fridays before and after London's clocks go forward
    const before = nextOpening(new Date('2026-03-27T05:00:00Z'), weekdays, 'Europe/London');
    const after = nextOpening(new Date('2026-04-03T05:00:00Z'), weekdays, 'Europe/London');

    // Assess
    expect(before.toISOString()).toBe('2026-03-27T09:00:00.000Z');
    expect(after.toISOString()).toBe('2026-04-03T08:00:00.000Z');
  });

  it('is the earliest moment in the window at or after the time, in any zone, for any window', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2020-01-01Z'), max: new Date('2032-12-31Z'), noInvalidDate: true }),
        fc.constantFrom(...ZONES),
        fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
        fc.integer({ min: 0, max: 23 * 60 }),
        fc.integer({ min: 15, max: 12 * 60 }),
        (at, zone, days, start, length) => {
          const end = Math.min(24 * 60, start + length);
          const hhmm = (m: number) =>
            `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
          const names = days.map((d) => ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][d - 1]).join(',');
          const window = parseSendWindow(`${names} ${hhmm(start)}-${hhmm(end)}`);

          const opening = nextOpening(at, window, zone);

          // Never early; within a fortnight (a week and a day, unless a clock change swallowed it).
          expect(opening.getTime()).toBeGreaterThanOrEqual(at.getTime());
          expect(opening.getTime() - at.getTime()).toBeLessThanOrEqual(15 * DAY);
          // Inside the window, even when a clock change moved or swallowed its start.
          expect(inWindow(opening, window, zone)).toBe(true);
          // Nothing earlier would do: the minute before was outside the window (or before `at`).
          const before = new Date(opening.getTime() - 60_000);
          if (before.getTime() >= at.getTime()) expect(inWindow(before, window, zone)).toBe(false);
        },
      ),
      { numRuns: 2000, ...(process.env.FC_SEED && { seed: Number(process.env.FC_SEED) }) },
    );
  });

  it('leaves every time alone when the window is off', () => {
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true }), fc.constantFrom(...ZONES), (at, zone) => {
        expect(nextOpening(at, 'always', zone)).toBe(at);
      }),
    );
  });
});

describe('nextChaseStep', () => {
  const plan = checkChasePlan({
    reminderOffsetsMs: [3 * DAY, 7 * DAY, 10 * DAY],
    escalationOffsetMs: 14 * DAY,
    window: weekdays,
  });
  const invitedAt = new Date('2026-11-23T10:00:00Z'); // a Monday

  it('owes the reminders at their offsets from the invite, then the escalation, each in the window', () => {
    // Act
    const steps = [0, 1, 2, 3].map((sent) =>
      nextChaseStep(plan, invitedAt, sent, 'Europe/London', invitedAt),
    );

    // Assess: Thu, then Mon 30th (7 days = a Monday), Thu 3rd, Mon 7th
    expect(
      steps.map((s) => [s.kind, 'number' in s ? s.number : '-', local(s.dueAt, 'Europe/London')]),
    ).toEqual([
      ['reminder', 1, 'Thu 2026-11-26 10:00'],
      ['reminder', 2, 'Mon 2026-11-30 10:00'],
      ['reminder', 3, 'Thu 2026-12-03 10:00'],
      ['escalation', '-', 'Mon 2026-12-07 10:00'],
    ]);
  });

  it('moves a step that falls at a weekend to Monday morning', () => {
    // Act: invited on a Wednesday evening and looked at then; three days on is Saturday
    const invited = new Date('2026-11-25T18:00:00Z');
    const step = nextChaseStep(plan, invited, 0, 'Europe/London', invited);

    // Assess
    expect(local(step.dueAt, 'Europe/London')).toBe('Mon 2026-11-30 09:00');
  });

  it('never owes a step in the past, nor back to back: late, it keeps half its spacing from now', () => {
    // Act: reminder 2 (4 days after reminder 1) is long overdue on a Thursday evening
    const now = new Date('2026-12-17T20:00:00Z');
    const step = nextChaseStep(plan, invitedAt, 1, 'Europe/London', now);

    // Assess: two days on is Saturday evening, so Monday morning
    expect(local(step.dueAt, 'Europe/London')).toBe('Mon 2026-12-21 09:00');
  });

  it('refuses offsets out of order or an escalation before the last reminder', () => {
    // Assess
    expect(() =>
      checkChasePlan({
        reminderOffsetsMs: [3 * DAY, 2 * DAY],
        escalationOffsetMs: 14 * DAY,
        window: 'always',
      }),
    ).toThrow(ValidationError);
    expect(() =>
      checkChasePlan({ reminderOffsetsMs: [3 * DAY], escalationOffsetMs: 2 * DAY, window: 'always' }),
    ).toThrow(ValidationError);
    expect(checkChasePlan({ reminderOffsetsMs: [], escalationOffsetMs: DAY, window: 'always' })).toBeTruthy();
  });
});

describe('chasePlan', () => {
  it('takes each setting from the policy, then the environment, then the defaults', () => {
    // Act
    const plan = chasePlan(
      { sendWindow: 'always' },
      { reminderOffsets: 'PT20S,PT40S', escalationOffset: 'PT60S' },
    );
    const defaults = chasePlan({});

    // Assess
    expect(plan).toEqual({
      reminderOffsetsMs: [20_000, 40_000],
      escalationOffsetMs: 60_000,
      window: 'always',
    });
    expect(defaults).toMatchObject({
      reminderOffsetsMs: [3 * DAY, 7 * DAY, 10 * DAY],
      escalationOffsetMs: 14 * DAY,
    });
    expect((defaults.window as SendWindow).text).toBe('Mon-Fri 09:00-17:30');
  });

  it('allows no reminders at all: straight to the escalation', () => {
    // Assess
    expect(chasePlan({ reminderOffsets: '', escalationOffset: 'P5D' }).reminderOffsetsMs).toEqual([]);
  });

  it('names every bad setting, as an environment variable or a front-matter key', () => {
    // Act
    const issues = (settings: Parameters<typeof chasePlan>[0], prefix?: string) => {
      try {
        chasePlan(settings, {}, prefix);
      } catch (error) {
        return (error as ValidationError).issues.map((i) => i.field);
      }
      return [];
    };

    // Assess
    expect(issues({ reminderOffsets: 'P3D,soon', escalationOffset: 'P1M', sendWindow: 'weekdays' })).toEqual([
      'REMINDER_OFFSETS',
      'ESCALATION_OFFSET',
      'SEND_WINDOW',
    ]);
    expect(issues({ reminderOffsets: 'P7D,P3D' }, 'chase.')).toEqual(['chase.reminderOffsets']);
    expect(issues({ reminderOffsets: 'P3D', escalationOffset: 'P2D' }, 'chase.')).toEqual([
      'chase.escalationOffset',
    ]);
  });
});

// The chase's clock: send windows in the starter's time zone (weekends and daylight saving included) and the next step.
import { parseDuration } from './duration.ts';
import { ValidationError } from './errors.ts';
import { atLocal, fieldsOf, inZone, localMillis, plus, startOfDay } from './wall-clock.ts';
import * as z from './zod.ts';

/** Days (1 = Monday … 7 = Sunday, ISO) and times of day (minutes after local midnight, end exclusive). */
export interface SendWindow {
  days: ReadonlySet<number>;
  startMinute: number;
  endMinute: number;
  text: string;
}

/** `always` turns the window off: steps are sent the moment they fall due. */
export type Window = SendWindow | 'always';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function day(name: string, text: string): number {
  const index = DAYS.indexOf(name.toLowerCase());
  if (index < 0) throw windowError(text, `"${name}" is not a day (Mon … Sun)`);
  return index + 1;
}

function minute(hhmm: string, text: string): number {
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(hhmm);
  const value = match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN;
  if (!(value <= 24 * 60)) throw windowError(text, `"${hhmm}" is not a time (HH:MM)`);
  return value;
}

function windowError(text: string, why: string): ValidationError {
  return new ValidationError('schedule.invalid', [
    {
      field: 'SEND_WINDOW',
      message: `${why} in "${text}"; expected e.g. "Mon-Fri 09:00-17:30" or "always".`,
    },
  ]);
}

/**
 * Parses `Mon-Fri 09:00-17:30`, `Mon,Wed,Fri 08:00-12:00`, `Sat-Sun 10:00-16:00` or `always`.
 * A window may not run past midnight; ranges of days may wrap (`Fri-Mon`).
 */
export function parseSendWindow(text: string): Window {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'always') return 'always';
  const match = /^(\S+)\s+(\S+)-(\S+)$/.exec(trimmed);
  if (!match) throw windowError(trimmed, 'days and times are needed');
  const [, dayPart, from, to] = match as unknown as [string, string, string, string];
  const days = new Set<number>();
  for (const piece of dayPart.split(',')) {
    const [first, last] = piece.split('-') as [string, string | undefined];
    const a = day(first, trimmed);
    const b = last === undefined ? a : day(last, trimmed);
    for (let d = a; ; d = (d % 7) + 1) {
      days.add(d);
      if (d === b) break;
    }
  }
  const startMinute = minute(from, trimmed);
  const endMinute = minute(to, trimmed);
  if (endMinute <= startMinute)
    throw windowError(trimmed, 'the window must end after it starts, on the same day');
  return { days, startMinute, endMinute, text: trimmed };
}

/** Is `at` inside the window, in `timeZone`? */
export function inWindow(at: Date, window: Window, timeZone: string): boolean {
  if (window === 'always') return true;
  const local = fieldsOf(inZone(at.getTime(), timeZone));
  const m = local.hour * 60 + local.minute + local.second / 60 + local.millisecond / 60_000;
  return window.days.has(local.weekday) && m >= window.startMinute && m < window.endMinute;
}

/**
 * The first moment at or after `at` inside the window, in the starter's time zone: a step due in
 * the evening or at a weekend waits for the next opening. Local times are resolved by the zone's
 * rules, so daylight-saving changes move the UTC instant, never the local hour.
 */
export function nextOpening(at: Date, window: Window, timeZone: string): Date {
  if (window === 'always' || inWindow(at, window, timeZone)) return at;
  let local = inZone(at.getTime(), timeZone);
  for (let i = 0; i < 15; i++) {
    const day = fieldsOf(local);
    const start = { hour: Math.floor(window.startMinute / 60), minute: window.startMinute % 60 };
    const open = atLocal(localMillis({ ...day, ...start, second: 0, millisecond: 0 }), local.o, timeZone);
    // A start time a clock change skipped opens at the first moment after the gap, if that is
    // still inside the window; a window the gap swallowed whole waits for the next day.
    if (
      window.days.has(day.weekday) &&
      open.ts >= at.getTime() &&
      inWindow(new Date(open.ts), window, timeZone)
    ) {
      // In a gap, the zone's rules push the start forward by the gap's length; the window really
      // opens at the first moment after the gap.
      let t = open.ts;
      const opened = fieldsOf(open);
      if (opened.hour * 60 + opened.minute !== window.startMinute) {
        while (t - 60_000 >= at.getTime() && inWindow(new Date(t - 60_000), window, timeZone)) t -= 60_000;
      }
      return new Date(t);
    }
    local = startOfDay(plus(local, { days: 1 }, timeZone), timeZone);
  }
  throw new Error(`no opening in the window "${window.text}"`); // a window always has a day: unreachable
}

export interface ChasePlan {
  /** After the invite, when each reminder falls due (strictly increasing). */
  reminderOffsetsMs: readonly number[];
  /** After the invite, when the manager is told (after the last reminder). */
  escalationOffsetMs: number;
  window: Window;
}

export type ChaseStep =
  | { kind: 'reminder'; number: number; dueAt: Date }
  | { kind: 'escalation'; dueAt: Date };

/**
 * The step owed after `remindersSent` reminders of an invite first sent at `invitedAt`: the next
 * reminder, or the escalation once they are all sent; at its offset from the invite, moved to the
 * window's next opening; never sooner after `now` than half its usual spacing from the last step.
 */
export function nextChaseStep(
  plan: ChasePlan,
  invitedAt: Date,
  remindersSent: number,
  timeZone: string,
  now: Date,
): ChaseStep {
  const offset = plan.reminderOffsetsMs[remindersSent];
  const thisOffset = offset ?? plan.escalationOffsetMs;
  const previousOffset = remindersSent === 0 ? 0 : (plan.reminderOffsetsMs[remindersSent - 1] ?? 0);
  // Late (after an outage, or a long wait for the window), steps keep at least half their usual
  // spacing rather than arriving back to back.
  const raw = invitedAt.getTime() + thisOffset;
  const earliest = now.getTime() + (thisOffset - previousOffset) / 2;
  const dueAt = nextOpening(new Date(Math.max(raw, earliest)), plan.window, timeZone);
  return offset === undefined
    ? { kind: 'escalation', dueAt }
    : { kind: 'reminder', number: remindersSent + 1, dueAt };
}

/**
 * The chase of a request with a sign-by date (a policy's `due:`): the escalation falls due then
 * instead of at ESCALATION_OFFSET, and reminders that would come at or after it are not sent. The
 * reminders kept are a prefix of the plan's, so a count of those sent stays meaningful.
 */
export function chaseUntil(plan: ChasePlan, invitedAt: Date, signBy: Date | undefined): ChasePlan {
  if (!signBy) return plan;
  const escalationOffsetMs = Math.max(1, signBy.getTime() - invitedAt.getTime());
  return {
    ...plan,
    reminderOffsetsMs: plan.reminderOffsetsMs.filter((offset) => offset < escalationOffsetMs),
    escalationOffsetMs,
  };
}

/** Checks a plan's offsets: reminders strictly increasing, the escalation after the last. */
export function checkChasePlan(
  plan: ChasePlan,
  fields = { offsets: 'REMINDER_OFFSETS', escalation: 'ESCALATION_OFFSET' },
): ChasePlan {
  const offsets = plan.reminderOffsetsMs;
  const issues = [];
  if (offsets.some((o, i) => o <= 0 || (i > 0 && o <= (offsets[i - 1] as number)))) {
    issues.push({
      field: fields.offsets,
      message: 'Reminder offsets must be positive and strictly increasing.',
    });
  }
  if (plan.escalationOffsetMs <= (offsets.at(-1) ?? 0)) {
    issues.push({ field: fields.escalation, message: 'The escalation must come after the last reminder.' });
  }
  if (issues.length) throw new ValidationError('schedule.invalid', issues);
  return plan;
}

/** The chase's settings as written (environment, or a policy's front matter): ISO 8601 durations and a window. */
export interface ChaseSettings {
  reminderOffsets?: string | undefined;
  escalationOffset?: string | undefined;
  sendWindow?: string | undefined;
}

export const CHASE_DEFAULTS = {
  reminderOffsets: 'P3D,P7D,P10D',
  escalationOffset: 'P14D',
  sendWindow: 'Mon-Fri 09:00-17:30',
} as const;

/**
 * A chase plan from settings, each missing one taken from `base` then the defaults; a malformed
 * one is a ValidationError naming it (as `prefix` + the setting's name).
 */
export function chasePlan(settings: ChaseSettings, base: ChaseSettings = {}, prefix = ''): ChasePlan {
  const pick = (k: keyof ChaseSettings) => settings[k] ?? base[k] ?? CHASE_DEFAULTS[k];
  // Environment settings are named as variables, front matter as keys.
  const ENV = {
    reminderOffsets: 'REMINDER_OFFSETS',
    escalationOffset: 'ESCALATION_OFFSET',
    sendWindow: 'SEND_WINDOW',
  };
  const named = (k: keyof typeof ENV) => (prefix === '' ? ENV[k] : `${prefix}${k}`);
  const issues: Array<{ field: string; message: string }> = [];
  const duration = (field: string, text: string) => {
    try {
      return parseDuration(text.trim());
    } catch (error) {
      issues.push({ field, message: (error as Error).message });
      return 0;
    }
  };
  const offsets = pick('reminderOffsets')
    .split(',')
    .filter((t) => t.trim() !== '')
    .map((t) => duration(named('reminderOffsets'), t));
  const escalation = duration(named('escalationOffset'), pick('escalationOffset'));
  let window: Window = 'always';
  try {
    window = parseSendWindow(pick('sendWindow'));
  } catch (error) {
    issues.push({ field: named('sendWindow'), message: (error as ValidationError).issues[0]?.message ?? '' });
  }
  if (issues.length) throw new ValidationError('schedule.invalid', issues);
  return checkChasePlan(
    { reminderOffsetsMs: offsets, escalationOffsetMs: escalation, window },
    { offsets: named('reminderOffsets'), escalation: named('escalationOffset') },
  );
}

/** A policy's front matter may override the chase. */
export const chaseOverridesSchema = z.strictObject({
  reminderOffsets: z.optional(z.string()),
  escalationOffset: z.optional(z.string()),
  sendWindow: z.optional(z.string()),
});

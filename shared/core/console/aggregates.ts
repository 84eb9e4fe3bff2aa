// What the console's overview draws (issue 15): completion of a policy by department and by manager, and signatures week by week — from the report's rows, so its numbers are the report's.
import { isNewerAsk, UNSIGNED_STATUSES } from '../model.ts';
import type { ReportRow } from '../report.ts';
import { fieldsOf, inZone, isoDate, isoWeek, type Moment, plus, startOfWeek } from '../wall-clock.ts';

/** One bar of a completion chart: the people asked in a group and where they stand. */
export interface Completion {
  /** The department, or the manager's name and address; `(none)` when the row has none. */
  label: string;
  asked: number;
  signed: number;
  notSigned: number;
  cancelled: number;
  /** Signed of those still asked (cancelled left out), in whole percent; null when none is. */
  percentSigned: number | null;
}

/** One week of the signatures chart: its ISO week, the Monday it begins, and agreements in it. */
export interface WeekCount {
  week: string;
  monday: string;
  signed: number;
}

export const NO_GROUP = '(none)';
/** A moment as ISO 8601 with its offset, as attest stores them (`2026-11-24T10:15:00.000Z`). */
const MOMENT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const unsigned = new Set<string>(UNSIGNED_STATUSES);

/**
 * Each person's current ask, as the report counts them: their newest version's (an ask withdrawn
 * for a newer version, or one signed before a re-acknowledgement, is history), so whether given the
 * report's current rows or every row ever made, each person counts once.
 */
export function current(rows: readonly ReportRow[]): ReportRow[] {
  const newest = new Map<string, ReportRow>();
  for (const row of rows) {
    const seen = newest.get(row.employeeId);
    const asked = (r: ReportRow) => ({ policyVersion: r.policyVersion, createdAt: r.assignedAt });
    if (isNewerAsk(asked(row), seen && asked(seen))) newest.set(row.employeeId, row);
  }
  return [...newest.values()];
}

/** How the rows' people stand, grouped by department or by manager; the groups with most not signed first. */
export function completionBy(rows: readonly ReportRow[], by: 'department' | 'manager'): Completion[] {
  const groups = new Map<string, Completion>();
  for (const row of current(rows)) {
    const label =
      by === 'department'
        ? row.department.trim() || NO_GROUP
        : row.managerEmail
          ? `${row.managerName} <${row.managerEmail.toLowerCase()}>`
          : NO_GROUP;
    const group = groups.get(label) ?? {
      label,
      asked: 0,
      signed: 0,
      notSigned: 0,
      cancelled: 0,
      percentSigned: null,
    };
    group.asked++;
    if (row.status === 'acknowledged') group.signed++;
    else if (row.status === 'cancelled') group.cancelled++;
    else if (unsigned.has(row.status)) group.notSigned++;
    groups.set(label, group);
  }
  for (const group of groups.values()) {
    const open = group.signed + group.notSigned;
    group.percentSigned = open ? Math.floor((100 * group.signed) / open) : null;
  }
  return [...groups.values()].sort(
    (a, b) => b.notSigned - a.notSigned || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0),
  );
}

/**
 * Agreements per ISO week (Monday to Sunday in `timeZone`), every week from the first signature's
 * to the last's, empty weeks included, so a chart's gaps are real.
 */
export function signedPerWeek(rows: readonly ReportRow[], timeZone: string): WeekCount[] {
  const counts = new Map<string, number>();
  let first: Moment | undefined;
  let last: Moment | undefined;
  for (const row of rows) {
    if (row.status !== 'acknowledged' || !row.acknowledgedAt) continue;
    const at = MOMENT.test(row.acknowledgedAt) ? Date.parse(row.acknowledgedAt) : Number.NaN;
    const monday = startOfWeek(inZone(at, timeZone), timeZone);
    if (Number.isNaN(monday.ts)) continue;
    const key = isoDate(fieldsOf(monday));
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (!first || monday.ts < first.ts) first = monday;
    if (!last || monday.ts > last.ts) last = monday;
  }
  const weeks: WeekCount[] = [];
  for (
    let monday = first;
    monday && last && monday.ts <= last.ts;
    monday = plus(monday, { weeks: 1 }, timeZone)
  ) {
    const day = fieldsOf(monday);
    const key = isoDate(day);
    weeks.push({ week: isoWeek(day), monday: key, signed: counts.get(key) ?? 0 });
  }
  return weeks;
}

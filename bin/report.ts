// `attest report`: the "who has not signed?" report as a person reads it in a terminal.
import { isCalendarDay, utcMinute } from '#shared/core/dates.ts';
import type { ReportFilter, ReportRow, ReportSummary } from '#shared/core/report.ts';

/** YYYY-MM-DD as a day in UTC: its first moment, or (for an inclusive end) the next day's. */
export function parseDay(value: string, endOfDay: boolean): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const day = new Date(`${value}T00:00:00.000Z`);
  if (!isCalendarDay(value)) return undefined;
  return endOfDay ? new Date(day.getTime() + 86_400_000) : day;
}

/** The text without control or format characters (escape sequences, bidi overrides), each shown as �. */
const printable = (text: string) => text.replace(/[\p{Cc}\p{Cf}]/gu, '\uFFFD');

const percent = (part: number, whole: number) => (whole ? `${Math.floor((100 * part) / whole)}%` : '–');

/** The counts: how many were assigned, signed, waiting (and why), and cancelled. */
export function summaryLines(summary: ReportSummary, range: { since?: string; until?: string }): string[] {
  const { policy, byStatus, total } = summary;
  const waiting = (['pending', 'invited', 'overdue', 'bounced'] as const)
    .filter((s) => byStatus[s])
    .map((s) => `${byStatus[s]} ${s === 'pending' ? 'not yet invited' : s}`);
  const when =
    range.since && range.until
      ? ` from ${range.since} to ${range.until}`
      : range.since
        ? ` since ${range.since}`
        : range.until
          ? ` up to ${range.until}`
          : '';
  return [
    `${policy.title} (${policy.policyId}; newest version ${policy.version})`,
    `People asked${when}: ${total}. Signed: ${summary.signed} (${percent(summary.signed, total - byStatus.cancelled)}).` +
      ` Not signed: ${summary.unsigned}${waiting.length ? ` (${waiting.join(', ')})` : ''}.` +
      ` Cancelled: ${byStatus.cancelled}.`,
  ];
}

const TITLES: Record<ReportFilter, string> = {
  unsigned: 'Not signed',
  all: 'Every assignment',
  pending: 'Not yet invited',
  invited: 'Invited, not signed',
  overdue: 'Overdue (their manager was told)',
  bounced: 'Bounced (their address refused the email)',
  acknowledged: 'Signed',
  cancelled: 'Cancelled',
};

/** The listed rows as an aligned table, oldest assignment first. */
export function tableLines(filter: ReportFilter, rows: readonly ReportRow[]): string[] {
  if (!rows.length) return [`${TITLES[filter]}: none.`];
  const signed = filter === 'acknowledged';
  const header = [
    'EMPLOYEE',
    'NAME',
    'EMAIL',
    'DEPARTMENT',
    'MANAGER',
    'VERSION',
    'STATUS',
    signed ? 'SIGNED (UTC)' : 'INVITED (UTC)',
    signed ? 'TYPED NAME' : 'REMINDERS',
    signed ? 'EVIDENCE' : 'WAITING',
  ];
  const minute = (iso: string) => (iso ? utcMinute(iso) : '–');
  // Names and addresses come from HR and the signing page: no control characters reach the terminal.
  const cells = rows.map((r) => [
    r.employeeId || '?',
    `${r.givenName} ${r.familyName}`.trim() || '(starter missing)',
    r.email || '–',
    r.department || '–',
    r.managerName || '–',
    `v${r.policyVersion}${r.reason === 'reacknowledge' ? ' (again)' : ''}`,
    r.status === 'pending'
      ? 'not invited'
      : r.supersededByVersion
        ? `superseded by v${r.supersededByVersion}`
        : r.status,
    minute(signed ? r.acknowledgedAt : r.invitedAt),
    signed ? r.typedName : String(r.remindersSent),
    signed
      ? r.evidenceId
      : r.daysWaiting === null
        ? '–'
        : `${r.daysWaiting} day${r.daysWaiting === 1 ? '' : 's'}`,
  ]);
  for (const row of cells) for (let i = 0; i < row.length; i++) row[i] = printable(row[i] as string);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]) =>
    c
      .map((cell, i) => cell.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [`${TITLES[filter]} (${rows.length}), oldest first:`, line(header), ...cells.map(line)];
}

// The "who has not signed?" report as CSV, for a spreadsheet: its columns, and each row's line (a module of its own, so the console loads csv-stringify with its first export, not at a cold start).
import { stringify } from 'csv-stringify/sync';
import { DELIVERY_KINDS } from './model.ts';
import type { ReportRow } from './report.ts';

/** The CSV's columns, in order, with their header names (stable: spreadsheets and scripts read them). */
export const CSV_COLUMNS: ReadonlyArray<[keyof ReportRow, string]> = [
  ['assignmentId', 'assignment_id'],
  ['employeeId', 'employee_id'],
  ['givenName', 'given_name'],
  ['familyName', 'family_name'],
  ['email', 'email'],
  ['department', 'department'],
  ['managerName', 'manager_name'],
  ['managerEmail', 'manager_email'],
  ['startDate', 'start_date'],
  ['policyId', 'policy_id'],
  ['policyVersion', 'policy_version'],
  ['reason', 'reason'],
  ['status', 'status'],
  ['assignedAt', 'assigned_at'],
  ['invitedAt', 'invited_at'],
  ['remindersSent', 'reminders_sent'],
  ['daysWaiting', 'days_waiting'],
  ['bounce', 'bounce'],
  ['bouncedAt', 'bounced_at'],
  ['acknowledgedAt', 'acknowledged_at'],
  ['typedName', 'typed_name'],
  ['evidenceId', 'evidence_id'],
  ['policySha256', 'policy_sha256'],
  ['ipAddress', 'ip_address'],
  ['userAgent', 'user_agent'],
  ['tokenId', 'token_id'],
  ['emailMessageId', 'email_message_id'],
  ...DELIVERY_KINDS.map((kind): [keyof ReportRow, string] => [kind, `${kind}_delivery`]),
  ['supersededByVersion', 'superseded_by_version'],
  // Added later, so after the first columns: scripts reading those by position still work.
  ['method', 'method'],
  ['recordedBy', 'recorded_by'],
  ['note', 'note'],
  ['declinedAt', 'declined_at'],
  ['declineReason', 'decline_reason'],
  ['signBy', 'sign_by'],
  ['renewsAt', 'renews_at'],
  ['renewal', 'renewal'],
];

/**
 * CSV (RFC 4180 quoting) of `rows`, each line ended, with the header line first when `header`. A cell that a spreadsheet
 * would run as a formula (beginning =, +, -, @, tab or carriage return: a name typed on the page,
 * an id) is prefixed with ' so it shows as text (OWASP's advice on CSV injection).
 */
export function csvOf(rows: readonly ReportRow[], options: { header: boolean; bom?: boolean }): string {
  return stringify(
    rows.map((row) => CSV_COLUMNS.map(([key]) => row[key] ?? '')),
    {
      header: options.header,
      // A byte-order mark, for a file: Excel then reads the UTF-8 (Zoë, Siân) as UTF-8.
      bom: options.bom ?? false,
      columns: CSV_COLUMNS.map(([, name]) => name),
      escape_formulas: true,
    },
  );
}

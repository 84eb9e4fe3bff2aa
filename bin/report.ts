// `attest report`: the "who has not signed?" report as a person reads it in a terminal, or as CSV for a spreadsheet.
import { closeSync, constants, fchmodSync, openSync, unlinkSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { parseDay, utcMinute } from '#shared/core/dates.ts';
import { AttestError } from '#shared/core/errors.ts';
import {
  makeReport,
  REPORT_FILTERS,
  type ReportFilter,
  type ReportRow,
  type ReportSummary,
} from '#shared/core/report.ts';
import { csvOf } from '#shared/core/report-csv.ts';
import { type CliDeps, type Shell, UsageError } from './cli.ts';

interface ReportOptions {
  policy?: string;
  status?: string;
  since?: string;
  until?: string;
  csv?: boolean;
  out?: string;
}

export function addReportCommand(program: Command, shell: Shell): void {
  program
    .command('report')
    .summary('Who has not signed a policy (or any status), as a table or CSV.')
    .usage(
      '--policy <policy-id> [--status <status>] [--since <day>] [--until <day>] [--csv | --out <file.csv>]',
    )
    .description(
      "Who has not signed: the policy's assignments counted (signed, not signed and why, cancelled), " +
        'then those not signed listed, oldest first, with how long each has waited.',
    )
    .option('--policy <policy-id>', 'the policy, e.g. safe-internet-use')
    .option(
      '--status <status>',
      'list others instead: all, pending (not yet invited), invited, overdue, bounced, ' +
        'signed (acknowledged) or cancelled',
    )
    .option('--since <day>', 'keep the assignments made from this day (YYYY-MM-DD, UTC)')
    .option('--until <day>', 'keep the assignments made up to this day, included')
    .option('--csv', "print the rows as CSV, with every agreement's evidence (for an audit)")
    .option('--out <file.csv>', 'write that CSV to a file (UTF-8 with a BOM, for Excel) readable only by you')
    .action((options: ReportOptions, command: Command) => report(shell, options, command));
}

/** `attest report`: counts and the unsigned (or `--status`) as a table, or every row as CSV. */
async function report(shell: Shell, values: ReportOptions, command: Command): Promise<void> {
  const { deps, io, clock } = shell;
  const usage = (message: string) => new UsageError(message, command);
  if (!values.policy) throw usage('report needs --policy <policy-id>, e.g. safe-internet-use');
  // "signed" is what people say; the status is named acknowledged.
  const filter = (
    values.status === 'signed' ? 'acknowledged' : (values.status ?? 'unsigned')
  ) as ReportFilter;
  if (!REPORT_FILTERS.includes(filter)) {
    throw usage(
      `--status must be one of ${REPORT_FILTERS.join(', ')} (or signed), not ${JSON.stringify(values.status)}`,
    );
  }
  const day = (flag: string, value: string | undefined, endOfDay: boolean) => {
    if (value === undefined) return undefined;
    const parsed = parseDay(value, endOfDay);
    if (!parsed) throw usage(`${flag} must be a day as YYYY-MM-DD, not ${JSON.stringify(value)}`);
    return parsed;
  };
  const since = day('--since', values.since, false);
  const until = day('--until', values.until, true);
  if (since && until && since >= until) throw usage('--since must not be after --until');
  const reporter = makeReport({
    store: deps.store,
    clock,
    ...(deps.lifecycleFor && { lifecycleFor: deps.lifecycleFor }),
  });
  const options = { filter, ...(since && { since }), ...(until && { until }) };

  if (values.out === '') throw usage('--out needs a file name, e.g. --out report.csv');
  if (values.csv || values.out) {
    // The file is opened at the first rows, so a report refused (no such policy) leaves no file;
    // one that fails part way is removed, so no partial copy of the personal data is left.
    const path = values.out;
    let file: ReturnType<NonNullable<CliDeps['createFile']>> | undefined;
    const write = (text: string) => {
      if (path === undefined) return io.out(text.replace(/\n$/, ''));
      file ??= (deps.createFile ?? createFile)(path);
      file.write(text);
    };
    let header = true;
    try {
      const summary = await reporter.run(values.policy, options, (rows) => {
        write(csvOf(rows, { header, bom: header && path !== undefined }));
        header = false;
      });
      if (header) write(csvOf([], { header, bom: path !== undefined }));
      file?.close();
      if (path !== undefined)
        io.out(`Wrote ${summary.listed} row${summary.listed === 1 ? '' : 's'} to ${path}.`);
    } catch (error) {
      if (file) {
        file.remove();
        io.err(`attest: removed ${path}: the report did not finish.`);
      }
      throw error;
    }
    return;
  }

  const rows: ReportRow[] = [];
  const summary = await reporter.run(values.policy, options, (page) => {
    rows.push(...page);
  });
  const range = {
    ...(values.since && { since: values.since }),
    ...(values.until && { until: values.until }),
  };
  io.out([...summaryLines(summary, range), '', ...tableLines(filter, rows)].join('\n'));
}

/** Why a file to write could not be opened, as a person reads it ("no such file" reads as if it should exist). */
const CANNOT_WRITE: Record<string, string> = {
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'its directory does not exist',
  EISDIR: 'it is a directory; give a file name',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'it is a symbolic link, which attest does not write through',
  EROFS: 'the file system is read-only',
};

/**
 * A new file (or one emptied), readable and writable only by its owner: a report holds personal data.
 * One that cannot be opened is refused saying why (an AttestError: exit 1, its message told).
 */
export function createFile(path: string) {
  let fd: number;
  try {
    // Not through a symbolic link: the personal data goes to the file named, nowhere else.
    fd = openSync(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
      0o600,
    );
  } catch (error) {
    const why = CANNOT_WRITE[(error as NodeJS.ErrnoException).code ?? ''];
    if (why) throw new AttestError('file.unwritable', `cannot write ${path}: ${why}`, { cause: error });
    throw error;
  }
  try {
    fchmodSync(fd, 0o600); // a file that was there keeps its mode otherwise
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  let open = true;
  const close = () => {
    if (open) closeSync(fd);
    open = false;
  };
  return {
    write: (data: string | Uint8Array) =>
      void (typeof data === 'string' ? writeSync(fd, data) : writeSync(fd, data)),
    close,
    // A file closed already (one of several written) is removed all the same.
    remove: () => {
      close();
      unlinkSync(path);
    },
  };
}

/** YYYY-MM-DD as a day in UTC: its first moment, or (for an inclusive end) the next day's. */
export { parseDay };

/** The text without control or format characters (escape sequences, bidi overrides), each shown as �. */
const printable = (text: string) => text.replace(/[\p{Cc}\p{Cf}]/gu, '\uFFFD');

const percent = (part: number, whole: number) => (whole ? `${Math.floor((100 * part) / whole)}%` : '–');

/** The counts: how many were assigned, signed, waiting (and why), and cancelled. */
export function summaryLines(summary: ReportSummary, range: { since?: string; until?: string }): string[] {
  const { policy, byStatus, total } = summary;
  const waiting = (['pending', 'invited', 'overdue', 'bounced', 'declined'] as const)
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
    // Only where re-attestation has something to say (README "Renewal").
    ...(summary.dueForRenewal || summary.lapsed
      ? [`Due for renewal: ${summary.dueForRenewal}. Lapsed: ${summary.lapsed}.`]
      : []),
  ];
}

const TITLES: Record<ReportFilter, string> = {
  unsigned: 'Not signed',
  all: 'Every assignment',
  pending: 'Not yet invited',
  invited: 'Invited, not signed',
  overdue: 'Overdue (their manager was told)',
  bounced: 'Bounced (their address refused the email)',
  declined: 'Declined (they said they do not agree; their manager and HR were told)',
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

// The CSV source: a file of starters (one a row, as Excel saves it) read into starter events, each validated by the webhook's own schema.
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { AttestError, type FieldIssue, ValidationError } from '../errors.ts';
import { STARTER_ATTRIBUTES } from '../model.ts';
import {
  parseStarterEvent,
  type StarterData,
  type StarterEvent,
  type starterEventSchema,
} from '../starter-event.ts';
import * as z from '../zod.ts';

/** The source names of a CSV import and of `attest starter add`: receipts are kept per source. */
export const CSV_SOURCE = 'csv';
export const CLI_SOURCE = 'cli';

/** The columns a starters file may have, in the order the README lists them. */
export const STARTER_COLUMNS = [
  'employeeId',
  'givenName',
  'familyName',
  'email',
  'startDate',
  'managerName',
  'managerEmail',
  // Where the starter works and as what: department, organization, division, location, employmentType, jobTitle.
  ...STARTER_ATTRIBUTES,
  'locale',
  'timeZone',
  'policies',
] as const;
export type StarterColumn = (typeof STARTER_COLUMNS)[number];

/** What the starter contract requires (DESIGN §5); every other column may be absent or empty. */
export const REQUIRED_COLUMNS = [
  'employeeId',
  'givenName',
  'familyName',
  'email',
  'startDate',
] as const satisfies readonly StarterColumn[];

/** One row as read: the line it begins on (1 is the header) and its cells by column. */
export interface StarterRow {
  line: number;
  cells: Partial<Record<StarterColumn, string>>;
  /** More cells than the header has columns: one no column names, refused rather than dropped. */
  overflow?: true;
}

/** A row's cells: text by column name, as a file or the command line gives them. */
export const starterCellsSchema = z.partialRecord(z.enum(STARTER_COLUMNS), z.string());

/** Where a field of the starter event came from: the column that names it in a file. */
const COLUMN_OF: Record<string, StarterColumn> = {
  'data.manager.name': 'managerName',
  'data.manager.email': 'managerEmail',
  'data.manager': 'managerName',
};

const columnOf = (field: string): string => COLUMN_OF[field] ?? field.replace(/^data\./, '');

/**
 * Reads a starters file: UTF-8 with or without a BOM, CRLF or LF, quoted cells holding commas or
 * line breaks. A header row names the columns (any order; unknown ones are refused, as a typo
 * would otherwise drop a column silently). Blank rows — Excel saves `,,,,` — are skipped. Throws
 * an AttestError (`csv.invalid`) when the file is not CSV or its header is wrong: nothing of such a
 * file is imported.
 */
export function readStarterCsv(text: string): StarterRow[] {
  let records: Array<{ record: string[]; raw: string }>;
  try {
    // With `raw`, each record comes with its text; csv-parse's types do not follow the option.
    records = parse(text, { bom: true, raw: true, relax_column_count: true }) as unknown as typeof records;
  } catch (error) {
    const { lines, message } = error as { lines?: number; message: string };
    throw new AttestError('csv.invalid', `not a CSV file${lines ? ` (line ${lines})` : ''}: ${message}`, {
      cause: error,
    });
  }
  const [header, ...body] = records;
  if (!header) throw new AttestError('csv.invalid', 'the file is empty: it needs a header row');
  const columns = header.record.map((c) => c.trim());
  const unknown = columns.filter((c) => !(STARTER_COLUMNS as readonly string[]).includes(c));
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  const twice = columns.filter((c, i) => columns.indexOf(c) !== i);
  const wrong = [
    ...(unknown.length ? [`unknown columns ${unknown.map((c) => JSON.stringify(c)).join(', ')}`] : []),
    ...(missing.length ? [`missing columns ${missing.join(', ')}`] : []),
    ...(twice.length ? [`columns named twice: ${twice.join(', ')}`] : []),
  ];
  if (wrong.length) {
    throw new AttestError(
      'csv.invalid',
      `the header row is wrong: ${wrong.join('; ')}. The columns are ${STARTER_COLUMNS.join(',')}.`,
    );
  }

  const rows: StarterRow[] = [];
  // csv-parse's own line count is off for quoted line breaks, so each row's first line is counted
  // here from the raw text before it: every CRLF, CR or LF is one line.
  let line = 1 + lineBreaks(header.raw);
  for (const { record, raw } of body) {
    const first = line;
    line += lineBreaks(raw);
    if (record.every((cell) => cell.trim() === '')) continue;
    const cells: StarterRow['cells'] = {};
    columns.forEach((column, i) => {
      const cell = record[i];
      if (cell !== undefined) cells[column as StarterColumn] = cell;
    });
    rows.push({ line: first, cells, ...(record.length > columns.length && { overflow: true as const }) });
  }
  return rows;
}

const lineBreaks = (raw: string) => raw.match(/\r\n|\r|\n/g)?.length ?? 0;

/** A cell's text, or undefined for an empty one; spaces around it are a spreadsheet's, never meant. */
function cell(cells: StarterRow['cells'], column: StarterColumn): string | undefined {
  const value = cells[column]?.replace(/^ +| +$/g, '');
  return value === undefined || value === '' ? undefined : value;
}

/**
 * A row as a `starter.created` event, validated by the webhook's schema (so the rules are the
 * same: unseen characters refused, a name needs a letter, locale and time zone defaulted), or the
 * issues of its bad cells, each named by its column. The event id is `<source>_` and a hash of the
 * validated data: the same row imported again is the same event, answered from its receipt;
 * a changed row is a new event, and updates the starter.
 */
export function starterEventFromCells(
  schema: ReturnType<typeof starterEventSchema>,
  cells: StarterRow['cells'],
  source: string,
): { event: StarterEvent } | { issues: FieldIssue[] } {
  const managerName = cell(cells, 'managerName');
  const managerEmail = cell(cells, 'managerEmail');
  const policies = cell(cells, 'policies')
    ?.split(';')
    .map((p) => p.trim())
    .filter(Boolean);
  const data = {
    employeeId: cell(cells, 'employeeId'),
    givenName: cell(cells, 'givenName'),
    familyName: cell(cells, 'familyName'),
    email: cell(cells, 'email'),
    startDate: cell(cells, 'startDate'),
    // A manager is both or neither: one without the other is named as missing.
    ...((managerName !== undefined || managerEmail !== undefined) && {
      manager: { name: managerName, email: managerEmail },
    }),
    ...Object.fromEntries(STARTER_ATTRIBUTES.map((key) => [key, cell(cells, key)])),
    locale: cell(cells, 'locale'),
    timeZone: cell(cells, 'timeZone'),
    ...(policies?.length && { policies }),
  };
  try {
    const parsed = parseStarterEvent(schema, { type: 'starter.created', id: source, data });
    return { event: { ...parsed, id: eventIdOf(source, parsed.data as StarterData) } };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { issues: error.issues.map((i) => ({ field: columnOf(i.field), message: i.message })) };
  }
}

/** `<source>_` and the first 128 bits of the sha256 of the data, its keys in a fixed order. */
function eventIdOf(source: string, data: StarterData): string {
  const canonical = JSON.stringify(data, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)))
      : value,
  );
  return `${source}_${createHash('sha256').update(canonical).digest('hex').slice(0, 32)}`;
}

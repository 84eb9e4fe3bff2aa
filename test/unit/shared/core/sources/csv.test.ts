// Reading a starters file and mapping its rows to starter events: Excel's CSV, line numbers, the webhook's rules, stable ids.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttestError } from '#shared/core/errors.ts';
import {
  CSV_SOURCE,
  readStarterCsv,
  STARTER_COLUMNS,
  starterEventFromCells,
} from '#shared/core/sources/csv.ts';
import { starterEventSchema } from '#shared/core/starter-event.ts';

const schema = starterEventSchema(new Set(['safe-internet-use', 'data-protection']));
const HEADER = STARTER_COLUMNS.join(',');
const ADA =
  'E1001,Ada,Lovelace,ada@example.org,2026-12-01,Grace Hopper,grace@example.org,"Children\'s Services, North",Example Council,People,Town Hall,Employee,"Social Worker, Senior",en-GB,Europe/London,safe-internet-use;data-protection';

describe('readStarterCsv', () => {
  it('reads a file as Excel saves it: a BOM, CRLF, quoted commas and line breaks', () => {
    // Prepare
    const text = `\uFEFF${HEADER}\r\n${ADA}\r\nE1002,"Grace","Hopper",grace@example.org,2026-12-02,,,"Line one\r\nline two",,,\r\n`;

    // Act
    const rows = readStarterCsv(text);

    // Assess
    expect(rows.map((r) => r.line)).toEqual([2, 3]);
    expect(rows[0]?.cells).toMatchObject({ employeeId: 'E1001', department: "Children's Services, North" });
    expect(rows[1]?.cells.department).toBe('Line one\r\nline two');
  });

  it('numbers each row by the line it begins on, past quoted line breaks and blank rows', () => {
    // Prepare
    const text = `${HEADER}\n"E1","A\nB",x,a@example.org,2026-12-01\n\n,,,,\nE2,C,D,c@example.org,2026-12-01\n`;

    // Act
    const rows = readStarterCsv(text.replace(HEADER, 'employeeId,givenName,familyName,email,startDate'));

    // Assess
    expect(rows.map((r) => [r.line, r.cells.employeeId])).toEqual([
      [2, 'E1'],
      [6, 'E2'],
    ]);
  });

  it('accepts only the required columns, in any order', () => {
    // Act
    const rows = readStarterCsv(
      'email,startDate,employeeId,familyName,givenName\na@example.org,2026-12-01,E1,L,A',
    );

    // Assess
    expect(rows[0]?.cells).toEqual({
      email: 'a@example.org',
      startDate: '2026-12-01',
      employeeId: 'E1',
      familyName: 'L',
      givenName: 'A',
    });
  });

  it('marks a row with more cells than the header has columns', () => {
    // Act
    const rows = readStarterCsv(
      'employeeId,givenName,familyName,email,startDate\nE1,A,B,a@example.org,2026-12-01,extra\nE2,A,B,a@example.org,2026-12-01',
    );

    // Assess
    expect(rows.map((r) => r.overflow)).toEqual([true, undefined]);
  });

  it('refuses a header with an unknown or missing column, naming them', () => {
    // Act
    const read = () => readStarterCsv('employeeId,givenName,familyName,e-mail,startDate\n');

    // Assess
    expect(read).toThrow(AttestError);
    expect(read).toThrow(/unknown columns "e-mail"; missing columns email/);
  });

  it('refuses a file that is not CSV, saying where', () => {
    // Act
    const read = () => readStarterCsv(`${HEADER}\nE1,"Ada\n`);

    // Assess
    expect(read).toThrow(/not a CSV file \(line 2\)/);
  });

  it('reads back any cells written as Excel quotes them, at the line each row begins', () => {
    // Prepare: any text, quoted as Excel does (quotes doubled), with CRLF or LF
    const cellText = fc.string({ unit: 'grapheme', maxLength: 12 });
    const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(cellText, cellText), { minLength: 1, maxLength: 5 }),
        fc.constantFrom('\r\n', '\n'),
        fc.boolean(),
        (cells, eol, bom) => {
          const body = cells.map(([a, b]) => `E,${quote(a)},${quote(b)},e@example.org,2026-12-01`);
          const text = `${bom ? '\uFEFF' : ''}employeeId,givenName,familyName,email,startDate${eol}${body.join(eol)}${eol}`;

          // Act
          const rows = readStarterCsv(text);

          // Assess
          expect(rows.map((r) => [r.cells.givenName, r.cells.familyName])).toEqual(cells);
          let line = 2;
          for (const [i, row] of rows.entries()) {
            expect(row.line).toBe(line);
            const [a, b] = cells[i] as [string, string];
            line += 1 + (`${a}${b}`.match(/\r\n|\r|\n/g)?.length ?? 0);
          }
        },
      ),
    );
  });
});

describe('starterEventFromCells', () => {
  const ada = () => readStarterCsv(`${HEADER}\n${ADA}`)[0]?.cells ?? {};

  it('maps a row to a starter.created event with the manager, the attributes and policies', () => {
    // Act
    const mapped = starterEventFromCells(schema, ada(), CSV_SOURCE);

    // Assess
    expect(mapped).toEqual({
      event: {
        type: 'starter.created',
        id: expect.stringMatching(/^csv_[0-9a-f]{32}$/),
        data: {
          employeeId: 'E1001',
          givenName: 'Ada',
          familyName: 'Lovelace',
          email: 'ada@example.org',
          startDate: '2026-12-01',
          manager: { name: 'Grace Hopper', email: 'grace@example.org' },
          department: "Children's Services, North",
          organization: 'Example Council',
          division: 'People',
          location: 'Town Hall',
          employmentType: 'Employee',
          jobTitle: 'Social Worker, Senior',
          locale: 'en-GB',
          timeZone: 'Europe/London',
          policies: ['safe-internet-use', 'data-protection'],
        },
      },
    });
  });

  it('defaults locale and time zone and leaves out the empty optional cells, as the webhook does', () => {
    // Act
    const mapped = starterEventFromCells(
      schema,
      {
        employeeId: 'E1',
        givenName: 'Ada',
        familyName: 'L',
        email: 'a@example.org',
        startDate: '2026-12-01',
        policies: '',
        department: ' ',
        jobTitle: '',
        location: '  ',
      },
      CSV_SOURCE,
    );

    // Assess
    expect('event' in mapped && mapped.event.data).toEqual({
      employeeId: 'E1',
      givenName: 'Ada',
      familyName: 'L',
      email: 'a@example.org',
      startDate: '2026-12-01',
      locale: 'en-GB',
      timeZone: 'Europe/London',
    });
  });

  it('names each bad cell by its column, by the webhook rules', () => {
    // Act
    const mapped = starterEventFromCells(
      schema,
      { ...ada(), email: 'not-an-email', givenName: 'A\u200Bda', managerEmail: '', policies: 'nope' },
      CSV_SOURCE,
    );

    // Assess
    expect('issues' in mapped && mapped.issues.map((i) => i.field).sort()).toEqual([
      'email',
      'givenName',
      'managerEmail',
      'policies',
    ]);
  });

  it('gives the same row the same event id, and a changed row another', () => {
    // Act
    const id = (cells: Record<string, string>) => {
      const mapped = starterEventFromCells(schema, cells, CSV_SOURCE);
      return 'event' in mapped ? mapped.event.id : undefined;
    };

    // Assess: spaces around a cell are not a change; a new start date is
    expect(id(ada())).toBe(id({ ...ada(), givenName: ' Ada ' }));
    expect(id(ada())).not.toBe(id({ ...ada(), startDate: '2026-12-02' }));
    expect(id(ada())).not.toBe(undefined);
  });

  it('never throws on any cells: each row is an event or named issues', () => {
    // Prepare
    const cells = fc.dictionary(
      fc.constantFrom(...STARTER_COLUMNS),
      fc.string({ unit: 'binary', maxLength: 30 }),
    );

    // Act / Assess
    fc.assert(
      fc.property(cells, (c) => {
        const mapped = starterEventFromCells(schema, c, CSV_SOURCE);
        if ('issues' in mapped) {
          expect(mapped.issues.length).toBeGreaterThan(0);
          for (const issue of mapped.issues) expect(STARTER_COLUMNS).toContain(issue.field);
        } else expect(mapped.event.id).toMatch(/^csv_/);
      }),
    );
  });
});

// The HR starter event schema against the shared sample events, and against arbitrary JSON.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/core/errors.ts';
import { parseStarterEvent, starterEventSchema } from '#shared/core/starter-event.ts';

// test/unit/shared/core → the workspace's shared/fixtures, outside the repository.
const dir = new URL('../../../../../shared/fixtures/starters/', import.meta.url);
const read = (name: string): unknown => JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
const schema = starterEventSchema(new Set(['safe-internet-use', 'data-protection']));
const validFiles = readdirSync(dir)
  .filter((f) => f.endsWith('.json') && !f.startsWith('invalid'))
  .sort();
const invalidCases = (read('invalid-examples.json') as { cases: Array<{ fields: string[]; event: unknown }> })
  .cases;

/** The sorted field names a parse complains of; [] when it accepts. */
function fieldsOf(input: unknown): string[] {
  try {
    parseStarterEvent(schema, input);
    return [];
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.issues.map((i) => i.field).sort();
  }
}

describe('parseStarterEvent', () => {
  it('finds the sample events', () => {
    // Assess: a wrong path would make the it.each below vacuous
    expect(validFiles.length).toBeGreaterThanOrEqual(4);
    expect(invalidCases.length).toBeGreaterThanOrEqual(6);
  });

  it.each(validFiles)('accepts %s, keeping its type, id and who it is about', (file) => {
    // Prepare
    const raw = read(file) as { type: string; id: string; data: { employeeId: string } };

    // Act
    const event = parseStarterEvent(schema, raw);

    // Assess
    expect(event).toMatchObject({ type: raw.type, id: raw.id, data: { employeeId: raw.data.employeeId } });
  });

  it.each(invalidCases.map((c) => ({ ...c, label: c.fields.join(', ') })))(
    'names exactly $label',
    ({ fields, event }) => {
      // Act
      const named = fieldsOf(event);

      // Assess
      expect(named).toEqual([...fields].sort());
    },
  );

  it('gives each invalid field a message a sender can act on', () => {
    // Act
    let thrown: unknown;
    try {
      parseStarterEvent(schema, invalidCases[1]?.event);
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).code).toBe('starter.invalid');
    expect((thrown as ValidationError).issues).toEqual([
      { field: 'data.givenName', message: 'Required.' },
      { field: 'data.startDate', message: 'Expected a date as YYYY-MM-DD.' },
    ]);
  });

  it('says how long a field may be, and that a number is not text', () => {
    // Prepare
    const raw = read('created-international.json') as { data: Record<string, unknown> };

    // Act
    let thrown: unknown;
    try {
      parseStarterEvent(schema, {
        ...raw,
        data: { ...raw.data, employeeId: 'E'.repeat(101), givenName: 'G'.repeat(201), familyName: 7 },
      });
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect((thrown as ValidationError).issues).toEqual([
      { field: 'data.employeeId', message: 'At most 100 characters.' },
      { field: 'data.givenName', message: 'At most 200 characters.' },
      { field: 'data.familyName', message: 'Expected text.' },
    ]);
  });

  it('ignores unknown fields', () => {
    // Prepare
    const raw = read('created-international.json') as { data: Record<string, unknown> };
    expect(raw.data).toHaveProperty('unknownFieldFromHr');

    // Act
    const event = parseStarterEvent(schema, { ...raw, extraTopLevel: true });

    // Assess
    expect(event.data).not.toHaveProperty('unknownFieldFromHr');
    expect(event).not.toHaveProperty('extraTopLevel');
  });

  it('keeps only who is meant from a cancellation, whatever else HR sends', () => {
    // Act
    const event = parseStarterEvent(schema, read('cancelled.json'));

    // Assess
    expect(event).toEqual({ type: 'starter.cancelled', id: 'evt_0005', data: { employeeId: 'E1002' } });
  });

  it('fills the documented defaults and leaves policies to configuration', () => {
    // Act
    const event = parseStarterEvent(schema, read('created-minimal.json'));

    // Assess
    expect(event.data).toMatchObject({ locale: 'en-GB', timeZone: 'Europe/London' });
    expect(event.data).not.toHaveProperty('policies', expect.anything());
  });

  it('keeps where a starter works and as what, trimmed', () => {
    // Prepare
    const raw = read('created-minimal.json') as { data: Record<string, unknown> };

    // Act
    const event = parseStarterEvent(schema, {
      ...raw,
      data: {
        ...raw.data,
        organization: ' Example Council ',
        division: 'People',
        location: 'Town Hall',
        employmentType: 'Employee ',
        jobTitle: ' Social Worker',
      },
    });

    // Assess
    expect(event.data).toMatchObject({
      organization: 'Example Council',
      division: 'People',
      location: 'Town Hall',
      employmentType: 'Employee',
      jobTitle: 'Social Worker',
    });
  });

  it('refuses a calendar date that does not exist', () => {
    // Prepare
    const raw = read('created-minimal.json') as { data: Record<string, unknown> };

    // Act
    const named = fieldsOf({ ...raw, data: { ...raw.data, startDate: '2027-02-30' } });

    // Assess
    expect(named).toEqual(['data.startDate']);
  });

  const base = () => read('created-full.json') as { type: string; id: string; data: Record<string, unknown> };
  const withData = (data: Record<string, unknown>) => ({ ...base(), data: { ...base().data, ...data } });
  const manager = (m: Record<string, unknown>) =>
    withData({ manager: { ...(base().data.manager as object), ...m } });

  it.each([
    [
      'a CR/LF header injection in a given name',
      withData({ givenName: 'Eve\r\nBcc: attacker@evil.example' }),
      'data.givenName',
    ],
    ['a NUL in a family name', withData({ familyName: 'Lovelace\u0000' }), 'data.familyName'],
    [
      'a right-to-left override in the manager’s name',
      manager({ name: 'Grace \u202EreppoH' }),
      'data.manager.name',
    ],
    [
      'a CR/LF in the manager’s address',
      manager({ email: 'grace@example.org\r\nBcc: x@evil.example' }),
      'data.manager.email',
    ],
    ['a left-to-right mark in the address', withData({ email: '\u200Eada@example.org' }), 'data.email'],
    ['a TAB in the department', withData({ department: 'Children’s\tServices' }), 'data.department'],
    ['a CR/LF in the job title', withData({ jobTitle: 'Social Worker\r\nBcc: x' }), 'data.jobTitle'],
    ['a bidi override in the location', withData({ location: 'Town \u202EllaH' }), 'data.location'],
    ['an organization over 200 characters', withData({ organization: 'x'.repeat(201) }), 'data.organization'],
    ['a division that is not text', withData({ division: 42 }), 'data.division'],
    [
      'an employment type that is not text',
      withData({ employmentType: ['Employee'] }),
      'data.employmentType',
    ],
    ['a trailing LF in the employee id', withData({ employeeId: 'E1001\n' }), 'data.employeeId'],
    ['a zero-width space in the employee id', withData({ employeeId: 'E10\u200B01' }), 'data.employeeId'],
    ['an isolate around a given name', withData({ givenName: '\u2066Ada\u2069' }), 'data.givenName'],
    ['an Arabic letter mark in a family name', withData({ familyName: 'Lovelace\u061C' }), 'data.familyName'],
    [
      'a pop-directional-formatting in a family name',
      withData({ familyName: 'Love\u202Clace' }),
      'data.familyName',
    ],
    ['a NUL in a policy id', withData({ policies: ['safe-internet-use\u0000'] }), 'data.policies'],
    ['a CR/LF in the time zone', withData({ timeZone: 'Europe/London\r\n' }), 'data.timeZone'],
    ['a CR/LF in the locale', withData({ locale: 'en-GB\r\n' }), 'data.locale'],
    ['a given name made of a Hangul filler', withData({ givenName: '\u3164' }), 'data.givenName'],
    ['a family name made of braille blanks', withData({ familyName: '\u2800\u2800' }), 'data.familyName'],
    ['a given name made of a zero-width space', withData({ givenName: '\u200B' }), 'data.givenName'],
    ['a manager’s name with no letter', manager({ name: '-- 42' }), 'data.manager.name'],
    ['a CR/LF in the event id', { ...base(), id: 'evt_1\r\nX-Evil: 1' }, 'id'],
  ])('refuses %s, naming the field', (_, event, field) => {
    // Act
    const named = fieldsOf(event);

    // Assess
    expect(named).toEqual([field]);
  });

  it('refuses a CR/LF in the employee id of a cancellation', () => {
    // Act
    const named = fieldsOf({ type: 'starter.cancelled', id: 'evt_9', data: { employeeId: 'E1\r\n' } });

    // Assess
    expect(named).toEqual(['data.employeeId']);
  });

  it('says why a header-bound value is refused', () => {
    // Act
    let thrown: unknown;
    try {
      parseStarterEvent(schema, withData({ givenName: 'Eve\r\nBcc: attacker@evil.example' }));
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect((thrown as ValidationError).issues).toEqual([
      {
        field: 'data.givenName',
        message:
          'Must not contain control, format or invisible characters (line breaks, tabs, direction marks).',
      },
    ]);
  });

  it('names an unknown policy when its id is a plain one, and echoes nothing else', () => {
    // Act
    const issuesOf = (policies: string[]) => {
      try {
        parseStarterEvent(schema, withData({ policies }));
      } catch (error) {
        return (error as ValidationError).issues;
      }
      return [];
    };

    // Assess: the plain id said; one with a bidi override or in capitals refused without it
    expect(issuesOf(['safe-internet-use', 'nope'])).toEqual([
      { field: 'data.policies', message: 'Unknown policy: nope.' },
    ]);
    expect(issuesOf(['NOPE'])).toEqual([{ field: 'data.policies', message: 'Unknown policy.' }]);
    const hidden = issuesOf(['nope\u202E']);
    expect(hidden).toHaveLength(1);
    expect(JSON.stringify(hidden)).not.toContain('nope');
  });

  it('accepts names in any script, with diacritics, apostrophes and no-break spaces', () => {
    // Act
    const event = parseStarterEvent(
      schema,
      withData({ givenName: 'Siân\u00A0Mair', familyName: 'Nguyễn-O’Brien', department: 'Løn & Personale' }),
    );

    // Assess
    expect(event.data).toMatchObject({ givenName: 'Siân\u00A0Mair', familyName: 'Nguyễn-O’Brien' });
  });

  it('accepts no event holding a control, format or bidi character anywhere, nor a name without a letter', () => {
    // Prepare: valid events with one or more strings spliced with what cannot be seen
    const unseen = fc.constantFrom(
      '\r\n',
      '\n',
      '\r',
      '\u0000',
      '\t',
      '\u0085',
      '\u202A',
      '\u202E',
      '\u2066',
      '\u2069',
      '\u200E',
      '\u200F',
      '\u061C',
      '\u200B',
      '\uFEFF',
      '\u2028',
      '\u3164',
      '\u2800',
    );
    const spliced = (value: string) =>
      fc
        .tuple(fc.nat({ max: value.length }), fc.array(unseen, { minLength: 1, maxLength: 3 }), fc.boolean())
        .map(([at, inserted, only]) =>
          only ? inserted.join('') : `${value.slice(0, at)}${inserted.join('')}${value.slice(at)}`,
        );
    const maybe = (value: string) => fc.oneof(fc.constant(value), spliced(value));
    const event = fc.record({
      type: fc.constantFrom('starter.created', 'starter.updated', 'starter.cancelled'),
      id: maybe('evt_42'),
      data: fc.record({
        employeeId: maybe('E1001'),
        givenName: maybe('Ada'),
        familyName: maybe('Lovelace'),
        email: maybe('ada@example.org'),
        startDate: maybe('2026-12-01'),
        manager: fc.record({ name: maybe('Grace Hopper'), email: maybe('grace@example.org') }),
        department: maybe('Children’s Services'),
        jobTitle: maybe('Social Worker'),
        locale: maybe('en-GB'),
        timeZone: maybe('Europe/London'),
        policies: fc.tuple(maybe('safe-internet-use')),
      }),
    });
    const strings = (value: unknown): string[] =>
      typeof value === 'string'
        ? [value]
        : value && typeof value === 'object'
          ? Object.values(value).flatMap(strings)
          : [];
    const seen = { accepted: 0, refused: 0 };

    // Assess
    fc.assert(
      fc.property(event, (input) => {
        let parsed: ReturnType<typeof parseStarterEvent>;
        try {
          parsed = parseStarterEvent(schema, input);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          seen.refused++;
          return;
        }
        seen.accepted++;
        for (const value of strings(parsed)) {
          expect(value).not.toMatch(/[\p{Cc}\p{Cf}\u2028\u2029]/u);
        }
        if (parsed.type === 'starter.cancelled') return;
        const { givenName, familyName, manager } = parsed.data;
        for (const name of [givenName, familyName, manager?.name ?? 'Grace']) {
          expect(name).toMatch(/(?!\p{Default_Ignorable_Code_Point})\p{L}/u);
        }
      }),
      { numRuns: 1000, seed: 20261124 },
    );
    expect(seen.accepted).toBeGreaterThan(10);
    expect(seen.refused).toBeGreaterThan(10);
  });

  it('answers any JSON value with an event or a ValidationError naming at least one field', () => {
    // Prepare: arbitrary values, and values shaped like an event so the inner fields are reached
    const field = fc.oneof(fc.jsonValue(), fc.string(), fc.emailAddress(), fc.constant(undefined));
    const shaped = fc.record({
      type: fc.oneof(
        fc.constantFrom('starter.created', 'starter.updated', 'starter.cancelled'),
        fc.jsonValue(),
      ),
      id: field,
      data: fc.oneof(
        fc.jsonValue(),
        fc.record(
          {
            employeeId: field,
            givenName: field,
            familyName: field,
            email: field,
            startDate: fc.oneof(
              field,
              fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
            ),
            manager: fc.oneof(field, fc.record({ name: field, email: field })),
            locale: field,
            timeZone: fc.oneof(field, fc.constantFrom('Europe/London', 'UTC', 'Mars/Olympus')),
            policies: fc.oneof(field, fc.array(fc.oneof(fc.constant('safe-internet-use'), fc.jsonValue()))),
          },
          { requiredKeys: [] },
        ),
      ),
    });

    // Assess
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), shaped), (input) => {
        try {
          parseStarterEvent(schema, input);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          expect((error as ValidationError).issues.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

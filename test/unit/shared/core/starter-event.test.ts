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

  it('refuses a calendar date that does not exist', () => {
    // Prepare
    const raw = read('created-minimal.json') as { data: Record<string, unknown> };

    // Act
    const named = fieldsOf({ ...raw, data: { ...raw.data, startDate: '2027-02-30' } });

    // Assess
    expect(named).toEqual(['data.startDate']);
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

// The HR starter event schema against the shared fixtures, and against arbitrary input.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/core/errors.ts';
import { parseStarterEvent, starterEventSchema } from '#shared/core/starter-event.ts';

const dir = new URL('../../../../../shared/fixtures/starters/', import.meta.url);
const read = (name: string) => JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
const schema = starterEventSchema(new Set(['safe-internet-use']));
const valid = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'invalid-examples.json');
const invalid: Array<{ fields: string[]; event: unknown }> = read('invalid-examples.json').cases;

const fieldsOf = (input: unknown) => {
  try {
    parseStarterEvent(schema, input);
    return [];
  } catch (error) {
    return (error as ValidationError).issues.map((i) => i.field).sort();
  }
};

describe('parseStarterEvent', () => {
  it.each(valid)('accepts %s', (name) => {
    // Act
    const event = parseStarterEvent(schema, read(name));

    // Assess
    expect(event.data.employeeId).toBe(read(name).data.employeeId);
  });

  it.each(invalid)('names exactly $fields', ({ fields, event }) => {
    // Assess
    expect(fieldsOf(event)).toEqual([...fields].sort());
  });

  it('ignores unknown fields and fills the documented defaults', () => {
    // Act
    const event = parseStarterEvent(schema, read('created-minimal.json'));

    // Assess
    expect(event.type).toBe('starter.created');
    if (event.type === 'starter.cancelled') throw new Error('unexpected');
    expect(event.data.locale).toBe('en-GB');
    expect(event.data.timeZone).toBe('Europe/London');
    expect(event.data.policies).toBeUndefined();
    expect(JSON.stringify(parseStarterEvent(schema, read('created-international.json')))).not.toContain(
      'unknownFieldFromHr',
    );
  });

  it('answers any JSON value with an event or a ValidationError, nothing else', () => {
    // Assess
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), fc.record({ type: fc.string(), id: fc.string(), data: fc.jsonValue() })),
        (input) => {
          try {
            parseStarterEvent(schema, input);
          } catch (error) {
            expect(error).toBeInstanceOf(ValidationError);
            expect((error as ValidationError).issues.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

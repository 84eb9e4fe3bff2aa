// The HR event's published JSON Schema: written from the code's zod schema, and agreeing with it on every example HR integrators are given.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { starterEventJsonSchema, starterEventSchema } from '#shared/core/starter-event.ts';
import { bundledPolicies } from '#templates/policies.ts';
import { PUBLISHED } from '../../../../bin/schemas.ts';
import { fixture } from '../../../support/local.ts';

const POLICIES = new Set(bundledPolicies.keys());
const FILE = PUBLISHED.find((p) => p.file.pathname.endsWith('starter-event.schema.json'));
/** The published file as an integrator's JSON Schema validator reads it (not the code's zod schema). */
const published = () => z.fromJSONSchema(JSON.parse(readFileSync(FILE?.file as URL, 'utf8')));
const code = starterEventSchema(POLICIES);

const VALID = [
  'created-full.json',
  'created-minimal.json',
  'created-international.json',
  'updated-email.json',
  'cancelled.json',
];
const invalid = fixture<{ cases: Array<{ fields: string[]; event: unknown }> }>(
  'invalid-examples.json',
).cases;
/** What only the server can check: JSON Schema has no word for an IANA time zone. */
const SERVER_ONLY = new Set(['data.timeZone']);

describe('the starter event’s JSON Schema', () => {
  it('is published exactly as the code defines it (regenerate with `npm run schemas`)', () => {
    // Assess
    expect(FILE).toBeDefined();
    expect(JSON.parse(readFileSync(FILE?.file as URL, 'utf8'))).toEqual(starterEventJsonSchema(POLICIES));
  });

  it.each(VALID)('accepts %s, as the code does', (name) => {
    // Prepare
    const event = fixture(name);

    // Assess
    expect(code.safeParse(event).success).toBe(true);
    expect(published().safeParse(event).success).toBe(true);
  });

  it.each(invalid.map((c) => [c.fields.join(', '), c.event] as const))(
    'refuses the invalid example naming %s, as the code does (unless only the server can tell)',
    (fields, event) => {
      // Assess
      expect(code.safeParse(event).success).toBe(false);
      const serverOnly = fields.split(', ').every((field) => SERVER_ONLY.has(field));
      expect(published().safeParse(event).success).toBe(serverOnly);
    },
  );

  it('lists the policies this build carries, and says what the server checks besides', () => {
    // Act
    const schema = JSON.stringify(starterEventJsonSchema(POLICIES));

    // Assess
    for (const id of POLICIES) expect(schema).toContain(`"${id}"`);
    expect(schema).toContain('"format":"email"');
    expect(starterEventJsonSchema(POLICIES).description).toMatch(/IANA zone/);
  });
});

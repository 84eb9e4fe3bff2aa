// The HR starter event: its schema (DESIGN section 5) and the translation of zod issues to field errors.
import { isCalendarDay, isTimeZone } from './dates.ts';
import { ValidationError } from './errors.ts';
import { toFieldIssues } from './validation.ts';
import { hasUnseen, visibleLetters } from './visible.ts';
import * as z from './zod.ts';

/**
 * A string field whose absence reads "Required." rather than zod's type jargon. Every string of
 * the event reaches an email header, a tag, a signed payload or a record, so each refuses, before
 * any trimming, what would make it other than it looks: CR/LF and the other controls, the bidi
 * marks, embeddings, overrides and isolates, and every other unseen character (visible.ts).
 */
const text = () =>
  z
    .string({
      // The type's own message; a check's (a length, a format) keeps zod's or its own.
      error: (issue) =>
        issue.code === 'invalid_type'
          ? issue.input === undefined
            ? 'Required.'
            : 'Expected text.'
          : undefined,
    })
    .check(
      z.refine((s) => !hasUnseen(s), {
        message:
          'Must not contain control, format or invisible characters (line breaks, tabs, direction marks).',
      }),
    );

const isoDate = text().check(
  z.regex(/^\d{4}-\d{2}-\d{2}$/, 'Expected a date as YYYY-MM-DD.'),
  z.refine(isCalendarDay, { message: 'Not a calendar date.' }),
);

const timeZone = text().check(
  z.refine(isTimeZone, { message: 'Not an IANA time zone such as Europe/London.' }),
);

/** A person's name: at least one letter that can be seen, so none is blank in a subject or greeting. */
const name = text().check(
  z.trim(),
  z.minLength(1, 'Required.'),
  z.maxLength(200, 'At most 200 characters.'),
  z.refine((s) => s.length === 0 || visibleLetters(s) > 0, { message: 'Must contain a letter.' }),
);
const email = z.pipe(
  text(),
  z.email('Not an email address.').check(z.maxLength(254, 'At most 254 characters.')),
);
/** An optional attribute of the person, trimmed. */
const attribute = () => z.optional(text().check(z.trim(), z.maxLength(200, 'At most 200 characters.')));

/** Builds the schema; `knownPolicies` are the ids this deployment can assign. */
export function starterEventSchema(knownPolicies: ReadonlySet<string>) {
  const person = z.object({
    employeeId: text().check(
      z.trim(),
      z.minLength(1, 'Required.'),
      z.maxLength(100, 'At most 100 characters.'),
    ),
    givenName: name,
    familyName: name,
    email,
    startDate: isoDate,
    manager: z.optional(z.object({ name, email })),
    department: attribute(),
    organization: attribute(),
    division: attribute(),
    location: attribute(),
    employmentType: attribute(),
    jobTitle: attribute(),
    locale: z._default(
      text().check(z.regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'Expected a locale such as en-GB.')),
      'en-GB',
    ),
    timeZone: z._default(timeZone, 'Europe/London'),
    policies: z.optional(
      z
        .array(
          text().check(
            z.refine((id) => knownPolicies.has(id), {
              // The id named when it is a plain one (letters, digits, hyphens): nothing else is echoed.
              error: (issue) =>
                typeof issue.input === 'string' && /^[a-z0-9][a-z0-9-]{0,63}$/.test(issue.input)
                  ? `Unknown policy: ${issue.input}.`
                  : 'Unknown policy.',
            }),
          ),
        )
        .check(z.minLength(1)),
    ),
  });
  const eventId = text().check(
    z.trim(),
    z.minLength(1, 'Required.'),
    z.maxLength(200, 'At most 200 characters.'),
  );
  return z.discriminatedUnion(
    'type',
    [
      z.object({ type: z.literal('starter.created'), id: eventId, data: person }),
      z.object({ type: z.literal('starter.updated'), id: eventId, data: person }),
      // A cancellation needs only to say who; whatever else HR sends is ignored.
      z.object({
        type: z.literal('starter.cancelled'),
        id: eventId,
        data: z.object({ employeeId: person.shape.employeeId }),
      }),
    ],
    { error: () => 'Expected starter.created, starter.updated or starter.cancelled.' },
  );
}

/** Where the schema is published (`npm run schemas` writes it to shared/schemas/). */
export const STARTER_EVENT_SCHEMA_ID = 'https://attest.example/schemas/starter-event.schema.json';

/**
 * The event as JSON Schema (2020-12), for HR integrators, written from the zod schema as a sender
 * writes it (defaults optional). It says what structure can say, with the addresses' format and the
 * policies this build carries; the server also checks what JSON Schema cannot (a calendar date that
 * exists, an IANA time zone, no unseen characters, a letter in every name), answering 400 as for any
 * other field.
 */
export function starterEventJsonSchema(knownPolicies: ReadonlySet<string>): Record<string, unknown> {
  const schema = z.toJSONSchema(starterEventSchema(knownPolicies), { io: 'input', unrepresentable: 'any' });
  const policies = [...knownPolicies].sort();
  // zod writes neither a refinement's meaning nor a pipe's second half: say those that JSON Schema can.
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const properties = (node as { properties?: Record<string, Record<string, unknown>> }).properties;
    if (properties?.email) properties.email = { type: 'string', format: 'email', maxLength: 254 };
    if (properties?.policies) properties.policies.items = { type: 'string', enum: policies };
    for (const child of Object.values(node)) visit(child);
  };
  visit(schema);
  const { $schema, ...rest } = schema;
  return {
    $schema,
    $id: STARTER_EVENT_SCHEMA_ID,
    title: 'HR starter event',
    description:
      'POST /v1/starters, signed per Standard Webhooks. Also checked by the server: startDate a real calendar date, timeZone an IANA zone, no control, format or invisible characters in any string, a letter in every name.',
    ...rest,
  };
}

export type StarterEvent = z.infer<ReturnType<typeof starterEventSchema>>;
export type StarterData = Extract<StarterEvent, { type: 'starter.created' }>['data'];

/** Validates an event, throwing a ValidationError that names each bad field. */
export function parseStarterEvent(
  schema: ReturnType<typeof starterEventSchema>,
  input: unknown,
): StarterEvent {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError('starter.invalid', toFieldIssues(result.error));
  return result.data;
}

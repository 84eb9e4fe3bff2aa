// The HR starter event: its schema (DESIGN section 5) and the translation of zod issues to field errors.
import { z } from 'zod';
import { isCalendarDay } from './dates.ts';
import { ValidationError } from './errors.ts';
import { toFieldIssues } from './validation.ts';
import { hasUnseen, visibleLetters } from './visible.ts';

/**
 * A string field whose absence reads "Required." rather than zod's type jargon. Every string of
 * the event reaches an email header, a tag, a signed payload or a record, so each refuses, before
 * any trimming, what would make it other than it looks: CR/LF and the other controls, the bidi
 * marks, embeddings, overrides and isolates, and every other unseen character (visible.ts).
 */
const text = () =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'Required.' : 'Expected text.') })
    .refine((s) => !hasUnseen(s), {
      message:
        'Must not contain control, format or invisible characters (line breaks, tabs, direction marks).',
    });

const isoDate = text()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Expected a date as YYYY-MM-DD.')
  .refine(isCalendarDay, { message: 'Not a calendar date.' });

const timeZone = text().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'Not an IANA time zone such as Europe/London.' },
);

/** A person's name: at least one letter that can be seen, so none is blank in a subject or greeting. */
const name = text()
  .trim()
  .min(1, 'Required.')
  .max(200)
  .refine((s) => s.length === 0 || visibleLetters(s) > 0, { message: 'Must contain a letter.' });
const email = text().pipe(z.email('Not an email address.').max(254));

/** Builds the schema; `knownPolicies` are the ids this deployment can assign. */
export function starterEventSchema(knownPolicies: ReadonlySet<string>) {
  const person = z.object({
    employeeId: text().trim().min(1, 'Required.').max(100),
    givenName: name,
    familyName: name,
    email,
    startDate: isoDate,
    manager: z.object({ name, email }).optional(),
    department: text().trim().max(200).optional(),
    locale: text()
      .regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'Expected a locale such as en-GB.')
      .default('en-GB'),
    timeZone: timeZone.default('Europe/London'),
    policies: z
      .array(text().refine((id) => knownPolicies.has(id), { message: 'Unknown policy.' }))
      .min(1)
      .optional(),
  });
  const eventId = text().trim().min(1, 'Required.').max(200);
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

// The LMS webhook's body as a schema: what attest promises receivers, published as JSON Schema in shared/schemas/.
import * as z from './zod.ts';

/**
 * Every object is loose: a field added in a later attest must not break a receiver that validates
 * strictly, so the published schema allows unknown fields and receivers ignore them (as Standard
 * Webhooks recommends). What is listed here is what they may rely on.
 */
export const lmsWebhookSchema = z
  .looseObject({
    type: z.literal('policy.acknowledged'),
    timestamp: z.iso
      .datetime()
      .check(z.describe('When this attempt was sent (UTC); the webhook-timestamp header says the same.')),
    data: z.looseObject({
      assignmentId: z
        .string()
        .check(z.describe('attest’s id for this request to sign; stable across retries.')),
      employeeId: z.string().check(z.describe('The HR system’s employee id.')),
      email: z.email(),
      givenName: z.string(),
      familyName: z.string(),
      policy: z.looseObject({
        id: z.string(),
        version: z.number().check(z.int(), z.positive()),
        title: z.string(),
        sha256: z
          .string()
          .check(
            z.regex(/^[0-9a-f]{64}$/),
            z.describe('SHA-256 of exactly the text the person was shown and agreed to.'),
          ),
      }),
      acknowledgedAt: z.iso.datetime().check(z.describe('When the person agreed (server time, UTC).')),
      evidenceId: z.string().check(z.describe('The reference of attest’s evidence record of the agreement.')),
      method: z
        .optional(z.enum(['link', 'on-behalf']))
        .check(
          z.describe(
            'How the agreement was made: `link`, signed by the person through the emailed link; `on-behalf`, agreed offline (on paper, assisted) and recorded for them by someone else. Sent on every delivery since attest added it; absent (from an earlier attest) means `link`.',
          ),
        ),
      dueAt: z
        .optional(z.iso.datetime())
        .check(
          z.describe(
            'The date the person was asked to sign by (UTC): the policy’s `due:` period from their start date, or from the invite when the start date had passed. Absent when the policy sets no due date.',
          ),
        ),
      locale: z
        .optional(z.string())
        .check(
          z.describe(
            'The language of the text the person was shown and agreed to (`en`, `cy`): `policy.title` and `policy.sha256` are that text’s. Sent on every delivery since attest added it; absent (from an earlier attest) means `en`.',
          ),
        ),
    }),
  })
  .check(
    z.describe(
      'attest → LMS: a person has read and agreed to a policy version. Signed per Standard Webhooks; the webhook-id header is fixed per agreement, so de-duplicate on it. Events of other types (policy.test, sent by `attest lms test`) are signed the same way: answer 2xx and ignore them.',
    ),
  );

export type LmsWebhook = z.infer<typeof lmsWebhookSchema>;

/** The JSON Schema (draft 2020-12) of the webhook body, as published in shared/schemas/. */
export function lmsWebhookJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://attest.example/schemas/policy-acknowledged.schema.json',
    title: 'policy.acknowledged',
    ...z.toJSONSchema(lmsWebhookSchema, {
      // zod writes "any further property" as the empty schema {}; `true` says the same, plainly.
      override: ({ jsonSchema }) => {
        const extra = jsonSchema.additionalProperties;
        if (extra && typeof extra === 'object' && !Object.keys(extra).length)
          jsonSchema.additionalProperties = true;
      },
    }),
  };
}

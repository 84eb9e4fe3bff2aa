// The LMS webhook's body: what deliveries send matches the schema, and the published JSON Schema is the code's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { completionPayload } from '#shared/core/deliver.ts';
import { lmsWebhookJsonSchema, lmsWebhookSchema } from '#shared/core/lms-payload.ts';
import { SCHEMA_FILE, schemaText } from '../../../../bin/schemas.ts';
import { anAssignment, anEvidence, aPolicy, aStarter } from '../../../support/fakes.ts';

/** When the delivery is made: a fixed instant, never today. */
const SENT_AT = new Date('2026-11-24T10:00:00.000Z');

describe('the LMS webhook body', () => {
  it('is what a delivery sends', () => {
    // Prepare
    const policy = aPolicy({ sha256: 'c'.repeat(64) });
    const starter = aStarter();

    // Act
    const body = completionPayload(anAssignment(starter, policy), starter, anEvidence(policy), SENT_AT);

    // Assess
    expect(lmsWebhookSchema.parse(JSON.parse(JSON.stringify(body)))).toEqual(body);
  });

  it('is published as JSON Schema, exactly as the code defines it (regenerate with `npm run schemas`)', () => {
    // Assess
    expect(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'))).toEqual(JSON.parse(schemaText()));
    expect(lmsWebhookJsonSchema()).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      required: ['type', 'timestamp', 'data'],
    });
  });

  it('refuses a body missing what receivers rely on', () => {
    // Prepare
    const policy = aPolicy({ sha256: 'c'.repeat(64) });
    const starter = aStarter();
    const body = completionPayload(anAssignment(starter, policy), starter, anEvidence(policy), SENT_AT);

    // Assess
    expect(
      lmsWebhookSchema.safeParse({ ...body, data: { ...body.data, evidenceId: undefined } }).success,
    ).toBe(false);
    expect(
      lmsWebhookSchema.safeParse({
        ...body,
        data: { ...body.data, policy: { ...body.data.policy, sha256: 'x' } },
      }).success,
    ).toBe(false);
  });
});

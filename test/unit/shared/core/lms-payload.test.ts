// The LMS webhook's body: what deliveries send matches the schema, and the published JSON Schema is the code's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { completionPayload } from '#shared/core/destinations/webhook.ts';
import { lmsWebhookJsonSchema, lmsWebhookSchema } from '#shared/core/lms-payload.ts';
import { SCHEMA_FILE, schemaText } from '../../../../bin/schemas.ts';
import { anAssignment, anEvidence, anOnBehalfEvidence, aPolicy, aStarter } from '../../../support/fakes.ts';

/** When the delivery is made: a fixed instant, never today. */
const SENT_AT = new Date('2026-11-24T10:00:00.000Z');

/** The published file as a receiver's JSON Schema validator reads it (not the code's zod schema). */
const published = () => z.fromJSONSchema(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));

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

  it('says an agreement signed through the link was made by `link`, old evidence without a method too', () => {
    // Prepare
    const policy = aPolicy({ sha256: 'c'.repeat(64) });
    const starter = aStarter();
    const assignment = anAssignment(starter, policy);

    // Act
    const recorded = completionPayload(assignment, starter, anEvidence(policy, { method: 'link' }), SENT_AT);
    const older = completionPayload(assignment, starter, anEvidence(policy), SENT_AT);

    // Assess
    expect(recorded.data.method).toBe('link');
    expect(older.data.method).toBe('link');
  });

  it('says an agreement recorded on the person’s behalf was made `on-behalf`, as the published schema allows', () => {
    // Prepare
    const policy = aPolicy({ sha256: 'c'.repeat(64) });
    const starter = aStarter();

    // Act
    const body = JSON.parse(
      JSON.stringify(
        completionPayload(anAssignment(starter, policy), starter, anOnBehalfEvidence(policy), SENT_AT),
      ),
    );

    // Assess
    expect(body.data).toMatchObject({ method: 'on-behalf', evidenceId: 'ev_2' });
    expect(published().safeParse(body).error?.issues).toBeUndefined();
    expect(lmsWebhookSchema.parse(body)).toEqual(body);
    // Nothing of the recorder's note or name leaves for the LMS.
    expect(JSON.stringify(body)).not.toMatch(/paper form|Grace Hopper/);
  });

  it('is read by the published schema with or without a method, and refuses one it does not know', () => {
    // Prepare
    const policy = aPolicy({ sha256: 'c'.repeat(64) });
    const starter = aStarter();
    const body = JSON.parse(
      JSON.stringify(completionPayload(anAssignment(starter, policy), starter, anEvidence(policy), SENT_AT)),
    );
    const { method: _, ...withoutMethod } = body.data;

    // Assess: a body from an attest before the field still passes; an unknown method does not.
    expect(published().safeParse({ ...body, data: withoutMethod }).success).toBe(true);
    expect(published().safeParse({ ...body, data: { ...body.data, method: 'email' } }).success).toBe(false);
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

  it('is what the published schema accepts, as sent', () => {
    // Prepare
    const policy = aPolicy({ sha256: 'c'.repeat(64) });
    const starter = aStarter();
    const body = completionPayload(anAssignment(starter, policy), starter, anEvidence(policy), SENT_AT);

    // Assess
    expect(published().safeParse(JSON.parse(JSON.stringify(body))).error?.issues).toBeUndefined();
  });

  it('is published open for additions: a receiver validating strictly still accepts a field added later', () => {
    // Prepare: fields a later attest might add, at the top, in data and in the policy
    const policy = aPolicy({ sha256: 'c'.repeat(64) });
    const starter = aStarter();
    const body = JSON.parse(
      JSON.stringify(completionPayload(anAssignment(starter, policy), starter, anEvidence(policy), SENT_AT)),
    );
    const added = {
      ...body,
      version: 2,
      data: {
        ...body.data,
        department: 'Children’s Services',
        policy: { ...body.data.policy, language: 'en-GB' },
      },
    };

    // Act
    const result = published().safeParse(added);

    // Assess
    expect(result.error?.issues).toBeUndefined();
    expect(readFileSync(SCHEMA_FILE, 'utf8')).not.toMatch(/"additionalProperties":\s*false/);
    expect(lmsWebhookSchema.parse(added)).toEqual(added);
  });
});

// Copies of one HR event arriving at once, on the local stack: one body for all, the first stored.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { makeDynamoStore } from '#shared/adapters/dynamo/store.ts';
import { assignmentIdFor } from '#shared/core/ids.ts';
import { emailsTo, signedHeaders, stack, table, uniqueStarter, waitFor } from '../support/local.ts';

const COPIES = 40;

describe('concurrent copies of one HR event', () => {
  it(`answer ${COPIES} identical signed POSTs with byte-identical 202 bodies, the receipt stored`, async () => {
    // Prepare: one event, signed once, as a sender retrying on a timeout would resend it
    const event = uniqueStarter('created-minimal.json');
    const body = JSON.stringify(event);
    const headers = signedHeaders(body);
    const post = () => fetch(`${stack().urls.api}/v1/starters`, { method: 'POST', headers, body });

    // Act
    const responses = await Promise.all(Array.from({ length: COPIES }, post));
    const bodies = await Promise.all(responses.map((r) => r.text()));

    // Assess: all 202, one body, and it is the stored receipt
    expect(responses.map((r) => r.status)).toEqual(Array(COPIES).fill(202));
    expect(new Set(bodies).size).toBe(1);
    const receipt = await table().get(`EVENT#hr#${event.id}`, 'RECEIPT');
    expect(JSON.parse(bodies[0] as string)).toEqual(receipt?.response);

    // Assess: one invite (copies that each did the work each hinted it; the mailer's lease sends one)
    const assignmentId = assignmentIdFor(event.data.employeeId as string, 'safe-internet-use');
    await waitFor('the invite recorded', async () => {
      const a = await table().get(`ASSIGN#${assignmentId}`, 'ASSIGNMENT');
      return a?.status === 'invited' ? a : undefined;
    });
    expect(await emailsTo(event.data.email as string)).toHaveLength(1);
  });
});

describe('event receipts in the local DynamoDB', () => {
  it('answer nothing until stored, keep the first receipt and answer it to every later one', async () => {
    // Prepare
    const client = new DynamoDBClient({
      endpoint: stack().urls.dynamodb,
      region: stack().env.AWS_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const store = makeDynamoStore(stack().env.TABLE_NAME as string, client);
    const eventId = `evt_${crypto.randomUUID()}`;
    const forgetAt = new Date('2026-11-24T11:00:00.000Z');
    try {
      // Act
      const before = await store.getEventReceipt('hr', eventId);
      const stored = await store.putEventReceipt('hr', eventId, { copy: 1 }, forgetAt);
      const later = await store.putEventReceipt('hr', eventId, { copy: 2 }, forgetAt);

      // Assess
      expect(before).toBeUndefined();
      expect([stored, later]).toEqual([{ copy: 1 }, { copy: 1 }]);
      expect(await store.getEventReceipt('hr', eventId)).toEqual({ copy: 1 });
    } finally {
      client.destroy();
    }
  });
});

// Retention's expiry as the table holds it: DynamoDB's TTL on every item of an assignment's partition, and lifted again when the person comes back.
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ask, at, dynaliteTables, iso } from './support.ts';

const tables = dynaliteTables('retention-items');

/** A table holding a leaver's request owing expire at 10:03, with an audit event and SES's word on an email. */
async function leaver() {
  const { name, client, store } = await tables.table();
  await store.createAssignment(
    ask('a1', {
      status: 'cancelled',
      dueAt: undefined,
      dueKind: undefined,
      leftAt: iso(0),
      retainStep: 'expire',
      retainAt: iso(3),
    }),
  );
  await store.createAssignment(ask('other'));
  await store.appendAudit('a1', 'cancelled', at(0));
  await store.recordSentAttempt('a1', 'att_1', 'ses-1', at(0));
  await store.appendAudit('other', 'invited', at(0));
  const doc = DynamoDBDocumentClient.from(client);
  /** Each item of a partition: its sort key and expiry. */
  const partition = async (pk: string) =>
    (
      (
        await doc.send(
          new QueryCommand({
            TableName: name,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': pk },
          }),
        )
      ).Items ?? []
    ).map((item) => [item.sk, item.expiresAt]);
  return { store, partition };
}

describe('retention on the table', () => {
  it('expires every item of the assignment’s partition, in epoch seconds, and nothing of another', async () => {
    // Prepare
    const { store, partition } = await leaver();

    // Act
    await store.expireAssignment('a1', iso(3), at(3));

    // Assess
    const expiry = at(3).getTime() / 1000;
    expect((await partition('ASSIGN#a1')).map(([, expiresAt]) => expiresAt)).toEqual([
      expiry,
      expiry,
      expiry,
    ]);
    expect((await partition('ASSIGN#other')).map(([, expiresAt]) => expiresAt)).toEqual([
      undefined,
      undefined,
    ]);
  });

  it('lifts the expiry of every item of the partition when the person comes back', async () => {
    // Prepare
    const { store, partition } = await leaver();
    await store.expireAssignment('a1', iso(3), at(3));

    // Act
    await store.clearLeaving('a1');

    // Assess
    expect((await partition('ASSIGN#a1')).map(([, expiresAt]) => expiresAt)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('leaves the trail unexpired when a come-back wins the race with a sweep that read the step before', async () => {
    // Prepare: the person is back before the sweep's write
    const { store, partition } = await leaver();
    await store.clearLeaving('a1');

    // Act: the sweep acts on the step it read
    const expired = await store.expireAssignment('a1', iso(3), at(3));

    // Assess
    expect(expired).toBe(false);
    expect((await partition('ASSIGN#a1')).map(([, expiresAt]) => expiresAt)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});

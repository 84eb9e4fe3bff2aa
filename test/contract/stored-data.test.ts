// Data as the version before the webhook lane's rename wrote it stays readable and writable: webhook deliveries stored under the `lms` lane's attributes.
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Assignment } from '#shared/core/model.ts';
import { anEvidence, aPolicy } from '../support/fakes.ts';
import { ask, at, collect, dynaliteTables, iso } from './support.ts';

const evidence = anEvidence(aPolicy());
/** A signed assignment, its receipt sent, owing (or having owed) its webhook delivery. */
const signed: Assignment = ask('a1', {
  status: 'acknowledged',
  ack: evidence,
  dueAt: undefined,
  dueKind: undefined,
});

/** The item of that assignment, with the signers' index attributes. */
const signedItem = {
  pk: 'ASSIGN#a1',
  sk: 'ASSIGNMENT',
  ...signed,
  signedPolicy: evidence.policyId,
  signedVersion: evidence.policyVersion,
};
/**
 * The table as this version's adapter leaves it, spelled out attribute by attribute (not built by
 * the adapter), as the version that called the webhook's lane `lms` wrote it.
 */
const written = {
  /** An assignment owing its webhook delivery from `dueAt`, leased until `leaseUntil` if given. */
  owing: (dueAt: string, leaseUntil?: string) => ({
    ...signedItem,
    lms: { state: 'pending', attempts: 1, lastStatus: 503, nextAttemptAt: dueAt, webhookId: 'msg_1' },
    lmsDueAt: dueAt,
    lmsShard: 'due',
    ...(leaseUntil && { lmsLeaseUntil: leaseUntil }),
  }),
  /** An assignment whose webhook delivery died at `deadAt`. */
  dead: (deadAt: string) => ({
    ...signedItem,
    lms: {
      state: 'dead',
      attempts: 9,
      lastStatus: 500,
      webhookId: 'msg_1',
      deadLetter: { reason: 'exhausted', status: 500, body: 'oops', at: deadAt },
    },
    lmsDueAt: deadAt,
    lmsShard: 'dead',
  }),
  /** The webhook destination's state, under the key it had when it was the only destination. */
  webhookDestination: {
    pk: 'DESTINATION#lms',
    sk: 'WEBHOOK',
    state: 'disabled',
    reason: '410 Gone',
    at: iso(4),
  },
};

describe('makeDynamoStore on data the lms-lane version wrote', () => {
  const tables = dynaliteTables('stored-data');
  /** A store on a fresh table holding `items` exactly as given. */
  let raw: (assignmentId: string) => Promise<Record<string, unknown> | undefined>;
  const holding = async (...items: Array<Record<string, unknown>>) => {
    const { name, client, store } = await tables.table();
    const doc = DynamoDBDocumentClient.from(client);
    for (const Item of items) await doc.send(new PutCommand({ TableName: name, Item }));
    raw = async (assignmentId) =>
      (
        await doc.send(
          new GetCommand({ TableName: name, Key: { pk: `ASSIGN#${assignmentId}`, sk: 'ASSIGNMENT' } }),
        )
      ).Item;
    return store;
  };

  it('reads the lms delivery of an assignment as its webhook delivery, without the index attributes', async () => {
    // Prepare
    const store = await holding(written.owing(iso(5)));

    // Act
    const assignment = await store.getAssignment('a1');

    // Assess
    expect(assignment).toEqual({
      ...signed,
      webhook: { state: 'pending', attempts: 1, lastStatus: 503, nextAttemptAt: iso(5), webhookId: 'msg_1' },
      webhookDueAt: iso(5),
    });
  });

  it('lists the owed lms delivery as due work of kind webhook', async () => {
    // Prepare
    const store = await holding(written.owing(iso(5)));

    // Act
    const due = await store.queryDue(at(5), 10);

    // Assess
    expect(due).toEqual([{ assignmentId: 'a1', dueAt: iso(5), dueKind: 'webhook' }]);
    expect(await store.laneDue('a1', 'webhook')).toEqual({
      assignmentId: 'a1',
      dueAt: iso(5),
      dueKind: 'webhook',
    });
  });

  it('honours a stored webhook lease until it expires', async () => {
    // Prepare
    const store = await holding(written.owing(iso(5), iso(7)));

    // Act
    const meanwhile = await store.claimWork('a1', 'webhook', at(6), at(8));
    const after = await store.claimWork('a1', 'webhook', at(8), at(10));

    // Assess
    expect(meanwhile).toBeUndefined();
    expect(after).toMatchObject({ webhookLeaseUntil: iso(10) });
  });

  it('lists a dead lms delivery among the dead letters, as webhook, and replays it under the stored names', async () => {
    // Prepare
    const store = await holding(written.dead(iso(3)));

    // Act
    const dead = await store.deadLetters(10);
    const replayed = await store.replayDelivery('a1', 'webhook', at(20));

    // Assess
    expect(dead).toEqual([{ assignmentId: 'a1', kind: 'webhook', deadAt: iso(3) }]);
    expect(replayed).toBe(true);
    expect(await store.queryDue(at(20), 10)).toEqual([
      { assignmentId: 'a1', dueAt: iso(20), dueKind: 'webhook' },
    ]);
    // Written under the names the older version reads; in the assignment's due shard (README:
    // a rollback to a version before sharding reads only `due`).
    const item = await raw('a1');
    expect(item).toMatchObject({
      lmsDueAt: iso(20),
      lmsShard: expect.stringMatching(/^due#\d$/),
      lms: { state: 'pending', attempts: 0 },
    });
    expect(item).not.toHaveProperty('webhook');
    expect(item).not.toHaveProperty('webhookDueAt');
  });

  it('lists an assignment with a stored webhook delivery among the signers', async () => {
    // Prepare
    const store = await holding(written.owing(iso(5)));

    // Act
    const signers = await collect(store.signers(evidence.policyId, evidence.policyVersion + 1));

    // Assess
    expect(signers).toEqual([
      { assignmentId: 'a1', starterId: signed.starterId, policyVersion: evidence.policyVersion },
    ]);
  });

  it("reads the webhook destination's state from the key it was stored under", async () => {
    // Prepare
    const store = await holding(written.webhookDestination);

    // Act
    const destinations = [await store.getDestination('webhook'), await store.getDestination('xapi')];

    // Assess
    expect(destinations).toEqual([
      { state: 'disabled', reason: '410 Gone', at: iso(4) },
      { state: 'enabled' },
    ]);
  });
});

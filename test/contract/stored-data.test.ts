// Data as this version writes it stays readable: webhook deliveries stored under the `lms` lane's attributes.
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
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
 * the adapter), so that a later rename of the webhook's lane must still read it.
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

describe('makeDynamoStore on data this version wrote', () => {
  const tables = dynaliteTables('stored-data');
  /** A store on a fresh table holding `items` exactly as given. */
  const holding = async (...items: Array<Record<string, unknown>>) => {
    const { name, client, store } = await tables.table();
    const doc = DynamoDBDocumentClient.from(client);
    for (const Item of items) await doc.send(new PutCommand({ TableName: name, Item }));
    return store;
  };

  it('reads the webhook delivery of an assignment as its lms delivery, without the index attributes', async () => {
    // Prepare
    const store = await holding(written.owing(iso(5)));

    // Act
    const assignment = await store.getAssignment('a1');

    // Assess
    expect(assignment).toEqual({
      ...signed,
      lms: { state: 'pending', attempts: 1, lastStatus: 503, nextAttemptAt: iso(5), webhookId: 'msg_1' },
      lmsDueAt: iso(5),
    });
  });

  it('lists the owed webhook delivery as due work of kind lms', async () => {
    // Prepare
    const store = await holding(written.owing(iso(5)));

    // Act
    const due = await store.queryDue(at(5), 10);

    // Assess
    expect(due).toEqual([{ assignmentId: 'a1', dueAt: iso(5), dueKind: 'lms' }]);
    expect(await store.laneDue('a1', 'lms')).toEqual({ assignmentId: 'a1', dueAt: iso(5), dueKind: 'lms' });
  });

  it('honours a stored webhook lease until it expires', async () => {
    // Prepare
    const store = await holding(written.owing(iso(5), iso(7)));

    // Act
    const meanwhile = await store.claimWork('a1', 'lms', at(6), at(8));
    const after = await store.claimWork('a1', 'lms', at(8), at(10));

    // Assess
    expect(meanwhile).toBeUndefined();
    expect(after).toMatchObject({ lmsLeaseUntil: iso(10) });
  });

  it('lists a dead webhook delivery among the dead letters, as lms, and replays it', async () => {
    // Prepare
    const store = await holding(written.dead(iso(3)));

    // Act
    const dead = await store.deadLetters(10);
    const replayed = await store.replayDelivery('a1', 'lms', at(20));

    // Assess
    expect(dead).toEqual([{ assignmentId: 'a1', kind: 'lms', deadAt: iso(3) }]);
    expect(replayed).toBe(true);
    expect(await store.queryDue(at(20), 10)).toEqual([
      { assignmentId: 'a1', dueAt: iso(20), dueKind: 'lms' },
    ]);
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
    const destinations = [await store.getDestination('lms'), await store.getDestination('xapi')];

    // Assess
    expect(destinations).toEqual([
      { state: 'disabled', reason: '410 Gone', at: iso(4) },
      { state: 'enabled' },
    ]);
  });
});

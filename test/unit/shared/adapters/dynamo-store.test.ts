// The DynamoDB store where only a mock can tell: failed conditions as answers, errors passed through, retries, paging, consistent reads and keys. Its behaviour is the Store contract's (test/contract/), run on dynalite.
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_DUE_SHARDS, dueShard } from '#shared/adapters/dynamo/shards.ts';
import { makeDynamoStore } from '#shared/adapters/dynamo/store.ts';
import { digestIdFor } from '#shared/core/ids.ts';
import type {
  Assignment,
  DeadLetter,
  DigestKey,
  Evidence,
  PolicyVersion,
  Starter,
} from '#shared/core/model.ts';
import type { Signer } from '#shared/ports.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const store = () => makeDynamoStore('attest', new DynamoDBClient({ region: 'eu-west-2' }));
const key = { pk: 'ASSIGN#a1', sk: 'ASSIGNMENT' };
const now = new Date('2026-11-24T10:00:00.000Z');
/** a1's shard among the default DUE_SHARDS: every writer computes it from the id alone. */
const A1_SHARD = dueShard('a1', DEFAULT_DUE_SHARDS);
const later = new Date('2026-11-24T10:02:00.000Z');

const ACK_CONDITION = 'attribute_exists(pk) AND attribute_not_exists(ack) AND #status <> :cancelled';
/** The acknowledgement's one write, for each destination configured, owing its delivery in its own lane. */
const ackUpdate = (...lanes: Array<'lms' | 'xapi'>) =>
  'SET ack = :ack, #status = :acknowledged, ' +
  lanes.map((l) => `${l} = :${l}, ${l}DueAt = :due, ${l}Shard = :shard, `).join('') +
  'dueAt = :due, dueKind = :receipt, dueShard = :shard, ' +
  'signedPolicy = :policy, signedVersion = :version ' +
  'REMOVE leaseUntil';
const ACK_UPDATE = ackUpdate('lms');

/** A manager's digest of a day, filed under a pseudonym of the address rather than the address. */
const digestKey: DigestKey = { managerEmail: 'mia.manager@example.com', day: '2026-11-24' };
const digestItemKey = { pk: `DIGEST#${digestIdFor('mia.manager@example.com')}`, sk: 'DAY#2026-11-24' };

/** The attributes only the table's indexes need, which no caller should see. */
const INDEX_ONLY = {
  dueShard: 'due',
  lmsShard: 'due',
  xapiShard: 'due',
  signedPolicy: 'p',
  signedVersion: 1,
};

const assignment: Assignment = {
  assignmentId: 'a1',
  starterId: 's1',
  policyId: 'p',
  policyVersion: 1,
  policySha256: 'a'.repeat(64),
  status: 'pending',
  createdAt: now.toISOString(),
  dueAt: later.toISOString(),
  dueKind: 'invite',
  sends: [],
};

/** An acknowledged assignment: a receipt owed on the mail lane and the delivery on the LMS lane. */
const acknowledged: Assignment = {
  ...assignment,
  status: 'acknowledged',
  dueKind: 'receipt',
  webhookDueAt: later.toISOString(),
  ack: { evidenceId: 'ev_1', policyId: 'p', policyVersion: 1 } as Evidence,
  webhook: { state: 'pending', webhookId: 'msg_1', attempts: 0 },
};

/** That assignment's item: the webhook's lane under the names it was stored by before it was named webhook. */
const { webhook: _webhook, webhookDueAt: _webhookDueAt, ...acknowledgedRest } = acknowledged;
const acknowledgedItem = {
  ...acknowledgedRest,
  lmsDueAt: acknowledged.webhookDueAt,
  lms: acknowledged.webhook,
};

/** An assignment acknowledged where completions go to the LRS only: the delivery on the xAPI lane. */
const acknowledgedXapi: Assignment = {
  ...assignment,
  status: 'acknowledged',
  dueKind: 'receipt',
  xapiDueAt: later.toISOString(),
  ack: { evidenceId: 'ev_1', policyId: 'p', policyVersion: 1 } as Evidence,
  xapi: { state: 'pending', statementId: 'st_1', attempts: 0 },
};

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const found: T[] = [];
  for await (const item of items) found.push(item);
  return found;
}

describe('makeDynamoStore', () => {
  beforeEach(() => {
    ddb.reset();
  });

  describe('createAssignment', () => {
    it('puts the assignment only if absent, indexed as owing work', async () => {
      // Prepare
      ddb.on(PutCommand).resolves({});

      // Act
      const created = await store().createAssignment(assignment);

      // Assess
      expect(created).toEqual(assignment);
      expect(ddb).toReceiveCommandWith(PutCommand, {
        TableName: 'attest',
        Item: { ...key, ...assignment, dueShard: A1_SHARD },
        ConditionExpression: 'attribute_not_exists(pk)',
      });
      expect(ddb).not.toReceiveCommand(GetCommand);
    });

    it('answers an existing assignment with the stored one, read consistently, without its keys', async () => {
      // Prepare
      ddb.on(PutCommand).rejects(conditionFailed());
      ddb.on(GetCommand).resolves({ Item: { ...key, ...assignment, status: 'invited', dueShard: 'due' } });

      // Act
      const stored = await store().createAssignment(assignment);

      // Assess
      expect(stored).toEqual({ ...assignment, status: 'invited' });
      expect(ddb).toReceiveCommandWith(GetCommand, { TableName: 'attest', Key: key, ConsistentRead: true });
    });
  });

  describe('getAssignment', () => {
    it('hides the keys and every index-only attribute', async () => {
      // Prepare
      ddb.on(GetCommand).resolves({ Item: { ...key, ...acknowledgedItem, ...INDEX_ONLY } });

      // Act
      const stored = await store().getAssignment('a1');

      // Assess
      expect(stored).toEqual(acknowledged);
      expect(ddb).toReceiveCommandWith(GetCommand, { TableName: 'attest', Key: key, ConsistentRead: true });
    });

    it("hides the xAPI lane's shard, dead or due, keeping its due time and state", async () => {
      // Prepare
      const dead: Assignment = {
        ...acknowledgedXapi,
        xapi: { state: 'dead', statementId: 'st_1', attempts: 1 },
      };
      ddb.on(GetCommand).resolves({ Item: { ...key, ...dead, dueShard: 'due', xapiShard: 'dead' } });

      // Act
      const stored = await store().getAssignment('a1');

      // Assess
      expect(stored).toEqual(dead);
      expect(stored).not.toHaveProperty('xapiShard');
    });

    it('answers a missing assignment with undefined', async () => {
      // Prepare
      ddb.on(GetCommand).resolves({});

      // Act
      const stored = await store().getAssignment('a1');

      // Assess
      expect(stored).toBeUndefined();
    });
  });

  describe('claimWork', () => {
    it('answers a failed condition with undefined', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(conditionFailed());

      // Act
      const claimed = await store().claimWork('a1', 'webhook', now, later);

      // Assess
      expect(claimed).toBeUndefined();
    });

    it('recognises a condition failure by name, as the local emulator reports it', async () => {
      // Prepare
      ddb
        .on(UpdateCommand)
        .rejects(Object.assign(new Error('failed'), { name: 'ConditionalCheckFailedException' }));

      // Act
      const claimed = await store().claimWork('a1', 'webhook', now, later);

      // Assess
      expect(claimed).toBeUndefined();
    });

    it('passes other errors through', async () => {
      // Prepare
      ddb
        .on(UpdateCommand)
        .rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));

      // Act
      const claim = store().claimWork('a1', 'webhook', now, later);

      // Assess
      await expect(claim).rejects.toThrow('slow down');
    });
  });

  describe('recordSentAttempt and getSentAttempt', () => {
    it('reads an attempt’s message id, or nothing when SES has not reported it', async () => {
      // Prepare
      ddb
        .on(GetCommand, { Key: { pk: 'ASSIGN#a1', sk: 'ATTEMPT#known' } })
        .resolves({ Item: { pk: 'ASSIGN#a1', sk: 'ATTEMPT#known', messageId: 'ses-1' } })
        .on(GetCommand, { Key: { pk: 'ASSIGN#a1', sk: 'ATTEMPT#unknown' } })
        .resolves({});

      // Act
      const known = await store().getSentAttempt('a1', 'known');
      const unknown = await store().getSentAttempt('a1', 'unknown');

      // Assess
      expect(known).toBe('ses-1');
      expect(unknown).toBeUndefined();
    });
  });

  describe('releaseWork', () => {
    it('passes other errors through', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(new Error('InternalServerError'));

      // Act
      const release = store().releaseWork('a1', 'receipt');

      // Assess
      await expect(release).rejects.toThrow('InternalServerError');
    });
  });

  describe('recordSend', () => {
    it('throws when the lease was lost, so the caller does not believe it recorded', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(conditionFailed());

      // Act
      const record = store().recordSend('a1', { kind: 'invite', tokenId: 't', messageId: 'm', at: '' });

      // Assess
      await expect(record).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    });

    it('passes other errors through', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(new Error('InternalServerError'));

      // Act
      const record = store().recordSend('a1', { kind: 'receipt', messageId: 'm', at: '' });

      // Assess
      await expect(record).rejects.toThrow('InternalServerError');
    });
  });

  describe('finishStep', () => {
    it('throws when the lease was lost', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(conditionFailed());

      // Act
      const finish = store().finishStep('a1', 'invite');

      // Assess
      await expect(finish).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    });

    it('passes other errors through', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(new Error('InternalServerError'));

      // Act
      const finish = store().finishStep('a1', 'invite');

      // Assess
      await expect(finish).rejects.toThrow('InternalServerError');
    });
  });

  describe('escalate', () => {
    it('throws when the lease was lost', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(conditionFailed());

      // Act
      const escalate = store().escalate('a1', { at: now });

      // Assess
      await expect(escalate).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    });

    it('passes other errors through', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(new Error('InternalServerError'));

      // Act
      const escalate = store().escalate('a1', { at: now, digest: digestKey, digestDueAt: later });

      // Assess
      await expect(escalate).rejects.toThrow('InternalServerError');
    });
  });

  describe('joinDigest', () => {
    it("files the digest under a pseudonym of the manager's address and the day, whatever its case", async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({ Attributes: { owner: 'a1' } });

      // Act
      await store().joinDigest({ ...digestKey, managerEmail: 'MIA.Manager@Example.com' }, 'Mia', 'a1');

      // Assess
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input?.Key).toEqual(digestItemKey);
      expect(JSON.stringify(input?.Key)).not.toMatch(/example\.com/i);
    });

    it('sets the TTL in epoch seconds when first written, never moving it', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({ Attributes: { owner: 'a1' } });

      // Act
      await store().joinDigest(digestKey, 'Mia', 'a1', new Date('2032-11-24T00:00:00.000Z'));

      // Assess
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        UpdateExpression: expect.stringContaining('expiresAt = if_not_exists(expiresAt, :expires)'),
        ExpressionAttributeValues: expect.objectContaining({ ':expires': 1984867200 }),
      });
    });

    it('answers closed when the digest has gone already', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(conditionFailed());

      // Act
      const role = await store().joinDigest(digestKey, 'Mia', 'a2');

      // Assess
      expect(role).toBe('closed');
    });

    it('passes other errors through', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(new Error('InternalServerError'));

      // Act
      const join = store().joinDigest(digestKey, 'Mia', 'a1');

      // Assess
      await expect(join).rejects.toThrow('InternalServerError');
    });
  });

  describe('closeDigest', () => {
    it('answers undefined when there is no such digest', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(conditionFailed());

      // Act
      const digest = await store().closeDigest(digestKey, 'a2', later);

      // Assess
      expect(digest).toBeUndefined();
    });

    it('passes other errors through', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(new Error('InternalServerError'));

      // Act
      const close = store().closeDigest(digestKey, 'a1', later);

      // Assess
      await expect(close).rejects.toThrow('InternalServerError');
    });
  });

  describe('recordDigestSent', () => {
    it('records when the digest email went and its message id', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      await store().recordDigestSent(digestKey, later, 'ses-9');

      // Assess
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input).toEqual({
        TableName: 'attest',
        Key: digestItemKey,
        UpdateExpression: 'SET sentAt = :at, messageId = :id',
        // Never a stray item holding only the time.
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': later.toISOString(), ':id': 'ses-9' },
      });
    });

    it('passes errors through', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(new Error('InternalServerError'));

      // Act
      const record = store().recordDigestSent(digestKey, later, 'ses-9');

      // Assess
      await expect(record).rejects.toThrow('InternalServerError');
    });
  });

  describe('markBounced', () => {
    const bounce = { reason: 'bounced' as const, email: 'sam@example.com', at: now.toISOString() };

    it('answers false for a signed, cancelled or already bounced assignment', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(conditionFailed());

      // Act
      const changed = await store().markBounced('a1', bounce, later);

      // Assess
      expect(changed).toBe(false);
    });

    it('passes other errors through', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(new Error('InternalServerError'));

      // Act
      const mark = store().markBounced('a1', bounce, undefined);

      // Assess
      await expect(mark).rejects.toThrow('InternalServerError');
    });
  });

  describe('recordAcknowledgement', () => {
    it('records the evidence once, owing the receipt and the webhook delivery and listing the signer, in one write', async () => {
      // Prepare
      const evidence = { evidenceId: 'ev_1', policyId: 'p', policyVersion: 3 } as Evidence;
      ddb.on(UpdateCommand).resolves({
        Attributes: { ...key, ...INDEX_ONLY, assignmentId: 'a1', ack: evidence },
      });

      // Act
      const outcome = await store().recordAcknowledgement(
        'a1',
        evidence,
        { webhook: { webhookId: 'msg_1' } },
        later,
      );

      // Assess
      expect(outcome).toEqual({ recorded: true, assignment: { assignmentId: 'a1', ack: evidence } });
      expect(ddb).toReceiveCommandTimes(UpdateCommand, 1);
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        TableName: 'attest',
        Key: key,
        UpdateExpression: ACK_UPDATE,
        ConditionExpression: ACK_CONDITION,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':ack': evidence,
          ':acknowledged': 'acknowledged',
          ':cancelled': 'cancelled',
          ':lms': { state: 'pending', webhookId: 'msg_1', attempts: 0 },
          ':due': later.toISOString(),
          ':receipt': 'receipt',
          ':shard': A1_SHARD,
          ':policy': 'p',
          ':version': 3,
        },
        ReturnValues: 'ALL_NEW',
      });
    });

    it('owes both deliveries, each in its own lane with its own id, in the same one write', async () => {
      // Prepare
      const evidence = { evidenceId: 'ev_1', policyId: 'p', policyVersion: 3 } as Evidence;
      ddb.on(UpdateCommand).resolves({ Attributes: { ...key, assignmentId: 'a1', ack: evidence } });

      // Act
      await store().recordAcknowledgement(
        'a1',
        evidence,
        { webhook: { webhookId: 'msg_1' }, xapi: { statementId: 'st_1' } },
        later,
      );

      // Assess
      expect(ddb).toReceiveCommandTimes(UpdateCommand, 1);
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input).toEqual({
        TableName: 'attest',
        Key: key,
        UpdateExpression: ackUpdate('lms', 'xapi'),
        ConditionExpression: ACK_CONDITION,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':ack': evidence,
          ':acknowledged': 'acknowledged',
          ':cancelled': 'cancelled',
          ':lms': { state: 'pending', webhookId: 'msg_1', attempts: 0 },
          ':xapi': { state: 'pending', statementId: 'st_1', attempts: 0 },
          ':due': later.toISOString(),
          ':receipt': 'receipt',
          ':shard': A1_SHARD,
          ':policy': 'p',
          ':version': 3,
        },
        ReturnValues: 'ALL_NEW',
      });
      // Both lanes' due times and shards are set, so each sparse index holds the assignment.
      for (const set of ['lmsDueAt = :due', 'lmsShard = :shard', 'xapiDueAt = :due', 'xapiShard = :shard']) {
        expect(input?.UpdateExpression).toContain(set);
      }
    });

    it('answers a failed condition with the stored assignment, recorded: false', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(conditionFailed());
      ddb.on(GetCommand).resolves({
        Item: { ...key, ...INDEX_ONLY, assignmentId: 'a1', ack: { evidenceId: 'ev_first' } },
      });

      // Act
      const outcome = await store().recordAcknowledgement(
        'a1',
        { evidenceId: 'ev_2', policyId: 'p', policyVersion: 1 } as Evidence,
        { webhook: { webhookId: 'msg_2' } },
        later,
      );

      // Assess
      expect(outcome).toEqual({
        recorded: false,
        assignment: { assignmentId: 'a1', ack: { evidenceId: 'ev_first' } },
      });
      expect(ddb).toReceiveCommandWith(GetCommand, { Key: key, ConsistentRead: true });
    });

    it('passes other errors through', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(new Error('InternalServerError'));

      // Act
      const record = store().recordAcknowledgement(
        'a1',
        { evidenceId: 'ev' } as Evidence,
        { webhook: { webhookId: 'msg' } },
        later,
      );

      // Assess
      await expect(record).rejects.toThrow('InternalServerError');
      expect(ddb).not.toReceiveCommand(GetCommand);
    });
  });

  describe('requestFreshLink', () => {
    it('passes other errors through', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(new Error('InternalServerError'));

      // Act
      const request = store().requestFreshLink('a1', now, now);

      // Assess
      await expect(request).rejects.toThrow('InternalServerError');
    });
  });

  describe('recordDeliveryAttempt', () => {
    const letter: DeadLetter = { reason: 'rejected', status: 422, body: 'bad', at: now.toISOString() };

    it('throws when the delivery is no longer owed', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(conditionFailed());

      // Act
      const record = store().recordDeliveryAttempt('a1', 'webhook', {
        status: 204,
        at: now,
        outcome: { delivered: true },
      });

      // Assess
      await expect(record).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    });

    it('passes other errors through', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(new Error('InternalServerError'));

      // Act
      const record = store().recordDeliveryAttempt('a1', 'webhook', {
        status: 410,
        at: now,
        outcome: { dead: letter },
      });

      // Assess
      await expect(record).rejects.toThrow('InternalServerError');
    });
  });

  describe('deadLetters', () => {
    it('answers no dead letters with an empty list', async () => {
      // Prepare
      ddb.on(QueryCommand).resolves({});

      // Act
      const dead = await store().deadLetters(25);

      // Assess
      expect(dead).toEqual([]);
    });

    it('passes errors through', async () => {
      // Prepare
      ddb.on(QueryCommand).rejects(new Error('InternalServerError'));

      // Act
      const read = store().deadLetters(25);

      // Assess
      await expect(read).rejects.toThrow('InternalServerError');
    });
  });

  describe('oweDelivery', () => {
    it('answers false when the condition fails (unsigned, or a delivery there already)', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(conditionFailed());

      // Act / Assess
      expect(await store().oweDelivery('a1', { webhook: { webhookId: 'wh_1' } }, now)).toBe(false);
    });

    it.each([[{}], [{ webhook: { webhookId: 'w' }, xapi: { statementId: 's' } }]])(
      'refuses anything but exactly one delivery: %j',
      async (deliveries) => {
        // Act / Assess
        await expect(store().oweDelivery('a1', deliveries, now)).rejects.toThrow(RangeError);
        expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
      },
    );
  });

  describe('replayDelivery', () => {
    it('answers false when the delivery is not dead-lettered', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(conditionFailed());

      // Act
      const replayed = await store().replayDelivery('a1', 'xapi', later);

      // Assess
      expect(replayed).toBe(false);
    });

    it('passes other errors through', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(new Error('InternalServerError'));

      // Act
      const replay = store().replayDelivery('a1', 'webhook', later);

      // Assess
      await expect(replay).rejects.toThrow('InternalServerError');
    });
  });

  describe('getDestination', () => {
    const destinationKey = { pk: 'DESTINATION#lms', sk: 'WEBHOOK' };
    const xapiDestinationKey = { pk: 'DESTINATION#lms', sk: 'XAPI' };

    it('answers enabled while nothing is stored', async () => {
      // Prepare
      ddb.on(GetCommand).resolves({});

      // Act
      const destination = await store().getDestination('webhook');

      // Assess
      expect(destination).toStrictEqual({ state: 'enabled' });
      expect(ddb).toReceiveCommandWith(GetCommand, {
        TableName: 'attest',
        Key: destinationKey,
        ConsistentRead: true,
      });
    });

    it('answers the stored state, with why and when, without its keys', async () => {
      // Prepare
      ddb.on(GetCommand).resolves({
        Item: { ...destinationKey, state: 'disabled', reason: '410 Gone', at: now.toISOString() },
      });

      // Act
      const destination = await store().getDestination('webhook');

      // Assess
      expect(destination).toEqual({ state: 'disabled', reason: '410 Gone', at: now.toISOString() });
    });

    it("reads each destination's state under its own key, the webhook's kept as it was", async () => {
      // Prepare
      ddb.on(GetCommand, { Key: destinationKey }).resolves({ Item: { ...destinationKey, state: 'enabled' } });
      ddb.on(GetCommand, { Key: xapiDestinationKey }).resolves({
        Item: { ...xapiDestinationKey, state: 'disabled', reason: '410 Gone', at: now.toISOString() },
      });

      // Act
      const webhook = await store().getDestination('webhook');
      const xapi = await store().getDestination('xapi');

      // Assess
      expect(webhook).toEqual({ state: 'enabled' });
      expect(xapi).toEqual({ state: 'disabled', reason: '410 Gone', at: now.toISOString() });
      expect(ddb).toReceiveNthCommandWith(GetCommand, 1, { Key: destinationKey, ConsistentRead: true });
      expect(ddb).toReceiveNthCommandWith(GetCommand, 2, { Key: xapiDestinationKey, ConsistentRead: true });
    });
  });

  describe('setDestination', () => {
    it('passes errors through', async () => {
      // Prepare
      ddb.on(PutCommand).rejects(new Error('InternalServerError'));

      // Act
      const set = store().setDestination('xapi', { state: 'enabled' });

      // Assess
      await expect(set).rejects.toThrow('InternalServerError');
    });
  });

  describe('queryDue', () => {
    /** Two shards and the table's record of them: each lane is read under `due`, `due#0` and `due#1`. */
    const sharded = () =>
      makeDynamoStore('attest', new DynamoDBClient({ region: 'eu-west-2' }), { dueShards: 2 });
    const shard = (IndexName: string, value: string) => ({
      IndexName,
      ExpressionAttributeValues: { ':shard': value, ':before': now.toISOString() },
    });

    it('reads every shard of each lane page by page, asking for no more than the limit per shard', async () => {
      // Prepare
      ddb.on(GetCommand).resolves({ Item: { pk: 'SHARDS', sk: 'DUE', shards: 2 } });
      ddb.on(QueryCommand).resolves({ Items: [] });
      ddb
        .on(QueryCommand, shard('due-v2', 'due#1'))
        .resolvesOnce({
          Items: [{ assignmentId: 'a1', dueAt: 't1', dueKind: 'invite' }],
          LastEvaluatedKey: { pk: 'x' },
        })
        .resolves({ Items: [{ assignmentId: 'a2', dueAt: 't3', dueKind: 'invite' }] });
      // Written before sharding: read under the one value it holds.
      ddb
        .on(QueryCommand, shard('due-v2', 'due'))
        .resolves({ Items: [{ assignmentId: 'a0', dueAt: 't0', dueKind: 'invite' }] });
      ddb
        .on(QueryCommand, shard('lms-due-v2', 'due#0'))
        .resolves({ Items: [{ assignmentId: 'a3', lmsDueAt: 't2' }] });
      ddb
        .on(QueryCommand, shard('xapi-due-v2', 'due#1'))
        .resolves({ Items: [{ assignmentId: 'a4', xapiDueAt: 't4' }] });
      ddb
        .on(QueryCommand, shard('moodle-due-v2', 'due#0'))
        .resolves({ Items: [{ assignmentId: 'a5', moodleDueAt: 't5' }] });

      // Act
      const due = await sharded().queryDue(now, 10);

      // Assess
      expect(due.map((item) => item.assignmentId)).toEqual(['a0', 'a1', 'a3', 'a2', 'a4', 'a5']);
      expect(due.find((item) => item.assignmentId === 'a3')?.dueKind).toBe('webhook');
      // Three values a lane, four lanes, and a second page of one shard.
      expect(ddb).toReceiveCommandTimes(QueryCommand, 13);
      expect(ddb).toReceiveCommandWith(QueryCommand, {
        ...shard('due-v2', 'due#1'),
        Limit: 9,
        ExclusiveStartKey: { pk: 'x' },
      });
      for (const index of ['due-v2', 'lms-due-v2', 'xapi-due-v2', 'moodle-due-v2']) {
        for (const value of ['due', 'due#0', 'due#1']) {
          expect(ddb).toReceiveCommandWith(QueryCommand, { ...shard(index, value), Limit: 10 });
        }
      }
      // Never the dead letters' shard.
      expect(JSON.stringify(ddb.commandCalls(QueryCommand).map((c) => c.args[0].input))).not.toContain(
        '"dead"',
      );
      expect(ddb).not.toReceiveCommand(UpdateCommand);
    });

    it('stops each shard at the limit even when more pages remain', async () => {
      // Prepare
      ddb.on(GetCommand).resolves({ Item: { shards: 2 } });
      ddb.on(QueryCommand).resolves({
        Items: [
          {
            assignmentId: 'a1',
            dueAt: 't1',
            dueKind: 'invite',
            lmsDueAt: 't1',
            xapiDueAt: 't1',
            moodleDueAt: 't1',
          },
          {
            assignmentId: 'a2',
            dueAt: 't2',
            dueKind: 'invite',
            lmsDueAt: 't2',
            xapiDueAt: 't2',
            moodleDueAt: 't2',
          },
        ],
        LastEvaluatedKey: { pk: 'more' },
      });

      // Act
      const due = await sharded().queryDue(now, 2);

      // Assess
      expect(due).toHaveLength(24);
      expect(ddb).toReceiveCommandTimes(QueryCommand, 12);
    });

    it('reads the most shards the table has held when DUE_SHARDS was lowered since', async () => {
      // Prepare
      ddb.on(GetCommand).resolves({ Item: { shards: 4 } });
      ddb.on(QueryCommand).resolves({});

      // Act
      await sharded().queryDue(now, 10);

      // Assess
      expect(ddb).toReceiveCommandTimes(QueryCommand, 4 * 5);
      expect(ddb).toReceiveCommandWith(QueryCommand, shard('due-v2', 'due#3'));
      expect(ddb).not.toReceiveCommand(UpdateCommand);
    });

    it('records a DUE_SHARDS higher than the table has held, only ever raising it', async () => {
      // Prepare
      ddb.on(GetCommand).resolves({ Item: { shards: 1 } });
      ddb.on(UpdateCommand).resolves({});
      ddb.on(QueryCommand).resolves({});

      // Act
      await sharded().queryDue(now, 10);

      // Assess
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        Key: { pk: 'SHARDS', sk: 'DUE' },
        UpdateExpression: 'SET shards = :n',
        ConditionExpression: 'attribute_not_exists(shards) OR shards < :n',
        ExpressionAttributeValues: { ':n': 2 },
      });
      expect(ddb).toReceiveCommandTimes(QueryCommand, 4 * 3);
    });

    it('answers nothing due with an empty list', async () => {
      // Prepare
      ddb.on(GetCommand).resolves({});
      ddb.on(UpdateCommand).resolves({});
      ddb.on(QueryCommand).resolves({});

      // Act
      const due = await sharded().queryDue(now, 10);

      // Assess
      expect(due).toEqual([]);
      expect(ddb).toReceiveCommandTimes(QueryCommand, 12);
    });

    it('reads a lane’s old index while its new one is not built, and the new one once the old is dropped', async () => {
      // Prepare: a stack part way through the upgrade (README): the mail lane's new index missing
      const missing = (index: string) =>
        Object.assign(new Error(`The table does not have the specified index: ${index}`), {
          name: 'ValidationException',
        });
      ddb.on(GetCommand).resolves({ Item: { shards: 2 } });
      ddb.on(QueryCommand).resolves({});
      ddb.on(QueryCommand, { IndexName: 'due-v2' }).rejects(missing('due-v2'));
      ddb
        .on(QueryCommand, shard('due', 'due#0'))
        .resolves({ Items: [{ assignmentId: 'a1', dueAt: 't1', dueKind: 'invite' }] });

      // Act
      const during = await sharded().queryDue(now, 10);
      ddb.reset();
      ddb.on(GetCommand).resolves({ Item: { shards: 2 } });
      ddb.on(QueryCommand).resolves({});
      ddb.on(QueryCommand, { IndexName: 'due' }).rejects(missing('due'));
      ddb
        .on(QueryCommand, shard('due-v2', 'due#1'))
        .resolves({ Items: [{ assignmentId: 'a2', dueAt: 't2', dueKind: 'invite' }] });
      const after = await sharded().queryDue(now, 10);

      // Assess
      expect(during.map((d) => d.assignmentId)).toEqual(['a1']);
      expect(after.map((d) => d.assignmentId)).toEqual(['a2']);
    });
  });

  describe('laneDue', () => {
    it('reads the owed work of a lane from the item itself, not its index', async () => {
      // Prepare
      ddb.on(GetCommand).resolves({
        Item: {
          ...key,
          ...assignment,
          dueKind: 'reminder',
          dueAt: '2026-11-27T10:00:00.000Z',
          dueShard: 'due',
          lmsDueAt: '2026-11-24T10:00:00.000Z',
          lmsShard: 'dead',
        },
      });

      // Act
      const mail = await store().laneDue('a1', 'invite');
      const webhook = await store().laneDue('a1', 'webhook');
      const xapi = await store().laneDue('a1', 'xapi');

      // Assess
      expect(mail).toEqual({ assignmentId: 'a1', dueAt: '2026-11-27T10:00:00.000Z', dueKind: 'reminder' });
      // A dead letter is not owed work; a lane with no due time owes none.
      expect(webhook).toBeUndefined();
      expect(xapi).toBeUndefined();
      expect(ddb).toReceiveCommandWith(GetCommand, { TableName: 'attest', Key: key, ConsistentRead: true });
    });
  });

  describe('deferDue', () => {
    it('passes other errors through', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(new Error('InternalServerError'));

      // Act
      const defer = store().deferDue('a1', 'receipt', now.toISOString(), later);

      // Assess
      await expect(defer).rejects.toThrow('InternalServerError');
    });
  });

  describe('signers', () => {
    it('reads the signed index below a version, newest first, page by page', async () => {
      // Prepare
      ddb
        .on(QueryCommand)
        .resolvesOnce({
          Items: [{ ...key, assignmentId: 'a1', starterId: 's1', signedPolicy: 'p', signedVersion: 2 }],
          LastEvaluatedKey: { pk: 'ASSIGN#a1' },
        })
        .resolves({
          Items: [{ assignmentId: 'a2', starterId: 's2', signedPolicy: 'p', signedVersion: 1 }],
        });

      // Act
      const signers = await collect(store().signers('p', 3));

      // Assess
      expect(signers).toEqual([
        { assignmentId: 'a1', starterId: 's1', policyVersion: 2 },
        { assignmentId: 'a2', starterId: 's2', policyVersion: 1 },
      ]);
      expect(ddb).toReceiveCommandTimes(QueryCommand, 2);
      expect(ddb).toReceiveNthCommandWith(QueryCommand, 1, {
        TableName: 'attest',
        IndexName: 'signed',
        KeyConditionExpression: 'signedPolicy = :policy AND signedVersion < :below',
        ExpressionAttributeValues: { ':policy': 'p', ':below': 3 },
        ScanIndexForward: false,
      });
      expect(ddb).toReceiveNthCommandWith(QueryCommand, 2, {
        IndexName: 'signed',
        ScanIndexForward: false,
        ExclusiveStartKey: { pk: 'ASSIGN#a1' },
      });
    });

    it('reads no further page than the caller asks for', async () => {
      // Prepare
      ddb.on(QueryCommand).resolves({
        Items: [{ assignmentId: 'a1', starterId: 's1', signedVersion: 2 }],
        LastEvaluatedKey: { pk: 'more' },
      });

      // Act
      let first: Signer | undefined;
      for await (const signer of store().signers('p', 3)) {
        first = signer;
        break;
      }

      // Assess
      expect(first).toEqual({ assignmentId: 'a1', starterId: 's1', policyVersion: 2 });
      expect(ddb).toReceiveCommandTimes(QueryCommand, 1);
    });

    it('yields nothing when nobody signed an earlier version', async () => {
      // Prepare
      ddb.on(QueryCommand).resolves({ Items: [] });

      // Act
      const signers = await collect(store().signers('p', 1));

      // Assess
      expect(signers).toEqual([]);
    });
  });

  describe('assignmentsOf', () => {
    /** Assignment 3 of policy p, made two minutes after the first. */
    const third: Assignment = {
      ...assignment,
      assignmentId: 'a3',
      starterId: 's3',
      createdAt: later.toISOString(),
    };
    /** What the index projects: the keys, the assignment's and starter's ids, and the status. */
    const indexed = (a: Assignment) => ({
      pk: `ASSIGN#${a.assignmentId}`,
      sk: 'ASSIGNMENT',
      policyId: a.policyId,
      createdAt: a.createdAt,
      assignmentId: a.assignmentId,
      starterId: a.starterId,
      policyVersion: a.policyVersion,
      status: a.status,
    });
    const ref = (a: Assignment) => ({
      assignmentId: a.assignmentId,
      starterId: a.starterId,
      policyVersion: a.policyVersion,
      status: a.status,
      createdAt: a.createdAt,
    });

    it('reads nothing for an empty range', async () => {
      // Act
      const pages = await collect(store().assignmentsOf('p', { since: now, until: now }));

      // Assess: BETWEEN would refuse a lower bound above the upper
      expect(pages).toEqual([]);
      expect(ddb).toReceiveCommandTimes(QueryCommand, 0);
    });

    it('skips an item of the index that is not an assignment', async () => {
      // Prepare
      ddb.on(QueryCommand).resolves({
        Items: [
          indexed(assignment),
          { pk: 'POLICY#p', sk: 'V#000001', policyId: 'p', createdAt: now.toISOString(), version: 1 },
        ],
      });

      // Act
      const pages = await collect(store().assignmentsOf('p'));

      // Assess
      expect(pages).toEqual([[ref(assignment)]]);
    });

    it('yields no empty page, reading on past one to the next', async () => {
      // Prepare: an empty page, a page of nothing but another kind of item, then the assignment
      ddb
        .on(QueryCommand)
        .resolvesOnce({ Items: [], LastEvaluatedKey: { pk: 'one' } })
        .resolvesOnce({
          Items: [{ pk: 'POLICY#p', sk: 'V#000001', policyId: 'p', createdAt: now.toISOString() }],
          LastEvaluatedKey: { pk: 'two' },
        })
        .resolves({ Items: [indexed(third)] });

      // Act
      const pages = await collect(store().assignmentsOf('p'));

      // Assess
      expect(pages).toEqual([[ref(third)]]);
      expect(ddb).toReceiveCommandTimes(QueryCommand, 3);
      expect(ddb).toReceiveNthCommandWith(QueryCommand, 3, { ExclusiveStartKey: { pk: 'two' } });
    });

    it('yields nothing for a policy without assignments', async () => {
      // Prepare
      ddb.on(QueryCommand).resolves({});

      // Act
      const pages = await collect(store().assignmentsOf('p'));

      // Assess
      expect(pages).toEqual([]);
      expect(ddb).toReceiveCommandTimes(QueryCommand, 1);
    });
  });

  describe('getStarters', () => {
    const starterOf = (id: string): Starter => ({
      starterId: id,
      employeeId: `E-${id}`,
      givenName: 'Ada',
      familyName: 'Lovelace',
      email: `${id}@example.org`,
      startDate: '2026-12-01',
      locale: 'en-GB',
      timeZone: 'Europe/London',
      policies: ['p'],
      status: 'active',
      updatedAt: now.toISOString(),
    });
    const starterKey = (id: string) => ({ pk: `STARTER#${id}`, sk: 'PROFILE' });
    /** What the table answers for the keys asked: every starter whose id is not in `missing`. */
    const answer =
      (missing: ReadonlySet<string> = new Set()) =>
      (input: BatchGetCommandInput) => {
        const keys = (input.RequestItems?.attest?.Keys ?? []) as Array<{ pk: string; sk: string }>;
        const ids = keys.map((k) => k.pk.slice('STARTER#'.length)).filter((id) => !missing.has(id));
        return { Responses: { attest: ids.map((id) => ({ ...starterKey(id), ...starterOf(id) })) } };
      };
    const askedKeys = (n: number) =>
      ddb.commandCalls(BatchGetCommand)[n]?.args[0].input.RequestItems?.attest?.Keys;

    afterEach(() => {
      vi.useRealTimers();
    });

    it('asks for 100 keys at a time, and answers every starter found by id without its keys', async () => {
      // Prepare
      const ids = Array.from({ length: 250 }, (_, i) => `s${i}`);
      ddb.on(BatchGetCommand).callsFake(answer());

      // Act
      const starters = await store().getStarters(ids);

      // Assess
      expect(ddb).toReceiveCommandTimes(BatchGetCommand, 3);
      expect(askedKeys(0)).toEqual(ids.slice(0, 100).map(starterKey));
      expect(askedKeys(1)).toEqual(ids.slice(100, 200).map(starterKey));
      expect(askedKeys(2)).toEqual(ids.slice(200).map(starterKey));
      expect([...starters.keys()].sort()).toEqual([...ids].sort());
      expect(starters.get('s249')).toEqual(starterOf('s249'));
    });

    it('asks for a starter named twice once', async () => {
      // Prepare: BatchGetItem refuses a request whose keys repeat
      ddb.on(BatchGetCommand).callsFake(answer());

      // Act
      const starters = await store().getStarters(['s1', 's2', 's1', 's2', 's1']);

      // Assess
      expect(ddb).toReceiveCommandTimes(BatchGetCommand, 1);
      expect(ddb).toReceiveCommandWith(BatchGetCommand, {
        RequestItems: { attest: { Keys: [starterKey('s1'), starterKey('s2')], ConsistentRead: true } },
      });
      expect([...starters.keys()]).toEqual(['s1', 's2']);
    });

    it('asks again for the keys left unprocessed, after a pause, until none are left', async () => {
      // Prepare: throttled twice, each time answering part of what was asked
      vi.useFakeTimers();
      ddb
        .on(BatchGetCommand)
        .resolvesOnce({
          Responses: { attest: [{ ...starterKey('s1'), ...starterOf('s1') }] },
          UnprocessedKeys: { attest: { Keys: [starterKey('s2'), starterKey('s3')] } },
        })
        .resolvesOnce({
          Responses: { attest: [{ ...starterKey('s2'), ...starterOf('s2') }] },
          UnprocessedKeys: { attest: { Keys: [starterKey('s3')] } },
        })
        .resolves({
          Responses: { attest: [{ ...starterKey('s3'), ...starterOf('s3') }] },
          UnprocessedKeys: {},
        });

      // Act
      const found = store().getStarters(['s1', 's2', 's3']);
      await vi.advanceTimersByTimeAsync(0);
      const beforePause = ddb.commandCalls(BatchGetCommand).length;
      await vi.runAllTimersAsync();
      const starters = await found;

      // Assess: nothing asked again before the backoff; then only what was left, each time
      expect(beforePause).toBe(1);
      expect(ddb).toReceiveCommandTimes(BatchGetCommand, 3);
      expect(askedKeys(1)).toEqual([starterKey('s2'), starterKey('s3')]);
      expect(askedKeys(2)).toEqual([starterKey('s3')]);
      expect(starters).toEqual(
        new Map([
          ['s1', starterOf('s1')],
          ['s2', starterOf('s2')],
          ['s3', starterOf('s3')],
        ]),
      );
    });

    it('leaves a starter the table does not hold out of the answer', async () => {
      // Prepare
      ddb.on(BatchGetCommand).callsFake(answer(new Set(['gone'])));

      // Act
      const starters = await store().getStarters(['s1', 'gone']);

      // Assess
      expect(starters.has('gone')).toBe(false);
      expect(starters).toEqual(new Map([['s1', starterOf('s1')]]));
    });

    it('asks nothing for no ids', async () => {
      // Prepare
      ddb.on(BatchGetCommand).callsFake(answer());

      // Act
      const starters = await store().getStarters([]);

      // Assess
      expect(starters.size).toBe(0);
      expect(ddb).toReceiveCommandTimes(BatchGetCommand, 0);
    });

    it('gives up, saying so, when DynamoDB leaves keys unprocessed for about ten seconds', async () => {
      // Prepare: throttled for ever
      vi.useFakeTimers();
      ddb.on(BatchGetCommand).resolves({
        Responses: { attest: [] },
        UnprocessedKeys: { attest: { Keys: [starterKey('s1')] } },
      });

      // Act
      const found = store().getStarters(['s1']);
      const refused = expect(found).rejects.toThrow(
        'DynamoDB left 1 items unread after 15 attempts (throttled)',
      );
      await vi.runAllTimersAsync();

      // Assess
      await refused;
      expect(ddb).toReceiveCommandTimes(BatchGetCommand, 15);
    });
  });

  describe('getAssignments', () => {
    it('answers the assignments found by id, without the table keys or index attributes', async () => {
      // Prepare
      ddb.on(BatchGetCommand).resolves({
        Responses: { attest: [{ ...key, ...assignment, ...INDEX_ONLY }] },
      });

      // Act
      const found = await store().getAssignments(['a1', 'gone', 'a1']);

      // Assess: each key asked once, in the same 100-key batches as starters
      expect(found).toEqual(new Map([['a1', assignment]]));
      expect(ddb).toReceiveCommandWith(BatchGetCommand, {
        RequestItems: {
          attest: { Keys: [key, { pk: 'ASSIGN#gone', sk: 'ASSIGNMENT' }], ConsistentRead: true },
        },
      });
    });
  });

  describe('event receipts', () => {
    const receiptKey = { pk: 'EVENT#hr#evt_1', sk: 'RECEIPT' };

    it('stores a receipt unless one is stored, with a TTL in epoch seconds, and answers it', async () => {
      // Prepare
      ddb.on(PutCommand).resolves({});

      // Act
      const stored = await store().putEventReceipt('hr', 'evt_1', { starterId: 's1' }, later);

      // Assess: the put replaces an earlier version's claim but never a response
      expect(stored).toEqual({ starterId: 's1' });
      expect(ddb).toReceiveCommandWith(PutCommand, {
        Item: { ...receiptKey, response: { starterId: 's1' }, expiresAt: later.getTime() / 1000 },
        ConditionExpression: 'attribute_not_exists(#response)',
        ExpressionAttributeNames: { '#response': 'response' },
      });
      expect(ddb).not.toReceiveCommand(GetCommand);
    });

    it('answers the receipt stored first when a concurrent copy stored one, read consistently', async () => {
      // Prepare
      ddb.on(PutCommand).rejects(conditionFailed());
      ddb.on(GetCommand).resolves({ Item: { ...receiptKey, response: { starterId: 'first' } } });

      // Act
      const stored = await store().putEventReceipt('hr', 'evt_1', { starterId: 'second' }, later);

      // Assess
      expect(stored).toEqual({ starterId: 'first' });
      expect(ddb).toReceiveCommandWith(GetCommand, { Key: receiptKey, ConsistentRead: true });
    });

    it('reads back the stored response, and nothing for an event an earlier version only claimed', async () => {
      // Prepare
      ddb
        .on(GetCommand, { Key: receiptKey })
        .resolves({ Item: { ...receiptKey, response: { starterId: 's1' } } })
        .on(GetCommand, { Key: { pk: 'EVENT#hr#evt_2', sk: 'RECEIPT' } })
        .resolves({ Item: { pk: 'EVENT#hr#evt_2', sk: 'RECEIPT', claimedUntil: later.toISOString() } });

      // Act
      const response = await store().getEventReceipt('hr', 'evt_1');
      const claimed = await store().getEventReceipt('hr', 'evt_2');

      // Assess
      expect(response).toEqual({ starterId: 's1' });
      expect(claimed).toBeUndefined();
    });
  });

  describe('putPolicyVersion', () => {
    const policy = { policyId: 'p', version: 7, sha256: 'aaa' } as PolicyVersion;
    const policyKey = { pk: 'POLICY#p', sk: 'V#000007' };

    it('publishes a version once under a zero-padded sort key, answering created', async () => {
      // Prepare
      ddb.on(PutCommand).resolves({});

      // Act
      const outcome = await store().putPolicyVersion(policy);

      // Assess
      expect(outcome).toBe('created');
      expect(ddb).toReceiveCommandWith(PutCommand, {
        TableName: 'attest',
        Item: { ...policyKey, ...policy },
        ConditionExpression: 'attribute_not_exists(pk)',
      });
      expect(ddb).not.toReceiveCommand(GetCommand);
    });

    it('answers same when the version is already stored with this text', async () => {
      // Prepare
      ddb.on(PutCommand).rejects(conditionFailed());
      ddb.on(GetCommand).resolves({ Item: { ...policyKey, policyId: 'p', version: 7, sha256: 'aaa' } });

      // Act
      const outcome = await store().putPolicyVersion(policy);

      // Assess
      expect(outcome).toBe('same');
      expect(ddb).toReceiveCommandWith(GetCommand, { Key: policyKey, ConsistentRead: true });
    });

    it('answers conflict when the version is already stored with other text', async () => {
      // Prepare
      ddb.on(PutCommand).rejects(conditionFailed());
      ddb.on(GetCommand).resolves({ Item: { ...policyKey, policyId: 'p', version: 7, sha256: 'bbb' } });

      // Act
      const outcome = await store().putPolicyVersion(policy);

      // Assess
      expect(outcome).toBe('conflict');
    });

    it('passes other errors through', async () => {
      // Prepare
      ddb.on(PutCommand).rejects(new Error('InternalServerError'));

      // Act
      const put = store().putPolicyVersion(policy);

      // Assess
      await expect(put).rejects.toThrow('InternalServerError');
      expect(ddb).not.toReceiveCommand(GetCommand);
    });
  });

  describe('getLatestPolicyVersion', () => {
    it('reads the highest version of the policy, consistently, without its keys', async () => {
      // Prepare
      const stored = { policyId: 'p', version: 7, sha256: 'aaa' } as PolicyVersion;
      ddb.on(QueryCommand).resolves({ Items: [{ pk: 'POLICY#p', sk: 'V#000007', ...stored }] });

      // Act
      const latest = await store().getLatestPolicyVersion('p');

      // Assess
      expect(latest).toEqual(stored);
      expect(ddb).toReceiveCommandWith(QueryCommand, {
        TableName: 'attest',
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
        ExpressionAttributeValues: { ':pk': 'POLICY#p', ':v': 'V#' },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      });
      expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).not.toHaveProperty('IndexName');
    });

    it('answers an unpublished policy with undefined', async () => {
      // Prepare
      ddb.on(QueryCommand).resolves({ Items: [] });

      // Act
      const latest = await store().getLatestPolicyVersion('p');

      // Assess
      expect(latest).toBeUndefined();
    });
  });

  describe('getAuditTrail', () => {
    it("reads the assignment's events page by page, each as its kind, time and detail", async () => {
      // Prepare
      const evt = (at: Date, kind: string) => ({ pk: 'ASSIGN#a1', sk: `EVT#${at.toISOString()}#${kind}` });
      ddb
        .on(QueryCommand)
        .resolvesOnce({
          Items: [{ ...evt(now, 'invited'), kind: 'invited', at: now.toISOString(), messageId: 'ses-1' }],
          LastEvaluatedKey: evt(now, 'invited'),
        })
        .resolves({
          Items: [{ ...evt(later, 'acknowledged'), kind: 'acknowledged', at: later.toISOString() }],
        });

      // Act
      const trail = await store().getAuditTrail('a1');

      // Assess
      expect(trail).toEqual([
        { kind: 'invited', at: now.toISOString(), detail: { messageId: 'ses-1' } },
        { kind: 'acknowledged', at: later.toISOString(), detail: {} },
      ]);
      expect(ddb).toReceiveCommandTimes(QueryCommand, 2);
      expect(ddb).toReceiveNthCommandWith(QueryCommand, 1, {
        TableName: 'attest',
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :evt)',
        ExpressionAttributeValues: { ':pk': 'ASSIGN#a1', ':evt': 'EVT#' },
        ConsistentRead: true,
      });
      expect(ddb).toReceiveNthCommandWith(QueryCommand, 2, { ExclusiveStartKey: evt(now, 'invited') });
    });

    it('answers an assignment without events with an empty trail', async () => {
      // Prepare
      ddb.on(QueryCommand).resolves({});

      // Act
      const trail = await store().getAuditTrail('a1');

      // Assess
      expect(trail).toEqual([]);
    });
  });
});

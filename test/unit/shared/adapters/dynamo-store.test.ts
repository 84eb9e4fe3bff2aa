// The DynamoDB store: its condition expressions are the invariants, and a failed condition is an answer, not an error.
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeDynamoStore } from '#shared/adapters/dynamo-store.ts';
import type { Assignment, Evidence } from '#shared/core/model.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const store = () => makeDynamoStore('attest', new DynamoDBClient({ region: 'eu-west-2' }));
const key = { pk: 'ASSIGN#a1', sk: 'ASSIGNMENT' };
const now = new Date('2026-11-24T10:00:00.000Z');
const later = new Date('2026-11-24T10:02:00.000Z');

const LEASE_CONDITION = 'dueKind = :kind AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)';
const ACK_CONDITION = 'attribute_exists(pk) AND attribute_not_exists(ack) AND #status <> :cancelled';

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
        Item: { ...key, ...assignment, dueShard: 'due' },
        ConditionExpression: 'attribute_not_exists(pk)',
      });
      expect(ddb).not.toReceiveCommand(GetCommand);
    });

    it('leaves an assignment owing nothing out of the due index', async () => {
      // Prepare
      ddb.on(PutCommand).resolves({});
      const { dueAt: _dueAt, dueKind: _dueKind, ...owingNothing } = assignment;

      // Act
      await store().createAssignment(owingNothing);

      // Assess
      expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item).not.toHaveProperty('dueShard');
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

  describe('claimWork', () => {
    it('leases the work only while it is owed and no unexpired lease is held', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({
        Attributes: { ...key, ...assignment, leaseUntil: later.toISOString(), dueShard: 'due' },
      });

      // Act
      const claimed = await store().claimWork('a1', 'invite', now, later);

      // Assess
      expect(claimed).toEqual({ ...assignment, leaseUntil: later.toISOString() });
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        Key: key,
        UpdateExpression: 'SET leaseUntil = :until',
        ConditionExpression: LEASE_CONDITION,
        ExpressionAttributeValues: {
          ':kind': 'invite',
          ':now': now.toISOString(),
          ':until': later.toISOString(),
        },
        ReturnValues: 'ALL_NEW',
      });
    });

    it('answers a failed condition with undefined', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(conditionFailed());

      // Act
      const claimed = await store().claimWork('a1', 'lms', now, later);

      // Assess
      expect(claimed).toBeUndefined();
    });

    it('recognises a condition failure by name, as the local emulator reports it', async () => {
      // Prepare
      ddb
        .on(UpdateCommand)
        .rejects(Object.assign(new Error('failed'), { name: 'ConditionalCheckFailedException' }));

      // Act
      const claimed = await store().claimWork('a1', 'lms', now, later);

      // Assess
      expect(claimed).toBeUndefined();
    });

    it('passes other errors through', async () => {
      // Prepare
      ddb
        .on(UpdateCommand)
        .rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));

      // Act
      const claim = store().claimWork('a1', 'lms', now, later);

      // Assess
      await expect(claim).rejects.toThrow('slow down');
    });
  });

  describe('releaseWork', () => {
    it('removes the lease only while that work is still owed, and ignores a failed condition', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(conditionFailed());

      // Act
      const release = store().releaseWork('a1', 'invite');

      // Assess
      await expect(release).resolves.toBeUndefined();
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        UpdateExpression: 'REMOVE leaseUntil',
        ConditionExpression: 'dueKind = :kind',
        ExpressionAttributeValues: { ':kind': 'invite' },
      });
    });
  });

  describe('recordSend', () => {
    it('records the send and clears the owed invite only for the lease holder', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});
      const send = { kind: 'invite' as const, tokenId: 't1', messageId: 'ses-1', at: now.toISOString() };

      // Act
      await store().recordSend('a1', send);

      // Assess
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        Key: key,
        UpdateExpression: expect.stringMatching(/REMOVE dueAt, dueKind, dueShard, leaseUntil$/),
        ConditionExpression: 'dueKind = :invite AND attribute_exists(leaseUntil)',
        ExpressionAttributeValues: expect.objectContaining({ ':send': [send], ':invited': 'invited' }),
      });
    });

    it('throws when the lease was lost, so the caller does not believe it recorded', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(conditionFailed());

      // Act
      const record = store().recordSend('a1', { kind: 'invite', tokenId: 't', messageId: 'm', at: '' });

      // Assess
      await expect(record).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    });
  });

  describe('recordAcknowledgement', () => {
    it('records the evidence only if none exists, with the owed LMS delivery in the same write', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({
        Attributes: { ...key, assignmentId: 'a1', ack: { evidenceId: 'ev_1' }, dueShard: 'due' },
      });

      // Act
      const outcome = await store().recordAcknowledgement(
        'a1',
        { evidenceId: 'ev_1' } as Evidence,
        'msg_1',
        later,
      );

      // Assess
      expect(outcome).toEqual({
        recorded: true,
        assignment: { assignmentId: 'a1', ack: { evidenceId: 'ev_1' } },
      });
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        TableName: 'attest',
        Key: key,
        ConditionExpression: ACK_CONDITION,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':ack': { evidenceId: 'ev_1' },
          ':acknowledged': 'acknowledged',
          ':cancelled': 'cancelled',
          ':lms': { state: 'pending', webhookId: 'msg_1', attempts: 0 },
          ':due': later.toISOString(),
          ':kind': 'lms',
          ':shard': 'due',
        },
        ReturnValues: 'ALL_NEW',
      });
      expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input.UpdateExpression).toMatch(
        /SET ack = :ack, .*dueKind = :kind, dueShard = :shard REMOVE leaseUntil/,
      );
    });

    it('answers a failed condition with the stored assignment, recorded: false', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(conditionFailed());
      ddb.on(GetCommand).resolves({ Item: { ...key, assignmentId: 'a1', ack: { evidenceId: 'ev_first' } } });

      // Act
      const outcome = await store().recordAcknowledgement(
        'a1',
        { evidenceId: 'ev_2' } as Evidence,
        'msg_2',
        later,
      );

      // Assess
      expect(outcome).toEqual({
        recorded: false,
        assignment: { assignmentId: 'a1', ack: { evidenceId: 'ev_first' } },
      });
    });

    it('passes other errors through', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(new Error('InternalServerError'));

      // Act
      const record = store().recordAcknowledgement('a1', { evidenceId: 'ev' } as Evidence, 'msg', later);

      // Assess
      await expect(record).rejects.toThrow('InternalServerError');
      expect(ddb).not.toReceiveCommand(GetCommand);
    });
  });

  describe('cancelAssignment', () => {
    it('cancels only an existing, unacknowledged assignment, and ignores a failed condition', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(conditionFailed());

      // Act
      const cancel = store().cancelAssignment('a1', now);

      // Assess
      await expect(cancel).resolves.toBeUndefined();
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        UpdateExpression: expect.stringMatching(/REMOVE dueAt, dueKind, dueShard, leaseUntil$/),
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(ack)',
        ExpressionAttributeValues: { ':cancelled': 'cancelled', ':at': now.toISOString() },
      });
    });
  });

  describe('requestFreshLink', () => {
    it('grants a fresh link only to an unsigned, unwithdrawn assignment not asked for lately', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejectsOnce(conditionFailed()).resolves({});
      const since = new Date('2026-11-24T09:45:00.000Z');

      // Act
      const refused = await store().requestFreshLink('a1', now, since);
      const granted = await store().requestFreshLink('a1', now, since);

      // Assess
      expect([refused, granted]).toEqual([false, true]);
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        ConditionExpression:
          'attribute_exists(pk) AND attribute_not_exists(ack) AND #status <> :cancelled ' +
          'AND (attribute_not_exists(dueKind) OR dueKind = :invite) ' +
          'AND (attribute_not_exists(freshLinkAt) OR freshLinkAt < :since)',
        ExpressionAttributeValues: expect.objectContaining({
          ':since': since.toISOString(),
          ':now': now.toISOString(),
        }),
      });
    });
  });

  describe('recordDeliveryAttempt', () => {
    it('counts a failed attempt and keeps the delivery owed', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      await store().recordDeliveryAttempt('a1', { status: 503, delivered: false, at: now });

      // Assess
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input).toMatchObject({ ConditionExpression: 'dueKind = :lms' });
      expect(input?.UpdateExpression).toBe(
        'SET lms.attempts = lms.attempts + :one, lms.lastStatus = :status REMOVE leaseUntil',
      );
      expect(input?.ExpressionAttributeValues).toEqual({ ':one': 1, ':status': 503, ':lms': 'lms' });
    });

    it('marks a delivered attempt and clears the owed work', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      await store().recordDeliveryAttempt('a1', { status: 204, delivered: true, at: now });

      // Assess
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        ConditionExpression: 'dueKind = :lms',
        UpdateExpression: expect.stringMatching(
          /lms\.#state = :delivered.*REMOVE leaseUntil, dueAt, dueKind, dueShard$/,
        ),
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: expect.objectContaining({
          ':delivered': 'delivered',
          ':at': now.toISOString(),
        }),
      });
    });
  });

  describe('queryDue', () => {
    it('reads only the sparse due index, page by page, asking for no more than the limit', async () => {
      // Prepare
      ddb
        .on(QueryCommand)
        .resolvesOnce({
          Items: [{ assignmentId: 'a1', dueAt: 't1', dueKind: 'invite' }],
          LastEvaluatedKey: { pk: 'x' },
        })
        .resolves({ Items: [{ assignmentId: 'a2', dueAt: 't2', dueKind: 'lms' }] });

      // Act
      const due = await store().queryDue(now, 10);

      // Assess
      expect(due).toEqual([
        { assignmentId: 'a1', dueAt: 't1', dueKind: 'invite' },
        { assignmentId: 'a2', dueAt: 't2', dueKind: 'lms' },
      ]);
      expect(ddb).toReceiveCommandTimes(QueryCommand, 2);
      expect(ddb).toReceiveNthCommandWith(QueryCommand, 1, {
        IndexName: 'due',
        KeyConditionExpression: 'dueShard = :shard AND dueAt <= :before',
        ExpressionAttributeValues: { ':shard': 'due', ':before': now.toISOString() },
        Limit: 10,
      });
      expect(ddb).toReceiveNthCommandWith(QueryCommand, 2, { Limit: 9, ExclusiveStartKey: { pk: 'x' } });
    });

    it('stops at the limit even when more pages remain', async () => {
      // Prepare
      ddb.on(QueryCommand).resolves({
        Items: [
          { assignmentId: 'a1', dueAt: 't1', dueKind: 'invite' },
          { assignmentId: 'a2', dueAt: 't2', dueKind: 'invite' },
        ],
        LastEvaluatedKey: { pk: 'more' },
      });

      // Act
      const due = await store().queryDue(now, 2);

      // Assess
      expect(due).toHaveLength(2);
      expect(ddb).toReceiveCommandTimes(QueryCommand, 1);
    });
  });

  describe('deferDue', () => {
    it('claims a due item by compare-and-set on dueAt', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolvesOnce({}).rejects(conditionFailed());

      // Act
      const first = await store().deferDue('a1', now.toISOString(), later);
      const second = await store().deferDue('a1', now.toISOString(), later);

      // Assess
      expect([first, second]).toEqual([true, false]);
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        UpdateExpression: 'SET dueAt = :next',
        ConditionExpression: 'dueAt = :seen',
        ExpressionAttributeValues: { ':seen': now.toISOString(), ':next': later.toISOString() },
      });
    });
  });

  describe('event receipts', () => {
    it('keeps the first receipt of an event, with a TTL in epoch seconds', async () => {
      // Prepare
      ddb.on(PutCommand).rejects(conditionFailed());

      // Act
      const put = store().putEventReceipt('hr', 'evt_1', { starterId: 's1' }, later);

      // Assess
      await expect(put).resolves.toBeUndefined();
      expect(ddb).toReceiveCommandWith(PutCommand, {
        Item: {
          pk: 'EVENT#hr#evt_1',
          sk: 'RECEIPT',
          response: { starterId: 's1' },
          expiresAt: later.getTime() / 1000,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      });
    });

    it('reads back the stored response', async () => {
      // Prepare
      ddb
        .on(GetCommand)
        .resolves({ Item: { pk: 'EVENT#hr#evt_1', sk: 'RECEIPT', response: { starterId: 's1' } } });

      // Act
      const response = await store().getEventReceipt('hr', 'evt_1');

      // Assess
      expect(response).toEqual({ starterId: 's1' });
    });
  });

  describe('putPolicyVersion', () => {
    const policy = { policyId: 'p', version: 7, sha256: 'aaa' } as never;

    it('publishes a version once under a zero-padded sort key', async () => {
      // Prepare
      ddb.on(PutCommand).resolves({});

      // Act
      await store().putPolicyVersion(policy);

      // Assess
      expect(ddb).toReceiveCommandWith(PutCommand, {
        Item: expect.objectContaining({ pk: 'POLICY#p', sk: 'V#000007' }),
        ConditionExpression: 'attribute_not_exists(pk)',
      });
    });

    it('accepts the same text again', async () => {
      // Prepare
      ddb.on(PutCommand).rejects(conditionFailed());
      ddb.on(GetCommand).resolves({ Item: { policyId: 'p', version: 7, sha256: 'aaa' } });

      // Assess
      await expect(store().putPolicyVersion(policy)).resolves.toBeUndefined();
    });

    it('refuses different text under an existing version', async () => {
      // Prepare
      ddb.on(PutCommand).rejects(conditionFailed());
      ddb.on(GetCommand).resolves({ Item: { policyId: 'p', version: 7, sha256: 'bbb' } });

      // Assess
      await expect(store().putPolicyVersion(policy)).rejects.toThrow(/already published/);
    });
  });

  describe('appendAudit', () => {
    it('appends an event once under its time and kind', async () => {
      // Prepare
      ddb.on(PutCommand).rejects(conditionFailed());

      // Act
      const append = store().appendAudit('a1', 'invited', now, { messageId: 'ses-1' });

      // Assess
      await expect(append).resolves.toBeUndefined();
      expect(ddb).toReceiveCommandWith(PutCommand, {
        Item: {
          pk: 'ASSIGN#a1',
          sk: `EVT#${now.toISOString()}#invited`,
          kind: 'invited',
          at: now.toISOString(),
          messageId: 'ses-1',
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      });
    });
  });
});

// The DynamoDB store: its condition expressions are the invariants, and a failed condition is an answer, not an error.
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
import type { Destination, Signer } from '#shared/ports.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const store = () => makeDynamoStore('attest', new DynamoDBClient({ region: 'eu-west-2' }));
const key = { pk: 'ASSIGN#a1', sk: 'ASSIGNMENT' };
const now = new Date('2026-11-24T10:00:00.000Z');
const later = new Date('2026-11-24T10:02:00.000Z');

const MAIL_LEASE_CONDITION = 'dueKind = :kind AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)';
/** The LMS lane owes a delivery: due, and not parked among the dead letters. */
const LMS_OWED = 'attribute_exists(lmsDueAt) AND lmsShard = :due';
const LMS_LEASE_CONDITION = `${LMS_OWED} AND (attribute_not_exists(lmsLeaseUntil) OR lmsLeaseUntil < :now)`;
/** The xAPI lane owes a statement: due, and not parked among the dead letters. */
const XAPI_OWED = 'attribute_exists(xapiDueAt) AND xapiShard = :due';
const ACK_CONDITION = 'attribute_exists(pk) AND attribute_not_exists(ack) AND #status <> :cancelled';
/** The acknowledgement's one write, for each destination configured, owing its delivery in its own lane. */
const ackUpdate = (...lanes: Array<'lms' | 'xapi'>) =>
  'SET ack = :ack, #status = :acknowledged, ' +
  lanes.map((l) => `${l} = :${l}, ${l}DueAt = :due, ${l}Shard = :shard, `).join('') +
  'dueAt = :due, dueKind = :receipt, dueShard = :shard, ' +
  'signedPolicy = :policy, signedVersion = :version ' +
  'REMOVE leaseUntil';
const ACK_UPDATE = ackUpdate('lms');
const SEND_CONDITION = 'dueKind = :kind AND attribute_exists(leaseUntil)';
const SEND_REMOVE = 'REMOVE dueAt, dueKind, dueShard, leaseUntil';
const ESCALATION_CONDITION = 'dueKind = :escalation AND attribute_exists(leaseUntil)';
const BOUNCE_CONDITION =
  'attribute_exists(pk) AND attribute_not_exists(ack) AND #status <> :cancelled AND #status <> :bounced';
const FRESH_LINK_CONDITION =
  'attribute_exists(pk) AND attribute_not_exists(ack) AND #status <> :cancelled AND #status <> :bounced ' +
  'AND (attribute_not_exists(dueKind) OR dueKind IN (:invite, :reminder)) ' +
  'AND (attribute_not_exists(freshLinkAt) OR freshLinkAt < :since)';

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
  lmsDueAt: later.toISOString(),
  ack: { evidenceId: 'ev_1', policyId: 'p', policyVersion: 1 } as Evidence,
  lms: { state: 'pending', webhookId: 'msg_1', attempts: 0 },
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
        Item: { ...key, ...assignment, dueShard: 'due' },
        ConditionExpression: 'attribute_not_exists(pk)',
      });
      expect(ddb).not.toReceiveCommand(GetCommand);
    });

    it('indexes an assignment owing an LMS delivery in the LMS lane', async () => {
      // Prepare
      ddb.on(PutCommand).resolves({});

      // Act
      await store().createAssignment(acknowledged);

      // Assess
      expect(ddb).toReceiveCommandWith(PutCommand, {
        Item: { ...key, ...acknowledged, dueShard: 'due', lmsShard: 'due' },
      });
      expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item).not.toHaveProperty('xapiShard');
    });

    it('indexes an assignment owing an xAPI statement in the xAPI lane, and only there', async () => {
      // Prepare
      ddb.on(PutCommand).resolves({});

      // Act
      await store().createAssignment(acknowledgedXapi);

      // Assess
      const item = ddb.commandCalls(PutCommand)[0]?.args[0].input.Item;
      expect(item).toEqual({ ...key, ...acknowledgedXapi, dueShard: 'due', xapiShard: 'due' });
      expect(item).not.toHaveProperty('lmsShard');
    });

    it('leaves an assignment owing nothing out of the due indexes', async () => {
      // Prepare
      ddb.on(PutCommand).resolves({});
      const { dueAt: _dueAt, dueKind: _dueKind, ...owingNothing } = assignment;

      // Act
      await store().createAssignment(owingNothing);

      // Assess
      const item = ddb.commandCalls(PutCommand)[0]?.args[0].input.Item;
      expect(item).not.toHaveProperty('dueShard');
      expect(item).not.toHaveProperty('lmsShard');
      expect(item).not.toHaveProperty('xapiShard');
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
      ddb.on(GetCommand).resolves({ Item: { ...key, ...acknowledged, ...INDEX_ONLY } });

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
    it('leases an owed email only while it is owed and no unexpired mail lease is held', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({
        Attributes: { ...key, ...assignment, leaseUntil: later.toISOString(), dueShard: 'due' },
      });

      // Act
      const claimed = await store().claimWork('a1', 'invite', now, later);

      // Assess
      expect(claimed).toEqual({ ...assignment, leaseUntil: later.toISOString() });
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        TableName: 'attest',
        Key: key,
        UpdateExpression: 'SET leaseUntil = :until',
        ConditionExpression: MAIL_LEASE_CONDITION,
        ExpressionAttributeValues: {
          ':kind': 'invite',
          ':now': now.toISOString(),
          ':until': later.toISOString(),
        },
        ReturnValues: 'ALL_NEW',
      });
    });

    it('records the email attempt with the lease, while no other attempt has begun since the one seen', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({ Attributes: { ...key, ...assignment } });
      const next = { id: 'Tq-3Jm0aWkE', kind: 'invite' as const, startedAt: now.toISOString() };

      // Act
      await store().claimWork('a1', 'invite', now, later, undefined, { next, seen: undefined });
      await store().claimWork('a1', 'invite', now, later, undefined, { next, seen: '-older0attempt' });

      // Assess
      const [first, second] = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
      expect(first).toMatchObject({
        UpdateExpression: 'SET leaseUntil = :until, attempt = :attempt',
        ConditionExpression: `${MAIL_LEASE_CONDITION} AND attribute_not_exists(attempt)`,
        ExpressionAttributeValues: { ':kind': 'invite', ':attempt': next },
      });
      expect(second).toMatchObject({
        ConditionExpression: `${MAIL_LEASE_CONDITION} AND attempt.id = :seenAttempt`,
        ExpressionAttributeValues: { ':attempt': next, ':seenAttempt': '-older0attempt' },
      });
    });

    it('claims only the step a sweeper’s message was sent for, when it names one', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({ Attributes: { ...key, ...assignment } });

      // Act
      await store().claimWork('a1', 'reminder', now, later, '2026-11-27T10:00:00.000Z');

      // Assess
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        ConditionExpression:
          'dueKind = :kind AND dueAt = :seen AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
        ExpressionAttributeValues: {
          ':kind': 'reminder',
          ':seen': '2026-11-27T10:00:00.000Z',
          ':now': now.toISOString(),
          ':until': later.toISOString(),
        },
      });
    });

    it('names the owed email kind, so a receipt is claimed only while a receipt is owed', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({ Attributes: { ...key, ...acknowledged } });

      // Act
      await store().claimWork('a1', 'receipt', now, later);

      // Assess
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        ConditionExpression: MAIL_LEASE_CONDITION,
        ExpressionAttributeValues: expect.objectContaining({ ':kind': 'receipt' }),
      });
    });

    it('leases the LMS delivery on its own lane, while it is owed and no unexpired LMS lease is held', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({
        Attributes: { ...key, ...acknowledged, ...INDEX_ONLY, lmsLeaseUntil: later.toISOString() },
      });

      // Act
      const claimed = await store().claimWork('a1', 'lms', now, later);

      // Assess
      expect(claimed).toEqual({ ...acknowledged, lmsLeaseUntil: later.toISOString() });
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        TableName: 'attest',
        Key: key,
        UpdateExpression: 'SET lmsLeaseUntil = :until',
        ConditionExpression: LMS_LEASE_CONDITION,
        ExpressionAttributeValues: {
          ':due': 'due',
          ':now': now.toISOString(),
          ':until': later.toISOString(),
        },
        ReturnValues: 'ALL_NEW',
      });
    });

    it('leases the xAPI statement on its own lane, apart from the webhook', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({
        Attributes: { ...key, ...acknowledgedXapi, ...INDEX_ONLY, xapiLeaseUntil: later.toISOString() },
      });

      // Act
      const claimed = await store().claimWork('a1', 'xapi', now, later, later.toISOString());

      // Assess
      expect(claimed).toEqual({ ...acknowledgedXapi, xapiLeaseUntil: later.toISOString() });
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        TableName: 'attest',
        Key: key,
        UpdateExpression: 'SET xapiLeaseUntil = :until',
        ConditionExpression:
          `${XAPI_OWED} AND xapiDueAt = :seen ` +
          'AND (attribute_not_exists(xapiLeaseUntil) OR xapiLeaseUntil < :now)',
        ExpressionAttributeValues: {
          ':due': 'due',
          ':seen': later.toISOString(),
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

  describe('recordSentAttempt and getSentAttempt', () => {
    it('notes the message id an attempt became beside its assignment, the first note standing', async () => {
      // Prepare
      ddb.on(PutCommand).rejects(conditionFailed());

      // Act
      const note = store().recordSentAttempt('a1', 'Tq-3Jm0aWkE', 'ses-1', now);

      // Assess
      await expect(note).resolves.toBeUndefined();
      expect(ddb).toReceiveCommandWith(PutCommand, {
        TableName: 'attest',
        Item: { pk: 'ASSIGN#a1', sk: 'ATTEMPT#Tq-3Jm0aWkE', messageId: 'ses-1', at: now.toISOString() },
        ConditionExpression: 'attribute_not_exists(pk)',
      });
    });

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
    it('removes the mail lease only while that email is still owed, and ignores a failed condition', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(conditionFailed());

      // Act
      const release = store().releaseWork('a1', 'invite');

      // Assess
      await expect(release).resolves.toBeUndefined();
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        Key: key,
        UpdateExpression: 'REMOVE leaseUntil',
        ConditionExpression: 'dueKind = :kind',
        ExpressionAttributeValues: { ':kind': 'invite' },
      });
    });

    it('forgets an attempt SES refused with the lease, only while it is still the lane’s attempt', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      await store().releaseWork('a1', 'invite', 'Tq-3Jm0aWkE');

      // Assess
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        Key: key,
        UpdateExpression: 'REMOVE leaseUntil, attempt',
        ConditionExpression: 'dueKind = :kind AND attempt.id = :attempt',
        ExpressionAttributeValues: { ':kind': 'invite', ':attempt': 'Tq-3Jm0aWkE' },
      });
    });

    it('removes the LMS lease only while the delivery is still owed, not dead-lettered', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      await store().releaseWork('a1', 'lms');

      // Assess
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input).toEqual({
        TableName: 'attest',
        Key: key,
        UpdateExpression: 'REMOVE lmsLeaseUntil',
        ConditionExpression: LMS_OWED,
        ExpressionAttributeValues: { ':due': 'due' },
      });
    });

    it('removes the xAPI lease only while the statement is still owed', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      await store().releaseWork('a1', 'xapi');

      // Assess
      expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toEqual({
        TableName: 'attest',
        Key: key,
        UpdateExpression: 'REMOVE xapiLeaseUntil',
        ConditionExpression: XAPI_OWED,
        ExpressionAttributeValues: { ':due': 'due' },
      });
    });

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
    it('records an invite with its chase, moving the status on and the lane to the next step', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});
      const send = { kind: 'invite' as const, tokenId: 't1', messageId: 'ses-1', at: now.toISOString() };
      const chase = { invitedAt: now.toISOString(), remindersSent: 0 };

      // Act
      await store().recordSend('a1', send, {
        status: 'invited',
        chase,
        next: { kind: 'reminder', dueAt: later },
      });

      // Assess
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        TableName: 'attest',
        Key: key,
        UpdateExpression:
          'SET sends = list_append(if_not_exists(sends, :none), :send), #status = :status, chase = :chase, ' +
          'dueKind = :next, dueAt = :nextAt REMOVE leaseUntil',
        ConditionExpression: SEND_CONDITION,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': 'invited',
          ':kind': 'invite',
          ':none': [],
          ':send': [send],
          ':chase': chase,
          ':next': 'reminder',
          ':nextAt': later.toISOString(),
        },
      });
    });

    it('records a receipt and clears the mail lane, leaving the status acknowledged', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});
      const send = { kind: 'receipt' as const, messageId: 'ses-2', at: now.toISOString() };

      // Act
      await store().recordSend('a1', send);

      // Assess
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input).toMatchObject({
        Key: key,
        UpdateExpression: `SET sends = list_append(if_not_exists(sends, :none), :send) ${SEND_REMOVE}`,
        ConditionExpression: SEND_CONDITION,
      });
      expect(input?.ExpressionAttributeValues).toEqual({ ':kind': 'receipt', ':none': [], ':send': [send] });
      // DynamoDB refuses a name the expressions do not use.
      expect(input).not.toHaveProperty('ExpressionAttributeNames');
    });

    it('moves a reminder on to the next step, naming no attribute when the status stays', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});
      const send = { kind: 'reminder' as const, tokenId: 't2', messageId: 'ses-3', at: now.toISOString() };
      const chase = { invitedAt: now.toISOString(), remindersSent: 1 };

      // Act
      await store().recordSend('a1', send, { chase, next: { kind: 'escalation', dueAt: later } });

      // Assess
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input).toEqual({
        TableName: 'attest',
        Key: key,
        UpdateExpression:
          'SET sends = list_append(if_not_exists(sends, :none), :send), chase = :chase, ' +
          'dueKind = :next, dueAt = :nextAt REMOVE leaseUntil',
        ConditionExpression: SEND_CONDITION,
        ExpressionAttributeValues: {
          ':kind': 'reminder',
          ':none': [],
          ':send': [send],
          ':chase': chase,
          ':next': 'escalation',
          ':nextAt': later.toISOString(),
        },
      });
    });

    it('records the last email of a chase and clears the mail lane, keeping its chase', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});
      const send = { kind: 'reminder' as const, tokenId: 't3', messageId: 'ses-4', at: now.toISOString() };
      const chase = { invitedAt: now.toISOString(), remindersSent: 2 };

      // Act
      await store().recordSend('a1', send, { chase });

      // Assess
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        Key: key,
        UpdateExpression: `SET sends = list_append(if_not_exists(sends, :none), :send), chase = :chase ${SEND_REMOVE}`,
        ConditionExpression: SEND_CONDITION,
        ExpressionAttributeValues: { ':kind': 'reminder', ':none': [], ':send': [send], ':chase': chase },
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
    it('clears the mail lane and its lease, only for the lease holder of that step', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      await store().finishStep('a1', 'reminder');

      // Assess
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input).toEqual({
        TableName: 'attest',
        Key: key,
        UpdateExpression: SEND_REMOVE,
        ConditionExpression: SEND_CONDITION,
        ExpressionAttributeValues: { ':kind': 'reminder' },
      });
    });

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
    it("marks the owner overdue in the manager's digest, the mail lane owing the digest email", async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      await store().escalate('a1', { at: now, digest: digestKey, digestDueAt: later });

      // Assess
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input).toEqual({
        TableName: 'attest',
        Key: key,
        UpdateExpression:
          'SET #status = :overdue, escalatedAt = :at, digest = :digest, ' +
          'dueKind = :digestKind, dueAt = :digestAt REMOVE leaseUntil',
        ConditionExpression: ESCALATION_CONDITION,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':escalation': 'escalation',
          ':overdue': 'overdue',
          ':at': now.toISOString(),
          ':digest': digestKey,
          ':digestKind': 'digest',
          ':digestAt': later.toISOString(),
        },
      });
    });

    it('marks a member overdue in the digest and clears the mail lane, which owes nothing more', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      await store().escalate('a1', { at: now, digest: digestKey });

      // Assess
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        Key: key,
        UpdateExpression: `SET #status = :overdue, escalatedAt = :at, digest = :digest ${SEND_REMOVE}`,
        ConditionExpression: ESCALATION_CONDITION,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':escalation': 'escalation',
          ':overdue': 'overdue',
          ':at': now.toISOString(),
          ':digest': digestKey,
        },
      });
    });

    it('marks an assignment without a manager overdue, with no digest', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      await store().escalate('a1', { at: now });

      // Assess
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        UpdateExpression: `SET #status = :overdue, escalatedAt = :at ${SEND_REMOVE}`,
        ConditionExpression: ESCALATION_CONDITION,
        ExpressionAttributeValues: {
          ':escalation': 'escalation',
          ':overdue': 'overdue',
          ':at': now.toISOString(),
        },
      });
    });

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

    it('answers owner to the first to join, who becomes the owner, adding it to the members', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({
        Attributes: {
          ...digestItemKey,
          ...digestKey,
          managerName: 'Mia',
          owner: 'a1',
          members: new Set(['a1']),
        },
      });

      // Act
      const role = await store().joinDigest(digestKey, 'Mia', 'a1');

      // Assess
      expect(role).toBe('owner');
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        TableName: 'attest',
        Key: digestItemKey,
        UpdateExpression:
          'SET managerEmail = :email, #day = :day, managerName = if_not_exists(managerName, :name), ' +
          '#owner = if_not_exists(#owner, :me) ADD members :me_set',
        ConditionExpression: 'attribute_not_exists(closedAt)',
        ExpressionAttributeNames: { '#owner': 'owner', '#day': 'day' },
        ExpressionAttributeValues: {
          ':email': digestKey.managerEmail,
          ':day': digestKey.day,
          ':name': 'Mia',
          ':me': 'a1',
          ':me_set': new Set(['a1']),
        },
        ReturnValues: 'ALL_NEW',
      });
      // A string set, so that DynamoDB's ADD unions it (a list would be refused).
      const members =
        ddb.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues?.[':me_set'];
      expect(members).toBeInstanceOf(Set);
    });

    it('answers member to a later joiner, the owner being another', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({
        Attributes: { ...digestItemKey, ...digestKey, owner: 'a0', members: new Set(['a0', 'a2']) },
      });

      // Act
      const role = await store().joinDigest(digestKey, 'Mia', 'a2');

      // Assess
      expect(role).toBe('member');
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        ExpressionAttributeValues: expect.objectContaining({ ':me': 'a2', ':me_set': new Set(['a2']) }),
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
    it('closes the digest, keeping the first closing time and closer, and answers it with its members', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({
        Attributes: {
          ...digestItemKey,
          ...digestKey,
          managerName: 'Mia',
          owner: 'a1',
          members: new Set(['a1', 'a2']),
          closedAt: now.toISOString(),
          closedBy: 'a2',
        },
      });

      // Act
      const digest = await store().closeDigest(digestKey, 'a1', later);

      // Assess
      expect(digest).toEqual({
        ...digestKey,
        managerName: 'Mia',
        owner: 'a1',
        members: ['a1', 'a2'],
        closedAt: now.toISOString(),
        closedBy: 'a2',
      });
      expect(Array.isArray(digest?.members)).toBe(true);
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input).toEqual({
        TableName: 'attest',
        Key: digestItemKey,
        UpdateExpression:
          'SET closedAt = if_not_exists(closedAt, :at), closedBy = if_not_exists(closedBy, :by)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':by': 'a1', ':at': later.toISOString() },
        ReturnValues: 'ALL_NEW',
      });
    });

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

  describe('reopenCancelled', () => {
    it('owes a fresh invite on an ask cancelled with its starter, and answers false for any other', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolvesOnce({}).rejectsOnce(conditionFailed());

      // Act
      const reopened = await store().reopenCancelled('a1', { dueAt: later });
      const refused = await store().reopenCancelled('a1', { dueAt: later });

      // Assess: not signed, not withdrawn for a newer version; the chase starts afresh
      expect([reopened, refused]).toEqual([true, false]);
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        Key: key,
        UpdateExpression:
          'SET #status = :pending, dueKind = :invite, dueAt = :at, dueShard = :shard ' +
          'REMOVE cancelledAt, chase, digest, bounce, leaseUntil, attempt',
        ConditionExpression:
          '#status = :cancelled AND attribute_not_exists(ack) AND attribute_not_exists(supersededBy)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':pending': 'pending',
          ':invite': 'invite',
          ':at': later.toISOString(),
          ':shard': 'due',
          ':cancelled': 'cancelled',
        },
      });
    });
  });

  describe('reopenCancelled, the address still refusing', () => {
    it('makes the ask bounced again, owing nothing, keeping why', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      const reopened = await store().reopenCancelled('a1', { bounced: true });

      // Assess
      expect(reopened).toBe(true);
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        Key: key,
        UpdateExpression: 'SET #status = :bounced REMOVE cancelledAt, chase, digest, leaseUntil, attempt',
        ConditionExpression:
          '#status = :cancelled AND attribute_not_exists(ack) AND attribute_not_exists(supersededBy)',
        ExpressionAttributeValues: { ':bounced': 'bounced', ':cancelled': 'cancelled' },
      });
    });
  });

  describe('markBounced', () => {
    const bounce = { reason: 'bounced' as const, email: 'sam@example.com', at: now.toISOString() };

    it("stops chasing a bounced address and owes the manager's notice, answering true", async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      const changed = await store().markBounced('a1', bounce, later);

      // Assess
      expect(changed).toBe(true);
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input).toEqual({
        TableName: 'attest',
        Key: key,
        UpdateExpression:
          'SET #status = :bounced, bounce = :bounce, dueKind = :notice, dueAt = :at, dueShard = :shard ' +
          'REMOVE leaseUntil',
        ConditionExpression: BOUNCE_CONDITION,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':bounced': 'bounced',
          ':cancelled': 'cancelled',
          ':bounce': bounce,
          ':notice': 'bounce-notice',
          ':at': later.toISOString(),
          ':shard': 'due',
        },
      });
    });

    it('stops chasing and clears the mail lane when there is no manager to tell', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});
      const complaint = { ...bounce, reason: 'complained' as const };

      // Act
      const changed = await store().markBounced('a1', complaint, undefined);

      // Assess
      expect(changed).toBe(true);
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        Key: key,
        UpdateExpression: `SET #status = :bounced, bounce = :bounce ${SEND_REMOVE}`,
        ConditionExpression: BOUNCE_CONDITION,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':bounced': 'bounced', ':cancelled': 'cancelled', ':bounce': complaint },
      });
    });

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
        { lms: { webhookId: 'msg_1' } },
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
          ':shard': 'due',
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
        { lms: { webhookId: 'msg_1' }, xapi: { statementId: 'st_1' } },
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
          ':shard': 'due',
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

    it('owes only the xAPI statement when only the LRS is configured, touching nothing of the webhook', async () => {
      // Prepare
      const evidence = { evidenceId: 'ev_1', policyId: 'p', policyVersion: 3 } as Evidence;
      ddb.on(UpdateCommand).resolves({ Attributes: { ...key, assignmentId: 'a1', ack: evidence } });

      // Act
      await store().recordAcknowledgement('a1', evidence, { xapi: { statementId: 'st_1' } }, later);

      // Assess
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input?.UpdateExpression).toBe(ackUpdate('xapi'));
      expect(input?.UpdateExpression).not.toMatch(/\blms/);
      expect(input?.ExpressionAttributeValues).not.toHaveProperty(':lms');
      expect(input?.ExpressionAttributeValues).toMatchObject({
        ':xapi': { state: 'pending', statementId: 'st_1', attempts: 0 },
      });
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
        { lms: { webhookId: 'msg_2' } },
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
        { lms: { webhookId: 'msg' } },
        later,
      );

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
      await expect(cancel).resolves.toBe(false);
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        UpdateExpression:
          'SET #status = :cancelled, cancelledAt = :at REMOVE dueAt, dueKind, dueShard, leaseUntil',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(ack)',
        ExpressionAttributeValues: { ':cancelled': 'cancelled', ':at': now.toISOString() },
      });
    });

    it('records which assignment supersedes it, in the same write', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      await store().cancelAssignment('a1', now, { assignmentId: 'a2', version: 2 });

      // Assess
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        UpdateExpression:
          'SET #status = :cancelled, cancelledAt = :at, supersededBy = :by REMOVE dueAt, dueKind, dueShard, leaseUntil',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(ack)',
        ExpressionAttributeValues: {
          ':cancelled': 'cancelled',
          ':at': now.toISOString(),
          ':by': { assignmentId: 'a2', version: 2 },
        },
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
        ConditionExpression: FRESH_LINK_CONDITION,
        ExpressionAttributeValues: expect.objectContaining({
          ':since': since.toISOString(),
          ':now': now.toISOString(),
        }),
      });
    });

    it('makes the invite owed now in place of an owed invite or reminder, refusing a bounced address', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});
      const since = new Date('2026-11-24T09:45:00.000Z');

      // Act
      const granted = await store().requestFreshLink('a1', now, since);

      // Assess
      expect(granted).toBe(true);
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input).toEqual({
        TableName: 'attest',
        Key: key,
        UpdateExpression:
          'SET dueKind = :invite, dueAt = :now, dueShard = :shard, freshLinkAt = :now REMOVE attempt',
        ConditionExpression: FRESH_LINK_CONDITION,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':invite': 'invite',
          ':reminder': 'reminder',
          ':now': now.toISOString(),
          ':since': since.toISOString(),
          ':shard': 'due',
          ':cancelled': 'cancelled',
          ':bounced': 'bounced',
        },
      });
    });

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

    it('counts a failed attempt, gives the LMS lease back and keeps the delivery owed from the retry', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      await store().recordDeliveryAttempt('a1', 'lms', { status: 503, at: now, outcome: { retryAt: later } });

      // Assess
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input).toEqual({
        TableName: 'attest',
        Key: key,
        UpdateExpression:
          'SET lms.attempts = lms.attempts + :one, lms.lastStatus = :status, ' +
          'lmsDueAt = :retryAt, lms.nextAttemptAt = :retryAt REMOVE lmsLeaseUntil',
        ConditionExpression: LMS_OWED,
        ExpressionAttributeValues: {
          ':one': 1,
          ':status': 503,
          ':retryAt': later.toISOString(),
          ':due': 'due',
        },
      });
      // DynamoDB refuses a name the expressions do not use.
      expect(input).not.toHaveProperty('ExpressionAttributeNames');
    });

    it('records a timeout as a null status', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      await store().recordDeliveryAttempt('a1', 'lms', {
        status: null,
        at: now,
        outcome: { retryAt: later },
      });

      // Assess
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        ExpressionAttributeValues: {
          ':one': 1,
          ':status': null,
          ':retryAt': later.toISOString(),
          ':due': 'due',
        },
      });
    });

    it('parks a delivery that was never sent without counting an attempt or a status', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});
      const letter = { reason: 'disabled' as const, status: null, at: now.toISOString() };

      // Act
      await store().recordDeliveryAttempt('a1', 'xapi', {
        status: null,
        at: now,
        outcome: { dead: letter },
        sent: false,
      });

      // Assess
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input?.UpdateExpression).toBe(
        'SET xapi.#state = :dead, xapi.deadLetter = :letter, xapiShard = :deadShard, xapiDueAt = :at ' +
          'REMOVE xapiLeaseUntil, xapi.nextAttemptAt',
      );
      expect(input?.ExpressionAttributeValues).not.toHaveProperty(':one');
      expect(input?.ExpressionAttributeValues).not.toHaveProperty(':status');
    });

    it('marks a delivered attempt and clears the LMS lane, leaving the mail lane alone', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      await store().recordDeliveryAttempt('a1', 'lms', {
        status: 204,
        at: now,
        outcome: { delivered: true },
      });

      // Assess
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input).toEqual({
        TableName: 'attest',
        Key: key,
        UpdateExpression:
          'SET lms.attempts = lms.attempts + :one, lms.lastStatus = :status, lms.#state = :delivered, ' +
          'lms.deliveredAt = :at REMOVE lmsLeaseUntil, lmsDueAt, lmsShard, lms.nextAttemptAt',
        ConditionExpression: LMS_OWED,
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':one': 1,
          ':status': 204,
          ':delivered': 'delivered',
          ':at': now.toISOString(),
          ':due': 'due',
        },
      });
    });

    it('parks a dead delivery under the dead shard of the LMS index, by when, with its dead letter', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      await store().recordDeliveryAttempt('a1', 'lms', { status: 422, at: now, outcome: { dead: letter } });

      // Assess
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input).toEqual({
        TableName: 'attest',
        Key: key,
        UpdateExpression:
          'SET lms.attempts = lms.attempts + :one, lms.lastStatus = :status, lms.#state = :dead, ' +
          'lms.deadLetter = :letter, lmsShard = :deadShard, lmsDueAt = :at ' +
          'REMOVE lmsLeaseUntil, lms.nextAttemptAt',
        ConditionExpression: LMS_OWED,
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':one': 1,
          ':status': 422,
          ':dead': 'dead',
          ':letter': letter,
          ':deadShard': 'dead',
          ':at': now.toISOString(),
          ':due': 'due',
        },
      });
    });

    it('counts a failed xAPI attempt on the xAPI lane, keeping it owed from the retry', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      await store().recordDeliveryAttempt('a1', 'xapi', {
        status: 503,
        at: now,
        outcome: { retryAt: later },
      });

      // Assess
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input).toEqual({
        TableName: 'attest',
        Key: key,
        UpdateExpression:
          'SET xapi.attempts = xapi.attempts + :one, xapi.lastStatus = :status, ' +
          'xapiDueAt = :retryAt, xapi.nextAttemptAt = :retryAt REMOVE xapiLeaseUntil',
        ConditionExpression: XAPI_OWED,
        ExpressionAttributeValues: {
          ':one': 1,
          ':status': 503,
          ':retryAt': later.toISOString(),
          ':due': 'due',
        },
      });
      expect(input).not.toHaveProperty('ExpressionAttributeNames');
    });

    it('marks a delivered statement and clears the xAPI lane, leaving the webhook lane alone', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      await store().recordDeliveryAttempt('a1', 'xapi', {
        status: 204,
        at: now,
        outcome: { delivered: true },
      });

      // Assess
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input).toEqual({
        TableName: 'attest',
        Key: key,
        UpdateExpression:
          'SET xapi.attempts = xapi.attempts + :one, xapi.lastStatus = :status, xapi.#state = :delivered, ' +
          'xapi.deliveredAt = :at REMOVE xapiLeaseUntil, xapiDueAt, xapiShard, xapi.nextAttemptAt',
        ConditionExpression: XAPI_OWED,
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':one': 1,
          ':status': 204,
          ':delivered': 'delivered',
          ':at': now.toISOString(),
          ':due': 'due',
        },
      });
      expect(input?.UpdateExpression).not.toMatch(/\blms/);
    });

    it('parks a dead statement under the dead shard of the xAPI index, by when, with its dead letter', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      await store().recordDeliveryAttempt('a1', 'xapi', { status: 400, at: now, outcome: { dead: letter } });

      // Assess
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input).toEqual({
        TableName: 'attest',
        Key: key,
        UpdateExpression:
          'SET xapi.attempts = xapi.attempts + :one, xapi.lastStatus = :status, xapi.#state = :dead, ' +
          'xapi.deadLetter = :letter, xapiShard = :deadShard, xapiDueAt = :at ' +
          'REMOVE xapiLeaseUntil, xapi.nextAttemptAt',
        ConditionExpression: XAPI_OWED,
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':one': 1,
          ':status': 400,
          ':dead': 'dead',
          ':letter': letter,
          ':deadShard': 'dead',
          ':at': now.toISOString(),
          ':due': 'due',
        },
      });
    });

    it('throws when the delivery is no longer owed', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(conditionFailed());

      // Act
      const record = store().recordDeliveryAttempt('a1', 'lms', {
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
      const record = store().recordDeliveryAttempt('a1', 'lms', {
        status: 410,
        at: now,
        outcome: { dead: letter },
      });

      // Assess
      await expect(record).rejects.toThrow('InternalServerError');
    });
  });

  describe('deadLetters', () => {
    it('reads the dead shard of the webhook index, oldest first, each with its lane and when it died', async () => {
      // Prepare
      ddb.on(QueryCommand, { IndexName: 'lms-due' }).resolves({
        Items: [
          { ...key, ...acknowledged, lmsShard: 'dead', lmsDueAt: now.toISOString() },
          { assignmentId: 'a2', lmsShard: 'dead', lmsDueAt: later.toISOString() },
        ],
      });
      ddb.on(QueryCommand, { IndexName: 'xapi-due' }).resolves({ Items: [] });

      // Act
      const dead = await store().deadLetters(25);

      // Assess
      expect(dead).toEqual([
        { assignmentId: 'a1', kind: 'lms', deadAt: now.toISOString() },
        { assignmentId: 'a2', kind: 'lms', deadAt: later.toISOString() },
      ]);
      const input = ddb.commandCalls(QueryCommand)[0]?.args[0].input;
      expect(input).toEqual({
        TableName: 'attest',
        IndexName: 'lms-due',
        KeyConditionExpression: 'lmsShard = :dead',
        ExpressionAttributeValues: { ':dead': 'dead' },
        Limit: 25,
      });
    });

    it("reads the dead shard of the xAPI index too, merging both lanes' dead letters oldest first", async () => {
      // Prepare
      const at = (minute: number) => `2026-11-24T10:0${minute}:00.000Z`;
      // Each index projects the whole item, the other lane included: only the lane's own due time counts.
      ddb.on(QueryCommand, { IndexName: 'lms-due' }).resolves({
        Items: [
          { assignmentId: 'a1', lmsShard: 'dead', lmsDueAt: at(1), xapiDueAt: at(9) },
          { assignmentId: 'a3', lmsShard: 'dead', lmsDueAt: at(4) },
        ],
      });
      ddb.on(QueryCommand, { IndexName: 'xapi-due' }).resolves({
        Items: [
          { assignmentId: 'a2', xapiShard: 'dead', xapiDueAt: at(2), lmsDueAt: at(0) },
          { assignmentId: 'a1', xapiShard: 'dead', xapiDueAt: at(5), lmsDueAt: at(1) },
        ],
      });

      // Act
      const dead = await store().deadLetters(25);

      // Assess
      expect(dead).toEqual([
        { assignmentId: 'a1', kind: 'lms', deadAt: at(1) },
        { assignmentId: 'a2', kind: 'xapi', deadAt: at(2) },
        { assignmentId: 'a3', kind: 'lms', deadAt: at(4) },
        { assignmentId: 'a1', kind: 'xapi', deadAt: at(5) },
      ]);
      expect(ddb).toReceiveCommandTimes(QueryCommand, 2);
      expect(ddb).toReceiveCommandWith(QueryCommand, {
        TableName: 'attest',
        IndexName: 'xapi-due',
        KeyConditionExpression: 'xapiShard = :dead',
        ExpressionAttributeValues: { ':dead': 'dead' },
        Limit: 25,
      });
    });

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
    it('owes one destination its delivery, only on a signed assignment that has none there', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      const owed = await store().oweDelivery('a1', { xapi: { statementId: 'st_1' } }, now);

      // Assess
      expect(owed).toBe(true);
      expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toEqual({
        TableName: 'attest',
        Key: key,
        UpdateExpression: 'SET xapi = :xapi, xapiDueAt = :due, xapiShard = :shard',
        ConditionExpression: 'attribute_exists(ack) AND attribute_not_exists(xapi)',
        ExpressionAttributeValues: {
          ':xapi': { state: 'pending', attempts: 0, statementId: 'st_1' },
          ':due': now.toISOString(),
          ':shard': 'due',
        },
      });
    });

    it('answers false when the condition fails (unsigned, or a delivery there already)', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(conditionFailed());

      // Act / Assess
      expect(await store().oweDelivery('a1', { lms: { webhookId: 'wh_1' } }, now)).toBe(false);
    });

    it.each([[{}], [{ lms: { webhookId: 'w' }, xapi: { statementId: 's' } }]])(
      'refuses anything but exactly one delivery: %j',
      async (deliveries) => {
        // Act / Assess
        await expect(store().oweDelivery('a1', deliveries, now)).rejects.toThrow(RangeError);
        expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
      },
    );
  });

  describe('replayDelivery', () => {
    it('makes a dead-lettered delivery owed again from the time given, counting afresh, answering true', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      const replayed = await store().replayDelivery('a1', 'lms', later);

      // Assess
      expect(replayed).toBe(true);
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input).toEqual({
        TableName: 'attest',
        Key: key,
        UpdateExpression:
          'SET lms.#state = :pending, lms.attempts = :zero, lmsShard = :due, lmsDueAt = :at ' +
          'REMOVE lms.deadLetter, lmsLeaseUntil',
        ConditionExpression: 'lmsShard = :dead',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':pending': 'pending',
          ':zero': 0,
          ':due': 'due',
          ':dead': 'dead',
          ':at': later.toISOString(),
        },
      });
    });

    it('makes a dead-lettered xAPI statement owed again on its own lane', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      const replayed = await store().replayDelivery('a1', 'xapi', later);

      // Assess
      expect(replayed).toBe(true);
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input).toEqual({
        TableName: 'attest',
        Key: key,
        UpdateExpression:
          'SET xapi.#state = :pending, xapi.attempts = :zero, xapiShard = :due, xapiDueAt = :at ' +
          'REMOVE xapi.deadLetter, xapiLeaseUntil',
        ConditionExpression: 'xapiShard = :dead',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':pending': 'pending',
          ':zero': 0,
          ':due': 'due',
          ':dead': 'dead',
          ':at': later.toISOString(),
        },
      });
    });

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
      const replay = store().replayDelivery('a1', 'lms', later);

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
      const destination = await store().getDestination('lms');

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
      const destination = await store().getDestination('lms');

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
      const webhook = await store().getDestination('lms');
      const xapi = await store().getDestination('xapi');

      // Assess
      expect(webhook).toEqual({ state: 'enabled' });
      expect(xapi).toEqual({ state: 'disabled', reason: '410 Gone', at: now.toISOString() });
      expect(ddb).toReceiveNthCommandWith(GetCommand, 1, { Key: destinationKey, ConsistentRead: true });
      expect(ddb).toReceiveNthCommandWith(GetCommand, 2, { Key: xapiDestinationKey, ConsistentRead: true });
    });
  });

  describe('setDestination', () => {
    it('stores the destination under its own key', async () => {
      // Prepare
      ddb.on(PutCommand).resolves({});
      const destination: Destination = { state: 'disabled', reason: '410 Gone', at: now.toISOString() };

      // Act
      await store().setDestination('lms', destination);

      // Assess
      const input = ddb.commandCalls(PutCommand)[0]?.args[0].input;
      expect(input).toEqual({
        TableName: 'attest',
        Item: {
          pk: 'DESTINATION#lms',
          sk: 'WEBHOOK',
          state: 'disabled',
          reason: '410 Gone',
          at: now.toISOString(),
        },
      });
    });

    it("stores the xAPI destination under a key of its own, apart from the webhook's", async () => {
      // Prepare
      ddb.on(PutCommand).resolves({});

      // Act
      await store().setDestination('xapi', { state: 'enabled', at: now.toISOString() });

      // Assess
      expect(ddb).toReceiveCommandTimes(PutCommand, 1);
      expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
        TableName: 'attest',
        Item: { pk: 'DESTINATION#lms', sk: 'XAPI', state: 'enabled', at: now.toISOString() },
      });
    });

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
    it('reads every lane from its sparse index and answers oldest first, the webhook lane as lms', async () => {
      // Prepare
      ddb.on(QueryCommand, { IndexName: 'due' }).resolves({
        Items: [
          { assignmentId: 'a1', dueAt: 't3', dueKind: 'invite' },
          { assignmentId: 'a2', dueAt: 't1', dueKind: 'receipt' },
        ],
      });
      // The LMS index projects the whole item, mail lane included: only lmsDueAt counts here.
      ddb.on(QueryCommand, { IndexName: 'lms-due' }).resolves({
        Items: [{ assignmentId: 'a2', lmsDueAt: 't2', dueAt: 't1', dueKind: 'receipt' }],
      });
      ddb.on(QueryCommand, { IndexName: 'xapi-due' }).resolves({ Items: [] });

      // Act
      const due = await store().queryDue(now, 10);

      // Assess
      expect(due).toEqual([
        { assignmentId: 'a2', dueAt: 't1', dueKind: 'receipt' },
        { assignmentId: 'a2', dueAt: 't2', dueKind: 'lms' },
        { assignmentId: 'a1', dueAt: 't3', dueKind: 'invite' },
      ]);
      expect(ddb).toReceiveCommandTimes(QueryCommand, 3);
      expect(ddb).toReceiveNthCommandWith(QueryCommand, 1, {
        TableName: 'attest',
        IndexName: 'due',
        KeyConditionExpression: 'dueShard = :shard AND dueAt <= :before',
        ExpressionAttributeValues: { ':shard': 'due', ':before': now.toISOString() },
        Limit: 10,
      });
      expect(ddb).toReceiveNthCommandWith(QueryCommand, 2, {
        TableName: 'attest',
        IndexName: 'lms-due',
        KeyConditionExpression: 'lmsShard = :shard AND lmsDueAt <= :before',
        ExpressionAttributeValues: { ':shard': 'due', ':before': now.toISOString() },
        Limit: 10,
      });
      expect(ddb).toReceiveNthCommandWith(QueryCommand, 3, {
        TableName: 'attest',
        IndexName: 'xapi-due',
        KeyConditionExpression: 'xapiShard = :shard AND xapiDueAt <= :before',
        ExpressionAttributeValues: { ':shard': 'due', ':before': now.toISOString() },
        Limit: 10,
      });
    });

    it('answers a statement owed on the xAPI lane as xapi, by its own due time', async () => {
      // Prepare
      ddb.on(QueryCommand, { IndexName: 'due' }).resolves({ Items: [] });
      ddb.on(QueryCommand, { IndexName: 'lms-due' }).resolves({
        Items: [{ assignmentId: 'a1', lmsDueAt: 't3', xapiDueAt: 't1' }],
      });
      // The xAPI index projects the whole item too: only xapiDueAt counts here.
      ddb.on(QueryCommand, { IndexName: 'xapi-due' }).resolves({
        Items: [{ assignmentId: 'a1', xapiDueAt: 't1', lmsDueAt: 't3', dueAt: 't0', dueKind: 'receipt' }],
      });

      // Act
      const due = await store().queryDue(now, 10);

      // Assess
      expect(due).toEqual([
        { assignmentId: 'a1', dueAt: 't1', dueKind: 'xapi' },
        { assignmentId: 'a1', dueAt: 't3', dueKind: 'lms' },
      ]);
    });

    it('reads each lane page by page, asking for no more than the limit per lane', async () => {
      // Prepare
      ddb
        .on(QueryCommand, { IndexName: 'due' })
        .resolvesOnce({
          Items: [{ assignmentId: 'a1', dueAt: 't1', dueKind: 'invite' }],
          LastEvaluatedKey: { pk: 'x' },
        })
        .resolves({ Items: [{ assignmentId: 'a2', dueAt: 't3', dueKind: 'invite' }] });
      ddb
        .on(QueryCommand, { IndexName: 'lms-due' })
        .resolves({ Items: [{ assignmentId: 'a3', lmsDueAt: 't2' }] });
      ddb
        .on(QueryCommand, { IndexName: 'xapi-due' })
        .resolves({ Items: [{ assignmentId: 'a4', xapiDueAt: 't4' }] });

      // Act
      const due = await store().queryDue(now, 10);

      // Assess
      expect(due.map((item) => item.assignmentId)).toEqual(['a1', 'a3', 'a2', 'a4']);
      expect(ddb).toReceiveCommandTimes(QueryCommand, 4);
      expect(ddb).toReceiveNthCommandWith(QueryCommand, 2, {
        IndexName: 'due',
        Limit: 9,
        ExclusiveStartKey: { pk: 'x' },
      });
      // The LMS lane starts afresh, from its own first page and with its own limit.
      expect(ddb).toReceiveNthCommandWith(QueryCommand, 3, { IndexName: 'lms-due', Limit: 10 });
      expect(ddb.commandCalls(QueryCommand)[2]?.args[0].input.ExclusiveStartKey).toBeUndefined();
      expect(ddb).toReceiveNthCommandWith(QueryCommand, 4, { IndexName: 'xapi-due', Limit: 10 });
      expect(ddb.commandCalls(QueryCommand)[3]?.args[0].input.ExclusiveStartKey).toBeUndefined();
    });

    it('stops each lane at the limit even when more pages remain', async () => {
      // Prepare
      ddb.on(QueryCommand, { IndexName: 'due' }).resolves({
        Items: [
          { assignmentId: 'a1', dueAt: 't1', dueKind: 'invite' },
          { assignmentId: 'a2', dueAt: 't2', dueKind: 'invite' },
        ],
        LastEvaluatedKey: { pk: 'more' },
      });
      ddb.on(QueryCommand, { IndexName: 'lms-due' }).resolves({
        Items: [
          { assignmentId: 'a3', lmsDueAt: 't1' },
          { assignmentId: 'a4', lmsDueAt: 't2' },
        ],
        LastEvaluatedKey: { pk: 'more' },
      });
      ddb.on(QueryCommand, { IndexName: 'xapi-due' }).resolves({
        Items: [
          { assignmentId: 'a5', xapiDueAt: 't1' },
          { assignmentId: 'a6', xapiDueAt: 't2' },
        ],
        LastEvaluatedKey: { pk: 'more' },
      });

      // Act
      const due = await store().queryDue(now, 2);

      // Assess
      expect(due).toHaveLength(6);
      expect(ddb).toReceiveCommandTimes(QueryCommand, 3);
    });

    it('answers nothing due with an empty list', async () => {
      // Prepare
      ddb.on(QueryCommand).resolves({});

      // Act
      const due = await store().queryDue(now, 10);

      // Assess
      expect(due).toEqual([]);
      expect(ddb).toReceiveCommandTimes(QueryCommand, 3);
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
      const lms = await store().laneDue('a1', 'lms');
      const xapi = await store().laneDue('a1', 'xapi');

      // Assess
      expect(mail).toEqual({ assignmentId: 'a1', dueAt: '2026-11-27T10:00:00.000Z', dueKind: 'reminder' });
      // A dead letter is not owed work; a lane with no due time owes none.
      expect(lms).toBeUndefined();
      expect(xapi).toBeUndefined();
      expect(ddb).toReceiveCommandWith(GetCommand, { TableName: 'attest', Key: key, ConsistentRead: true });
    });
  });

  describe('deferDue', () => {
    it('claims a due email by compare-and-set on dueAt', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolvesOnce({}).rejects(conditionFailed());

      // Act
      const first = await store().deferDue('a1', 'invite', now.toISOString(), later);
      const second = await store().deferDue('a1', 'invite', now.toISOString(), later);

      // Assess
      expect([first, second]).toEqual([true, false]);
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        Key: key,
        UpdateExpression: 'SET dueAt = :next',
        ConditionExpression: 'dueAt = :seen',
        ExpressionAttributeValues: { ':seen': now.toISOString(), ':next': later.toISOString() },
      });
    });

    it('claims a due LMS delivery by compare-and-set on lmsDueAt', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolvesOnce({}).rejects(conditionFailed());

      // Act
      const first = await store().deferDue('a1', 'lms', now.toISOString(), later);
      const second = await store().deferDue('a1', 'lms', now.toISOString(), later);

      // Assess
      expect([first, second]).toEqual([true, false]);
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        Key: key,
        UpdateExpression: 'SET lmsDueAt = :next',
        ConditionExpression: 'lmsDueAt = :seen',
        ExpressionAttributeValues: { ':seen': now.toISOString(), ':next': later.toISOString() },
      });
    });

    it('claims a due xAPI statement by compare-and-set on xapiDueAt', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      const deferred = await store().deferDue('a1', 'xapi', now.toISOString(), later);

      // Assess
      expect(deferred).toBe(true);
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        Key: key,
        UpdateExpression: 'SET xapiDueAt = :next',
        ConditionExpression: 'xapiDueAt = :seen',
        ExpressionAttributeValues: { ':seen': now.toISOString(), ':next': later.toISOString() },
      });
    });

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
    /** Assignments 2 and 3 of policy p, made a minute apart, as the policy index stores them. */
    const second: Assignment = { ...assignment, assignmentId: 'a2', starterId: 's2' };
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
    const queried = (n: number) => ddb.commandCalls(QueryCommand)[n]?.args[0].input;

    it('reads the policy index for every assignment of the policy, oldest first, without a range', async () => {
      // Prepare
      ddb.on(QueryCommand).resolves({ Items: [indexed(assignment)] });

      // Act
      const pages = await collect(store().assignmentsOf('p'));

      // Assess
      expect(pages).toEqual([[ref(assignment)]]);
      expect(ddb).toReceiveCommandTimes(QueryCommand, 1);
      expect(queried(0)).toEqual({
        TableName: 'attest',
        IndexName: 'policy',
        KeyConditionExpression: 'policyId = :policy',
        ExpressionAttributeValues: { ':policy': 'p' },
      });
    });

    it('keeps the assignments made at or after `since`', async () => {
      // Prepare
      ddb.on(QueryCommand).resolves({ Items: [] });

      // Act
      await collect(store().assignmentsOf('p', { since: now }));

      // Assess
      expect(queried(0)).toEqual({
        TableName: 'attest',
        IndexName: 'policy',
        KeyConditionExpression: 'policyId = :policy AND createdAt >= :since',
        ExpressionAttributeValues: { ':policy': 'p', ':since': '2026-11-24T10:00:00.000Z' },
      });
    });

    it('keeps the assignments made before `until`, asking up to a millisecond short of it', async () => {
      // Prepare
      ddb.on(QueryCommand).resolves({ Items: [] });

      // Act
      await collect(store().assignmentsOf('p', { until: new Date('2026-11-25T00:00:00.000Z') }));

      // Assess
      expect(queried(0)).toEqual({
        TableName: 'attest',
        IndexName: 'policy',
        KeyConditionExpression: 'policyId = :policy AND createdAt <= :until',
        ExpressionAttributeValues: { ':policy': 'p', ':until': '2026-11-24T23:59:59.999Z' },
      });
    });

    it('keeps the assignments made from `since` up to a millisecond before `until`', async () => {
      // Prepare
      ddb.on(QueryCommand).resolves({ Items: [] });

      // Act
      await collect(
        store().assignmentsOf('p', {
          since: new Date('2026-11-01T00:00:00.000Z'),
          until: new Date('2026-12-01T00:00:00.000Z'),
        }),
      );

      // Assess
      expect(queried(0)).toEqual({
        TableName: 'attest',
        IndexName: 'policy',
        KeyConditionExpression: 'policyId = :policy AND createdAt BETWEEN :since AND :until',
        ExpressionAttributeValues: {
          ':policy': 'p',
          ':since': '2026-11-01T00:00:00.000Z',
          ':until': '2026-11-30T23:59:59.999Z',
        },
      });
    });

    it('reads nothing for an empty range', async () => {
      // Act
      const pages = await collect(store().assignmentsOf('p', { since: now, until: now }));

      // Assess: BETWEEN would refuse a lower bound above the upper
      expect(pages).toEqual([]);
      expect(ddb).toReceiveCommandTimes(QueryCommand, 0);
    });

    it('reads page after page from where the last one ended, yielding each as the index holds it', async () => {
      // Prepare
      ddb
        .on(QueryCommand)
        .resolvesOnce({
          Items: [indexed(assignment), indexed(second)],
          LastEvaluatedKey: { pk: 'ASSIGN#a2' },
        })
        .resolves({ Items: [indexed(third)] });

      // Act
      const pages = await collect(store().assignmentsOf('p', { since: now }));

      // Assess: the ids, status and creation time; not the table's keys
      expect(pages).toEqual([[ref(assignment), ref(second)], [ref(third)]]);
      for (const a of pages.flat()) expect(Object.keys(a).sort()).toEqual(Object.keys(ref(third)).sort());
      expect(ddb).toReceiveCommandTimes(QueryCommand, 2);
      expect(queried(1)).toEqual({
        TableName: 'attest',
        IndexName: 'policy',
        KeyConditionExpression: 'policyId = :policy AND createdAt >= :since',
        ExpressionAttributeValues: { ':policy': 'p', ':since': now.toISOString() },
        ExclusiveStartKey: { pk: 'ASSIGN#a2' },
      });
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

      // Assess: the put replaces a claim but never a response
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

    it('reads back the stored response, and nothing for an event only claimed', async () => {
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

    it('claims an event with no response and no unexpired claim, until the time given', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      const claim = await store().claimEvent('hr', 'evt_1', now, later, new Date('2026-12-01T10:00:00Z'));

      // Assess
      expect(claim).toEqual({ state: 'claimed' });
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        Key: receiptKey,
        UpdateExpression: 'SET claimedUntil = :until, expiresAt = :expires',
        ConditionExpression:
          'attribute_not_exists(#response) AND (attribute_not_exists(claimedUntil) OR claimedUntil < :now)',
        ExpressionAttributeNames: { '#response': 'response' },
        ExpressionAttributeValues: {
          ':until': later.toISOString(),
          ':now': now.toISOString(),
          ':expires': Date.parse('2026-12-01T10:00:00Z') / 1000,
        },
      });
    });

    it('answers the stored response instead of a claim for an event already answered', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(conditionFailed());
      ddb.on(GetCommand).resolves({ Item: { ...receiptKey, response: { starterId: 's1' } } });

      // Act
      const claim = await store().claimEvent('hr', 'evt_1', now, later, later);

      // Assess
      expect(claim).toEqual({ state: 'answered', response: { starterId: 's1' } });
      expect(ddb).toReceiveCommandWith(GetCommand, { Key: receiptKey, ConsistentRead: true });
    });

    it('answers busy while another copy holds an unexpired claim', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(conditionFailed());
      ddb.on(GetCommand).resolves({ Item: { ...receiptKey, claimedUntil: later.toISOString() } });

      // Act
      const claim = await store().claimEvent('hr', 'evt_1', now, later, later);

      // Assess
      expect(claim).toEqual({ state: 'busy' });
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

// The DynamoDB store: its condition expressions are the invariants, and a failed condition is an answer.
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
import type { Evidence } from '#shared/core/model.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });
const store = () => makeDynamoStore('attest', new DynamoDBClient({ region: 'eu-west-2' }));
const key = { pk: 'ASSIGN#a1', sk: 'ASSIGNMENT' };

describe('makeDynamoStore', () => {
  beforeEach(() => ddb.reset());

  it('records the evidence only if none exists, with the owed LMS delivery in the same write', async () => {
    // Prepare
    ddb
      .on(UpdateCommand)
      .resolves({ Attributes: { ...key, assignmentId: 'a1', ack: { evidenceId: 'ev_1' } } });

    // Act
    const outcome = await store().recordAcknowledgement(
      'a1',
      { evidenceId: 'ev_1' } as Evidence,
      'msg_1',
      new Date(0),
    );

    // Assess
    expect(outcome).toMatchObject({
      recorded: true,
      assignment: { assignmentId: 'a1', ack: { evidenceId: 'ev_1' } },
    });
    expect(ddb).toReceiveCommandWith(UpdateCommand, {
      TableName: 'attest',
      Key: key,
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(ack) AND #status <> :cancelled',
      UpdateExpression: expect.stringContaining('dueKind = :kind'),
    });
  });

  it('answers a second acknowledgement with the stored one', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: { ...key, assignmentId: 'a1', ack: { evidenceId: 'ev_first' } } });

    // Act
    const outcome = await store().recordAcknowledgement(
      'a1',
      { evidenceId: 'ev_2' } as Evidence,
      'msg_2',
      new Date(0),
    );

    // Assess
    expect(outcome).toEqual({
      recorded: false,
      assignment: { assignmentId: 'a1', ack: { evidenceId: 'ev_first' } },
    });
  });

  it('leases owed work only while it is owed and unleased', async () => {
    // Prepare
    ddb
      .on(UpdateCommand)
      .rejectsOnce(conditionFailed())
      .resolves({ Attributes: { ...key, assignmentId: 'a1' } });

    // Act
    const refused = await store().claimWork('a1', 'invite', new Date(0), new Date(1000));
    const claimed = await store().claimWork('a1', 'invite', new Date(0), new Date(1000));

    // Assess
    expect(refused).toBeUndefined();
    expect(claimed).toEqual({ assignmentId: 'a1' });
    expect(ddb).toReceiveCommandWith(UpdateCommand, {
      ConditionExpression: 'dueKind = :kind AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
    });
  });

  it('creates an assignment only if absent, and returns the stored one otherwise', async () => {
    // Prepare
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: { ...key, assignmentId: 'a1', status: 'invited', dueShard: 'due' } });

    // Act
    const stored = await store().createAssignment({
      assignmentId: 'a1',
      status: 'pending',
      dueKind: 'invite',
    } as never);

    // Assess
    expect(stored).toEqual({ assignmentId: 'a1', status: 'invited' });
    expect(ddb).toReceiveCommandWith(PutCommand, {
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: expect.objectContaining({ dueShard: 'due' }),
    });
  });

  it('claims a due item for dispatch by compare-and-set on dueAt', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(conditionFailed());

    // Act
    const claimed = await store().deferDue(
      'a1',
      '2026-01-01T00:00:00.000Z',
      new Date('2026-01-01T00:15:00Z'),
    );

    // Assess
    expect(claimed).toBe(false);
    expect(ddb).toReceiveCommandWith(UpdateCommand, {
      ConditionExpression: 'dueAt = :seen',
      ExpressionAttributeValues: { ':seen': '2026-01-01T00:00:00.000Z', ':next': '2026-01-01T00:15:00.000Z' },
    });
  });

  it('reads only the sparse due index, page by page, up to the limit', async () => {
    // Prepare
    ddb
      .on(QueryCommand)
      .resolvesOnce({
        Items: [{ assignmentId: 'a1', dueAt: 't1', dueKind: 'invite' }],
        LastEvaluatedKey: { pk: 'x' },
      })
      .resolves({ Items: [{ assignmentId: 'a2', dueAt: 't2', dueKind: 'lms' }] });

    // Act
    const due = await store().queryDue(new Date('2026-01-01T00:00:00Z'), 10);

    // Assess
    expect(due.map((d) => d.assignmentId)).toEqual(['a1', 'a2']);
    expect(ddb).toReceiveCommandWith(QueryCommand, {
      IndexName: 'due',
      KeyConditionExpression: 'dueShard = :shard AND dueAt <= :before',
    });
  });

  it('refuses to publish different text under an existing policy version', async () => {
    // Prepare
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: { policyId: 'p', version: 1, sha256: 'aaa' } });

    // Act
    const publish = store().putPolicyVersion({ policyId: 'p', version: 1, sha256: 'bbb' } as never);

    // Assess
    await expect(publish).rejects.toThrow(/already published/);
  });

  it('grants a fresh link only to an unsigned, unwithdrawn assignment not asked for lately', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejectsOnce(conditionFailed()).resolves({});

    // Act
    const refused = await store().requestFreshLink(
      'a1',
      new Date('2026-01-01T01:00:00Z'),
      new Date('2026-01-01T00:45:00Z'),
    );
    const granted = await store().requestFreshLink(
      'a1',
      new Date('2026-01-01T01:00:00Z'),
      new Date('2026-01-01T00:45:00Z'),
    );

    // Assess
    expect([refused, granted]).toEqual([false, true]);
    expect(ddb).toReceiveCommandWith(UpdateCommand, {
      ConditionExpression:
        'attribute_exists(pk) AND attribute_not_exists(ack) AND #status <> :cancelled ' +
        'AND (attribute_not_exists(dueKind) OR dueKind = :invite) ' +
        'AND (attribute_not_exists(freshLinkAt) OR freshLinkAt < :since)',
      ExpressionAttributeValues: expect.objectContaining({ ':since': '2026-01-01T00:45:00.000Z' }),
    });
  });

  it('passes other errors through', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(new Error('ProvisionedThroughputExceeded'));

    // Assess
    await expect(store().claimWork('a1', 'lms', new Date(0), new Date(1))).rejects.toThrow(
      'ProvisionedThroughputExceeded',
    );
  });
});

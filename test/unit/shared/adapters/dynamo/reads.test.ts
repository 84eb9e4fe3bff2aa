// The store's reads where only a mock can tell: published policy versions kept per store, gets asked together read in one request, and which reads stay strongly consistent.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PolicyVersionCache } from '#shared/adapters/dynamo/policy-cache.ts';
import { makeDynamoStore } from '#shared/adapters/dynamo/store.ts';
import type { PolicyVersion } from '#shared/core/model.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const store = () => makeDynamoStore('attest', new DynamoDBClient({ region: 'eu-west-2' }));

const version = (n: number, policyId = 'safe-internet-use'): PolicyVersion =>
  ({
    policyId,
    version: n,
    title: `Safe internet use v${n}`,
    statement: 'I have read it.',
    body: 'Text',
    keyPoints: ['Be safe.'],
    sha256: `sha-${policyId}-${n}`,
    effectiveDate: '2026-11-01',
    publishedAt: '2026-11-01T09:00:00.000Z',
  }) as PolicyVersion;
const itemOf = (p: PolicyVersion) => ({
  pk: `POLICY#${p.policyId}`,
  sk: `V#${String(p.version).padStart(6, '0')}`,
  ...p,
});

beforeEach(() => ddb.reset());
afterEach(() => ddb.reset());

describe('PolicyVersionCache', () => {
  it('answers a version it keeps, and nothing for one it does not', () => {
    // Prepare
    const cache = new PolicyVersionCache(4);
    cache.set(version(1));

    // Act
    const kept = cache.get('safe-internet-use', 1);
    const other = cache.get('safe-internet-use', 2);

    // Assess
    expect(kept).toEqual(version(1));
    expect(other).toBeUndefined();
  });

  it('keeps each version of a policy apart, and each policy apart', () => {
    // Prepare
    const cache = new PolicyVersionCache(4);

    // Act
    cache.set(version(1));
    cache.set(version(2));
    cache.set(version(1, 'data-protection'));

    // Assess
    expect(cache.get('safe-internet-use', 1)?.sha256).toBe('sha-safe-internet-use-1');
    expect(cache.get('safe-internet-use', 2)?.sha256).toBe('sha-safe-internet-use-2');
    expect(cache.get('data-protection', 1)?.sha256).toBe('sha-data-protection-1');
    expect(cache.count).toBe(3);
  });

  it('keeps at most its size, dropping the least recently used first', () => {
    // Prepare: 1, 2 and 3 kept; 1 used since, so 2 is the least recently used
    const cache = new PolicyVersionCache(3);
    for (const n of [1, 2, 3]) cache.set(version(n));
    cache.get('safe-internet-use', 1);

    // Act
    cache.set(version(4));

    // Assess
    expect(cache.count).toBe(3);
    expect(cache.get('safe-internet-use', 2)).toBeUndefined();
    for (const n of [1, 3, 4]) expect(cache.get('safe-internet-use', n)?.version).toBe(n);
  });

  it('refuses a size below one', () => {
    expect(() => new PolicyVersionCache(0)).toThrow('at least 1');
  });
});

describe('the store’s policy versions', () => {
  it('reads a published version from the table once, then answers it from memory', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: itemOf(version(1)) });
    const s = store();

    // Act
    const first = await s.getPolicyVersion('safe-internet-use', 1);
    const again = await s.getPolicyVersion('safe-internet-use', 1);

    // Assess
    expect(again).toEqual(first);
    expect(first?.sha256).toBe('sha-safe-internet-use-1');
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 1);
  });

  it('reads another version of the same policy from the table', async () => {
    // Prepare
    ddb
      .on(GetCommand, { Key: { pk: 'POLICY#safe-internet-use', sk: 'V#000001' } })
      .resolves({ Item: itemOf(version(1)) });
    ddb
      .on(GetCommand, { Key: { pk: 'POLICY#safe-internet-use', sk: 'V#000002' } })
      .resolves({ Item: itemOf(version(2)) });
    const s = store();
    await s.getPolicyVersion('safe-internet-use', 1);

    // Act
    const second = await s.getPolicyVersion('safe-internet-use', 2);

    // Assess
    expect(second?.version).toBe(2);
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 2);
  });

  it('keeps no version it did not find: one published a moment later is read, strongly', async () => {
    // Prepare: not there at first, published since
    ddb
      .on(GetCommand)
      .resolvesOnce({})
      .resolves({ Item: itemOf(version(2)) });
    const s = store();
    expect(await s.getPolicyVersion('safe-internet-use', 2)).toBeUndefined();

    // Act
    const found = await s.getPolicyVersion('safe-internet-use', 2);

    // Assess
    expect(found?.version).toBe(2);
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 2);
    expect(ddb).toHaveReceivedNthCommandWith(GetCommand, 2, { ConsistentRead: true });
  });

  it('reads the newest version every time, strongly (it changes with each publication)', async () => {
    // Prepare
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [itemOf(version(1))] })
      .resolves({ Items: [itemOf(version(2))] });
    const s = store();
    await s.getLatestPolicyVersion('safe-internet-use');

    // Act
    const newest = await s.getLatestPolicyVersion('safe-internet-use');

    // Assess
    expect(newest?.version).toBe(2);
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 2);
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      ConsistentRead: true,
      Limit: 1,
      ScanIndexForward: false,
    });
  });
});

describe('the table’s gets', () => {
  it('reads gets asked together in one BatchGetItem, each answered with its own item', async () => {
    // Prepare
    ddb.on(BatchGetCommand).resolves({
      Responses: { attest: [{ pk: 'STARTER#s1', sk: 'PROFILE', starterId: 's1', givenName: 'Ada' }] },
    });
    const s = store();

    // Act
    const [starter, erasure] = await Promise.all([s.getStarter('s1'), s.getErasure('s1')]);

    // Assess
    expect(starter).toMatchObject({ starterId: 's1', givenName: 'Ada' });
    expect(erasure).toBeUndefined();
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 0);
    expect(ddb).toHaveReceivedCommandWith(BatchGetCommand, {
      RequestItems: {
        attest: {
          Keys: [
            { pk: 'STARTER#s1', sk: 'PROFILE' },
            { pk: 'ERASURES', sk: 'STARTER#s1' },
          ],
          ConsistentRead: true,
        },
      },
    });
  });

  it('reads a get alone with GetItem, and the same key asked twice together once', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: { pk: 'STARTER#s1', sk: 'PROFILE', starterId: 's1' } });
    const s = store();

    // Act
    const [a, b] = await Promise.all([s.getStarter('s1'), s.getStarter('s1')]);

    // Assess
    expect(a).toEqual(b);
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 1);
    expect(ddb).toHaveReceivedCommandTimes(BatchGetCommand, 0);
  });

  it('fails every get of a request that failed', async () => {
    // Prepare
    ddb.on(BatchGetCommand).rejects(new Error('ProvisionedThroughputExceeded'));
    const s = store();

    // Act
    const reads = Promise.allSettled([s.getStarter('s1'), s.getErasure('s1')]);

    // Assess
    expect((await reads).map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('reads strong and eventual gets asked together in separate requests', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({});
    const s = store();

    // Act
    await Promise.all([s.getStarter('s1', 'eventual'), s.getAssignment('a1')]);

    // Assess
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      Key: { pk: 'STARTER#s1', sk: 'PROFILE' },
      ConsistentRead: false,
    });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      Key: { pk: 'ASSIGN#a1', sk: 'ASSIGNMENT' },
      ConsistentRead: true,
    });
  });
});

describe('reads that must stay strongly consistent', () => {
  // Each would act on a stale answer: an erased person taken again, an event answered twice
  // differently, an email to an old address, a delivery to a destination just disabled.
  it.each([
    [
      'a starter (the mailer’s address, ingest’s upsert)',
      (s: ReturnType<typeof store>) => s.getStarter('s1'),
      { pk: 'STARTER#s1', sk: 'PROFILE' },
    ],
    [
      'an erasure (ingest refuses the erased)',
      (s: ReturnType<typeof store>) => s.getErasure('s1'),
      { pk: 'ERASURES', sk: 'STARTER#s1' },
    ],
    [
      'an HR event’s receipt',
      (s: ReturnType<typeof store>) => s.getEventReceipt('hr', 'evt_1'),
      { pk: 'EVENT#hr#evt_1', sk: 'RECEIPT' },
    ],
    [
      'an assignment, by default (the agreement’s, the mailer’s fallback)',
      (s: ReturnType<typeof store>) => s.getAssignment('a1'),
      { pk: 'ASSIGN#a1', sk: 'ASSIGNMENT' },
    ],
    [
      'an LMS destination’s state',
      (s: ReturnType<typeof store>) => s.getDestination('webhook'),
      { pk: 'DESTINATION#lms', sk: 'WEBHOOK' },
    ],
    [
      'a policy version not yet kept',
      (s: ReturnType<typeof store>) => s.getPolicyVersion('p', 3),
      { pk: 'POLICY#p', sk: 'V#000003' },
    ],
    [
      'an email attempt SES reported',
      (s: ReturnType<typeof store>) => s.getSentAttempt('a1', 't1'),
      { pk: 'ASSIGN#a1', sk: 'ATTEMPT#t1' },
    ],
  ])('reads %s strongly', async (_, read, Key) => {
    // Prepare
    ddb.on(GetCommand).resolves({});

    // Act
    await read(store());

    // Assess
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key, ConsistentRead: true });
  });
});

describe('appending audit events together', () => {
  it('puts several events in one BatchWriteItem, and one alone with its write-once condition', async () => {
    // Prepare
    ddb.on(BatchWriteCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    const s = store();
    const at = new Date('2026-11-24T10:00:00.000Z');

    // Act
    await s.appendAudits('a1', [
      { kind: 'opened', at, detail: { tokenId: 't1' } },
      { kind: 'acknowledged', at, detail: { evidenceId: 'e1', tokenId: 't1' } },
    ]);
    await s.appendAudits('a1', [{ kind: 'receipt-sent', at }]);

    // Assess
    expect(ddb).toHaveReceivedCommandTimes(BatchWriteCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { ConditionExpression: 'attribute_not_exists(pk)' });
  });

  it('puts again what DynamoDB left unprocessed', async () => {
    // Prepare
    const at = new Date('2026-11-24T10:00:00.000Z');
    const left = { PutRequest: { Item: { pk: 'ASSIGN#a1', sk: 'EVT#x#acknowledged' } } };
    ddb
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { attest: [left] } })
      .resolves({});

    // Act
    await store().appendAudits('a1', [
      { kind: 'opened', at },
      { kind: 'acknowledged', at },
    ]);

    // Assess
    expect(ddb).toHaveReceivedCommandTimes(BatchWriteCommand, 2);
    expect(ddb).toHaveReceivedNthCommandWith(BatchWriteCommand, 2, { RequestItems: { attest: [left] } });
  });
});

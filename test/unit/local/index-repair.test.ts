// After a crash, dynalite's indexes are put right: a kill between its index write and its item write leaves them disagreeing, and the sweeper could miss owed work.
import { createRequire } from 'node:module';
import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DUE_INDEX } from '#shared/adapters/dynamo/table-schema.ts';
import { type Emulators, LOCAL_CREDENTIALS, startEmulators } from '../../../local/emulators.ts';
import { repairIndexes } from '../../../local/index-repair.ts';
import { LOCAL_REGION, TABLE_NAME } from '../../../local/settings.ts';

type Callback = (error?: unknown) => void;
/** How dynalite answers an error: as its HTTP status and body. */
const killed = {
  statusCode: 500,
  body: { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'killed' },
};
const dynaliteDb = createRequire(import.meta.url)('dynalite/db') as {
  updateIndexes: (store: unknown, table: unknown, old: unknown, item: unknown, cb: Callback) => void;
};

/** The next write to the table updates its indexes, then "dies" before it writes the item. */
function killNextWriteBetweenIndexAndItem() {
  const original = dynaliteDb.updateIndexes;
  dynaliteDb.updateIndexes = (store, table, old, item, cb) => {
    dynaliteDb.updateIndexes = original;
    original(store, table, old, item, () => cb(killed));
  };
}

let emulators: Emulators;
let ddb: DynamoDBClient;
beforeAll(async () => {
  emulators = await startEmulators({
    ports: { api: 0, ses: 0, dynamodb: 0, sqs: 0, lms: 0, oidc: 0 },
    dataDir: undefined,
    visibilitySeconds: 10,
  });
  // One attempt: the "killed" write must not be retried into consistency by the SDK.
  ddb = new DynamoDBClient({
    endpoint: emulators.endpoints.dynamodb,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  ddb.destroy();
  await emulators.stop();
});

const dueEntries = async (pk: string) =>
  (
    (
      await ddb.send(
        new QueryCommand({
          TableName: TABLE_NAME,
          IndexName: DUE_INDEX,
          KeyConditionExpression: 'dueShard = :due',
          ExpressionAttributeValues: { ':due': { S: 'due' } },
        }),
      )
    ).Items ?? []
  ).filter((entry) => entry.pk?.S === pk);

describe('repairIndexes', () => {
  it('re-indexes an item whose index took a write the item never got', async () => {
    // Prepare: owed since 09:00; a write moving it to 3 December reached only the index.
    const item = {
      pk: { S: 'ASSIGN#lagging' },
      sk: { S: 'ASSIGNMENT' },
      dueShard: { S: 'due' },
      dueAt: { S: '2026-12-01T09:00:00.000Z' },
      dueKind: { S: 'invite' },
    };
    await ddb.send(new PutItemCommand({ TableName: TABLE_NAME, Item: item }));
    killNextWriteBetweenIndexAndItem();
    await expect(
      ddb.send(
        new UpdateItemCommand({
          TableName: TABLE_NAME,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'SET dueAt = :later',
          ExpressionAttributeValues: { ':later': { S: '2026-12-03T09:00:00.000Z' } },
        }),
      ),
    ).rejects.toThrow();
    expect((await dueEntries('ASSIGN#lagging')).map((e) => e.dueAt?.S)).toEqual(['2026-12-03T09:00:00.000Z']);

    // Act
    const repaired = await repairIndexes(ddb, TABLE_NAME);

    // Assess
    expect(repaired).toBe(1);
    expect(await dueEntries('ASSIGN#lagging')).toEqual([item]);
    const stored = await ddb.send(
      new GetItemCommand({ TableName: TABLE_NAME, Key: { pk: item.pk, sk: item.sk }, ConsistentRead: true }),
    );
    expect(stored.Item).toEqual(item);
  });

  it('removes the index entry of an item whose first write never reached the table', async () => {
    // Prepare
    killNextWriteBetweenIndexAndItem();
    await expect(
      ddb.send(
        new PutItemCommand({
          TableName: TABLE_NAME,
          Item: {
            pk: { S: 'ASSIGN#never' },
            sk: { S: 'ASSIGNMENT' },
            dueShard: { S: 'due' },
            dueAt: { S: '2026-12-01T09:00:00.000Z' },
          },
        }),
      ),
    ).rejects.toThrow();

    // Act
    await repairIndexes(ddb, TABLE_NAME);

    // Assess
    expect(await dueEntries('ASSIGN#never')).toEqual([]);
    const stored = await ddb.send(
      new GetItemCommand({
        TableName: TABLE_NAME,
        Key: { pk: { S: 'ASSIGN#never' }, sk: { S: 'ASSIGNMENT' } },
        ConsistentRead: true,
      }),
    );
    expect(stored.Item).toBeUndefined();
  });

  it('changes nothing where the indexes agree with the items', async () => {
    // Act
    const repaired = await repairIndexes(ddb, TABLE_NAME);

    // Assess
    expect(repaired).toBe(0);
  });
});

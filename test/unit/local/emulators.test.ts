// Local data kept under .local/ by an older version: the table is rebuilt with today's indexes, every item kept.
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { describe, expect, it } from 'vitest';
import { TABLE_INDEXES } from '#shared/adapters/dynamo/table-indexes.ts';
import { SIGNED_INDEX, storedLane } from '#shared/adapters/dynamo/table-schema.ts';
import { LOCAL_CREDENTIALS, startEmulators } from '../../../local/emulators.ts';
import { LOCAL_REGION, TABLE_NAME } from '../../../local/settings.ts';

const client = (endpoint: string) =>
  new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });

/** A data directory as the first version left it: only the "due" index, an acknowledged item owing its delivery. */
async function oldDataDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'attest-old-'));
  const server = dynalite({ path: dir, createTableMs: 0 }) as Server;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const ddb = client(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  await ddb.send(
    new CreateTableCommand({
      TableName: TABLE_NAME,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'dueShard', AttributeType: 'S' },
        { AttributeName: 'dueAt', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'due',
          KeySchema: [
            { AttributeName: 'dueShard', KeyType: 'HASH' },
            { AttributeName: 'dueAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  await new Promise((r) => setTimeout(r, 50));
  await ddb.send(
    new PutItemCommand({
      TableName: TABLE_NAME,
      Item: {
        pk: { S: 'ASSIGN#a1' },
        sk: { S: 'ASSIGNMENT' },
        assignmentId: { S: 'a1' },
        starterId: { S: 's1' },
        status: { S: 'acknowledged' },
        ack: { M: { policyId: { S: 'safe-internet-use' }, policyVersion: { N: '1' } } },
        dueAt: { S: '2026-11-24T10:01:00.000Z' },
        dueKind: { S: 'lms' },
        dueShard: { S: 'due' },
      },
    }),
  );
  await ddb.send(
    new PutItemCommand({
      TableName: TABLE_NAME,
      Item: { pk: { S: 'STARTER#s1' }, sk: { S: 'PROFILE' }, givenName: { S: 'Ada' } },
    }),
  );
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return dir;
}

describe('startEmulators on data from an older version', () => {
  it('rebuilds the table with every index, keeping each item in today’s shape', async () => {
    // Prepare
    const dir = await oldDataDir();

    // Act: start twice, as a developer restarting would
    const emulators = await startEmulators({
      ports: { api: 0, ses: 0, dynamodb: 0, sqs: 0, lms: 0, oidc: 0 },
      dataDir: dir,
      visibilitySeconds: 10,
    });
    try {
      const ddb = client(emulators.endpoints.dynamodb);

      // Assess
      const { Table } = await ddb.send(new DescribeTableCommand({ TableName: TABLE_NAME }));
      expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(
        TABLE_INDEXES.map((i) => i.name).sort(),
      );
      const starter = await ddb.send(
        new GetItemCommand({ TableName: TABLE_NAME, Key: { pk: { S: 'STARTER#s1' }, sk: { S: 'PROFILE' } } }),
      );
      expect(starter.Item?.givenName).toEqual({ S: 'Ada' });
      const lane = await ddb.send(
        new QueryCommand({
          TableName: TABLE_NAME,
          IndexName: storedLane('webhook').index,
          KeyConditionExpression: 'lmsShard = :s',
          ExpressionAttributeValues: { ':s': { S: 'due' } },
        }),
      );
      expect(lane.Items?.map((i) => [i.assignmentId?.S, i.lmsDueAt?.S, i.dueKind])).toEqual([
        ['a1', '2026-11-24T10:01:00.000Z', undefined],
      ]);
      const signed = await ddb.send(
        new QueryCommand({
          TableName: TABLE_NAME,
          IndexName: SIGNED_INDEX,
          KeyConditionExpression: 'signedPolicy = :p',
          ExpressionAttributeValues: { ':p': { S: 'safe-internet-use' } },
        }),
      );
      expect(signed.Items?.map((i) => i.assignmentId?.S)).toEqual(['a1']);
    } finally {
      await emulators.stop();
    }
    const again = await startEmulators({
      ports: { api: 0, ses: 0, dynamodb: 0, sqs: 0, lms: 0, oidc: 0 },
      dataDir: dir,
      visibilitySeconds: 10,
    });
    await again.stop();
  });
});

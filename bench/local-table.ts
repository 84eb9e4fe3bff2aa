// Shared by the table benchmarks: filling the local table fast, and the median of runs.
import { type AttributeValue, BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDynamoStore } from '#shared/adapters/dynamo/store.ts';
import { LOCAL_CREDENTIALS, startEmulators } from '../local/emulators.ts';
import { LOCAL_REGION, TABLE_NAME } from '../local/settings.ts';

export type RawItem = Record<string, AttributeValue>;

/** The local emulators on free ports, with nothing kept on disk, and a client and store on the table. */
export async function startLocalTable() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const emulators = await startEmulators({
    ports: { api: 0, ses: 0, dynamodb: 0, sqs: 0, lms: 0, oidc: 0 },
    dataDir: undefined,
    visibilitySeconds: 10,
  });
  const client = new DynamoDBClient({
    endpoint: emulators.endpoints.dynamodb,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  return {
    client,
    store: makeDynamoStore(TABLE_NAME, client),
    /** The emulators' endpoints and queues: SQS for the benchmarks that send. */
    emulators,
    async stop() {
      client.destroy();
      await emulators.stop();
    },
  };
}

/** Writes the items 25 at a time over 8 connections, writing again what DynamoDB leaves unprocessed. */
export async function putItems(client: DynamoDBClient, items: readonly RawItem[]): Promise<void> {
  const batches: RawItem[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++] as RawItem[];
      let request: Record<string, Array<{ PutRequest: { Item: RawItem } }>> = {
        [TABLE_NAME]: batch.map((Item) => ({ PutRequest: { Item } })),
      };
      while (Object.keys(request).length) {
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: request }));
        request = (out.UnprocessedItems ?? {}) as typeof request;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Counts the items DynamoDB read (ScannedCount) across a client's Query and Scan calls, and its calls by command. */
export function counting(client: DynamoDBClient) {
  const counter = { read: 0, calls: {} as Record<string, number> };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? 'Command').replace(/Command$/, '');
      counter.calls[name] = (counter.calls[name] ?? 0) + 1;
      const result = await next(args);
      counter.read += (result.output as { ScannedCount?: number } | undefined)?.ScannedCount ?? 0;
      return result;
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return counter;
}

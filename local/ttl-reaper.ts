// Emulates DynamoDB's Time to Live for the local stack: dynalite has none, so every few seconds this deletes the items whose `expiresAt` has passed (local only, never on AWS, where DynamoDB does it).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';

/** The attribute the table's TTL reads (infra/data.ts): epoch seconds. */
const TTL_ATTRIBUTE = 'expiresAt';

export interface TtlReaper {
  /** One pass now: deletes what has expired; answers how many items it deleted. */
  reap(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Deletes expired items every `intervalMs`. A Scan is right here and nowhere else: DynamoDB's own
 * TTL reads the whole table in the background too, and a local table is small. Each delete is
 * conditional on the item still being expired, so one whose expiry was lifted meanwhile (a leaver
 * back) stays. DynamoDB deletes within about 48 hours of expiry; this within seconds, so tests and
 * people see the end state without waiting.
 */
export function startTtlReaper(
  client: DynamoDBClient,
  TableName: string,
  intervalMs: number,
  onError: (error: unknown) => void,
): TtlReaper {
  const doc = DynamoDBDocumentClient.from(client);

  async function reap(): Promise<number> {
    const now = Math.floor(Date.now() / 1000);
    let deleted = 0;
    const pages = paginateScan(
      { client: doc },
      {
        TableName,
        FilterExpression: `${TTL_ATTRIBUTE} <= :now`,
        ExpressionAttributeValues: { ':now': now },
        ProjectionExpression: 'pk, sk',
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        try {
          await doc.send(
            new DeleteCommand({
              TableName,
              Key: { pk: item.pk, sk: item.sk },
              ConditionExpression: `${TTL_ATTRIBUTE} <= :now`,
              ExpressionAttributeValues: { ':now': now },
            }),
          );
          deleted++;
        } catch (error) {
          if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
        }
      }
    }
    return deleted;
  }

  // A slow pass is never overlapped by the next.
  let reaping: Promise<unknown> | undefined;
  const tick = () => {
    reaping ??= reap()
      .catch(onError)
      .finally(() => {
        reaping = undefined;
      });
  };
  const timer = setInterval(tick, intervalMs);
  return {
    reap,
    async stop() {
      clearInterval(timer);
      await reaping;
    },
  };
}

// HR events' receipts on the table: one item per event, its first stored response, forgotten by DynamoDB's TTL at `expiresAt`.
import type { EventReceipts } from '#shared/ports.ts';
import { conditionally, key } from './table.ts';
import type { TableFor } from './table-access.ts';

/** DynamoDB's TTL reads epoch seconds. */
const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

export function makeEventReceipts(table: TableFor<'eventReceipts'>): EventReceipts {
  return {
    async getEventReceipt(source, eventId) {
      // Strong (table.get's default), so it joins ingest's other strong gets in one request.
      return (await table.get(key.receipt(source, eventId)))?.response;
    },

    async putEventReceipt(source, eventId, response, expiresAt) {
      // Never replaces a response (an item holding only an earlier version's claim is replaced):
      // of concurrent copies the first receipt stands, and every later one answers it (read
      // consistently, so it is the one just refused by).
      const put = await conditionally(
        table.put({
          Item: { ...key.receipt(source, eventId), response, expiresAt: epochSeconds(expiresAt) },
          ConditionExpression: 'attribute_not_exists(#response)',
          // RESPONSE is one of DynamoDB's reserved words.
          ExpressionAttributeNames: { '#response': 'response' },
        }),
      );
      if (put) return response;
      const stored = await table.get(key.receipt(source, eventId));
      return stored && 'response' in stored ? stored.response : response;
    },
  };
}

// HR events' receipts and claims on the table: one item per event, forgotten by DynamoDB's TTL at `expiresAt`.
import type { EventReceipts } from '#shared/ports.ts';
import { conditionally, key, type Table } from './table.ts';

/** DynamoDB's TTL reads epoch seconds. */
const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

export function makeEventReceipts(table: Table): EventReceipts {
  return {
    async getEventReceipt(source, eventId) {
      return (await table.get(key.receipt(source, eventId)))?.response;
    },

    async claimEvent(source, eventId, now, until, expiresAt) {
      const claimed = await conditionally(
        table.update({
          Key: key.receipt(source, eventId),
          UpdateExpression: 'SET claimedUntil = :until, expiresAt = :expires',
          // Not answered yet, and no other copy's claim still running (a crashed one's expires).
          ConditionExpression:
            'attribute_not_exists(#response) AND (attribute_not_exists(claimedUntil) OR claimedUntil < :now)',
          // RESPONSE is one of DynamoDB's reserved words.
          ExpressionAttributeNames: { '#response': 'response' },
          ExpressionAttributeValues: {
            ':until': until.toISOString(),
            ':now': now.toISOString(),
            ':expires': epochSeconds(expiresAt),
          },
        }),
      );
      if (claimed) return { state: 'claimed' };
      const stored = await table.get(key.receipt(source, eventId));
      return stored && 'response' in stored
        ? { state: 'answered', response: stored.response }
        : { state: 'busy' };
    },

    async putEventReceipt(source, eventId, response, expiresAt) {
      // Replaces a claim, never a response: of concurrent copies the first receipt stands, and
      // every later one answers it (read consistently, so it is the one just refused by).
      const put = await conditionally(
        table.put({
          Item: { ...key.receipt(source, eventId), response, expiresAt: epochSeconds(expiresAt) },
          ConditionExpression: 'attribute_not_exists(#response)',
          ExpressionAttributeNames: { '#response': 'response' },
        }),
      );
      if (put) return response;
      const stored = await table.get(key.receipt(source, eventId));
      return stored && 'response' in stored ? stored.response : response;
    },
  };
}

// Managers' daily digests on the table: one item per manager and day, joined and closed by conditional updates.
import type { Digest } from '#shared/core/model.ts';
import type { Digests } from '#shared/ports.ts';
import { type Item, key, strip, unlessConditionFails } from './table.ts';
import type { TableFor } from './table-access.ts';

export function makeDigests(table: TableFor<'digests'>): Digests {
  return {
    async joinDigest(digestKey, managerName, assignmentId, expiresAt) {
      const out = await unlessConditionFails(
        table.update({
          Key: key.digest(digestKey),
          UpdateExpression:
            'SET managerEmail = :email, #day = :day, managerName = if_not_exists(managerName, :name), ' +
            `#owner = if_not_exists(#owner, :me)${expiresAt ? ', expiresAt = if_not_exists(expiresAt, :expires)' : ''} ` +
            'ADD members :me_set',
          ConditionExpression: 'attribute_not_exists(closedAt)',
          ExpressionAttributeNames: { '#owner': 'owner', '#day': 'day' },
          ExpressionAttributeValues: {
            ':email': digestKey.managerEmail,
            ':day': digestKey.day,
            ':name': managerName,
            ':me': assignmentId,
            ':me_set': new Set([assignmentId]),
            // DynamoDB's TTL reads epoch seconds.
            ...(expiresAt && { ':expires': Math.floor(expiresAt.getTime() / 1000) }),
          },
          ReturnValues: 'ALL_NEW',
        }),
        'closed' as const,
      );
      if (out === 'closed') return out;
      return out.Attributes?.owner === assignmentId ? 'owner' : 'member';
    },

    async closeDigest(digestKey, by, at) {
      const out = await unlessConditionFails(
        table.update({
          Key: key.digest(digestKey),
          UpdateExpression:
            'SET closedAt = if_not_exists(closedAt, :at), closedBy = if_not_exists(closedBy, :by)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':by': by, ':at': at.toISOString() },
          ReturnValues: 'ALL_NEW',
        }),
        undefined,
      );
      if (!out) return undefined;
      const { members, ...rest } = strip<Item>(out.Attributes) ?? {};
      return { ...rest, members: [...((members as Set<string>) ?? [])] } as Digest;
    },

    async recordDigestSent(digestKey, at, messageId) {
      await table.update({
        Key: key.digest(digestKey),
        UpdateExpression: 'SET sentAt = :at, messageId = :id',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at.toISOString(), ':id': messageId },
      });
    },
  };
}

// Retention on the table: the step each assignment owes in the sparse `retain` index, and DynamoDB's TTL (`expiresAt`) on the items that may go.

import { mapBounded } from '#shared/core/bounded.ts';
import type { RetainStep } from '#shared/core/model.ts';
import type { RetainItem, Retention } from '#shared/ports.ts';
import { shardsToRead } from './due-work.ts';
import { DEFAULT_DUE_SHARDS, RETAIN_SHARD, retainShard, shardValues } from './shards.ts';
import { conditionally, type Item, key } from './table.ts';
import type { TableFor } from './table-access.ts';
import { RETAIN_INDEX } from './table-schema.ts';

/** DynamoDB's TTL reads epoch seconds. */
const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

/** Retention's index queries in flight at once: every shard, bounded. */
const SHARD_READS_AT_ONCE = 16;

/** `shards`: DUE_SHARDS, which the `retain` index spreads over too. */
export function makeRetention(table: TableFor<'retention'>, shards = DEFAULT_DUE_SHARDS): Retention {
  /** The items of an assignment's partition besides the assignment: its audit trail and SES's word on its emails. */
  async function* besides(assignmentId: string): AsyncGenerator<Item> {
    const { pk, sk } = key.assignment(assignmentId);
    for await (const page of table.paginate({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ProjectionExpression: 'pk, sk, expiresAt',
    })) {
      for (const item of page) if (item.sk !== sk) yield item;
    }
  }

  /** Sets (or with no time, removes) an item's expiry; never writes an item that is gone (attribute_exists). */
  const markExpiry = (item: Item, expiresAt: number | undefined) =>
    conditionally(
      table.update({
        Key: { pk: item.pk as string, sk: item.sk as string },
        UpdateExpression: expiresAt === undefined ? 'REMOVE expiresAt' : 'SET expiresAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ...(expiresAt !== undefined && { ExpressionAttributeValues: { ':at': expiresAt } }),
      }),
    );

  /** Takes the expiry off every item of an assignment's partition but the assignment. */
  async function liftMarks(assignmentId: string): Promise<void> {
    for await (const item of besides(assignmentId)) {
      if (item.expiresAt !== undefined) await markExpiry(item, undefined);
    }
  }

  return {
    async queryRetention(before, limit) {
      // Every shard (and the unsharded value of steps owed before sharding), read in parallel.
      const values = shardValues(RETAIN_SHARD, await shardsToRead(table, shards));
      const found = await mapBounded(values, SHARD_READS_AT_ONCE, async (shard) => {
        const steps: RetainItem[] = [];
        const pages = table.paginateIndex(
          RETAIN_INDEX,
          {
            KeyConditionExpression: 'retainShard = :shard AND retainAt <= :before',
            ExpressionAttributeValues: { ':shard': shard, ':before': before.toISOString() },
          },
          limit,
        );
        for await (const items of pages) {
          for (const item of items) {
            steps.push({
              assignmentId: item.assignmentId as string,
              retainAt: item.retainAt as string,
              retainStep: item.retainStep as RetainStep,
            });
          }
        }
        return steps;
      });
      // At most `limit` in all, the soonest first, as from one partition.
      return found
        .flat()
        .sort((a, b) => a.retainAt.localeCompare(b.retainAt))
        .slice(0, limit);
    },

    noteLeaving(assignmentId, leftAt, expireAt) {
      return conditionally(
        table.update({
          Key: key.assignment(assignmentId),
          // A step owed already stands (a reduce-ip first; a retried leave keeps its first time).
          UpdateExpression:
            'SET leftAt = if_not_exists(leftAt, :left), retainStep = if_not_exists(retainStep, :expire), ' +
            'retainAt = if_not_exists(retainAt, :at), retainShard = :shard',
          // One expiring already is left to go (a repeat of the leaving must not move its expiry).
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(expiresAt)',
          ExpressionAttributeValues: {
            ':left': leftAt.toISOString(),
            ':expire': 'expire',
            ':at': expireAt.toISOString(),
            ':shard': retainShard(assignmentId, shards),
          },
        }),
      );
    },

    async clearLeaving(assignmentId) {
      // The assignment first, so no sweep starts expiring it; then its partition's items, always:
      // a sweep that read the step before may have marked them since (it then fails on the
      // assignment), and a come-back retried after a crash lifts what the first try did not.
      const Key = key.assignment(assignmentId);
      const dropped =
        (await conditionally(
          table.update({
            Key,
            UpdateExpression: 'REMOVE leftAt, expiresAt, retainStep, retainAt, retainShard',
            ConditionExpression: 'retainStep = :expire',
            ExpressionAttributeValues: { ':expire': 'expire' },
          }),
        )) ||
        // A reduce-ip still owed stays owed: the IP's retention runs from the agreement, not the leaving.
        (await conditionally(
          table.update({
            Key,
            UpdateExpression: 'REMOVE leftAt, expiresAt',
            ConditionExpression: 'attribute_exists(leftAt) OR attribute_exists(expiresAt)',
          }),
        ));
      await liftMarks(assignmentId);
      return dropped;
    },

    reduceEvidence(assignmentId, seenAt, reduced, next, declines) {
      const set = [
        ...(reduced ? ['ack.ipAddress = :ip', 'ack.userAgent = :ua', 'ack.reducedAt = :reducedAt'] : []),
        ...(declines ? ['declines = :declines'] : []),
        ...(next ? ['retainStep = :next', 'retainAt = :nextAt'] : []),
      ];
      const conditions = [
        'retainAt = :seen AND retainStep = :reduce',
        ...(reduced ? ['attribute_exists(ack)'] : []),
        // Written whole: refused if a decline was added since they were read (the next sweep redoes it).
        ...(declines ? ['size(declines) = :declineCount'] : []),
      ];
      return conditionally(
        table.update({
          Key: key.assignment(assignmentId),
          UpdateExpression: `${set.length ? `SET ${set.join(', ')}` : ''}${next ? '' : ' REMOVE retainStep, retainAt, retainShard'}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeValues: {
            ':seen': seenAt,
            ':reduce': 'reduce-ip',
            ...(reduced && {
              ':ip': reduced.ipAddress,
              ':ua': reduced.userAgent,
              ':reducedAt': reduced.reducedAt,
            }),
            ...(declines && { ':declines': declines, ':declineCount': declines.length }),
            ...(next && { ':next': next.step, ':nextAt': next.at.toISOString() }),
          },
        }),
      );
    },

    moveRetention(assignmentId, seenAt, next) {
      return conditionally(
        table.update({
          Key: key.assignment(assignmentId),
          UpdateExpression: next
            ? 'SET retainStep = :step, retainAt = :at'
            : 'REMOVE retainStep, retainAt, retainShard',
          ConditionExpression: 'retainAt = :seen',
          ExpressionAttributeValues: {
            ':seen': seenAt,
            ...(next && { ':step': next.step, ':at': next.at.toISOString() }),
          },
        }),
      );
    },

    async expireAssignment(assignmentId, seenAt, expiresAt) {
      const at = epochSeconds(expiresAt);
      // The trail first, the assignment last: a crash between leaves the step owed, and a retry finishes.
      for await (const item of besides(assignmentId)) await markExpiry(item, at);
      const expired = await conditionally(
        table.update({
          Key: key.assignment(assignmentId),
          UpdateExpression: 'SET expiresAt = :at REMOVE retainStep, retainAt, retainShard',
          ConditionExpression: 'retainAt = :seen AND retainStep = :expire',
          ExpressionAttributeValues: { ':at': at, ':seen': seenAt, ':expire': 'expire' },
        }),
      );
      // Refused because the person came back meanwhile: the trail keeps its assignment's fate.
      if (!expired && (await table.get(key.assignment(assignmentId)))?.expiresAt === undefined) {
        await liftMarks(assignmentId);
      }
      return expired;
    },

    expireStarter(starterId, expiresAt) {
      return conditionally(
        table.update({
          Key: key.starter(starterId),
          UpdateExpression: 'SET expiresAt = :at',
          ConditionExpression: '#status = :cancelled',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':at': epochSeconds(expiresAt), ':cancelled': 'cancelled' },
        }),
      );
    },
  };
}

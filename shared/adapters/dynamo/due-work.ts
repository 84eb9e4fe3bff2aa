// Owed work on the table: each lane's due time on the assignment, read back through the lane's sparse index, and the lease one worker takes on it.
import { mapBounded } from '#shared/core/bounded.ts';
import { type DeliveryKind, type DueKind, isDeliveryKind } from '#shared/core/model.ts';
import type { DueItem, DueWork } from '#shared/ports.ts';
import { asAssignment, LANES, laneOf, onLaneIndex, owes } from './lanes.ts';
import { DEFAULT_DUE_SHARDS, DUE_SHARD, isDueShard, MAX_DUE_SHARDS, shardValues } from './shards.ts';
import { conditionally, key, type Table, unlessConditionFails } from './table.ts';
import type { TableFor } from './table-access.ts';

/** A sweep's index queries in flight at once: every shard of every lane, bounded. */
export const SHARD_READS_AT_ONCE = 16;

/**
 * How many shards a sweep reads: `shards` (DUE_SHARDS), or the most the table has held (recorded
 * in it), so that lowering DUE_SHARDS strands nothing written under the higher count. Raised, never
 * lowered: the first sweep with a higher DUE_SHARDS records it (conditionally, so of two sweeps
 * racing the higher wins). One read per sweep round; the raise, one write, once.
 */
export async function shardsToRead(table: Pick<Table, 'get' | 'update'>, shards: number): Promise<number> {
  const k = key.dueShards();
  const held = Number((await table.get(k))?.shards ?? 0);
  if (held >= shards) return Math.min(held, MAX_DUE_SHARDS);
  await conditionally(
    table.update({
      Key: k,
      UpdateExpression: 'SET shards = :n',
      ConditionExpression: 'attribute_not_exists(shards) OR shards < :n',
      ExpressionAttributeValues: { ':n': shards },
    }),
  );
  return shards;
}

/** `shards`: DUE_SHARDS, how many partitions each due index spreads over. */
export function makeDueWork(table: TableFor<'dueWork'>, shards = DEFAULT_DUE_SHARDS): DueWork {
  return {
    async queryDue(before, limit) {
      // Every lane, each from its own sparse index, every shard of it (and the unsharded value
      // items written before sharding hold) read in parallel; the cost follows what is due.
      const values = shardValues(DUE_SHARD, await shardsToRead(table, shards));
      const reads = Object.entries(LANES).flatMap(([name, lane]) =>
        values.map((shard) => ({ name, lane, shard })),
      );
      const found = await mapBounded(reads, SHARD_READS_AT_ONCE, ({ name, lane, shard }) =>
        onLaneIndex(lane, async (index) => {
          const due: DueItem[] = [];
          const pages = table.paginateIndex(
            index,
            {
              KeyConditionExpression: `${lane.shard} = :shard AND ${lane.due} <= :before`,
              ExpressionAttributeValues: { ':shard': shard, ':before': before.toISOString() },
            },
            limit,
          );
          for await (const items of pages) {
            for (const item of items) {
              due.push({
                assignmentId: item.assignmentId as string,
                dueAt: item[lane.due] as string,
                dueKind: name === 'mail' ? (item.dueKind as DueKind) : (name as DeliveryKind),
              });
            }
          }
          return due;
        }),
      );
      return found.flat().sort((a, b) => a.dueAt.localeCompare(b.dueAt));
    },

    async deferDue(assignmentId, kind, seenDueAt, redriveAt) {
      const lane = laneOf(kind);
      // A delivery that died since the sweep read it keeps its due time: it is when it died, and
      // the dead letters are listed by it.
      const owed = isDeliveryKind(kind) ? ` AND begins_with(${lane.shard}, :due)` : '';
      return conditionally(
        table.update({
          Key: key.assignment(assignmentId),
          UpdateExpression: `SET ${lane.due} = :next`,
          ConditionExpression: `${lane.due} = :seen${owed}`,
          ExpressionAttributeValues: {
            ':seen': seenDueAt,
            ':next': redriveAt.toISOString(),
            ...(owed && { ':due': DUE_SHARD }),
          },
        }),
      );
    },

    async laneDue(assignmentId, kind) {
      const lane = laneOf(kind);
      const item = await table.get(key.assignment(assignmentId));
      // Owed: a due time, and (a delivery lane) not parked among the dead letters.
      if (!item || item[lane.due] === undefined || !isDueShard(item[lane.shard])) return undefined;
      const dueKind = (isDeliveryKind(kind) ? kind : item.dueKind) as DueKind | undefined;
      return dueKind && { assignmentId, dueAt: item[lane.due] as string, dueKind };
    },

    async claimWork(assignmentId, kind, now, leaseUntil, seenDueAt, attempt) {
      const lane = laneOf(kind);
      const owed = owes(kind);
      const step = seenDueAt === undefined ? '' : ` AND ${lane.due} = :seen`;
      // The attempt seen is still the lane's: no other worker's interrupted attempt goes unnoticed.
      const seen = attempt && 'seen' in attempt ? attempt.seen : undefined;
      const tried = !attempt
        ? ''
        : 'otherKindOnly' in attempt
          ? ' AND (attribute_not_exists(attempt) OR attempt.kind <> :attemptKind)'
          : seen === undefined
            ? ' AND attribute_not_exists(attempt)'
            : ' AND attempt.id = :seenAttempt';
      const out = await unlessConditionFails(
        table.update({
          Key: key.assignment(assignmentId),
          UpdateExpression: `SET ${lane.lease} = :until${attempt ? ', attempt = :attempt' : ''}`,
          // Owed, and nobody holds an unexpired lease on it.
          ConditionExpression: `${owed.condition}${step} AND (attribute_not_exists(${lane.lease}) OR ${lane.lease} < :now)${tried}`,
          ExpressionAttributeValues: {
            ...owed.values,
            ...(seenDueAt !== undefined && { ':seen': seenDueAt }),
            ...(attempt && { ':attempt': attempt.next }),
            ...(seen !== undefined && { ':seenAttempt': seen }),
            ...(attempt && 'otherKindOnly' in attempt && { ':attemptKind': attempt.next.kind }),
            ':now': now.toISOString(),
            ':until': leaseUntil.toISOString(),
          },
          ReturnValues: 'ALL_NEW',
        }),
        undefined,
      );
      return asAssignment(out?.Attributes);
    },

    async releaseWork(assignmentId, kind, abandonedAttempt) {
      const owed = owes(kind);
      await conditionally(
        table.update({
          Key: key.assignment(assignmentId),
          UpdateExpression: `REMOVE ${laneOf(kind).lease}${abandonedAttempt ? ', attempt' : ''}`,
          // An attempt another worker has started since is left alone (the whole release is then skipped).
          ConditionExpression: `${owed.condition}${abandonedAttempt ? ' AND attempt.id = :attempt' : ''}`,
          ExpressionAttributeValues: {
            ...owed.values,
            ...(abandonedAttempt && { ':attempt': abandonedAttempt }),
          },
        }),
      );
    },
  };
}

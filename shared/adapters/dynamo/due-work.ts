// Owed work on the table: each lane's due time on the assignment, read back through the lane's sparse index, and the lease one worker takes on it.
import { type DeliveryKind, type DueKind, isDeliveryKind } from '#shared/core/model.ts';
import type { DueItem, DueWork } from '#shared/ports.ts';
import { asAssignment, DUE_SHARD, LANES, laneOf, owes } from './lanes.ts';
import { conditionally, key, type Table, unlessConditionFails } from './table.ts';

export function makeDueWork(table: Table): DueWork {
  return {
    async queryDue(before, limit) {
      // Every lane, each from its own sparse index; the cost follows what is due.
      const found: DueItem[] = [];
      for (const [name, lane] of Object.entries(LANES)) {
        const pages = table.paginate(
          {
            IndexName: lane.index,
            KeyConditionExpression: `${lane.shard} = :shard AND ${lane.due} <= :before`,
            ExpressionAttributeValues: { ':shard': DUE_SHARD, ':before': before.toISOString() },
          },
          limit,
        );
        for await (const items of pages) {
          for (const item of items) {
            found.push({
              assignmentId: item.assignmentId as string,
              dueAt: item[lane.due] as string,
              dueKind: name === 'mail' ? (item.dueKind as DueKind) : (name as DeliveryKind),
            });
          }
        }
      }
      return found.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
    },

    async deferDue(assignmentId, kind, seenDueAt, redriveAt) {
      const lane = laneOf(kind);
      // A delivery that died since the sweep read it keeps its due time: it is when it died, and
      // the dead letters are listed by it.
      const owed = isDeliveryKind(kind) ? ` AND ${lane.shard} = :due` : '';
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
      if (!item || item[lane.due] === undefined || item[lane.shard] !== DUE_SHARD) return undefined;
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

// LMS deliveries on the table: each destination's lane on the assignment (dead letters parked under their own shard of its index), and each destination's state.
import { DELIVERY_KINDS, type DeliveryKind } from '#shared/core/model.ts';
import type { Deliveries } from '#shared/ports.ts';
import { LANES, onLaneIndex, owes, owing } from './lanes.ts';
import { DEAD_SHARD, DEFAULT_DUE_SHARDS, DUE_SHARD, dueShard } from './shards.ts';
import { conditionally, type Item, key } from './table.ts';
import type { TableFor } from './table-access.ts';

/** `shards`: DUE_SHARDS, how many partitions each lane's due index spreads over. */
export function makeDeliveries(table: TableFor<'deliveries'>, shards = DEFAULT_DUE_SHARDS): Deliveries {
  return {
    async recordDeliveryAttempt(assignmentId, kind, attempt) {
      const lane = LANES[kind];
      const sent = attempt.sent !== false;
      const values: Item = sent ? { ':one': 1, ':status': attempt.status } : {};
      const names: Record<string, string> = {};
      const set = sent
        ? [`${lane.state}.attempts = ${lane.state}.attempts + :one`, `${lane.state}.lastStatus = :status`]
        : [];
      // Names through placeholders: a remembered field is the destination's, not ours to trust as a path.
      for (const [i, [field, value]] of Object.entries(attempt.remember ?? {}).entries()) {
        set.push(`${lane.state}.#remember${i} = :remember${i}`);
        names[`#remember${i}`] = field;
        values[`:remember${i}`] = value;
      }
      // The whole log, as the leaseholder read it plus this attempt: DynamoDB cannot append to a list
      // and drop its head in one update (the two paths overlap), and this stays one conditional write.
      if (attempt.log) {
        set.push(`${lane.state}.attemptLog = :log`, `${lane.state}.attemptsDropped = :dropped`);
        values[':log'] = attempt.log.attemptLog;
        values[':dropped'] = attempt.log.attemptsDropped;
      }
      let remove = `REMOVE ${lane.lease}`;
      const { outcome } = attempt;
      if ('delivered' in outcome) {
        set.push(`${lane.state}.#state = :delivered`, `${lane.state}.deliveredAt = :at`);
        Object.assign(values, { ':delivered': 'delivered', ':at': attempt.at.toISOString() });
        names['#state'] = 'state';
        remove = `REMOVE ${lane.lease}, ${lane.due}, ${lane.shard}, ${lane.state}.nextAttemptAt`;
      } else if ('retryAt' in outcome) {
        // Still owed, from the retry's time: the sweeper sends it then.
        set.push(`${lane.due} = :retryAt`, `${lane.state}.nextAttemptAt = :retryAt`);
        values[':retryAt'] = outcome.retryAt.toISOString();
      } else {
        // Parked under the dead shard of the same index, by when, for listing and replay.
        set.push(
          `${lane.state}.#state = :dead`,
          `${lane.state}.deadLetter = :letter`,
          `${lane.shard} = :deadShard`,
          `${lane.due} = :at`,
        );
        Object.assign(values, {
          ':dead': 'dead',
          ':letter': outcome.dead,
          ':deadShard': DEAD_SHARD,
          ':at': attempt.at.toISOString(),
        });
        names['#state'] = 'state';
        remove = `REMOVE ${lane.lease}, ${lane.state}.nextAttemptAt`;
      }
      await table.update({
        Key: key.assignment(assignmentId),
        UpdateExpression: `SET ${set.join(', ')} ${remove}`,
        ConditionExpression: owes(kind).condition,
        ExpressionAttributeValues: { ...values, ':due': DUE_SHARD },
        ...(Object.keys(names).length && { ExpressionAttributeNames: names }),
      });
    },

    async oweDelivery(assignmentId, deliveries, dueAt) {
      const kinds = Object.keys(deliveries) as DeliveryKind[];
      const owed = owing(deliveries);
      if (kinds.length !== 1 || !owed.set.length) throw new RangeError('owe one delivery at a time');
      return conditionally(
        table.update({
          Key: key.assignment(assignmentId),
          UpdateExpression: `SET ${owed.set.join(', ')}`,
          // An erased person's agreement is never sent again: its payload would be pseudonyms.
          ConditionExpression: `attribute_exists(ack) AND attribute_not_exists(erasedAt) AND attribute_not_exists(${LANES[kinds[0] as DeliveryKind].state})`,
          ExpressionAttributeValues: {
            ...owed.values,
            ':due': dueAt.toISOString(),
            ':shard': dueShard(assignmentId, shards),
          },
        }),
      );
    },

    async deadLetters(limit) {
      const found: Array<{ assignmentId: string; kind: DeliveryKind; deadAt: string }> = [];
      for (const kind of DELIVERY_KINDS) {
        const lane = LANES[kind];
        const items = await onLaneIndex(lane, (index) =>
          table.queryIndex(index, {
            KeyConditionExpression: `${lane.shard} = :dead`,
            ExpressionAttributeValues: { ':dead': DEAD_SHARD },
            Limit: limit,
          }),
        );
        for (const i of items) {
          found.push({ assignmentId: i.assignmentId as string, kind, deadAt: i[lane.due] as string });
        }
      }
      return found.sort((a, b) => a.deadAt.localeCompare(b.deadAt));
    },

    async replayDelivery(assignmentId, kind, at) {
      const lane = LANES[kind];
      return conditionally(
        table.update({
          Key: key.assignment(assignmentId),
          UpdateExpression:
            `SET ${lane.state}.#state = :pending, ${lane.state}.attempts = :zero, ${lane.shard} = :shard, ${lane.due} = :at ` +
            `REMOVE ${lane.state}.deadLetter, ${lane.lease}`,
          ConditionExpression: `${lane.shard} = :dead`,
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':pending': 'pending',
            ':zero': 0,
            ':shard': dueShard(assignmentId, shards),
            ':dead': DEAD_SHARD,
            ':at': at.toISOString(),
          },
        }),
      );
    },

    async getDestination(kind) {
      const item = await table.get(key.destination(kind));
      return item
        ? {
            state: item.state as 'enabled' | 'disabled',
            reason: item.reason as string,
            at: item.at as string,
          }
        : { state: 'enabled' };
    },

    async setDestination(kind, destination) {
      await table.put({ Item: { ...key.destination(kind), ...destination } });
    },
  };
}

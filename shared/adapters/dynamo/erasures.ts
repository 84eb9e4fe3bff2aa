// Erasure on the table: the log in its own partition, and each erased record rewritten in place by one conditional write.
import type { ErasureEntry } from '#shared/core/model.ts';
import { DELIVERY_KINDS } from '#shared/core/model.ts';
import type { Erasures } from '#shared/ports.ts';
import { asAssignment, LANES, storedAssignment } from './lanes.ts';
import { DEAD_SHARD } from './shards.ts';
import { conditionally, type Item, key, strip } from './table.ts';
import type { TableFor } from './table-access.ts';

/**
 * Node's deep equality, taken as the built-in's own object: an ES import of `node:util` makes its
 * namespace, reading every export, which on a cold start loads parseArgs, styleText, diff and
 * worker_threads with them (≈ 1 ms of the ingest function's; infra/bundle.ts `builtinsAsValues`).
 */
const { isDeepStrictEqual } = process.getBuiltinModule('node:util');

/** What an assignment's item holds beside its record, never compared nor written here. */
const SHARDS = new Set([LANES.mail.shard, ...DELIVERY_KINDS.map((kind) => LANES[kind].shard)]);

export function makeErasures(table: TableFor<'erasures'>): Erasures {
  return {
    async logErasure(entry) {
      const k = key.erasure(entry.starterId);
      if (await table.putIfAbsent({ ...k, ...entry })) return entry;
      return strip<ErasureEntry>(await table.get(k)) as ErasureEntry;
    },

    async getErasure(starterId) {
      return strip<ErasureEntry>(await table.get(key.erasure(starterId)));
    },

    async erasureLog() {
      const entries: ErasureEntry[] = [];
      const pages = table.paginate({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'ERASURES' },
        ConsistentRead: true,
      });
      for await (const items of pages)
        for (const item of items) entries.push(strip<ErasureEntry>(item) as ErasureEntry);
      return entries.sort((a, b) => a.at.localeCompare(b.at) || a.starterId.localeCompare(b.starterId));
    },

    async eraseAssignment(read, erased) {
      const before = storedAssignment(read);
      const after = storedAssignment(erased);
      const names: Record<string, string> = { '#status': 'status' };
      const values: Item = { ':status': read.status };
      const set: string[] = [];
      const remove: string[] = [];
      let n = 0;
      const name = (attribute: string) => {
        const placeholder = `#a${n++}`;
        names[placeholder] = attribute;
        return placeholder;
      };
      for (const attribute of new Set([...Object.keys(before), ...Object.keys(after)])) {
        if (SHARDS.has(attribute) || isDeepStrictEqual(before[attribute], after[attribute])) continue;
        if (attribute in after) {
          const placeholder = name(attribute);
          set.push(`${placeholder} = :${placeholder.slice(1)}`);
          values[`:${placeholder.slice(1)}`] = after[attribute];
        } else remove.push(name(attribute));
      }
      // Owing no email; each delivery as read (its attempts unchanged) and none pending: a dead
      // one leaves its lane with its due time, so it is no longer listed nor replayed.
      const conditions = [
        'attribute_exists(pk)',
        'attribute_not_exists(erasedAt)',
        '#status = :status',
        // Or owing only a renewal, which the erased record no longer owes (its shard goes with it).
        read.dueKind === 'renewal'
          ? `${LANES.mail.due} = :renewalDue`
          : `attribute_not_exists(${LANES.mail.due})`,
      ];
      if (read.dueKind === 'renewal' && read.dueAt !== undefined) {
        values[':renewalDue'] = read.dueAt;
        if (!erased.dueKind) remove.push(LANES.mail.shard);
      }
      for (const kind of DELIVERY_KINDS) {
        const lane = LANES[kind];
        const delivery = read[kind];
        if (!delivery) {
          conditions.push(`attribute_not_exists(${lane.state})`);
          continue;
        }
        // As read: its state, attempts and due time (a dead one's is when it died), so a delivery
        // replayed and delivered since, attempts counted afresh, is not taken for the one read.
        const due = read[`${kind}DueAt`];
        conditions.push(
          `(attribute_not_exists(${lane.shard}) OR ${lane.shard} = :dead)`,
          `${lane.state}.#state = :${lane.state}State`,
          `${lane.state}.attempts = :${lane.state}Attempts`,
          due === undefined ? `attribute_not_exists(${lane.due})` : `${lane.due} = :${lane.state}Due`,
        );
        names['#state'] = 'state';
        values[':dead'] = DEAD_SHARD;
        values[`:${lane.state}State`] = delivery.state;
        values[`:${lane.state}Attempts`] = delivery.attempts;
        if (due !== undefined) values[`:${lane.state}Due`] = due;
        if (!(lane.due in after)) remove.push(lane.shard);
      }
      const written = await conditionally(
        table.update({
          Key: key.assignment(read.assignmentId),
          UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${[...new Set(remove)].join(', ')}` : ''}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      if (written) return 'erased';
      const now = asAssignment(await table.get(key.assignment(read.assignmentId)));
      return now?.erasedAt ? 'erased-before' : 'busy';
    },

    async eraseAuditEvent(assignmentId, event, detail, at) {
      const names: Record<string, string> = {};
      const values: Item = { ':at': at.toISOString() };
      const set = ['erasedAt = :at'];
      const remove: string[] = [];
      let n = 0;
      for (const attribute of new Set([...Object.keys(event.detail), ...Object.keys(detail)])) {
        if (detail[attribute] === event.detail[attribute]) continue;
        const placeholder = `#d${n++}`;
        names[placeholder] = attribute;
        if (attribute in detail) {
          set.push(`${placeholder} = :d${n}`);
          values[`:d${n}`] = detail[attribute];
        } else remove.push(placeholder);
      }
      return conditionally(
        table.update({
          Key: key.auditEvent(assignmentId, event.at, event.kind, event.detail.destination),
          UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(erasedAt)',
          ...(n && { ExpressionAttributeNames: names }),
          ExpressionAttributeValues: values,
        }),
      );
    },

    async eraseStarter(erased) {
      return conditionally(
        table.put({
          Item: { ...key.starter(erased.starterId), ...erased },
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(erased)',
        }),
      );
    },
  };
}

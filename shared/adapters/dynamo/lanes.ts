// The lanes of owed work as the table holds them: each lane's due time, shard, lease and sparse index, the expressions that owe work in one, and the mapping of a lane's stored names to its own.
import {
  type Assignment,
  DELIVERY_KINDS,
  type DeliveryKind,
  type DueKind,
  isDeliveryKind,
  type OwedDeliveries,
} from '#shared/core/model.ts';
import { DEFAULT_DUE_SHARDS, DUE_SHARD, dueShard, retainShard } from './shards.ts';
import { type Item, strip } from './table.ts';
import { DUE_INDEX, LEGACY_DUE_INDEX, storedLane } from './table-schema.ts';

type Lane = { due: string; shard: string; lease: string; index: string; legacyIndex: string };
type DeliveryLane = Lane & { state: string };

/**
 * The lanes of owed work (model.ts): each has its own due time, index and lease; a delivery lane
 * also has its state map. The mail lane first, then one per destination of the registry.
 */
export const LANES: { mail: Lane } & Record<DeliveryKind, DeliveryLane> = {
  mail: {
    due: 'dueAt',
    shard: 'dueShard',
    lease: 'leaseUntil',
    index: DUE_INDEX,
    legacyIndex: LEGACY_DUE_INDEX,
  },
  ...(Object.fromEntries(DELIVERY_KINDS.map((kind) => [kind, storedLane(kind)])) as Record<
    DeliveryKind,
    DeliveryLane
  >),
};
export const laneOf = (kind: DueKind): Lane => (isDeliveryKind(kind) ? LANES[kind] : LANES.mail);

/** Lane indexes found missing by this process: read under their legacy name until that is missing in turn. */
const missingIndexes = new Set<string>();

const isMissingIndex = (error: unknown, index: string) =>
  (error as Error)?.name === 'ValidationException' &&
  (error as Error).message?.includes(`does not have the specified index: ${index}`);

/**
 * Reads a lane's index: its own (`…-due-v2`), or, on a stack part way through the upgrade that
 * replaces the due indexes (README), the legacy one while the new one is not built yet — and back
 * when the legacy one is dropped. Both hold the same entries (the same key attributes); only what
 * they copy differs, and the new one copies all its readers read.
 */
export async function onLaneIndex<T>(lane: Lane, read: (index: string) => Promise<T>): Promise<T> {
  const [first, second] = missingIndexes.has(lane.index)
    ? [lane.legacyIndex, lane.index]
    : [lane.index, lane.legacyIndex];
  try {
    return await read(first);
  } catch (error) {
    if (!isMissingIndex(error, first)) throw error;
    if (first === lane.index) missingIndexes.add(lane.index);
    else missingIndexes.delete(lane.index);
    return read(second);
  }
}

/** A lane's attribute names as the record names them (`webhook`, `webhookDueAt`…) and as stored. */
const RENAMED = DELIVERY_KINDS.flatMap((kind) => {
  const lane = LANES[kind];
  return [
    [kind, lane.state],
    [`${kind}DueAt`, lane.due],
    [`${kind}LeaseUntil`, lane.lease],
  ] as const;
}).filter(([name, stored]) => name !== stored);

/** An assignment's item as its record: keys and index attributes dropped, lanes under their names. */
export function asAssignment(item: Item | undefined): Assignment | undefined {
  const record = strip<Item>(item);
  if (!record) return undefined;
  // Retention's expiry is part of an assignment's record (strip drops it from every other kind).
  if (item?.expiresAt !== undefined) record.expiresAt = item.expiresAt;
  for (const [name, stored] of RENAMED) {
    if (stored in record) {
      record[name] = record[stored];
      delete record[stored];
    }
  }
  return record as unknown as Assignment;
}

/**
 * An assignment as its item stores it: each lane under its stored names, with its index's shard
 * while owed (the assignment's own among `shards`).
 */
export function storedAssignment(assignment: Assignment, shards = DEFAULT_DUE_SHARDS): Item {
  const item: Item = { ...assignment };
  for (const [name, stored] of RENAMED) {
    if (name in item) {
      item[stored] = item[name];
      delete item[name];
    }
  }
  const due = dueShard(assignment.assignmentId, shards);
  if (assignment.dueKind) item[LANES.mail.shard] = due;
  if (assignment.retainStep) item.retainShard = retainShard(assignment.assignmentId, shards);
  for (const kind of DELIVERY_KINDS) {
    if (assignment[`${kind}DueAt`]) item[LANES[kind].shard] = due;
  }
  return item;
}

/** The SET clauses and values making each given delivery owed from `:due`: its state, due time and shard (`:shard`, the caller's). */
export function owing(deliveries: OwedDeliveries): { set: string[]; values: Item } {
  const set: string[] = [];
  const values: Item = {};
  for (const kind of DELIVERY_KINDS) {
    const id = deliveries[kind];
    if (!id) continue;
    const lane = LANES[kind];
    set.push(`${lane.state} = :${lane.state}`, `${lane.due} = :due`, `${lane.shard} = :shard`);
    values[`:${lane.state}`] = { state: 'pending', attempts: 0, ...id };
  }
  return { set, values };
}

/** "This lane owes work of this kind": the mail lane names its kind; a delivery lane has one. */
export function owes(kind: DueKind): { condition: string; values: Item } {
  if (!isDeliveryKind(kind)) return { condition: 'dueKind = :kind', values: { ':kind': kind } };
  const lane = LANES[kind];
  // Any due shard (`due`, written before sharding, or `due#k`, whatever DUE_SHARDS was), never `dead`.
  return {
    condition: `attribute_exists(${lane.due}) AND begins_with(${lane.shard}, :due)`,
    values: { ':due': DUE_SHARD },
  };
}

// The lanes of owed work as the table holds them: each lane's due time, shard, lease and sparse index, and the expressions that owe work in one.
import { type DeliveryKind, type DueKind, isDeliveryKind, type OwedDeliveries } from '#shared/core/model.ts';
import type { Item } from './table.ts';
import { DUE_INDEX, LMS_DUE_INDEX, XAPI_DUE_INDEX } from './table-schema.ts';

/** The sparse indexes' partition value: set only while an assignment owes work in that lane. */
export const DUE_SHARD = 'due';
/** Dead-lettered deliveries wait in their lane's index under a shard the sweeper never reads. */
export const DEAD_SHARD = 'dead';

/**
 * The lanes of owed work (model.ts): each has its own due time, index and lease; a delivery lane
 * also has its state map (named as the lane).
 */
export const LANES = {
  mail: { due: 'dueAt', shard: 'dueShard', lease: 'leaseUntil', index: DUE_INDEX },
  lms: { due: 'lmsDueAt', shard: 'lmsShard', lease: 'lmsLeaseUntil', index: LMS_DUE_INDEX },
  xapi: { due: 'xapiDueAt', shard: 'xapiShard', lease: 'xapiLeaseUntil', index: XAPI_DUE_INDEX },
} as const;
export const laneOf = (kind: DueKind) => (isDeliveryKind(kind) ? LANES[kind] : LANES.mail);

/** The SET clauses and values making each given delivery owed from `:due`: its state, due time and shard. */
export function owing(deliveries: OwedDeliveries): { set: string[]; values: Item } {
  const set: string[] = [];
  const values: Item = {};
  for (const [kind, id] of Object.entries(deliveries) as Array<[DeliveryKind, object | undefined]>) {
    if (!id) continue;
    const lane = LANES[kind];
    set.push(`${kind} = :${kind}`, `${lane.due} = :due`, `${lane.shard} = :shard`);
    values[`:${kind}`] = { state: 'pending', attempts: 0, ...id };
  }
  return { set, values };
}

/** "This lane owes work of this kind": the mail lane names its kind; a delivery lane has one. */
export function owes(kind: DueKind): { condition: string; values: Item } {
  if (!isDeliveryKind(kind)) return { condition: 'dueKind = :kind', values: { ':kind': kind } };
  const lane = LANES[kind];
  return {
    condition: `attribute_exists(${lane.due}) AND ${lane.shard} = :due`,
    values: { ':due': DUE_SHARD },
  };
}

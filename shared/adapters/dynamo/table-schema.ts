// The table's index and attribute names, as the adapters read and write them; the indexes' definitions, for the CDK stack and the local emulator, are in table-indexes.ts.
import type { DeliveryKind } from '#shared/core/model.ts';

/**
 * The mail lane's sparse index: assignments owing an email, by when it falls due. Named afresh
 * (`due-v2`) when it stopped projecting whole items: DynamoDB cannot change an index's projection,
 * only drop it and build another.
 */
export const DUE_INDEX = 'due-v2';
/** The mail lane's index as it was first built (projecting whole items). */
export const LEGACY_DUE_INDEX = 'due';
/**
 * What a due index copies besides the keys (the table's and its own: the shard and the due time):
 * what its readers read — the sweeper the assignment id and (the mail lane) the kind of email
 * owed; the dead letters' listing (CLI, console) the assignment id. Every other write of an
 * assignment (its lease, its sends, its audit) then writes no index entry.
 */
export const DUE_INCLUDE = ['assignmentId', 'dueKind'];
export const LANE_DUE_INCLUDE = ['assignmentId'];

/**
 * The names a delivery lane is stored under. The webhook's keep those it had when it was the only
 * destination and its lane was called `lms`, so data written then stays readable: the adapter
 * maps them to the lane's name as it reads and writes.
 */
const STORED_AS: Partial<Record<DeliveryKind, string>> = { webhook: 'lms' };

/** A delivery lane as the table holds it: its state map, due time, index shard, lease and sparse index. */
export function storedLane(kind: DeliveryKind) {
  const name = STORED_AS[kind] ?? kind;
  return {
    state: name,
    due: `${name}DueAt`,
    shard: `${name}Shard`,
    lease: `${name}LeaseUntil`,
    index: `${name}-due-v2`,
    legacyIndex: `${name}-due`,
  } as const;
}
/** Acknowledged assignments by policy and version: who signed what, for re-acknowledgement. */
export const SIGNED_INDEX = 'signed';
/** Every assignment by policy and when it was made: the "who has not signed?" report and its CSV. */
export const POLICY_INDEX = 'policy';
/** Assignments owing a retention step (reduce the IP address, or expire), by when it falls due. */
export const RETAIN_INDEX = 'retain';

// The table's indexes, described once for the CDK stack and the local emulator alike; a delivery lane's are named after its destination (delivery-ids.ts).
import { deliveryIds } from '#shared/core/destinations/delivery-ids.ts';
import { DELIVERY_KINDS, type DeliveryKind } from '#shared/core/model.ts';

export interface IndexSpec {
  name: string;
  partitionKey: string;
  sortKey: { name: string; type: 'S' | 'N' };
  /** Attributes copied into the index besides the keys; undefined copies all. */
  include?: string[];
  /**
   * The name the index had before (a due index projecting whole items, `ALL`): a stack deployed
   * then still holds it until the upgrade's steps drop it (README, "Upgrading the due indexes"),
   * and readers fall back to it while this one is not there yet.
   */
  legacyName?: string;
  why: string;
}

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

export const TABLE_INDEXES: readonly IndexSpec[] = [
  {
    name: DUE_INDEX,
    partitionKey: 'dueShard',
    sortKey: { name: 'dueAt', type: 'S' },
    include: DUE_INCLUDE,
    legacyName: LEGACY_DUE_INDEX,
    why: 'Sparse: only assignments owing an email carry dueShard (due#0…due#N-1), so a sweep reads what is due, every shard in parallel.',
  },
  // One sparse index per delivery lane, each by when its delivery falls due.
  ...DELIVERY_KINDS.map((kind): IndexSpec => {
    const lane = storedLane(kind);
    return {
      name: lane.index,
      partitionKey: lane.shard,
      sortKey: { name: lane.due, type: 'S' },
      include: LANE_DUE_INCLUDE,
      legacyName: lane.legacyIndex,
      why: `Sparse: only assignments owing a ${deliveryIds[kind].title} (or holding its dead letter) carry ${lane.shard}.`,
    };
  }),
  {
    name: SIGNED_INDEX,
    partitionKey: 'signedPolicy',
    sortKey: { name: 'signedVersion', type: 'N' },
    include: ['assignmentId', 'starterId'],
    why: 'Sparse: only acknowledged assignments carry signedPolicy; publishing a version that needs re-acknowledgement reads its signers here.',
  },
  {
    name: POLICY_INDEX,
    partitionKey: 'policyId',
    sortKey: { name: 'createdAt', type: 'S' },
    // Not ALL: the lanes' leases change an assignment often, and each change of a projected
    // attribute writes the index too. These change a few times in an assignment's life.
    include: ['assignmentId', 'starterId', 'policyVersion', 'status'],
    why: 'Only assignments carry both policyId and createdAt, so a report reads one policy’s assignments (within a date range only those), counts them by status, and reads in full only those it lists.',
  },
  {
    name: RETAIN_INDEX,
    partitionKey: 'retainShard',
    sortKey: { name: 'retainAt', type: 'S' },
    // Not ALL: the evidence need not be copied for the sweeper to know which step is due.
    include: ['assignmentId', 'retainStep'],
    why: 'Sparse: only assignments owing a retention step carry retainShard (retain#0…retain#N-1), so the sweeper reads what is due for reduction or expiry (no Scan).',
  },
];

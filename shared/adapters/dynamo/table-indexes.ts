// The table's indexes, described once for the CDK stack and the local emulator alike (no function bundles this: the adapters need only the names in table-schema.ts); a delivery lane's are named after its destination (delivery-ids.ts).
import { deliveryIds } from '#shared/core/destinations/delivery-ids.ts';
import { DELIVERY_KINDS } from '#shared/core/model.ts';
import {
  DUE_INCLUDE,
  DUE_INDEX,
  LANE_DUE_INCLUDE,
  LEGACY_DUE_INDEX,
  POLICY_INDEX,
  RETAIN_INDEX,
  SIGNED_INDEX,
  storedLane,
} from './table-schema.ts';

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

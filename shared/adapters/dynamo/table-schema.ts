// The table's indexes, described once for the CDK stack and the local emulator alike.

export interface IndexSpec {
  name: string;
  partitionKey: string;
  sortKey: { name: string; type: 'S' | 'N' };
  /** Attributes copied into the index besides the keys; undefined copies all. */
  include?: string[];
  why: string;
}

/** The mail lane's sparse index: assignments owing an email, by when it falls due. */
export const DUE_INDEX = 'due';
/** The webhook lane's sparse index: assignments owing a webhook delivery, by when it falls due. */
export const LMS_DUE_INDEX = 'lms-due';
/** The xAPI lane's sparse index: assignments owing a statement to the LRS, by when it falls due. */
export const XAPI_DUE_INDEX = 'xapi-due';
/** Acknowledged assignments by policy and version: who signed what, for re-acknowledgement. */
export const SIGNED_INDEX = 'signed';
/** Every assignment by policy and when it was made: the "who has not signed?" report and its CSV. */
export const POLICY_INDEX = 'policy';

export const TABLE_INDEXES: readonly IndexSpec[] = [
  {
    name: DUE_INDEX,
    partitionKey: 'dueShard',
    sortKey: { name: 'dueAt', type: 'S' },
    why: 'Sparse: only assignments owing an email carry dueShard, so a sweep reads what is due.',
  },
  {
    name: LMS_DUE_INDEX,
    partitionKey: 'lmsShard',
    sortKey: { name: 'lmsDueAt', type: 'S' },
    why: 'Sparse: only assignments owing a webhook delivery (or holding a dead letter) carry lmsShard.',
  },
  {
    name: XAPI_DUE_INDEX,
    partitionKey: 'xapiShard',
    sortKey: { name: 'xapiDueAt', type: 'S' },
    why: 'Sparse: only assignments owing an xAPI statement (or holding a dead letter) carry xapiShard.',
  },
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
];

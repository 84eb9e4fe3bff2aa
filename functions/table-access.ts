// What each function may do to the table: the aggregates its store composes (functions/*/store.ts), and from them the DynamoDB actions its IAM grant names (infra, never a bundle).

import { key } from '#shared/adapters/dynamo/table.ts';
import {
  type Aggregate,
  accessOf,
  READ_ACTIONS,
  type TableAction,
} from '#shared/adapters/dynamo/table-access.ts';

/** Ingest's store (ingest/store.ts, ingestAggregates); SCIM's writes reach it too. */
const INGEST = [
  'eventReceipts',
  'starters',
  'assignments',
  'policies',
  'policyIndex',
  'auditTrail',
  'retention',
  'erasures',
] as const satisfies readonly Aggregate[];

/**
 * The aggregates each function's store composes: `<name>/store.ts` (a unit test, table-access.test.ts,
 * reads them there). SCIM's are its users and, for the starters its users become, ingest's.
 */
export const FUNCTION_AGGREGATES = {
  ingest: INGEST,
  mailer: ['starters', 'assignments', 'dueWork', 'mailWork', 'digests', 'policies', 'auditTrail'],
  ack: ['starters', 'assignments', 'policies', 'mailWork', 'auditTrail'],
  'lms-push': ['starters', 'assignments', 'dueWork', 'deliveries', 'auditTrail'],
  sweeper: ['starters', 'assignments', 'dueWork', 'policies', 'retention'],
  'ses-events': ['starters', 'assignments', 'mailWork', 'auditTrail'],
  scim: ['scimUsers', ...INGEST],
  console: [
    'starters',
    'assignments',
    'policies',
    'policyIndex',
    'auditTrail',
    'deliveries',
    'mailWork',
    'scimUsers',
  ],
} as const satisfies Record<string, readonly Aggregate[]>;

export type TableFunction = keyof typeof FUNCTION_AGGREGATES;

/** What one function may do to the table. */
export interface FunctionTableAccess {
  /** Actions on the table's items, any partition. */
  actions: TableAction[];
  /** Whether it may Query the table's indexes. */
  queriesIndex: boolean;
  /** Writes allowed only on items whose partition key begins with `prefix` (IAM's dynamodb:LeadingKeys). */
  partitionWrites?: { actions: TableAction[]; prefix: string };
}

/**
 * The console reads whatever an operator may look at, through all its aggregates; it writes only
 * what its actions on an assignment write (resend, cancel, replay, accept on behalf): a conditional
 * update of the assignment item and a put of its audit event or sent attempt, each in the
 * assignment's own partition. No delete, no batch write: what its aggregates could write beyond
 * that (SCIM's users, a policy, a destination's state) it never asks.
 */
const CONSOLE_WRITES: NonNullable<FunctionTableAccess['partitionWrites']> = {
  actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
  prefix: key.assignment('').pk,
};

/** The grant function `name` is given on the table. */
export function tableAccessOf(name: TableFunction): FunctionTableAccess {
  const access = accessOf(FUNCTION_AGGREGATES[name]);
  if (name !== 'console') return access;
  return {
    actions: access.actions.filter((a) => READ_ACTIONS.includes(a)),
    queriesIndex: access.queriesIndex,
    partitionWrites: CONSOLE_WRITES,
  };
}

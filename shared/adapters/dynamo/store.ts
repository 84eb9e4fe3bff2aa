// The Store on one DynamoDB table, composed of its aggregates; every invariant rests on a single-item conditional write.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Store } from '#shared/ports.ts';
import { makeAssignments } from './assignments.ts';
import { makeAuditTrail } from './audit.ts';
import { makeDeliveries } from './deliveries.ts';
import { makeDigests } from './digests.ts';
import { makeDueWork } from './due-work.ts';
import { makeErasures } from './erasures.ts';
import { makeEventReceipts } from './event-receipts.ts';
import { makeMailWork } from './mail-work.ts';
import { makePolicies } from './policies.ts';
import { makePolicyIndex } from './policy-index.ts';
import { makeRetention } from './retention.ts';
import { makeScimUsers } from './scim-users.ts';
import { DEFAULT_DUE_SHARDS } from './shards.ts';
import { makeStarters } from './starters.ts';
import { makeTable } from './table.ts';

/** How the table spreads owed work: DUE_SHARDS, the partitions of each due index and of `retain`. */
export interface TableLayout {
  dueShards?: number;
}

export function makeDynamoStore(
  tableName: string,
  client: DynamoDBClient = new DynamoDBClient({}),
  layout: TableLayout = {},
): Store {
  const table = makeTable(tableName, client);
  const shards = layout.dueShards ?? DEFAULT_DUE_SHARDS;
  return {
    ...makeEventReceipts(table),
    ...makeStarters(table),
    ...makeAssignments(table, shards),
    ...makeDueWork(table, shards),
    ...makeMailWork(table),
    ...makeDigests(table),
    ...makeDeliveries(table, shards),
    ...makePolicies(table),
    ...makePolicyIndex(table),
    ...makeRetention(table, shards),
    ...makeAuditTrail(table),
    ...makeScimUsers(table),
    ...makeErasures(table),
  };
}

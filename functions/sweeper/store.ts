// The sweeper's store: the table's aggregates it reads and writes, and no others, so its bundle carries only their code (issue 18).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeAssignments } from '#shared/adapters/dynamo/assignments.ts';
import { makeDueWork } from '#shared/adapters/dynamo/due-work.ts';
import { makePolicies } from '#shared/adapters/dynamo/policies.ts';
import { makeRetention } from '#shared/adapters/dynamo/retention.ts';
import { makeStarters } from '#shared/adapters/dynamo/starters.ts';
import { makeTable } from '#shared/adapters/dynamo/table.ts';

/**
 * The due work it re-drives (SweepStore) and the retention steps it takes, with the assignments,
 * starters and policy versions they read (RetentionStore), as makeDynamoStore composes them on one
 * table: the use cases' store types name what they need, so one left out here fails the
 * typecheck. Event receipts, mail work, digests, deliveries, the audit trail, the policy index,
 * erasures and SCIM's users are other functions'.
 */
export function makeSweeperStore(tableName: string, dueShards: number) {
  const table = makeTable(tableName, new DynamoDBClient({}));
  return {
    ...makeStarters(table),
    ...makeAssignments(table, dueShards),
    ...makeDueWork(table, dueShards),
    ...makePolicies(table),
    ...makeRetention(table, dueShards),
  };
}

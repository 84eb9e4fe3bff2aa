// The LMS push function's store: the table's aggregates it reads and writes, and no others, so its bundle carries only their code (issue 18).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeAssignments } from '#shared/adapters/dynamo/assignments.ts';
import { makeAuditTrail } from '#shared/adapters/dynamo/audit.ts';
import { makeDeliveries } from '#shared/adapters/dynamo/deliveries.ts';
import { makeDueWork } from '#shared/adapters/dynamo/due-work.ts';
import { makeStarters } from '#shared/adapters/dynamo/starters.ts';
import { makeTable } from '#shared/adapters/dynamo/table.ts';

/**
 * A delivery's lease, its attempts and destination, the assignment and starter it reports and
 * the audit trail (DeliverStore), as makeDynamoStore composes them on one table: the use case's
 * store type names what it needs, so one left out here fails the typecheck. Event receipts, mail
 * work, digests, policies, retention, erasures and SCIM's users are other functions'.
 */
export function makeLmsPushStore(tableName: string, dueShards: number) {
  const table = makeTable(tableName, new DynamoDBClient({}));
  return {
    ...makeStarters(table),
    ...makeAssignments(table, dueShards),
    ...makeDueWork(table, dueShards),
    ...makeDeliveries(table, dueShards),
    ...makeAuditTrail(table),
  };
}

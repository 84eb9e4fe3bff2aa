// The console's store: the table's aggregates it reads and acts on, and no others, so its bundle carries only their code (issue 18).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeAssignments } from '#shared/adapters/dynamo/assignments.ts';
import { makeAuditTrail } from '#shared/adapters/dynamo/audit.ts';
import { makeDeliveries } from '#shared/adapters/dynamo/deliveries.ts';
import { makeMailWork } from '#shared/adapters/dynamo/mail-work.ts';
import { makePolicies } from '#shared/adapters/dynamo/policies.ts';
import { makePolicyIndex } from '#shared/adapters/dynamo/policy-index.ts';
import { makeScimUsers } from '#shared/adapters/dynamo/scim-users.ts';
import { makeStarters } from '#shared/adapters/dynamo/starters.ts';
import { makeTable } from '#shared/adapters/dynamo/table.ts';

/**
 * The pages' reads, the admin actions (resend, cancel, replay, accept on behalf) and subject access
 * exports, as makeDynamoStore composes them on one table: its typed use cases name what they need,
 * so one left out here fails the typecheck. Retention, erasures, due work, digests and event receipts
 * are the sweeper's, ingest's and the mailer's.
 */
export function makeConsoleStore(tableName: string, dueShards: number) {
  const table = makeTable(tableName, new DynamoDBClient({}));
  return {
    ...makeStarters(table),
    ...makeAssignments(table, dueShards),
    ...makePolicies(table),
    ...makePolicyIndex(table),
    ...makeAuditTrail(table),
    ...makeDeliveries(table, dueShards),
    ...makeMailWork(table),
    ...makeScimUsers(table),
  };
}

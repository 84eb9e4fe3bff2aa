// The acknowledgement page's store: the table's aggregates it reads and writes, and no others, so its bundle carries only their code (issue 18).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeAssignments } from '#shared/adapters/dynamo/assignments.ts';
import { makeAuditTrail } from '#shared/adapters/dynamo/audit.ts';
import { makeMailWork } from '#shared/adapters/dynamo/mail-work.ts';
import { makePolicies } from '#shared/adapters/dynamo/policies.ts';
import { makeStarters } from '#shared/adapters/dynamo/starters.ts';
import { makeTable } from '#shared/adapters/dynamo/table.ts';

/**
 * The assignment a link names, its starter and policy version, the send its link came in and
 * the audit trail (AckStore), as makeDynamoStore composes them on one table: the use case's store
 * type names what it needs, so one left out here fails the typecheck. Event receipts, due work,
 * digests, deliveries, the policy index, retention, erasures and SCIM's users are other functions'.
 */
export function makeAckStore(tableName: string, dueShards: number) {
  const table = makeTable(tableName, new DynamoDBClient({}));
  return {
    ...makeStarters(table),
    ...makeAssignments(table, dueShards),
    ...makePolicies(table),
    ...makeMailWork(table),
    ...makeAuditTrail(table),
  };
}

// The mailer's store: the table's aggregates its sends read and write, and no others, so its bundle carries only their code (issue 18).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeAssignments } from '#shared/adapters/dynamo/assignments.ts';
import { makeAuditTrail } from '#shared/adapters/dynamo/audit.ts';
import { makeDigests } from '#shared/adapters/dynamo/digests.ts';
import { makeDueWork } from '#shared/adapters/dynamo/due-work.ts';
import { makeMailWork } from '#shared/adapters/dynamo/mail-work.ts';
import { makePolicies } from '#shared/adapters/dynamo/policies.ts';
import { makeStarters } from '#shared/adapters/dynamo/starters.ts';
import { makeTable } from '#shared/adapters/dynamo/table.ts';

/**
 * A mail-lane step's lease, the starter, assignment and policy version its email needs, its
 * outcome, the managers' digests and renewals (MailStore), as makeDynamoStore composes them on one
 * table: the use case's store type names what it needs, so one left out here fails the typecheck.
 * Event receipts, deliveries, the policy index, retention, erasures and SCIM's users are other
 * functions'.
 */
export function makeMailerStore(tableName: string, dueShards: number) {
  const table = makeTable(tableName, new DynamoDBClient({}));
  return {
    ...makeStarters(table),
    ...makeAssignments(table, dueShards),
    ...makeDueWork(table, dueShards),
    ...makeMailWork(table),
    ...makeDigests(table),
    ...makePolicies(table),
    ...makeAuditTrail(table),
  };
}

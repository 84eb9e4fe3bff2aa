// The ingest function's store: the table's aggregates it reads and writes, and no others, so its bundle carries only their code (issue 18).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeAssignments } from '#shared/adapters/dynamo/assignments.ts';
import { makeAuditTrail } from '#shared/adapters/dynamo/audit.ts';
import { makeErasures } from '#shared/adapters/dynamo/erasures.ts';
import { makeEventReceipts } from '#shared/adapters/dynamo/event-receipts.ts';
import { makePolicies } from '#shared/adapters/dynamo/policies.ts';
import { makePolicyIndex } from '#shared/adapters/dynamo/policy-index.ts';
import { makeRetention } from '#shared/adapters/dynamo/retention.ts';
import { makeStarters } from '#shared/adapters/dynamo/starters.ts';
import { makeTable, type Table } from '#shared/adapters/dynamo/table.ts';

/** The function's table, with a client of its own. */
export function makeIngestTable(tableName: string): Table {
  return makeTable(tableName, new DynamoDBClient({}));
}

/**
 * An HR event's receipt, its starter and assignments, the policies and their index (a new version
 * published at ingest), the audit trail, retention steps and erasures (IngestStore), as
 * makeDynamoStore composes them, on `table`: the use case's store type names what it needs, so one
 * left out here fails the typecheck. Due work, mail work, digests, deliveries and SCIM's users are
 * other functions'; SCIM's store is these and its users.
 */
export function ingestAggregates(table: Table, dueShards: number) {
  return {
    ...makeEventReceipts(table),
    ...makeStarters(table),
    ...makeAssignments(table, dueShards),
    ...makePolicies(table),
    ...makePolicyIndex(table),
    ...makeAuditTrail(table),
    ...makeRetention(table, dueShards),
    ...makeErasures(table),
  };
}

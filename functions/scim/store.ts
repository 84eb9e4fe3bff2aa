// The SCIM function's store: the table's aggregates it reads and writes, and no others, so its bundle carries only their code (issue 18).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ingestAggregates } from '#functions/ingest/store.ts';
import { makeScimUsers } from '#shared/adapters/dynamo/scim-users.ts';
import { makeTable } from '#shared/adapters/dynamo/table.ts';

/**
 * SCIM's users and the ingest use case each user becomes a starter through (its assignments,
 * policies and their index, audit trail, retention steps and erasures), as makeDynamoStore composes them on one
 * table: the use cases' store types name what they need, so one left out here fails the
 * typecheck. Due work, mail work, digests and deliveries are other functions'.
 */
export function makeScimStore(tableName: string, dueShards: number) {
  const table = makeTable(tableName, new DynamoDBClient({}));
  return { ...ingestAggregates(table, dueShards), ...makeScimUsers(table) };
}

// The SCIM function's store: the table's aggregates it reads and writes, and no others, so its bundle carries only their code (issue 18).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeScimUsers } from '#shared/adapters/dynamo/scim-users.ts';
import { makeTable } from '#shared/adapters/dynamo/table.ts';

/**
 * The table and SCIM's users on it, which every request reads (a search first among them). The
 * aggregates a user becomes a starter through are the ingest use case's (./ingest.ts), on the same
 * table; due work, mail work, digests and deliveries are other functions'.
 */
export function makeScimStore(tableName: string) {
  const table = makeTable(tableName, new DynamoDBClient({}));
  return { table, users: makeScimUsers(table) };
}

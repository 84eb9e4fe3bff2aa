// What each aggregate may ask of the table: its declared Table methods are the ones its source calls, the typecheck refuses any other, and an index query is told apart from a table query.
import { readdirSync, readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDigests } from '#shared/adapters/dynamo/digests.ts';
import { makePolicyIndex } from '#shared/adapters/dynamo/policy-index.ts';
import { makeTable, type Table } from '#shared/adapters/dynamo/table.ts';
import {
  AGGREGATE_USES,
  type Aggregate,
  accessOf,
  METHOD_ACTIONS,
  type TableFor,
  type TableMethod,
} from '#shared/adapters/dynamo/table-access.ts';

const dir = new URL('../../../../../shared/adapters/dynamo/', import.meta.url);
const source = (file: string) => readFileSync(new URL(file, dir), 'utf8');

/** Each aggregate's module. */
const FILES: Record<Aggregate, string> = {
  eventReceipts: 'event-receipts.ts',
  starters: 'starters.ts',
  assignments: 'assignments.ts',
  dueWork: 'due-work.ts',
  mailWork: 'mail-work.ts',
  digests: 'digests.ts',
  deliveries: 'deliveries.ts',
  policies: 'policies.ts',
  policyIndex: 'policy-index.ts',
  retention: 'retention.ts',
  auditTrail: 'audit.ts',
  scimUsers: 'scim-users.ts',
  erasures: 'erasures.ts',
};

/** The Table methods a module calls on `table`, directly or through a helper that takes the table (`shardsToRead(table, …)`). */
function calledIn(text: string): TableMethod[] {
  const direct = [...text.matchAll(/\btable\.(\w+)\(/g)].map((m) => m[1] as TableMethod);
  const helpers = [...text.matchAll(/\b(\w+)\(table\b/g)].map((m) => m[1] as string);
  const viaHelpers = helpers.flatMap((name) => {
    for (const file of readdirSync(dir)) {
      const signature = new RegExp(`function ${name}\\(table: Pick<Table, ([^>]+)>`).exec(source(file));
      if (signature)
        return [...(signature[1] as string).matchAll(/'(\w+)'/g)].map((m) => m[1] as TableMethod);
    }
    return [];
  });
  return [...new Set([...direct, ...viaHelpers])].sort();
}

describe('AGGREGATE_USES', () => {
  it('lists, for each aggregate, exactly the Table methods its module calls', () => {
    for (const [aggregate, file] of Object.entries(FILES) as Array<[Aggregate, string]>) {
      // Act
      const called = calledIn(source(file));

      // Assess
      expect(called, aggregate).toEqual([...AGGREGATE_USES[aggregate]].sort());
    }
  });

  it('binds each aggregate’s maker to its own list, so a call of another method fails the typecheck', () => {
    for (const [aggregate, file] of Object.entries(FILES) as Array<[Aggregate, string]>) {
      // Act
      const takes = [...source(file).matchAll(/export function make\w+\(table: ([^,)]+)/g)].map((m) => m[1]);

      // Assess: one maker, on TableFor of its own name (not the whole Table)
      expect(takes, aggregate).toEqual([`TableFor<'${aggregate}'>`]);
    }
  });

  it('covers every aggregate module in the folder that takes the table', () => {
    // Prepare
    const makers = readdirSync(dir).filter((file) => /export function make\w+\(table\b/.test(source(file)));

    // Assess: the store (composes them) and the table (makes it) aside
    expect(makers.filter((f) => f !== 'store.ts' && f !== 'table.ts').sort()).toEqual(
      Object.values(FILES).sort(),
    );
  });

  it('refuses at typecheck a method an aggregate does not list, and an index named in a table query', () => {
    // Prepare: a table that records what is asked of it
    const asked: string[] = [];
    const recording = new Proxy({} as Table, {
      get: (_, method: string) => {
        asked.push(method);
        return async () => ({});
      },
    });
    const digests: TableFor<'digests'> = recording;
    const policyIndex: TableFor<'policyIndex'> = recording;

    // Act: what compiles is what is listed
    void digests.update({ Key: { pk: 'p', sk: 's' } });
    // @ts-expect-error digests list `update` alone: deleting is no method of their table
    void digests.delete;
    // @ts-expect-error the policy index reads through its indexes only: a table query is not its to make
    void policyIndex.query;
    // Never run: the typecheck alone refuses it
    const _tableQuery = (table: Table) =>
      // @ts-expect-error a query of the table cannot name an index: that is queryIndex's
      table.query({ IndexName: 'signed' });
    // Their makers take no more than their lists
    makeDigests(digests);
    makePolicyIndex(policyIndex);

    // Assess: the recording saw what the lines above touched, at making nothing
    expect(asked).toEqual(['update', 'delete', 'query']);
  });
});

describe('METHOD_ACTIONS and accessOf', () => {
  it('gives every method of the table its actions, reads as reads and each write its own action', () => {
    // Prepare
    const table = makeTable('t', new DynamoDBClient({ region: 'eu-west-2' }));

    // Assess: one entry per method the table has, no more
    expect(Object.keys(METHOD_ACTIONS).sort()).toEqual(Object.keys(table).sort());
    expect(METHOD_ACTIONS.get.table).toEqual(['dynamodb:GetItem', 'dynamodb:BatchGetItem']);
    expect(METHOD_ACTIONS.delete.table).toEqual(['dynamodb:DeleteItem']);
    expect(METHOD_ACTIONS.batchPut.table).toEqual(['dynamodb:BatchWriteItem']);
    expect(METHOD_ACTIONS.paginateIndex).toEqual({ table: [], index: ['dynamodb:Query'] });
  });

  it('unites the aggregates’ actions, sorted and each once, and queries an index only when one of them does', () => {
    // Act
    const digestsAndPolicies = accessOf(['digests', 'policies']);
    const withDueWork = accessOf(['digests', 'dueWork']);

    // Assess
    expect(digestsAndPolicies).toEqual({
      actions: [
        'dynamodb:BatchGetItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ],
      queriesIndex: false,
    });
    expect(withDueWork).toEqual({
      actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
      queriesIndex: true,
    });
  });
});

describe('makeTable index queries', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  afterEach(() => ddb.reset());

  it('names the index in queryIndex and paginateIndex, and none in query and paginate', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Items: [] });
    const table = makeTable('attest', new DynamoDBClient({ region: 'eu-west-2' }));
    const input = { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'x' } };

    // Act
    await table.query(input);
    await table.queryIndex('signed', input);
    for await (const _ of table.paginate(input));
    for await (const _ of table.paginateIndex('retain', input));

    // Assess
    const indexes = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.IndexName);
    expect(indexes).toEqual([undefined, 'signed', undefined, 'retain']);
    expect(ddb.commandCalls(QueryCommand).every((c) => c.args[0].input.TableName === 'attest')).toBe(true);
  });
});

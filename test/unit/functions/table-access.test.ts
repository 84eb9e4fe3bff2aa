// Each function's table grant is derived from the aggregates its store really composes.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTION_AGGREGATES, type TableFunction, tableAccessOf } from '#functions/table-access.ts';

const functions = new URL('../../../functions/', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, functions), 'utf8');

/** The aggregates a module composes: each `make<Aggregate>(table…)` call, as the aggregate's name. */
const composedIn = (text: string) =>
  [...text.matchAll(/\bmake(\w+)\(table\b/g)].map((m) => {
    const name = m[1] as string;
    return `${name[0]?.toLowerCase()}${name.slice(1)}`;
  });

describe('FUNCTION_AGGREGATES', () => {
  it('lists, for each function, exactly the aggregates its store composes (SCIM: its users and ingest’s)', () => {
    for (const name of Object.keys(FUNCTION_AGGREGATES) as TableFunction[]) {
      // Prepare: SCIM's writes go through the ingest use case, on its table
      const stores = name === 'scim' ? ['scim/store.ts', 'ingest/store.ts'] : [`${name}/store.ts`];

      // Act
      const composed = stores.flatMap((file) => composedIn(read(file)));

      // Assess
      expect(composed.sort(), name).toEqual([...FUNCTION_AGGREGATES[name]].sort());
    }
  });

  it('names every function folder that has a store, and no other', () => {
    // Prepare
    const withStore = readdirSync(functions, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .filter((name) => readdirSync(new URL(`${name}/`, functions)).includes('store.ts'));

    // Assess
    expect(Object.keys(FUNCTION_AGGREGATES).sort()).toEqual(withStore.sort());
  });

  it('reaches the table only through a store: no other function module makes a table or an aggregate', () => {
    // Prepare
    const modules = readdirSync(functions, { recursive: true, encoding: 'utf8' }).filter(
      (file) => file.endsWith('.ts') && !file.endsWith('store.ts') && file !== 'table-access.ts',
    );

    // Assess
    for (const file of modules) {
      expect(read(file), file).not.toMatch(/#shared\/adapters\/dynamo\/(?!table\.ts)/);
      expect(read(file), file).not.toMatch(/\bmakeTable\(/);
    }
  });
});

describe('tableAccessOf', () => {
  it('gives the console its aggregates’ reads, and writes only in an assignment’s partition', () => {
    // Act
    const access = tableAccessOf('console');

    // Assess
    expect(access).toEqual({
      actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
      queriesIndex: true,
      partitionWrites: { actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], prefix: 'ASSIGN#' },
    });
  });

  it('gives the acknowledgement page no index and no delete', () => {
    // Act
    const access = tableAccessOf('ack');

    // Assess
    expect(access.queriesIndex).toBe(false);
    expect(access.actions).not.toContain('dynamodb:DeleteItem');
    expect(access.partitionWrites).toBeUndefined();
  });
});

// What each aggregate may ask of the table: the Table methods it uses, and the DynamoDB actions each method sends — the data each function's IAM grant is derived from (functions/table-access.ts).
import type { Table } from './table.ts';

/** A method of the Table wrapper. */
export type TableMethod = keyof Table;

/** A DynamoDB item action the Table wrapper sends. */
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:Query'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:BatchWriteItem';

/**
 * The actions each method sends: on the table itself (`table`), and on its indexes (`index`).
 * `get` sends GetItem alone and BatchGetItem when gets are asked together (table.ts); a
 * conditional write needs only its own action (no ConditionCheckItem, which is for transactions).
 */
export const METHOD_ACTIONS = {
  get: { table: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'], index: [] },
  batchGet: { table: ['dynamodb:BatchGetItem'], index: [] },
  query: { table: ['dynamodb:Query'], index: [] },
  paginate: { table: ['dynamodb:Query'], index: [] },
  queryIndex: { table: [], index: ['dynamodb:Query'] },
  paginateIndex: { table: [], index: ['dynamodb:Query'] },
  put: { table: ['dynamodb:PutItem'], index: [] },
  putIfAbsent: { table: ['dynamodb:PutItem'], index: [] },
  update: { table: ['dynamodb:UpdateItem'], index: [] },
  delete: { table: ['dynamodb:DeleteItem'], index: [] },
  batchPut: { table: ['dynamodb:BatchWriteItem'], index: [] },
} as const satisfies Record<
  TableMethod,
  { table: readonly TableAction[]; index: readonly 'dynamodb:Query'[] }
>;

/** The actions that only read. */
export const READ_ACTIONS: readonly TableAction[] = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
];

/**
 * The Table methods each aggregate (shared/adapters/dynamo/<file>.ts) calls: its maker takes a
 * `TableFor<name>`, so a call of a method not listed here fails the typecheck, and a unit test
 * (table-access.test.ts) fails on one listed but never called.
 */
export const AGGREGATE_USES = {
  eventReceipts: ['get', 'put'],
  starters: ['get', 'put', 'batchGet'],
  assignments: ['get', 'putIfAbsent', 'batchGet', 'update'],
  dueWork: ['get', 'update', 'paginateIndex'],
  mailWork: ['get', 'putIfAbsent', 'update', 'paginate'],
  digests: ['update'],
  deliveries: ['get', 'put', 'update', 'queryIndex'],
  policies: ['get', 'putIfAbsent', 'query'],
  policyIndex: ['paginateIndex'],
  retention: ['get', 'update', 'paginate', 'paginateIndex'],
  auditTrail: ['putIfAbsent', 'batchPut', 'paginate'],
  scimUsers: ['get', 'put', 'delete', 'batchGet', 'paginate'],
  erasures: ['get', 'put', 'putIfAbsent', 'update', 'paginate'],
} as const satisfies Record<string, readonly TableMethod[]>;

export type Aggregate = keyof typeof AGGREGATE_USES;

/** The table as aggregate `A` may use it: the methods AGGREGATE_USES lists for it, and no others. */
export type TableFor<A extends Aggregate> = Pick<Table, (typeof AGGREGATE_USES)[A][number]>;

/** What a set of aggregates may do: the actions on the table, and whether they query an index. */
export interface TableAccess {
  actions: TableAction[];
  queriesIndex: boolean;
}

/** The actions the aggregates' methods send, sorted, each once. */
export function accessOf(aggregates: readonly Aggregate[]): TableAccess {
  const methods = new Set(aggregates.flatMap((a) => AGGREGATE_USES[a]));
  const actions = new Set<TableAction>();
  let queriesIndex = false;
  for (const m of methods) {
    for (const a of METHOD_ACTIONS[m].table) actions.add(a);
    if (METHOD_ACTIONS[m].index.length) queriesIndex = true;
  }
  return { actions: [...actions].sort(), queriesIndex };
}

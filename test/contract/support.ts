// What the store's contract cases share: fixed times, sample records, and stores that hold nothing yet.
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, inject } from 'vitest';
import { makeDynamoStore } from '#shared/adapters/dynamo/store.ts';
import type { Assignment, PolicyVersion } from '#shared/core/model.ts';
import type { Store } from '#shared/ports.ts';
import { createEmptyTable, LOCAL_CREDENTIALS } from '../../local/emulators.ts';
import { LOCAL_REGION } from '../../local/settings.ts';
import type { BundledAdapters } from '../support/bundled.ts';
import { anAssignment, aPolicy, aStarter } from '../support/fakes.ts';

/**
 * Makes the store one case runs against: each call answers a store that holds nothing yet, so
 * cases never share state. `K` names what the group uses, its own operations and those arranging.
 */
export type MakeStore<K extends keyof Store> = () => Promise<Pick<Store, K>>;

/** `minutes` after 10:00 UTC on 24 November 2026, the fakes' clock's time: no case reads the real clock. */
export const at = (minutes: number): Date => new Date(Date.UTC(2026, 10, 24, 10, minutes));
export const iso = (minutes: number): string => at(minutes).toISOString();

/** An assignment `id` of `policy` (by default the sample policy) owing its invite at 10:15, with `overrides`. */
export function ask(
  id: string,
  overrides: Partial<Assignment> = {},
  policy: PolicyVersion = aPolicy(),
): Assignment {
  return anAssignment(aStarter({ employeeId: `E-${id}` }), policy, { assignmentId: id, ...overrides });
}

/** A store from `make` holding `assignments`, each created as given. */
export async function storeHolding<S extends Pick<Store, 'createAssignment'>>(
  make: () => Promise<S>,
  ...assignments: Assignment[]
): Promise<S> {
  const store = await make();
  for (const assignment of assignments) await store.createAssignment(assignment);
  return store;
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const found: T[] = [];
  for await (const item of items) found.push(item);
  return found;
}

/** What DynamoDB (and so the fake) rejects a write with when its condition fails. */
export const CONDITION_FAILED = { name: 'ConditionalCheckFailedException' };

/** What `write` was rejected with, or undefined if it was not: awaited, so later writes come after it. */
export const refusal = (write: Promise<unknown>): Promise<unknown> =>
  write.then(
    () => undefined,
    (error: unknown) => error,
  );

/**
 * Tables of their own in the embedded stack's dynalite (started by the global setup), each created
 * empty from the table's one definition and deleted when the file's cases are done. `prefix` keeps
 * the names of test files running at once apart. With `sdk`, the store is the one of those bundled
 * adapters, on a client of theirs.
 */
export function dynaliteTables(prefix: string, sdk?: () => Promise<BundledAdapters>) {
  let client: DynamoDBClient | undefined;
  const names: string[] = [];
  afterAll(async () => {
    const open = client;
    if (!open) return;
    await Promise.all(names.map((TableName) => open.send(new DeleteTableCommand({ TableName }))));
    open.destroy();
  });
  /** A new empty table: its name, the client that reaches it, and the store on it. */
  async function table() {
    client ??= new DynamoDBClient({
      endpoint: inject('stack').env.AWS_ENDPOINT_URL_DYNAMODB,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const name = `${prefix}-${process.pid}-${names.length + 1}`;
    names.push(name);
    await createEmptyTable(client, name);
    if (!sdk) return { name, client, store: makeDynamoStore(name, client) };
    // The store and its client as a function's bundle carries them: the same calls, bundled SDK.
    const bundled = await sdk();
    const bundledClient = new bundled.DynamoDBClient({
      endpoint: inject('stack').env.AWS_ENDPOINT_URL_DYNAMODB,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    return { name, client, store: bundled.makeDynamoStore(name, bundledClient) };
  }
  return { table, store: async (): Promise<Store> => (await table()).store };
}

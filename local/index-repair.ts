// Puts dynalite's indexes right after a crash: it writes an item's index entries before the item, so a kill between the two leaves them disagreeing.
import { isDeepStrictEqual } from 'node:util';
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { type IndexSpec, TABLE_INDEXES } from '#shared/adapters/dynamo/table-indexes.ts';

type Item = Record<string, AttributeValue>;

const TABLE_KEYS = ['pk', 'sk'] as const;
const id = (item: Item) => JSON.stringify([item.pk, item.sk]);

/** Every item of a table, or every entry of one of its indexes. */
export async function scanAll(client: DynamoDBClient, table: string, index?: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: table,
        IndexName: index,
        ExclusiveStartKey: start,
        ConsistentRead: !index,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** What `index` should hold for `item`: undefined when the item is not in it (a sparse index). */
function entryOf(index: IndexSpec, item: Item): Item | undefined {
  if (!item[index.partitionKey] || !item[index.sortKey.name]) return undefined;
  if (!index.include) return item;
  const names = [index.partitionKey, index.sortKey.name, ...TABLE_KEYS, ...index.include];
  return Object.fromEntries(
    names.filter((n) => item[n] !== undefined).map((n) => [n, item[n] as AttributeValue]),
  );
}

/**
 * Compares every index entry with its item and re-indexes each item they disagree on: an entry the
 * item does not account for (the index of a write that never reached the item) or an item whose
 * entry is missing or different. dynalite drops an item's old entries only as the item stands
 * before a write, so a stale entry is first made the item's (a write holding just its keys), then
 * the bare key is written (dropping every entry), then the item as it is (indexing it afresh).
 * DynamoDB writes an item and its indexes at once: this is for the local emulator only. Returns
 * how many items were re-indexed.
 */
export async function repairIndexes(client: DynamoDBClient, table: string): Promise<number> {
  const items = new Map((await scanAll(client, table)).map((item) => [id(item), item]));
  const stale = new Map<string, Item[]>();
  for (const index of TABLE_INDEXES) {
    const entries = await scanAll(client, table, index.name);
    const held = new Map<string, Item[]>();
    for (const entry of entries) held.set(id(entry), [...(held.get(id(entry)) ?? []), entry]);
    const keys = new Set([...held.keys(), ...[...items.values()].filter((i) => entryOf(index, i)).map(id)]);
    for (const key of keys) {
      const item = items.get(key);
      const want = item && entryOf(index, item);
      const have = held.get(key) ?? [];
      if (have.length === (want ? 1 : 0) && (!want || isDeepStrictEqual(have[0], want))) continue;
      const drop = have.filter((entry) => !want || !isDeepStrictEqual(entry, want));
      const keysOf = (entry: Item) =>
        Object.fromEntries(
          [...TABLE_KEYS, index.partitionKey, index.sortKey.name].map((n) => [n, entry[n] as AttributeValue]),
        );
      stale.set(key, [...(stale.get(key) ?? []), ...drop.map(keysOf)]);
    }
  }
  for (const [key, drops] of stale) {
    const [pk, sk] = JSON.parse(key) as [AttributeValue, AttributeValue];
    const put = (Item: Item) => client.send(new PutItemCommand({ TableName: table, Item }));
    for (const entry of drops) await put(entry);
    await put({ pk, sk });
    const item = items.get(key);
    // An entry whose item was never written (a create cut short) leaves nothing behind.
    if (item) await put(item);
    else await client.send(new DeleteItemCommand({ TableName: table, Key: { pk, sk } }));
  }
  return stale.size;
}

// The one table every aggregate shares: its keys, and the reads and writes they all make — consistent gets, conditional writes, query pages and batched gets.

import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  type DeleteCommandInput,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  paginateQuery,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
  type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { digestIdFor } from '#shared/core/ids.ts';
import { DELIVERY_KINDS, type DeliveryKind, type DigestKey, type ScimLookupKey } from '#shared/core/model.ts';
import { storedLane } from './table-schema.ts';

export type Item = Record<string, unknown>;
export type Key = { pk: string; sk: string };

/** How often a batch read asks again for what DynamoDB left unprocessed before it gives up. */
const BATCH_GET_ATTEMPTS = 15;

/** Every record's key, in one place so that no two kinds of record can share one. */
export const key = {
  starter: (id: string): Key => ({ pk: `STARTER#${id}`, sk: 'PROFILE' }),
  assignment: (id: string): Key => ({ pk: `ASSIGN#${id}`, sk: 'ASSIGNMENT' }),
  receipt: (source: string, eventId: string): Key => ({ pk: `EVENT#${source}#${eventId}`, sk: 'RECEIPT' }),
  /** SES's word on an attempt's email, beside its assignment (outside the audit trail's `EVT#` range). */
  sentAttempt: (assignmentId: string, attemptId: string): Key => ({
    pk: `ASSIGN#${assignmentId}`,
    sk: `ATTEMPT#${attemptId}`,
  }),
  digest: (k: DigestKey): Key => ({ pk: `DIGEST#${digestIdFor(k.managerEmail)}`, sk: `DAY#${k.day}` }),
  /** A destination's state; all share the partition the webhook's had when it was the only destination. */
  destination: (kind: DeliveryKind): Key => ({ pk: 'DESTINATION#lms', sk: kind.toUpperCase() }),
  /** SCIM users share one partition, so that a list reads them in id order. */
  scimUser: (id: string): Key => ({ pk: 'SCIMUSERS', sk: `USER#${id}` }),
  /** A lookup entry: the users holding one value (hashed: any length, any characters) of one key. */
  scimLookup: (name: ScimLookupKey, value: string, id: string): Key => ({
    pk: `SCIMKEY#${name}#${createHash('sha256').update(value).digest('hex')}`,
    sk: `USER#${id}`,
  }),
  /** How many shards the due indexes have used at most (DUE_SHARDS), so a sweep reads them all. */
  dueShards: (): Key => ({ pk: 'SHARDS', sk: 'DUE' }),
  /** The erasure log: one entry per erased starter, in one partition (erasures are few), read whole to replay. */
  erasure: (starterId: string): Key => ({ pk: 'ERASURES', sk: `STARTER#${starterId}` }),
  /** An audit event: its time, its kind and (two destinations' events may share a millisecond) its destination. */
  auditEvent: (assignmentId: string, at: string, kind: string, destination?: string): Key => ({
    pk: `ASSIGN#${assignmentId}`,
    sk: `EVT#${at}#${kind}${destination ? `#${destination}` : ''}`,
  }),
  policy: (id: string, version: number): Key => ({
    pk: `POLICY#${id}`,
    sk: `V#${String(version).padStart(6, '0')}`,
  }),
};

/** A stored item as its record: without the keys, the indexes' attributes and the expiry time. */
export function strip<T>(item: Item | undefined): T | undefined {
  if (!item) return undefined;
  const rest = { ...item };
  for (const name of NOT_RECORD) delete rest[name];
  return rest as T;
}

/** What an item holds beside its record: its keys, the sparse indexes' attributes and its expiry. */
const NOT_RECORD = [
  'pk',
  'sk',
  'dueShard',
  ...DELIVERY_KINDS.map((kind) => storedLane(kind).shard),
  'signedPolicy',
  'signedVersion',
  'retainShard',
  'expiresAt',
];

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as Error)?.name === 'ConditionalCheckFailedException'
  );
}

/** Runs a conditional write; a failed condition answers `failed` rather than throwing. */
export async function unlessConditionFails<T, F>(write: Promise<T>, failed: F): Promise<T | F> {
  try {
    return await write;
  } catch (error) {
    if (isConditionFailure(error)) return failed;
    throw error;
  }
}

/** Runs a conditional write; a failed condition is an answer (false), not an error. */
export function conditionally(write: Promise<unknown>): Promise<boolean> {
  return unlessConditionFails(
    write.then(() => true),
    false,
  );
}

/** A command's input without the table's name, which the table fills in. */
type Input<T> = Omit<T, 'TableName'>;

/** The table as the aggregates use it; each call names this table. */
export interface Table {
  /** The item with this key, read consistently. */
  get(k: Key): Promise<Item | undefined>;
  put(input: Input<PutCommandInput>): Promise<void>;
  /** Writes an item unless one with its key exists: false when one did (it is left as it was). */
  putIfAbsent(item: Item & Key): Promise<boolean>;
  update(input: Input<UpdateCommandInput>): Promise<UpdateCommandOutput>;
  delete(input: Input<DeleteCommandInput>): Promise<void>;
  /** One page of a query: what a caller that wants at most a page (`Limit`) reads. */
  query(input: Input<QueryCommandInput>): Promise<Item[]>;
  /**
   * A query's items a page at a time, each page read from where the last ended and only when the
   * caller asks for it; with `most`, no more than that many items in all (each page asks for what
   * is left).
   */
  paginate(input: Input<QueryCommandInput>, most?: number): AsyncGenerator<Item[]>;
  /**
   * The items with these keys that exist (each key once), read 100 at a time, four requests at
   * once; what DynamoDB leaves unprocessed (throttling) is asked again, backing off, for about ten
   * seconds before giving up.
   */
  batchGet(keys: readonly Key[]): Promise<Item[]>;
}

export function makeTable(TableName: string, client: DynamoDBClient): Table {
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });

  const put = async (input: Input<PutCommandInput>) => {
    await doc.send(new PutCommand({ TableName, ...input }));
  };

  // lib-dynamodb's paginatedBatchGet asks again at once and for ever; throttling wants a pause and an end.
  const readChunk = async (chunk: Item[], items: Item[]) => {
    let pending: Item[] | undefined = chunk;
    for (let attempt = 0; pending?.length; attempt++) {
      if (attempt === BATCH_GET_ATTEMPTS) {
        throw new Error(`DynamoDB left ${pending.length} items unread after ${attempt} attempts (throttled)`);
      }
      if (attempt) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      const out: BatchGetCommandOutput = await doc.send(
        new BatchGetCommand({ RequestItems: { [TableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      items.push(...(out.Responses?.[TableName] ?? []));
      pending = out.UnprocessedKeys?.[TableName]?.Keys;
    }
  };

  return {
    async get(k) {
      return (await doc.send(new GetCommand({ TableName, Key: k, ConsistentRead: true }))).Item;
    },

    put,

    putIfAbsent(item) {
      return conditionally(put({ Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    },

    update(input) {
      return doc.send(new UpdateCommand({ TableName, ...input }));
    },

    async delete(input) {
      await doc.send(new DeleteCommand({ TableName, ...input }));
    },

    async query(input) {
      return (await doc.send(new QueryCommand({ TableName, ...input }))).Items ?? [];
    },

    async *paginate(input, most) {
      let read = 0;
      const pages = paginateQuery(
        {
          client: doc,
          // Each page its own copy of the input (the paginator reuses one object for them all),
          // asking for no more than is left of `most`.
          withCommand: (command) =>
            new QueryCommand({
              ...(command.input as QueryCommandInput),
              ...(most !== undefined && { Limit: most - read }),
            }),
        },
        { TableName, ...input },
      );
      for await (const page of pages) {
        const items = page.Items ?? [];
        read += items.length;
        yield items;
        if (most !== undefined && read >= most) return;
      }
    },

    async batchGet(keys) {
      const unique = [...new Map(keys.map((k) => [`${k.pk}\0${k.sk}`, k])).values()];
      const chunks: Item[][] = [];
      for (let i = 0; i < unique.length; i += 100) chunks.push(unique.slice(i, i + 100));
      const items: Item[] = [];
      let next = 0;
      const worker = async () => {
        while (next < chunks.length) await readChunk(chunks[next++] as Item[], items);
      };
      await Promise.all(Array.from({ length: Math.min(4, chunks.length) }, worker));
      return items;
    },
  };
}

// The one table every aggregate shares: its keys, and the reads and writes they all make — gets (those asked together read in one request), conditional writes, query pages and batched gets and puts.

import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type BatchWriteCommandOutput,
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
import type { ReadConsistency } from '#shared/ports.ts';
import { storedLane } from './table-schema.ts';

export type Item = Record<string, unknown>;
export type Key = { pk: string; sk: string };

/** How often a batch read or write asks again for what DynamoDB left unprocessed before it gives up. */
const BATCH_GET_ATTEMPTS = 15;

/**
 * How a read sees the table. `strong` (the default) sees every write acknowledged before it;
 * `eventual` costs half the read units and may miss a write made in about the last second, so a
 * caller asks for it only where such a stale read is harmless (README, *Reads and their
 * consistency*, lists each).
 */
export type Consistency = ReadConsistency;

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

/**
 * A query's input on the table itself. A query on an index names it apart (queryIndex,
 * paginateIndex), so that the functions granted Query on the table's indexes are those whose
 * aggregates use those methods (table-access.ts).
 */
type QueryInput = Omit<QueryCommandInput, 'TableName' | 'IndexName'>;

/** The table as the aggregates use it; each call names this table. */
export interface Table {
  /**
   * The item with this key, read strongly consistently unless `eventual` is asked for. Gets asked
   * for together (in the same turn of the event loop, e.g. under one Promise.all) with the same
   * consistency are read in one BatchGetItem request; a get alone is a GetItem.
   */
  get(k: Key, consistency?: Consistency): Promise<Item | undefined>;
  put(input: Input<PutCommandInput>): Promise<void>;
  /** Writes an item unless one with its key exists: false when one did (it is left as it was). */
  putIfAbsent(item: Item & Key): Promise<boolean>;
  update(input: Input<UpdateCommandInput>): Promise<UpdateCommandOutput>;
  delete(input: Input<DeleteCommandInput>): Promise<void>;
  /** One page of a query of the table: what a caller that wants at most a page (`Limit`) reads. */
  query(input: QueryInput): Promise<Item[]>;
  /** One page of a query of the index `index`. */
  queryIndex(index: string, input: QueryInput): Promise<Item[]>;
  /**
   * A query's items a page at a time, each page read from where the last ended and only when the
   * caller asks for it; with `most`, no more than that many items in all (each page asks for what
   * is left).
   */
  paginate(input: QueryInput, most?: number): AsyncGenerator<Item[]>;
  /** paginate, on the index `index`. */
  paginateIndex(index: string, input: QueryInput, most?: number): AsyncGenerator<Item[]>;
  /**
   * The items with these keys that exist (each key once), read 100 at a time, four requests at
   * once; what DynamoDB leaves unprocessed (throttling) is asked again, backing off, for about ten
   * seconds before giving up.
   */
  batchGet(keys: readonly Key[]): Promise<Item[]>;
  /**
   * Puts items in one BatchWriteItem request (25 at most), asking again for what DynamoDB leaves
   * unprocessed. Unconditional: only for items whose keys are new by construction.
   */
  batchPut(items: ReadonlyArray<Item & Key>): Promise<void>;
}

/** How the table's Document client marshals items (what else writes them the same way reads this). */
export const DOCUMENT_TRANSLATION = {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
} as const;

export function makeTable(TableName: string, client: DynamoDBClient): Table {
  const doc = DynamoDBDocumentClient.from(client, DOCUMENT_TRANSLATION);

  const put = async (input: Input<PutCommandInput>) => {
    await doc.send(new PutCommand({ TableName, ...input }));
  };

  const query = async (input: Input<QueryCommandInput>) =>
    (await doc.send(new QueryCommand({ TableName, ...input }))).Items ?? [];

  async function* paginate(input: Input<QueryCommandInput>, most?: number): AsyncGenerator<Item[]> {
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
  }

  // lib-dynamodb's paginatedBatchGet asks again at once and for ever; throttling wants a pause and an end.
  const readChunk = async (chunk: Item[], items: Item[], ConsistentRead = true) => {
    let pending: Item[] | undefined = chunk;
    for (let attempt = 0; pending?.length; attempt++) {
      if (attempt === BATCH_GET_ATTEMPTS) {
        throw new Error(`DynamoDB left ${pending.length} items unread after ${attempt} attempts (throttled)`);
      }
      if (attempt) await backOff(attempt);
      const out: BatchGetCommandOutput = await doc.send(
        new BatchGetCommand({ RequestItems: { [TableName]: { Keys: pending, ConsistentRead } } }),
      );
      items.push(...(out.Responses?.[TableName] ?? []));
      pending = out.UnprocessedKeys?.[TableName]?.Keys;
    }
  };

  /** Gets waiting to be read together, by consistency: each key with everyone waiting for it. */
  const waiting: Record<
    Consistency,
    Map<
      string,
      { key: Key; answers: Array<(item: Item | undefined) => void>; fails: Array<(e: unknown) => void> }
    >
  > = {
    strong: new Map(),
    eventual: new Map(),
  };
  const idOf = (k: Key) => `${k.pk}\0${k.sk}`;

  /** Reads every get asked for this turn, of one consistency: one GetItem, or BatchGetItems of 100. */
  const flush = async (consistency: Consistency) => {
    const batch = [...waiting[consistency].values()];
    waiting[consistency].clear();
    const ConsistentRead = consistency === 'strong';
    try {
      if (batch.length === 1) {
        const [only] = batch as [(typeof batch)[number]];
        const { Item } = await doc.send(new GetCommand({ TableName, Key: only.key, ConsistentRead }));
        for (const answer of only.answers) answer(Item);
        return;
      }
      const items: Item[] = [];
      for (let i = 0; i < batch.length; i += 100) {
        await readChunk(
          batch.slice(i, i + 100).map((w) => w.key),
          items,
          ConsistentRead,
        );
      }
      const found = new Map(items.map((item) => [idOf(item as Key), item]));
      for (const w of batch) for (const answer of w.answers) answer(found.get(idOf(w.key)));
    } catch (error) {
      for (const w of batch) for (const fail of w.fails) fail(error);
    }
  };

  return {
    get(k, consistency = 'strong') {
      return new Promise((resolve, reject) => {
        const queue = waiting[consistency];
        // The first get of this turn reads them all once the turn's synchronous code has asked.
        if (!queue.size) queueMicrotask(() => void flush(consistency));
        const id = idOf(k);
        const entry = queue.get(id) ?? { key: { pk: k.pk, sk: k.sk }, answers: [], fails: [] };
        entry.answers.push(resolve);
        entry.fails.push(reject);
        queue.set(id, entry);
      });
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

    query: (input) => query(input),

    queryIndex: (IndexName, input) => query({ ...input, IndexName }),

    paginate: (input, most) => paginate(input, most),

    paginateIndex: (IndexName, input, most) => paginate({ ...input, IndexName }, most),

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

    async batchPut(items) {
      if (items.length > 25) throw new Error('a batch put takes at most 25 items');
      type Requests = NonNullable<BatchWriteCommandInput['RequestItems']>[string];
      let pending: Requests | undefined = items.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending?.length; attempt++) {
        if (attempt === BATCH_GET_ATTEMPTS) {
          throw new Error(
            `DynamoDB left ${pending.length} items unwritten after ${attempt} attempts (throttled)`,
          );
        }
        if (attempt) await backOff(attempt);
        const out: BatchWriteCommandOutput = await doc.send(
          new BatchWriteCommand({ RequestItems: { [TableName]: pending } }),
        );
        pending = out.UnprocessedItems?.[TableName];
      }
    },
  };
}

/** The pause before asking again for what DynamoDB left unprocessed: doubling, at most a second. */
const backOff = (attempt: number) => new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));

// Counting what the functions ask of DynamoDB: a proxy in front of dynalite that records each call with its capacity units, by the phase the bench names.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AttributeValue,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  type GlobalSecondaryIndexDescription,
} from '@aws-sdk/client-dynamodb';

type RawItem = Record<string, AttributeValue>;

/** One call as the proxy saw it. */
export interface CountedCall {
  /** The phase the bench had named when the call was made (a function, usually). */
  phase: string;
  /** The operation: GetItem, Query, UpdateItem, SendMessage… */
  op: string;
  /** A query of an index: the index's name (a query of the table itself has none). */
  index?: string;
  /** A DynamoDB read: whether it asked for a strongly consistent read. */
  consistent?: boolean;
  /** Read capacity units, as dynalite reports them with ReturnConsumedCapacity (DynamoDB's size rule). */
  rcu: number;
  /** Write capacity units, from the item before and after (the larger, per 1 KB; 1 at least). */
  wcu: number;
  /** Index write units: per index the item enters, leaves or changes in, its projected size per 1 KB. */
  indexWcu: number;
  /** A conditional write whose condition failed (still charged on AWS). */
  failed?: boolean;
  /** A write: the kind of item written (its keys' prefixes, e.g. `ASSIGN/EVT`), per item of a batch. */
  items?: string[];
  /** A write: the item's size in bytes (the larger of before and after; a batch's, summed). */
  bytes?: number;
  /** A write: the index write units by index. */
  byIndex?: Record<string, number>;
}

/**
 * An item's size as DynamoDB counts it for capacity: each attribute's name and value in UTF-8, a
 * number about one byte per two significant digits plus one, a list or map 3 bytes plus 1 per
 * element (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html).
 */
function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|^0+|e.*$/gi, '').length / 2) + 1;
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
  if (value.NS) return value.NS.reduce((n, s) => n + valueSize({ N: s }), 0);
  if (value.L) return 3 + value.L.reduce((n, v) => n + 1 + valueSize(v), 0);
  if (value.M) return 3 + Object.keys(value.M).length + itemSize(value.M);
  return 0;
}

export function itemSize(item: RawItem | undefined): number {
  if (!item) return 0;
  return Object.entries(item).reduce((n, [name, value]) => n + Buffer.byteLength(name) + valueSize(value), 0);
}

const kb = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/** The attributes an index's entry holds: its keys, the table's, and what it projects. */
function projected(
  item: RawItem,
  index: GlobalSecondaryIndexDescription,
  tableKeys: string[],
): RawItem | undefined {
  const keys = (index.KeySchema ?? []).map((k) => k.AttributeName as string);
  if (!keys.every((name) => item[name] !== undefined)) return undefined;
  const projection = index.Projection;
  if (projection?.ProjectionType === 'ALL') return item;
  const names = new Set([...keys, ...tableKeys, ...(projection?.NonKeyAttributes ?? [])]);
  return Object.fromEntries(Object.entries(item).filter(([name]) => names.has(name)));
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Index write units for one item's change from `before` to `after`, per DynamoDB's rules, by the
 * index written (an index the change leaves alone is not named).
 */
export function indexWritesBy(
  before: RawItem | undefined,
  after: RawItem | undefined,
  indexes: GlobalSecondaryIndexDescription[],
  tableKeys: string[],
): Record<string, number> {
  const units: Record<string, number> = {};
  for (const index of indexes) {
    const was = before && projected(before, index, tableKeys);
    const is = after && projected(after, index, tableKeys);
    let n = 0;
    if (!was && !is) continue;
    if (was && !is) n = 1;
    else if (!was && is) n = kb(itemSize(is));
    else if (was && is) {
      const keys = (index.KeySchema ?? []).map((k) => k.AttributeName as string);
      const moved = keys.some((name) => !same(was[name], is[name]));
      // A key change is a delete and a put; any other change of a projected attribute, an update.
      if (moved) n = 1 + kb(itemSize(is));
      else if (!same(was, is)) n = kb(itemSize(is));
    }
    if (n) units[index.IndexName as string] = (units[index.IndexName as string] ?? 0) + n;
  }
  return units;
}

/** The kind of item a key names: its keys' fixed prefixes (`ASSIGN/EVT`, `STARTER/PROFILE`). */
const kindOf = (k: RawItem) => [k.pk?.S, k.sk?.S].map((v) => (v ?? '').split('#')[0]).join('/');

const addUp = (into: Record<string, number>, more: Record<string, number>) => {
  for (const [name, n] of Object.entries(more)) into[name] = (into[name] ?? 0) + n;
  return into;
};

export interface Counter {
  /** The endpoint to give the functions in place of the emulator's (AWS_ENDPOINT_URL_DYNAMODB…). */
  endpoint: string;
  calls: CountedCall[];
  /** Calls from now on are counted under `name`. */
  phase(name: string): void;
  stop(): Promise<void>;
}

async function body(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A counting proxy in front of dynalite at `target`: give the functions its `endpoint`
 * (AWS_ENDPOINT_URL_DYNAMODB, or a client's endpoint) and every call they make passes through it
 * and is recorded under the current phase. It counts HTTP calls, so an SDK retry counts as
 * DynamoDB would bill it. It asks each read for its consumed capacity (dynalite applies DynamoDB's
 * item-size rule), and reads each written item before and after the write through `direct` (not
 * counted) to compute the write and index write units from the table's index projections. Made
 * for one path at a time: concurrent writes to one item would blur its before and after (the
 * count of calls stays exact).
 */
export async function startCounter(
  target: string,
  direct?: { client: DynamoDBClient; tableName: string },
): Promise<Counter> {
  const calls: CountedCall[] = [];
  let phase = 'unnamed';
  let table: { keys: string[]; indexes: GlobalSecondaryIndexDescription[] } | undefined;
  const describe = async () => {
    if (!direct) return { keys: [], indexes: [] };
    if (table) return table;
    const { Table } = await direct.client.send(new DescribeTableCommand({ TableName: direct.tableName }));
    table = {
      keys: (Table?.KeySchema ?? []).map((k) => k.AttributeName as string),
      indexes: Table?.GlobalSecondaryIndexes ?? [],
    };
    return table;
  };
  const read = async (key: RawItem | undefined) => {
    if (!direct || !key) return undefined;
    const out = await direct.client.send(
      new GetItemCommand({ TableName: direct.tableName, Key: key, ConsistentRead: true }),
    );
    return out.Item;
  };

  const server: Server = createServer(async (request, response) => {
    try {
      const raw = await body(request);
      const target_ = String(request.headers['x-amz-target'] ?? '');
      const op = target_.split('.').pop() || 'unknown';
      const headers = { ...request.headers } as Record<string, string>;
      delete headers.host;
      let sent = raw;
      let input: Record<string, unknown> = {};
      input = JSON.parse(raw.toString('utf8') || '{}');
      if (['GetItem', 'BatchGetItem', 'Query', 'Scan'].includes(op) && !input.ReturnConsumedCapacity) {
        sent = Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: 'TOTAL' }));
        // The body changed, so does its length and (dynalite does not check it) its signature's hash.
        headers['content-length'] = String(sent.length);
      }
      const { keys, indexes } = await describe();
      const writtenKey = (): RawItem | undefined => {
        if (op === 'PutItem') {
          const item = input.Item as RawItem;
          return Object.fromEntries(keys.map((k) => [k, item[k] as AttributeValue]));
        }
        if (op === 'UpdateItem' || op === 'DeleteItem') return input.Key as RawItem;
        return undefined;
      };
      const key = writtenKey();
      const before = await read(key);
      const answer = await fetch(`${target}${request.url ?? '/'}`, {
        method: request.method ?? 'POST',
        headers,
        ...(request.method !== 'GET' && request.method !== 'HEAD' && { body: sent }),
      });
      const text = Buffer.from(await answer.arrayBuffer());
      const call: CountedCall = { phase, op, rcu: 0, wcu: 0, indexWcu: 0 };
      if (typeof input.IndexName === 'string') call.index = input.IndexName;
      if (['GetItem', 'BatchGetItem', 'Query', 'Scan'].includes(op)) {
        call.consistent =
          op === 'BatchGetItem'
            ? Object.values(input.RequestItems as Record<string, { ConsistentRead?: boolean }>).every(
                (r) => r.ConsistentRead === true,
              )
            : input.ConsistentRead === true;
        const out = JSON.parse(text.toString('utf8') || '{}') as {
          ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }>;
        };
        const consumed = [out.ConsumedCapacity ?? []].flat();
        call.rcu = consumed.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      } else if (key) {
        const after = await read(key);
        call.failed = !answer.ok;
        call.bytes = Math.max(itemSize(before), itemSize(after));
        call.wcu = kb(call.bytes);
        call.byIndex = answer.ok ? indexWritesBy(before, after, indexes, keys) : {};
        call.indexWcu = Object.values(call.byIndex).reduce((a, b) => a + b, 0);
        call.items = [kindOf(key)];
      } else if (op === 'BatchWriteItem') {
        // Unconditional puts of new items (the bench's paths write none of others).
        const requests = Object.values(
          input.RequestItems as Record<string, Array<{ PutRequest?: { Item: RawItem } }>>,
        ).flat();
        call.bytes = 0;
        call.byIndex = {};
        call.items = [];
        for (const r of requests) {
          if (!r.PutRequest) continue;
          const size = itemSize(r.PutRequest.Item);
          call.bytes += size;
          call.wcu += kb(size);
          const byIndex = indexWritesBy(undefined, r.PutRequest.Item, indexes, keys);
          addUp(call.byIndex, byIndex);
          call.indexWcu += Object.values(byIndex).reduce((a, b) => a + b, 0);
          call.items.push(kindOf(r.PutRequest.Item));
        }
      }
      calls.push(call);
      const back: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (name !== 'content-length' && name !== 'content-encoding' && name !== 'transfer-encoding')
          back[name] = value;
      });
      response.writeHead(answer.status, back).end(text);
    } catch (error) {
      response.writeHead(502).end(String(error));
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = new URL(target);
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `${url.protocol}//${url.hostname}:${port}`,
    calls,
    phase(name) {
      phase = name;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Calls summed: how many, by operation, and their units. */
export interface Tally {
  calls: number;
  byOp: Record<string, number>;
  consistentReads: number;
  eventualReads: number;
  rcu: number;
  wcu: number;
  indexWcu: number;
}

export function tally(calls: readonly CountedCall[]): Tally {
  const t: Tally = { calls: 0, byOp: {}, consistentReads: 0, eventualReads: 0, rcu: 0, wcu: 0, indexWcu: 0 };
  for (const c of calls) {
    t.calls++;
    t.byOp[c.op] = (t.byOp[c.op] ?? 0) + 1;
    if (c.consistent === true) t.consistentReads++;
    if (c.consistent === false) t.eventualReads++;
    t.rcu += c.rcu;
    t.wcu += c.wcu;
    t.indexWcu += c.indexWcu;
  }
  return t;
}

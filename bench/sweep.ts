// Figures: one sweep over pending assignments of which 100 are due — items read and time — against a Scan-based sweep, as pending grows 10×; and dispatching 2,000 due — parallel claims and SendMessageBatch against one at a time, as the sweeper did before.
import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { DEFAULT_DUE_SHARDS, dueShard } from '#shared/adapters/dynamo/shards.ts';
import type { makeDynamoStore } from '#shared/adapters/dynamo/store.ts';
import { makeSqsQueue } from '#shared/adapters/sqs-queue.ts';
import { MAX_DELAY_SECONDS } from '#shared/core/hint.ts';
import { makeSweepDue } from '#shared/core/sweep.ts';
import type { DueItem, Queue } from '#shared/ports.ts';
import { LOCAL_CREDENTIALS } from '../local/emulators.ts';
import { LOCAL_REGION, TABLE_NAME } from '../local/settings.ts';
import { counting, median, putItems, startLocalTable } from './local-table.ts';
import { fmt } from './measure.ts';

const DUE = 100;
const SIZES = [10_000, 100_000];
const NOW = new Date('2026-11-24T10:00:00.000Z');
const INTERVAL_MS = 5 * 60_000;

/** An assignment owing its next reminder `dueAt`: the shape the sweeper reads. */
function pending(i: number, dueAt: string) {
  const id = `bench${String(i).padStart(17, '0')}`;
  return marshall({
    pk: `ASSIGN#${id}`,
    sk: 'ASSIGNMENT',
    assignmentId: id,
    starterId: `s${i}`,
    policyId: 'safe-internet-use',
    policyVersion: 1,
    status: 'invited',
    dueAt,
    dueKind: 'reminder',
    dueShard: dueShard(id, DEFAULT_DUE_SHARDS),
    sends: [],
  });
}

/** The baseline: a sweeper that finds what is due by scanning the whole table, then claims and sends alike. */
async function scanSweep(
  client: DynamoDBClient,
  store: ReturnType<typeof makeDynamoStore>,
  queue: Queue,
  horizon: Date,
): Promise<number> {
  let found = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: TABLE_NAME,
        FilterExpression: 'begins_with(dueShard, :due) AND dueAt <= :horizon',
        ExpressionAttributeValues: marshall({ ':due': 'due', ':horizon': horizon.toISOString() }),
        ExclusiveStartKey: start as never,
      }),
    );
    for (const raw of page.Items ?? []) {
      const item = unmarshall(raw) as { assignmentId: string; dueAt: string; dueKind: 'reminder' };
      if (
        await store.deferDue(
          item.assignmentId,
          item.dueKind,
          item.dueAt,
          new Date(Date.parse(item.dueAt) + 900_000),
        )
      ) {
        await queue.send({ assignmentId: item.assignmentId, kind: item.dueKind });
        found++;
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return found;
}

export async function run(): Promise<void> {
  const table = await startLocalTable();
  const { client } = table;
  const counter = counting(client);
  const { store } = table;
  const sent: unknown[] = [];
  const queue: Queue = {
    send: async (m) => void sent.push(m),
    sendBatch: async (entries) => {
      sent.push(...entries);
      return [];
    },
  };
  const sweep = makeSweepDue({
    store,
    queues: { mail: queue, lms: queue },
    clock: { now: () => NOW },
    logger: { info() {}, warn() {} },
    intervalMs: INTERVAL_MS,
    redriveAfterMs: 15 * 60_000,
  });
  const dueItems = Array.from({ length: DUE }, (_, i) =>
    pending(i, new Date(NOW.getTime() + i * 1000).toISOString()),
  );
  const horizon = new Date(NOW.getTime() + INTERVAL_MS);

  console.log(`\nSweep: ${DUE} due among pending assignments (dynalite, in memory)`);
  console.log(
    `  ${'pending'.padEnd(10)} ${'index: read'.padStart(12)} ${'ms'.padStart(8)}   ${'Scan: read'.padStart(12)} ${'ms'.padStart(8)}   ratio`,
  );
  const times: number[] = [];
  let populated = DUE;
  await putItems(client, dueItems);
  try {
    for (const size of SIZES) {
      // Pending, not due: next reminders days away.
      const later = Array.from({ length: size - populated }, (_, i) =>
        pending(populated + i, new Date(NOW.getTime() + 3 * 86_400_000 + i).toISOString()),
      );
      await putItems(client, later);
      populated = size;

      const indexRuns: Array<{ read: number; ms: number }> = [];
      for (let i = 0; i < 5; i++) {
        await putItems(client, dueItems); // the sweep moved them on; owe them again
        counter.read = 0;
        sent.length = 0;
        const start = performance.now();
        const result = await sweep();
        indexRuns.push({ read: counter.read, ms: performance.now() - start });
        if (result.dispatched !== DUE) throw new Error(`dispatched ${result.dispatched} of ${DUE}`);
      }
      const scanRuns: Array<{ read: number; ms: number }> = [];
      for (let i = 0; i < 3; i++) {
        await putItems(client, dueItems);
        counter.read = 0;
        const start = performance.now();
        const found = await scanSweep(client, store, queue, horizon);
        scanRuns.push({ read: counter.read, ms: performance.now() - start });
        if (found !== DUE) throw new Error(`the scan found ${found} of ${DUE}`);
      }
      const index = { read: median(indexRuns.map((r) => r.read)), ms: median(indexRuns.map((r) => r.ms)) };
      const scan = { read: median(scanRuns.map((r) => r.read)), ms: median(scanRuns.map((r) => r.ms)) };
      times.push(index.ms);
      console.log(
        `  ${fmt(size).padEnd(10)} ${fmt(index.read).padStart(12)} ${fmt(index.ms).padStart(8)}   ${fmt(scan.read).padStart(12)} ${fmt(scan.ms).padStart(8)}   ${fmt(scan.ms / index.ms)}× faster`,
      );
      console.log(
        `  ${''.padEnd(10)} items read per due item: ${fmt(index.read / DUE)} (index) vs ${fmt(scan.read / DUE)} (Scan)`,
      );
    }
    console.log(
      `  sweep time as pending grew ${fmt((SIZES[1] as number) / (SIZES[0] as number))}×: ${fmt((times[1] as number) / (times[0] as number))}× (flat is 1×)`,
    );
    await dispatchFigure(table, counter);
  } finally {
    await table.stop();
  }
}

/** Due items dispatched in the second figure: four sweeps' worth at the old 500 a lane. */
const DISPATCHED = 2_000;

/**
 * The baseline: dispatch as the sweeper did before, one item at a time — claim it (deferDue), then
 * send its message (SendMessage) — on the same items and queue.
 */
async function oneAtATime(
  store: ReturnType<typeof makeDynamoStore>,
  queue: Queue,
  items: readonly DueItem[],
): Promise<number> {
  let sent = 0;
  for (const item of items) {
    const dueMs = Date.parse(item.dueAt);
    const delay = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil((dueMs - NOW.getTime()) / 1000)));
    const redriveAt = new Date(Math.max(dueMs, NOW.getTime()) + 15 * 60_000);
    if (!(await store.deferDue(item.assignmentId, item.dueKind, item.dueAt, redriveAt))) continue;
    await queue.send(
      { assignmentId: item.assignmentId, kind: item.dueKind, dueAt: redriveAt.toISOString() },
      delay,
    );
    sent++;
  }
  return sent;
}

/** Counts a client's calls by command. */
function callCounter(client: SQSClient) {
  const calls: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? 'Command').replace(/Command$/, '');
      calls[name] = (calls[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'countSqsCalls' },
  );
  return calls;
}

/**
 * 2,000 items due, dispatched to the local SQS (fauxqs) by a sweep — claims 16 at a time, messages
 * ten to a SendMessageBatch — and, on the same items owed again, one at a time as before.
 */
async function dispatchFigure(
  table: Awaited<ReturnType<typeof startLocalTable>>,
  ddbCalls: ReturnType<typeof counting>,
): Promise<void> {
  const { client, store, emulators } = table;
  const sqs = new SQSClient({
    endpoint: emulators.endpoints.sqs,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const sqsCalls = callCounter(sqs);
  const queue = makeSqsQueue(emulators.queues.mail, sqs);
  // Overdue, so every one is sent at once (DelaySeconds 0), and far from the pending ones.
  const items = Array.from({ length: DISPATCHED }, (_, i) =>
    pending(1_000_000 + i, new Date(NOW.getTime() - 60_000 + i).toISOString()),
  );
  const listed = items.map((raw) => {
    const item = unmarshall(raw) as { assignmentId: string; dueAt: string };
    return { assignmentId: item.assignmentId, dueAt: item.dueAt, dueKind: 'reminder' as const };
  });
  const sweep = makeSweepDue({
    store,
    queues: { mail: queue, lms: queue },
    clock: { now: () => NOW },
    logger: { info() {}, warn() {} },
    intervalMs: INTERVAL_MS,
    redriveAfterMs: 15 * 60_000,
    pageSize: DISPATCHED,
  });
  const reset = () => {
    for (const k of Object.keys(sqsCalls)) delete sqsCalls[k];
    ddbCalls.calls = {};
  };
  try {
    // The pending ones of the first figure are due days later: this sweep reads only these.
    await putItems(client, items);
    reset();
    let start = performance.now();
    const swept = await sweep();
    const batchMs = performance.now() - start;
    const batched = { sqs: { ...sqsCalls }, ddb: { ...ddbCalls.calls } };
    if (swept.dispatched !== DISPATCHED) throw new Error(`dispatched ${swept.dispatched} of ${DISPATCHED}`);

    await putItems(client, items); // owed again, as they were
    reset();
    start = performance.now();
    const sent = await oneAtATime(store, queue, listed);
    const singleMs = performance.now() - start;
    if (sent !== DISPATCHED) throw new Error(`sent ${sent} of ${DISPATCHED}`);
    const single = { sqs: { ...sqsCalls }, ddb: { ...ddbCalls.calls } };

    console.log(`\nDispatch: ${fmt(DISPATCHED)} due items to the local SQS (dynalite and fauxqs, in memory)`);
    console.log(
      `  parallel claims, SendMessageBatch   ${fmt(batchMs).padStart(8)} ms  ${fmt((DISPATCHED * 1000) / batchMs).padStart(8)}/s  SQS calls ${fmt(batched.sqs.SendMessageBatch ?? 0)}, UpdateItem ${fmt(batched.ddb.UpdateItem ?? 0)}`,
    );
    console.log(
      `  one at a time (before)              ${fmt(singleMs).padStart(8)} ms  ${fmt((DISPATCHED * 1000) / singleMs).padStart(8)}/s  SQS calls ${fmt(single.sqs.SendMessage ?? 0)}, UpdateItem ${fmt(single.ddb.UpdateItem ?? 0)}`,
    );
    console.log(
      `  ratio                               ${fmt(singleMs / batchMs)}× faster, ${fmt((single.sqs.SendMessage ?? 0) / (batched.sqs.SendMessageBatch ?? 1))}× fewer SQS calls`,
    );
  } finally {
    sqs.destroy();
  }
}

// Figure: one sweep over pending assignments of which 100 are due — items read and time — against a Scan-based sweep, as pending grows 10×.
import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { makeDynamoStore } from '#shared/adapters/dynamo/store.ts';
import { makeSweepDue } from '#shared/core/sweep.ts';
import type { Queue } from '#shared/ports.ts';
import { TABLE_NAME } from '../local/settings.ts';
import { median, putItems, startLocalTable } from './local-table.ts';
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
    dueShard: 'due',
    sends: [],
  });
}

/** Counts the items DynamoDB read (ScannedCount) across a client's Query and Scan calls. */
function counting(client: DynamoDBClient) {
  const counter = { read: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      counter.read += (result.output as { ScannedCount?: number } | undefined)?.ScannedCount ?? 0;
      return result;
    },
    { step: 'initialize', name: 'countScanned' },
  );
  return counter;
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
        FilterExpression: 'dueShard = :due AND dueAt <= :horizon',
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
  const queue: Queue = { send: async (m) => void sent.push(m) };
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
  } finally {
    await table.stop();
  }
}

// Figure: a million assignments, simulated by a tenth of them in dynalite — a sweep with 10,000 due (time, items read, writes per shard), a re-acknowledgement's time to enqueue, and one department's report — each beside its baseline in the same run.
import { SQSClient } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DEFAULT_DUE_SHARDS, dueShard, shardNumber } from '#shared/adapters/dynamo/shards.ts';
import { makeSqsQueue } from '#shared/adapters/sqs-queue.ts';
import { makeDispatchDue } from '#shared/core/dispatch.ts';
import type { PolicyVersion } from '#shared/core/model.ts';
import { makePublishPolicy } from '#shared/core/publish.ts';
import { makeReport } from '#shared/core/report.ts';
import { makeSweepDue } from '#shared/core/sweep.ts';
import type { DueItem } from '#shared/ports.ts';
import { LOCAL_CREDENTIALS } from '../local/emulators.ts';
import { LOCAL_REGION } from '../local/settings.ts';
import { counting, putItems, startLocalTable } from './local-table.ts';
import { fmt } from './measure.ts';
import { starter } from './report.ts';

/**
 * The simulated deployment: 1,000,000 assignments — 100,000 people, ten policies each, in ten
 * departments. Loaded: SCALE of it (a twentieth: 5,000 people, 50,000 assignments). A sweep's cost
 * follows what is due, not what is pending (the `sweep` figure shows it flat as pending grows
 * 10×), so the 10,000 due are loaded whole (2,000 people's asks of five policies); a
 * re-acknowledgement's and a report's work is per person, so their times are measured on part
 * and scaled linearly (the factor is printed).
 */
const FULL_PEOPLE = 100_000;
const SCALE = 0.05;
const PEOPLE = FULL_PEOPLE * SCALE;
const POLICIES = ['safe-internet-use', ...Array.from({ length: 9 }, (_, i) => `policy-${i + 1}`)];
const DEPARTMENTS = Array.from({ length: 10 }, (_, i) => `Department ${i + 1}`);
/** Due in the sweep: all of them loaded (see above), the first DUE_PEOPLE people's asks of DUE_POLICIES. */
const DUE = 10_000;
const DUE_POLICIES = [0, 3, 4, 5, 6];
const DUE_PEOPLE = DUE / DUE_POLICIES.length;
/**
 * Re-acknowledged: of the goal's 100,000 signers, this many measured (the rest scaled) — the
 * signers of policy 1 sent as owed, those of policy 2 owed for the sweeper (the baseline): the
 * same work on different people.
 */
const REACK_FULL = 100_000;
const REACK_MEASURED = 500;
const REACK_POLICIES = { direct: 1, owedOnly: 2 } as const;
const NOW = new Date('2026-11-24T10:00:00.000Z');
const INTERVAL_MS = 5 * 60_000;
const REDRIVE_MS = 15 * 60_000;
/** The sweeper before this version: 500 a lane a sweep, every 5 minutes. */
const OLD_PAGE = 500;

const id = (p: number, i: number) => `${String(p).padStart(2, '0')}x${String(i).padStart(18, '0')}`;

/** Person `i`, in one of the departments, asked every policy. */
const person = (i: number) =>
  starter(i, { department: DEPARTMENTS[i % DEPARTMENTS.length], policies: POLICIES });

/**
 * Person `i`'s assignment of policy `p`: unsigned and owing a reminder — due within the next
 * sweep for the first DUE_PEOPLE of DUE_POLICIES, days later for the rest — or (policies 1 and 2,
 * the first REACK_MEASURED people) signed version 1, for the re-acknowledgements.
 */
function assignment(p: number, i: number) {
  const assignmentId = id(p, i);
  const policyId = POLICIES[p] as string;
  const createdAt = new Date(NOW.getTime() - 30 * 86_400_000 + i * 1000).toISOString();
  const base = {
    pk: `ASSIGN#${assignmentId}`,
    sk: 'ASSIGNMENT',
    assignmentId,
    starterId: `s${i}`,
    policyId,
    policyVersion: 1,
    policySha256: 'a'.repeat(64),
    createdAt,
    sends: [],
  };
  const reacknowledged = p === REACK_POLICIES.direct || p === REACK_POLICIES.owedOnly;
  if (reacknowledged && i < REACK_MEASURED) {
    return marshall({
      ...base,
      status: 'acknowledged',
      signedPolicy: policyId,
      signedVersion: 1,
      ack: { evidenceId: `ev_${assignmentId}` },
    });
  }
  // The rest of that policy's asks were withdrawn: a re-acknowledgement asks only the signers.
  if (reacknowledged) return marshall({ ...base, status: 'cancelled', cancelledAt: createdAt });
  const due = DUE_POLICIES.includes(p) && i < DUE_PEOPLE;
  const dueAt = new Date(NOW.getTime() + (due ? (i % 240) * 1000 : 3 * 86_400_000 + i)).toISOString();
  return marshall({
    ...base,
    status: 'invited',
    dueKind: 'reminder',
    dueAt,
    dueShard: dueShard(assignmentId, DEFAULT_DUE_SHARDS),
  });
}

const policy = (policyId: string, version: number): PolicyVersion => ({
  policyId,
  version,
  title: policyId,
  statement: 'I have read, understood and agree to follow this policy.',
  effectiveDate: '2026-09-01',
  keyPoints: [],
  body: `version ${version}`,
  sha256: String(version).repeat(64).slice(0, 64),
  publishedAt: NOW.toISOString(),
});

export async function run(): Promise<void> {
  const table = await startLocalTable();
  const { client, store, emulators } = table;
  const sqs = new SQSClient({
    endpoint: emulators.endpoints.sqs,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const queue = makeSqsQueue(emulators.queues.mail, sqs);
  const counter = counting(client);
  // Index writes by shard: each claim (UpdateItem of an owed assignment) rewrites its due index entry.
  const perShard = new Array<number>(DEFAULT_DUE_SHARDS).fill(0);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const key = (args.input as { Key?: { pk?: { S?: string } } }).Key?.pk?.S;
      if (context.commandName === 'UpdateItemCommand' && key?.startsWith('ASSIGN#')) {
        const k = shardNumber(key.slice('ASSIGN#'.length), DEFAULT_DUE_SHARDS);
        perShard[k] = (perShard[k] ?? 0) + 1;
      }
      return next(args);
    },
    { step: 'serialize', name: 'countShardWrites', priority: 'low' },
  );
  const quiet = { info() {}, warn() {} };
  /** One sweep as the sweeper makes it, given a minute (as on AWS). */
  const sweep = () =>
    makeSweepDue({
      store,
      queues: { mail: queue, lms: queue },
      clock: { now: () => NOW },
      logger: quiet,
      intervalMs: INTERVAL_MS,
      redriveAfterMs: REDRIVE_MS,
    })(() => 60_000);
  try {
    let start = performance.now();
    await putItems(
      client,
      Array.from({ length: PEOPLE }, (_, i) => person(i)),
    );
    for (let p = 0; p < POLICIES.length; p++) {
      await putItems(
        client,
        Array.from({ length: PEOPLE }, (_, i) => assignment(p, i)),
      );
    }
    for (const p of POLICIES) await store.putPolicyVersion(policy(p, 1));
    console.log(
      `\nScale: ${fmt(FULL_PEOPLE * POLICIES.length)} assignments simulated by ${fmt(PEOPLE * POLICIES.length)} in dynalite (${fmt(SCALE * 100)} %: ${fmt(PEOPLE)} people × ${POLICIES.length} policies, ${DEPARTMENTS.length} departments; loaded in ${fmt((performance.now() - start) / 1000)} s)`,
    );

    // 1. A sweep with 10,000 due, DUE_SHARDS shards, against the sweeper as it was: 500 a lane a sweep.
    counter.read = 0;
    counter.calls = {};
    start = performance.now();
    const swept = await sweep();
    const sweepMs = performance.now() - start;
    if (swept.dispatched !== DUE) throw new Error(`the sweep dispatched ${swept.dispatched} of ${DUE}`);
    const oldSweeps = Math.ceil(DUE / OLD_PAGE);
    console.log(`  sweep, ${fmt(DUE)} due (all loaded, not scaled):`);
    console.log(
      `    one sweep of ${swept.rounds} rounds          ${fmt(sweepMs / 1000).padStart(8)} s   items read ${fmt(counter.read)} (${fmt(counter.read / DUE)} a due item), Query calls ${fmt(counter.calls.Query ?? 0)}`,
    );
    const writes = perShard.reduce((a, b) => a + b, 0);
    console.log(
      `    claims by index shard: ${perShard.map((n) => fmt(n)).join(', ')} (the largest ${fmt((Math.max(...perShard) * 100) / writes)} % of ${fmt(writes)}; one partition value took 100 % before)`,
    );
    console.log(
      `    before: ${OLD_PAGE} a lane a sweep every ${INTERVAL_MS / 60_000} min → ${oldSweeps} sweeps, the last dispatched after ${fmt(((oldSweeps - 1) * INTERVAL_MS) / 60_000)} min (a schedule, not a measurement)`,
    );

    // 2. Re-acknowledgement: the invites sent as they are owed, against owing them for the sweeper.
    const measure = async (policyId: string, direct: boolean) => {
      const dispatch = makeDispatchDue({
        store,
        queues: { mail: queue },
        logger: quiet,
        redriveAfterMs: REDRIVE_MS,
      });
      await store.putPolicyVersion(policy(policyId, 2));
      const began = performance.now();
      let firstAt: number | undefined;
      const timed = async (items: readonly DueItem[], now: Date) => {
        const out = await dispatch(items, now);
        firstAt ??= performance.now() - began;
        return out;
      };
      const outcome = await makePublishPolicy({
        store,
        clock: { now: () => NOW },
        logger: quiet,
        ...(direct && { dispatch: timed }),
      }).reacknowledge(policy(policyId, 2));
      if (outcome.asked !== REACK_MEASURED) throw new Error(`asked ${outcome.asked} of ${REACK_MEASURED}`);
      return { ms: performance.now() - began, firstMs: firstAt, outcome };
    };
    const owedOnly = await measure(POLICIES[REACK_POLICIES.owedOnly] as string, false);
    start = performance.now();
    const sent = await sweep();
    const sweptMs = performance.now() - start;
    const direct = await measure(POLICIES[REACK_POLICIES.direct] as string, true);
    if (direct.outcome.enqueued !== REACK_MEASURED)
      throw new Error(`enqueued ${direct.outcome.enqueued} of ${REACK_MEASURED}`);
    const factor = REACK_FULL / REACK_MEASURED;
    console.log(
      `  publish --reacknowledge, ${fmt(REACK_FULL)} signers (${fmt(REACK_MEASURED)} measured, times × ${fmt(factor)}):`,
    );
    console.log(
      `    sent as owed: first batch queued after ${fmt((direct.firstMs ?? 0) / 1000)} s, all after ${fmt((direct.ms * factor) / 1000)} s (${fmt((REACK_MEASURED * 1000) / direct.ms)} people/s)`,
    );
    console.log(
      `    owed for the sweeper (baseline): owing took ${fmt((owedOnly.ms * factor) / 1000)} s, then up to ${INTERVAL_MS / 60_000} min to the next sweep, which sent ${fmt(sent.dispatched * factor)} in ${fmt((sweptMs * factor) / 1000)} s; the first email waited for that sweep`,
    );
    console.log(
      `    ratio: all queued ${fmt((owedOnly.ms + sweptMs) / direct.ms)}× sooner (not counting the wait for the sweep); sending as owed cost ${fmt(direct.ms / owedOnly.ms)}× the owing alone`,
    );
    console.log(
      `    before this version: owed only, 500 a sweep → ${fmt(Math.ceil(REACK_FULL / OLD_PAGE))} sweeps, ${fmt((Math.ceil(REACK_FULL / OLD_PAGE) * INTERVAL_MS) / 3_600_000)} h (a schedule, not a measurement)`,
    );

    // 3. One department's report of one policy: read from the policy index, every row joined with
    // its starter, one department's kept — against the whole policy's report, in the same run.
    const reporter = makeReport({ store, clock: { now: () => NOW } });
    const report = async (department?: string) => {
      let rows = 0;
      const began = performance.now();
      await reporter.run(POLICIES[0] as string, { filter: 'all' }, (page) => {
        rows += department ? page.filter((r) => r.department === department).length : page.length;
      });
      return { rows, ms: performance.now() - began };
    };
    const whole = await report();
    const one = await report(DEPARTMENTS[0]);
    const scale = 1 / SCALE;
    console.log(`  report of one policy (${fmt(PEOPLE)} assignments measured, times × ${fmt(scale)}):`);
    console.log(
      `    one department: ${fmt(one.rows)} rows (× ${fmt(scale)}: ${fmt(one.rows * scale)}) in ${fmt((one.ms * scale) / 1000)} s; the whole policy: ${fmt(whole.rows * scale)} rows in ${fmt((whole.ms * scale) / 1000)} s — ratio ${fmt(one.ms / whole.ms)}× (a department's report reads its policy's every assignment: the report has no department index)`,
    );
  } finally {
    sqs.destroy();
    await table.stop();
  }
}

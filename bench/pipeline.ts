// Figure: the local pipeline end to end — starters/s until every invite is in the mailbox, acknowledgements/s until every webhook reached the LMS and every receipt the mailbox — beside the emulators' own rate for the same calls at the same concurrency.
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { EventLoopUtilization } from 'node:perf_hooks';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { GetAccountCommand, SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { TABLE_INDEXES } from '#shared/adapters/dynamo/table-indexes.ts';
import { createEmptyTable } from '../local/emulators.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/settings.ts';
import { type LocalStack, startLocalStack } from '../local/stack.ts';
import {
  type Counts,
  invited,
  isAboutCalls,
  type LoggedCall,
  log,
  receipted,
  settled,
  since,
  snapshot,
  uncounted,
} from './call-counts.ts';
import { fmt } from './measure.ts';
import { type PeopleTask, pool, startPeople } from './people.ts';
import { replayer } from './replay.ts';

type People = ReturnType<typeof startPeople>;

/** Starters per run: enough to reach a steady rate, few enough for a run of a minute or two. */
const N = 200;
/** Requests in flight at once from the HR system and from the people signing. */
const CONCURRENCY = 16;
/**
 * Times the ceiling's calls are made, the median rate taken: made once they took one or two
 * seconds, and one run's ceiling came out 96/s and the next's 165/s on the same code.
 */
const CEILING_ROUNDS = 3;
/**
 * The local SES account's quota for the run, and SES_MAX_RATE sized to it: SES's quota is the
 * account's, not the stack's, so it is set high enough not to be what is measured.
 */
const SES_RATE = 100;

// --- Driving the pipeline over HTTP, as HR, people and the LMS do -----------------------------

/** Polls `probe` every 100 ms until it answers true. */
async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`bench pipeline: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Starter {
  event: Record<string, unknown>;
  email: string;
}

function starters(run: string, n: number): Starter[] {
  return Array.from({ length: n }, (_, i) => {
    const email = `bench.${run}.${i}@example.org`;
    return {
      email,
      event: {
        type: 'starter.created',
        id: `evt_${run}_${i}`,
        data: {
          employeeId: `B${run}-${i}`,
          givenName: 'Ada',
          familyName: 'Lovelace',
          email,
          startDate: '2026-12-01',
          manager: { name: 'Grace Hopper', email: 'grace@example.org' },
          department: 'Children’s Services',
          locale: 'en-GB',
          timeZone: 'Europe/London',
          policies: ['safe-internet-use'],
        },
      },
    };
  });
}

interface MailboxEmail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string };
}

/** The acknowledgement link of each invite in the mailbox, by address (read once a phase is over). */
async function inviteLinks(stack: LocalStack, addresses: Set<string>): Promise<Map<string, string>> {
  const store = (await (await fetch(`${stack.urls.mailbox}/store`)).json()) as { emails: MailboxEmail[] };
  const links = new Map<string, string>();
  for (const email of store.emails) {
    const to = email.destination.to.find((a) => addresses.has(a));
    if (!to || email.subject.startsWith('Receipt')) continue;
    const link = /https?:\/\/[^\s"'<>]+\/ack\/[A-Za-z0-9._~%-]+/.exec(email.body.text ?? '')?.[0];
    if (link) links.set(to, link);
  }
  return links;
}

/** The webhooks the demo LMS verified for these people (read in this process). */
function webhooksFor(stack: LocalStack, emails: Set<string>): number {
  return stack.lms.received().filter((r) => emails.has(String(r.payload.data.email))).length;
}

/**
 * Where a unit's time went, by thread: milliseconds each of the stack's three event loops was busy
 * per unit (this thread's — the HTTP functions with their SDK clients, the gateway, the demo LMS —,
 * the queue functions' — the mailer and lms-push — and the emulators'), the share of the phase
 * each was busy, and the process's CPU per unit, every thread (the bench's HR and people's, V8's
 * collector and compiler threads too): less moved by other load than a rate.
 */
interface Busy {
  cpuMs: number;
  mainMs: number;
  mainShare: number;
  functionsMs: number;
  functionsShare: number;
  emulatorsMs: number;
  emulatorsShare: number;
}

interface Phase extends Busy {
  perSecond: number;
  calls: Counts;
  /** Where the phase's calls are in the log: `log.slice(from, to)`. */
  logged: { from: number; to: number };
}

/** Starts counting where time goes; the function returned gives it per unit since then. */
function busySince(stack: LocalStack): (units: number) => Busy {
  const cpu = process.cpuUsage();
  const main = performance.eventLoopUtilization();
  const functions = stack.queueFunctionsUtilization();
  const emulators = stack.emulatorUtilization();
  return (units) => {
    const used = process.cpuUsage(cpu);
    const m: EventLoopUtilization = performance.eventLoopUtilization(main);
    const f = stack.queueFunctionsUtilization(functions);
    const e = stack.emulatorUtilization(emulators);
    return {
      cpuMs: (used.user + used.system) / 1000 / units,
      mainMs: m.active / units,
      mainShare: m.utilization,
      functionsMs: f.active / units,
      functionsShare: f.utilization,
      emulatorsMs: e.active / units,
      emulatorsShare: e.utilization,
    };
  };
}

/** Starters posted, until each one's invite is in the mailbox. */
async function startersPhase(
  stack: LocalStack,
  hr: People,
  people: Starter[],
): Promise<Phase & { links: string[] }> {
  const task: PeopleTask = {
    kind: 'starters',
    api: stack.urls.api,
    secret: stack.env.HR_WEBHOOK_SECRET as string,
    events: people.map((p) => JSON.stringify(p.event)),
    concurrency: CONCURRENCY,
  };
  const addresses = new Set(people.map((p) => p.email));
  const before = snapshot();
  const from = log.length;
  const busy = busySince(stack);
  const start = performance.now();
  await Promise.all([
    hr.run(task),
    until('every invite', async () => [...addresses].every((a) => invited.has(a))),
  ]);
  const seconds = (performance.now() - start) / 1000;
  const used = busy(people.length);
  await settled();
  const calls = since(before);
  const logged = { from, to: log.length };
  const links = await inviteLinks(stack, addresses);
  if (links.size !== people.length) throw new Error('bench pipeline: an invite is missing from the mailbox');
  return { perSecond: people.length / seconds, calls, logged, ...used, links: [...links.values()] };
}

/**
 * Every link signed, until each agreement's webhook reached the LMS and its receipt (with the
 * certificate) is in the mailbox: all the work an acknowledgement makes, so none of it runs on into
 * what is measured next (the ceiling, or after the warm-up the starters).
 */
async function acksPhase(
  stack: LocalStack,
  signers: People,
  people: Starter[],
  links: string[],
): Promise<Phase> {
  const emails = new Set(people.map((p) => p.email));
  const before = snapshot();
  const from = log.length;
  const busy = busySince(stack);
  const start = performance.now();
  await Promise.all([
    signers.run({ kind: 'agree', links, concurrency: CONCURRENCY }),
    until(
      'every webhook and receipt',
      async () => webhooksFor(stack, emails) === links.length && [...emails].every((a) => receipted.has(a)),
    ),
  ]);
  const seconds = (performance.now() - start) / 1000;
  const used = busy(links.length);
  await settled();
  const logged = { from, to: log.length };
  return { perSecond: links.length / seconds, calls: since(before), logged, ...used };
}

// --- The emulators' ceiling: the same calls, straight at them ----------------------------------

/** `send` again after a turn of the quota's rate for as long as SES refuses it for the rate. */
async function withinQuota<T>(send: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await send();
    } catch (error) {
      if ((error as Error).name !== 'TooManyRequestsException') throw error;
      await new Promise((r) => setTimeout(r, 1000 / SES_RATE));
    }
  }
}

/**
 * One call of each kind, made as the stack makes it: on items, queues and emails of a like size —
 * the items in a table of their own (the stack's keys and indexes), never the stack's: made-up
 * items in its due index would be found by every later sweep and claimed in vain (until 3
 * December they were: 500 refused writes a sweep, in the measured phases too).
 */
function directCalls(stack: LocalStack, run: string, emailBytes: number) {
  const config = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const ddb = new DynamoDBClient({ ...config, endpoint: stack.urls.dynamodb });
  const sqs = new SQSClient({ ...config, endpoint: stack.env.AWS_ENDPOINT_URL_SQS as string });
  const ses = new SESv2Client({ ...config, endpoint: stack.urls.mailbox });
  for (const client of [ddb, sqs, ses]) uncounted(client);
  const index = TABLE_INDEXES[0];
  // About an assignment's size, on a sparse index as an owed step is.
  const item = (i: number) => ({
    pk: { S: `BENCH#${run}#${i % 1000}` },
    sk: { S: 'ITEM' },
    payload: { S: 'x'.repeat(1500) },
    ...(index && {
      [index.partitionKey]: { S: 'due' },
      [index.sortKey.name]:
        index.sortKey.type === 'N' ? { N: String(i) } : { S: new Date(1e12 + i).toISOString() },
    }),
  });
  const key = (i: number) => ({ pk: { S: `BENCH#${run}#${i % 1000}` }, sk: { S: 'ITEM' } });
  const html = `<html><body><p>${'policy text '.repeat(Math.max(1, Math.round(emailBytes / 12)))}</p></body></html>`;
  let queueUrl: string | undefined;
  const handles: string[] = [];
  const TableName = `bench-like-${run}`;

  const calls: Record<string, (i: number) => Promise<unknown>> = {
    'DynamoDB GetItem': (i) => ddb.send(new GetItemCommand({ TableName, Key: key(i), ConsistentRead: true })),
    'DynamoDB PutItem': (i) => ddb.send(new PutItemCommand({ TableName, Item: item(i) })),
    'DynamoDB UpdateItem': (i) =>
      ddb.send(
        new UpdateItemCommand({
          TableName,
          Key: key(i),
          UpdateExpression: 'SET payload = :p, leaseUntil = :l',
          ExpressionAttributeValues: { ':p': { S: 'y'.repeat(1500) }, ':l': { S: new Date().toISOString() } },
        }),
      ),
    'DynamoDB DeleteItem': (i) => ddb.send(new DeleteItemCommand({ TableName, Key: key(i + 500) })),
    'DynamoDB Query': (i) =>
      ddb.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': key(i).pk },
        }),
      ),
    'DynamoDB Scan': () => ddb.send(new ScanCommand({ TableName, Limit: 10 })),
    'DynamoDB BatchGetItem': (i) =>
      ddb.send(new BatchGetItemCommand({ RequestItems: { [TableName]: { Keys: [key(i), key(i + 1)] } } })),
    'DynamoDB BatchWriteItem': (i) =>
      ddb.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [TableName]: [{ PutRequest: { Item: item(i) } }, { PutRequest: { Item: item(i + 1) } }],
          },
        }),
      ),
    'SQS SendMessage': (i) =>
      sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify({ assignmentId: `A${i}`.padEnd(22, 'x'), kind: 'invite' }),
        }),
      ),
    'SQS SendMessageBatch': (i) =>
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: [0, 1].map((j) => ({ Id: String(j), MessageBody: `{"assignmentId":"A${i}-${j}"}` })),
        }),
      ),
    // An empty queue answers at once here (no wait): the pipeline's pollers wait only when idle.
    'SQS ReceiveMessage': async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      for (const m of Messages) if (m.ReceiptHandle) handles.push(m.ReceiptHandle);
    },
    'SQS DeleteMessageBatch': async () => {
      const taken = handles.splice(0, 10);
      if (!taken.length) return;
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: taken.map((ReceiptHandle, j) => ({ Id: String(j), ReceiptHandle })),
        }),
      );
    },
    'SQS DeleteMessage': async () => {
      const taken = handles.shift();
      if (taken) await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: taken }));
    },
    'SQS ChangeMessageVisibility': async () => {
      const handle = handles[0];
      if (handle)
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: handle,
            VisibilityTimeout: 0,
          }),
        );
    },
    'SQS GetQueueAttributes': () =>
      sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] })),
    // Within the account's quota, as the mailer keeps to it: a send refused for the rate waits its
    // turn and goes again (made three times over, the ceiling's sends pass the quota's burst).
    'SES SendEmail': (i) =>
      withinQuota(() =>
        ses.send(
          new SendEmailCommand({
            FromEmailAddress: 'onboarding@attest.example',
            Destination: { ToAddresses: [`ceiling.${run}.${i}@example.org`] },
            ConfigurationSetName: 'attest',
            Content: {
              Simple: {
                Subject: { Data: 'Please read: Safe Internet Use' },
                Body: { Html: { Data: html } },
              },
            },
          }),
        ),
      ),
    'SES GetAccount': () => ses.send(new GetAccountCommand({})),
  };

  return {
    calls,
    async setUp() {
      await createEmptyTable(ddb, TableName);
      queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `bench-ceiling-${run}` }))).QueueUrl;
    },
    async destroy() {
      await ddb.send(new DeleteTableCommand({ TableName }));
      ddb.destroy();
      sqs.destroy();
      ses.destroy();
    },
  };
}

interface Ceiling extends Busy {
  perSecond: number;
  skipped: string[];
  emailBytes: number;
}

/**
 * The same calls as a phase made — each kind as often — straight at the emulators, the phase's
 * `units` (starters or acknowledgements) worked `CONCURRENCY` at a time, each unit's calls one
 * after another as a handler makes them: the units a second the emulators alone allow. Calls of a
 * kind with no stand-in here are listed, not made. Made CEILING_ROUNDS times, the median rate
 * taken.
 */
async function ceiling(stack: LocalStack, calls: Counts, units: number, run: string): Promise<Ceiling> {
  const emails = calls.get('SES SendEmail') ?? 0;
  const emailBytes = emails ? (calls.get('SES SendEmail bytes') ?? 0) / emails : 20_000;
  const direct = directCalls(stack, run, emailBytes);
  await direct.setUp();
  calls.delete('SES SendEmail bytes');
  // (A refused call, or a read that found nothing, is counted under its kind too: made once.)
  const skipped = [...calls.keys()].filter((kind) => !direct.calls[kind] && !isAboutCalls(kind));
  // Each unit's share of each kind, spread evenly: unit u makes the calls whose index falls to it.
  const plan: Array<Array<() => Promise<unknown>>> = Array.from({ length: units }, () => []);
  const order = (kind: string) => (kind.startsWith('SQS Send') ? 0 : kind.startsWith('SQS') ? 2 : 1);
  const kinds = [...calls.entries()]
    .filter(([kind]) => direct.calls[kind])
    .sort(([a], [b]) => order(a) - order(b));
  let i = 0;
  for (const [kind, n] of kinds) {
    const call = direct.calls[kind] as (i: number) => Promise<unknown>;
    for (let c = 0; c < n; c++) {
      const at = i++;
      plan[c % units]?.push(() => call(at));
    }
  }
  const busy = busySince(stack);
  const rates: number[] = [];
  for (let round = 0; round < CEILING_ROUNDS; round++) {
    const start = performance.now();
    await pool(units, CONCURRENCY, async (u) => {
      for (const call of plan[u] ?? []) await call();
    });
    rates.push(units / ((performance.now() - start) / 1000));
  }
  const used = busy(units * CEILING_ROUNDS);
  await direct.destroy();
  return { perSecond: median(rates), skipped, emailBytes, ...used };
}

/** The middle of the ceiling's rates, one a round. */
const median = (rates: number[]) => rates.sort((a, b) => a - b)[Math.floor(rates.length / 2)] as number;

/** Busy figures averaged over readings (one a round). */
function mean(readings: Busy[]): Busy {
  const out = { ...(readings[0] as Busy) };
  for (const key of Object.keys(out) as Array<keyof Busy>)
    out[key] = readings.reduce((sum, b) => sum + b[key], 0) / readings.length;
  return out;
}

interface Replayed extends Ceiling {
  /** The replayed DynamoDB calls the emulator refused, by error (in the last round). */
  refused: Map<string, number>;
  /** The replayed GetItems that found nothing (in the last round). */
  missed: number;
  dynamoCalls: number;
}

/**
 * The phase's own calls made again straight at the emulators, in the order the stack made them,
 * `CONCURRENCY` in flight: each DynamoDB call exactly (its command and input, so the emulator
 * parses the same expressions, keeps the same indexes and stores items of the same size), on a
 * table of its own first given every DynamoDB call made before the phase (untimed), so each finds
 * the items the stack's found; the SQS and SES calls as `directCalls` makes them. Made
 * CEILING_ROUNDS times, each on a new table, the median rate taken.
 */
async function replayCeiling(
  stack: LocalStack,
  phase: Phase,
  units: number,
  run: string,
  emailBytes: number,
): Promise<Replayed> {
  const prior = log.slice(0, phase.logged.from);
  const made = log.slice(phase.logged.from, phase.logged.to);
  const direct = directCalls(stack, run, emailBytes);
  await direct.setUp();
  const replay = replayer(stack.urls.dynamodb);
  const skipped = new Set<string>();
  const rates: number[] = [];
  const busy: Busy[] = [];
  const inOrder = (sends: Array<() => Promise<unknown>>) =>
    pool(sends.length, CONCURRENCY, async (i) => {
      await sends[i]?.();
    });
  for (let round = 0; round < CEILING_ROUNDS; round++) {
    const table = `bench-replay-${run}-${round}`;
    await replay.table(table);
    const sends = (calls: LoggedCall[], all: boolean) =>
      calls.flatMap((call, i) => {
        if (call.dynamo) return [replay.call(call.dynamo, table)];
        const stand = all ? direct.calls[call.kind] : undefined;
        if (all && !stand) skipped.add(call.kind);
        return stand ? [() => stand(i)] : [];
      });
    await inOrder(sends(prior, false));
    replay.refused.clear();
    replay.missed.count = 0;
    const timed = sends(made, true);
    const reading = busySince(stack);
    const start = performance.now();
    await inOrder(timed);
    rates.push(units / ((performance.now() - start) / 1000));
    busy.push(reading(units));
    await replay.drop(table);
  }
  await direct.destroy();
  replay.destroy();
  return {
    perSecond: median(rates),
    skipped: [...skipped],
    emailBytes,
    refused: new Map(replay.refused),
    missed: replay.missed.count,
    dynamoCalls: made.filter((call) => call.dynamo).length,
    ...mean(busy),
  };
}

function printCalls(calls: Counts, units: number) {
  const total = [...calls].reduce((sum, [kind, n]) => (isAboutCalls(kind) ? sum : sum + n), 0);
  console.log(`  calls per ${units === 1 ? 'unit' : 'one'} (${fmt(total / units)} in all):`);
  for (const [kind, n] of [...calls].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(`    ${kind.padEnd(40)} ${fmt(n / units).padStart(8)}`);
  }
}

function printFigure(title: string, unit: string, pipeline: Phase, top: Replayed, like: Ceiling, n: number) {
  const line = (label: string, value: string) => console.log(`  ${label.padEnd(52)} ${value.padStart(12)}`);
  const ratio = (of: Ceiling) => `${fmt((100 * pipeline.perSecond) / of.perSecond)} %`;
  console.log(`\n${title}`);
  line('local pipeline', `${fmt(pipeline.perSecond)} ${unit}`);
  line('emulators alone, the same calls made again (ceiling)', `${fmt(top.perSecond)} ${unit}`);
  line('ratio (goal ≥ 75 %)', ratio(top));
  line('emulators alone, like calls on made-up items', `${fmt(like.perSecond)} ${unit}`);
  line('ratio to that (the ceiling until 3 December)', ratio(like));
  // Where the ratio comes from, in a figure other processes move less than a rate: the CPU each
  // unit took here, the stack's (its handlers, the emulators; the bench's HR and people) beside
  // the same calls' alone (the SDK's and the emulators').
  console.log(
    `  CPU per one, this process's every thread: pipeline ${fmt(pipeline.cpuMs)} ms, the same calls again ${fmt(top.cpuMs)} ms, like calls ${fmt(like.cpuMs)} ms`,
  );
  // Which thread held it: a thread busy all the phase is the limit, whatever the others could take.
  // (Busy is time its event loop was working, a wait for a core included: on a loaded machine
  // more than its CPU.)
  const threads = (b: Busy) =>
    `this thread ${fmt(b.mainMs)} ms (busy ${fmt(100 * b.mainShare)} % of it), the queue functions' ${fmt(b.functionsMs)} ms (${fmt(100 * b.functionsShare)} %), the emulators' ${fmt(b.emulatorsMs)} ms (${fmt(100 * b.emulatorsShare)} %)`;
  console.log(`  busy per one, pipeline: ${threads(pipeline)}`);
  console.log(`  busy per one, the same calls again: ${threads(top)}`);
  console.log(`  busy per one, like calls: ${threads(like)}`);
  // What the work measured allows at best, whatever the scheduling: the functions' busier thread
  // can do no more units a second than it has milliseconds for theirs, and the process no more
  // than the machine's cores have for its CPU per unit (the emulators', the bench's HR and people
  // included).
  const cores = availableParallelism();
  const atMost = (ms: number) => 1000 / ms;
  const share = (rate: number) => `${fmt((100 * rate) / top.perSecond)} % of the ceiling`;
  const busiest = Math.max(pipeline.mainMs, pipeline.functionsMs);
  console.log(
    `  at most, from this work: the functions' busier thread ${fmt(atMost(busiest))} ${unit} (${share(atMost(busiest))}); ${cores} cores ${fmt(cores * atMost(pipeline.cpuMs))} ${unit} (${share(cores * atMost(pipeline.cpuMs))})`,
  );
  printCalls(pipeline.calls, n);
  console.log(
    `  an email sent weighed ${fmt(top.emailBytes / 1024)} KB on average (the ceiling's weigh the same)`,
  );
  const refused = [...top.refused].map(([name, count]) => `${count} ${name}`).join(', ');
  console.log(
    `  made again: ${top.dynamoCalls} DynamoDB calls as made${refused ? `, of which refused: ${refused}` : ', none refused'}; GetItems that found nothing ${top.missed} (the stack's ${pipeline.calls.get('DynamoDB GetItem found nothing') ?? 0})`,
  );
  const idle = like.skipped.filter((kind) => kind.endsWith('(empty)'));
  const other = [...new Set([...like.skipped, ...top.skipped])].filter((kind) => !idle.includes(kind));
  if (idle.length) console.log(`  not made again (pollers waiting): ${idle.join(', ')}`);
  if (other.length) console.log(`  not made again (no stand-in here): ${other.join(', ')}`);
}

export async function run(): Promise<void> {
  const stack = await startLocalStack({
    ports: { api: 0, ses: 0, dynamodb: 0, sqs: 0, lms: 0, oidc: 0 },
    dataDir: undefined,
    env: { LOG_LEVEL: 'SILENT', SES_MAX_RATE: String(SES_RATE) },
    sesQuota: { maxSendRate: SES_RATE, max24HourSend: -1 },
    onError: (error) => console.error('bench pipeline: stack error', error),
    // The mailer and lms-push on their own thread, as npm start runs them: the calls they make
    // there are counted there (bench/call-counts.ts wraps the clients on each thread).
    queueFunctionsPreload: [new URL('./call-counts.ts', import.meta.url).href],
  });
  // HR's system and the people signing are other machines: their requests are made on a thread of their own.
  const others = startPeople();
  try {
    const run = randomUUID().slice(0, 8);
    // Warm: every handler loaded and its clients connected, as after the first requests on Lambda.
    const warm = starters(`${run}w`, 10);
    const warmed = await startersPhase(stack, others, warm);
    await acksPhase(stack, others, warm, warmed.links);

    const people = starters(run, N);
    // Each ceiling right after its phase: on a machine other work loads, a minute between the two
    // (the other phase) let a change of load move one and not the other.
    const invited = await startersPhase(stack, others, people);
    const startersLike = await ceiling(stack, invited.calls, N, `${run}s`);
    const startersTop = await replayCeiling(stack, invited, N, `${run}S`, startersLike.emailBytes);
    const signed = await acksPhase(stack, others, people, invited.links);
    const acksLike = await ceiling(stack, signed.calls, N, `${run}a`);
    const acksTop = await replayCeiling(stack, signed, N, `${run}A`, acksLike.emailBytes);

    console.log(
      `\nLocal pipeline, ${N} starters, ${CONCURRENCY} requests at once (HR, then the people signing); SES quota ${SES_RATE}/s`,
    );
    printFigure(
      'Starters: posted until every invite is in the SES mailbox',
      'starters/s',
      invited,
      startersTop,
      startersLike,
      N,
    );
    printFigure(
      'Acknowledgements: signed until every webhook reached the LMS and every receipt the mailbox',
      'acks/s',
      signed,
      acksTop,
      acksLike,
      N,
    );
  } finally {
    await others.stop();
    await stack.stop();
  }
}

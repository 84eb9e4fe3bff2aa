// Figure: a 10,000-row starters CSV imported as `attest import starters` imports it, against the same starters POSTed one by one, signed, to POST /v1/starters — rows per second, into dynalite, mailer not running.
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ScanCommand,
  type ScanCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, PurgeQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { stringify } from 'csv-stringify/sync';
import { Webhook } from 'standardwebhooks';
import { makeDynamoStore } from '#shared/adapters/dynamo/store.ts';
import { makeSqsQueue } from '#shared/adapters/sqs-queue.ts';
import { STARTER_COLUMNS, type StarterColumn } from '#shared/core/sources/csv.ts';
import { runCli } from '../bin/attest.ts';
import { createEmptyTable, LOCAL_CREDENTIALS, startEmulators } from '../local/emulators.ts';
import { createGateway, type HttpHandler } from '../local/gateway.ts';
import { invoked } from '../local/invocation.ts';
import { LOCAL_REGION, LOCAL_SECRETS, TABLE_NAME } from '../local/settings.ts';
import { seededRandom } from '../test/support/seeded.ts';
import { fmt, postSignedStarter } from './measure.ts';

const ROWS = 10_000;
/**
 * Repetitions of each side, alternating which goes first. Each side takes minutes on the 2-core
 * development machine (each row is a dozen DynamoDB calls and an SQS send), so two, not more.
 */
const RUNS = 2;

const GIVEN = [
  'Ada',
  'Grace',
  'Alan',
  'Katherine',
  'Tim',
  'Margaret',
  'Edsger',
  'Barbara',
  'Donald',
  'Frances',
];
const FAMILY = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Berners-Lee', 'Hamilton', 'Dijkstra', 'Liskov'];
const DEPARTMENTS = ["Children's Services", 'Adult Social Care', 'Finance', 'Highways', 'Libraries, Culture'];
const MANAGERS = [
  ['Sophie Wilson', 'sophie.wilson@example.org'],
  ['Karen Spärck Jones', 'karen.jones@example.org'],
  ['Tony Hoare', 'tony.hoare@example.org'],
] as const;
/** Fixed start dates: the first Mondays of 2027's first quarter. */
const START_DATES = ['2027-01-04', '2027-01-11', '2027-01-18', '2027-02-01', '2027-03-01'];

/** The starters as cells by column, in the README's column order; some cells empty, as HR leaves them. */
function starters(): Array<Record<StarterColumn, string>> {
  const random = seededRandom(20261201);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)] as T;
  return Array.from({ length: ROWS }, (_, i) => {
    const givenName = pick(GIVEN);
    const familyName = pick(FAMILY);
    const manager = random() < 0.8 ? pick(MANAGERS) : undefined;
    return {
      employeeId: `E${String(100_000 + i)}`,
      givenName,
      familyName,
      email: `${givenName}.${familyName}.${i}@example.org`.toLowerCase(),
      startDate: pick(START_DATES),
      managerName: manager?.[0] ?? '',
      managerEmail: manager?.[1] ?? '',
      department: random() < 0.9 ? pick(DEPARTMENTS) : '',
      // What the audience rules match on besides the department: left empty, as most HR exports do.
      organization: '',
      division: '',
      location: '',
      employmentType: '',
      jobTitle: '',
      locale: random() < 0.5 ? 'en-GB' : '',
      timeZone: random() < 0.5 ? 'Europe/London' : '',
      // Empty: DEFAULT_POLICIES (safe-internet-use), the one policy bundled.
      policies: random() < 0.5 ? 'safe-internet-use' : '',
    };
  });
}

/** A row as the HR system's `starter.created` event: the same starter, empty cells left out. */
function eventOf(row: Record<StarterColumn, string>, i: number) {
  const given = (column: StarterColumn) => row[column] || undefined;
  return {
    type: 'starter.created',
    id: `evt_bench_${i}`,
    data: {
      employeeId: row.employeeId,
      givenName: row.givenName,
      familyName: row.familyName,
      email: row.email,
      startDate: row.startDate,
      ...(row.managerName && { manager: { name: row.managerName, email: row.managerEmail } }),
      department: given('department'),
      locale: given('locale'),
      timeZone: given('timeZone'),
      ...(row.policies && { policies: row.policies.split(';') }),
    },
  };
}

export async function run(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const rows = starters();
  const dir = mkdtempSync(join(tmpdir(), 'attest-bench-import-'));
  const file = join(dir, 'starters.csv');
  writeFileSync(
    file,
    stringify(rows, { header: true, columns: [...STARTER_COLUMNS], record_delimiter: 'windows' }),
  );
  const bodies = rows.map((row, i) => JSON.stringify(eventOf(row, i)));

  // The local stack's emulators (dynalite in memory, fauxqs), without its mailer, sweeper or SES:
  // no email is sent. Both sides put their invite hints on the same SQS mail queue, read by nobody.
  const emulators = await startEmulators({
    ports: { api: 0, ses: 0, dynamodb: 0, sqs: 0, lms: 0, oidc: 0 },
    dataDir: undefined,
    visibilitySeconds: 10,
  });
  const clientConfig = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const ddb = new DynamoDBClient({ ...clientConfig, endpoint: emulators.endpoints.dynamodb });
  const sqs = new SQSClient({ ...clientConfig, endpoint: emulators.endpoints.sqs });
  const mailQueue = emulators.queues.mail;

  // The ingest function as `npm start` runs it: its handler, configured from the environment at
  // load, behind the local gateway. Its log lines are off (LOG_LEVEL=WARN), as the CLI's are.
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: emulators.endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: emulators.endpoints.sqs,
    TABLE_NAME,
    MAIL_QUEUE_URL: mailQueue,
    HR_WEBHOOK_SECRET: LOCAL_SECRETS.HR_WEBHOOK_SECRET,
    POWERTOOLS_SERVICE_NAME: 'attest',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    LOG_LEVEL: 'WARN',
  });
  const { handler } = (await import('#functions/ingest/handler.ts')) as { handler: HttpHandler };
  const gateway = createGateway(
    [{ method: 'POST', path: '/v1/starters', handler: invoked('ingest', handler) }],
    {},
    (error) => console.error(error),
  );
  gateway.listen(0, '127.0.0.1');
  await once(gateway, 'listening');
  const api = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  const webhook = new Webhook(LOCAL_SECRETS.HR_WEBHOOK_SECRET);

  /** A fresh, empty table with every index, and an empty mail queue: each side starts from these. */
  const fresh = async () => {
    const { TableNames } = await ddb.send(new ListTablesCommand({}));
    if (TableNames?.includes(TABLE_NAME)) {
      await ddb.send(new DeleteTableCommand({ TableName: TABLE_NAME }));
      for (let i = 0; i < 100; i++) {
        const { TableNames: left } = await ddb.send(new ListTablesCommand({}));
        if (!left?.includes(TABLE_NAME)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await createEmptyTable(ddb, TABLE_NAME);
    await sqs.send(new PurgeQueueCommand({ QueueUrl: mailQueue }));
  };
  /** What a side left: the table's items and the hints on the mail queue, the same for both. */
  const written = async () => {
    let items = 0;
    let start: ScanCommandOutput['LastEvaluatedKey'];
    do {
      const page = await ddb.send(
        new ScanCommand({ TableName: TABLE_NAME, Select: 'COUNT', ExclusiveStartKey: start }),
      );
      items += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: mailQueue, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    return { items, hints: Number(Attributes?.ApproximateNumberOfMessages) };
  };

  /** `attest import starters FILE.csv` against the local stack: the CLI's own command and wiring. */
  const viaImport = async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['import', 'starters', file], {
      store: makeDynamoStore(TABLE_NAME, ddb),
      mailQueue: makeSqsQueue(mailQueue, sqs),
      defaultPolicies: ['safe-internet-use'],
      io: { out: (t) => out.push(t), err: (t) => err.push(t) },
    });
    const expected = `${ROWS} created, 0 updated, 0 unchanged, 0 rejected`;
    if (code !== 0 || out[0] !== expected) {
      throw new Error(`the import answered ${code}: ${[...out, ...err.slice(0, 5)].join('\n')}`);
    }
  };
  /** The baseline: each starter POSTed in turn, signed as an HR system signs it, each answered before the next. */
  const viaWebhook = async () => {
    for (const [i, body] of bodies.entries()) {
      const status = await postSignedStarter(api, webhook, `msg_bench_${i}`, body);
      if (status !== 202) throw new Error(`POST /v1/starters answered ${status} for row ${i}`);
    }
  };

  const sides = [
    { name: 'import', op: viaImport, rates: [] as number[], seconds: [] as number[] },
    { name: 'webhook', op: viaWebhook, rates: [] as number[], seconds: [] as number[] },
  ];
  const ratios: number[] = [];
  console.log(
    `\nImport: ${fmt(ROWS)} starters (dynalite and fauxqs in memory; no mailer: each invite hint goes to the SQS mail queue, read by nobody, on both sides)`,
  );
  try {
    let expected: { items: number; hints: number } | undefined;
    for (let r = 0; r < RUNS; r++) {
      // Alternate which side goes first, so neither always has the warmer process.
      const order = r % 2 ? [...sides].reverse() : sides;
      for (const side of order) {
        await fresh();
        const start = performance.now();
        await side.op();
        const ms = performance.now() - start;
        side.seconds.push(ms / 1000);
        side.rates.push((ROWS * 1000) / ms);
        const left = await written();
        expected ??= left;
        if (left.hints !== ROWS || left.items !== expected.items) {
          throw new Error(
            `the ${side.name} side left ${JSON.stringify(left)}, not ${JSON.stringify(expected)}`,
          );
        }
      }
      const [imported, posted] = sides.map((s) => s.rates[r] as number) as [number, number];
      ratios.push(imported / posted);
      console.log(
        `  run ${r + 1}: import ${fmt(imported)} rows/s (${fmt(sides[0]?.seconds[r] as number)} s), POSTs ${fmt(posted)} rows/s (${fmt(sides[1]?.seconds[r] as number)} s), ${fmt(imported / posted)}×`,
      );
    }
    const range = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
    const [importSide, webhookSide] = sides as [(typeof sides)[0], (typeof sides)[0]];
    console.log(
      `  ${'attest import starters (CSV → validate → ingest)'.padEnd(52)} ${range(importSide.rates).padStart(16)} rows/s`,
    );
    console.log(
      `  ${'POST /v1/starters one by one, signed (baseline)'.padEnd(52)} ${range(webhookSide.rates).padStart(16)} rows/s`,
    );
    console.log(`  ${'ratio'.padEnd(52)} ${range(ratios).padStart(16)}×`);
    console.log(
      `  (${RUNS} runs of each side, alternating; each left ${fmt(expected?.items ?? 0)} items and ${fmt(ROWS)} invite hints)`,
    );
  } finally {
    await new Promise<void>((resolve) => {
      gateway.close(() => resolve());
      gateway.closeAllConnections();
    });
    ddb.destroy();
    sqs.destroy();
    await emulators.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

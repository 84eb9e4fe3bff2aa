// Figure: DynamoDB calls and capacity units per invite and per acknowledgement, counted by a proxy in front of dynalite while the real handlers run in a child process — the first starter (every function cold, its policy cache empty) beside the next ones (warm).
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { makeDynamoStore } from '#shared/adapters/dynamo/store.ts';
import { makePublishPolicy } from '#shared/core/publish.ts';
import type { HttpEvent, HttpResult } from '#shared/edge/http.ts';
import { bundledPolicies } from '#templates/policies.ts';
import { type Emulators, LOCAL_CREDENTIALS, startEmulators } from '../local/emulators.ts';
import { invoked } from '../local/invocation.ts';
import { createLmsReceiver } from '../local/lms-receiver.ts';
import { LOCAL_REGION, LOCAL_SECRETS, localLmsSettings, TABLE_NAME } from '../local/settings.ts';
import { type CountedCall, type Counter, startCounter, type Tally, tally } from './counting.ts';

const exec = promisify(execFile);

/** The goals of issue 18. */
export const GOALS = { invite: 8, acknowledgement: 12 } as const;
export type PathName = keyof typeof GOALS;

/** The functions each path runs, in order. */
export const PATH_FUNCTIONS: Record<PathName, string[]> = {
  invite: ['ingest', 'mailer'],
  acknowledgement: ['ack', 'mailer', 'lms-push'],
};

/** What one starter's pass along one path asked of AWS, and what its functions logged. */
export interface PathRun {
  calls: CountedCall[];
  /** Lambda invocations, by function (each handler call is one). */
  invocations: Record<string, number>;
  /** Bytes each function wrote to its log (stdout and stderr: Powertools' lines and metrics). */
  logBytes: Record<string, number>;
  /** Lines each function wrote to its log (each a CloudWatch Logs event). */
  logLines: Record<string, number>;
  /** Milliseconds each invocation took here, by function (this machine, in process). */
  durationMs: Record<string, number[]>;
  /** SQS messages sent (each is received and deleted once by the event source mapping). */
  messages: number;
}

export interface CallsResult {
  /** One entry per starter: the first with every function cold, the rest warm. */
  passes: Array<Record<PathName, PathRun>>;
}

const STARTER = {
  type: 'starter.created',
  data: {
    givenName: 'Ada',
    familyName: 'Lovelace',
    startDate: '2027-01-04',
    manager: { name: 'Grace Hopper', email: 'grace@example.org' },
    department: 'Children’s Services',
    locale: 'en-GB',
    timeZone: 'Europe/London',
    policies: ['safe-internet-use'],
  },
};

/**
 * A phone's browser, as the page sees a starter's: the evidence keeps the user agent, and its
 * length is part of the assignment's size, so of the write units of every write after the agreement.
 */
const PHONE_BROWSER =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

function httpEvent(
  routeKey: string,
  path: string,
  params: Record<string, string>,
  init: {
    headers?: Record<string, string>;
    body?: string;
  },
): HttpEvent {
  const [method] = routeKey.split(' ') as [string];
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: init.headers ?? {},
    pathParameters: params,
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: '127.0.0.1',
      domainPrefix: 'bench',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.10', userAgent: PHONE_BROWSER },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(init.body !== undefined && { body: init.body, isBase64Encoded: false }),
  } as HttpEvent;
}

/** Runs `fn` with everything written to stdout and stderr counted (and kept off the terminal). */
async function logged<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; bytes: number; lines: number; ms: number }> {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  let bytes = 0;
  let lines = 0;
  const count = (chunk: unknown) => {
    const text = typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    bytes += Buffer.byteLength(text);
    lines += text.split('\n').filter(Boolean).length;
    return true;
  };
  process.stdout.write = count as typeof process.stdout.write;
  process.stderr.write = count as typeof process.stderr.write;
  const start = performance.now();
  try {
    const value = await fn();
    return { value, bytes, lines, ms: performance.now() - start };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

/** A message received from fauxqs as the event source mapping hands it to its function (the fields the handlers read). */
export function sqsRecord(m: Message) {
  return {
    messageId: m.MessageId,
    receiptHandle: m.ReceiptHandle,
    body: m.Body,
    attributes: { ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1' },
    messageAttributes: {},
    eventSource: 'aws:sqs',
  };
}

/** What a driver of the real handlers runs them on: the emulators, the counting proxy in front of dynalite, an SQS client. */
export interface CountedStack {
  emulators: Emulators;
  counter: Counter;
  sqs: SQSClient;
  stop(): Promise<void>;
}

/**
 * Starts dynalite (behind the counting proxy), fauxqs and the local SES; puts the functions'
 * settings — the AWS endpoints (DynamoDB's the proxy), the table, the queues, the local secrets,
 * then `settings` — in this process's environment, where handlers imported afterwards read them;
 * and publishes the bundled policies' versions, uncounted (as on a running deployment).
 */
export async function startCountedStack(settings: Record<string, string>): Promise<CountedStack> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const emulators = await startEmulators({
    ports: { api: 0, ses: 0, dynamodb: 0, sqs: 0, lms: 0, oidc: 0 },
    dataDir: undefined,
    visibilitySeconds: 10,
  });
  const clientConfig = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const direct = new DynamoDBClient({ ...clientConfig, endpoint: emulators.endpoints.dynamodb });
  const sqs = new SQSClient({ ...clientConfig, endpoint: emulators.endpoints.sqs });
  const counter = await startCounter(emulators.endpoints.dynamodb, { client: direct, tableName: TABLE_NAME });
  const stop = async () => {
    await counter.stop();
    direct.destroy();
    sqs.destroy();
    await emulators.stop();
  };
  try {
    Object.assign(process.env, {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: counter.endpoint,
      AWS_ENDPOINT_URL_SQS: emulators.endpoints.sqs,
      AWS_ENDPOINT_URL_SESV2: emulators.endpoints.ses,
      TABLE_NAME,
      MAIL_QUEUE_URL: emulators.queues.mail,
      LMS_QUEUE_URL: emulators.queues.lms,
      PUBLIC_BASE_URL: 'https://attest.example',
      MAIL_FROM: 'onboarding@attest.example',
      SES_CONFIGURATION_SET: 'attest',
      // One process is one mailer instance, as under `npm start` (the stack sizes it on AWS).
      MAILER_CONCURRENCY: '1',
      POWERTOOLS_SERVICE_NAME: 'attest',
      ...LOCAL_SECRETS,
      ...settings,
    });
    const publisher = makePublishPolicy({
      store: makeDynamoStore(TABLE_NAME, direct),
      clock: { now: () => new Date() },
      logger: { info: () => undefined, warn: () => undefined },
    });
    for (const text of bundledPolicies.values()) await publisher.publish(text);
  } catch (error) {
    await stop();
    throw error;
  }
  return { emulators, counter, sqs, stop };
}

/**
 * Starts dynalite (behind the counting proxy), fauxqs, the local SES and the demo LMS receiver,
 * loads the real handlers with the local stack's settings, and drives `starters` starters one at a
 * time along both paths — HR event → ingest → mail queue → mailer → invite in the mailbox; the
 * link's page (GET) → the agreement (POST) → the receipt by the mailer and the completion by
 * lms-push to the receiver — handing each queue's messages to its handler as Lambda's event source
 * would. Policy version 1 is published beforehand (uncounted), as it is on a running deployment.
 */
export async function drivePaths(starters = 3): Promise<CallsResult> {
  const lms = createLmsReceiver(LOCAL_SECRETS.LMS_WEBHOOK_SECRET.split(/[\s,]+/)[0] as string);
  lms.server.listen(0, '127.0.0.1');
  await once(lms.server, 'listening');
  const lmsPort = (lms.server.address() as AddressInfo).port;
  const stack = await startCountedStack({
    ORGANISATION_NAME: 'Bench Council',
    LMS_MODE: 'webhook',
    ...localLmsSettings(lmsPort),
    REDRIVE_AFTER: 'PT10M',
    // As on AWS: JSON lines at INFO, and the metrics' EMF lines (both are CloudWatch Logs ingestion).
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'INFO',
    POWERTOOLS_METRICS_DISABLED: 'false',
  });
  const { emulators, counter, sqs } = stack;
  try {
    const [ingest, mailer, ack, lmsPush] = await Promise.all([
      import('#functions/ingest/handler.ts'),
      import('#functions/mailer/handler.ts'),
      import('#functions/ack/handler.ts'),
      import('#functions/lms-push/handler.ts'),
    ]);
    const handlers = {
      ingest: invoked('ingest', ingest.handler) as (e: HttpEvent) => Promise<HttpResult>,
      ack: invoked('ack', ack.handler) as (e: HttpEvent) => Promise<HttpResult>,
      mailer: invoked('mailer', mailer.handler) as (e: SQSEvent) => Promise<unknown>,
      'lms-push': invoked('lms-push', lmsPush.handler) as (e: SQSEvent) => Promise<unknown>,
    };

    const passes: CallsResult['passes'] = [];
    for (let i = 0; i < starters; i++) {
      const runs = { invite: emptyRun(), acknowledgement: emptyRun() } satisfies Record<PathName, PathRun>;
      const call = async <T>(path: PathName, fn: keyof typeof handlers, event: unknown): Promise<T> => {
        counter.phase(`${path}\0${fn}`);
        const run = runs[path];
        const { value, bytes, lines, ms } = await logged(() =>
          (handlers[fn] as (e: unknown) => Promise<T>)(event),
        );
        run.invocations[fn] = (run.invocations[fn] ?? 0) + 1;
        run.logBytes[fn] = (run.logBytes[fn] ?? 0) + bytes;
        run.logLines[fn] = (run.logLines[fn] ?? 0) + lines;
        run.durationMs[fn] = [...(run.durationMs[fn] ?? []), ms];
        counter.phase('between');
        return value;
      };
      /** Hands every message now on `queue` to `fn`, as the event source mapping would. */
      const drain = async (path: PathName, queue: string, fn: 'mailer' | 'lms-push') => {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queue,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
          }),
        );
        if (!Messages.length) throw new Error(`no message for ${fn}`);
        runs[path].messages += Messages.length;
        for (const m of Messages) {
          const out = (await call(path, fn, {
            Records: [sqsRecord(m)],
          })) as { batchItemFailures?: unknown[] };
          if (out?.batchItemFailures?.length) throw new Error(`${fn} failed its message`);
        }
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queue,
            Entries: Messages.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle as string })),
          }),
        );
      };

      // The invite: HR's event in, the invite in the mailbox.
      const suffix = randomUUID().slice(0, 8);
      const email = `starter.${suffix}@example.org`;
      const event = {
        ...STARTER,
        id: `evt_bench_${suffix}`,
        data: { ...STARTER.data, employeeId: `B-${suffix}`, email },
      };
      const body = JSON.stringify(event);
      const msgId = `msg_${randomUUID()}`;
      const at = new Date();
      const ingested = await call<HttpResult>(
        'invite',
        'ingest',
        httpEvent(
          'POST /v1/starters',
          '/v1/starters',
          {},
          {
            headers: {
              'content-type': 'application/json',
              'webhook-id': msgId,
              'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
              'webhook-signature': new Webhook(LOCAL_SECRETS.HR_WEBHOOK_SECRET).sign(msgId, at, body),
            },
            body,
          },
        ),
      );
      if (ingested.statusCode !== 202)
        throw new Error(`ingest answered ${ingested.statusCode}: ${ingested.body}`);
      await drain('invite', emulators.queues.mail, 'mailer');
      const mailbox = (await (await fetch(`${emulators.endpoints.ses}/store`)).json()) as {
        emails: Array<{ destination: { to: string[] }; body: { text?: string } }>;
      };
      const invite = mailbox.emails.find((e) => e.destination.to.includes(email));
      const token = /\/ack\/([A-Za-z0-9._~%-]+)/.exec(invite?.body.text ?? '')?.[1];
      if (!token) throw new Error('no invite with a link in the mailbox');

      // The acknowledgement: the page, the agreement, the receipt and the LMS's completion.
      const page = await call<HttpResult>(
        'acknowledgement',
        'ack',
        httpEvent('GET /ack/{token}', `/ack/${token}`, { token }, {}),
      );
      const shown = /name="shown" value="([^"]+)"/.exec(String(page.body))?.[1];
      if (!shown) throw new Error(`the page showed no form (${page.statusCode})`);
      const form = new URLSearchParams({
        shown: shown.replaceAll('&amp;', '&'),
        fullName: 'Ada Lovelace',
        agree: 'yes',
      });
      const agreed = await call<HttpResult>(
        'acknowledgement',
        'ack',
        httpEvent(
          'POST /ack/{token}',
          `/ack/${token}`,
          { token },
          {
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: form.toString(),
          },
        ),
      );
      if (!String(agreed.body).includes('class="receipt"'))
        throw new Error(`the agreement was not recorded (${agreed.statusCode})`);
      await drain('acknowledgement', emulators.queues.mail, 'mailer');
      await drain('acknowledgement', emulators.queues.lms, 'lms-push');
      if (lms.received().length !== i + 1) throw new Error('the LMS did not receive the completion');

      for (const c of counter.calls.splice(0)) {
        const [path, fn] = c.phase.split('\0') as [PathName, string];
        if (!runs[path]) throw new Error(`a DynamoDB call outside the paths (${c.op})`);
        runs[path].calls.push({ ...c, phase: fn });
      }
      passes.push(runs);
    }
    return { passes };
  } finally {
    await new Promise<void>((resolve) => {
      lms.server.close(() => resolve());
      lms.server.closeAllConnections();
    });
    await stack.stop();
  }
}

/**
 * drivePaths in a fresh process: a handler's module loads once per process, with the settings of
 * the moment, so the paths are driven where no other figure (import, console) has loaded the
 * handlers against emulators of its own.
 */
export async function runCalls(starters = 3): Promise<CallsResult> {
  const dir = mkdtempSync(join(tmpdir(), 'attest-bench-calls-'));
  const out = join(dir, 'result.json');
  try {
    await exec(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), DRIVE, String(starters), out],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return JSON.parse(readFileSync(out, 'utf8')) as CallsResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The argument that makes this module drive the paths and write their result (runCalls' child). */
const DRIVE = '--drive-paths';

const emptyRun = (): PathRun => ({
  calls: [],
  invocations: {},
  logBytes: {},
  logLines: {},
  durationMs: {},
  messages: 0,
});

const pad = (s: string | number, n: number) => String(s).padStart(n);

function printPath(title: string, run: PathRun, functions: string[]): Tally {
  const total = tally(run.calls);
  console.log(
    `  ${title}: ${total.calls} calls, ${fmtUnits(total.rcu)} RCU (${total.consistentReads} strongly consistent reads, ${total.eventualReads} eventually), ${total.wcu} WCU + ${total.indexWcu} index WCU`,
  );
  for (const fn of functions) {
    const mine = run.calls.filter((c) => c.phase === fn);
    const t = tally(mine);
    const ops = Object.entries(t.byOp)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ');
    console.log(
      `    ${fn.padEnd(9)} ${pad(t.calls, 2)} calls  ${pad(fmtUnits(t.rcu), 5)} RCU ${pad(t.wcu, 3)} WCU ${pad(t.indexWcu, 3)} index  — ${ops}`,
    );
  }
  return total;
}

/** Where a path's write units go: each write, its item, the item's size and the index entries it wrote. */
function printWrites(run: PathRun): void {
  console.log('  warm, each write (item kind, its size, write units + index units by index):');
  for (const c of run.calls) {
    if (!c.items) continue;
    const indexes = Object.entries(c.byIndex ?? {})
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
    console.log(
      `    ${c.phase.padEnd(9)} ${c.op.padEnd(14)} ${c.items.join(' + ').padEnd(34)} ${pad(c.bytes ?? 0, 5)} B  ${c.wcu} + ${c.indexWcu}${indexes ? ` (${indexes})` : ''}${c.failed ? '  condition failed' : ''}`,
    );
  }
}

const fmtUnits = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

export async function run(): Promise<void> {
  console.log(
    '\nDynamoDB calls per path (the real handlers in a child process, a counting proxy in front of dynalite)',
  );
  console.log(
    "  read units: dynalite's ConsumedCapacity (DynamoDB's rule: 4 KB per strongly consistent read, half for eventual);",
  );
  console.log(
    "  write and index units: computed from each item before and after its write and the table's index projections",
  );
  const { passes } = await runCalls(3);
  const [cold, ...warm] = passes as [Record<PathName, PathRun>, ...Array<Record<PathName, PathRun>>];
  const last = warm[warm.length - 1] ?? cold;
  for (const path of Object.keys(GOALS) as PathName[]) {
    console.log(
      `\n ${path === 'invite' ? 'invite (HR event → invite sent)' : 'acknowledgement (page → agreement → receipt sent → LMS delivered)'}`,
    );
    const c = printPath(
      'cold (first invocation of each function, empty policy cache)',
      cold[path],
      PATH_FUNCTIONS[path],
    );
    const w = printPath('warm', last[path], PATH_FUNCTIONS[path]);
    printWrites(last[path]);
    const goal = GOALS[path];
    console.log(
      `  goal ≤ ${goal} calls: warm ${w.calls} — ${w.calls <= goal ? 'met' : 'NOT met'}; cold ${c.calls} (${fmtUnits(c.calls / w.calls)}× warm)`,
    );
  }
}

// Last, once everything above is defined: run as runCalls' child, drive the paths.
if (process.argv[2] === DRIVE) {
  const result = await drivePaths(Number(process.argv[3]));
  writeFileSync(process.argv[4] as string, JSON.stringify(result));
  // The handlers' clients keep sockets open; the child's work is done.
  process.exit(0);
}

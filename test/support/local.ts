// Helpers for integration tests against the embedded local stack.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, inject } from 'vitest';
import { channelFromEnv } from '#shared/adapters/destination-channel.ts';
import { makeDynamoStore } from '#shared/adapters/dynamo/store.ts';
import { makeHttpClient } from '#shared/adapters/http-client.ts';
import { assignmentIdFor } from '#shared/core/ids.ts';
import { bundledPolicies } from '#templates/policies.ts';
import { runCli } from '../../bin/attest.ts';
import type { ReceivedCompletion } from '../../local/lms-receiver.ts';
import type { StoredStatement } from '../../local/lrs.ts';
import { LOCAL_PSEUDONYM_KEY } from '../../local/settings.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack.ts';

export const stack = () => inject('stack');

const FIXTURES = new URL('../../../shared/fixtures/starters/', import.meta.url);

export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as T;
}

/** A copy of a fixture event with a fresh event id, employee id and address, so tests never share state. */
export function uniqueStarter(name = 'created-full.json') {
  const event = fixture<{ type: string; id: string; data: Record<string, unknown> }>(name);
  const suffix = randomUUID().slice(0, 8);
  return {
    ...event,
    id: `${event.id}_${suffix}`,
    data: {
      ...event.data,
      employeeId: `${String(event.data.employeeId)}-${suffix}`,
      email: `starter.${suffix}@example.org`,
    },
  };
}

export function signedHeaders(
  body: string,
  secret = stack().env.HR_WEBHOOK_SECRET as string,
  at = new Date(),
) {
  const id = `msg_${randomUUID()}`;
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

export async function postStarter(event: unknown, headers?: Record<string, string>, api = stack().urls.api) {
  const body = JSON.stringify(event);
  return fetch(`${api}/v1/starters`, {
    method: 'POST',
    headers: headers ?? signedHeaders(body),
    body,
  });
}

/** Polls until `probe` returns a value, or fails after `timeoutMs` with `what` in the message. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface StoredEmail {
  messageId: string;
  /** The From as sent to SES (FromEmailAddress), and the Reply-To addresses. */
  from: string;
  replyTo: string[];
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: Array<{ name: string; value: string }>;
}

export async function emailsTo(address: string, mailbox = stack().urls.mailbox): Promise<StoredEmail[]> {
  const store = (await (await fetch(`${mailbox}/store`)).json()) as { emails: StoredEmail[] };
  return store.emails.filter((e) => e.destination.to.includes(address));
}

export function ackLink(email: StoredEmail): string {
  const match = /https?:\/\/[^\s"'<>]+\/ack\/[A-Za-z0-9._~%-]+/.exec(email.body.text ?? '');
  if (!match) throw new Error('no acknowledgement link in the email');
  return match[0];
}

/**
 * A fresh starter (uniqueStarter) posted to the local stack and invited to the bundled policy:
 * the event, their address, their assignment's id, the invite and its link.
 */
export async function invitedStarter() {
  const event = uniqueStarter();
  const email = event.data.email as string;
  const assignmentId = assignmentIdFor(event.data.employeeId as string, 'safe-internet-use');
  const posted = await postStarter(event);
  if (posted.status !== 202) throw new Error(`the starter was not taken: HTTP ${posted.status}`);
  const invite = await waitFor('the invite email', async () => (await emailsTo(email))[0]);
  return { event, email, assignmentId, invite, link: ackLink(invite) };
}

/** A stack's table (the test run's, or one a test started): an item, a partition, and the store on it. */
export function table(s: Pick<LocalStack, 'urls' | 'env'> = stack()) {
  const client = new DynamoDBClient({
    endpoint: s.urls.dynamodb,
    region: s.env.AWS_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const doc = DynamoDBDocumentClient.from(client);
  const TableName = s.env.TABLE_NAME as string;
  return {
    store: makeDynamoStore(TableName, client),
    get: async (pk: string, sk: string) =>
      (await doc.send(new GetCommand({ TableName, Key: { pk, sk } }))).Item,
    partition: async (pk: string) =>
      (
        await doc.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': pk },
          }),
        )
      ).Items ?? [],
  };
}

/** Runs the attest CLI against the local stack's table; answers its exit code and output. */
export function attest(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return attestOn(stack(), argv);
}

/** Runs the attest CLI against the table of `s`, a stack the test started itself. */
export async function attestOn(
  s: { urls: { dynamodb: string }; env: Record<string, string | undefined> },
  argv: string[],
): Promise<{ code: number; out: string; err: string }> {
  const client = new DynamoDBClient({
    endpoint: s.urls.dynamodb,
    region: s.env.AWS_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const out: string[] = [];
  const err: string[] = [];
  try {
    const code = await runCli(argv, {
      store: makeDynamoStore(s.env.TABLE_NAME as string, client),
      io: { out: (t) => out.push(t), err: (t) => err.push(t) },
      pseudonymKey: async () => LOCAL_PSEUDONYM_KEY,
      // The destinations as the stack's lms-push reaches them: its settings and secrets.
      lms: {
        http: makeHttpClient(),
        timeoutMs: 2000,
        channel: (kind) => channelFromEnv(kind, s.env, { policies: bundledPolicies }),
      },
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    client.destroy();
  }
}

/** The value of the form's hidden page stamp, as a browser would send it back. */
export function shownStamp(html: string): string {
  const match = /<input type="hidden" name="shown" value="([^"]+)">/.exec(html);
  if (!match) throw new Error('no page stamp in the form');
  return match[1] as string;
}

/**
 * A local stack of the test file's own, on free ports and in memory, for tests that change what
 * others would see (policy versions, chase settings, the LMS's answers).
 */
export function startPrivateStack(
  env: Record<string, string>,
  options: Pick<LocalStackOptions, 'queueFunctionsOnThisThread'> = {},
): Promise<LocalStack> {
  return startLocalStack({
    ports: { api: 0, ses: 0, dynamodb: 0, sqs: 0, lms: 0, oidc: 0 },
    dataDir: undefined,
    env: { LOG_LEVEL: 'SILENT', ...env },
    ...options,
  });
}

/** An LMS that is retried quickly: three retries a second apart, a one-second timeout, a sweep a second. */
export const QUICK_LMS = {
  LMS_RETRY_SCHEDULE: 'PT1S,PT1S,PT1S',
  LMS_TIMEOUT: 'PT1S',
  SWEEP_INTERVAL: 'PT1S',
} as const;

/**
 * A private stack for the whole test file: started before its tests, stopped after them, and handed
 * to `use` once started (the file keeps it in its own variable).
 */
export function usePrivateStack(env: Record<string, string>, use: (stack: LocalStack) => void): void {
  let started: LocalStack | undefined;
  beforeAll(async () => {
    started = await startPrivateStack(env);
    use(started);
  });
  afterAll(async () => {
    await started?.stop();
  });
}

/** Posts a starter event to a private stack, signed with its HR secret. */
export function postStarterTo(s: Pick<LocalStack, 'urls' | 'env'>, event: unknown): Promise<Response> {
  return postStarter(event, signedHeaders(JSON.stringify(event), s.env.HR_WEBHOOK_SECRET), s.urls.api);
}

/**
 * Makes a stack's demo receiver answer `status` to deliveries (to both destinations, or `only`
 * one) until called with no status.
 */
export function outageOn(s: Pick<LocalStack, 'urls'>, status?: number, only?: 'webhook' | 'xapi' | 'moodle') {
  const query = status ? `?status=${status}${only ? `&only=${only}` : ''}` : '';
  return fetch(`${s.urls.lms}/outage${query}`, { method: status ? 'PUT' : 'DELETE' });
}

/** What a stack's demo receiver holds: the webhooks it verified and the statements its LRS stored. */
export async function receiverOf(
  s: Pick<LocalStack, 'urls'>,
): Promise<{ received: ReceivedCompletion[]; statements: StoredStatement[] }> {
  return (await (await fetch(`${s.urls.lms}/received`)).json()) as {
    received: ReceivedCompletion[];
    statements: StoredStatement[];
  };
}

/** The webhooks the test run's own stack's demo receiver verified. */
export async function received(): Promise<ReceivedCompletion[]> {
  return (await receiverOf(stack())).received;
}

/** A new starter on a private stack, invited; answers the event, the invite and the assignment id. */
export async function invitedOn(s: Pick<LocalStack, 'urls' | 'env'>) {
  const event = uniqueStarter();
  await postStarterTo(s, event);
  const email = event.data.email as string;
  const invite = await waitFor('the invite', async () => (await emailsTo(email, s.urls.mailbox))[0]);
  return { event, invite, id: assignmentIdFor(event.data.employeeId as string, 'safe-internet-use') };
}

/** A new starter on a private stack who signs from the invite; answers the assignment and employee ids. */
export async function signsOn(s: Pick<LocalStack, 'urls' | 'env'>) {
  const { event, invite, id } = await invitedOn(s);
  await fetch(ackLink(invite), {
    method: 'POST',
    body: new URLSearchParams({ fullName: 'Ada', agree: 'yes' }),
  });
  return { id, employeeId: event.data.employeeId as string };
}

/** `attest evidence <id>` on a stack, parsed; a failure throws with what the CLI said. */
export async function evidenceOn<T = Record<string, unknown>>(
  s: { urls: { dynamodb: string }; env: Record<string, string | undefined> },
  id: string,
): Promise<T> {
  const { code, out, err } = await attestOn(s, ['evidence', id]);
  if (code !== 0) throw new Error(`attest evidence failed: ${err}`);
  return JSON.parse(out) as T;
}

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * Runs `command` in sh from the project directory, as a user's terminal would, with only the
 * user's basics from this environment (the test run's own stack has set its settings in
 * process.env) and the local stack's DynamoDB port; `input`, when given, is what is typed.
 */
export function shell(command: string, vars: Record<string, string> = {}, input?: string) {
  const basics = ['PATH', 'HOME', 'USER', 'LANG', 'TMPDIR', 'npm_config_cache'];
  const env = Object.fromEntries(basics.filter((n) => process.env[n]).map((n) => [n, process.env[n]]));
  const child = spawn('sh', ['-c', command], {
    cwd: ROOT,
    env: {
      ...env,
      DYNAMODB_LOCAL_PORT: new URL(stack().urls.dynamodb).port,
      SQS_LOCAL_PORT: new URL(stack().urls.sqs).port,
      LMS_RECEIVER_PORT: new URL(stack().urls.lms).port,
      ...vars,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(input ?? '');
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
  });
  child.stderr.on('data', (chunk) => {
    err += chunk;
  });
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, out, err })),
  );
}

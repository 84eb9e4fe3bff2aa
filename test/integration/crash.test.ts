// A real crash: `npm start` killed with SIGKILL mid-burst and started again on the same data — nothing lost, a second email only where SES's report of the first was lost with it, and evidence that names the email whose link was used.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { assignmentIdFor } from '#shared/core/ids.ts';
import type { Assignment } from '#shared/core/model.ts';
import { LOCAL_SECRETS, TABLE_NAME } from '../../local/settings.ts';
import {
  ackLink,
  postStarter,
  type StoredEmail,
  signedHeaders,
  uniqueStarter,
  waitFor,
} from '../support/local.ts';
import { freePorts, npmStart } from '../support/npm-start.ts';

const STARTERS = 40;

const [api0, ses0, dynamodb0, sqs0, lms0, oidc0] = await freePorts(6);
const ports = {
  PORT: String(api0),
  SES_LOCAL_PORT: String(ses0),
  DYNAMODB_LOCAL_PORT: String(dynamodb0),
  SQS_LOCAL_PORT: String(sqs0),
  LMS_RECEIVER_PORT: String(lms0),
  OIDC_LOCAL_PORT: String(oidc0),
};
const api = `http://127.0.0.1:${ports.PORT}`;
const mailbox = `http://127.0.0.1:${ports.SES_LOCAL_PORT}`;
const dataDir = mkdtempSync(join(tmpdir(), 'attest-crash-'));

/**
 * `npm start` on the test's data: short leases, so interrupted attempts come due within the test,
 * and a grace long enough for a restart to report what SES took before the kill.
 */
const start = () =>
  npmStart(
    {
      ...ports,
      LEASE: 'PT3S',
      MAYBE_SENT_GRACE: 'PT30S',
      REDRIVE_AFTER: 'PT2S',
      SWEEP_INTERVAL: 'PT1S',
      SEND_WINDOW: 'always',
      LOG_LEVEL: 'SILENT',
    },
    ['--data-dir', dataDir],
  ).child;

let running: ChildProcess | undefined;
/** SIGKILL to every process of the group: npm, its shell, tsx and the stack — nothing gets to clean up. */
function kill(child: ChildProcess | undefined) {
  if (child?.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
}

async function healthy(): Promise<void> {
  await waitFor(
    'npm start to be healthy',
    async () => ((await fetch(`${api}/healthz`).catch(() => undefined))?.ok ? true : undefined),
    60_000,
  );
}

async function mail(): Promise<StoredEmail[]> {
  return ((await (await fetch(`${mailbox}/store`)).json()) as { emails: StoredEmail[] }).emails;
}

const header = (email: StoredEmail, name: string) =>
  email.headers?.find((h) => h.name.toLowerCase() === name)?.value;

afterAll(() => {
  kill(running);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a crash of npm start mid-burst', () => {
  it('loses nothing, sends no invite twice, and names the email in the evidence', async () => {
    // Prepare: a burst of starters, killed while their invites are going out.
    running = start();
    await healthy();
    const events = Array.from({ length: STARTERS }, () => uniqueStarter());
    const ids = events.map((e) => assignmentIdFor(e.data.employeeId as string, 'safe-internet-use'));
    await Promise.all(
      events.map((event) =>
        postStarter(event, signedHeaders(JSON.stringify(event), LOCAL_SECRETS.HR_WEBHOOK_SECRET), api),
      ),
    );
    const before = await waitFor('some invites to go out', async () => {
      const sent = await mail();
      return sent.length >= STARTERS / 4 ? sent : undefined;
    });
    kill(running);
    await once(running, 'exit');

    // Act: start again on the same data, and wait for every invite to be recorded.
    running = start();
    await healthy();
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${ports.DYNAMODB_LOCAL_PORT}`,
      region: 'eu-west-2',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const doc = DynamoDBDocumentClient.from(client);
    const get = async (pk: string, sk: string) =>
      (await doc.send(new GetCommand({ TableName: TABLE_NAME, Key: { pk, sk }, ConsistentRead: true }))).Item;
    const assignments = await waitFor(
      'every invite to be recorded',
      async () => {
        const all = (await Promise.all(ids.map((id) => get(`ASSIGN#${id}`, 'ASSIGNMENT')))) as Assignment[];
        return all.every((a) => a?.sends.some((s) => s.kind === 'invite')) ? all : undefined;
      },
      60_000,
    );
    // The mailbox outlives the crash (as SES does): every email SES ever accepted, both runs.
    const sent = await mail();

    // Assess: nothing lost — each starter's invite recorded once — and nobody emailed twice: each
    // email SES took before the kill was reported after the restart, and recorded, not re-sent.
    for (const a of assignments) expect(a.sends.filter((s) => s.kind === 'invite')).toHaveLength(1);
    const invites = (id: string) =>
      sent.filter((e) => header(e, 'x-attest-assignment') === id && header(e, 'x-attest-kind') === 'invite');
    expect(ids.filter((id) => invites(id).length !== 1)).toEqual([]);
    for (const a of assignments) expect(a.sends[0]?.messageId).toBe(invites(a.assignmentId)[0]?.messageId);
    // Signing from a first-run email: the evidence names its attempt (the link's token) and its email.
    for (const email of before.slice(0, 10)) {
      const id = header(email, 'x-attest-assignment') as string;
      const page = await fetch(ackLink(email).replace(/^http:\/\/[^/]+/, api), {
        method: 'POST',
        body: new URLSearchParams({ fullName: 'Ada Lovelace', agree: 'yes' }),
      });
      expect(page.status).toBe(200);
      const ack = ((await get(`ASSIGN#${id}`, 'ASSIGNMENT')) as Assignment).ack;
      expect(ack).toMatchObject({ tokenId: header(email, 'x-attest-attempt'), messageId: email.messageId });
    }
    client.destroy();
    console.info(
      `crash: ${before.length} invites seen before the kill, ${sent.length} emails in all for ${STARTERS} starters`,
    );
  }, 180_000);
});

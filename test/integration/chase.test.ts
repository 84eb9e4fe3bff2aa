// Chasing on a stack of its own with short settings: reminders, the manager's digest, and everything that stops them.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDynamoStore } from '#shared/adapters/dynamo/store.ts';
import { makeSqsQueue } from '#shared/adapters/sqs-queue.ts';
import { assignmentIdFor, starterIdFor } from '#shared/core/ids.ts';
import { makeSweepDue } from '#shared/core/sweep.ts';
import { LOCAL_CREDENTIALS } from '../../local/emulators.ts';
import { SIMULATOR } from '../../local/ses-simulator.ts';
import { LOCAL_REGION, TABLE_NAME } from '../../local/settings.ts';
import type { LocalStack } from '../../local/stack.ts';
import {
  ackLink,
  emailsTo,
  postStarter,
  postStarterTo,
  type StoredEmail,
  signedHeaders,
  startPrivateStack,
  uniqueStarter,
  waitFor,
} from '../support/local.ts';

// Reminders 3 s and 6 s after the invite, the manager told at 9 s, no send window; a sender with a
// display name outside ASCII, and a Reply-To.
const SETTINGS = {
  LOG_LEVEL: 'SILENT',
  MAIL_FROM: '"Wirral Children’s Services onboarding" <onboarding@attest.example>',
  REPLY_TO: 'HR team <hr@attest.example>',
  REMINDER_OFFSETS: 'PT3S,PT6S',
  ESCALATION_OFFSET: 'PT9S',
  SEND_WINDOW: 'always',
  SWEEP_INTERVAL: 'PT1S',
  DIGEST_DELAY: 'PT2S',
  REDRIVE_AFTER: 'PT5S',
};

let stack: LocalStack;
let ddb: DynamoDBClient;

beforeAll(async () => {
  stack = await startPrivateStack(SETTINGS);
  ddb = new DynamoDBClient({
    endpoint: stack.urls.dynamodb,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
});

afterAll(async () => {
  ddb?.destroy();
  await stack?.stop();
});

const store = () => makeDynamoStore(TABLE_NAME, ddb);
const mailbox = (address: string) => emailsTo(address, stack.urls.mailbox);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A time zone whose clock reads about noon now. A manager's digest gathers the escalations of one
 * local day, so a test run near the starter's midnight would see the day turn between two
 * escalations; at noon no day turns during the test, whatever the date or the machine's zone.
 */
function zoneAtNoon(now = new Date()): string {
  const offset = 12 - now.getUTCHours(); // -11..12 hours from UTC
  // The Etc zones' signs are POSIX's, the reverse of ISO's: Etc/GMT-5 is five hours ahead of UTC.
  return offset === 0 ? 'Etc/UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

async function start(overrides: { email?: string; manager?: { name: string; email: string } } = {}) {
  const event = uniqueStarter();
  const data = {
    ...event.data,
    timeZone: zoneAtNoon(),
    ...(overrides.email && { email: overrides.email }),
    ...(overrides.manager && { manager: overrides.manager }),
  };
  const response = await postStarterTo(stack, { ...event, data });
  expect(response.status).toBe(202);
  const employeeId = data.employeeId as string;
  return {
    email: data.email as string,
    employeeId,
    assignmentId: assignmentIdFor(employeeId, 'safe-internet-use'),
    event: { ...event, data },
  };
}

const subjects = (emails: StoredEmail[]) => emails.map((e) => e.subject.split(':')[0]);

/**
 * The assignment once the mailer has recorded the invite it sent: it records the send after SES
 * answered, and the local SES keeps the email in its mailbox before answering, so a test that saw
 * the email can still read the assignment a moment before.
 */
async function sendRecorded(assignmentId: string) {
  return waitFor('the send recorded', async () => {
    const a = await store().getAssignment(assignmentId);
    return a && a.status !== 'pending' ? a : undefined;
  });
}

describe('chasing a starter who does not sign', () => {
  it('sends the invite, two reminders on time, then one digest to the manager, and stops', async () => {
    // Prepare
    const manager = { name: 'Grace Hopper', email: `grace.${Date.now()}@example.org` };
    const started = Date.now();

    // Act
    const ada = await start({ manager });

    // Assess: the invite, the reminder, the last reminder, in order and on time
    const arrived: Array<[string, number]> = [];
    const emails = await waitFor(
      'two reminders',
      async () => {
        const found = await mailbox(ada.email);
        for (const e of found) {
          if (!arrived.some(([s]) => s === e.subject)) arrived.push([e.subject, Date.now() - started]);
        }
        return found.length >= 3 ? found : undefined;
      },
      30_000,
    );
    expect(subjects(emails)).toEqual(['Please read and sign', 'Reminder', 'Last reminder']);
    expect(emails[1]?.body.text).toMatch(/You have 1 day left|It is due today|days? left/);
    expect(emails[2]?.body.text).toContain('we will let your manager know');
    // Each reminder comes with a fresh link of its own.
    expect(new Set(emails.map((e) => ackLink(e))).size).toBe(3);
    const [, first, last] = arrived.map(([, ms]) => ms);
    expect(first).toBeGreaterThanOrEqual(2_500);
    expect(last).toBeGreaterThanOrEqual(5_500);

    // Assess: the manager hears once, by digest; the assignment is overdue and owes nothing
    const digest = await waitFor(
      'the manager’s digest',
      async () => (await mailbox(manager.email))[0],
      30_000,
    );
    expect(digest.subject).toBe('Not yet signed: 1 of your new starters');
    expect(digest.body.text).toContain(ada.email);
    await sleep(4_000);
    expect(await mailbox(ada.email)).toHaveLength(3);
    expect(await mailbox(manager.email)).toHaveLength(1);
    const assignment = await store().getAssignment(ada.assignmentId);
    expect(assignment).toMatchObject({ status: 'overdue', chase: { remindersSent: 2 } });
    expect(assignment?.dueKind).toBeUndefined();
  });

  it('gathers a manager’s starters who run out on the same day into one digest', async () => {
    // Prepare
    const manager = { name: 'Katherine Johnson', email: `katherine.${Date.now()}@example.org` };

    // Act
    const [one, two] = await Promise.all([start({ manager }), start({ manager })]);

    // Assess
    const digest = await waitFor('the digest', async () => (await mailbox(manager.email))[0], 30_000);
    expect(digest.subject).toBe('Not yet signed: 2 of your new starters');
    expect(digest.body.text).toContain(one.email);
    expect(digest.body.text).toContain(two.email);
    await sleep(3_000);
    expect(await mailbox(manager.email)).toHaveLength(1);
  });
});

describe('who the emails come from', () => {
  it('sends from MAIL_FROM’s display name (RFC 2047-encoded) and address, with REPLY_TO as Reply-To', async () => {
    // Prepare
    const ada = await start();

    // Act
    const invite = await waitFor('the invite', async () => (await mailbox(ada.email))[0]);

    // Assess
    const name = Buffer.from('Wirral Children’s Services onboarding').toString('base64');
    expect(invite.from).toBe(`=?UTF-8?B?${name}?= <onboarding@attest.example>`);
    expect(invite.replyTo).toEqual(['HR team <hr@attest.example>']);
  });
});

describe('what stops the chase', () => {
  it('signing: no reminder after the agreement, only the receipt', async () => {
    // Prepare
    const ada = await start();
    const invite = await waitFor('the invite', async () => (await mailbox(ada.email))[0]);

    // Act
    await fetch(ackLink(invite), {
      method: 'POST',
      body: new URLSearchParams({ fullName: 'Ada', agree: 'yes' }),
    });

    // Assess
    await sleep(10_000);
    expect(subjects(await mailbox(ada.email))).toEqual(['Please read and sign', 'Receipt']);
  });

  it('cancelling: starter.cancelled stops every step at once, and HR bringing them back starts afresh', async () => {
    // Prepare
    const ada = await start();
    await waitFor('the invite', async () => (await mailbox(ada.email))[0]);
    const cancel = {
      type: 'starter.cancelled',
      id: `${ada.event.id}_cancel`,
      data: { employeeId: ada.employeeId },
    };
    const body = JSON.stringify(cancel);

    // Act
    const response = await postStarter(
      cancel,
      signedHeaders(body, stack.env.HR_WEBHOOK_SECRET),
      stack.urls.api,
    );

    // Assess
    expect(response.status).toBe(202);
    await sleep(10_000);
    expect(subjects(await mailbox(ada.email))).toEqual(['Please read and sign']);
    expect((await store().getAssignment(ada.assignmentId))?.status).toBe('cancelled');

    // Act: HR brings her back (the offer reinstated)
    const back = { ...ada.event, id: `${ada.event.id}_back` };
    const backBody = JSON.stringify(back);
    const again = await postStarter(
      back,
      signedHeaders(backBody, stack.env.HR_WEBHOOK_SECRET),
      stack.urls.api,
    );

    // Assess: asked again, with a fresh invite and a fresh chase
    expect(again.status).toBe(202);
    expect(((await again.json()) as { assignments: Array<{ status: string }> }).assignments).toEqual([
      expect.objectContaining({ status: 'pending' }),
    ]);
    await waitFor('the second invite', async () =>
      (await mailbox(ada.email)).length === 2 ? true : undefined,
    );
    expect(subjects(await mailbox(ada.email))).toEqual(['Please read and sign', 'Please read and sign']);
    expect(await sendRecorded(ada.assignmentId)).toMatchObject({
      status: 'invited',
      chase: { remindersSent: 0 },
    });
  });

  it('a bounce: the address is not chased again and the manager is told', async () => {
    // Prepare: SES's simulator address bounces every message
    const manager = { name: 'Dorothy Vaughan', email: `dorothy.${Date.now()}@example.org` };

    // Act
    const ada = await start({ email: SIMULATOR.bounce, manager });

    // Assess
    const notice = await waitFor('the bounce notice', async () => (await mailbox(manager.email))[0], 20_000);
    expect(notice.subject).toMatch(/^Could not reach /);
    expect(notice.body.text).toContain(SIMULATOR.bounce);
    const assignment = await store().getAssignment(ada.assignmentId);
    expect(assignment).toMatchObject({
      status: 'bounced',
      bounce: { reason: 'bounced', email: SIMULATOR.bounce },
    });
    await sleep(8_000);
    const sentToBounce = (await mailbox(SIMULATOR.bounce)).filter((e) =>
      e.headers?.some((h) => h.value === ada.assignmentId),
    );
    expect(subjects(sentToBounce)).toEqual(['Please read and sign']);
    expect(await mailbox(manager.email)).toHaveLength(1);
    expect((await store().getAuditTrail(ada.assignmentId)).map((e) => e.kind)).toContain('bounced');
  });

  it('a new address after a bounce: the next step goes to the new address', async () => {
    // Prepare
    const ada = await start({ email: SIMULATOR.complaint });
    await waitFor('the complaint recorded', async () => {
      const a = await store().getAssignment(ada.assignmentId);
      return a?.status === 'bounced' ? a : undefined;
    });
    const fresh = `ada.${Date.now()}@example.org`;
    const update = {
      type: 'starter.updated',
      id: `${ada.event.id}_update`,
      data: { ...ada.event.data, email: fresh },
    };

    // Act
    await postStarterTo(stack, update);

    // Assess
    const invite = await waitFor('the invite at the new address', async () => (await mailbox(fresh))[0]);
    expect(invite.subject).toMatch(/^Please read and sign/);
    expect((await sendRecorded(ada.assignmentId)).status).toBe('invited');
  });
});

describe('the sweeper', () => {
  it('re-drives owed work whose queue message was lost, and two sweepers at once dispatch it once', async () => {
    // Prepare: an invite owed in the table whose queue message never went (as if deleted)
    const employeeId = `LOST-${Date.now()}`;
    const s = store();
    const starter = {
      starterId: starterIdFor(employeeId),
      employeeId,
      givenName: 'Lost',
      familyName: 'Message',
      email: `lost.${Date.now()}@example.org`,
      startDate: '2026-12-01',
      locale: 'en-GB',
      timeZone: 'Europe/London',
      policies: ['safe-internet-use'],
      status: 'active' as const,
      updatedAt: new Date().toISOString(),
    };
    await s.putStarter(starter);
    const policy = await s.getLatestPolicyVersion('safe-internet-use');
    const assignmentId = assignmentIdFor(employeeId, 'safe-internet-use');
    await s.createAssignment({
      assignmentId,
      starterId: starter.starterId,
      policyId: 'safe-internet-use',
      policyVersion: policy?.version ?? 1,
      policySha256: policy?.sha256 ?? '',
      status: 'pending',
      createdAt: new Date().toISOString(),
      dueAt: new Date(Date.now() - 1000).toISOString(),
      dueKind: 'invite',
      sends: [],
    });
    const sqs = new SQSClient({
      endpoint: stack.urls.sqs,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const sweeper = () =>
      makeSweepDue({
        store: makeDynamoStore(TABLE_NAME, ddb),
        queues: { mail: makeSqsQueue(stack.queues.mail, sqs), lms: makeSqsQueue(stack.queues.lms, sqs) },
        clock: { now: () => new Date() },
        logger: { info() {}, warn() {} },
        intervalMs: 1000,
        redriveAfterMs: 60_000,
      });

    // Act: two more sweepers race the stack's own timer
    const results = await Promise.all([sweeper()(), sweeper()()]);

    // Assess: at most one of them dispatched it, and the invite arrives once
    expect(results.filter((r) => r.dispatched > 0).length).toBeLessThanOrEqual(1);
    await waitFor('the re-driven invite', async () => (await mailbox(starter.email))[0]);
    await sleep(2_000);
    expect(await mailbox(starter.email)).toHaveLength(1);
    sqs.destroy();
  });
});

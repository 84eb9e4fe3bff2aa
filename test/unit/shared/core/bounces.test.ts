// SES bounces and complaints: a permanent bounce or a complaint about a chase email stops the chase once and owes the manager a notice; everything else is left alone.
import { describe, expect, it } from 'vitest';
import { makeHandleSesEvent } from '#shared/core/bounces.ts';
import type { Assignment, Manager } from '#shared/core/model.ts';
import type { Logger } from '#shared/ports.ts';
import { anEvidence, aStarter, FakeClock, FakeQueue, seededStore } from '../../../support/fakes.ts';

const NOW = '2026-11-24T10:00:00.000Z';
const MESSAGE_ID = '0102019a1b2c3d4e-5f6a7b8c-9d0e-4f1a-8b2c-3d4e5f6a7b8c-000000';
const BOUNCED_AT = '2026-11-24T09:58:41.512Z';
const COMPLAINED_AT = '2026-11-24T09:59:12.004Z';
const MANAGER: Manager = { name: 'Grace Hopper', email: 'grace@example.org' };

/** An assignment whose invite went out, chase running. */
const INVITED: Partial<Assignment> = {
  status: 'invited',
  dueAt: '2026-11-27T10:00:00.000Z',
  dueKind: 'reminder',
  chase: { invitedAt: '2026-11-24T09:58:00.000Z', remindersSent: 0 },
  sends: [{ kind: 'invite', tokenId: 'AAAAAAAAAAA', messageId: MESSAGE_ID, at: '2026-11-24T09:58:00.000Z' }],
};

function recordingLogger() {
  const lines: Array<{ level: 'info' | 'warn'; message: string; extra?: Record<string, unknown> }> = [];
  const logger: Pick<Logger, 'info' | 'warn'> = {
    info: (message, extra) => lines.push({ level: 'info', message, extra }),
    warn: (message, extra) => lines.push({ level: 'warn', message, extra }),
  };
  return { logger, lines };
}

async function setup(options: { manager?: Manager; overrides?: Partial<Assignment> } = {}) {
  const seeded = await seededStore({ ...INVITED, ...options.overrides });
  if (options.manager) await seeded.store.putStarter(aStarter({ manager: options.manager }));
  seeded.store.writes.length = 0;
  const clock = new FakeClock(NOW);
  const mailQueue = new FakeQueue();
  const { logger, lines } = recordingLogger();
  const handleSesEvent = makeHandleSesEvent({ store: seeded.store, mailQueue, clock, logger });
  return { ...seeded, clock, mailQueue, lines, handleSesEvent };
}

/** The `mail` object of SES configuration-set event publishing for an email attest sent. */
function sesMail(assignmentId: string | undefined, kind: string | undefined, to = 'ada@example.org') {
  const tags: Record<string, string[]> = {
    'ses:configuration-set': ['attest'],
    'ses:source-ip': ['192.0.2.10'],
    'ses:from-domain': ['example.org'],
    'ses:caller-identity': ['attest-mail'],
    policy: ['safe-internet-use'],
  };
  if (assignmentId) tags.assignment = [assignmentId];
  if (kind) tags.kind = [kind];
  return {
    timestamp: '2026-11-24T09:58:00.000Z',
    source: 'Attest <attest@example.org>',
    sourceArn: 'arn:aws:ses:eu-west-2:123456789012:identity/example.org',
    sendingAccountId: '123456789012',
    messageId: MESSAGE_ID,
    destination: [to],
    headersTruncated: false,
    headers: [
      { name: 'From', value: 'Attest <attest@example.org>' },
      { name: 'To', value: to },
      { name: 'Subject', value: 'Please read and accept: Safe internet use' },
      { name: 'MIME-Version', value: '1.0' },
      { name: 'Content-Type', value: 'multipart/alternative; boundary="----=_Part_1"' },
    ],
    commonHeaders: {
      from: ['Attest <attest@example.org>'],
      to: [to],
      messageId: MESSAGE_ID,
      subject: 'Please read and accept: Safe internet use',
    },
    tags,
  };
}

function bounceEvent(
  assignmentId: string | undefined,
  kind: string | undefined = 'invite',
  bounceType: 'Permanent' | 'Transient' | 'Undetermined' = 'Permanent',
) {
  return {
    eventType: 'Bounce',
    bounce: {
      bounceType,
      bounceSubType: bounceType === 'Transient' ? 'MailboxFull' : 'General',
      bouncedRecipients: [
        {
          emailAddress: 'ada@example.org',
          action: 'failed',
          status: '5.1.1',
          diagnosticCode: 'smtp; 550 5.1.1 user unknown',
        },
      ],
      timestamp: BOUNCED_AT,
      feedbackId: '0102019a1b2c3d4f-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee-000000',
      reportingMTA: 'dsn; a1-23.smtp-out.eu-west-2.amazonses.com',
    },
    mail: sesMail(assignmentId, kind),
  };
}

function complaintEvent(assignmentId: string | undefined, kind: string | undefined = 'invite') {
  return {
    eventType: 'Complaint',
    complaint: {
      feedbackId: '0102019a1b2c3d50-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee-000000',
      complaintSubType: null,
      complainedRecipients: [{ emailAddress: 'ada@example.org' }],
      timestamp: COMPLAINED_AT,
      userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
      complaintFeedbackType: 'abuse',
      arrivalDate: '2026-11-24T09:59:10.000Z',
    },
    mail: sesMail(assignmentId, kind),
  };
}

function deliveryEvent(assignmentId: string) {
  return {
    eventType: 'Delivery',
    mail: sesMail(assignmentId, 'invite'),
    delivery: {
      timestamp: '2026-11-24T09:58:01.300Z',
      processingTimeMillis: 1300,
      recipients: ['ada@example.org'],
      smtpResponse: '250 2.6.0 Message received',
      reportingMTA: 'a1-23.smtp-out.eu-west-2.amazonses.com',
    },
  };
}

function sendEvent(assignmentId: string) {
  return { eventType: 'Send', mail: sesMail(assignmentId, 'invite'), send: {} };
}

/**
 * An identity notification (the identity's bounce topic, not a configuration set): no tags, only
 * the original headers (when "include original headers" is on), among them those the mailer set.
 */
function identityBounce(assignmentId: string, kind = 'invite') {
  const { tags: _tags, ...mail } = sesMail(assignmentId, kind);
  return {
    notificationType: 'Bounce',
    bounce: {
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [
        {
          emailAddress: 'ada@example.org',
          action: 'failed',
          status: '5.1.1',
          diagnosticCode: 'smtp; 550 5.1.1 user unknown',
        },
      ],
      timestamp: BOUNCED_AT,
      feedbackId: '0102019a1b2c3d4f-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee-000000',
      remoteMtaIp: '198.51.100.25',
      reportingMTA: 'dsn; a1-23.smtp-out.eu-west-2.amazonses.com',
    },
    mail: {
      ...mail,
      sourceIp: '192.0.2.10',
      callerIdentity: 'attest-mail',
      headers: [
        ...mail.headers,
        { name: 'X-Attest-Assignment', value: assignmentId },
        { name: 'X-Attest-Kind', value: kind },
      ],
    },
  };
}

describe('handleSesEvent: a permanent bounce of a chase email', () => {
  it('stops the chase of an invite and owes the manager a bounce notice', async () => {
    // Prepare
    const { store, assignment, mailQueue, handleSesEvent } = await setup({ manager: MANAGER });

    // Act
    const outcome = await handleSesEvent(bounceEvent(assignment.assignmentId, 'invite'));

    // Assess
    expect(outcome).toBe('stopped');
    const stored = store.peek(assignment.assignmentId);
    expect(stored?.status).toBe('bounced');
    expect(stored?.bounce).toEqual({ reason: 'bounced', email: 'ada@example.org', at: BOUNCED_AT });
    expect(stored?.dueKind).toBe('bounce-notice');
    expect(stored?.dueAt).toBe(NOW);
    expect(stored?.leaseUntil).toBeUndefined();
    expect(mailQueue.sent).toEqual([
      { message: { assignmentId: assignment.assignmentId, kind: 'bounce-notice' }, delaySeconds: undefined },
    ]);
  });

  it('stops the chase but owes and enqueues nothing when the starter has no manager', async () => {
    // Prepare
    const { store, assignment, mailQueue, clock, handleSesEvent } = await setup();

    // Act
    const outcome = await handleSesEvent(bounceEvent(assignment.assignmentId, 'invite'));

    // Assess
    expect(outcome).toBe('stopped');
    const stored = store.peek(assignment.assignmentId);
    expect(stored?.status).toBe('bounced');
    expect(stored?.bounce).toEqual({ reason: 'bounced', email: 'ada@example.org', at: BOUNCED_AT });
    expect(stored?.dueKind).toBeUndefined();
    expect(stored?.dueAt).toBeUndefined();
    expect(mailQueue.sent).toEqual([]);
    expect(await store.queryDue(new Date(clock.now().getTime() + 365 * 86400_000), 10)).toEqual([]);
  });

  it("stops the chase on a reminder's bounce too", async () => {
    // Prepare
    const { store, assignment, mailQueue, handleSesEvent } = await setup({
      manager: MANAGER,
      overrides: { chase: { invitedAt: '2026-11-20T10:00:00.000Z', remindersSent: 1 } },
    });

    // Act
    const outcome = await handleSesEvent(bounceEvent(assignment.assignmentId, 'reminder'));

    // Assess
    expect(outcome).toBe('stopped');
    expect(store.peek(assignment.assignmentId)).toMatchObject({
      status: 'bounced',
      bounce: { reason: 'bounced', email: 'ada@example.org', at: BOUNCED_AT },
      dueKind: 'bounce-notice',
      dueAt: NOW,
    });
    expect(mailQueue.sent.map((s) => s.message)).toEqual([
      { assignmentId: assignment.assignmentId, kind: 'bounce-notice' },
    ]);
  });

  it("records 'bounced' in the audit trail with the SES message id", async () => {
    // Prepare
    const { store, assignment, handleSesEvent } = await setup({ manager: MANAGER });

    // Act
    await handleSesEvent(bounceEvent(assignment.assignmentId));

    // Assess
    expect(await store.getAuditTrail(assignment.assignmentId)).toEqual([
      { kind: 'bounced', at: NOW, detail: { messageId: MESSAGE_ID } },
    ]);
  });

  it('uses the clock and the starter\u2019s address when SES gives no timestamp or recipient', async () => {
    // Prepare
    const { store, assignment, handleSesEvent } = await setup();
    const event = bounceEvent(assignment.assignmentId);
    const { timestamp: _t, bouncedRecipients: _r, ...bounce } = event.bounce;

    // Act
    const outcome = await handleSesEvent({ ...event, bounce });

    // Assess
    expect(outcome).toBe('stopped');
    expect(store.peek(assignment.assignmentId)?.bounce).toEqual({
      reason: 'bounced',
      email: 'ada@example.org',
      at: NOW,
    });
  });
});

describe('handleSesEvent: a complaint about a chase email', () => {
  it("stops the chase with reason 'complained' and owes the manager a notice", async () => {
    // Prepare
    const { store, assignment, mailQueue, handleSesEvent } = await setup({ manager: MANAGER });

    // Act
    const outcome = await handleSesEvent(complaintEvent(assignment.assignmentId));

    // Assess
    expect(outcome).toBe('stopped');
    expect(store.peek(assignment.assignmentId)).toMatchObject({
      status: 'bounced',
      bounce: { reason: 'complained', email: 'ada@example.org', at: COMPLAINED_AT },
      dueKind: 'bounce-notice',
      dueAt: NOW,
    });
    expect(mailQueue.sent.map((s) => s.message)).toEqual([
      { assignmentId: assignment.assignmentId, kind: 'bounce-notice' },
    ]);
    expect(await store.getAuditTrail(assignment.assignmentId)).toEqual([
      { kind: 'complained', at: NOW, detail: { messageId: MESSAGE_ID } },
    ]);
  });
});

describe('handleSesEvent: events left alone', () => {
  const cases: Array<[string, (id: string) => unknown]> = [
    ['a transient bounce', (id) => bounceEvent(id, 'invite', 'Transient')],
    ['an undetermined bounce', (id) => bounceEvent(id, 'invite', 'Undetermined')],
    ['a Delivery', (id) => deliveryEvent(id)],
    ['a Send', (id) => sendEvent(id)],
    ['a bounce of a digest', (id) => bounceEvent(id, 'digest')],
    ['a bounce of a receipt', (id) => bounceEvent(id, 'receipt')],
    ['a bounce of a bounce notice', (id) => bounceEvent(id, 'bounce-notice')],
    ['a complaint about a digest', (id) => complaintEvent(id, 'digest')],
    [
      'a bounce with no kind tag',
      (id) => {
        const event = bounceEvent(id);
        delete event.mail.tags.kind;
        return event;
      },
    ],
    ['a bounce with no assignment tag', () => bounceEvent(undefined, 'invite')],
    ['a complaint with no assignment tag', () => complaintEvent(undefined, 'invite')],
  ];

  it.each(cases)('ignores %s and writes nothing', async (_name, event) => {
    // Prepare
    const { store, assignment, mailQueue, handleSesEvent } = await setup({ manager: MANAGER });

    // Act
    const outcome = await handleSesEvent(event(assignment.assignmentId));

    // Assess
    expect(outcome).toBe('ignored');
    expect(store.writes).toEqual([]);
    expect(store.peek(assignment.assignmentId)).toEqual({ ...assignment });
    expect(mailQueue.sent).toEqual([]);
  });

  it('ignores a late bounce about an address HR has since replaced, so the new chase goes on', async () => {
    // Prepare: the starter's address is now ada.new@example.org; the event is about the old one
    const { store, starter, assignment, mailQueue, handleSesEvent } = await setup({ manager: MANAGER });
    await store.putStarter({ ...starter, manager: MANAGER, email: 'ada.new@example.org' });
    store.writes.length = 0;

    // Act
    const outcome = await handleSesEvent(bounceEvent(assignment.assignmentId, 'invite'));

    // Assess
    expect(outcome).toBe('ignored');
    expect(store.writes).toEqual([]);
    expect(store.peek(assignment.assignmentId)?.status).toBe('invited');
    expect(mailQueue.sent).toEqual([]);
  });

  it('ignores a bounce for an assignment it does not know, with a warning', async () => {
    // Prepare
    const { store, mailQueue, lines, handleSesEvent } = await setup({ manager: MANAGER });

    // Act
    const outcome = await handleSesEvent(bounceEvent('no-such-assignment'));

    // Assess
    expect(outcome).toBe('ignored');
    expect(store.writes).toEqual([]);
    expect(mailQueue.sent).toEqual([]);
    expect(lines.some((l) => l.level === 'warn')).toBe(true);
  });
});

describe('handleSesEvent: an assignment already settled', () => {
  const settled: Array<[string, Partial<Assignment>]> = [
    [
      'acknowledged',
      {
        status: 'acknowledged',
        ack: anEvidence(),
        dueKind: 'receipt',
        dueAt: '2026-11-24T09:59:00.000Z',
        webhookDueAt: '2026-11-24T09:59:00.000Z',
        webhook: { state: 'pending', webhookId: 'wh_1', attempts: 0 },
      },
    ],
    ['cancelled', { status: 'cancelled', dueKind: undefined, dueAt: undefined }],
    [
      'bounced',
      {
        status: 'bounced',
        bounce: { reason: 'complained', email: 'ada@example.org', at: '2026-11-23T08:00:00.000Z' },
        dueKind: undefined,
        dueAt: undefined,
      },
    ],
  ];

  it.each(settled)("answers 'already' for one %s and changes nothing", async (_name, overrides) => {
    // Prepare
    const { store, assignment, mailQueue, handleSesEvent } = await setup({ manager: MANAGER, overrides });
    const before = store.peek(assignment.assignmentId);

    // Act
    const bounced = await handleSesEvent(bounceEvent(assignment.assignmentId));
    const complained = await handleSesEvent(complaintEvent(assignment.assignmentId));

    // Assess
    expect([bounced, complained]).toEqual(['already', 'already']);
    expect(store.peek(assignment.assignmentId)).toEqual(before);
    expect(store.audit).toEqual([]);
    expect(mailQueue.sent).toEqual([]);
  });

  it("answers 'already' to the same event delivered twice, and stops the chase once", async () => {
    // Prepare
    const { store, assignment, mailQueue, clock, handleSesEvent } = await setup({ manager: MANAGER });
    const event = bounceEvent(assignment.assignmentId);

    // Act
    const first = await handleSesEvent(event);
    const afterFirst = store.peek(assignment.assignmentId);
    clock.advance(60_000);
    const second = await handleSesEvent(structuredClone(event));

    // Assess
    expect([first, second]).toEqual(['stopped', 'already']);
    expect(store.peek(assignment.assignmentId)).toEqual(afterFirst);
    expect(await store.getAuditTrail(assignment.assignmentId)).toHaveLength(1);
    expect(mailQueue.sent).toHaveLength(1);
  });

  it("answers 'already' to a complaint after the bounce of the same email", async () => {
    // Prepare
    const { store, assignment, mailQueue, handleSesEvent } = await setup({ manager: MANAGER });

    // Act
    const first = await handleSesEvent(bounceEvent(assignment.assignmentId));
    const second = await handleSesEvent(complaintEvent(assignment.assignmentId));

    // Assess
    expect([first, second]).toEqual(['stopped', 'already']);
    expect(store.peek(assignment.assignmentId)?.bounce?.reason).toBe('bounced');
    expect(mailQueue.sent).toHaveLength(1);
  });
});

describe('handleSesEvent: identity notifications', () => {
  it('finds the assignment and kind in the X-Attest-* headers when there are no tags', async () => {
    // Prepare
    const { store, assignment, mailQueue, handleSesEvent } = await setup({ manager: MANAGER });

    // Act
    const outcome = await handleSesEvent(identityBounce(assignment.assignmentId));

    // Assess
    expect(outcome).toBe('stopped');
    expect(store.peek(assignment.assignmentId)).toMatchObject({
      status: 'bounced',
      bounce: { reason: 'bounced', email: 'ada@example.org', at: BOUNCED_AT },
      dueKind: 'bounce-notice',
    });
    expect(mailQueue.sent.map((s) => s.message)).toEqual([
      { assignmentId: assignment.assignmentId, kind: 'bounce-notice' },
    ]);
  });

  it('reads the headers whatever their case', async () => {
    // Prepare
    const { store, assignment, handleSesEvent } = await setup();
    const event = identityBounce(assignment.assignmentId);
    event.mail.headers = event.mail.headers.map((h) => ({ ...h, name: h.name.toLowerCase() }));

    // Act
    const outcome = await handleSesEvent(event);

    // Assess
    expect(outcome).toBe('stopped');
    expect(store.peek(assignment.assignmentId)?.status).toBe('bounced');
  });

  it('ignores an identity notification about a digest', async () => {
    // Prepare
    const { store, assignment, handleSesEvent } = await setup({ manager: MANAGER });

    // Act
    const outcome = await handleSesEvent(identityBounce(assignment.assignmentId, 'digest'));

    // Assess
    expect(outcome).toBe('ignored');
    expect(store.writes).toEqual([]);
  });
});

describe('handleSesEvent: failures', () => {
  it('throws on an event with no mail, so SNS retries and then dead-letters it', async () => {
    // Prepare
    const { store, assignment, handleSesEvent } = await setup({ manager: MANAGER });
    const { mail: _mail, ...event } = bounceEvent(assignment.assignmentId);

    // Act
    const handling = handleSesEvent(event);

    // Assess
    await expect(handling).rejects.toThrow();
    expect(store.writes).toEqual([]);
  });

  it('throws on an event with neither eventType nor notificationType', async () => {
    // Prepare
    const { store, assignment, handleSesEvent } = await setup({ manager: MANAGER });
    const { eventType: _type, ...event } = bounceEvent(assignment.assignmentId);

    // Act
    const handling = handleSesEvent(event);

    // Assess
    await expect(handling).rejects.toThrow(/neither eventType nor notificationType/);
    expect(store.writes).toEqual([]);
  });

  it("still answers 'stopped' when the notice cannot be enqueued: it stays owed for the sweeper", async () => {
    // Prepare
    const { store, assignment, mailQueue, clock, lines, handleSesEvent } = await setup({ manager: MANAGER });
    mailQueue.failWith = Object.assign(new Error('SQS is down'), { name: 'ServiceUnavailable' });

    // Act
    const outcome = await handleSesEvent(bounceEvent(assignment.assignmentId));

    // Assess
    expect(outcome).toBe('stopped');
    expect(mailQueue.sent).toEqual([]);
    expect(await store.queryDue(clock.now(), 10)).toEqual([
      { assignmentId: assignment.assignmentId, dueAt: NOW, dueKind: 'bounce-notice' },
    ]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        extra: { assignmentId: assignment.assignmentId, error: 'ServiceUnavailable' },
      }),
    );
  });
});

describe('handleSesEvent: which email an attempt became', () => {
  /** An event of an email sent under an attempt: SES echoes the `attempt` tag the mailer set. */
  const withAttempt = <E extends { mail: { tags: Record<string, string[]> } }>(event: E, attempt: string) => {
    event.mail.tags.attempt = [attempt];
    return event;
  };

  it.each([
    ['a Send', (id: string) => withAttempt(sendEvent(id), 'Tq-3Jm0aWkE')],
    ['a Delivery', (id: string) => withAttempt(deliveryEvent(id), 'Tq-3Jm0aWkE')],
    ['a permanent bounce', (id: string) => withAttempt(bounceEvent(id, 'invite'), 'Tq-3Jm0aWkE')],
  ])('notes the message id of the attempt from %s', async (_name, event) => {
    // Prepare
    const { store, assignment, handleSesEvent } = await setup();

    // Act
    await handleSesEvent(event(assignment.assignmentId));

    // Assess
    expect(await store.getSentAttempt(assignment.assignmentId, 'Tq-3Jm0aWkE')).toBe(MESSAGE_ID);
  });

  it('keeps the first message id noted for an attempt', async () => {
    // Prepare
    const { store, assignment, handleSesEvent, clock } = await setup();
    await store.recordSentAttempt(assignment.assignmentId, 'Tq-3Jm0aWkE', 'first', clock.now());

    // Act
    await handleSesEvent(withAttempt(sendEvent(assignment.assignmentId), 'Tq-3Jm0aWkE'));

    // Assess
    expect(await store.getSentAttempt(assignment.assignmentId, 'Tq-3Jm0aWkE')).toBe('first');
  });

  it('notes nothing for an attempt tag that is not an attempt id', async () => {
    // Prepare
    const { store, assignment, handleSesEvent } = await setup();

    // Act
    await handleSesEvent(withAttempt(sendEvent(assignment.assignmentId), 'EVT#2026/x'));

    // Assess
    expect(store.writes).toEqual([]);
  });
});

// Sending an owed email exactly once: the invite with a fresh link that verifies and carries no personal data, and the receipt.
import { describe, expect, it, vi } from 'vitest';
import {
  type BounceNoticeContent,
  type DigestContent,
  type InviteContent,
  makeSendEmail,
  type ReceiptContent,
} from '#shared/core/mail.ts';
import type { Assignment } from '#shared/core/model.ts';
import { parseSendWindow } from '#shared/core/schedule.ts';
import { parseTokenKeys, verifyToken } from '#shared/core/tokens.ts';
import { FakeClock, FakeMailer, seededStore, silentLogger } from '../../../support/fakes.ts';

const tokenKeys = parseTokenKeys('k1:unit-test-token-key-unit-test-token-key');
const BASE_URL = 'https://attest.example.org';
const TTL_MS = 30 * 86400_000;
const LEASE_MS = 120_000;
const DAY = 86_400_000;
const DIGEST_DELAY_MS = 15 * 60_000;
/** The default chase: reminders 3, 7 and 10 days after the invite, the manager told after 14, weekdays 09:00-17:30. */
const PLAN = {
  reminderOffsetsMs: [3 * DAY, 7 * DAY, 10 * DAY],
  escalationOffsetMs: 14 * DAY,
  window: parseSendWindow('Mon-Fri 09:00-17:30'),
};

async function setup(overrides: Partial<Assignment> = {}) {
  const seeded = await seededStore(overrides);
  const mailer = new FakeMailer();
  const clock = new FakeClock('2026-11-24T10:00:00.000Z');
  const rendered: InviteContent[] = [];
  const receipts: ReceiptContent[] = [];
  const digests: DigestContent[] = [];
  const notices: BounceNoticeContent[] = [];
  const sendInvite = makeSendEmail({
    store: seeded.store,
    mailer,
    clock,
    logger: silentLogger,
    tokenKeys,
    renderInvite: (content) => {
      rendered.push(content);
      return {
        subject: `Please read ${content.policyTitle}`,
        html: `<a href="${content.ackUrl}">`,
        text: content.ackUrl,
      };
    },
    renderReceipt: (content) => {
      receipts.push(content);
      return { subject: `Receipt: ${content.policyTitle}`, html: '<p>receipt</p>', text: content.evidenceId };
    },
    renderDigest: (content) => {
      digests.push(content);
      return { subject: `Digest for ${content.managerName}`, html: '<p>digest</p>', text: 'digest' };
    },
    renderBounceNotice: (content) => {
      notices.push(content);
      return { subject: `Could not reach ${content.starterName}`, html: '<p>notice</p>', text: 'notice' };
    },
    planFor: () => PLAN,
    digestDelayMs: DIGEST_DELAY_MS,
    publicBaseUrl: BASE_URL,
    organisationName: 'Wirral Council',
    tokenTtlMs: TTL_MS,
    leaseMs: LEASE_MS,
  });
  const message = { assignmentId: seeded.assignment.assignmentId, kind: 'invite' as const };
  return { ...seeded, mailer, clock, rendered, receipts, digests, notices, sendInvite, message };
}

describe('sendInvite', () => {
  it('sends the invite and records its message id and token id, owing the first reminder next', async () => {
    // Prepare
    const { store, mailer, sendInvite, message, assignment } = await setup();

    // Act
    const outcome = await sendInvite(message);

    // Assess
    expect(outcome).toBe('sent');
    expect(mailer.sent).toEqual([
      expect.objectContaining({
        to: 'ada@example.org',
        subject: 'Please read Safe internet use',
        tags: { kind: 'invite', policy: 'safe-internet-use', assignment: assignment.assignmentId },
        headers: { 'X-Attest-Assignment': assignment.assignmentId },
      }),
    ]);
    const stored = store.peek(assignment.assignmentId);
    expect(stored).toMatchObject({
      status: 'invited',
      sends: [
        { kind: 'invite', messageId: 'ses-1', tokenId: expect.any(String), at: '2026-11-24T10:00:00.000Z' },
      ],
      chase: { invitedAt: '2026-11-24T10:00:00.000Z', remindersSent: 0 },
      // Tuesday 10:00 UTC + 3 days: Friday 10:00 in London, inside the window.
      dueKind: 'reminder',
      dueAt: '2026-11-27T10:00:00.000Z',
    });
    expect(stored?.leaseUntil).toBeUndefined();
    expect(store.audit).toEqual([
      {
        assignmentId: assignment.assignmentId,
        kind: 'invited',
        at: '2026-11-24T10:00:00.000Z',
        detail: { messageId: 'ses-1', tokenId: stored?.sends[0]?.tokenId },
      },
    ]);
  });

  it('fills the invite with the policy, the expiry in the starter’s time zone and the start date', async () => {
    // Prepare
    const { rendered, sendInvite, message } = await setup();

    // Act
    await sendInvite(message);

    // Assess
    expect(rendered).toEqual([
      {
        organisationName: 'Wirral Council',
        givenName: 'Ada',
        policyTitle: 'Safe internet use',
        policyVersion: 3,
        keyPoints: ['Lock your screen', 'Report phishing'],
        ackUrl: expect.stringMatching(/^https:\/\/attest\.example\.org\/ack\//),
        expiresOn: '24 December 2026',
        startDate: '1 December 2026',
        reacknowledge: false,
      },
    ]);
  });

  it('links to a token that verifies for this assignment and names the recorded send', async () => {
    // Prepare
    const { store, rendered, sendInvite, message, assignment, clock } = await setup();

    // Act
    await sendInvite(message);

    // Assess
    const url = rendered[0]?.ackUrl as string;
    const token = url.slice(`${BASE_URL}/ack/`.length);
    const claims = verifyToken(tokenKeys, token, 'ack', clock.now());
    expect(claims).toEqual({
      assignmentId: assignment.assignmentId,
      purpose: 'ack',
      expiresAt: new Date(clock.now().getTime() + TTL_MS),
      tokenId: store.peek(assignment.assignmentId)?.sends[0]?.tokenId,
    });
  });

  it('puts no email address, name or employee id in the link', async () => {
    // Prepare
    const { rendered, sendInvite, message, starter } = await setup();

    // Act
    await sendInvite(message);

    // Assess
    const url = rendered[0]?.ackUrl as string;
    expect(url).toMatch(/^https:\/\/attest\.example\.org\/ack\/[a-z0-9]+\.[A-Za-z0-9_-]+$/);
    for (const personal of [starter.email, 'ada', 'Ada', 'Lovelace', starter.employeeId, '@', '?']) {
      expect(url).not.toContain(personal);
    }
  });

  it('mints a different token for each invite', async () => {
    // Prepare: a fresh link was asked for after the first invite
    const { store, rendered, sendInvite, message, clock, assignment } = await setup();
    await sendInvite(message);
    clock.advance(86400_000);
    await store.requestFreshLink(assignment.assignmentId, clock.now(), new Date(0));

    // Act
    await sendInvite(message);

    // Assess
    expect(rendered).toHaveLength(2);
    expect(rendered[0]?.ackUrl).not.toBe(rendered[1]?.ackUrl);
    const tokenIds = store.peek(assignment.assignmentId)?.sends.map((s) => s.tokenId);
    expect(new Set(tokenIds).size).toBe(2);
  });

  it('sends nothing for a duplicate message', async () => {
    // Prepare
    const { mailer, sendInvite, message } = await setup();
    await sendInvite(message);

    // Act
    const again = await sendInvite(message);

    // Assess
    expect(again).toBe('not-owed');
    expect(mailer.sent).toHaveLength(1);
  });

  it('sends once when two messages for the same invite arrive together', async () => {
    // Prepare
    const { mailer, sendInvite, message } = await setup();

    // Act
    const outcomes = await Promise.all([sendInvite(message), sendInvite(message), sendInvite(message)]);

    // Assess
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(1);
    expect(mailer.sent).toHaveLength(1);
  });

  it('sends nothing while another worker holds an unexpired lease, and sends once it lapses', async () => {
    // Prepare
    const { store, mailer, sendInvite, message, clock } = await setup({
      leaseUntil: '2026-11-24T10:01:00.000Z',
    });

    // Act
    const during = await sendInvite(message);
    clock.set('2026-11-24T10:01:00.001Z');
    const after = await sendInvite(message);

    // Assess
    expect([during, after]).toEqual(['busy', 'sent']);
    expect(mailer.sent).toHaveLength(1);
    expect(store.peek(message.assignmentId)?.status).toBe('invited');
  });

  it.each<[string, Partial<Assignment>]>([
    ['acknowledged', { status: 'acknowledged', dueKind: 'receipt', ack: { evidenceId: 'ev_1' } as never }],
    ['cancelled', { status: 'cancelled', dueKind: undefined, dueAt: undefined }],
    ['already invited', { status: 'invited', dueKind: undefined, dueAt: undefined }],
  ])('skips an assignment that is %s', async (_, overrides) => {
    // Prepare
    const { store, mailer, sendInvite, message } = await setup(overrides);

    // Act
    const outcome = await sendInvite(message);

    // Assess
    expect(outcome).toBe('not-owed');
    expect(mailer.sent).toEqual([]);
    expect(store.writes).toEqual([]);
  });

  it('gives the lease back and throws when SES fails, so a retry can send at once', async () => {
    // Prepare
    const { store, mailer, sendInvite, message } = await setup();
    mailer.failWith = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });

    // Act
    const attempt = sendInvite(message);

    // Assess
    await expect(attempt).rejects.toThrow('Rate exceeded');
    const stored = store.peek(message.assignmentId);
    expect(stored?.leaseUntil).toBeUndefined();
    expect(stored).toMatchObject({ dueKind: 'invite', status: 'pending', sends: [] });
    mailer.failWith = undefined;
    expect(await sendInvite(message)).toBe('sent');
  });

  it('keeps the lease when the table write fails after SES took the email, so a retry waits', async () => {
    // Prepare
    const { store, mailer, sendInvite, message, clock } = await setup();
    vi.spyOn(store, 'recordSend').mockRejectedValueOnce(new Error('ProvisionedThroughputExceeded'));

    // Act
    const attempt = sendInvite(message);

    // Assess
    await expect(attempt).rejects.toThrow('ProvisionedThroughputExceeded');
    expect(store.peek(message.assignmentId)?.leaseUntil).toBe(
      new Date(clock.now().getTime() + LEASE_MS).toISOString(),
    );
    expect(await sendInvite(message)).toBe('busy');
    expect(mailer.sent).toHaveLength(1);
  });

  it('gives the lease back and throws when the starter is missing', async () => {
    // Prepare
    const { store, mailer, sendInvite, message, starter } = await setup();
    store.starters.delete(starter.starterId);

    // Act
    const attempt = sendInvite(message);

    // Assess
    await expect(attempt).rejects.toThrow(/missing starter/);
    expect(mailer.sent).toEqual([]);
    expect(store.peek(message.assignmentId)?.leaseUntil).toBeUndefined();
  });
});

describe('sendEmail: the receipt', () => {
  const evidence = {
    evidenceId: 'ev_8d0c3a6e-0b7a-4f43-9a4b-6b0f7f1f2a10',
    acknowledgedAt: '2026-11-26T09:14:03.123Z',
    policyId: 'safe-internet-use',
    policyVersion: 3,
    policyTitle: 'Safe internet use',
    policySha256: 'a'.repeat(64),
    statement: 'I have read and will follow the Safe internet use policy.',
    typedName: 'Ada King Lovelace',
    ipAddress: '192.0.2.1',
    userAgent: 'Mozilla/5.0',
    tokenId: 'AAAAAAAAAAA',
    messageId: 'ses-0',
  };
  const acknowledged: Partial<Assignment> = {
    status: 'acknowledged',
    ack: evidence,
    dueKind: 'receipt',
    dueAt: '2026-11-26T09:15:03.123Z',
    lmsDueAt: '2026-11-26T09:15:03.123Z',
  };

  it('restates the evidence to the starter and records it, leaving the LMS delivery owed', async () => {
    // Prepare
    const { store, mailer, sendInvite, receipts, assignment } = await setup(acknowledged);
    const message = { assignmentId: assignment.assignmentId, kind: 'receipt' as const };

    // Act
    const outcome = await sendInvite(message);

    // Assess
    expect(outcome).toBe('sent');
    expect(receipts).toEqual([
      {
        organisationName: 'Wirral Council',
        givenName: 'Ada',
        typedName: 'Ada King Lovelace',
        policyTitle: 'Safe internet use',
        policyVersion: 3,
        effectiveDate: '1 January 2026',
        statement: evidence.statement,
        acknowledgedAt: '26 November 2026 at 09:14 (Europe/London)',
        acknowledgedAtUtc: '2026-11-26T09:14:03.123Z',
        evidenceId: evidence.evidenceId,
        policySha256: 'a'.repeat(64),
      },
    ]);
    expect(mailer.sent).toEqual([
      expect.objectContaining({
        to: 'ada@example.org',
        tags: { kind: 'receipt', policy: 'safe-internet-use', assignment: assignment.assignmentId },
      }),
    ]);
    const stored = store.peek(assignment.assignmentId);
    expect(stored).toMatchObject({
      status: 'acknowledged',
      sends: [{ kind: 'receipt', messageId: 'ses-1', at: '2026-11-24T10:00:00.000Z' }],
      lmsDueAt: '2026-11-26T09:15:03.123Z',
    });
    expect(stored?.dueKind).toBeUndefined();
    expect(stored?.dueAt).toBeUndefined();
    expect(store.audit).toEqual([
      expect.objectContaining({ kind: 'receipt-sent', detail: { messageId: 'ses-1' } }),
    ]);
  });

  it('sends the receipt once for two messages, and not for an invite message', async () => {
    // Prepare
    const { mailer, sendInvite, assignment } = await setup(acknowledged);
    const id = assignment.assignmentId;

    // Act
    const outcomes = await Promise.all([
      sendInvite({ assignmentId: id, kind: 'receipt' }),
      sendInvite({ assignmentId: id, kind: 'receipt' }),
      sendInvite({ assignmentId: id, kind: 'invite' }),
    ]);

    // Assess
    expect(outcomes.sort()).toEqual(['busy', 'not-owed', 'sent']);
    expect(mailer.sent).toHaveLength(1);
  });

  it('refuses a receipt owed without evidence, giving the lease back', async () => {
    // Prepare: a corrupted item
    const { store, mailer, sendInvite, assignment } = await setup({ dueKind: 'receipt' });

    // Act
    const attempt = sendInvite({ assignmentId: assignment.assignmentId, kind: 'receipt' });

    // Assess
    await expect(attempt).rejects.toThrow(/no evidence/);
    expect(mailer.sent).toEqual([]);
    expect(store.peek(assignment.assignmentId)?.leaseUntil).toBeUndefined();
  });

  it('words the invite of a re-acknowledgement as such', async () => {
    // Prepare
    const { sendInvite, message, rendered } = await setup({ reason: 'reacknowledge' });

    // Act
    await sendInvite(message);

    // Assess
    expect(rendered[0]?.reacknowledge).toBe(true);
  });
});

// Declining with a reason: recorded once per answer with the agreement's evidence, the chase stopped, the manager and HR owed a notice, and agreeing still possible.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_REASON, makeAcknowledgement, readReason } from '#shared/core/acknowledge.ts';
import { makeSendEmail } from '#shared/core/mail.ts';
import type { DeclineNoticeContent } from '#shared/core/mail-content.ts';
import { type Assignment, MAX_DECLINES, type PolicyVersion } from '#shared/core/model.ts';
import { parseTokenKeys, signToken, stampShown } from '#shared/core/tokens.ts';
import {
  anAssignment,
  aPolicy,
  aStarter,
  FakeClock,
  FakeMailer,
  FakeMetrics,
  FakeQueue,
  FakeStore,
  RETENTION,
  silentLogger,
} from '../../../support/fakes.ts';

const tokenKeys = parseTokenKeys('k1:unit-test-token-key-unit-test-token-key');
const TOKEN_ID = 'AAAAAAAAAAA';
const REDRIVE_MS = 60_000;
const NOW = '2026-11-24T10:00:00.000Z';
const UA = 'Mozilla/5.0 (iPhone) Mobile Safari';

async function setup(
  options: { policy?: Partial<PolicyVersion>; assignment?: Partial<Assignment>; manager?: boolean } = {},
) {
  const clock = new FakeClock(NOW);
  const store = new FakeStore();
  const starter = aStarter(
    options.manager === false ? {} : { manager: { name: 'Grace Hopper', email: 'grace@example.org' } },
  );
  const policy = aPolicy({ declinable: true, ...options.policy });
  const assignment = anAssignment(starter, policy, {
    status: 'invited',
    dueAt: '2026-11-27T09:00:00.000Z',
    dueKind: 'reminder',
    chase: { invitedAt: '2026-11-23T10:00:00.000Z', remindersSent: 0 },
    sends: [{ kind: 'invite', tokenId: TOKEN_ID, messageId: 'ses-42', at: '2026-11-23T10:00:00.000Z' }],
    ...options.assignment,
  });
  await store.putStarter(starter);
  await store.putPolicyVersion(policy);
  store.seed(assignment);
  store.writes.length = 0;
  const token = signToken(tokenKeys, {
    assignmentId: assignment.assignmentId,
    purpose: 'ack',
    expiresAt: new Date(clock.now().getTime() + 30 * 86400_000),
    tokenId: TOKEN_ID,
  });
  const lmsQueue = new FakeQueue();
  const mailQueue = new FakeQueue();
  const metrics = new FakeMetrics();
  const ack = makeAcknowledgement({
    metrics,
    store,
    lmsQueue,
    mailQueue,
    clock,
    logger: silentLogger,
    tokenKeys,
    deliveries: ['webhook'],
    redriveAfterMs: REDRIVE_MS,
    freshLinkIntervalMs: 15 * 60_000,
    retention: RETENTION,
  });
  const shown = stampShown(tokenKeys, TOKEN_ID, new Date('2026-11-24T09:58:00.000Z'));
  const decline = (fullName: string | undefined, reason: string | undefined) =>
    ack.recordDecline({ token, fullName, reason, shown, ipAddress: '203.0.113.7', userAgent: UA });
  const agree = (fullName = 'Ada Lovelace') =>
    ack.recordAcknowledgement({
      token,
      fullName,
      agree: 'yes',
      shown,
      ipAddress: '203.0.113.8',
      userAgent: UA,
    });
  return {
    store,
    starter,
    policy,
    assignment,
    clock,
    token,
    ack,
    lmsQueue,
    mailQueue,
    metrics,
    decline,
    agree,
  };
}

/** The mailer over the same store, recording the decline notices it renders. */
function mailerOf(store: FakeStore, clock: FakeClock, hrNotifyEmail?: string) {
  const mailer = new FakeMailer();
  const notices: DeclineNoticeContent[] = [];
  const never = () => {
    throw new Error('not this email');
  };
  const sendEmail = makeSendEmail({
    store,
    mailer,
    clock,
    logger: silentLogger,
    metrics: new FakeMetrics(),
    tokenKeys,
    renderInvite: never,
    renderReceipt: never,
    makeCertificate: never,
    renderDigest: never,
    renderBounceNotice: never,
    renderDeclineNotice: (content) => {
      notices.push(content);
      return { subject: `${content.starterName} declined`, html: '<p>declined</p>', text: 'declined' };
    },
    hrNotifyEmail,
    planFor: () => {
      throw new Error('no chase plan needed');
    },
    digestDelayMs: 0,
    retention: RETENTION,
    publicBaseUrl: 'https://attest.example.org',
    organisationName: 'Wirral Council',
    tokenTtlMs: 86400_000,
    leaseMs: 60_000,
    maybeSentGraceMs: 300_000,
  });
  return { mailer, notices, sendEmail };
}

describe('recordDecline', () => {
  it('records the decline with every field of an agreement’s evidence and the reason, in one write', async () => {
    // Prepare
    const { store, assignment, decline, policy } = await setup();

    // Act
    const view = await decline('  Ada   Lovelace ', 'I cannot agree to\r\nmonitoring of my own phone.');

    // Assess
    expect(store.writes).toEqual(['recordDecline', 'appendAudit', 'appendAudit']);
    const stored = store.peek(assignment.assignmentId);
    expect(stored?.declines).toEqual([
      {
        declineId: expect.stringMatching(/^ev_/),
        declinedAt: NOW,
        policyId: policy.policyId,
        policyVersion: policy.version,
        policyTitle: policy.title,
        policySha256: policy.sha256,
        statement: policy.statement,
        // The language of the text shown (the policy has no translation: English).
        locale: 'en',
        typedName: 'Ada Lovelace',
        reason: 'I cannot agree to monitoring of my own phone.',
        ipAddress: '203.0.113.7',
        userAgent: UA,
        tokenId: TOKEN_ID,
        messageId: 'ses-42',
        pageShownAt: '2026-11-24T09:58:00.000Z',
      },
    ]);
    expect(stored?.status).toBe('declined');
    expect(stored?.ack).toBeUndefined();
    expect(view).toMatchObject({ kind: 'form', justDeclined: true, declinedAt: NOW, decline: {} });
  });

  it('stops the chase: the reminder owed is replaced by the decline notice, enqueued, and nothing goes to the LMS', async () => {
    // Prepare
    const { store, assignment, decline, mailQueue, lmsQueue, metrics } = await setup();

    // Act
    await decline('Ada Lovelace', 'Not without talking to my union first.');

    // Assess
    const stored = store.peek(assignment.assignmentId);
    expect(stored).toMatchObject({
      dueKind: 'decline-notice',
      dueAt: new Date(Date.parse(NOW) + REDRIVE_MS).toISOString(),
    });
    expect(stored?.webhook).toBeUndefined();
    expect(stored?.webhookDueAt).toBeUndefined();
    expect(mailQueue.sent.map((s) => s.message)).toEqual([
      { assignmentId: assignment.assignmentId, kind: 'decline-notice' },
    ]);
    expect(lmsQueue.sent).toEqual([]);
    expect(metrics.counted).toContainEqual(expect.objectContaining({ name: 'DeclineRecorded' }));
    expect(store.audit.map((e) => [e.kind, e.detail])).toEqual([
      ['opened', { tokenId: TOKEN_ID }],
      ['declined', { declineId: expect.stringMatching(/^ev_/), tokenId: TOKEN_ID }],
    ]);
  });

  it('owes retention’s reduce-ip step RETAIN_AUDIT_IP after the decline', async () => {
    // Prepare
    const { store, assignment, decline } = await setup();

    // Act
    await decline('Ada Lovelace', 'I disagree with section 3.');

    // Assess
    expect(store.peek(assignment.assignmentId)).toMatchObject({
      retainStep: 'reduce-ip',
      retainAt: '2027-11-24T10:00:00.000Z',
    });
  });

  it.each([
    ['an empty reason', 'Ada Lovelace', '   ', { reason: 'decline.reasonEmpty' }],
    ['a reason too long', 'Ada Lovelace', 'a'.repeat(MAX_REASON + 1), { reason: 'decline.reasonLong' }],
    ['a bidi override', 'Ada Lovelace', 'I agree\u202E not', { reason: 'decline.reasonUnseen' }],
    ['a zero-width space', 'Ada Lovelace', 'No\u200Bthanks', { reason: 'decline.reasonUnseen' }],
    ['a control character', 'Ada Lovelace', 'No\u0007', { reason: 'decline.reasonUnseen' }],
    ['no letters', 'Ada Lovelace', '!!! ???', { reason: 'decline.reasonLetters' }],
    ['no name', '', 'I do not agree with it.', { fullName: 'form.nameMissing' }],
  ])('refuses %s, writing and sending nothing, and says why on the form', async (_, name, reason, errors) => {
    // Prepare
    const { store, assignment, decline, mailQueue } = await setup();
    const before = store.peek(assignment.assignmentId);

    // Act
    const view = await decline(name, reason);

    // Assess
    expect(view).toMatchObject({ kind: 'form', decline: { errors } });
    expect(store.writes).toEqual([]);
    expect(store.audit).toEqual([]);
    expect(mailQueue.sent).toEqual([]);
    expect(store.peek(assignment.assignmentId)).toEqual(before);
  });

  it('refuses a decline of a policy that is not declinable, writing nothing', async () => {
    // Prepare
    const { store, assignment, decline } = await setup({ policy: { declinable: undefined } });
    const before = store.peek(assignment.assignmentId);

    // Act
    const view = await decline('Ada Lovelace', 'I do not agree.');

    // Assess
    expect(view).toMatchObject({ kind: 'form', declineRefused: 'decline.notDeclinable' });
    expect(view).not.toHaveProperty('decline');
    expect(store.writes).toEqual([]);
    expect(store.peek(assignment.assignmentId)).toEqual(before);
  });

  it('offers no decline on the page of a policy that is not declinable', async () => {
    // Prepare
    const { ack, token } = await setup({ policy: { declinable: undefined } });

    // Act
    const view = await ack.showAcknowledgement(token);

    // Assess
    expect(view).toMatchObject({ kind: 'form' });
    expect(view).not.toHaveProperty('decline');
  });

  it('keeps every decline and owes a notice for each, up to MAX_DECLINES, then refuses', async () => {
    // Prepare
    const { store, assignment, decline, clock, mailQueue } = await setup();

    // Act
    for (let i = 0; i < MAX_DECLINES; i++) {
      await decline('Ada Lovelace', `Reason number ${i + 1}.`);
      clock.advance(60_000);
    }
    const refused = await decline('Ada Lovelace', 'One more time.');

    // Assess
    const stored = store.peek(assignment.assignmentId);
    expect(stored?.declines?.map((d) => d.reason)).toEqual(
      Array.from({ length: MAX_DECLINES }, (_, i) => `Reason number ${i + 1}.`),
    );
    expect(mailQueue.sent).toHaveLength(MAX_DECLINES);
    expect(refused).toMatchObject({ kind: 'form', declineRefused: 'decline.tooMany' });
    expect(refused).not.toHaveProperty('decline');
  });

  it('shows the page after a decline with when it was, the agree form still there', async () => {
    // Prepare
    const { ack, token, decline } = await setup();
    await decline('Ada Lovelace', 'I do not agree with clause 4.');

    // Act
    const view = await ack.showAcknowledgement(token);

    // Assess
    expect(view).toMatchObject({ kind: 'form', declinedAt: NOW, decline: {} });
    expect(view).not.toHaveProperty('justDeclined');
  });

  it('says the zone the ask keeps, for when they declined to be said in it too; none without one', async () => {
    // Prepare
    const zoned = await setup({ assignment: { timeZone: 'Asia/Tokyo' } });
    const unzoned = await setup();
    await zoned.decline('Ada Lovelace', 'I do not agree with clause 4.');
    await unzoned.decline('Ada Lovelace', 'I do not agree with clause 4.');

    // Act
    const views = [
      await zoned.ack.showAcknowledgement(zoned.token),
      await unzoned.ack.showAcknowledgement(unzoned.token),
    ];

    // Assess
    expect(views[0]).toMatchObject({ kind: 'form', declinedAt: NOW, timeZone: 'Asia/Tokyo' });
    expect(views[1]).toMatchObject({ kind: 'form', declinedAt: NOW });
    expect(views[1]).not.toHaveProperty('timeZone');
  });

  it('lets the person agree later from the same link: the normal evidence, receipt and LMS delivery, the decline kept', async () => {
    // Prepare
    const { store, assignment, decline, agree, clock, mailQueue, lmsQueue } = await setup();
    await decline('Ada Lovelace', 'I need to ask about clause 4 first.');
    clock.advance(3 * 86400_000);
    mailQueue.sent.length = 0;

    // Act
    const view = await agree();

    // Assess
    expect(view).toMatchObject({ kind: 'receipt', already: false, evidence: { typedName: 'Ada Lovelace' } });
    const stored = store.peek(assignment.assignmentId);
    expect(stored).toMatchObject({
      status: 'acknowledged',
      dueKind: 'receipt',
      ack: { method: 'link', ipAddress: '203.0.113.8', tokenId: TOKEN_ID, messageId: 'ses-42' },
      webhook: { state: 'pending' },
    });
    expect(stored?.declines).toHaveLength(1);
    expect(mailQueue.sent.map((s) => s.message.kind)).toEqual(['receipt']);
    expect(lmsQueue.sent.map((s) => s.message.kind)).toEqual(['webhook']);
    // The decline's reduce-ip step (sooner) stands; retention re-owes the agreement's after it.
    expect(stored).toMatchObject({ retainStep: 'reduce-ip', retainAt: '2027-11-24T10:00:00.000Z' });
  });

  it('shows the receipt to a decline POSTed after the agreement, and records nothing', async () => {
    // Prepare
    const { store, decline, agree } = await setup();
    await agree();
    store.writes.length = 0;

    // Act
    const view = await decline('Ada Lovelace', 'Changed my mind.');

    // Assess
    expect(view).toMatchObject({ kind: 'receipt', already: true });
    expect(store.writes).toEqual([]);
  });

  it('says the request is withdrawn for a cancelled assignment, recording nothing', async () => {
    // Prepare
    const { store, decline } = await setup({ assignment: { status: 'cancelled' } });

    // Act
    const view = await decline('Ada Lovelace', 'No.');

    // Assess
    expect(view).toEqual({ kind: 'withdrawn', language: 'en' });
    expect(store.writes).toEqual([]);
  });
});

describe('the decline notice', () => {
  it('goes to the manager and HR in one email, naming the person, the policy and every reason', async () => {
    // Prepare
    const { store, assignment, decline, clock, starter, policy } = await setup();
    await decline('Ada Lovelace', 'I cannot agree to clause 4.');
    const { mailer, notices, sendEmail } = mailerOf(store, clock, 'hr@example.org');

    // Act
    const outcome = await sendEmail({ assignmentId: assignment.assignmentId, kind: 'decline-notice' });

    // Assess
    expect(outcome).toBe('sent');
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]).toMatchObject({ to: 'grace@example.org', alsoTo: ['hr@example.org'] });
    expect(notices).toEqual([
      {
        organisationName: 'Wirral Council',
        greeting: 'Grace Hopper',
        starterName: `${starter.givenName} ${starter.familyName}`,
        employeeId: starter.employeeId,
        policyTitle: policy.title,
        policyVersion: policy.version,
        declines: [{ on: expect.any(String), reason: 'I cannot agree to clause 4.' }],
      },
    ]);
    const stored = store.peek(assignment.assignmentId);
    expect(stored?.dueKind).toBeUndefined();
    expect(stored?.sends.at(-1)).toMatchObject({ kind: 'decline-notice' });
    expect(store.audit.at(-1)).toMatchObject({ kind: 'decline-notice-sent', detail: { told: 'manager+hr' } });
  });

  it('goes to HR alone when the person has no manager on file', async () => {
    // Prepare
    const { store, assignment, decline, clock } = await setup({ manager: false });
    await decline('Ada Lovelace', 'I cannot agree to clause 4.');
    const { mailer, notices, sendEmail } = mailerOf(store, clock, 'hr@example.org');

    // Act
    await sendEmail({ assignmentId: assignment.assignmentId, kind: 'decline-notice' });

    // Assess
    expect(mailer.sent.map((e) => [e.to, e.alsoTo])).toEqual([['hr@example.org', undefined]]);
    expect(notices[0]?.greeting).toBe('HR team');
  });

  it('records that no one could be told when there is neither a manager nor HR_NOTIFY_EMAIL', async () => {
    // Prepare
    const { store, assignment, decline, clock } = await setup({ manager: false });
    await decline('Ada Lovelace', 'I cannot agree to clause 4.');
    const { mailer, sendEmail } = mailerOf(store, clock);

    // Act
    await sendEmail({ assignmentId: assignment.assignmentId, kind: 'decline-notice' });

    // Assess
    expect(mailer.sent).toEqual([]);
    expect(store.audit.at(-1)?.kind).toBe('decline-notice-no-one-to-tell');
    expect(store.peek(assignment.assignmentId)?.dueKind).toBeUndefined();
    expect(store.peek(assignment.assignmentId)?.status).toBe('declined');
  });

  it('is not sent once the person has agreed meanwhile: the receipt takes the lane', async () => {
    // Prepare
    const { store, assignment, decline, agree, clock } = await setup();
    await decline('Ada Lovelace', 'I cannot agree to clause 4.');
    await agree();
    const { mailer, sendEmail } = mailerOf(store, clock, 'hr@example.org');

    // Act
    const outcome = await sendEmail({ assignmentId: assignment.assignmentId, kind: 'decline-notice' });

    // Assess
    expect(outcome).toBe('not-owed');
    expect(mailer.sent).toEqual([]);
  });
});

describe('readReason', () => {
  it('keeps any visible text of up to MAX_REASON characters as typed, line breaks as spaces (property)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ0-9 .,'’!?()-]{1,300}$/),
        fc.constantFrom('', '\n', '\r\n'),
        (text, br) => {
          const typed = `${text}${br}${text}`;
          const { reason, error } = readReason(typed);
          if (error) return [...typed].filter((c) => /\p{L}/u.test(c)).length < 2;
          return (
            reason ===
            typed
              .replace(/\r\n|\n/g, ' ')
              .trim()
              .replace(/\s+/g, ' ')
          );
        },
      ),
    );
  });

  it('refuses any text holding a control, format or bidi character (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 2, maxLength: 50 }),
        fc.constantFrom('\u0000', '\u0007', '\u200B', '\u200E', '\u202E', '\u2066', '\uFEFF', '\u2028'),
        (text, unseen) => readReason(`No ${text}${unseen}thanks`).error === 'decline.reasonUnseen',
      ),
    );
  });
});

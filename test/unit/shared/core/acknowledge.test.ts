// Showing the policy (records nothing) and recording agreement exactly once, with the evidence.
import { describe, expect, it } from 'vitest';
import { makeAcknowledgement } from '#shared/core/acknowledge.ts';
import { TokenError } from '#shared/core/errors.ts';
import { signToken } from '#shared/core/tokens.ts';
import { RecordingQueue, silentLogger } from '../../../support/memory-store.ts';
import { policy, scenario, tokenKeys } from '../../../support/scenario.ts';

async function setup(overrides = {}) {
  const s = await scenario({ status: 'invited', dueAt: undefined, dueKind: undefined, ...overrides });
  const tokenId = 'AAAAAAAAAAA';
  // The invite that carried this token was sent as SES message ses-42.
  s.store.assignments.get(s.assignment.assignmentId)?.sends.push({
    kind: 'invite',
    tokenId,
    messageId: 'ses-42',
    at: s.clock.now().toISOString(),
  });
  const token = signToken(tokenKeys, {
    assignmentId: s.assignment.assignmentId,
    purpose: 'ack',
    expiresAt: new Date(s.clock.now().getTime() + 86400_000),
    tokenId,
  });
  const lmsQueue = new RecordingQueue();
  const mailQueue = new RecordingQueue();
  const ack = makeAcknowledgement({
    store: s.store,
    lmsQueue,
    mailQueue,
    clock: s.clock,
    logger: silentLogger,
    tokenKeys,
    redriveAfterMs: 60_000,
    freshLinkIntervalMs: 15 * 60_000,
  });
  const submit = (fullName: string | undefined, agree: string | undefined) =>
    ack.recordAcknowledgement({
      token,
      fullName,
      agree,
      ipAddress: '203.0.113.7',
      userAgent: 'Mobile Safari',
    });
  return { ...s, token, lmsQueue, mailQueue, ack, submit };
}

describe('showAcknowledgement', () => {
  it('shows the form for the issued policy version and records nothing', async () => {
    // Prepare
    const { store, ack, token, assignment } = await setup();
    const before = JSON.stringify(store.assignments.get(assignment.assignmentId));

    // Act
    const views = await Promise.all([ack.showAcknowledgement(token), ack.showAcknowledgement(token)]);

    // Assess
    expect(views.map((v) => v.kind)).toEqual(['form', 'form']);
    expect(views[0]).toMatchObject({ policy: { version: policy.version, sha256: policy.sha256 } });
    expect(JSON.stringify(store.assignments.get(assignment.assignmentId))).toBe(before);
    expect(store.audit).toEqual([]);
  });

  it('throws a TokenError for a tampered token', async () => {
    // Prepare
    const { ack, token } = await setup();

    // Assess
    await expect(ack.showAcknowledgement(`${token.slice(0, -2)}xx`)).rejects.toBeInstanceOf(TokenError);
  });

  it('says the request is withdrawn for a cancelled assignment', async () => {
    // Prepare
    const { ack, token } = await setup({ status: 'cancelled' });

    // Assess
    expect((await ack.showAcknowledgement(token)).kind).toBe('withdrawn');
  });
});

describe('recordAcknowledgement', () => {
  it('records every part of the evidence once and owes the LMS delivery', async () => {
    // Prepare
    const { store, submit, lmsQueue, assignment } = await setup();

    // Act
    const view = await submit('  Ada   Lovelace ', 'yes');

    // Assess
    expect(view).toMatchObject({ kind: 'receipt', already: false });
    const stored = store.assignments.get(assignment.assignmentId);
    expect(stored?.ack).toEqual({
      evidenceId: expect.stringMatching(/^ev_/),
      acknowledgedAt: '2026-11-24T10:00:00.000Z',
      policyId: policy.policyId,
      policyVersion: policy.version,
      policyTitle: policy.title,
      policySha256: policy.sha256,
      statement: policy.statement,
      typedName: 'Ada Lovelace',
      ipAddress: '203.0.113.7',
      userAgent: 'Mobile Safari',
      tokenId: 'AAAAAAAAAAA',
      messageId: 'ses-42',
    });
    expect(stored).toMatchObject({
      status: 'acknowledged',
      dueKind: 'lms',
      lms: { state: 'pending', attempts: 0 },
    });
    expect(lmsQueue.sent).toEqual([
      { message: { assignmentId: assignment.assignmentId, kind: 'lms' }, delaySeconds: undefined },
    ]);
  });

  it.each([
    ['an empty name', '   ', 'yes', { fullName: 'Enter your full name.' }],
    ['an unticked box', 'Ada', undefined, { agree: 'Tick the box to confirm you agree.' }],
    [
      'both',
      undefined,
      'no',
      { fullName: 'Enter your full name.', agree: 'Tick the box to confirm you agree.' },
    ],
  ])('re-shows the form for %s and stores nothing', async (_, name, agree, errors) => {
    // Prepare
    const { store, submit, lmsQueue, assignment } = await setup();

    // Act
    const view = await submit(name, agree);

    // Assess
    expect(view).toMatchObject({ kind: 'form', errors });
    expect(store.assignments.get(assignment.assignmentId)?.ack).toBeUndefined();
    expect(lmsQueue.sent).toEqual([]);
  });

  it('records one acknowledgement however many POSTs race, and every one gets a receipt', async () => {
    // Prepare
    const { store, submit, lmsQueue, assignment } = await setup();

    // Act
    const views = await Promise.all(Array.from({ length: 20 }, (_, i) => submit(`Person ${i}`, 'yes')));

    // Assess
    expect(views.every((v) => v.kind === 'receipt')).toBe(true);
    expect(views.filter((v) => v.kind === 'receipt' && !v.already)).toHaveLength(1);
    const evidence = store.assignments.get(assignment.assignmentId)?.ack;
    expect(new Set(views.map((v) => (v.kind === 'receipt' ? v.evidence.evidenceId : '')))).toEqual(
      new Set([evidence?.evidenceId]),
    );
    expect(lmsQueue.sent).toHaveLength(1);
  });

  it('shows the existing receipt to a second POST and changes nothing', async () => {
    // Prepare
    const { store, submit, assignment } = await setup();
    await submit('Ada Lovelace', 'yes');
    const first = structuredClone(store.assignments.get(assignment.assignmentId));

    // Act
    const view = await submit('Someone Else', 'yes');

    // Assess
    expect(view).toMatchObject({ kind: 'receipt', already: true, evidence: { typedName: 'Ada Lovelace' } });
    expect(store.assignments.get(assignment.assignmentId)).toEqual(first);
  });

  it('keeps the acknowledgement when the LMS enqueue fails: the delivery stays owed', async () => {
    // Prepare
    const { store, submit, lmsQueue, assignment } = await setup();
    lmsQueue.failWith = new Error('SQS down');

    // Act
    const view = await submit('Ada Lovelace', 'yes');

    // Assess
    expect(view.kind).toBe('receipt');
    expect(await store.queryDue(new Date('2026-11-24T10:05:00Z'), 10)).toEqual([
      { assignmentId: assignment.assignmentId, dueAt: '2026-11-24T10:01:00.000Z', dueKind: 'lms' },
    ]);
  });
});

describe('an expired link', () => {
  it('offers a fresh link instead of the form, and the offer sends one to the address on file', async () => {
    // Prepare: the link expired a day after it was sent
    const { ack, token, clock, store, mailQueue, assignment } = await setup();
    clock.advance(2 * 86400_000);

    // Act
    const view = await ack.showAcknowledgement(token);
    const sent = view.kind === 'expired' ? await ack.requestFreshLink(view.resendToken) : view;

    // Assess: a new invite is owed now and enqueued; the starter is told to look in their inbox
    expect(view.kind).toBe('expired');
    expect(sent.kind).toBe('fresh-link-sent');
    expect(store.assignments.get(assignment.assignmentId)).toMatchObject({
      dueKind: 'invite',
      dueAt: clock.now().toISOString(),
    });
    expect(mailQueue.sent).toEqual([
      { message: { assignmentId: assignment.assignmentId, kind: 'invite' }, delaySeconds: undefined },
    ]);
    expect(store.audit.map((e) => e.kind)).toEqual(['fresh-link-requested']);
  });

  it('sends at most one fresh link per interval, and says the same either way', async () => {
    // Prepare
    const { ack, token, clock, mailQueue } = await setup();
    clock.advance(2 * 86400_000);
    const view = await ack.showAcknowledgement(token);
    if (view.kind !== 'expired') throw new Error(view.kind);

    // Act
    const answers = [
      await ack.requestFreshLink(view.resendToken),
      await ack.requestFreshLink(view.resendToken),
    ];
    clock.advance(16 * 60_000);
    const later = await ack.showAcknowledgement(token);
    if (later.kind !== 'expired') throw new Error(later.kind);
    const afterInterval = await ack.requestFreshLink(later.resendToken);

    // Assess: the second request within 15 minutes sent nothing; after it, another may go
    expect(answers.map((a) => a.kind)).toEqual(['fresh-link-sent', 'fresh-link-sent']);
    expect(afterInterval.kind).toBe('fresh-link-sent');
    expect(mailQueue.sent).toHaveLength(2);
  });

  it('shows the receipt, not an offer, when the policy was signed meanwhile', async () => {
    // Prepare
    const { ack, token, clock, submit } = await setup();
    await submit('Ada Lovelace', 'yes');
    clock.advance(2 * 86400_000);

    // Act
    const view = await ack.showAcknowledgement(token);

    // Assess
    expect(view).toMatchObject({ kind: 'receipt', already: true });
  });

  it('refuses an acknowledgement token used as a resend token', async () => {
    // Prepare
    const { ack, token } = await setup();

    // Assess
    await expect(ack.requestFreshLink(token)).rejects.toBeInstanceOf(TokenError);
  });
});

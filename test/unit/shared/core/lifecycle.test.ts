// Re-attestation and due dates: the front matter, the sign-by date, the renewal step (once, on the clock), and "due for renewal" and "lapsed".
import { describe, expect, it } from 'vitest';
import { completionPayload } from '#shared/core/destinations/webhook.ts';
import { parseCalendarDuration } from '#shared/core/duration.ts';
import { ValidationError } from '#shared/core/errors.ts';
import { assignmentsOfStarter } from '#shared/core/evidence.ts';
import { assignmentIdFor, renewalIdFor } from '#shared/core/ids.ts';
import {
  isOverdue,
  lifecycles,
  renewAgreement,
  renewalStateOf,
  signByFor,
  withRenewals,
} from '#shared/core/lifecycle.ts';
import { makeSendEmail } from '#shared/core/mail.ts';
import type { InviteContent } from '#shared/core/mail-content.ts';
import type { Assignment } from '#shared/core/model.ts';
import { parsePolicy, policySha256 } from '#shared/core/policy.ts';
import { owesWork } from '#shared/core/privacy/retention.ts';
import { makeReport, type ReportRow } from '#shared/core/report.ts';
import { parseSendWindow } from '#shared/core/schedule.ts';
import { parseTokenKeys } from '#shared/core/tokens.ts';
import {
  anAssignment,
  anEvidence,
  aPolicy,
  aPolicySource,
  aStarter,
  FakeClock,
  FakeMailer,
  FakeMetrics,
  FakeStore,
  fakeCertificate,
  RETENTION,
  silentLogger,
} from '../../../support/fakes.ts';

const DAY = 86_400_000;
const PLAN = {
  reminderOffsetsMs: [3 * DAY, 7 * DAY, 10 * DAY],
  escalationOffsetMs: 14 * DAY,
  window: parseSendWindow('always'),
};
const P1Y = parseCalendarDuration('P1Y');
const P14D = parseCalendarDuration('P14D');
const ACKED_AT = '2025-11-24T09:59:00.000Z';

const withFrontMatter = (extra: string) => aPolicySource().replace('keyPoints:', `${extra}\nkeyPoints:`);

describe('policy front matter reattest: and due:', () => {
  it('keeps both as written, outside the text: the sha256 is the same as without them', () => {
    // Act
    const plain = parsePolicy(aPolicySource());
    const withBoth = parsePolicy(withFrontMatter('reattest: P1Y\ndue: P14D'));

    // Assess
    expect(withBoth).toMatchObject({ reattest: 'P1Y', due: 'P14D' });
    expect(withBoth.sha256).toBe(plain.sha256);
    expect(policySha256(withBoth)).toBe(plain.sha256);
  });

  it.each([
    ['reattest: P0D', 'reattest', 'must be longer than nothing'],
    ['reattest: -P1Y', 'reattest', 'is not an ISO 8601 duration'],
    ['due: fortnight', 'due', 'is not an ISO 8601 duration'],
    ['due: PT', 'due', 'is not an ISO 8601 duration'],
  ])('refuses %j, naming the field', (line, field, message) => {
    // Act
    let error: unknown;
    try {
      parsePolicy(withFrontMatter(line));
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ field, message: expect.stringContaining(message) }]);
  });

  it('takes a policy’s reattest: over REATTEST_EVERY, and REATTEST_EVERY for the rest', () => {
    // Prepare
    const lifecycleFor = lifecycles(
      new Map([
        ['yearly', { reattest: 'P1Y', due: 'P14D' }],
        ['plain', {}],
      ]),
      parseCalendarDuration('P2Y'),
    );

    // Assess
    expect(lifecycleFor('yearly').reattest?.iso).toBe('P1Y');
    expect(lifecycleFor('yearly').due?.iso).toBe('P14D');
    expect(lifecycleFor('plain')).toEqual({ reattest: expect.objectContaining({ iso: 'P2Y' }) });
    expect(lifecycleFor('unknown').reattest?.iso).toBe('P2Y');
    expect(lifecycles(new Map([['plain', {}]]))('plain')).toEqual({});
  });
});

describe('signByFor', () => {
  it('counts from the start date when the invite comes before it, in the starter’s time zone', () => {
    // Act
    const at = signByFor(
      { startDate: '2026-12-01', timeZone: 'Europe/London' },
      new Date('2026-11-24T10:00:00Z'),
      P14D,
    );

    // Assess
    expect(at.toISOString()).toBe('2026-12-15T00:00:00.000Z');
  });

  it('counts from the invite when the start date had passed', () => {
    // Act
    const at = signByFor(
      { startDate: '2026-11-01', timeZone: 'America/New_York' },
      new Date('2026-11-24T15:30:00Z'),
      P14D,
    );

    // Assess
    expect(at.toISOString()).toBe('2026-12-08T15:30:00.000Z');
  });
});

async function mailSetup(
  options: { reattest?: string; due?: string } = {},
  overrides: Partial<Assignment> = {},
) {
  const store = new FakeStore();
  const starter = aStarter();
  const policy = aPolicy();
  await store.putStarter(starter);
  await store.putPolicyVersion(policy);
  const assignment = anAssignment(starter, policy, overrides);
  store.seed(assignment);
  const clock = new FakeClock('2026-11-24T10:00:00.000Z');
  const invites: InviteContent[] = [];
  const mailer = new FakeMailer();
  const lifecycleFor = lifecycles(new Map([[policy.policyId, options]]));
  const deps = {
    store,
    mailer,
    clock,
    logger: silentLogger,
    metrics: new FakeMetrics(),
    tokenKeys: parseTokenKeys('k1:unit-test-token-key-unit-test-token-key'),
    renderInvite: (content: InviteContent) => {
      invites.push(content);
      return { subject: 'Invite', html: '<p>invite</p>', text: content.ackUrl };
    },
    renderReceipt: () => ({ subject: 'Receipt', html: '<p>receipt</p>', text: 'receipt' }),
    renderDigest: () => ({ subject: 'Digest', html: '<p>digest</p>', text: 'digest' }),
    renderBounceNotice: () => ({ subject: 'Notice', html: '<p>notice</p>', text: 'notice' }),
    renderDeclineNotice: () => ({ subject: 'Declined', html: '<p>declined</p>', text: 'declined' }),
    makeCertificate: fakeCertificate,
    planFor: () => PLAN,
    lifecycleFor,
    digestDelayMs: 60_000,
    retention: RETENTION,
    publicBaseUrl: 'https://attest.example.org',
    organisationName: 'Wirral Council',
    tokenTtlMs: 30 * DAY,
    leaseMs: 120_000,
    maybeSentGraceMs: 300_000,
  };
  return { store, starter, policy, assignment, clock, invites, mailer, deps, send: makeSendEmail(deps) };
}

/** A signed assignment whose receipt is owed now. */
const signedOverrides = (): Partial<Assignment> => ({
  status: 'acknowledged',
  ack: anEvidence(aPolicy(), { acknowledgedAt: ACKED_AT }),
  dueKind: 'receipt',
  dueAt: '2026-11-24T10:00:00.000Z',
});

describe('due dates', () => {
  it('fixes the sign-by date at the first invite, tells it, and owes the escalation then (no reminder after it)', async () => {
    // Prepare: start 1 December, due P5D: sign by 6 December 00:00 in London; reminders at 3 and 7 days.
    const { store, assignment, send, invites } = await mailSetup({ due: 'P5D' });

    // Act
    await send({ assignmentId: assignment.assignmentId, kind: 'invite' });

    // Assess
    const stored = (await store.getAssignment(assignment.assignmentId)) as Assignment;
    expect(stored.signBy).toBe('2026-12-06T00:00:00.000Z');
    expect(invites[0]?.signBy).toBe('6 December 2026');
    // The first reminder (27 November) comes before it; none is owed yet after it.
    expect(stored.dueKind).toBe('reminder');
    expect(stored.dueAt).toBe('2026-11-27T10:00:00.000Z');
  });

  it('escalates at the sign-by date when every reminder would come after it', async () => {
    // Prepare: due P1D from a start date already passed: sign by the invite plus a day.
    const { store, assignment, send } = await mailSetup({ due: 'P1D' });
    await store.putStarter(aStarter({ startDate: '2026-11-01' }));

    // Act
    await send({ assignmentId: assignment.assignmentId, kind: 'invite' });

    // Assess
    const stored = (await store.getAssignment(assignment.assignmentId)) as Assignment;
    expect(stored.signBy).toBe('2026-11-25T10:00:00.000Z');
    expect(stored).toMatchObject({ dueKind: 'escalation', dueAt: '2026-11-25T10:00:00.000Z' });
  });

  it('behaves as before without due:: no sign-by date, the escalation offset decides', async () => {
    // Prepare
    const { store, assignment, send, invites } = await mailSetup();

    // Act
    await send({ assignmentId: assignment.assignmentId, kind: 'invite' });

    // Assess
    const stored = (await store.getAssignment(assignment.assignmentId)) as Assignment;
    expect(stored.signBy).toBeUndefined();
    expect(invites[0]?.signBy).toBeUndefined();
  });

  it('sends the sign-by date to the LMS as dueAt, and nothing without one', () => {
    // Prepare
    const starter = aStarter();
    const evidence = anEvidence();
    const at = new Date('2026-11-24T10:00:00Z');

    // Act
    const withDue = completionPayload(
      anAssignment(starter, aPolicy(), { signBy: '2026-12-15T00:00:00.000Z' }),
      starter,
      evidence,
      at,
    );
    const without = completionPayload(anAssignment(starter), starter, evidence, at);

    // Assess
    expect(withDue.data.dueAt).toBe('2026-12-15T00:00:00.000Z');
    expect('dueAt' in without.data).toBe(false);
  });
});

describe('renewal', () => {
  it('owes the renewal after the receipt, at the agreement’s time plus the period', async () => {
    // Prepare
    const { store, assignment, send } = await mailSetup({ reattest: 'P1Y' }, signedOverrides());

    // Act
    await send({ assignmentId: assignment.assignmentId, kind: 'receipt' });

    // Assess
    const stored = (await store.getAssignment(assignment.assignmentId)) as Assignment;
    expect(stored).toMatchObject({ dueKind: 'renewal', dueAt: '2026-11-24T09:59:00.000Z' });
  });

  it('owes nothing after the receipt without a period', async () => {
    // Prepare
    const { store, assignment, send } = await mailSetup({}, signedOverrides());

    // Act
    await send({ assignmentId: assignment.assignmentId, kind: 'receipt' });

    // Assess
    expect((await store.getAssignment(assignment.assignmentId))?.dueKind).toBeUndefined();
  });

  it('asks again by a new request for the current version, once, the first agreement untouched', async () => {
    // Prepare: agreed a year ago; version 4 published since.
    const { store, assignment, send } = await mailSetup(
      { reattest: 'P1Y' },
      { ...signedOverrides(), dueKind: 'renewal', dueAt: '2026-11-24T09:59:00.000Z' },
    );
    await store.putPolicyVersion(aPolicy({ version: 4, sha256: 'b'.repeat(64) }));
    const before = structuredClone(await store.getAssignment(assignment.assignmentId));

    // Act
    const outcome = await send({ assignmentId: assignment.assignmentId, kind: 'renewal' });
    const again = await send({ assignmentId: assignment.assignmentId, kind: 'renewal' });

    // Assess
    expect([outcome, again]).toEqual(['renewed', 'not-owed']);
    const renewal = await store.getAssignment(renewalIdFor(assignment.assignmentId));
    expect(renewal).toMatchObject({
      reason: 'reattest',
      renews: assignment.assignmentId,
      policyVersion: 4,
      policySha256: 'b'.repeat(64),
      status: 'pending',
      dueKind: 'invite',
      dueAt: '2026-11-24T10:00:00.000Z',
      // The starter's zone, for the receipt its page shows once signed.
      timeZone: 'Europe/London',
    });
    const after = (await store.getAssignment(assignment.assignmentId)) as Assignment;
    expect(after.ack).toEqual(before?.ack);
    expect(after.status).toBe('acknowledged');
    expect(after.dueKind).toBeUndefined();
    expect((await store.getAuditTrail(renewal?.assignmentId as string)).map((e) => e.kind)).toEqual([
      'reattest-requested',
    ]);
  });

  it('makes nothing twice when run again after a crash before the step was finished', async () => {
    // Prepare: the step leased, as the mailer leaves it, run to the end once; then, as if the finish
    // were lost, run again with the lane still owing it.
    const { store, starter, assignment, clock, deps } = await mailSetup(
      { reattest: 'P1Y' },
      { ...signedOverrides(), dueKind: 'renewal', dueAt: ACKED_AT, leaseUntil: '2026-11-24T10:02:00.000Z' },
    );
    const leased = (await store.getAssignment(assignment.assignmentId)) as Assignment;
    await renewAgreement(deps, leased, starter, clock.now());
    store.seed({ ...leased });
    clock.advance(60_000);

    // Act
    const outcome = await renewAgreement(deps, leased, starter, clock.now());

    // Assess
    expect(outcome).toBe('renewed');
    const renewals = [...(await store.getAssignments([renewalIdFor(assignment.assignmentId)])).values()];
    expect(renewals).toHaveLength(1);
    expect((await store.getAuditTrail(renewalIdFor(assignment.assignmentId))).map((e) => e.kind)).toEqual([
      'reattest-requested',
    ]);
    expect(
      (await store.getAuditTrail(assignment.assignmentId)).filter((e) => e.kind === 'renewal-requested'),
    ).toHaveLength(1);
  });

  it.each([
    ['a starter who left', { status: 'cancelled' as const }, 'the starter left'],
    ['an erased starter', { erased: { at: ACKED_AT, pseudonym: 'p', assignmentIds: [] } }, 'erased'],
  ])('asks nothing of %s', async (_, starterOverrides, why) => {
    // Prepare
    const { store, assignment, send } = await mailSetup(
      { reattest: 'P1Y' },
      { ...signedOverrides(), dueKind: 'renewal', dueAt: ACKED_AT },
    );
    await store.putStarter(aStarter(starterOverrides));

    // Act
    const outcome = await send({ assignmentId: assignment.assignmentId, kind: 'renewal' });

    // Assess
    expect(outcome).toBe('not-needed');
    expect(await store.getAssignment(renewalIdFor(assignment.assignmentId))).toBeUndefined();
    expect(await store.getAuditTrail(assignment.assignmentId)).toEqual([
      expect.objectContaining({ kind: 'renewal-not-needed', detail: { why } }),
    ]);
  });

  it('asks nothing while a newer version’s request is still unsigned', async () => {
    // Prepare: version 4 asked by --reacknowledge, not yet signed.
    const { store, starter, assignment, send } = await mailSetup(
      { reattest: 'P1Y' },
      { ...signedOverrides(), dueKind: 'renewal', dueAt: ACKED_AT },
    );
    const v4 = aPolicy({ version: 4, sha256: 'b'.repeat(64) });
    await store.putPolicyVersion(v4);
    store.seed(
      anAssignment(starter, v4, {
        assignmentId: assignmentIdFor(starter.employeeId, v4.policyId, 4),
        reason: 'reacknowledge',
        status: 'invited',
      }),
    );

    // Act
    const outcome = await send({ assignmentId: assignment.assignmentId, kind: 'renewal' });

    // Assess
    expect(outcome).toBe('not-needed');
    expect(await store.getAssignment(renewalIdFor(assignment.assignmentId))).toBeUndefined();
  });

  it('waits for a period lengthened since the step was owed', async () => {
    // Prepare: owed at a year, but the policy now says two.
    const { store, assignment, send } = await mailSetup(
      { reattest: 'P2Y' },
      { ...signedOverrides(), dueKind: 'renewal', dueAt: '2026-11-24T09:59:00.000Z' },
    );

    // Act
    const outcome = await send({ assignmentId: assignment.assignmentId, kind: 'renewal' });

    // Assess
    expect(outcome).toBe('deferred');
    const stored = (await store.getAssignment(assignment.assignmentId)) as Assignment;
    expect(stored).toMatchObject({ dueKind: 'renewal', dueAt: '2027-11-24T09:59:00.000Z' });
    expect(stored.leaseUntil).toBeUndefined();
  });

  it('is found wherever a person’s requests are enumerated, renewals of renewals too', async () => {
    // Prepare
    const store = new FakeStore();
    const starter = aStarter();
    const policy = aPolicy();
    await store.putStarter(starter);
    await store.putPolicyVersion(policy);
    const first = anAssignment(starter, policy, {
      status: 'acknowledged',
      dueKind: undefined,
      dueAt: undefined,
    });
    const r1 = anAssignment(starter, policy, {
      assignmentId: renewalIdFor(first.assignmentId),
      reason: 'reattest',
      createdAt: '2027-11-24T09:00:00.000Z',
    });
    const r2 = anAssignment(starter, policy, {
      assignmentId: renewalIdFor(r1.assignmentId),
      reason: 'reattest',
      createdAt: '2028-11-24T09:00:00.000Z',
    });
    for (const a of [first, r1, r2]) store.seed(a);

    // Act
    const ids = await withRenewals(store, [first.assignmentId]);
    const asks = await assignmentsOfStarter(store, starter);

    // Assess
    expect(ids).toEqual([first.assignmentId, r1.assignmentId, r2.assignmentId]);
    expect(asks.map((a) => a.assignmentId)).toEqual([r2.assignmentId, r1.assignmentId, first.assignmentId]);
  });
});

describe('due for renewal and lapsed', () => {
  const signed = anAssignment(aStarter(), aPolicy(), {
    status: 'acknowledged',
    ack: anEvidence(aPolicy(), { acknowledgedAt: ACKED_AT }),
  });
  const renewal = (overrides: Partial<Assignment>) =>
    anAssignment(aStarter(), aPolicy(), { reason: 'reattest', status: 'invited', ...overrides });

  it('is nothing before the agreement is a period old, and due for renewal after', () => {
    // Assess
    expect(renewalStateOf(signed, new Date('2026-11-24T09:58:59Z'), P1Y, true)).toBe('');
    expect(renewalStateOf(signed, new Date('2026-11-24T09:59:00Z'), P1Y, true)).toBe('due for renewal');
    // Not the person's current request (renewed, or a newer version asked): history.
    expect(renewalStateOf(signed, new Date('2027-01-01T00:00:00Z'), P1Y, false)).toBe('');
    expect(renewalStateOf(signed, new Date('2027-01-01T00:00:00Z'), undefined, true)).toBe('');
  });

  it('is due for renewal while the renewal request is unsigned and not overdue, lapsed once it is', () => {
    // Prepare
    const now = new Date('2026-12-10T00:00:00Z');

    // Assess
    expect(renewalStateOf(renewal({}), now, P1Y, true)).toBe('due for renewal');
    expect(renewalStateOf(renewal({ signBy: '2026-12-11T00:00:00.000Z' }), now, P1Y, true)).toBe(
      'due for renewal',
    );
    expect(renewalStateOf(renewal({ signBy: '2026-12-10T00:00:00.000Z' }), now, P1Y, true)).toBe('lapsed');
    expect(renewalStateOf(renewal({ status: 'overdue' }), now, P1Y, true)).toBe('lapsed');
    expect(isOverdue(renewal({ status: 'acknowledged', signBy: '2026-12-01T00:00:00.000Z' }), now)).toBe(
      false,
    );
  });

  it('is in the report, by the report’s own clock: columns and counts', async () => {
    // Prepare: one signer a year ago (due for renewal), one renewal past its sign-by date (lapsed).
    const store = new FakeStore();
    const policy = aPolicy();
    await store.putPolicyVersion(policy);
    const ada = aStarter();
    const bob = aStarter({ employeeId: 'E2002', givenName: 'Bob' });
    await store.putStarter(ada);
    await store.putStarter(bob);
    store.seed(
      anAssignment(ada, policy, {
        status: 'acknowledged',
        ack: anEvidence(policy, { acknowledgedAt: ACKED_AT }),
        dueKind: undefined,
        dueAt: undefined,
      }),
    );
    const bobFirst = anAssignment(bob, policy, {
      status: 'acknowledged',
      ack: anEvidence(policy, { acknowledgedAt: ACKED_AT }),
      dueKind: undefined,
      dueAt: undefined,
    });
    store.seed(bobFirst);
    store.seed(
      anAssignment(bob, policy, {
        assignmentId: renewalIdFor(bobFirst.assignmentId),
        reason: 'reattest',
        renews: bobFirst.assignmentId,
        status: 'invited',
        createdAt: '2026-11-25T09:00:00.000Z',
        signBy: '2026-12-09T09:00:00.000Z',
      }),
    );
    const reporter = makeReport({
      store,
      clock: new FakeClock('2026-12-10T00:00:00.000Z'),
      lifecycleFor: lifecycles(new Map([[policy.policyId, { reattest: 'P1Y' }]])),
    });
    const rows: ReportRow[] = [];

    // Act
    const summary = await reporter.run(policy.policyId, { filter: 'all' }, (page) => {
      rows.push(...page);
    });

    // Assess
    expect(rows.map((r) => [r.employeeId, r.reason, r.renewal, r.renewsAt, r.signBy])).toEqual([
      ['E1001', 'starter', 'due for renewal', '2026-11-24T09:59:00.000Z', ''],
      ['E2002', 'starter', '', '2026-11-24T09:59:00.000Z', ''],
      ['E2002', 'reattest', 'lapsed', '', '2026-12-09T09:00:00.000Z'],
    ]);
    expect(summary).toMatchObject({ total: 2, signed: 1, unsigned: 1, dueForRenewal: 1, lapsed: 1 });
  });
});

describe('retention and a renewal owed', () => {
  it('holds nothing for a renewal owed later: only an email or a delivery is work in flight', () => {
    // Prepare
    const signed = anAssignment(aStarter(), aPolicy(), {
      status: 'acknowledged',
      ack: anEvidence(),
      dueKind: 'renewal',
      dueAt: '2027-11-24T09:59:00.000Z',
    });

    // Assess
    expect(owesWork(signed)).toBe(false);
    expect(owesWork({ ...signed, dueKind: 'receipt' })).toBe(true);
  });
});

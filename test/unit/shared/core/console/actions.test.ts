// An admin's console actions: each done by the same conditional writes as the CLI's, audited with who and why, refused plainly (and writing nothing) when it cannot be done.
import { describe, expect, it } from 'vitest';
import { checkReason, makeConsoleActions } from '#shared/core/console/actions.ts';
import type { ConsoleUser } from '#shared/core/console/views.ts';
import type { Assignment } from '#shared/core/model.ts';
import {
  anEvidence,
  deadLetterStore,
  FakeClock,
  FakeQueue,
  seededStore,
  silentLogger,
} from '../../../../support/fakes.ts';

const admin: ConsoleUser = { subject: 'sub-hr', email: 'hr@example.org', role: 'admin' };
const by = (reason: string) => ({ user: admin, reason });
const who = { by: 'console', subject: 'sub-hr', email: 'hr@example.org' };

function actionsOn(store: Parameters<typeof makeConsoleActions>[0]['store']) {
  const clock = new FakeClock('2026-11-26T10:00:00.000Z');
  const queue = new FakeQueue();
  const actions = makeConsoleActions({
    store,
    mailQueue: queue,
    clock,
    logger: silentLogger,
    freshLinkIntervalMs: 15 * 60_000,
    deliveries: ['webhook', 'xapi'],
  });
  return { actions, queue, clock };
}

async function invited(overrides: Partial<Assignment> = {}) {
  return seededStore({
    status: 'invited',
    dueKind: 'reminder',
    dueAt: '2026-11-27T09:00:00.000Z',
    ...overrides,
  });
}

describe('resend', () => {
  it('makes the invite owed now, enqueues it, and audits who asked and why', async () => {
    // Arrange
    const { store, assignment } = await invited();
    const { actions, queue } = actionsOn(store);

    // Act
    await actions.resend(assignment.assignmentId, by('Asked by phone'));

    // Assess
    expect(store.peek(assignment.assignmentId)).toMatchObject({ dueKind: 'invite' });
    expect(queue.sent).toHaveLength(1);
    expect(store.audit).toEqual([
      expect.objectContaining({
        kind: 'fresh-link-requested',
        detail: { ...who, reason: 'Asked by phone' },
      }),
    ]);
  });

  it('refuses a signed ask with its reason, writing nothing', async () => {
    // Arrange
    const { store, assignment } = await invited({
      status: 'acknowledged',
      ack: { evidenceId: 'ev' } as never,
    });
    const { actions, queue } = actionsOn(store);

    // Act
    const refused = actions.resend(assignment.assignmentId, by('Asked by phone'));

    // Assess
    await expect(refused).rejects.toMatchObject({ code: 'resend.signed' });
    expect(store.audit).toEqual([]);
    expect(queue.sent).toHaveLength(0);
  });
});

describe('cancel', () => {
  it('withdraws an unsigned ask and audits who and why', async () => {
    // Arrange
    const { store, assignment } = await invited();
    const { actions } = actionsOn(store);

    // Act
    await actions.cancel(assignment.assignmentId, by('Left before starting'));

    // Assess
    expect(store.peek(assignment.assignmentId)).toMatchObject({ status: 'cancelled' });
    expect(store.audit).toEqual([
      expect.objectContaining({ kind: 'cancelled', detail: { ...who, reason: 'Left before starting' } }),
    ]);
  });

  it.each([
    ['signed', { status: 'acknowledged', ack: { evidenceId: 'ev' } }, 'evidence'],
    ['withdrawn', { status: 'cancelled' }, 'withdrawn already'],
  ] as const)('refuses a %s ask, writing nothing', async (_name, overrides, message) => {
    // Arrange
    const { store, assignment } = await invited(overrides as Partial<Assignment>);
    const { actions } = actionsOn(store);

    // Act
    const refused = actions.cancel(assignment.assignmentId, by('Left before starting'));

    // Assess
    await expect(refused).rejects.toThrow(message);
    expect(store.audit).toEqual([]);
  });
});

describe('replay', () => {
  it('makes one dead delivery owed again, audited with who, why and the destination', async () => {
    // Arrange
    const { store, e1 } = await deadLetterStore();
    const { actions } = actionsOn(store);
    store.audit.length = 0;

    // Act
    await actions.replay(e1, 'webhook', by('LMS fixed'));

    // Assess
    expect(store.peek(e1)?.webhook).toMatchObject({ state: 'pending' });
    expect(store.audit).toEqual([
      expect.objectContaining({
        kind: 'delivery-replayed',
        detail: { ...who, reason: 'LMS fixed', destination: 'webhook' },
      }),
    ]);
  });

  it('refuses a delivery that is not dead, and a destination this deployment does not use', async () => {
    // Arrange
    const { store, e1 } = await deadLetterStore();
    const { actions } = actionsOn(store);
    store.audit.length = 0;

    // Act / Assess
    await expect(actions.replay(e1, 'xapi', by('LMS fixed'))).rejects.toMatchObject({ code: 'lms.not_dead' });
    await expect(actions.replay(e1, 'moodle', by('LMS fixed'))).rejects.toMatchObject({
      code: 'lms.not_dead',
    });
    expect(store.audit).toEqual([]);
  });
});

describe('a refusal', () => {
  const named = { who: 'Zoë Lee', policy: 'Safe Internet Use (version 1)' };
  /** The refusal's message, which must say whose ask it is before any id. */
  const refusal = async (done: Promise<void>) => {
    const error = await done.then(
      () => undefined,
      (e: Error) => e,
    );
    if (!error) throw new Error('not refused');
    return error.message;
  };

  it.each([
    [
      'a second resend within the interval',
      {},
      async (a: ReturnType<typeof makeConsoleActions>, id: string) => {
        await a.resend(id, by('Asked by phone'), named);
        return a.resend(id, by('Asked by phone again'), named);
      },
      /^Zoë Lee was not sent another invite to Safe Internet Use \(version 1\): a fresh link was asked for within the last 15 minutes/,
    ],
    [
      'a resend of a signed ask',
      { status: 'acknowledged', ack: anEvidence() },
      (a: ReturnType<typeof makeConsoleActions>, id: string) => a.resend(id, by('Asked by phone'), named),
      /^Zoë Lee has signed Safe Internet Use \(version 1\) already/,
    ],
    [
      'a cancel of a withdrawn ask',
      { status: 'cancelled' },
      (a: ReturnType<typeof makeConsoleActions>, id: string) =>
        a.cancel(id, by('Left before starting'), named),
      /^Zoë Lee's ask of Safe Internet Use \(version 1\) was withdrawn already\.$/,
    ],
    [
      'a cancel of a signed ask',
      { status: 'acknowledged', ack: anEvidence() },
      (a: ReturnType<typeof makeConsoleActions>, id: string) =>
        a.cancel(id, by('Left before starting'), named),
      /^Zoë Lee has signed Safe Internet Use \(version 1\) already: an agreement is evidence/,
    ],
    [
      'a replay of a delivery that is not dead',
      {},
      (a: ReturnType<typeof makeConsoleActions>, id: string) =>
        a.replay(id, 'webhook', by('LMS fixed'), named),
      /^Zoë Lee's agreement to Safe Internet Use \(version 1\) has no dead-lettered delivery to webhook/,
    ],
    [
      'an agreement on behalf to a withdrawn ask',
      { status: 'cancelled' },
      (a: ReturnType<typeof makeConsoleActions>, id: string) =>
        a.accept(id, by('Paper form signed at induction'), named),
      /^Zoë Lee's ask of Safe Internet Use \(version 1\) was withdrawn: nothing to agree to/,
    ],
    [
      'an agreement on behalf to a signed ask',
      { status: 'acknowledged', ack: anEvidence() },
      (a: ReturnType<typeof makeConsoleActions>, id: string) =>
        a.accept(id, by('Paper form signed at induction'), named),
      /^Zoë Lee signed Safe Internet Use \(version 1\) already, at /,
    ],
  ] as const)(
    'of %s names the person and the policy first, the assignment id last if at all',
    async (_, overrides, act, said) => {
      // Arrange
      const { store, assignment } = await invited(overrides as Partial<Assignment>);
      const { actions } = actionsOn(store);

      // Act
      const message = await refusal(act(actions, assignment.assignmentId));

      // Assess
      expect(message).toMatch(said);
      expect(message.indexOf(assignment.assignmentId)).not.toBe(0);
      expect(message.slice(0, 40)).not.toContain(assignment.assignmentId);
    },
  );
});

describe('checkReason', () => {
  it('keeps a reason, a textarea’s line breaks made spaces', () => {
    expect(checkReason('  Asked by phone\r\non Monday ')).toBe('Asked by phone on Monday');
  });

  it.each([
    ['', 'Say why'],
    ['   ', 'Say why'],
    ['ok', 'few words'],
    ['Asked\u202Eenohp yb', 'cannot be seen'],
    ['Asked\u200b by phone', 'cannot be seen'],
    ['x'.repeat(501), 'under 500'],
  ])('refuses %j', (reason, message) => {
    expect(() => checkReason(reason)).toThrow(
      expect.objectContaining({
        issues: [expect.objectContaining({ field: 'reason', message: expect.stringContaining(message) })],
      }),
    );
  });
});

describe('accept', () => {
  it('records the agreement on their behalf: the reason as its note, the admin as recorder, audited as the console', async () => {
    // Arrange
    const { store, assignment } = await invited();
    const { actions, queue } = actionsOn(store);

    // Act
    await actions.run.accept(assignment.assignmentId, by('Paper form signed at induction'));

    // Assess
    const stored = store.peek(assignment.assignmentId);
    expect(stored?.ack).toMatchObject({
      method: 'on-behalf',
      note: 'Paper form signed at induction',
      recordedBy: 'hr@example.org',
      ipAddress: null,
      userAgent: null,
    });
    // No LMS queue in the console: each delivery is due now, for the sweeper.
    expect(stored).toMatchObject({
      webhookDueAt: '2026-11-26T10:00:00.000Z',
      xapiDueAt: '2026-11-26T10:00:00.000Z',
    });
    expect(queue.sent.map((s) => s.message)).toEqual([
      { assignmentId: assignment.assignmentId, kind: 'receipt' },
    ]);
    expect(store.audit).toEqual([
      expect.objectContaining({
        kind: 'acknowledged',
        detail: {
          ...who,
          evidenceId: stored?.ack?.evidenceId,
          method: 'on-behalf',
          reason: 'Paper form signed at induction',
        },
      }),
    ]);
  });

  it('refuses an ask signed already, writing nothing', async () => {
    // Arrange
    const { store, assignment } = await invited({ status: 'acknowledged', ack: anEvidence() });
    const { actions, queue } = actionsOn(store);

    // Act
    const refused = actions.accept(assignment.assignmentId, by('Paper form signed at induction'));

    // Assess
    await expect(refused).rejects.toMatchObject({ code: 'on-behalf.signed' });
    expect(store.writes).toEqual([]);
    expect(queue.sent).toEqual([]);
  });

  it('refuses a note that is not one, writing nothing', async () => {
    // Arrange
    const { store, assignment } = await invited();
    const { actions } = actionsOn(store);

    // Act
    const refused = actions.accept(assignment.assignmentId, by('ok'));

    // Assess
    await expect(refused).rejects.toMatchObject({ code: 'on-behalf.note' });
    expect(store.writes).toEqual([]);
  });
});

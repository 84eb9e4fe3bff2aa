// An operator's fresh invite for a starter: to their current ask, at most once an interval, never for one signed, withdrawn or bounced, and nothing written when refused.
import { describe, expect, it } from 'vitest';
import { AttestError, NotFoundError } from '#shared/core/errors.ts';
import type { Assignment } from '#shared/core/model.ts';
import { makeResendInvite } from '#shared/core/resend-invite.ts';
import { FakeClock, FakeQueue, seededStore, silentLogger } from '../../../support/fakes.ts';

const INTERVAL_MS = 15 * 60_000;

async function setup(overrides: Partial<Assignment> = {}) {
  const seeded = await seededStore({
    status: 'invited',
    dueKind: 'reminder',
    dueAt: '2026-11-27T09:00:00.000Z',
    ...overrides,
  });
  const clock = new FakeClock('2026-11-26T10:00:00.000Z');
  const queue = new FakeQueue();
  const resend = makeResendInvite({
    store: seeded.store,
    mailQueue: queue,
    clock,
    logger: silentLogger,
    intervalMs: INTERVAL_MS,
  });
  return { ...seeded, clock, queue, resend };
}

describe('resendInvite', () => {
  it('makes the invite of the current ask owed now, audits it as the operator’s, and enqueues it', async () => {
    // Prepare
    const { store, queue, resend, starter, policy, assignment } = await setup();

    // Act
    const id = await resend(starter.employeeId, policy.policyId);

    // Assess
    expect(id).toBe(assignment.assignmentId);
    expect(store.peek(id)).toMatchObject({ dueKind: 'invite', dueAt: '2026-11-26T10:00:00.000Z' });
    expect(store.audit).toEqual([
      {
        assignmentId: id,
        kind: 'fresh-link-requested',
        at: '2026-11-26T10:00:00.000Z',
        detail: { by: 'operator' },
      },
    ]);
    expect(queue.sent).toEqual([{ message: { assignmentId: id, kind: 'invite' }, delaySeconds: undefined }]);
  });

  it('refuses a second within the interval, writing nothing, and allows one after it', async () => {
    // Prepare
    const { store, queue, resend, clock, starter, policy } = await setup();
    await resend(starter.employeeId, policy.policyId);
    const writes = store.writes.length;

    // Act
    const soon = resend(starter.employeeId, policy.policyId);

    // Assess
    await expect(soon).rejects.toMatchObject({ code: 'resend.too_soon' });
    expect(store.writes.slice(writes)).toEqual(['requestFreshLink']);
    clock.advance(INTERVAL_MS + 1);
    await expect(resend(starter.employeeId, policy.policyId)).resolves.toBeTypeOf('string');
    expect(queue.sent).toHaveLength(2);
  });

  it.each<[string, Partial<Assignment>]>([
    ['resend.signed', { status: 'acknowledged', ack: { evidenceId: 'ev_1' } as Assignment['ack'] }],
    ['resend.withdrawn', { status: 'cancelled', dueKind: undefined, dueAt: undefined }],
    ['resend.bounced', { status: 'bounced', dueKind: undefined, dueAt: undefined }],
  ])('refuses with %s, enqueuing nothing', async (code, overrides) => {
    // Prepare
    const { queue, resend, starter, policy, store } = await setup(overrides);

    // Act
    const refused = resend(starter.employeeId, policy.policyId);

    // Assess
    await expect(refused).rejects.toBeInstanceOf(AttestError);
    await expect(refused).rejects.toMatchObject({ code });
    expect(queue.sent).toEqual([]);
    expect(store.audit).toEqual([]);
  });

  it('refuses an employee never asked, and a policy never published, as not found', async () => {
    // Prepare
    const { resend, policy } = await setup();

    // Act & Assess
    await expect(resend('E-nobody', policy.policyId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(resend('E-nobody', 'no-such-policy')).rejects.toMatchObject({ code: 'policy.not_found' });
  });
});

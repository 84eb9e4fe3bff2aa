// The contract of the lanes' leases and the mail lane's steps: one worker at a time, and only the lease holder records.
import { describe, expect, it } from 'vitest';
import type { Assignment, MailAttempt } from '#shared/core/model.ts';
import { anEvidence, aPolicy } from '../support/fakes.ts';
import { ask, at, CONDITION_FAILED, iso, type MakeStore, refusal, storeHolding } from './support.ts';

export type MailWorkStore = MakeStore<
  | 'claimWork'
  | 'releaseWork'
  | 'recordSend'
  | 'finishStep'
  | 'escalate'
  | 'recordSentAttempt'
  | 'getSentAttempt'
  | 'getSentAttempts'
  | 'appendAudit'
  | 'createAssignment'
  | 'getAssignment'
  | 'recordAcknowledgement'
  | 'recordDeliveryAttempt'
  | 'queryDue'
>;

const attempt = (id: string, minute = 0): MailAttempt => ({ id, kind: 'invite', startedAt: iso(minute) });
const invite = { kind: 'invite' as const, tokenId: 't1', attemptId: 't1', messageId: 'ses-1', at: iso(1) };
const digest = { managerEmail: 'mia@example.org', day: '2026-11-24' };

export function describeMailWorkContract(name: string, make: MailWorkStore): void {
  /** A store holding `assignment` (by default a1, owing its invite at 10:15). */
  const holding = (assignment: Assignment = ask('a1')) => storeHolding(make, assignment);
  /** A store holding a1, signed, owing its receipt and both deliveries from 10:02. */
  const signed = async () => {
    const store = await holding();
    await store.recordAcknowledgement(
      'a1',
      anEvidence(aPolicy()),
      { webhook: { webhookId: 'msg_1' }, xapi: { statementId: 'st_1' } },
      at(2),
    );
    return store;
  };

  describe(`${name}: MailWork`, () => {
    describe('claimWork', () => {
      it('leases owed work, answering the assignment with the lease', async () => {
        // Prepare
        const store = await holding();

        // Act
        const claimed = await store.claimWork('a1', 'invite', at(0), at(2));

        // Assess
        expect(claimed).toEqual({ ...ask('a1'), leaseUntil: iso(2) });
        expect(await store.getAssignment('a1')).toEqual(claimed);
      });

      it('claims with no read first only while the lane holds no attempt of the step’s kind', async () => {
        // Prepare: an earlier invite's attempt on the lane, its worker's lease run out
        const store = await holding();
        const next = { id: 't2', kind: 'invite' as const, startedAt: iso(0) };
        await store.claimWork('a1', 'invite', at(0), at(1), undefined, {
          next: { id: 't1', kind: 'invite', startedAt: iso(0) },
          seen: undefined,
        });

        // Act: once its lease has run out, an invite's claim of that kind is refused
        const sameKind = await store.claimWork('a1', 'invite', at(5), at(7), undefined, {
          next,
          otherKindOnly: true,
        });

        // Assess
        expect(sameKind).toBeUndefined();
        expect(await store.getAssignment('a1')).toMatchObject({ attempt: { id: 't1' } });
      });

      it('claims with no read first when the lane holds no attempt, or another step’s', async () => {
        // Prepare: a1 with no attempt; a2 with a reminder's, now owing an invite (a fresh link)
        const store = await holding();
        await store.createAssignment(
          ask('a2', { attempt: { id: 'r1', kind: 'reminder', startedAt: iso(0) } }),
        );
        const next = { id: 't2', kind: 'invite' as const, startedAt: iso(0) };

        // Act
        const claimed = await store.claimWork('a1', 'invite', at(0), at(2), undefined, {
          next,
          otherKindOnly: true,
        });
        const other = await store.claimWork('a2', 'invite', at(0), at(2), undefined, {
          next,
          otherKindOnly: true,
        });

        // Assess
        expect(claimed).toMatchObject({ leaseUntil: iso(2), attempt: next });
        expect(other).toMatchObject({ leaseUntil: iso(2), attempt: next });
      });

      it('refuses a second lease while the first has not expired, up to its last instant', async () => {
        // Prepare
        const store = await holding();
        await store.claimWork('a1', 'invite', at(0), at(2));

        // Act
        const meanwhile = await store.claimWork('a1', 'invite', at(1), at(3));
        const atTheEnd = await store.claimWork('a1', 'invite', at(2), at(4));

        // Assess
        expect([meanwhile, atTheEnd]).toEqual([undefined, undefined]);
        expect(await store.getAssignment('a1')).toMatchObject({ leaseUntil: iso(2) });
      });

      it('leases the work again once the lease has expired, as a crashed worker leaves it', async () => {
        // Prepare
        const store = await holding();
        await store.claimWork('a1', 'invite', at(0), at(2));

        // Act
        const claimed = await store.claimWork('a1', 'invite', at(3), at(5));

        // Assess
        expect(claimed).toMatchObject({ leaseUntil: iso(5) });
      });

      it('refuses work of another kind than the lane owes, and an unknown assignment', async () => {
        // Prepare
        const store = await holding();

        // Act
        const claims = [
          await store.claimWork('a1', 'reminder', at(0), at(2)),
          await store.claimWork('a1', 'webhook', at(0), at(2)),
          await store.claimWork('a2', 'invite', at(0), at(2)),
        ];

        // Assess
        expect(claims).toEqual([undefined, undefined, undefined]);
        expect(await store.getAssignment('a1')).toEqual(ask('a1'));
      });

      it('leases only the step a message was sent for, when it names its due time', async () => {
        // Prepare
        const store = await holding();

        // Act
        const stale = await store.claimWork('a1', 'invite', at(0), at(2), iso(10));
        const current = await store.claimWork('a1', 'invite', at(0), at(2), ask('a1').dueAt);

        // Assess
        expect(stale).toBeUndefined();
        expect(current).toMatchObject({ leaseUntil: iso(2) });
      });

      it('records the email attempt with the lease while none has begun', async () => {
        // Prepare
        const store = await holding();

        // Act
        const claimed = await store.claimWork('a1', 'invite', at(0), at(2), undefined, {
          next: attempt('t1'),
          seen: undefined,
        });

        // Assess
        expect(claimed).toMatchObject({ leaseUntil: iso(2), attempt: attempt('t1') });
      });

      it('refuses a lease when an attempt began since the one seen, so none is overlooked', async () => {
        // Prepare: t1 began under a lease that then expired
        const store = await holding();
        await store.claimWork('a1', 'invite', at(0), at(2), undefined, {
          next: attempt('t1'),
          seen: undefined,
        });

        // Act
        const blind = await store.claimWork('a1', 'invite', at(3), at(5), undefined, {
          next: attempt('t2', 3),
          seen: undefined,
        });
        const stale = await store.claimWork('a1', 'invite', at(3), at(5), undefined, {
          next: attempt('t2', 3),
          seen: 't0',
        });
        const aware = await store.claimWork('a1', 'invite', at(3), at(5), undefined, {
          next: attempt('t2', 3),
          seen: 't1',
        });

        // Assess
        expect([blind, stale]).toEqual([undefined, undefined]);
        expect(aware).toMatchObject({ leaseUntil: iso(5), attempt: attempt('t2', 3) });
      });

      it('leases each delivery on its own lane, beside a lease on the mail lane', async () => {
        // Prepare
        const store = await signed();
        await store.claimWork('a1', 'receipt', at(2), at(4));

        // Act
        const lms = await store.claimWork('a1', 'webhook', at(2), at(4));
        const xapi = await store.claimWork('a1', 'xapi', at(2), at(5), iso(2));
        const lmsAgain = await store.claimWork('a1', 'webhook', at(3), at(5));

        // Assess
        expect(lms).toMatchObject({ leaseUntil: iso(4), webhookLeaseUntil: iso(4) });
        expect(xapi).toMatchObject({ webhookLeaseUntil: iso(4), xapiLeaseUntil: iso(5) });
        expect(lmsAgain).toBeUndefined();
      });

      it('refuses a delivery parked among the dead letters or delivered', async () => {
        // Prepare
        const store = await signed();
        const letter = { reason: 'rejected' as const, status: 422, at: iso(3) };
        await store.recordDeliveryAttempt('a1', 'webhook', {
          status: 422,
          at: at(3),
          outcome: { dead: letter },
        });
        await store.recordDeliveryAttempt('a1', 'xapi', {
          status: 200,
          at: at(3),
          outcome: { delivered: true },
        });

        // Act
        const claims = [
          await store.claimWork('a1', 'webhook', at(4), at(6)),
          await store.claimWork('a1', 'xapi', at(4), at(6)),
        ];

        // Assess
        expect(claims).toEqual([undefined, undefined]);
      });
    });

    describe('releaseWork', () => {
      it('gives the lease back, so the work can be leased again at once', async () => {
        // Prepare
        const store = await signed();
        await store.claimWork('a1', 'receipt', at(2), at(4));
        await store.claimWork('a1', 'webhook', at(2), at(4));

        // Act
        await store.releaseWork('a1', 'receipt');
        await store.releaseWork('a1', 'webhook');

        // Assess
        expect(await store.claimWork('a1', 'receipt', at(3), at(5))).toMatchObject({ leaseUntil: iso(5) });
        expect(await store.claimWork('a1', 'webhook', at(3), at(5))).toMatchObject({
          webhookLeaseUntil: iso(5),
        });
      });

      it('forgets the abandoned attempt with the lease while it is still the lane’s', async () => {
        // Prepare
        const store = await holding();
        await store.claimWork('a1', 'invite', at(0), at(2), undefined, {
          next: attempt('t1'),
          seen: undefined,
        });

        // Act
        await store.releaseWork('a1', 'invite', 't1');

        // Assess: the retry need not wait for word of t1
        const stored = await store.getAssignment('a1');
        expect(stored).not.toHaveProperty('attempt');
        expect(stored).not.toHaveProperty('leaseUntil');
        const retry = await store.claimWork('a1', 'invite', at(1), at(3), undefined, {
          next: attempt('t2', 1),
          seen: undefined,
        });
        expect(retry).toMatchObject({ attempt: attempt('t2', 1) });
      });

      it('leaves the lease and the attempt alone when another attempt has begun since', async () => {
        // Prepare
        const store = await holding();
        await store.claimWork('a1', 'invite', at(0), at(2), undefined, {
          next: attempt('t2'),
          seen: undefined,
        });

        // Act
        await store.releaseWork('a1', 'invite', 't1');

        // Assess
        expect(await store.getAssignment('a1')).toMatchObject({ leaseUntil: iso(2), attempt: attempt('t2') });
      });

      it('does nothing, without failing, when the work is no longer owed', async () => {
        // Prepare
        const store = await holding();
        await store.claimWork('a1', 'invite', at(0), at(2));

        // Act
        const releases = [
          store.releaseWork('a1', 'reminder'),
          store.releaseWork('a1', 'webhook'),
          store.releaseWork('a2', 'invite'),
        ];

        // Assess: and no stray item for an unknown one
        await expect(Promise.all(releases)).resolves.toBeDefined();
        expect(await store.getAssignment('a1')).toMatchObject({ leaseUntil: iso(2) });
        expect(await store.getAssignment('a2')).toBeUndefined();
      });
    });

    describe('recordSend', () => {
      it('records a sent invite, moving the status on and the lane to the next step, the attempt settled', async () => {
        // Prepare
        const store = await holding();
        await store.claimWork('a1', 'invite', at(0), at(2), undefined, {
          next: attempt('t1'),
          seen: undefined,
        });
        const chase = { invitedAt: iso(1), remindersSent: 0 };

        // Act
        await store.recordSend('a1', invite, {
          status: 'invited',
          chase,
          next: { kind: 'reminder', dueAt: at(60) },
        });

        // Assess
        const stored = await store.getAssignment('a1');
        expect(stored).toEqual({
          ...ask('a1'),
          status: 'invited',
          chase,
          sends: [invite],
          dueKind: 'reminder',
          dueAt: iso(60),
        });
        expect(stored).not.toHaveProperty('attempt');
        expect(await store.queryDue(at(60), 10)).toEqual([
          { assignmentId: 'a1', dueAt: iso(60), dueKind: 'reminder' },
        ]);
      });

      it('appends each send, and owes nothing after the last email of a chase', async () => {
        // Prepare
        const reminder = { ...invite, kind: 'reminder' as const, messageId: 'ses-2', at: iso(2) };
        const store = await holding(ask('a1', { status: 'invited', dueKind: 'reminder', sends: [invite] }));
        await store.claimWork('a1', 'reminder', at(0), at(2));

        // Act
        await store.recordSend('a1', reminder, { chase: { invitedAt: iso(1), remindersSent: 1 } });

        // Assess
        const stored = await store.getAssignment('a1');
        expect(stored).toMatchObject({
          status: 'invited',
          sends: [invite, reminder],
          chase: { remindersSent: 1 },
        });
        for (const gone of ['dueAt', 'dueKind', 'leaseUntil']) expect(stored).not.toHaveProperty(gone);
        expect(await store.queryDue(at(60 * 24), 10)).toEqual([]);
      });

      it('lets the next step of the same kind be claimed with no read first, its attempt settled', async () => {
        // Prepare: the first reminder leased under its attempt and recorded, a second owed
        const first = { id: 'r1', kind: 'reminder' as const, startedAt: iso(0) };
        const store = await holding(ask('a1', { status: 'invited', dueKind: 'reminder', sends: [invite] }));
        await store.claimWork('a1', 'reminder', at(0), at(2), undefined, { next: first, seen: undefined });
        const sent = {
          kind: 'reminder' as const,
          messageId: 'ses-2',
          at: iso(1),
          attemptId: 'r1',
          tokenId: 'r1',
        };
        await store.recordSend('a1', sent, {
          chase: { invitedAt: iso(0), remindersSent: 1 },
          next: { kind: 'reminder', dueAt: at(60) },
        });

        // Act
        const second = { id: 'r2', kind: 'reminder' as const, startedAt: iso(60) };
        const claimed = await store.claimWork('a1', 'reminder', at(60), at(62), undefined, {
          next: second,
          otherKindOnly: true,
        });

        // Assess
        expect(claimed).toMatchObject({ leaseUntil: iso(62), attempt: second, sends: [invite, sent] });
      });

      it('refuses to record without the lease, or once the step is recorded, changing nothing', async () => {
        // Prepare
        const store = await holding();

        // Act
        const unleased = await refusal(store.recordSend('a1', invite));
        await store.claimWork('a1', 'invite', at(0), at(2));
        await store.recordSend('a1', invite, { next: { kind: 'reminder', dueAt: at(60) } });
        const again = await refusal(store.recordSend('a1', invite));
        await store.claimWork('a1', 'reminder', at(0), at(2));
        await store.releaseWork('a1', 'reminder');
        const released = await refusal(store.recordSend('a1', { ...invite, kind: 'reminder' }));

        // Assess
        for (const refused of [unleased, again, released]) expect(refused).toMatchObject(CONDITION_FAILED);
        expect(await store.getAssignment('a1')).toMatchObject({ sends: [invite], dueKind: 'reminder' });
      });
    });

    describe('finishStep', () => {
      it('clears a step that needs no email, for its lease holder only', async () => {
        // Prepare
        const store = await holding(ask('a1', { status: 'invited', dueKind: 'reminder' }));

        // Act
        const unleased = await refusal(store.finishStep('a1', 'reminder'));
        await store.claimWork('a1', 'reminder', at(0), at(2));
        await store.finishStep('a1', 'reminder');
        const again = await refusal(store.finishStep('a1', 'reminder'));

        // Assess
        expect(unleased).toMatchObject(CONDITION_FAILED);
        expect(again).toMatchObject(CONDITION_FAILED);
        const stored = await store.getAssignment('a1');
        for (const gone of ['dueAt', 'dueKind', 'leaseUntil']) expect(stored).not.toHaveProperty(gone);
      });
    });

    describe('escalate', () => {
      it("marks the assignment overdue in the manager's digest, owing the digest email then", async () => {
        // Prepare
        const store = await holding(ask('a1', { status: 'invited', dueKind: 'escalation' }));
        await store.claimWork('a1', 'escalation', at(0), at(2));

        // Act
        await store.escalate('a1', { at: at(1), digest, digestDueAt: at(16) });

        // Assess
        const stored = await store.getAssignment('a1');
        expect(stored).toMatchObject({
          status: 'overdue',
          escalatedAt: iso(1),
          digest,
          dueKind: 'digest',
          dueAt: iso(16),
        });
        expect(stored).not.toHaveProperty('leaseUntil');
        expect(await store.queryDue(at(16), 10)).toEqual([
          { assignmentId: 'a1', dueAt: iso(16), dueKind: 'digest' },
        ]);
      });

      it('marks it overdue owing nothing more, without a digest to send', async () => {
        // Prepare
        const store = await holding(ask('a1', { status: 'invited', dueKind: 'escalation' }));
        await store.claimWork('a1', 'escalation', at(0), at(2));

        // Act
        await store.escalate('a1', { at: at(1), digest });

        // Assess
        const stored = await store.getAssignment('a1');
        expect(stored).toMatchObject({ status: 'overdue', digest });
        for (const gone of ['dueAt', 'dueKind', 'leaseUntil']) expect(stored).not.toHaveProperty(gone);
      });

      it('marks an assignment without a manager overdue, with no digest, owing nothing more', async () => {
        // Prepare
        const store = await holding(ask('a1', { status: 'invited', dueKind: 'escalation' }));
        await store.claimWork('a1', 'escalation', at(0), at(2));

        // Act
        await store.escalate('a1', { at: at(1) });

        // Assess
        const stored = await store.getAssignment('a1');
        expect(stored).toMatchObject({ status: 'overdue', escalatedAt: iso(1) });
        for (const gone of ['digest', 'dueAt', 'dueKind', 'leaseUntil'])
          expect(stored).not.toHaveProperty(gone);
      });

      it('refuses to escalate without the escalation’s lease', async () => {
        // Prepare
        const store = await holding(ask('a1', { status: 'invited', dueKind: 'escalation' }));
        const other = await holding(ask('a1', { status: 'invited', dueKind: 'reminder' }));
        await other.claimWork('a1', 'reminder', at(0), at(2));

        // Act
        const unleased = await refusal(store.escalate('a1', { at: at(1) }));
        const notEscalating = await refusal(other.escalate('a1', { at: at(1) }));

        // Assess
        expect(unleased).toMatchObject(CONDITION_FAILED);
        expect(notEscalating).toMatchObject(CONDITION_FAILED);
        expect(await store.getAssignment('a1')).toMatchObject({ status: 'invited', dueKind: 'escalation' });
      });
    });

    describe('recordSentAttempt', () => {
      it('notes the message id an attempt was sent as, the first note standing', async () => {
        // Prepare
        const store = await holding();

        // Act
        await store.recordSentAttempt('a1', 't1', 'ses-1', at(1));
        await store.recordSentAttempt('a1', 't1', 'ses-again', at(2));

        // Assess
        expect(await store.getSentAttempt('a1', 't1')).toBe('ses-1');
      });

      it('answers undefined for an attempt SES has not reported, each assignment’s apart', async () => {
        // Prepare
        const store = await holding();
        await store.recordSentAttempt('a1', 't1', 'ses-1', at(1));

        // Act
        const unreported = [await store.getSentAttempt('a1', 't2'), await store.getSentAttempt('a2', 't1')];

        // Assess
        expect(unreported).toEqual([undefined, undefined]);
        expect(await store.getAssignment('a1')).toEqual(ask('a1'));
      });

      it('lists every attempt SES reported for an assignment, by when, and nothing of its audit trail', async () => {
        // Prepare
        const store = await holding();
        await store.recordSentAttempt('a1', 't2', 'ses-2', at(3));
        await store.recordSentAttempt('a1', 't1', 'ses-1', at(1));
        await store.recordSentAttempt('a1', 't1', 'ses-again', at(4));
        await store.recordSentAttempt('a2', 't9', 'ses-9', at(2));
        await store.appendAudit('a1', 'invited', at(1), { tokenId: 't1' });

        // Act
        const reported = await store.getSentAttempts('a1');

        // Assess
        expect(reported).toEqual([
          { attemptId: 't1', messageId: 'ses-1', at: iso(1) },
          { attemptId: 't2', messageId: 'ses-2', at: iso(3) },
        ]);
        expect(await store.getSentAttempts('a3')).toEqual([]);
      });
    });
  });
}

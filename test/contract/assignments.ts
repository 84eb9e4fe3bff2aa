// The contract of assignments: created once, and each change of status refused unless its state allows it.
import { describe, expect, it } from 'vitest';
import { type Assignment, type DeclineEvidence, MAX_DECLINES } from '#shared/core/model.ts';
import { anEvidence, aPolicy } from '../support/fakes.ts';
import { ask, at, iso, type MakeStore, storeHolding } from './support.ts';

export type AssignmentsStore = MakeStore<
  | 'createAssignment'
  | 'getAssignment'
  | 'getAssignments'
  | 'cancelAssignment'
  | 'reopenBounced'
  | 'retold'
  | 'reopenCancelled'
  | 'markBounced'
  | 'requestFreshLink'
  | 'recordAcknowledgement'
  | 'recordDecline'
  | 'laneDue'
  | 'queryDue'
>;

const bounce = { reason: 'bounced' as const, email: 'ada@example.org', at: iso(0) };
const evidence = anEvidence(aPolicy(), { evidenceId: 'ev_first' });
const bothDestinations = { webhook: { webhookId: 'msg_1' }, xapi: { statementId: 'st_1' } };
/** A decline as the page records it, at minute `m`. */
const declineAt = (m: number): DeclineEvidence => ({
  declineId: `ev_decline_${m}`,
  declinedAt: iso(m),
  policyId: evidence.policyId,
  policyVersion: evidence.policyVersion,
  policyTitle: evidence.policyTitle,
  policySha256: evidence.policySha256,
  statement: evidence.statement,
  typedName: 'Ada Lovelace',
  reason: 'I do not agree with clause 4.',
  ipAddress: '203.0.113.7',
  userAgent: 'Mozilla/5.0',
  tokenId: 'AAAAAAAAAAA',
  messageId: 'ses-1',
});
/** The mail lane and its lease and attempt, as an assignment owing nothing holds none of them. */
const MAIL_LANE = ['dueAt', 'dueKind', 'leaseUntil'] as const;

export function describeAssignmentsContract(name: string, make: AssignmentsStore): void {
  const holding = (...assignments: Assignment[]) => storeHolding(make, ...assignments);

  describe(`${name}: Assignments`, () => {
    describe('createAssignment', () => {
      it('creates an absent assignment and returns it as stored', async () => {
        // Prepare
        const store = await make();
        const assignment = ask('a1', { reason: 'reacknowledge' });

        // Act
        const created = await store.createAssignment(assignment);

        // Assess
        expect(created).toEqual(assignment);
        expect(await store.getAssignment('a1')).toEqual(assignment);
      });

      it('returns the stored assignment, unchanged, when it exists already', async () => {
        // Prepare
        const first = ask('a1', { status: 'invited', chase: { invitedAt: iso(0), remindersSent: 1 } });
        const store = await holding(first);

        // Act
        const second = await store.createAssignment(ask('a1'));

        // Assess
        expect(second).toEqual(first);
        expect(await store.getAssignment('a1')).toEqual(first);
      });

      it('answers undefined for an assignment never created', async () => {
        // Prepare
        const store = await holding(ask('a1'));

        // Act
        const assignment = await store.getAssignment('a2');

        // Assess
        expect(assignment).toBeUndefined();
      });
    });

    describe('getAssignments', () => {
      it('reads more than a hundred assignments at once by id, each once, leaving out those not created', async () => {
        // Prepare
        const assignments = Array.from({ length: 120 }, (_, i) => ask(`a${i}`));
        const store = await holding(...assignments);

        // Act
        const found = await store.getAssignments(['gone', ...assignments.map((a) => a.assignmentId), 'a0']);

        // Assess
        expect(found.size).toBe(120);
        expect(found.has('gone')).toBe(false);
        for (const assignment of assignments) expect(found.get(assignment.assignmentId)).toEqual(assignment);
      });
    });

    describe('cancelAssignment', () => {
      it('cancels an unsigned assignment, which owes no email any more', async () => {
        // Prepare
        const store = await holding(ask('a1', { leaseUntil: iso(1) }));

        // Act
        const cancelled = await store.cancelAssignment('a1', at(2));

        // Assess
        expect(cancelled).toBe(true);
        const stored = await store.getAssignment('a1');
        expect(stored).toMatchObject({ status: 'cancelled', cancelledAt: iso(2) });
        for (const gone of MAIL_LANE) expect(stored).not.toHaveProperty(gone);
        expect(await store.queryDue(at(60), 10)).toEqual([]);
      });

      it('records the assignment of a newer version that supersedes it', async () => {
        // Prepare
        const store = await holding(ask('a1'));

        // Act
        await store.cancelAssignment('a1', at(2), { assignmentId: 'a2', version: 4 });

        // Assess
        expect(await store.getAssignment('a1')).toMatchObject({
          status: 'cancelled',
          supersededBy: { assignmentId: 'a2', version: 4 },
        });
      });

      it('refuses to cancel a signed assignment or one never created', async () => {
        // Prepare
        const signed = ask('a1', {
          status: 'acknowledged',
          ack: evidence,
          dueAt: undefined,
          dueKind: undefined,
        });
        const store = await holding(signed);

        // Act
        const refused = [
          await store.cancelAssignment('a1', at(2)),
          await store.cancelAssignment('a2', at(2)),
        ];

        // Assess
        expect(refused).toEqual([false, false]);
        expect(await store.getAssignment('a1')).toEqual(signed);
        expect(await store.getAssignment('a2')).toBeUndefined();
      });
    });

    describe('markBounced', () => {
      it('leaves a declined assignment declined: the person answered', async () => {
        // Prepare
        const store = await holding(ask('a1', { status: 'declined', declines: [declineAt(1)] }));

        // Act
        const marked = await store.markBounced('a1', bounce, at(5));

        // Assess
        expect(marked).toBe(false);
        expect(await store.getAssignment('a1')).toEqual(
          ask('a1', { status: 'declined', declines: [declineAt(1)] }),
        );
      });

      it("marks an unsigned assignment bounced, stopping the chase and owing the manager's notice", async () => {
        // Prepare
        const store = await holding(
          ask('a1', { status: 'invited', dueKind: 'reminder', leaseUntil: iso(1) }),
        );

        // Act
        const changed = await store.markBounced('a1', bounce, at(3));

        // Assess
        expect(changed).toBe(true);
        const stored = await store.getAssignment('a1');
        expect(stored).toMatchObject({ status: 'bounced', bounce, dueKind: 'bounce-notice', dueAt: iso(3) });
        expect(stored).not.toHaveProperty('leaseUntil');
        expect(await store.queryDue(at(3), 10)).toEqual([
          { assignmentId: 'a1', dueAt: iso(3), dueKind: 'bounce-notice' },
        ]);
      });

      it('marks it bounced owing no email when there is no manager to tell', async () => {
        // Prepare
        const store = await holding(ask('a1', { status: 'invited' }));

        // Act
        const changed = await store.markBounced('a1', { ...bounce, reason: 'complained' }, undefined);

        // Assess
        expect(changed).toBe(true);
        const stored = await store.getAssignment('a1');
        expect(stored).toMatchObject({ status: 'bounced', bounce: { reason: 'complained' } });
        for (const gone of MAIL_LANE) expect(stored).not.toHaveProperty(gone);
      });

      it('refuses to mark a signed, cancelled, already bounced or unknown assignment, changing nothing', async () => {
        // Prepare
        const signed = ask('signed', { status: 'acknowledged', ack: evidence, dueKind: 'receipt' });
        const cancelled = ask('cancelled', { status: 'cancelled', dueAt: undefined, dueKind: undefined });
        const bounced = ask('bounced', { status: 'bounced', bounce, dueAt: undefined, dueKind: undefined });
        const store = await holding(signed, cancelled, bounced);

        // Act
        const changed = await Promise.all(
          ['signed', 'cancelled', 'bounced', 'unknown'].map((id) => store.markBounced(id, bounce, at(3))),
        );

        // Assess
        expect(changed).toEqual([false, false, false, false]);
        expect(await store.getAssignments(['signed', 'cancelled', 'bounced', 'unknown'])).toEqual(
          new Map([
            ['signed', signed],
            ['cancelled', cancelled],
            ['bounced', bounced],
          ]),
        );
      });
    });

    describe('reopenBounced', () => {
      it('owes the invite again from the time given, forgetting the bounce and the last attempt', async () => {
        // Prepare
        const attempt = { id: 't1', kind: 'invite' as const, startedAt: iso(0) };
        const store = await holding(
          ask('a1', { status: 'bounced', bounce, attempt, dueAt: undefined, dueKind: undefined }),
        );

        // Act
        const reopened = await store.reopenBounced('a1', at(5));

        // Assess
        expect(reopened).toBe(true);
        const stored = await store.getAssignment('a1');
        expect(stored).toMatchObject({ status: 'pending', dueKind: 'invite', dueAt: iso(5) });
        for (const gone of ['bounce', 'attempt', 'leaseUntil']) expect(stored).not.toHaveProperty(gone);
        expect(await store.laneDue('a1', 'invite')).toEqual({
          assignmentId: 'a1',
          dueAt: iso(5),
          dueKind: 'invite',
        });
      });

      it('refuses an assignment that is not bounced, or unknown', async () => {
        // Prepare
        const invited = ask('a1', { status: 'invited' });
        const store = await holding(invited);

        // Act
        const reopened = [await store.reopenBounced('a1', at(5)), await store.reopenBounced('a2', at(5))];

        // Assess
        expect(reopened).toEqual([false, false]);
        expect(await store.getAssignment('a1')).toEqual(invited);
      });
    });

    describe('retold', () => {
      it('dates a new address on an ask not yet signed, changing nothing else', async () => {
        // Prepare
        const invited = ask('a1', { status: 'invited', timeZone: 'Europe/London' });
        const store = await holding(invited);

        // Act
        const marked = await store.retold('a1', { emailSince: at(5) });

        // Assess
        expect(marked).toBe(true);
        expect(await store.getAssignment('a1')).toEqual({ ...invited, emailSince: iso(5) });
      });

      it('keeps a new time zone on an ask not yet signed, changing nothing else', async () => {
        // Prepare
        const invited = ask('a1', { status: 'invited', timeZone: 'Europe/London' });
        const store = await holding(invited);

        // Act
        const marked = await store.retold('a1', { timeZone: 'America/New_York' });

        // Assess
        expect(marked).toBe(true);
        expect(await store.getAssignment('a1')).toEqual({ ...invited, timeZone: 'America/New_York' });
      });

      it('keeps both at once', async () => {
        // Prepare
        const invited = ask('a1', { status: 'invited', timeZone: 'Europe/London' });
        const store = await holding(invited);

        // Act
        const marked = await store.retold('a1', { emailSince: at(5), timeZone: 'Asia/Tokyo' });

        // Assess
        expect(marked).toBe(true);
        expect(await store.getAssignment('a1')).toEqual({
          ...invited,
          emailSince: iso(5),
          timeZone: 'Asia/Tokyo',
        });
      });

      it('gives a zone to an ask made before zones were kept', async () => {
        // Prepare
        const invited = ask('a1', { status: 'invited' });
        const store = await holding(invited);

        // Act
        const marked = await store.retold('a1', { timeZone: 'Europe/London' });

        // Assess
        expect(marked).toBe(true);
        expect(await store.getAssignment('a1')).toEqual({ ...invited, timeZone: 'Europe/London' });
      });

      it('refuses a signed ask, which keeps the zone it was signed in, or one unknown, writing nothing', async () => {
        // Prepare
        const store = await holding(ask('a1', { status: 'invited', timeZone: 'Europe/London' }));
        await store.recordAcknowledgement('a1', evidence, {}, at(1));
        const signed = await store.getAssignment('a1');
        const change = { emailSince: at(5), timeZone: 'Asia/Tokyo' };

        // Act
        const marked = [await store.retold('a1', change), await store.retold('a2', change)];

        // Assess
        expect(marked).toEqual([false, false]);
        expect(await store.getAssignment('a1')).toEqual(signed);
        expect(signed?.timeZone).toBe('Europe/London');
        expect(await store.getAssignment('a2')).toBeUndefined();
      });
    });

    describe('reopenCancelled', () => {
      it('owes a fresh invite on an ask cancelled with its starter, its chase started afresh', async () => {
        // Prepare
        const store = await holding(
          ask('a1', {
            status: 'invited',
            chase: { invitedAt: iso(0), remindersSent: 2 },
            digest: { managerEmail: 'mia@example.org', day: '2026-11-24' },
            attempt: { id: 't1', kind: 'reminder', startedAt: iso(0) },
          }),
        );
        await store.cancelAssignment('a1', at(1));

        // Act
        const reopened = await store.reopenCancelled('a1', { dueAt: at(5) });

        // Assess
        expect(reopened).toBe(true);
        const stored = await store.getAssignment('a1');
        expect(stored).toMatchObject({ status: 'pending', dueKind: 'invite', dueAt: iso(5) });
        for (const gone of ['cancelledAt', 'chase', 'digest', 'attempt', 'leaseUntil']) {
          expect(stored).not.toHaveProperty(gone);
        }
        expect(await store.queryDue(at(5), 10)).toEqual([
          { assignmentId: 'a1', dueAt: iso(5), dueKind: 'invite' },
        ]);
      });

      it('makes an ask cancelled with its starter bounced again, owing nothing, keeping why', async () => {
        // Prepare
        const store = await holding(
          ask('a1', { status: 'bounced', bounce, dueAt: undefined, dueKind: undefined }),
        );
        await store.cancelAssignment('a1', at(1));

        // Act
        const reopened = await store.reopenCancelled('a1', { bounced: true });

        // Assess
        expect(reopened).toBe(true);
        const stored = await store.getAssignment('a1');
        expect(stored).toMatchObject({ status: 'bounced', bounce });
        for (const gone of ['cancelledAt', ...MAIL_LANE]) expect(stored).not.toHaveProperty(gone);
      });

      it('refuses an ask withdrawn for a newer version, a signed one, or one not cancelled', async () => {
        // Prepare
        const store = await holding(
          ask('superseded'),
          ask('signed', { status: 'acknowledged', ack: evidence }),
          ask('invited', { status: 'invited' }),
        );
        await store.cancelAssignment('superseded', at(1), { assignmentId: 'newer', version: 4 });

        // Act
        const reopened = await Promise.all(
          ['superseded', 'signed', 'invited', 'unknown'].map((id) =>
            store.reopenCancelled(id, { dueAt: at(5) }),
          ),
        );

        // Assess
        expect(reopened).toEqual([false, false, false, false]);
        expect(await store.getAssignment('superseded')).toMatchObject({ status: 'cancelled' });
        expect(await store.getAssignment('invited')).toEqual(ask('invited', { status: 'invited' }));
      });
    });

    describe('recordDecline', () => {
      it('appends the decline, makes it declined and owes the notice in place of the chase, in one write', async () => {
        // Prepare
        const store = await holding(
          ask('a1', { status: 'invited', dueKind: 'reminder', leaseUntil: iso(1) }),
        );

        // Act
        const first = await store.recordDecline('a1', declineAt(2), at(3));
        const second = await store.recordDecline('a1', declineAt(4), at(5));

        // Assess
        const expected = ask('a1', {
          status: 'declined',
          declines: [declineAt(2), declineAt(4)],
          dueKind: 'decline-notice',
          dueAt: iso(5),
        });
        expect(first.recorded).toBe(true);
        expect(second).toEqual({ recorded: true, assignment: expected });
        expect(await store.getAssignment('a1')).toEqual(expected);
        expect((await store.queryDue(at(5), 10)).map((d) => d.dueKind)).toEqual(['decline-notice']);
      });

      it('refuses a signed, a cancelled or a full assignment, changing nothing', async () => {
        // Prepare
        const full = Array.from({ length: MAX_DECLINES }, (_, i) => declineAt(i));
        const store = await holding(
          ask('signed', { status: 'acknowledged', ack: evidence, dueAt: undefined, dueKind: undefined }),
          ask('cancelled', { status: 'cancelled', dueAt: undefined, dueKind: undefined }),
          ask('full', { status: 'declined', declines: full, dueAt: undefined, dueKind: undefined }),
        );

        // Act
        const outcomes = await Promise.all(
          ['signed', 'cancelled', 'full'].map((id) => store.recordDecline(id, declineAt(30), at(31))),
        );

        // Assess
        expect(outcomes.map((o) => [o.recorded, o.assignment.status])).toEqual([
          [false, 'acknowledged'],
          [false, 'cancelled'],
          [false, 'declined'],
        ]);
        expect((await store.getAssignment('full'))?.declines).toEqual(full);
      });

      it('lets a declined assignment be agreed to later, keeping its declines', async () => {
        // Prepare
        const store = await holding(ask('a1', { status: 'invited' }));
        await store.recordDecline('a1', declineAt(2), at(3), at(600));

        // Act
        const outcome = await store.recordAcknowledgement('a1', evidence, {}, at(4), at(900));

        // Assess
        expect(outcome.recorded).toBe(true);
        expect(outcome.assignment).toMatchObject({
          status: 'acknowledged',
          ack: evidence,
          declines: [declineAt(2)],
          dueKind: 'receipt',
          // The decline's reduce-ip step, sooner, stands.
          retainStep: 'reduce-ip',
          retainAt: iso(600),
        });
      });
    });

    describe('recordAcknowledgement', () => {
      it('records the evidence, owing the receipt and each delivery from the time given', async () => {
        // Prepare
        const store = await holding(
          ask('a1', { status: 'invited', dueKind: 'reminder', leaseUntil: iso(1) }),
        );

        // Act
        const outcome = await store.recordAcknowledgement('a1', evidence, bothDestinations, at(2));

        // Assess
        const expected = {
          ...ask('a1', { status: 'acknowledged', ack: evidence, dueKind: 'receipt', dueAt: iso(2) }),
          webhook: { state: 'pending', attempts: 0, webhookId: 'msg_1' },
          webhookDueAt: iso(2),
          xapi: { state: 'pending', attempts: 0, statementId: 'st_1' },
          xapiDueAt: iso(2),
        };
        expect(outcome).toEqual({ recorded: true, assignment: expected });
        expect(await store.getAssignment('a1')).toEqual(expected);
      });

      it('makes the receipt and the deliveries due in their lanes', async () => {
        // Prepare
        const store = await holding(ask('a1', { status: 'invited' }));

        // Act
        await store.recordAcknowledgement('a1', evidence, bothDestinations, at(2));

        // Assess
        const due = await store.queryDue(at(2), 10);
        expect(due.map((d) => d.dueKind).sort()).toEqual(['receipt', 'webhook', 'xapi']);
        expect(due.every((d) => d.assignmentId === 'a1' && d.dueAt === iso(2))).toBe(true);
        expect(await store.laneDue('a1', 'webhook')).toEqual({
          assignmentId: 'a1',
          dueAt: iso(2),
          dueKind: 'webhook',
        });
      });

      it('owes only the deliveries given, leaving the other lane empty', async () => {
        // Prepare
        const store = await holding(ask('a1'));

        // Act
        const { assignment } = await store.recordAcknowledgement(
          'a1',
          evidence,
          { xapi: { statementId: 'st_1' } },
          at(2),
        );

        // Assess
        expect(assignment).not.toHaveProperty('webhook');
        expect(assignment).not.toHaveProperty('webhookDueAt');
        expect(await store.laneDue('a1', 'webhook')).toBeUndefined();
        expect(await store.laneDue('a1', 'xapi')).toEqual({
          assignmentId: 'a1',
          dueAt: iso(2),
          dueKind: 'xapi',
        });
      });

      it('records the agreement of an overdue or bounced assignment, signed through a link already sent', async () => {
        // Prepare
        const store = await holding(
          ask('overdue', { status: 'overdue', dueAt: undefined, dueKind: undefined }),
          ask('bounced', { status: 'bounced', bounce, dueAt: undefined, dueKind: undefined }),
        );

        // Act
        const outcomes = [
          await store.recordAcknowledgement('overdue', evidence, {}, at(2)),
          await store.recordAcknowledgement('bounced', evidence, {}, at(2)),
        ];

        // Assess
        expect(outcomes.map((o) => [o.recorded, o.assignment.status])).toEqual([
          [true, 'acknowledged'],
          [true, 'acknowledged'],
        ]);
      });

      it('records once: a second agreement is answered with the first, unrecorded', async () => {
        // Prepare
        const store = await holding(ask('a1'));
        const first = await store.recordAcknowledgement('a1', evidence, bothDestinations, at(2));

        // Act
        const second = await store.recordAcknowledgement(
          'a1',
          anEvidence(aPolicy(), { evidenceId: 'ev_second' }),
          { webhook: { webhookId: 'msg_2' } },
          at(3),
        );

        // Assess
        expect(second).toEqual({ recorded: false, assignment: first.assignment });
        expect(await store.getAssignment('a1')).toEqual(first.assignment);
      });

      it('refuses a cancelled assignment, answering it as stored, and an unknown one', async () => {
        // Prepare
        const store = await holding(ask('a1'));
        await store.cancelAssignment('a1', at(1));
        const cancelled = await store.getAssignment('a1');

        // Act
        const outcomes = [
          await store.recordAcknowledgement('a1', evidence, bothDestinations, at(2)),
          await store.recordAcknowledgement('a2', evidence, bothDestinations, at(2)),
        ];

        // Assess
        expect(outcomes).toEqual([
          { recorded: false, assignment: cancelled },
          { recorded: false, assignment: undefined },
        ]);
        expect(await store.queryDue(at(60), 10)).toEqual([]);
      });
    });

    describe('requestFreshLink', () => {
      it('makes a fresh invite owed now in place of an owed reminder, forgetting the last attempt', async () => {
        // Prepare
        const attempt = { id: 't1', kind: 'invite' as const, startedAt: iso(0) };
        const store = await holding(
          ask('a1', { status: 'invited', dueKind: 'reminder', dueAt: iso(60), attempt }),
        );

        // Act
        const granted = await store.requestFreshLink('a1', at(2), at(-15));

        // Assess
        expect(granted).toBe(true);
        const stored = await store.getAssignment('a1');
        expect(stored).toMatchObject({ dueKind: 'invite', dueAt: iso(2) });
        expect(stored).not.toHaveProperty('attempt');
        expect(await store.queryDue(at(2), 10)).toEqual([
          { assignmentId: 'a1', dueAt: iso(2), dueKind: 'invite' },
        ]);
      });

      it('grants a fresh link to an assignment owing nothing', async () => {
        // Prepare
        const store = await holding(ask('a1', { status: 'invited', dueAt: undefined, dueKind: undefined }));

        // Act
        const granted = await store.requestFreshLink('a1', at(2), at(-15));

        // Assess
        expect(granted).toBe(true);
        expect(await store.laneDue('a1', 'invite')).toEqual({
          assignmentId: 'a1',
          dueAt: iso(2),
          dueKind: 'invite',
        });
      });

      it('refuses a second fresh link asked for since the time given, granting one asked for before it', async () => {
        // Prepare
        const store = await holding(ask('a1', { status: 'invited' }));
        await store.requestFreshLink('a1', at(0), at(-15));

        // Act
        const soon = await store.requestFreshLink('a1', at(5), at(-10));
        const later = await store.requestFreshLink('a1', at(20), at(5));

        // Assess
        expect([soon, later]).toEqual([false, true]);
        expect(await store.getAssignment('a1')).toMatchObject({ dueAt: iso(20) });
      });

      it('refuses a signed, cancelled, bounced or unknown assignment, or one owing another email', async () => {
        // Prepare
        const none = { dueAt: undefined, dueKind: undefined };
        const store = await holding(
          ask('signed', { status: 'acknowledged', ack: evidence, dueKind: 'receipt' }),
          ask('cancelled', { status: 'cancelled', ...none }),
          ask('bounced', { status: 'bounced', bounce, ...none }),
          ask('escalating', { status: 'invited', dueKind: 'escalation' }),
        );

        // Act
        const granted = await Promise.all(
          ['signed', 'cancelled', 'bounced', 'escalating', 'unknown'].map((id) =>
            store.requestFreshLink(id, at(2), at(-15)),
          ),
        );

        // Assess
        expect(granted).toEqual([false, false, false, false, false]);
        expect(await store.laneDue('escalating', 'escalation')).toMatchObject({ dueKind: 'escalation' });
      });
    });
  });
}

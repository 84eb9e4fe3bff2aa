// The contract of retention: the step each assignment owes in the `retain` index, each taken conditionally, and the expiry DynamoDB's TTL acts on.
import { describe, expect, it } from 'vitest';
import type { Assignment } from '#shared/core/model.ts';
import { anEvidence, aPolicy, aStarter } from '../support/fakes.ts';
import { ask, at, iso, type MakeStore, storeHolding } from './support.ts';

export type RetentionStore = MakeStore<
  | 'queryRetention'
  | 'noteLeaving'
  | 'clearLeaving'
  | 'reduceEvidence'
  | 'moveRetention'
  | 'expireAssignment'
  | 'expireStarter'
  | 'createAssignment'
  | 'getAssignment'
  | 'recordAcknowledgement'
  | 'putStarter'
>;

/** A signed assignment owing reduce-ip at minute `minute`. */
const signedOwing = (id: string, minute: number, overrides: Partial<Assignment> = {}) =>
  ask(id, {
    status: 'acknowledged',
    dueAt: undefined,
    dueKind: undefined,
    ack: anEvidence(aPolicy(), { ipAddress: '203.0.113.7', userAgent: 'Mozilla/5.0' }),
    retainStep: 'reduce-ip',
    retainAt: iso(minute),
    ...overrides,
  });

/** An unsigned leaver's assignment owing expire at minute `minute`. */
const leaverOwing = (id: string, minute: number) =>
  ask(id, {
    status: 'cancelled',
    dueAt: undefined,
    dueKind: undefined,
    leftAt: iso(0),
    retainStep: 'expire',
    retainAt: iso(minute),
  });

export function describeRetentionContract(name: string, make: RetentionStore): void {
  const holding = (...assignments: Assignment[]) => storeHolding(make, ...assignments);

  describe(`${name}: Retention`, () => {
    it('lists the steps due by the time given, oldest first, at most the limit, and no assignment owing none', async () => {
      // Prepare
      const store = await holding(
        signedOwing('r3', 3),
        leaverOwing('e1', 1),
        signedOwing('r2', 2),
        leaverOwing('later', 9),
        ask('none'),
      );

      // Act
      const due = await store.queryRetention(at(5), 10);
      const limited = await store.queryRetention(at(5), 2);

      // Assess
      expect(due).toEqual([
        { assignmentId: 'e1', retainAt: iso(1), retainStep: 'expire' },
        { assignmentId: 'r2', retainAt: iso(2), retainStep: 'reduce-ip' },
        { assignmentId: 'r3', retainAt: iso(3), retainStep: 'reduce-ip' },
      ]);
      expect(limited.map((d) => d.assignmentId)).toEqual(['e1', 'r2']);
    });

    it('owes reduce-ip in the acknowledgement’s own write when asked to', async () => {
      // Prepare
      const store = await holding(ask('a1'), ask('a2'));

      // Act
      await store.recordAcknowledgement('a1', anEvidence(), {}, at(2), at(4));
      await store.recordAcknowledgement('a2', anEvidence(), {}, at(2));

      // Assess
      expect(await store.queryRetention(at(10), 10)).toEqual([
        { assignmentId: 'a1', retainAt: iso(4), retainStep: 'reduce-ip' },
      ]);
    });

    describe('noteLeaving', () => {
      it('notes the leaving and owes expire; a repeat keeps the first time and step', async () => {
        // Prepare
        const store = await holding(ask('a1', { status: 'cancelled' }));

        // Act
        const noted = await store.noteLeaving('a1', at(1), at(5));
        await store.noteLeaving('a1', at(2), at(7));

        // Assess
        expect(noted).toBe(true);
        expect(await store.getAssignment('a1')).toMatchObject({
          leftAt: iso(1),
          retainStep: 'expire',
          retainAt: iso(5),
        });
        expect(await store.queryRetention(at(5), 10)).toHaveLength(1);
      });

      it('keeps a reduce-ip owed first', async () => {
        // Prepare
        const store = await holding(signedOwing('a1', 3));

        // Act
        await store.noteLeaving('a1', at(1), at(9));

        // Assess
        expect(await store.getAssignment('a1')).toMatchObject({
          leftAt: iso(1),
          retainStep: 'reduce-ip',
          retainAt: iso(3),
        });
      });

      it('answers false for no such assignment, and writes none', async () => {
        // Prepare
        const store = await holding();

        // Act and assess
        expect(await store.noteLeaving('ghost', at(1), at(2))).toBe(false);
        expect(await store.getAssignment('ghost')).toBeUndefined();
      });

      it('leaves one expiring already as it is: a repeat of the leaving does not move its expiry', async () => {
        // Prepare
        const store = await holding(leaverOwing('a1', 3));
        await store.expireAssignment('a1', iso(3), at(3));

        // Act
        const noted = await store.noteLeaving('a1', at(20), at(30));

        // Assess
        expect(noted).toBe(false);
        expect(await store.queryRetention(at(59), 10)).toEqual([]);
        expect((await store.getAssignment('a1'))?.expiresAt).toBe(at(3).getTime() / 1000);
      });
    });

    describe('clearLeaving', () => {
      it('forgets the leaving and the expire owed, and takes an expiry off', async () => {
        // Prepare
        const store = await holding(leaverOwing('a1', 3), leaverOwing('a2', 4));
        await store.expireAssignment('a2', iso(4), at(4));

        // Act
        const cleared = [await store.clearLeaving('a1'), await store.clearLeaving('a2')];

        // Assess
        expect(cleared).toEqual([true, true]);
        for (const id of ['a1', 'a2']) {
          const back = await store.getAssignment(id);
          expect(back?.leftAt).toBeUndefined();
          expect(back?.retainStep).toBeUndefined();
          expect(back?.expiresAt).toBeUndefined();
        }
        expect(await store.queryRetention(at(10), 10)).toEqual([]);
      });

      it('keeps a reduce-ip owed, and answers false with no leaving to forget', async () => {
        // Prepare
        const store = await holding(signedOwing('a1', 3, { leftAt: iso(1) }), ask('a2'));

        // Act
        const cleared = [await store.clearLeaving('a1'), await store.clearLeaving('a2')];

        // Assess
        expect(cleared).toEqual([true, false]);
        expect(await store.getAssignment('a1')).toMatchObject({ retainStep: 'reduce-ip', retainAt: iso(3) });
        expect((await store.getAssignment('a1'))?.leftAt).toBeUndefined();
      });
    });

    describe('reduceEvidence', () => {
      const reduced = { ipAddress: '203.0.113.0/24', userAgent: 'Chrome on Windows', reducedAt: iso(3) };

      it('reduces the evidence, owes nothing more, and keeps the rest of the evidence', async () => {
        // Prepare
        const store = await holding(signedOwing('a1', 3));

        // Act
        const done = await store.reduceEvidence('a1', iso(3), reduced);

        // Assess
        expect(done).toBe(true);
        const after = await store.getAssignment('a1');
        expect(after?.ack).toEqual({ ...anEvidence(), ...reduced });
        expect(after?.retainStep).toBeUndefined();
        expect(await store.queryRetention(at(59), 10)).toEqual([]);
      });

      it('owes the next step when given one', async () => {
        // Prepare
        const store = await holding(signedOwing('a1', 3, { leftAt: iso(1) }));

        // Act
        await store.reduceEvidence('a1', iso(3), reduced, { step: 'expire', at: at(9) });

        // Assess
        expect(await store.queryRetention(at(59), 10)).toEqual([
          { assignmentId: 'a1', retainAt: iso(9), retainStep: 'expire' },
        ]);
      });

      it('refuses when the step is no longer owed at the time read, or is not reduce-ip', async () => {
        // Prepare
        const store = await holding(signedOwing('a1', 3), leaverOwing('a2', 3));

        // Act
        const refused = [
          await store.reduceEvidence('a1', iso(2), reduced),
          await store.reduceEvidence('a2', iso(3), reduced),
        ];

        // Assess
        expect(refused).toEqual([false, false]);
        expect((await store.getAssignment('a1'))?.ack?.ipAddress).toBe('203.0.113.7');
      });
    });

    describe('moveRetention', () => {
      it('moves the step owed at the time read, or with none, owes nothing; a stale time is refused', async () => {
        // Prepare
        const store = await holding(leaverOwing('a1', 3), leaverOwing('a2', 3));

        // Act
        const moved = await store.moveRetention('a1', iso(3), { step: 'expire', at: at(20) });
        const stale = await store.moveRetention('a1', iso(3), { step: 'expire', at: at(30) });
        const dropped = await store.moveRetention('a2', iso(3));

        // Assess
        expect([moved, stale, dropped]).toEqual([true, false, true]);
        expect(await store.queryRetention(at(59), 10)).toEqual([
          { assignmentId: 'a1', retainAt: iso(20), retainStep: 'expire' },
        ]);
      });
    });

    describe('expireAssignment', () => {
      it('sets the TTL in epoch seconds and owes nothing more; a stale time or another step is refused', async () => {
        // Prepare
        const store = await holding(leaverOwing('a1', 3), leaverOwing('a2', 3), signedOwing('a3', 3));

        // Act
        const expired = await store.expireAssignment('a1', iso(3), at(3));
        const stale = await store.expireAssignment('a2', iso(2), at(3));
        const otherStep = await store.expireAssignment('a3', iso(3), at(3));

        // Assess
        expect([expired, stale, otherStep]).toEqual([true, false, false]);
        const after = await store.getAssignment('a1');
        expect(after?.expiresAt).toBe(at(3).getTime() / 1000);
        expect(after?.retainStep).toBeUndefined();
        expect((await store.getAssignment('a2'))?.expiresAt).toBeUndefined();
        expect((await store.queryRetention(at(59), 10)).map((d) => d.assignmentId)).toEqual(['a2', 'a3']);
      });
    });

    describe('expireStarter', () => {
      it('expires a leaver’s profile, not one who is active, nor one not stored', async () => {
        // Prepare
        const store = await make();
        await store.putStarter(aStarter({ employeeId: 'E-left', status: 'cancelled' }));
        await store.putStarter(aStarter({ employeeId: 'E-back', status: 'active' }));

        // Act
        const answers = [
          await store.expireStarter(aStarter({ employeeId: 'E-left' }).starterId, at(3)),
          await store.expireStarter(aStarter({ employeeId: 'E-back' }).starterId, at(3)),
          await store.expireStarter(aStarter({ employeeId: 'E-none' }).starterId, at(3)),
        ];

        // Assess
        expect(answers).toEqual([true, false, false]);
      });
    });
  });
}

// The contract of due work: what each lane owes and when, as the sweeper reads and claims it.
import { describe, expect, it } from 'vitest';
import type { Assignment } from '#shared/core/model.ts';
import { ask, at, iso, type MakeStore, storeHolding } from './support.ts';

export type DueWorkStore = MakeStore<
  'queryDue' | 'deferDue' | 'laneDue' | 'createAssignment' | 'getAssignment'
>;

/** An assignment owing nothing on the mail lane. */
const idle = { dueAt: undefined, dueKind: undefined };
const webhook = (minute: number): Partial<Assignment> => ({
  webhookDueAt: iso(minute),
  webhook: { state: 'pending', attempts: 0, webhookId: `msg_${minute}` },
});
const statement = (minute: number): Partial<Assignment> => ({
  xapiDueAt: iso(minute),
  xapi: { state: 'pending', attempts: 0, statementId: `st_${minute}` },
});

export function describeDueWorkContract(name: string, make: DueWorkStore): void {
  const holding = (...assignments: Assignment[]) => storeHolding(make, ...assignments);

  describe(`${name}: DueWork`, () => {
    describe('queryDue', () => {
      it('lists the work due by the time given from every lane, oldest first, each lane by its own due time', async () => {
        // Prepare
        const store = await holding(
          ask('a1', { dueKind: 'invite', dueAt: iso(3) }),
          ask('a2', { status: 'acknowledged', dueKind: 'receipt', dueAt: iso(1), ...webhook(2) }),
          ask('a3', { ...idle, ...statement(4), ...webhook(6) }),
          ask('a4', { dueKind: 'reminder', dueAt: iso(5) }),
          ask('later', { dueKind: 'invite', dueAt: iso(7), ...statement(8) }),
        );

        // Act
        const due = await store.queryDue(at(6), 10);

        // Assess: up to the time given, inclusive
        expect(due).toEqual([
          { assignmentId: 'a2', dueAt: iso(1), dueKind: 'receipt' },
          { assignmentId: 'a2', dueAt: iso(2), dueKind: 'webhook' },
          { assignmentId: 'a1', dueAt: iso(3), dueKind: 'invite' },
          { assignmentId: 'a3', dueAt: iso(4), dueKind: 'xapi' },
          { assignmentId: 'a4', dueAt: iso(5), dueKind: 'reminder' },
          { assignmentId: 'a3', dueAt: iso(6), dueKind: 'webhook' },
        ]);
      });

      it('lists the oldest of each lane up to the limit, oldest first (at most the limit from each shard)', async () => {
        // Prepare
        const store = await holding(
          ask('m1', { dueAt: iso(9) }),
          ask('m2', { dueAt: iso(1) }),
          ask('m3', { dueAt: iso(5) }),
          ask('w1', { ...idle, ...webhook(2) }),
          ask('w2', { ...idle, ...webhook(8) }),
          ask('w3', { ...idle, ...webhook(4) }),
          ask('x1', { ...idle, ...statement(3) }),
        );

        // Act
        const due = await store.queryDue(at(10), 2);

        // Assess: each lane's two oldest, in due order; a store whose lanes are sharded may list
        // more (it reads `limit` from each shard: the fake's lanes are one shard each)
        const listed = due.map((d) => d.assignmentId);
        expect(listed).toEqual(expect.arrayContaining(['m2', 'w1', 'x1', 'w3', 'm3']));
        expect(listed.filter((id) => ['m2', 'w1', 'x1', 'w3', 'm3'].includes(id))).toEqual([
          'm2',
          'w1',
          'x1',
          'w3',
          'm3',
        ]);
        expect(due.map((d) => d.dueAt)).toEqual(due.map((d) => d.dueAt).sort());
        for (const lane of ['m', 'w', 'x'])
          expect(listed.filter((id) => id.startsWith(lane)).length).toBeLessThanOrEqual(2 * 9);
      });

      it('lists nothing of an assignment owing nothing', async () => {
        // Prepare
        const store = await holding(ask('a1', { status: 'invited', ...idle }));

        // Act
        const due = await store.queryDue(at(60), 10);

        // Assess
        expect(due).toEqual([]);
      });
    });

    describe('deferDue', () => {
      it('moves a lane’s due time while it is the one seen, so of two sweeps one dispatches it', async () => {
        // Prepare
        const store = await holding(ask('a1', { ...webhook(2), ...statement(3) }));

        // Act
        const first = await store.deferDue('a1', 'invite', ask('a1').dueAt as string, at(20));
        const second = await store.deferDue('a1', 'invite', ask('a1').dueAt as string, at(21));
        const webhookLane = await store.deferDue('a1', 'webhook', iso(2), at(22));
        const statementLane = await store.deferDue('a1', 'xapi', iso(3), at(23));

        // Assess: each lane by its own due time
        expect([first, second, webhookLane, statementLane]).toEqual([true, false, true, true]);
        expect(await store.queryDue(at(30), 10)).toEqual([
          { assignmentId: 'a1', dueAt: iso(20), dueKind: 'invite' },
          { assignmentId: 'a1', dueAt: iso(22), dueKind: 'webhook' },
          { assignmentId: 'a1', dueAt: iso(23), dueKind: 'xapi' },
        ]);
      });

      it('refuses a due time other than the lane’s, a lane owing nothing, or an unknown assignment', async () => {
        // Prepare
        const store = await holding(ask('a1'));

        // Act
        const deferred = [
          await store.deferDue('a1', 'invite', iso(14), at(20)),
          await store.deferDue('a1', 'xapi', iso(15), at(20)),
          await store.deferDue('a2', 'invite', iso(15), at(20)),
        ];

        // Assess
        expect(deferred).toEqual([false, false, false]);
        expect(await store.getAssignment('a1')).toEqual(ask('a1'));
      });
    });

    describe('laneDue', () => {
      it('answers the work each lane owes as the assignment holds it, the mail lane naming its step', async () => {
        // Prepare
        const store = await holding(
          ask('a1', { status: 'invited', dueKind: 'reminder', dueAt: iso(30), ...statement(2) }),
        );

        // Act
        const lanes = [
          await store.laneDue('a1', 'invite'),
          await store.laneDue('a1', 'webhook'),
          await store.laneDue('a1', 'xapi'),
          await store.laneDue('a2', 'invite'),
        ];

        // Assess
        expect(lanes).toEqual([
          { assignmentId: 'a1', dueAt: iso(30), dueKind: 'reminder' },
          undefined,
          { assignmentId: 'a1', dueAt: iso(2), dueKind: 'xapi' },
          undefined,
        ]);
      });
    });
  });
}

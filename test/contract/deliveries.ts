// The contract of LMS deliveries: each destination's lane counts its attempts, parks its dead letters and replays them.
import { describe, expect, it } from 'vitest';
import {
  ATTEMPT_LOG_SIZE,
  type AttemptRecord,
  type DeadLetter,
  type Delivery,
  type DeliveryKind,
  withAttempt,
} from '#shared/core/model.ts';
import { anEvidence, aPolicy } from '../support/fakes.ts';
import { ask, at, CONDITION_FAILED, iso, type MakeStore, refusal } from './support.ts';

export type DeliveriesStore = MakeStore<
  | 'recordDeliveryAttempt'
  | 'oweDelivery'
  | 'deadLetters'
  | 'replayDelivery'
  | 'getDestination'
  | 'setDestination'
  | 'createAssignment'
  | 'getAssignment'
  | 'recordAcknowledgement'
  | 'claimWork'
  | 'laneDue'
  | 'queryDue'
  | 'deferDue'
>;

const letter = (minute: number): DeadLetter => ({
  reason: 'rejected',
  status: 422,
  body: 'bad',
  at: iso(minute),
});
const bothDestinations = { webhook: { webhookId: 'msg_1' }, xapi: { statementId: 'st_1' } };

export function describeDeliveriesContract(name: string, make: DeliveriesStore): void {
  /** A store holding each of `ids` signed, owing the receipt and both deliveries from 10:02. */
  const signed = async (...ids: string[]) => {
    const store = await make();
    for (const id of ids) {
      await store.createAssignment(ask(id));
      await store.recordAcknowledgement(id, anEvidence(aPolicy()), bothDestinations, at(2));
    }
    return store;
  };
  type Store = Awaited<ReturnType<typeof signed>>;
  const dies = (store: Store, id: string, kind: DeliveryKind, minute: number) =>
    store.recordDeliveryAttempt(id, kind, { status: 422, at: at(minute), outcome: { dead: letter(minute) } });

  describe(`${name}: Deliveries`, () => {
    describe('recordDeliveryAttempt', () => {
      it('marks a delivered attempt, counting it and clearing its lane only', async () => {
        // Prepare
        const store = await signed('a1');
        await store.claimWork('a1', 'webhook', at(2), at(4));

        // Act
        await store.recordDeliveryAttempt('a1', 'webhook', {
          status: 204,
          at: at(3),
          outcome: { delivered: true },
        });

        // Assess
        const stored = await store.getAssignment('a1');
        expect(stored?.webhook).toEqual({
          state: 'delivered',
          attempts: 1,
          lastStatus: 204,
          deliveredAt: iso(3),
          webhookId: 'msg_1',
        });
        for (const gone of ['webhookDueAt', 'webhookLeaseUntil']) expect(stored).not.toHaveProperty(gone);
        expect(await store.laneDue('a1', 'webhook')).toBeUndefined();
        expect(stored?.xapi).toEqual({ state: 'pending', attempts: 0, statementId: 'st_1' });
        expect(await store.laneDue('a1', 'xapi')).toEqual({
          assignmentId: 'a1',
          dueAt: iso(2),
          dueKind: 'xapi',
        });
        expect(await store.laneDue('a1', 'receipt')).toEqual({
          assignmentId: 'a1',
          dueAt: iso(2),
          dueKind: 'receipt',
        });
      });

      it('keeps a failed delivery owed from the retry, counting the attempt and giving the lease back', async () => {
        // Prepare
        const store = await signed('a1');
        await store.claimWork('a1', 'xapi', at(2), at(4));

        // Act
        await store.recordDeliveryAttempt('a1', 'xapi', {
          status: 503,
          at: at(3),
          outcome: { retryAt: at(8) },
        });
        await store.recordDeliveryAttempt('a1', 'xapi', {
          status: null,
          at: at(8),
          outcome: { retryAt: at(20) },
        });

        // Assess: no answer is recorded as a null status
        const stored = await store.getAssignment('a1');
        expect(stored?.xapi).toEqual({
          state: 'pending',
          attempts: 2,
          lastStatus: null,
          nextAttemptAt: iso(20),
          statementId: 'st_1',
        });
        expect(stored).not.toHaveProperty('xapiLeaseUntil');
        expect(await store.laneDue('a1', 'xapi')).toEqual({
          assignmentId: 'a1',
          dueAt: iso(20),
          dueKind: 'xapi',
        });
        expect(await store.claimWork('a1', 'xapi', at(3), at(5))).toMatchObject({ xapiLeaseUntil: iso(5) });
      });

      it('keeps the fields an attempt remembers on the delivery, through later attempts and a dead letter', async () => {
        // Prepare
        const store = await signed('a1');

        // Act
        await store.recordDeliveryAttempt('a1', 'xapi', {
          status: 503,
          at: at(3),
          outcome: { retryAt: at(8) },
          remember: { moodleUserId: 42 },
        });
        await store.recordDeliveryAttempt('a1', 'xapi', {
          status: 200,
          at: at(8),
          outcome: { dead: { ...letter(8), detail: 'completion tracking is off for activity 7' } },
        });

        // Assess
        const stored = await store.getAssignment('a1');
        expect(stored?.xapi).toMatchObject({
          state: 'dead',
          attempts: 2,
          moodleUserId: 42,
          deadLetter: { detail: 'completion tracking is off for activity 7' },
        });
      });

      it('keeps the attempt log each attempt carries, bounded, in the same write as its outcome', async () => {
        // Prepare: twenty attempts logged already, one dropped before them
        const store = await signed('a1');
        let delivery = (await store.getAssignment('a1'))?.webhook as Delivery;
        const record = (minute: number, status: number | null): AttemptRecord => ({
          at: iso(minute),
          durationMs: 120,
          status,
          ...(status === null ? { error: 'TimeoutError' } : { answer: `answer é ${minute}` }),
        });
        for (let minute = 0; minute < ATTEMPT_LOG_SIZE + 1; minute++) {
          delivery = { ...delivery, ...withAttempt(delivery, record(minute, 503)) };
        }

        // Act
        await store.recordDeliveryAttempt('a1', 'webhook', {
          status: null,
          at: at(30),
          outcome: { retryAt: at(35) },
          log: withAttempt(delivery, record(30, null)),
        });
        await store.recordDeliveryAttempt('a1', 'xapi', {
          status: 204,
          at: at(31),
          outcome: { delivered: true },
          log: withAttempt({}, record(31, 204)),
        });

        // Assess
        const stored = await store.getAssignment('a1');
        const log = stored?.webhook?.attemptLog as AttemptRecord[];
        expect(log).toHaveLength(ATTEMPT_LOG_SIZE);
        expect(log[0]).toEqual(record(2, 503));
        expect(log.at(-1)).toEqual(record(30, null));
        expect(stored?.webhook).toMatchObject({ attemptsDropped: 2, nextAttemptAt: iso(35), attempts: 1 });
        expect(stored?.xapi).toMatchObject({
          state: 'delivered',
          attemptLog: [record(31, 204)],
          attemptsDropped: 0,
        });
      });

      it('parks a dead delivery with its dead letter, out of the due work', async () => {
        // Prepare
        const store = await signed('a1');
        await store.recordDeliveryAttempt('a1', 'webhook', {
          status: 503,
          at: at(3),
          outcome: { retryAt: at(8) },
        });

        // Act
        await dies(store, 'a1', 'webhook', 8);

        // Assess: by when it died, and nothing but the assignment's own attributes
        expect(await store.getAssignment('a1')).toEqual({
          ...ask('a1', {
            status: 'acknowledged',
            ack: anEvidence(aPolicy()),
            dueKind: 'receipt',
            dueAt: iso(2),
          }),
          webhook: { state: 'dead', attempts: 2, lastStatus: 422, deadLetter: letter(8), webhookId: 'msg_1' },
          webhookDueAt: iso(8),
          xapi: { state: 'pending', attempts: 0, statementId: 'st_1' },
          xapiDueAt: iso(2),
        });
        expect(await store.laneDue('a1', 'webhook')).toBeUndefined();
        expect((await store.queryDue(at(60), 10)).map((d) => d.dueKind).sort()).toEqual(['receipt', 'xapi']);
        expect(await store.deadLetters(10)).toEqual([
          { assignmentId: 'a1', kind: 'webhook', deadAt: iso(8) },
        ]);
      });

      it('keeps a dead letter from being deferred as due work, even at the due time a sweep saw', async () => {
        // Prepare: a sweep saw the webhook due at 10:08; it died at 10:08 before the sweep deferred it
        const store = await signed('a1');
        await store.recordDeliveryAttempt('a1', 'webhook', {
          status: 503,
          at: at(3),
          outcome: { retryAt: at(8) },
        });
        await dies(store, 'a1', 'webhook', 8);

        // Act
        const deferred = await store.deferDue('a1', 'webhook', iso(8), at(20));

        // Assess: not dispatched, and still listed as it died
        expect(deferred).toBe(false);
        expect(await store.deadLetters(10)).toEqual([
          { assignmentId: 'a1', kind: 'webhook', deadAt: iso(8) },
        ]);
      });

      it('counts no attempt and no status for a delivery that was not sent', async () => {
        // Prepare
        const store = await signed('a1');
        const disabled: DeadLetter = { reason: 'disabled', status: null, at: iso(3) };

        // Act
        await store.recordDeliveryAttempt('a1', 'xapi', {
          status: null,
          at: at(3),
          outcome: { dead: disabled },
          sent: false,
        });

        // Assess
        expect((await store.getAssignment('a1'))?.xapi).toEqual({
          state: 'dead',
          attempts: 0,
          deadLetter: disabled,
          statementId: 'st_1',
        });
      });

      it('refuses an attempt on a delivery no longer owed, changing nothing', async () => {
        // Prepare
        const store = await signed('a1');
        await store.recordDeliveryAttempt('a1', 'webhook', {
          status: 204,
          at: at(3),
          outcome: { delivered: true },
        });
        await dies(store, 'a1', 'xapi', 3);
        const before = await store.getAssignment('a1');

        // Act
        const refused = [
          await refusal(
            store.recordDeliveryAttempt('a1', 'webhook', {
              status: 204,
              at: at(4),
              outcome: { delivered: true },
            }),
          ),
          await refusal(
            store.recordDeliveryAttempt('a1', 'xapi', {
              status: 503,
              at: at(4),
              outcome: { retryAt: at(9) },
            }),
          ),
          await refusal(
            store.recordDeliveryAttempt('a2', 'webhook', {
              status: 204,
              at: at(4),
              outcome: { delivered: true },
            }),
          ),
        ];

        // Assess
        for (const error of refused) expect(error).toMatchObject(CONDITION_FAILED);
        expect(await store.getAssignment('a1')).toEqual(before);
      });
    });

    describe('deadLetters', () => {
      it("lists every destination's dead letters together, oldest first", async () => {
        // Prepare
        const store = await signed('a1', 'a2', 'a3');
        await dies(store, 'a3', 'webhook', 4);
        await dies(store, 'a1', 'xapi', 5);
        await dies(store, 'a2', 'webhook', 3);
        await dies(store, 'a1', 'webhook', 6);

        // Act
        const dead = await store.deadLetters(10);

        // Assess
        expect(dead).toEqual([
          { assignmentId: 'a2', kind: 'webhook', deadAt: iso(3) },
          { assignmentId: 'a3', kind: 'webhook', deadAt: iso(4) },
          { assignmentId: 'a1', kind: 'xapi', deadAt: iso(5) },
          { assignmentId: 'a1', kind: 'webhook', deadAt: iso(6) },
        ]);
      });

      it('lists at most the limit of each destination, the oldest', async () => {
        // Prepare
        const store = await signed('a1', 'a2', 'a3');
        await dies(store, 'a1', 'webhook', 9);
        await dies(store, 'a2', 'webhook', 7);
        await dies(store, 'a3', 'webhook', 8);
        await dies(store, 'a1', 'xapi', 12);
        await dies(store, 'a2', 'xapi', 3);
        await dies(store, 'a3', 'xapi', 10);

        // Act
        const dead = await store.deadLetters(2);

        // Assess
        expect(dead).toEqual([
          { assignmentId: 'a2', kind: 'xapi', deadAt: iso(3) },
          { assignmentId: 'a2', kind: 'webhook', deadAt: iso(7) },
          { assignmentId: 'a3', kind: 'webhook', deadAt: iso(8) },
          { assignmentId: 'a3', kind: 'xapi', deadAt: iso(10) },
        ]);
      });

      it('lists nothing while no delivery is dead', async () => {
        // Prepare
        const store = await signed('a1');

        // Act
        const dead = await store.deadLetters(10);

        // Assess
        expect(dead).toEqual([]);
      });
    });

    describe('replayDelivery', () => {
      for (const [kind, other] of [
        ['webhook', 'xapi'],
        ['xapi', 'webhook'],
      ] as const) {
        it(`makes a dead ${kind} delivery owed again from the time given, counted afresh, leaving the ${other} lane dead`, async () => {
          // Prepare
          const store = await signed('a1');
          await dies(store, 'a1', kind, 3);
          await dies(store, 'a1', other, 4);

          // Act
          const replayed = await store.replayDelivery('a1', kind, at(30));

          // Assess
          expect(replayed).toBe(true);
          const stored = await store.getAssignment('a1');
          expect(stored?.[kind]).toMatchObject({ state: 'pending', attempts: 0 });
          expect(stored?.[kind]).not.toHaveProperty('deadLetter');
          expect(stored?.[other]).toMatchObject({ state: 'dead', deadLetter: letter(4) });
          expect(await store.deadLetters(10)).toEqual([{ assignmentId: 'a1', kind: other, deadAt: iso(4) }]);
          const due = { assignmentId: 'a1', dueAt: iso(30), dueKind: kind };
          expect(await store.laneDue('a1', kind)).toEqual(due);
          expect(await store.queryDue(at(30), 10)).toContainEqual(due);
          expect(await store.claimWork('a1', kind, at(30), at(32))).toMatchObject({
            [`${kind}LeaseUntil`]: iso(32),
          });
        });
      }

      it('refuses a delivery that is not dead: owed, delivered, never owed or unknown', async () => {
        // Prepare
        const store = await signed('a1');
        await store.recordDeliveryAttempt('a1', 'xapi', {
          status: 200,
          at: at(3),
          outcome: { delivered: true },
        });
        await store.createAssignment(ask('unsigned'));

        // Act
        const replayed = [
          await store.replayDelivery('a1', 'webhook', at(30)),
          await store.replayDelivery('a1', 'xapi', at(30)),
          await store.replayDelivery('unsigned', 'webhook', at(30)),
          await store.replayDelivery('unknown', 'webhook', at(30)),
        ];

        // Assess
        expect(replayed).toEqual([false, false, false, false]);
        expect(await store.laneDue('a1', 'webhook')).toEqual({
          assignmentId: 'a1',
          dueAt: iso(2),
          dueKind: 'webhook',
        });
        expect((await store.getAssignment('a1'))?.xapi).toMatchObject({ state: 'delivered' });
      });
    });

    describe('oweDelivery', () => {
      it('owes a destination added since the agreement its delivery, from the time given', async () => {
        // Prepare
        const store = await make();
        await store.createAssignment(ask('a1'));
        await store.recordAcknowledgement(
          'a1',
          anEvidence(aPolicy()),
          { webhook: { webhookId: 'msg_1' } },
          at(2),
        );

        // Act
        const owed = await store.oweDelivery('a1', { xapi: { statementId: 'st_1' } }, at(30));

        // Assess
        expect(owed).toBe(true);
        expect((await store.getAssignment('a1'))?.xapi).toEqual({
          state: 'pending',
          attempts: 0,
          statementId: 'st_1',
        });
        expect(await store.laneDue('a1', 'xapi')).toEqual({
          assignmentId: 'a1',
          dueAt: iso(30),
          dueKind: 'xapi',
        });
      });

      it('refuses an unsigned assignment, and a destination with a delivery already', async () => {
        // Prepare
        const store = await signed('a1');
        await store.createAssignment(ask('unsigned'));

        // Act
        const owed = [
          await store.oweDelivery('a1', { webhook: { webhookId: 'msg_2' } }, at(30)),
          await store.oweDelivery('unsigned', { webhook: { webhookId: 'msg_3' } }, at(30)),
          await store.oweDelivery('unknown', { webhook: { webhookId: 'msg_4' } }, at(30)),
        ];

        // Assess
        expect(owed).toEqual([false, false, false]);
        expect((await store.getAssignment('a1'))?.webhook).toMatchObject({ webhookId: 'msg_1' });
        expect(await store.getAssignment('unsigned')).toEqual(ask('unsigned'));
      });

      it('refuses anything but exactly one delivery', async () => {
        // Prepare
        const store = await signed('a1');

        // Act
        const none = await refusal(store.oweDelivery('a1', {}, at(30)));
        const both = await refusal(store.oweDelivery('a1', bothDestinations, at(30)));

        // Assess
        expect(none).toBeInstanceOf(RangeError);
        expect(both).toBeInstanceOf(RangeError);
      });
    });

    describe('destinations', () => {
      it('answers each destination enabled while nothing is stored', async () => {
        // Prepare
        const store = await make();

        // Act
        const states = [await store.getDestination('webhook'), await store.getDestination('xapi')];

        // Assess
        expect(states).toEqual([{ state: 'enabled' }, { state: 'enabled' }]);
      });

      it('disables a destination with why and when, leaving the other enabled, until enabled again', async () => {
        // Prepare
        const store = await make();
        const gone = { state: 'disabled' as const, reason: '410 Gone', at: iso(3) };

        // Act
        await store.setDestination('xapi', gone);
        const disabled = [await store.getDestination('webhook'), await store.getDestination('xapi')];
        await store.setDestination('xapi', { state: 'enabled', at: iso(9) });
        const enabled = await store.getDestination('xapi');

        // Assess
        expect(disabled).toEqual([{ state: 'enabled' }, gone]);
        expect(enabled).toEqual({ state: 'enabled', at: iso(9) });
      });
    });
  });
}

// The sweeper: dispatches what falls due before the next sweep, on time and once, in batches and rounds while time remains, and keeps what it could not dispatch.
import { describe, expect, it } from 'vitest';
import { destinations } from '#shared/core/destinations/registry.ts';
import { type Assignment, DELIVERY_KINDS } from '#shared/core/model.ts';
import { makeSweepDue } from '#shared/core/sweep.ts';
import { FakeClock, FakeQueue, seededStore, silentLogger } from '../../../support/fakes.ts';

const INTERVAL_MS = 5 * 60_000;
const REDRIVE_MS = 15 * 60_000;

async function setup(overrides: Partial<Assignment>, intervalMs = INTERVAL_MS) {
  const seeded = await seededStore(overrides);
  const clock = new FakeClock('2026-11-24T10:00:00.000Z');
  const mail = new FakeQueue();
  const lms = new FakeQueue();
  const sweep = makeSweepDue({
    store: seeded.store,
    queues: { mail, lms },
    clock,
    logger: silentLogger,
    intervalMs,
    redriveAfterMs: REDRIVE_MS,
  });
  return { ...seeded, clock, mail, lms, sweep, id: seeded.assignment.assignmentId };
}

describe('sweepDue', () => {
  it('dispatches work due before the next sweep with the delay that fires it on time', async () => {
    // Prepare: due in 90 s
    const { mail, lms, sweep, store, id } = await setup({ dueAt: '2026-11-24T10:01:30.000Z' });

    // Act
    const result = await sweep();

    // Assess
    expect(result).toEqual({ read: 1, dispatched: 1, rounds: 1 });
    // The message names the due time the sweeper set, so once that step is done a copy is stale.
    expect(mail.sent).toEqual([
      { message: { assignmentId: id, kind: 'invite', dueAt: '2026-11-24T10:16:30.000Z' }, delaySeconds: 90 },
    ]);
    expect(lms.sent).toEqual([]);
    // If the message is lost, the item falls due again redriveAfter past its due time.
    expect(store.peek(id)?.dueAt).toBe('2026-11-24T10:16:30.000Z');
  });

  it('rounds a part second up, so the message never fires early', async () => {
    // Prepare
    const { mail, sweep } = await setup({ dueAt: '2026-11-24T10:00:10.200Z' });

    // Act
    await sweep();

    // Assess
    expect(mail.sent[0]?.delaySeconds).toBe(11);
  });

  it.each(DELIVERY_KINDS)(
    'sends an owed %s delivery to the LMS queue under its lane’s kind',
    async (kind) => {
      // Prepare
      const { idField } = destinations[kind];
      const { mail, lms, sweep, store, id } = await setup({
        dueKind: undefined,
        dueAt: undefined,
        [`${kind}DueAt`]: '2026-11-24T10:00:00.000Z',
        [kind]: { state: 'pending', attempts: 0, [idField]: 'b1c9b9b2-5e3a-5c4d-8f00-000000000001' },
      });

      // Act
      const result = await sweep();

      // Assess
      expect(result).toEqual({ read: 1, dispatched: 1, rounds: 1 });
      expect(lms.sent).toEqual([
        { message: { assignmentId: id, kind, dueAt: '2026-11-24T10:15:00.000Z' }, delaySeconds: 0 },
      ]);
      expect(mail.sent).toEqual([]);
      expect(store.peek(id)?.[`${kind}DueAt`]).toBe('2026-11-24T10:15:00.000Z');
    },
  );

  it('dispatches the webhook and xAPI lanes of one assignment separately, both to the LMS queue', async () => {
    // Prepare
    const at = '2026-11-24T09:59:00.000Z';
    const { mail, lms, sweep, store, id } = await setup({
      dueKind: undefined,
      dueAt: undefined,
      webhookDueAt: at,
      xapiDueAt: '2026-11-24T10:02:00.000Z',
    });

    // Act
    const result = await sweep();

    // Assess
    expect(result).toEqual({ read: 2, dispatched: 2, rounds: 1 });
    expect(lms.sent).toEqual([
      { message: { assignmentId: id, kind: 'webhook', dueAt: '2026-11-24T10:15:00.000Z' }, delaySeconds: 0 },
      { message: { assignmentId: id, kind: 'xapi', dueAt: '2026-11-24T10:17:00.000Z' }, delaySeconds: 120 },
    ]);
    expect(mail.sent).toEqual([]);
    expect(store.peek(id)).toMatchObject({
      webhookDueAt: '2026-11-24T10:15:00.000Z',
      xapiDueAt: '2026-11-24T10:17:00.000Z',
    });
  });

  it('dispatches both lanes of one assignment: the receipt to the mail queue, the delivery to the LMS queue', async () => {
    // Prepare: just acknowledged, both messages lost
    const at = '2026-11-24T09:59:00.000Z';
    const { mail, lms, sweep, store, id } = await setup({ dueKind: 'receipt', dueAt: at, webhookDueAt: at });

    // Act
    const result = await sweep();

    // Assess
    expect(result).toEqual({ read: 2, dispatched: 2, rounds: 1 });
    expect(mail.sent).toEqual([
      { message: { assignmentId: id, kind: 'receipt', dueAt: expect.any(String) }, delaySeconds: 0 },
    ]);
    expect(lms.sent).toEqual([
      { message: { assignmentId: id, kind: 'webhook', dueAt: expect.any(String) }, delaySeconds: 0 },
    ]);
    expect(store.peek(id)).toMatchObject({
      dueAt: '2026-11-24T10:15:00.000Z',
      webhookDueAt: '2026-11-24T10:15:00.000Z',
    });
  });

  it('dispatches overdue work at once and moves its redrive time on from now', async () => {
    // Prepare
    const { mail, sweep, store, id } = await setup({ dueAt: '2026-11-24T09:00:00.000Z' });

    // Act
    await sweep();

    // Assess
    expect(mail.sent[0]?.delaySeconds).toBe(0);
    expect(store.peek(id)?.dueAt).toBe('2026-11-24T10:15:00.000Z');
  });

  it('never asks SQS for more than its 900-second delay limit', async () => {
    // Prepare: sweeps an hour apart, work due in 40 minutes
    const { mail, sweep } = await setup({ dueAt: '2026-11-24T10:40:00.000Z' }, 60 * 60_000);

    // Act
    await sweep();

    // Assess
    expect(mail.sent[0]?.delaySeconds).toBe(900);
  });

  it('leaves work due after the next sweep alone', async () => {
    // Prepare
    const { mail, sweep, store, id } = await setup({ dueAt: '2026-11-24T10:05:00.001Z' });

    // Act
    const result = await sweep();

    // Assess
    expect(result).toEqual({ read: 0, dispatched: 0, rounds: 1 });
    expect(mail.sent).toEqual([]);
    expect(store.peek(id)?.dueAt).toBe('2026-11-24T10:05:00.001Z');
  });

  it('leaves alone an assignment that owes nothing', async () => {
    // Prepare
    const { mail, sweep } = await setup({ status: 'invited', dueKind: undefined, dueAt: undefined });

    // Act
    const result = await sweep();

    // Assess
    expect(result).toEqual({ read: 0, dispatched: 0, rounds: 1 });
    expect(mail.sent).toEqual([]);
  });

  it('dispatches each item once when two sweeps overlap', async () => {
    // Prepare: a second assignment also due
    const { mail, sweep, store, assignment } = await setup({ dueAt: '2026-11-24T10:00:00.000Z' });
    store.seed({ ...assignment, assignmentId: 'second', dueAt: '2026-11-24T10:02:00.000Z' });

    // Act
    const results = await Promise.all([sweep(), sweep()]);

    // Assess
    expect(results.reduce((n, r) => n + r.dispatched, 0)).toBe(2);
    expect(mail.sent.map((s) => s.message.assignmentId).sort()).toEqual(
      [assignment.assignmentId, 'second'].sort(),
    );
  });

  it('re-drives work whose message was lost, once its redrive time comes', async () => {
    // Prepare: a sweep dispatched it, and the message vanished
    const { mail, sweep, clock } = await setup({ dueAt: '2026-11-24T10:00:00.000Z' });
    await sweep();
    mail.sent.length = 0;

    // Act
    clock.advance(INTERVAL_MS);
    const early = await sweep();
    clock.advance(REDRIVE_MS - INTERVAL_MS);
    const due = await sweep();

    // Assess
    expect(early.dispatched).toBe(0);
    expect(due.dispatched).toBe(1);
    expect(mail.sent).toHaveLength(1);
  });

  it('leaves an item it could not dispatch owed, for a later sweep', async () => {
    // Prepare
    const { mail, sweep, clock, store, id } = await setup({ dueAt: '2026-11-24T10:00:00.000Z' });
    mail.failWith = new Error('SQS down');

    // Act
    const failed = await sweep();
    mail.failWith = undefined;
    clock.advance(REDRIVE_MS);
    const retried = await sweep();

    // Assess
    expect(failed).toEqual({ read: 1, dispatched: 0, rounds: 1 });
    expect(retried).toEqual({ read: 1, dispatched: 1, rounds: 1 });
    expect(mail.sent).toHaveLength(1);
    expect(store.peek(id)?.dueKind).toBe('invite');
  });

  it('reads at most a page of due items per sweep, oldest first', async () => {
    // Prepare
    const seeded = await seededStore({ dueAt: '2026-11-24T09:00:00.000Z' });
    for (let i = 1; i <= 4; i++) {
      seeded.store.seed({
        ...seeded.assignment,
        assignmentId: `a${i}`,
        dueAt: `2026-11-24T09:0${i}:00.000Z`,
      });
    }
    const mail = new FakeQueue();
    const sweep = makeSweepDue({
      store: seeded.store,
      queues: { mail, lms: new FakeQueue() },
      clock: new FakeClock('2026-11-24T10:00:00.000Z'),
      logger: silentLogger,
      intervalMs: INTERVAL_MS,
      redriveAfterMs: REDRIVE_MS,
      pageSize: 3,
    });

    // Act
    const result = await sweep();

    // Assess
    expect(result).toEqual({ read: 3, dispatched: 3, rounds: 1 });
    expect(mail.sent.map((s) => s.message.assignmentId)).toEqual([
      seeded.assignment.assignmentId,
      'a1',
      'a2',
    ]);
  });
});

describe('sweepDue: an index that lags its item', () => {
  /**
   * The index lists the due time a write was about to give the item, which the item never got:
   * dynalite writes an item's index entries before the item, and the process died between them.
   */
  function lagging(store: Awaited<ReturnType<typeof setup>>['store'], id: string, listedDueAt: string) {
    const queryDue = store.queryDue.bind(store);
    store.queryDue = async (before, limit) =>
      (await queryDue(before, limit)).map((item) =>
        item.assignmentId === id ? { ...item, dueAt: listedDueAt } : item,
      );
  }

  it('claims the work at the item’s own due time when the item says it is due, so none is stranded', async () => {
    // Prepare: the item owes its invite since 09:50; the index says 10:02.
    const { mail, sweep, store, id } = await setup({ dueAt: '2026-11-24T09:50:00.000Z' });
    lagging(store, id, '2026-11-24T10:02:00.000Z');

    // Act
    const result = await sweep();

    // Assess
    expect(result.dispatched).toBe(1);
    expect(mail.sent).toEqual([
      { message: { assignmentId: id, kind: 'invite', dueAt: '2026-11-24T10:15:00.000Z' }, delaySeconds: 0 },
    ]);
    expect(store.peek(id)?.dueAt).toBe('2026-11-24T10:15:00.000Z');
  });

  it('never takes again work that another sweep has just taken (its due time moved on)', async () => {
    // Prepare: another sweep moved the item's due time to its re-drive time after this one read the index.
    const { mail, sweep, store, id } = await setup({ dueAt: '2026-11-24T10:15:00.000Z' });
    lagging(store, id, '2026-11-24T09:59:00.000Z');

    // Act
    const result = await sweep();

    // Assess
    expect(result.dispatched).toBe(0);
    expect(mail.sent).toEqual([]);
    expect(store.peek(id)?.dueAt).toBe('2026-11-24T10:15:00.000Z');
  });
});

describe('sweepDue: rounds and batches', () => {
  /** `count` invites due an hour ago, a minute apart: `a0`, `a1`… */
  async function backlog(
    count: number,
    options: { pageSize?: number; concurrency?: number; marginMs?: number },
  ) {
    // The seeded assignment owes nothing: only the backlog is due.
    const seeded = await seededStore({ dueAt: undefined, dueKind: undefined });
    for (let i = 0; i < count; i++) {
      seeded.store.seed({
        ...seeded.assignment,
        assignmentId: `a${i}`,
        dueKind: 'invite',
        dueAt: `2026-11-24T09:${String(i).padStart(2, '0')}:00.000Z`,
      });
    }
    const mail = new FakeQueue();
    const clock = new FakeClock('2026-11-24T10:00:00.000Z');
    const sweep = makeSweepDue({
      store: seeded.store,
      queues: { mail, lms: new FakeQueue() },
      clock,
      logger: silentLogger,
      intervalMs: INTERVAL_MS,
      redriveAfterMs: REDRIVE_MS,
      ...options,
    });
    return { ...seeded, mail, clock, sweep };
  }

  it('sweeps round after round while due work and time remain, each round reading what is due now', async () => {
    // Prepare: 7 due, 3 read a round, and plenty of time left
    const { mail, sweep, clock } = await backlog(7, { pageSize: 3 });
    const remaining = () => {
      clock.advance(1000);
      return 60_000;
    };

    // Act
    const result = await sweep(remaining);

    // Assess: three rounds dispatch all seven; a fourth finds nothing and ends the sweep
    expect(result).toEqual({ read: 7, dispatched: 7, rounds: 4 });
    expect(new Set(mail.sent.map((s) => s.message.assignmentId)).size).toBe(7);
  });

  it('starts no round once no more than the margin remains of the invocation', async () => {
    // Prepare: 7 due, 3 a round; 40 s left after the first round, then 10 s
    const { mail, sweep } = await backlog(7, { pageSize: 3, marginMs: 15_000 });
    const left = [40_000, 10_000];

    // Act
    const result = await sweep(() => left.shift() ?? 0);

    // Assess: two rounds, the rest left owed for the next sweep
    expect(result).toEqual({ read: 6, dispatched: 6, rounds: 2 });
    expect(mail.sent).toHaveLength(6);
  });

  it('makes one round when no remaining time is given', async () => {
    // Prepare
    const { sweep } = await backlog(5, { pageSize: 2 });

    // Act
    const result = await sweep();

    // Assess
    expect(result).toEqual({ read: 2, dispatched: 2, rounds: 1 });
  });

  it('never takes an item twice in one sweep, even when its re-drive time falls before the horizon', async () => {
    // Prepare: re-driven after one minute, swept for the next five
    const seeded = await seededStore({ dueAt: '2026-11-24T09:59:00.000Z' });
    const mail = new FakeQueue();
    const sweep = makeSweepDue({
      store: seeded.store,
      queues: { mail, lms: new FakeQueue() },
      clock: new FakeClock('2026-11-24T10:00:00.000Z'),
      logger: silentLogger,
      intervalMs: INTERVAL_MS,
      redriveAfterMs: 60_000,
    });

    // Act
    const result = await sweep(() => 60_000);

    // Assess
    expect(result.dispatched).toBe(1);
    expect(mail.sent).toHaveLength(1);
  });

  it('sends the claimed items in one batch, keeping those the queue refused owed at their re-drive time', async () => {
    // Prepare
    const { mail, sweep, store } = await backlog(4, {});
    mail.refuse.add('a2');

    // Act
    const result = await sweep();

    // Assess
    expect(result).toEqual({ read: 4, dispatched: 3, rounds: 1 });
    expect(mail.batches).toEqual([4]);
    expect(mail.sent.map((s) => s.message.assignmentId)).toEqual(['a0', 'a1', 'a3']);
    // Refused: still owed, due again when a lost message would be (the next sweep after sends it).
    expect(store.peek('a2')).toMatchObject({ dueKind: 'invite', dueAt: '2026-11-24T10:15:00.000Z' });
  });

  it('has no more claims in flight at once than its concurrency', async () => {
    // Prepare: a store whose claims wait, counting how many are in flight
    const { store, mail } = await backlog(10, {});
    let inFlight = 0;
    let most = 0;
    const counted = Object.create(store) as typeof store;
    counted.deferDue = async (...args) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return store.deferDue(...args);
    };
    const sweep = makeSweepDue({
      store: counted,
      queues: { mail, lms: new FakeQueue() },
      clock: new FakeClock('2026-11-24T10:00:00.000Z'),
      logger: silentLogger,
      intervalMs: INTERVAL_MS,
      redriveAfterMs: REDRIVE_MS,
      concurrency: 3,
    });

    // Act
    const result = await sweep();

    // Assess
    expect(result.dispatched).toBe(10);
    expect(most).toBe(3);
  });
});

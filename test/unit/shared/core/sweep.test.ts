// The sweeper: dispatches what falls due before the next sweep, on time, once, and retries what it could not dispatch.
import { describe, expect, it } from 'vitest';
import { makeSweepDue } from '#shared/core/sweep.ts';
import { RecordingQueue, silentLogger } from '../../../support/memory-store.ts';
import { scenario } from '../../../support/scenario.ts';

async function setup(dueAt: string) {
  const s = await scenario({ dueAt });
  const mail = new RecordingQueue();
  const lms = new RecordingQueue();
  const sweep = makeSweepDue({
    store: s.store,
    queues: { invite: mail, lms },
    clock: s.clock,
    logger: silentLogger,
    intervalMs: 5 * 60_000,
    redriveAfterMs: 15 * 60_000,
  });
  return { ...s, mail, lms, sweep };
}

describe('sweepDue', () => {
  it('dispatches work due before the next sweep with a delay that fires it on time', async () => {
    // Prepare: due in 90 s; the clock is at 10:00:00
    const { mail, sweep, store, assignment } = await setup('2026-11-24T10:01:30.000Z');

    // Act
    const result = await sweep();

    // Assess
    expect(result).toEqual({ read: 1, dispatched: 1 });
    expect(mail.sent).toEqual([
      { message: { assignmentId: assignment.assignmentId, kind: 'invite' }, delaySeconds: 90 },
    ]);
    expect(store.assignments.get(assignment.assignmentId)?.dueAt).toBe('2026-11-24T10:16:30.000Z');
  });

  it('dispatches overdue work at once', async () => {
    // Prepare
    const { mail, sweep } = await setup('2026-11-24T09:00:00.000Z');

    // Act
    await sweep();

    // Assess
    expect(mail.sent[0]?.delaySeconds).toBe(0);
  });

  it('leaves work due after the next sweep alone', async () => {
    // Prepare
    const { mail, sweep } = await setup('2026-11-24T10:06:00.000Z');

    // Act
    const result = await sweep();

    // Assess
    expect(result).toEqual({ read: 0, dispatched: 0 });
    expect(mail.sent).toEqual([]);
  });

  it('dispatches an item once when two sweeps overlap', async () => {
    // Prepare
    const { mail, sweep } = await setup('2026-11-24T10:00:00.000Z');

    // Act
    const results = await Promise.all([sweep(), sweep()]);

    // Assess
    expect(results.reduce((n, r) => n + r.dispatched, 0)).toBe(1);
    expect(mail.sent).toHaveLength(1);
  });

  it('re-drives work whose message was lost, once its redrive time comes', async () => {
    // Prepare: a sweep dispatched it, and the message vanished
    const { mail, sweep, clock } = await setup('2026-11-24T10:00:00.000Z');
    await sweep();
    mail.sent = [];

    // Act
    await sweep();
    const early = mail.sent.length;
    clock.advance(15 * 60_000);
    await sweep();

    // Assess
    expect(early).toBe(0);
    expect(mail.sent).toHaveLength(1);
  });

  it('leaves an item it could not dispatch for a later sweep', async () => {
    // Prepare
    const { mail, sweep, clock } = await setup('2026-11-24T10:00:00.000Z');
    mail.failWith = new Error('SQS down');
    await sweep();
    mail.failWith = undefined;

    // Act
    clock.advance(15 * 60_000);
    const result = await sweep();

    // Assess
    expect(result.dispatched).toBe(1);
  });
});

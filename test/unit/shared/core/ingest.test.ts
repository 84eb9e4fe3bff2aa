// Ingesting HR events: convergence on deterministic ids, idempotency by event id, cancellation.
import { describe, expect, it } from 'vitest';
import { assignmentIdFor, starterIdFor } from '#shared/core/ids.ts';
import { makeIngestStarterEvent } from '#shared/core/ingest.ts';
import type { StarterEvent } from '#shared/core/starter-event.ts';
import { bundledPolicies } from '#templates/policies.ts';
import { MemoryStore, RecordingQueue, silentLogger, TestClock } from '../../../support/memory-store.ts';

const created = (id = 'evt_1', policies?: string[]): StarterEvent => ({
  type: 'starter.created',
  id,
  data: {
    employeeId: 'E1001',
    givenName: 'Ada',
    familyName: 'Lovelace',
    email: 'ada@example.org',
    startDate: '2026-12-01',
    locale: 'en-GB',
    timeZone: 'Europe/London',
    ...(policies && { policies }),
  },
});

function setup() {
  const store = new MemoryStore();
  const queue = new RecordingQueue();
  const clock = new TestClock();
  const ingest = makeIngestStarterEvent({
    store,
    mailQueue: queue,
    clock,
    logger: silentLogger,
    policies: bundledPolicies,
    defaultPolicies: ['safe-internet-use'],
    redriveAfterMs: 60_000,
  });
  return { store, queue, clock, ingest };
}

describe('ingestStarterEvent', () => {
  it('creates the starter and an assignment owing an invite, and enqueues the invite', async () => {
    // Prepare
    const { store, queue, ingest } = setup();

    // Act
    const result = await ingest(created());

    // Assess
    const id = assignmentIdFor('E1001', 'safe-internet-use');
    expect(result).toEqual({
      starterId: starterIdFor('E1001'),
      assignments: [{ id, policyId: 'safe-internet-use', policyVersion: 1, status: 'pending' }],
    });
    expect(store.assignments.get(id)).toMatchObject({ dueKind: 'invite', dueAt: '2026-11-24T10:01:00.000Z' });
    expect(queue.sent).toEqual([{ message: { assignmentId: id, kind: 'invite' }, delaySeconds: undefined }]);
    expect(store.policies.size).toBe(1);
  });

  it('answers the same event id with the same body and does nothing more', async () => {
    // Prepare
    const { store, queue, ingest } = setup();
    const first = await ingest(created());
    for (const a of store.assignments.values()) a.status = 'invited';

    // Act
    const second = await ingest(created());

    // Assess
    expect(second).toEqual(first);
    expect(queue.sent).toHaveLength(1);
  });

  it('converges when a retry follows a half-finished attempt', async () => {
    // Prepare: the first attempt stored everything but its receipt, and its enqueue failed
    const { store, queue, ingest } = setup();
    queue.failWith = new Error('SQS down');
    await ingest(created());
    store.receipts.clear();
    queue.failWith = undefined;

    // Act
    const result = await ingest(created());

    // Assess: one starter, one assignment, the owed invite enqueued now
    expect(store.starters.size).toBe(1);
    expect(store.assignments.size).toBe(1);
    expect(result.assignments).toHaveLength(1);
    expect(queue.sent).toHaveLength(1);
  });

  it('leaves the invite owed in the table when the enqueue fails', async () => {
    // Prepare
    const { store, queue, ingest } = setup();
    queue.failWith = new Error('SQS down');

    // Act
    await ingest(created());

    // Assess: the sweeper will find it
    expect(await store.queryDue(new Date('2026-11-24T10:05:00Z'), 10)).toHaveLength(1);
  });

  it('cancels every unsigned assignment of a cancelled starter', async () => {
    // Prepare
    const { store, ingest } = setup();
    await ingest(created());

    // Act
    const result = await ingest({ type: 'starter.cancelled', id: 'evt_2', data: { employeeId: 'E1001' } });

    // Assess
    expect(result.assignments.map((a) => a.status)).toEqual(['cancelled']);
    expect(store.starters.get(starterIdFor('E1001'))?.status).toBe('cancelled');
    expect(await store.queryDue(new Date('2030-01-01T00:00:00Z'), 10)).toEqual([]);
  });

  it('answers a cancellation of an unknown starter with no assignments', async () => {
    // Prepare
    const { store, ingest } = setup();

    // Act
    const result = await ingest({ type: 'starter.cancelled', id: 'evt_3', data: { employeeId: 'NOBODY' } });

    // Assess
    expect(result.assignments).toEqual([]);
    expect(store.starters.size).toBe(0);
  });
});

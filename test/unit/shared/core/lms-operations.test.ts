// The LMS operator's use cases: delivery status, the dead letters, replaying them, backfilling a destination, enabling one.
import { describe, expect, it } from 'vitest';
import { statementIdFor } from '#shared/core/destinations/delivery-ids.ts';
import { AttestError, NotFoundError } from '#shared/core/errors.ts';
import {
  makeBackfill,
  makeDeliveryStatus,
  makeEnableDestinations,
  makeListDeadLetters,
  makeReplayDeadLetters,
} from '#shared/core/lms-operations.ts';
import { anAssignment, deadLetterStore, FakeClock, FakeStore, seedSigned } from '../../../support/fakes.ts';

const NOW = '2026-11-26T10:00:00.000Z';

describe('makeDeliveryStatus', () => {
  it('answers each destination the agreement was owed to, with its delivery, and writes nothing', async () => {
    // Prepare
    const { store, e3 } = await deadLetterStore();
    const status = makeDeliveryStatus({ store });

    // Act
    const result = await status(e3);

    // Assess
    expect(result).toEqual({
      signed: true,
      deliveries: [
        { kind: 'webhook', delivery: expect.objectContaining({ state: 'dead', webhookId: 'wh_1' }) },
        { kind: 'xapi', delivery: expect.objectContaining({ state: 'dead', statementId: 'st_1' }) },
      ],
    });
    expect(store.writes).toEqual([]);
  });

  it('answers only the destination named, even one it was not owed to', async () => {
    // Prepare
    const store = new FakeStore();
    const id = await seedSigned(store, 'E1', { xapi: { statementId: 'st_1' } });
    const status = makeDeliveryStatus({ store });

    // Act
    const owed = await status(id);
    const named = await status(id, 'webhook');

    // Assess
    expect(owed).toEqual({ signed: true, deliveries: [{ kind: 'xapi', delivery: expect.anything() }] });
    expect(named).toEqual({ signed: true, deliveries: [{ kind: 'webhook', delivery: undefined }] });
  });

  it('says an unsigned agreement owes nothing yet, and refuses one that does not exist', async () => {
    // Prepare
    const store = new FakeStore();
    const assignment = anAssignment();
    store.seed(assignment);
    const status = makeDeliveryStatus({ store });

    // Act
    const unsigned = await status(assignment.assignmentId);
    const missing = status('no-such-assignment');

    // Assess
    expect(unsigned).toEqual({ signed: false });
    await expect(missing).rejects.toBeInstanceOf(NotFoundError);
    await expect(missing).rejects.toMatchObject({
      code: 'assignment.not_found',
      message: 'No assignment no-such-assignment.',
    });
  });
});

describe('makeListDeadLetters', () => {
  it('lists every destination’s dead letters with the delivery that says why, writing nothing', async () => {
    // Prepare
    const { store, e1, e2, e3 } = await deadLetterStore();

    // Act
    const letters = await makeListDeadLetters({ store })();

    // Assess
    expect(letters.map((l) => [l.assignmentId, l.kind, l.delivery?.deadLetter?.reason])).toEqual([
      [e1, 'webhook', 'rejected'],
      [e2, 'xapi', 'rejected'],
      [e3, 'xapi', 'exhausted'],
      [e3, 'webhook', 'gone'],
    ]);
    expect(store.writes).toEqual([]);
  });

  it('lists only those of the destination named, and none when there are none', async () => {
    // Prepare
    const { store, e2, e3 } = await deadLetterStore();

    // Act
    const xapi = await makeListDeadLetters({ store })('xapi');
    const none = await makeListDeadLetters({ store: new FakeStore() })();

    // Assess
    expect(xapi.map((l) => l.assignmentId)).toEqual([e2, e3]);
    expect(none).toEqual([]);
  });
});

describe('makeReplayDeadLetters', () => {
  it('makes every dead letter owed now, its attempts counted afresh, and audits each', async () => {
    // Prepare
    const { store, e1, e2 } = await deadLetterStore();
    const replay = makeReplayDeadLetters({ store, clock: new FakeClock(NOW) });

    // Act
    const outcome = await replay({ all: true });

    // Assess
    expect(outcome).toEqual({ replayed: 4, disabled: [] });
    expect(await store.deadLetters(10)).toEqual([]);
    expect(store.peek(e1)?.webhook).toMatchObject({ state: 'pending', attempts: 0, webhookId: 'wh_1' });
    expect(store.peek(e2)?.xapiDueAt).toBe(NOW);
    expect(store.audit.filter((e) => e.kind === 'delivery-replayed')).toHaveLength(4);
    expect(store.audit).toContainEqual({
      assignmentId: e1,
      kind: 'delivery-replayed',
      at: NOW,
      detail: { destination: 'webhook' },
    });
  });

  it('replays each letter once, however often it runs', async () => {
    // Prepare
    const { store } = await deadLetterStore();
    const replay = makeReplayDeadLetters({ store, clock: new FakeClock(NOW) });
    await replay({ all: true });

    // Act
    const again = await replay({ all: true });

    // Assess
    expect(again).toEqual({ replayed: 0, disabled: [] });
  });

  it("replays one assignment's letters, of the destination named or every one", async () => {
    // Prepare
    const { store, e1, e2, e3 } = await deadLetterStore();
    const replay = makeReplayDeadLetters({ store, clock: new FakeClock(NOW) });

    // Act
    const xapi = await replay({ assignmentId: e3 }, 'xapi');
    const rest = await replay({ assignmentId: e3 });

    // Assess
    expect([xapi.replayed, rest.replayed]).toEqual([1, 1]);
    expect((await store.deadLetters(10)).map((d) => d.assignmentId).sort()).toEqual([e1, e2].sort());
  });

  it('refuses an assignment with no dead letter (to the destination named), replaying nothing', async () => {
    // Prepare
    const { store, e1 } = await deadLetterStore();
    const replay = makeReplayDeadLetters({ store, clock: new FakeClock(NOW) });

    // Act
    const none = replay({ assignmentId: 'no-such-assignment' });
    const xapi = replay({ assignmentId: e1 }, 'xapi');

    // Assess
    await expect(none).rejects.toBeInstanceOf(AttestError);
    await expect(none).rejects.toMatchObject({
      code: 'lms.not_dead',
      message: 'no-such-assignment has no dead-lettered delivery.',
    });
    await expect(xapi).rejects.toMatchObject({ message: `${e1} has no dead-lettered delivery to xapi.` });
    expect(store.writes).toEqual([]);
  });

  it('leaves the letters of a disabled destination, saying which and why, and replays the rest', async () => {
    // Prepare
    const { store, e1, e3 } = await deadLetterStore();
    store.destinations.webhook = { state: 'disabled', reason: '410 Gone' };
    const replay = makeReplayDeadLetters({ store, clock: new FakeClock(NOW) });

    // Act
    const outcome = await replay({ all: true });

    // Assess
    expect(outcome).toEqual({ replayed: 2, disabled: [{ kind: 'webhook', reason: '410 Gone' }] });
    expect((await store.deadLetters(10)).map((d) => [d.assignmentId, d.kind])).toEqual([
      [e1, 'webhook'],
      [e3, 'webhook'],
    ]);
  });

  it('gives a disabled destination with no reason recorded a reason that says so', async () => {
    // Prepare
    const { store, e1 } = await deadLetterStore();
    store.destinations.webhook = { state: 'disabled' };

    // Act
    const outcome = await makeReplayDeadLetters({ store, clock: new FakeClock(NOW) })({ assignmentId: e1 });

    // Assess
    expect(outcome).toEqual({ replayed: 0, disabled: [{ kind: 'webhook', reason: 'no reason recorded' }] });
    expect(store.writes).toEqual([]);
  });
});

describe('makeBackfill', () => {
  it('owes an added destination each earlier agreement once, under the id its evidence fixes', async () => {
    // Prepare: two agreements delivered as webhooks only, one owing a statement already
    const store = new FakeStore();
    const e1 = await seedSigned(store, 'E1', { webhook: { webhookId: 'wh_1' } });
    const e2 = await seedSigned(store, 'E2', { webhook: { webhookId: 'wh_2' } });
    const e3 = await seedSigned(store, 'E3');
    const backfill = makeBackfill({ store, clock: new FakeClock(NOW) });

    // Act
    const first = await backfill('safe-internet-use', 'xapi');
    const again = await backfill('safe-internet-use', 'xapi');

    // Assess
    expect(first).toEqual({ owed: 2, had: 1 });
    expect(again).toEqual({ owed: 0, had: 3 });
    for (const id of [e1, e2]) {
      expect(store.peek(id)?.xapi).toEqual({
        state: 'pending',
        attempts: 0,
        statementId: statementIdFor('ev_1'),
      });
      expect(store.peek(id)?.xapiDueAt).toBe(NOW);
    }
    expect(store.peek(e3)?.xapi?.statementId).toBe('st_1');
    expect(store.audit.filter((e) => e.kind === 'delivery-backfilled')).toEqual([
      { assignmentId: e1, kind: 'delivery-backfilled', at: NOW, detail: { destination: 'xapi' } },
      { assignmentId: e2, kind: 'delivery-backfilled', at: NOW, detail: { destination: 'xapi' } },
    ]);
  });

  it('owes Moodle, added since, each earlier agreement once, under the completion id its evidence fixes', async () => {
    // Prepare
    const store = new FakeStore();
    const e1 = await seedSigned(store, 'E1', { webhook: { webhookId: 'wh_1' } });
    const backfill = makeBackfill({ store, clock: new FakeClock(NOW) });

    // Act
    const first = await backfill('safe-internet-use', 'moodle');
    const again = await backfill('safe-internet-use', 'moodle');

    // Assess
    expect([first, again]).toEqual([
      { owed: 1, had: 0 },
      { owed: 0, had: 1 },
    ]);
    expect(store.peek(e1)?.moodle).toEqual({ state: 'pending', attempts: 0, completionId: 'moodle_1' });
    expect(store.peek(e1)?.moodleDueAt).toBe(NOW);
  });

  it('owes nothing for another policy, nor for an unsigned assignment', async () => {
    // Prepare
    const store = new FakeStore();
    await seedSigned(store, 'E1', { webhook: { webhookId: 'wh_1' } });
    store.seed(anAssignment());
    store.writes.length = 0;

    // Act
    const outcome = await makeBackfill({ store, clock: new FakeClock(NOW) })('data-protection', 'xapi');

    // Assess
    expect(outcome).toEqual({ owed: 0, had: 0 });
    expect(store.writes).toEqual([]);
  });
});

describe('makeEnableDestinations', () => {
  it('enables every destination, or only the one named, stamped with the time', async () => {
    // Prepare
    const store = new FakeStore();
    store.destinations.webhook = { state: 'disabled', reason: '410 Gone' };
    store.destinations.xapi = { state: 'disabled', reason: '410 Gone' };
    const enable = makeEnableDestinations({ store, clock: new FakeClock(NOW) });

    // Act
    const xapi = await enable('xapi');
    const lmsAfterXapi = await store.getDestination('webhook');
    const every = await enable();

    // Assess
    expect(xapi).toEqual(['xapi']);
    expect(lmsAfterXapi).toEqual({ state: 'disabled', reason: '410 Gone' });
    expect(every).toEqual(['webhook', 'xapi', 'moodle']);
    expect(store.destinations).toEqual({
      webhook: { state: 'enabled', at: NOW },
      xapi: { state: 'enabled', at: NOW },
      moodle: { state: 'enabled', at: NOW },
    });
  });
});

// Ingesting HR events: convergence on derived ids, idempotency by event id, default policies, cancellation.
import { describe, expect, it, vi } from 'vitest';
import { type AudienceRules, NO_AUDIENCE_RULES } from '#shared/core/audience.ts';
import { ErasedError } from '#shared/core/errors.ts';
import { assignmentIdFor, renewalIdFor, starterIdFor } from '#shared/core/ids.ts';
import { HR_SOURCE, makeIngestStarterEvent, policyCatalogue } from '#shared/core/ingest.ts';
import type { Assignment, Starter } from '#shared/core/model.ts';
import type { StarterEvent } from '#shared/core/starter-event.ts';
import {
  aPolicy,
  FakeClock,
  FakeMetrics,
  FakeQueue,
  FakeStore,
  RETENTION,
  silentLogger,
} from '../../../support/fakes.ts';

const safe = aPolicy();
const privacy = aPolicy({
  policyId: 'data-protection',
  version: 2,
  title: 'Data protection',
  sha256: 'b'.repeat(64),
});
const REDRIVE_MS = 15 * 60_000;

function created(
  id = 'evt_1',
  extra: { policies?: string[]; email?: string } = {},
): Extract<StarterEvent, { type: 'starter.created' }> {
  return {
    type: 'starter.created',
    id,
    data: {
      employeeId: 'E1001',
      givenName: 'Ada',
      familyName: 'Lovelace',
      email: extra.email ?? 'ada@example.org',
      startDate: '2026-12-01',
      locale: 'en-GB',
      timeZone: 'Europe/London',
      ...(extra.policies && { policies: extra.policies }),
    },
  };
}

/** The store's first write of a profile that `matches` fails, as a crash there would. */
function crashOnce(store: FakeStore, matches: (starter: Starter) => boolean): void {
  const putStarter = store.putStarter.bind(store);
  let failOnce = true;
  store.putStarter = async (starter) => {
    if (failOnce && matches(starter)) {
      failOnce = false;
      throw new Error('crashed');
    }
    return putStarter(starter);
  };
}

const cancelled = (id = 'evt_cancel', employeeId = 'E1001'): StarterEvent => ({
  type: 'starter.cancelled',
  id,
  data: { employeeId },
});

/** With `published`, the store already holds safe at version 3 and privacy at version 2. */
function setup(
  defaultPolicies: string[] = ['safe-internet-use'],
  published = true,
  source?: string,
  store = new FakeStore(),
  audience: AudienceRules = NO_AUDIENCE_RULES,
) {
  if (published) {
    store.policies.set(`${safe.policyId}#${safe.version}`, safe);
    store.policies.set(`${privacy.policyId}#${privacy.version}`, privacy);
  }
  const queue = new FakeQueue();
  const clock = new FakeClock('2026-11-24T10:00:00.000Z');
  const metrics = new FakeMetrics();
  const ingest = makeIngestStarterEvent({
    metrics,
    store,
    mailQueue: queue,
    clock,
    logger: silentLogger,
    policies: policyCatalogue(
      new Map([
        [safe.policyId, safe],
        [privacy.policyId, privacy],
      ]),
    ),
    defaultPolicies,
    audience,
    redriveAfterMs: REDRIVE_MS,
    retention: RETENTION,
    ...(source && { source }),
  });
  return { store, queue, clock, ingest, metrics };
}

const safeId = assignmentIdFor('E1001', 'safe-internet-use');
const privacyId = assignmentIdFor('E1001', 'data-protection');

/** The starter created and safe-internet-use signed a minute later (owing `deliveries`). */
async function createdAndSafeSigned(
  fixture: ReturnType<typeof setup>,
  deliveries: Record<string, Record<string, string>> = {},
  at = new Date('2026-11-24T10:01:00Z'),
) {
  await fixture.ingest(created());
  await fixture.store.recordAcknowledgement(safeId, { evidenceId: 'ev_1' } as never, deliveries, at);
  return fixture;
}

/** A starter asked two policies who left, the safe-internet-use request already expiring. */
async function leftWithSafeExpiring() {
  const { store, ingest } = setup(['safe-internet-use', 'data-protection']);
  await ingest(created());
  await ingest(cancelled());
  store.seed({
    ...(store.peek(safeId) as Assignment),
    retainStep: undefined,
    retainAt: undefined,
    expiresAt: 1_900_000_000,
  });
  return { store, ingest };
}

describe('ingestStarterEvent', () => {
  it('refuses, writing nothing, any event about a person erased: while their records are kept, and after retention deleted them', async () => {
    // Prepare: E1001 erased; E2002 erased, then deleted by retention (only the log remembers them)
    const { store, ingest } = setup();
    await ingest(created());
    const stored = store.starters.get(starterIdFor('E1001')) as Starter;
    store.starters.set(stored.starterId, {
      ...stored,
      erased: { at: '2026-11-20T09:00:00.000Z', pseudonym: 'erased-1', assignmentIds: [] },
    });
    await store.logErasure({
      starterId: starterIdFor('E2002'),
      pseudonym: 'erased-2',
      at: '2026-11-21T09:00:00.000Z',
      by: 'dpo',
      reason: 'ref 9',
    });
    const before = { starters: store.starters.size, assignments: store.assignments.size };

    // Act, assess
    for (const event of [
      created('evt_again'),
      cancelled('evt_c2'),
      { ...created('evt_e2'), data: { ...created().data, employeeId: 'E2002' } },
    ]) {
      await expect(ingest(event)).rejects.toThrow(ErasedError);
    }
    await expect(
      ingest({ ...created('evt_e2b'), data: { ...created().data, employeeId: 'E2002' } }),
    ).rejects.toThrow(/erased on 2026-11-21/);
    expect({ starters: store.starters.size, assignments: store.assignments.size }).toEqual(before);
  });

  it('creates the starter and an assignment owing an invite, and enqueues the invite', async () => {
    // Prepare
    const { store, queue, ingest } = setup();

    // Act
    const result = await ingest(created());

    // Assess
    expect(result).toEqual({
      starterId: starterIdFor('E1001'),
      assignments: [{ id: safeId, policyId: 'safe-internet-use', policyVersion: 3, status: 'pending' }],
    });
    expect(store.starters.get(starterIdFor('E1001'))).toMatchObject({
      employeeId: 'E1001',
      email: 'ada@example.org',
      status: 'active',
      policies: ['safe-internet-use'],
    });
    expect(store.peek(safeId)).toMatchObject({
      starterId: starterIdFor('E1001'),
      policyVersion: 3,
      policySha256: safe.sha256,
      status: 'pending',
      dueKind: 'invite',
      dueAt: '2026-11-24T10:15:00.000Z',
      sends: [],
    });
    expect(await store.getPolicyVersion('safe-internet-use', 3)).toEqual(safe);
    expect(queue.sent).toEqual([
      { message: { assignmentId: safeId, kind: 'invite' }, delaySeconds: undefined },
    ]);
  });

  it('answers the same event id with the same body and does nothing more', async () => {
    // Prepare
    const { store, queue, ingest, clock } = setup();
    const first = await ingest(created());
    const writes = store.writes.length;
    clock.advance(60_000);

    // Act
    const second = await ingest(created());

    // Assess
    expect(second).toEqual(first);
    expect(queue.sent).toHaveLength(1);
    expect(store.writes).toHaveLength(writes);
  });

  it('counts each event ingested by type, and not a repeat answered from its receipt', async () => {
    // Prepare
    const { ingest, metrics } = setup();
    await ingest(created());

    // Act
    await ingest(created());

    // Assess
    expect(metrics.counted).toEqual([
      { name: 'StarterEventIngested', dimensions: { type: 'starter.created' } },
    ]);
  });

  it('answers concurrent copies of one event with one body, the first stored, each converging on the same records', async () => {
    // Prepare: the mailer invites the starter as soon as the first copy has created the assignment;
    // four more copies arrive then, and all five have read the event's receipt before any is stored
    const { store, queue, ingest } = setup();
    let invited!: () => void;
    const afterInvite = new Promise<void>((resolve) => {
      invited = resolve;
    });
    const create = store.createAssignment.bind(store);
    store.createAssignment = async (assignment) => {
      const created = await create(assignment);
      const stored = store.assignments.get(assignment.assignmentId);
      if (stored) stored.status = 'invited';
      invited();
      return created;
    };
    let looked = 0;
    let allLooked!: () => void;
    const afterLooks = new Promise<void>((resolve) => {
      allLooked = resolve;
    });
    const read = store.getEventReceipt.bind(store);
    store.getEventReceipt = async (...args) => {
      const receipt = await read(...args);
      if (++looked === 5) allLooked();
      return receipt;
    };
    const put = store.putEventReceipt.bind(store);
    store.putEventReceipt = async (source, eventId, response, expiresAt) => {
      await afterLooks;
      return put(source, eventId, response, expiresAt);
    };

    // Act
    const bodies = await Promise.all([
      ingest(created()),
      ...Array.from({ length: 4 }, async () => {
        await afterInvite;
        return ingest(created());
      }),
    ]);

    // Assess: every copy answers the body stored first (the first copy's: its assignment was
    // pending); each did the work, and it converged: one starter, one assignment as first made, one
    // invite owed (hinted once per copy: the mailer's lease sends one email)
    const stored = store.receipts.get(`${HR_SOURCE}#evt_1`)?.response;
    expect(stored).toMatchObject({ assignments: [{ status: 'pending' }] });
    for (const body of bodies) expect(body).toEqual(stored);
    expect(store.starters.size).toBe(1);
    expect(store.assignments.size).toBe(1);
    expect(store.assignments.get(safeId)).toMatchObject({ status: 'invited', dueKind: 'invite' });
    expect(new Set(queue.sent.map((s) => JSON.stringify(s.message)))).toEqual(
      new Set([JSON.stringify({ assignmentId: safeId, kind: 'invite' })]),
    );
  });

  it('asks for the event’s receipt together with the starter and their erasure (one request on the table)', async () => {
    // Prepare: note each read as it is asked, with how many reads had been answered by then
    const { store, ingest } = setup();
    const asked: Array<[string, number]> = [];
    let answered = 0;
    for (const name of ['getEventReceipt', 'getStarter', 'getErasure'] as const) {
      const read = (store[name] as (...a: unknown[]) => Promise<unknown>).bind(store);
      (store as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        asked.push([name, answered]);
        return read(...args).finally(() => answered++);
      };
    }

    // Act
    await ingest(created());

    // Assess: all three asked before any was answered, as table.ts batches them
    expect(asked.slice(0, 3)).toEqual([
      ['getEventReceipt', 0],
      ['getStarter', 0],
      ['getErasure', 0],
    ]);
  });

  it('keeps each HR source’s event ids apart: the same id from another source is another event', async () => {
    // Prepare: the signed webhook's evt_1 is answered; another source sends an evt_1 of its own
    const { store, ingest } = setup();
    await ingest(created('evt_1'));
    const fromCsv = setup(['safe-internet-use'], true, 'csv', store).ingest;
    const writes = store.writes.length;

    // Act
    const body = await fromCsv(created('evt_1', { email: 'ada.lovelace@example.org' }));

    // Assess: done and stored under its own source, not answered from the webhook's receipt
    expect(store.receipts.get('csv#evt_1')?.response).toEqual(body);
    expect(store.writes.slice(writes)).toContain('putStarter');
    expect((await store.getStarter(starterIdFor('E1001')))?.email).toBe('ada.lovelace@example.org');
  });

  it('answers the receipt a concurrent copy stored first, not its own', async () => {
    // Prepare: another copy (past its wait) stores its receipt just before this one does
    const { store, ingest } = setup();
    const put = store.putEventReceipt.bind(store);
    const first = {
      starterId: starterIdFor('E1001'),
      assignments: [{ id: safeId, policyId: 'safe-internet-use', policyVersion: 3, status: 'invited' }],
    };
    store.putEventReceipt = async (source, eventId, response, expiresAt) => {
      await put(source, eventId, first, expiresAt);
      return put(source, eventId, response, expiresAt);
    };

    // Act
    const body = await ingest(created());

    // Assess
    expect(body).toEqual(first);
    expect(store.receipts.get(`${HR_SOURCE}#evt_1`)?.response).toEqual(first);
  });

  it('finishes an event whose first run stopped part way, on the sender’s retry', async () => {
    // Prepare: a run created the starter and then failed before its assignment and its receipt
    const { store, queue, ingest } = setup();
    const create = store.createAssignment.bind(store);
    store.createAssignment = async () => {
      throw new Error('throttled');
    };
    await expect(ingest(created())).rejects.toThrow('throttled');
    store.createAssignment = create;

    // Act
    const body = await ingest(created());

    // Assess: the retry did the rest and stored its body
    expect(body).toMatchObject({ assignments: [{ id: safeId, status: 'pending' }] });
    expect(store.receipts.get(`${HR_SOURCE}#evt_1`)?.response).toEqual(body);
    expect(queue.sent).toHaveLength(1);
  });

  it('remembers the event id for a week', async () => {
    // Prepare
    const { store, ingest } = setup();

    // Act
    await ingest(created('evt_ttl'));

    // Assess
    expect(store.receipts.get(`${HR_SOURCE}#evt_ttl`)?.expiresAt.toISOString()).toBe(
      '2026-12-01T10:00:00.000Z',
    );
  });

  it('assigns the configured default policies when the event names none', async () => {
    // Prepare
    const { store, queue, ingest } = setup(['safe-internet-use', 'data-protection']);

    // Act
    const result = await ingest(created());

    // Assess
    expect(result.assignments.map((a) => [a.policyId, a.policyVersion])).toEqual([
      ['safe-internet-use', 3],
      ['data-protection', 2],
    ]);
    expect(store.assignments.size).toBe(2);
    expect(queue.sent.map((s) => s.message.assignmentId)).toEqual([safeId, privacyId]);
  });

  it('keeps where the starter works and as what, trimmed by the schema, leaving out what HR left out', async () => {
    // Prepare
    const { store, ingest } = setup();
    const event = created();

    // Act
    await ingest({
      ...event,
      data: { ...event.data, department: 'Libraries', location: 'Central Library', jobTitle: 'Archivist' },
    });

    // Assess
    const starter = store.starters.get(starterIdFor('E1001'));
    expect(starter).toMatchObject({
      department: 'Libraries',
      location: 'Central Library',
      jobTitle: 'Archivist',
    });
    expect(starter).not.toHaveProperty('organization');
    expect(starter).not.toHaveProperty('employmentType');
  });

  it('assigns the policies the event names instead of the defaults', async () => {
    // Prepare
    const { store, ingest } = setup(['safe-internet-use']);

    // Act
    await ingest(created('evt_1', { policies: ['data-protection'] }));

    // Assess
    expect([...store.assignments.keys()]).toEqual([privacyId]);
  });

  describe('with audience rules', () => {
    /** Privacy for Libraries staff; the default set is the deployment's (safe). */
    const rules: AudienceRules = {
      rules: [{ name: 'libraries', when: { department: ['Libraries'] }, policies: ['data-protection'] }],
    };
    const inDepartment = (id: string, department: string, type: StarterEvent['type'] = 'starter.created') => {
      const event = created(id);
      return { ...event, type, data: { ...event.data, department } } as StarterEvent;
    };

    it('asks the default set and each matching rule’s policies, and records which rules matched', async () => {
      // Prepare
      const { store, queue, ingest } = setup(['safe-internet-use'], true, undefined, new FakeStore(), rules);

      // Act
      const result = await ingest(inDepartment('evt_1', ' libraries '));

      // Assess
      expect(result.assignments.map((a) => a.policyId)).toEqual(['safe-internet-use', 'data-protection']);
      expect(store.starters.get(starterIdFor('E1001'))).toMatchObject({
        policies: ['safe-internet-use', 'data-protection'],
        policiesFrom: 'rules',
        matchedRules: ['libraries'],
      });
      expect(queue.sent.map((s) => s.message.assignmentId)).toEqual([safeId, privacyId]);
    });

    it('asks exactly what an event names: its list overrides the rules, and holds on an update naming none', async () => {
      // Prepare
      const { store, ingest } = setup(['safe-internet-use'], true, undefined, new FakeStore(), rules);
      const named = inDepartment('evt_1', 'Libraries') as Extract<StarterEvent, { type: 'starter.created' }>;

      // Act
      await ingest({ ...named, data: { ...named.data, policies: ['safe-internet-use'] } });
      await ingest(inDepartment('evt_2', 'Libraries', 'starter.updated'));

      // Assess
      expect([...store.assignments.keys()]).toEqual([safeId]);
      expect(store.starters.get(starterIdFor('E1001'))).toMatchObject({
        policies: ['safe-internet-use'],
        policiesFrom: 'event',
      });
      expect(store.starters.get(starterIdFor('E1001'))).not.toHaveProperty('matchedRules');
    });

    it('decides again on an update: a move into a department a rule names asks its policy too', async () => {
      // Prepare
      const { store, queue, ingest } = setup(['safe-internet-use'], true, undefined, new FakeStore(), rules);
      await ingest(inDepartment('evt_1', 'Finance'));

      // Act
      const result = await ingest(inDepartment('evt_2', 'Libraries', 'starter.updated'));

      // Assess
      expect(result.assignments.map((a) => [a.policyId, a.status])).toEqual([
        ['safe-internet-use', 'pending'],
        ['data-protection', 'pending'],
      ]);
      expect(store.starters.get(starterIdFor('E1001'))?.matchedRules).toEqual(['libraries']);
      expect(queue.sent.map((s) => s.message.assignmentId)).toEqual([safeId, safeId, privacyId]);
    });

    it('keeps the ask of a policy a move out of its department drops, as for any list that shrinks', async () => {
      // Prepare
      const { store, ingest } = setup(['safe-internet-use'], true, undefined, new FakeStore(), rules);
      await ingest(inDepartment('evt_1', 'Libraries'));

      // Act
      const result = await ingest(inDepartment('evt_2', 'Finance', 'starter.updated'));

      // Assess: no longer listed or answered for, but not withdrawn either
      expect(result.assignments.map((a) => a.policyId)).toEqual(['safe-internet-use']);
      expect(store.starters.get(starterIdFor('E1001'))).toMatchObject({
        policies: ['safe-internet-use'],
        matchedRules: [],
      });
      expect(store.peek(privacyId)).toMatchObject({ status: 'pending', dueKind: 'invite' });
    });

    it('withdraws, when the starter is cancelled, the ask of a policy since dropped from their list', async () => {
      // Prepare: asked privacy in Libraries, then moved to Finance (the ask stays, chased)
      const { store, ingest } = setup(['safe-internet-use'], true, undefined, new FakeStore(), rules);
      await ingest(inDepartment('evt_1', 'Libraries'));
      await ingest(inDepartment('evt_2', 'Finance', 'starter.updated'));

      // Act
      await ingest({ type: 'starter.cancelled', id: 'evt_3', data: { employeeId: 'E1001' } });

      // Assess
      expect(store.starters.get(starterIdFor('E1001'))?.asked).toEqual([
        'safe-internet-use',
        'data-protection',
      ]);
      expect(store.peek(privacyId)).toMatchObject({ status: 'cancelled' });
      expect(store.peek(privacyId)?.dueAt).toBeUndefined();
      expect(store.peek(safeId)).toMatchObject({ status: 'cancelled' });
    });

    it('keeps the list of a starter stored before policies’ origin was recorded, when an update names none', async () => {
      // Prepare: stored by an earlier version, asked privacy by their event
      const { store, ingest } = setup(['safe-internet-use'], true, undefined, new FakeStore(), rules);
      await ingest(created('evt_1', { policies: ['data-protection'] }));
      const stored = store.starters.get(starterIdFor('E1001'));
      if (!stored) throw new Error('no starter');
      const { policiesFrom: _, ...legacy } = stored;
      store.starters.set(stored.starterId, legacy);

      // Act
      await ingest(inDepartment('evt_2', 'Finance', 'starter.updated'));

      // Assess
      expect(store.starters.get(starterIdFor('E1001'))?.policies).toEqual(['data-protection']);
      expect([...store.assignments.keys()]).toEqual([privacyId]);
    });

    it('takes the rules file’s default set over DEFAULT_POLICIES', async () => {
      // Prepare
      const { store, ingest } = setup(['safe-internet-use'], true, undefined, new FakeStore(), {
        ...rules,
        default: ['data-protection'],
      });

      // Act
      await ingest(inDepartment('evt_1', 'Finance'));

      // Assess
      expect([...store.assignments.keys()]).toEqual([privacyId]);
    });
  });

  it('updates the starter without a second assignment or a second invite', async () => {
    // Prepare
    const { store, queue, ingest } = setup();
    await ingest(created('evt_1'));
    await store.claimWork(
      safeId,
      'invite',
      new Date('2026-11-24T10:00:00Z'),
      new Date('2026-11-24T10:02:00Z'),
    );
    await store.recordSend(
      safeId,
      { kind: 'invite', tokenId: 't', messageId: 'ses-1', at: '2026-11-24T10:00:01Z' },
      { status: 'invited' },
    );

    // Act
    const result = await ingest({
      ...created('evt_2', { email: 'ada.l@example.org' }),
      type: 'starter.updated',
    });

    // Assess
    expect(store.starters.get(starterIdFor('E1001'))?.email).toBe('ada.l@example.org');
    expect(result.assignments).toEqual([expect.objectContaining({ id: safeId, status: 'invited' })]);
    expect(store.assignments.size).toBe(1);
    expect(queue.sent).toHaveLength(1);
  });

  it('answers an update with the ask in force: the newer version that replaced the first', async () => {
    // Prepare: the first ask (v3) was withdrawn for a v4 ask when v4 was published
    const { store, queue, ingest } = setup();
    await ingest(created('evt_1'));
    const v4Id = assignmentIdFor('E1001', 'safe-internet-use', 4);
    store.seed({ ...(store.peek(safeId) as Assignment), assignmentId: v4Id, policyVersion: 4 });
    await store.cancelAssignment(safeId, new Date('2026-11-24T10:05:00Z'), {
      assignmentId: v4Id,
      version: 4,
    });
    const sent = queue.sent.length;

    // Act
    const result = await ingest({
      ...created('evt_2', { email: 'ada.l@example.org' }),
      type: 'starter.updated',
    });

    // Assess: not the withdrawn first ask
    expect(result.assignments).toEqual([
      expect.objectContaining({ id: v4Id, policyVersion: 4, status: 'pending' }),
    ]);
    expect(store.peek(safeId)?.status).toBe('cancelled');
    expect(queue.sent.length - sent).toBe(1); // its invite is owed: a hint, harmless if repeated
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

    // Assess
    expect(store.starters.size).toBe(1);
    expect(store.assignments.size).toBe(1);
    expect(result.assignments).toHaveLength(1);
    expect(queue.sent).toEqual([
      { message: { assignmentId: safeId, kind: 'invite' }, delaySeconds: undefined },
    ]);
  });

  it('leaves the invite owed in the table for the sweeper when the enqueue fails', async () => {
    // Prepare
    const { store, queue, ingest } = setup();
    queue.failWith = Object.assign(new Error('SQS down'), { name: 'ServiceUnavailable' });

    // Act
    const result = await ingest(created());

    // Assess: the event is still answered; the owed invite is found once it falls due
    expect(result.assignments).toHaveLength(1);
    expect(await store.queryDue(new Date('2026-11-24T10:14:59Z'), 10)).toEqual([]);
    expect(await store.queryDue(new Date('2026-11-24T10:15:00Z'), 10)).toEqual([
      { assignmentId: safeId, dueAt: '2026-11-24T10:15:00.000Z', dueKind: 'invite' },
    ]);
  });

  it('stops chasing a cancelled starter: every unsigned assignment is cancelled and owes nothing', async () => {
    // Prepare
    const { store, ingest } = setup(['safe-internet-use', 'data-protection']);
    await ingest(created());

    // Act
    const result = await ingest(cancelled());

    // Assess
    expect(result.assignments.map((a) => a.status)).toEqual(['cancelled', 'cancelled']);
    expect(store.starters.get(starterIdFor('E1001'))?.status).toBe('cancelled');
    expect(await store.queryDue(new Date('2030-01-01T00:00:00Z'), 10)).toEqual([]);
  });

  it('withdraws an unsigned renewal when the starter is cancelled, keeping the agreement it renews', async () => {
    // Prepare: safe signed, then asked again (a reattest: period passed)
    const { store, ingest } = setup(['safe-internet-use']);
    await ingest(created());
    await store.recordAcknowledgement(
      safeId,
      { evidenceId: 'ev_1' } as never,
      {},
      new Date('2026-11-24T10:01:00Z'),
    );
    const renewalId = renewalIdFor(safeId);
    await store.createAssignment({
      ...(store.peek(safeId) as Assignment),
      assignmentId: renewalId,
      reason: 'reattest',
      renews: safeId,
      status: 'pending',
      ack: undefined,
      dueKind: 'invite',
      dueAt: '2027-11-24T10:01:00.000Z',
    });

    // Act
    await ingest(cancelled());

    // Assess
    expect(store.peek(renewalId)).toMatchObject({ status: 'cancelled' });
    expect(store.peek(renewalId)?.dueKind).toBeUndefined();
    expect(store.peek(safeId)).toMatchObject({ status: 'acknowledged', ack: { evidenceId: 'ev_1' } });
  });

  it('notes the leaving on every request, owing expiry after RETAIN_UNSIGNED_AFTER_LEAVING, or RETAIN_EVIDENCE once signed', async () => {
    // Prepare: safe signed, privacy not
    const { store, ingest } = await createdAndSafeSigned(setup(['safe-internet-use', 'data-protection']));

    // Act
    await ingest(cancelled());

    // Assess
    expect(store.peek(privacyId)).toMatchObject({
      leftAt: '2026-11-24T10:00:00.000Z',
      retainStep: 'expire',
      retainAt: '2027-11-24T10:00:00.000Z',
    });
    expect(store.peek(safeId)).toMatchObject({
      status: 'acknowledged',
      leftAt: '2026-11-24T10:00:00.000Z',
      retainStep: 'expire',
      retainAt: '2032-11-24T10:00:00.000Z',
    });
  });

  it('keeps a reduce-ip step owed first when a signer leaves, and the first leaving time when HR repeats it', async () => {
    // Prepare
    const { store, ingest, clock } = setup();
    await ingest(created());
    await store.recordAcknowledgement(
      safeId,
      { evidenceId: 'ev_1' } as never,
      {},
      new Date('2026-11-24T10:01:00Z'),
      new Date('2027-11-24T10:00:00Z'),
    );
    await ingest(cancelled());

    // Act
    clock.advance(3600_000);
    await ingest(cancelled('evt_cancel_again'));

    // Assess
    expect(store.peek(safeId)).toMatchObject({
      leftAt: '2026-11-24T10:00:00.000Z',
      retainStep: 'reduce-ip',
      retainAt: '2027-11-24T10:00:00.000Z',
    });
  });

  it('keeps a leaver’s profile expiring when HR describes them again after every request of theirs expired', async () => {
    // Prepare: left; one request expiring, the other already deleted by the TTL
    const { store, ingest } = await leftWithSafeExpiring();
    store.assignments.delete(privacyId);
    await store.expireStarter(starterIdFor('E1001'), new Date('2030-01-01T00:00:00Z'));

    // Act: an update rewrites the profile whole
    await ingest({ ...created('evt_update', { email: 'ada.l@example.org' }), type: 'starter.updated' });

    // Assess
    expect(store.starters.get(starterIdFor('E1001'))?.status).toBe('cancelled');
    expect(store.starterExpiry.get(starterIdFor('E1001'))).toBe(
      Date.parse('2026-11-24T10:00:00.000Z') / 1000,
    );
  });

  it('sets no expiry on a leaver described again while a request of theirs still owes its expiry', async () => {
    // Prepare
    const { store, ingest } = setup();
    await ingest(created());
    await ingest(cancelled());

    // Act
    await ingest({ ...created('evt_update'), type: 'starter.updated' });

    // Assess
    expect(store.starterExpiry.has(starterIdFor('E1001'))).toBe(false);
  });

  it('forgets the leaving of a starter who comes back: no expiry owed, nothing of theirs expiring', async () => {
    // Prepare: left, and one request was already expiring
    const { store, ingest } = await leftWithSafeExpiring();
    store.partitionExpiry.set(safeId, 1_900_000_000);

    // Act
    await ingest(created('evt_back'));

    // Assess
    for (const id of [safeId, privacyId]) {
      const back = store.peek(id);
      expect(back?.leftAt).toBeUndefined();
      expect(back?.retainStep).toBeUndefined();
      expect(back?.expiresAt).toBeUndefined();
    }
    expect(store.partitionExpiry.has(safeId)).toBe(false);
    expect(await store.queryRetention(new Date('2040-01-01T00:00:00Z'), 10)).toEqual([]);
  });

  it('asks a cancelled starter again when HR brings them back: a fresh invite, a fresh chase', async () => {
    // Prepare: invited and reminded, then cancelled
    const { store, queue, ingest } = setup(['safe-internet-use', 'data-protection']);
    await ingest(created());
    store.seed({
      ...(store.peek(safeId) as Assignment),
      status: 'invited',
      dueAt: undefined,
      dueKind: undefined,
      chase: { invitedAt: '2026-11-24T10:00:01Z', remindersSent: 2 },
    });
    await ingest(cancelled());
    const sent = queue.sent.length;

    // Act: the offer is reinstated
    const result = await ingest(created('evt_back'));

    // Assess
    expect(result.assignments.map((a) => [a.id, a.status])).toEqual([
      [safeId, 'pending'],
      [privacyId, 'pending'],
    ]);
    expect(store.starters.get(starterIdFor('E1001'))?.status).toBe('active');
    for (const id of [safeId, privacyId]) {
      const a = store.peek(id);
      expect(a).toMatchObject({ status: 'pending', dueKind: 'invite', dueAt: '2026-11-24T10:15:00.000Z' });
      expect(a?.chase).toBeUndefined();
      expect(store.audit).toContainEqual(
        expect.objectContaining({
          assignmentId: id,
          kind: 'reopened',
          detail: { reason: 'starter active again' },
        }),
      );
    }
    expect(queue.sent.slice(sent).map((m) => m.message.assignmentId)).toEqual(
      expect.arrayContaining([safeId, privacyId]),
    );
  });

  it('reopens nothing signed, nothing withdrawn for a newer version, and nothing for an active starter', async () => {
    // Prepare: safe signed; privacy withdrawn for its v3 ask, which was cancelled with the starter
    const { store, ingest } = await createdAndSafeSigned(setup(['safe-internet-use', 'data-protection']));
    const newer = assignmentIdFor('E1001', 'data-protection', 3);
    store.seed({ ...(store.peek(privacyId) as Assignment), assignmentId: newer, policyVersion: 3 });
    await store.cancelAssignment(privacyId, new Date('2026-11-24T10:02:00Z'), {
      assignmentId: newer,
      version: 3,
    });
    await ingest(cancelled());

    // Act
    await ingest(created('evt_back'));
    const writes = store.writes.length;
    await ingest({ ...created('evt_update', { email: 'ada@example.org' }), type: 'starter.updated' });

    // Assess
    expect(store.peek(safeId)?.status).toBe('acknowledged');
    expect(store.peek(privacyId)?.status).toBe('cancelled');
    expect(store.peek(newer)).toMatchObject({ status: 'pending', dueKind: 'invite' });
    expect(store.writes.slice(writes)).not.toContain('reopenCancelled');
  });

  it('finishes a reinstatement that failed part way when HR retries the event', async () => {
    // Prepare: the first attempt fails as it reopens the second policy's ask
    const { store, ingest } = setup(['safe-internet-use', 'data-protection']);
    await ingest(created());
    await ingest(cancelled());
    const reopenCancelled = store.reopenCancelled.bind(store);
    let calls = 0;
    store.reopenCancelled = async (id, how) => {
      if (++calls === 2) throw new Error('throttled');
      return reopenCancelled(id, how);
    };
    await expect(ingest(created('evt_back'))).rejects.toThrow('throttled');

    // Act: HR sends the same event again
    const result = await ingest(created('evt_back'));

    // Assess
    expect(result.assignments.map((a) => a.status)).toEqual(['pending', 'pending']);
    expect(store.peek(privacyId)).toMatchObject({ status: 'pending', dueKind: 'invite' });
  });

  it('changes a leaver’s details on a late starter.updated, but does not bring them back', async () => {
    // Prepare
    const { store, queue, ingest } = setup();
    await ingest(created());
    await ingest(cancelled());
    const sent = queue.sent.length;

    // Act: an update HR sent before the cancellation arrives after it
    const result = await ingest({
      ...created('evt_late', { email: 'ada.new@example.org' }),
      type: 'starter.updated',
    });

    // Assess
    expect(store.starters.get(starterIdFor('E1001'))).toMatchObject({
      status: 'cancelled',
      email: 'ada.new@example.org',
    });
    expect(result.assignments).toEqual([expect.objectContaining({ id: safeId, status: 'cancelled' })]);
    expect(store.peek(safeId)?.status).toBe('cancelled');
    expect(queue.sent.length).toBe(sent);
  });

  it('asks a reinstated starter for the newest version, when one was published while they were away', async () => {
    // Prepare: asked for v3, cancelled, then v4 published
    const { store, queue, ingest } = setup();
    await ingest(created());
    await ingest(cancelled());
    const v4 = { ...safe, version: 4, sha256: 'e'.repeat(64) };
    store.policies.set(`${safe.policyId}#4`, v4);
    const sent = queue.sent.length;

    // Act
    const result = await ingest(created('evt_back'));

    // Assess: a v4 ask owing its invite; the v3 ask withdrawn for it, not reopened
    const v4Id = assignmentIdFor('E1001', 'safe-internet-use', 4);
    expect(result.assignments).toEqual([
      expect.objectContaining({ id: v4Id, policyVersion: 4, status: 'pending' }),
    ]);
    expect(store.peek(v4Id)).toMatchObject({ dueKind: 'invite', reason: 'starter' });
    expect(store.peek(safeId)).toMatchObject({
      status: 'cancelled',
      supersededBy: { assignmentId: v4Id, version: 4 },
    });
    expect(queue.sent.slice(sent).map((m) => m.message.assignmentId)).toContain(v4Id);
  });

  it('keeps an ask bounced when the reinstated starter’s address is the one that refused it', async () => {
    // Prepare: the invite bounced, then the starter was cancelled
    const { store, queue, ingest } = setup();
    await ingest(created());
    const bounce = { reason: 'bounced' as const, email: 'ada@example.org', at: '2026-11-24T10:05:00.000Z' };
    store.seed({
      ...(store.peek(safeId) as Assignment),
      status: 'bounced',
      bounce,
      dueAt: undefined,
      dueKind: undefined,
    });
    await ingest(cancelled());
    const sent = queue.sent.length;

    // Act: back, same address; then back again with a new one
    const same = await ingest(created('evt_back'));
    const owedAfterSame = store.peek(safeId)?.dueKind;
    await ingest(created('evt_new_address', { email: 'ada.l@example.org' }));

    // Assess: nothing sent to the refusing address; the new address re-opens the chase
    expect(same.assignments).toEqual([expect.objectContaining({ status: 'bounced' })]);
    expect(owedAfterSame).toBeUndefined();
    expect(store.peek(safeId)).toMatchObject({ status: 'pending', dueKind: 'invite' });
    expect(queue.sent.slice(sent).length).toBeGreaterThan(0);
  });

  it('dates a changed address on each unsigned ask (its earlier links stop signing), not on a signed one, and keeps that date through other updates', async () => {
    // Prepare: asked two policies, one of them signed
    const { store, clock, ingest } = setup(['safe-internet-use', 'data-protection']);
    await ingest(created());
    await store.recordAcknowledgement(privacyId, { evidenceId: 'ev_1' } as never, {}, clock.now());
    const first = store.peek(safeId)?.emailSince;

    // Act: HR corrects the address an hour later, then sends the same address again in a new case
    clock.advance(3600_000);
    await ingest({ ...created('evt_fix', { email: 'ada.l@example.org' }), type: 'starter.updated' });
    const corrected = store.peek(safeId)?.emailSince;
    clock.advance(3600_000);
    await ingest({ ...created('evt_again', { email: 'Ada.L@example.org' }), type: 'starter.updated' });

    // Assess
    expect(first).toBeUndefined();
    expect(corrected).toBe('2026-11-24T11:00:00.000Z');
    expect(store.peek(safeId)?.emailSince).toBe('2026-11-24T11:00:00.000Z');
    expect(store.peek(privacyId)?.emailSince).toBeUndefined();
  });

  it('keeps a new address and a new zone on each unsigned ask in one write, as many writes as a new address alone', async () => {
    // Prepare: two starters asked two policies, neither signed; one moves address, the other address and zone
    const writesFor = async (zone: string) => {
      const { store, clock, ingest } = setup(['safe-internet-use', 'data-protection']);
      await ingest(created());
      clock.advance(3600_000);
      const moved = {
        ...created('evt_move', { email: 'ada.l@example.org' }),
        type: 'starter.updated' as const,
      };
      moved.data = { ...moved.data, timeZone: zone };
      store.writes.length = 0;

      // Act
      await ingest(moved);
      return { store, retold: store.writes.filter((w) => w === 'retold').length };
    };
    const addressOnly = await writesFor('Europe/London');
    const both = await writesFor('Asia/Tokyo');

    // Assess
    expect(addressOnly.retold).toBeGreaterThan(0);
    expect(both.retold).toBe(addressOnly.retold);
    for (const id of [safeId, privacyId])
      expect(both.store.peek(id)).toMatchObject({
        emailSince: '2026-11-24T11:00:00.000Z',
        timeZone: 'Asia/Tokyo',
      });
  });

  it('dates the change on the asks before the profile takes the address, so a crash between the two is finished by the retry', async () => {
    // Prepare: the profile write fails once, after the asks were marked
    const { store, clock, ingest } = setup();
    await ingest(created());
    clock.advance(3600_000);
    const fix = { ...created('evt_fix', { email: 'ada.l@example.org' }), type: 'starter.updated' as const };
    crashOnce(store, (starter) => starter.email === 'ada.l@example.org');

    // Act
    await expect(ingest(fix)).rejects.toThrow('crashed');
    const marked = store.peek(safeId)?.emailSince;
    clock.advance(60_000);
    await ingest(fix);

    // Assess: marked before the crash; the retry took the address and marked the ask again
    expect(marked).toBe('2026-11-24T11:00:00.000Z');
    expect(store.starters.get(starterIdFor('E1001'))?.email).toBe('ada.l@example.org');
    expect(store.peek(safeId)?.emailSince).toBe('2026-11-24T11:01:00.000Z');
  });

  it('keeps the starter’s time zone on each ask it makes', async () => {
    // Prepare
    const { store, ingest } = setup(['safe-internet-use', 'data-protection']);

    // Act
    await ingest({ ...created(), data: { ...created().data, timeZone: 'Asia/Tokyo' } });

    // Assess
    expect(store.peek(safeId)?.timeZone).toBe('Asia/Tokyo');
    expect(store.peek(privacyId)?.timeZone).toBe('Asia/Tokyo');
  });

  it('moves each unsigned ask to a changed time zone, not a signed one, and writes nothing while the zone stays', async () => {
    // Prepare: asked two policies, one of them signed
    const { store, clock, ingest } = setup(['safe-internet-use', 'data-protection']);
    await ingest(created());
    await store.recordAcknowledgement(privacyId, { evidenceId: 'ev_1' } as never, {}, clock.now());
    const moved = { ...created('evt_move'), type: 'starter.updated' as const };
    moved.data = { ...moved.data, timeZone: 'America/New_York' };

    // Act: the same zone again, then a new one
    store.writes.length = 0;
    await ingest({ ...created('evt_same'), type: 'starter.updated' });
    const sameZoneWrites = store.writes.filter((w) => w === 'retold').length;
    await ingest(moved);

    // Assess
    expect(sameZoneWrites).toBe(0);
    expect(store.peek(safeId)?.timeZone).toBe('America/New_York');
    expect(store.peek(privacyId)?.timeZone).toBe('Europe/London');
    expect(store.starters.get(starterIdFor('E1001'))?.timeZone).toBe('America/New_York');
  });

  it('moves the asks to the new zone before the profile takes it, so a crash between the two is finished by the retry', async () => {
    // Prepare: the profile write fails once, after the asks were moved
    const { store, ingest } = setup();
    await ingest(created());
    const moved = { ...created('evt_move'), type: 'starter.updated' as const };
    moved.data = { ...moved.data, timeZone: 'Australia/Sydney' };
    crashOnce(store, (starter) => starter.timeZone === 'Australia/Sydney');

    // Act
    await expect(ingest(moved)).rejects.toThrow('crashed');
    const marked = store.peek(safeId)?.timeZone;
    await ingest(moved);

    // Assess
    expect(marked).toBe('Australia/Sydney');
    expect(store.starters.get(starterIdFor('E1001'))?.timeZone).toBe('Australia/Sydney');
    expect(store.peek(safeId)?.timeZone).toBe('Australia/Sydney');
  });

  it('keeps an acknowledged assignment as it is when the starter is cancelled', async () => {
    // Prepare
    const { store, ingest } = await createdAndSafeSigned(setup(), { webhook: { webhookId: 'msg_1' } });

    // Act
    const result = await ingest(cancelled());

    // Assess
    expect(result.assignments.map((a) => a.status)).toEqual(['acknowledged']);
    expect(store.peek(safeId)).toMatchObject({ status: 'acknowledged', dueKind: 'receipt' });
  });

  it('publishes the bundled text as version 1 when the policy has no version yet, once', async () => {
    // Prepare
    const { store, ingest } = setup(['safe-internet-use'], false);

    // Act
    const first = await ingest(created('evt_1'));
    const second = await ingest(created('evt_2', { email: 'ada.l@example.org' }));

    // Assess
    expect(first.assignments.map((a) => a.policyVersion)).toEqual([1]);
    expect(second.assignments.map((a) => a.policyVersion)).toEqual([1]);
    expect([...store.policies.keys()].filter((k) => k.startsWith('safe-internet-use'))).toEqual([
      'safe-internet-use#1',
    ]);
  });

  it('assigns a new starter the newest published version, whatever the bundled text says', async () => {
    // Prepare: version 4 was published after this deployment's text
    const { store, ingest } = setup();
    store.policies.set('safe-internet-use#4', { ...safe, version: 4, sha256: 'c'.repeat(64) });

    // Act
    const result = await ingest(created());

    // Assess
    expect(result.assignments).toEqual([
      expect.objectContaining({ policyId: 'safe-internet-use', policyVersion: 4 }),
    ]);
    expect(store.peek(safeId)?.policySha256).toBe('c'.repeat(64));
  });

  it('cancels re-acknowledgements of later versions too when the starter is cancelled', async () => {
    // Prepare: signed version 3, asked to sign version 4
    const { store, ingest } = await createdAndSafeSigned(
      setup(),
      { webhook: { webhookId: 'msg_1' } },
      new Date('2026-11-24T10:00:00.000Z'),
    );
    store.policies.set('safe-internet-use#4', { ...safe, version: 4, sha256: 'c'.repeat(64) });
    const reackId = assignmentIdFor('E1001', 'safe-internet-use', 4);
    store.seed({
      ...(store.peek(safeId) as Assignment),
      assignmentId: reackId,
      policyVersion: 4,
      ack: undefined,
      status: 'pending',
      dueKind: 'invite',
      dueAt: '2026-11-24T10:00:00.000Z',
    });

    // Act
    const result = await ingest(cancelled());

    // Assess
    expect(result.assignments.map((a) => [a.id, a.status])).toEqual([
      [safeId, 'acknowledged'],
      [reackId, 'cancelled'],
    ]);
    expect(store.peek(reackId)?.dueKind).toBeUndefined();
  });

  it('answers a cancellation of an unknown starter with no assignments and stores no starter', async () => {
    // Prepare
    const { store, ingest } = setup();

    // Act
    const result = await ingest(cancelled('evt_x', 'NOBODY'));

    // Assess
    expect(result).toEqual({ starterId: starterIdFor('NOBODY'), assignments: [] });
    expect(store.starters.size).toBe(0);
  });
});

describe('ingest’s reads of the newest policy version', () => {
  /** Another starter's event: a new person, so the newest version is asked for again. */
  const another = (n: number) => {
    const event = created(`evt_${n}`);
    return { ...event, data: { ...event.data, employeeId: `E20${n}`, email: `p${n}@example.org` } };
  };

  it('asks for the newest version once, then only whether a later one exists, beside the starter', async () => {
    // Prepare
    const { store, ingest } = setup();
    const latest = vi.spyOn(store, 'getLatestPolicyVersion');
    const probe = vi.spyOn(store, 'getPolicyVersion');
    await ingest(another(1));

    // Act
    const second = await ingest(another(2));

    // Assess: one query in all; the second event looked for version 2 (the one after the newest seen)
    expect(latest).toHaveBeenCalledTimes(1);
    expect(probe).toHaveBeenCalledWith(safe.policyId, safe.version + 1);
    expect(second.assignments).toMatchObject([{ policyId: safe.policyId, policyVersion: safe.version }]);
  });

  it('asks a new starter for a version published since the newest seen', async () => {
    // Prepare: version 2 published after the first event
    const { store, ingest } = setup();
    await ingest(another(1));
    const v2 = { ...safe, version: safe.version + 1, sha256: 'f'.repeat(64) };
    store.policies.set(`${v2.policyId}#${v2.version}`, v2);

    // Act
    const second = await ingest(another(2));

    // Assess
    expect(second.assignments).toMatchObject([{ policyId: safe.policyId, policyVersion: v2.version }]);
  });
});

// Importing starters: every row validated first, good rows ingested once, counts of created, updated, unchanged and rejected.
import { describe, expect, it } from 'vitest';
import { NO_AUDIENCE_RULES } from '#shared/core/audience.ts';
import { starterIdFor } from '#shared/core/ids.ts';
import { makeImportStarters } from '#shared/core/import-starters.ts';
import { makeIngestStarterEvent, policyCatalogue } from '#shared/core/ingest.ts';
import type { Starter } from '#shared/core/model.ts';
import { CSV_SOURCE, readStarterCsv } from '#shared/core/sources/csv.ts';
import { starterEventSchema } from '#shared/core/starter-event.ts';
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
const HEADER = 'employeeId,givenName,familyName,email,startDate,department';

function setup(store = new FakeStore()) {
  store.policies.set(`${safe.policyId}#${safe.version}`, safe);
  const queue = new FakeQueue();
  const ingest = makeIngestStarterEvent({
    store,
    mailQueue: queue,
    clock: new FakeClock('2026-11-24T10:00:00.000Z'),
    logger: silentLogger,
    metrics: new FakeMetrics(),
    policies: policyCatalogue(new Map([[safe.policyId, safe]])),
    defaultPolicies: ['safe-internet-use'],
    audience: NO_AUDIENCE_RULES,
    redriveAfterMs: 60_000,
    retention: RETENTION,
    source: CSV_SOURCE,
  });
  const importStarters = makeImportStarters({
    store,
    ingest,
    schema: starterEventSchema(new Set([safe.policyId])),
    source: CSV_SOURCE,
  });
  const run = (text: string, dryRun = false) => importStarters(readStarterCsv(text), { dryRun });
  return { store, queue, ingest, run };
}

const FILE = `\uFEFF${HEADER}\r\nE1,Ada,Lovelace,ada@example.org,2026-12-01,"Computing, Analytical"\r\nE2,Grace,Hopper,grace@example.org,2026-12-02,\r\n`;

describe('importStarters', () => {
  it('creates each starter and enqueues their invites', async () => {
    // Prepare
    const { store, queue, run } = setup();

    // Act
    const summary = await run(FILE);

    // Assess
    expect(summary).toEqual({ created: 2, updated: 0, unchanged: 0, rejected: 0, problems: [] });
    expect(store.starters.get(starterIdFor('E1'))).toMatchObject({ department: 'Computing, Analytical' });
    expect(queue.sent.map((s) => s.message.kind)).toEqual(['invite', 'invite']);
  });

  it('rejects a bad row in the middle by line and field, and imports the others', async () => {
    // Prepare
    const { store, run } = setup();
    const text = `${HEADER}\nE1,Ada,L,ada@example.org,2026-12-01,\nE2,Gr\u202Eace,H,not-an-email,2026-13-01,\nE3,Alan,Turing,alan@example.org,2026-12-03,\n`;

    // Act
    const summary = await run(text);

    // Assess
    expect(summary).toMatchObject({ created: 2, rejected: 1 });
    expect(summary.problems).toEqual([
      { line: 3, field: 'givenName', message: expect.stringMatching(/control, format or invisible/) },
      { line: 3, field: 'email', message: 'Not an email address.' },
      { line: 3, field: 'startDate', message: 'Not a calendar date.' },
    ]);
    expect([...store.starters.values()].map((s) => s.employeeId).sort()).toEqual(['E1', 'E3']);
  });

  it('creates nothing new when the same file is imported again', async () => {
    // Prepare
    const { store, queue, run } = setup();
    await run(FILE);
    const before = { starters: store.starters.size, sent: queue.sent.length };

    // Act
    const again = await run(FILE.replaceAll('\r\n', '\n').replace('\uFEFF', ''));

    // Assess
    expect(again).toEqual({ created: 0, updated: 0, unchanged: 2, rejected: 0, problems: [] });
    expect({ starters: store.starters.size, sent: queue.sent.length }).toEqual(before);
  });

  it('rejects the row of a person erased, kept or since deleted by retention, and imports the others', async () => {
    // Prepare: E1 erased and kept; E2 erased and deleted since (only the log remembers them)
    const { store, run } = setup();
    await run(FILE);
    const e1 = store.starters.get(starterIdFor('E1')) as Starter;
    store.starters.set(e1.starterId, {
      ...e1,
      erased: { at: '2026-11-20T09:00:00.000Z', pseudonym: 'erased-1', assignmentIds: [] },
    });
    store.starters.delete(starterIdFor('E2'));
    await store.logErasure({
      starterId: starterIdFor('E2'),
      pseudonym: 'erased-2',
      at: '2026-11-21T09:00:00.000Z',
      by: 'dpo',
      reason: 'ref 9',
    });
    const other = 'E3,Alan,Turing,alan@example.org,2026-12-03,\r\n';

    // Act
    const summary = await run(`${FILE}${other}`);

    // Assess
    expect(summary).toMatchObject({ created: 1, updated: 0, unchanged: 0, rejected: 2 });
    expect(summary.problems).toEqual([
      { line: 2, field: 'employeeId', message: expect.stringContaining('erased on 2026-11-20') },
      { line: 3, field: 'employeeId', message: expect.stringContaining('erased on 2026-11-21') },
    ]);
    expect(store.starters.has(starterIdFor('E2'))).toBe(false);
  });

  it('brings back a starter cancelled since the file was imported, when it is imported again', async () => {
    // Prepare
    const { store, ingest, run } = setup();
    await run(FILE);
    await ingest({ type: 'starter.cancelled', id: 'hr_leaver', data: { employeeId: 'E1' } });

    // Act
    const again = await run(FILE);
    const thrice = await run(FILE);

    // Assess
    expect(again).toMatchObject({ created: 0, updated: 1, unchanged: 1 });
    expect(store.starters.get(starterIdFor('E1'))?.status).toBe('active');
    expect([...store.assignments.values()].map((a) => a.status)).toEqual(['pending', 'pending']);
    expect(thrice).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
  });

  it('updates a starter whose row changed, and counts the rest unchanged', async () => {
    // Prepare
    const { store, run } = setup();
    await run(FILE);

    // Act
    const summary = await run(FILE.replace('2026-12-02', '2026-12-09'));

    // Assess
    expect(summary).toMatchObject({ created: 0, updated: 1, unchanged: 1 });
    expect(store.starters.get(starterIdFor('E2'))?.startDate).toBe('2026-12-09');
  });

  it('rejects a row with a cell no column names', async () => {
    // Prepare
    const { store, run } = setup();

    // Act
    const summary = await run(`${HEADER}\nE1,Ada,L,ada@example.org,2026-12-01,,extra\n`);

    // Assess
    expect(summary.problems).toEqual([
      { line: 2, field: '(row)', message: 'Has more cells than the header has columns.' },
    ]);
    expect(store.starters.size).toBe(0);
  });

  it('rejects a second row for the same employee, naming the first', async () => {
    // Prepare
    const { run } = setup();

    // Act
    const summary = await run(
      `${HEADER}\nE1,Ada,L,ada@example.org,2026-12-01,\nE1,Ada,L,ada@example.org,2026-12-05,\n`,
    );

    // Assess
    expect(summary).toMatchObject({ created: 1, rejected: 1 });
    expect(summary.problems).toEqual([
      { line: 3, field: 'employeeId', message: 'Also on line 2: one row per starter.' },
    ]);
  });

  it('writes nothing on a dry run, but counts as the import would', async () => {
    // Prepare
    const { store, queue, run } = setup();
    const writesBefore = store.starters.size;

    // Act
    const summary = await run(`${FILE}E3,,Turing,alan@example.org,2026-12-03,\r\n`, true);

    // Assess
    expect(summary).toMatchObject({ created: 2, rejected: 1, problems: [{ line: 4, field: 'givenName' }] });
    expect(store.starters.size).toBe(writesBefore);
    expect(store.receipts.size).toBe(0);
    expect(queue.sent).toEqual([]);
  });

  it('ingests several rows at once, never more than its concurrency, and reports each one done', async () => {
    // Prepare
    const store = new FakeStore();
    let inFlight = 0;
    let most = 0;
    const ingested: string[] = [];
    const importStarters = makeImportStarters({
      store,
      ingest: async (event) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        ingested.push(event.data.employeeId);
        inFlight--;
        return { starterId: event.data.employeeId, assignments: [] };
      },
      schema: starterEventSchema(new Set([safe.policyId])),
      source: CSV_SOURCE,
      concurrency: 3,
    });
    const rows = Array.from({ length: 10 }, (_, i) => `E${i},Ada,Lovelace,a${i}@example.org,2026-12-01,`);
    const progress: number[] = [];

    // Act
    const summary = await importStarters(readStarterCsv([HEADER, ...rows].join('\n')), {
      progress: (done) => progress.push(done),
    });

    // Assess
    expect(summary.created).toBe(10);
    expect(most).toBe(3);
    expect(ingested.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `E${i}`).sort());
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

// The console's queries: each page's view read from the store — the overview's numbers the report's, search, a person, policies, dead letters, exports and confirmations.
import { describe, expect, it } from 'vitest';
import { completionBy, signedPerWeek } from '#shared/core/console/aggregates.ts';
import { ATTENTION_LIMIT, makeConsoleQueries } from '#shared/core/console/queries.ts';
import { assignmentIdFor, renewalIdFor, starterIdFor } from '#shared/core/ids.ts';
import { lifecycles } from '#shared/core/lifecycle.ts';
import type { AssignmentStatus, DeliveryKind, PolicyVersion, Starter } from '#shared/core/model.ts';
import { policySha256 } from '#shared/core/policy.ts';
import { makeReport, type ReportRow } from '#shared/core/report.ts';
import { csvOf } from '#shared/core/report-csv.ts';
import {
  anEvidence,
  aPolicy,
  aStarter,
  aWelshTranslation,
  deadLetterStore,
  FakeClock,
  FakeStore,
  seedAssignment,
  seedDeadLetter,
  seedSigned,
} from '../../../../support/fakes.ts';

const NOW = '2026-11-26T10:00:00.000Z';
const POLICY = 'safe-internet-use';
const ZONE = 'Europe/London';

/** A published version whose sha256 is its text's, so the evidence's integrity can be checked. */
function version(n: number, body = `Version ${n}.`): PolicyVersion {
  const p = aPolicy({ version: n, title: `Safe internet use v${n}`, body });
  return { ...p, sha256: policySha256(p) };
}
const v1 = version(1);
const v2 = version(2);

const grace = { name: 'Grace Hopper', email: 'grace@example.org' };
const hal = { name: 'Hal Abelson', email: 'hal@example.org' };

/** A starter of the sample organisation: Finance report to Grace, Children's Services to Hal. */
function person(
  employeeId: string,
  givenName: string,
  familyName: string,
  finance: boolean,
): Partial<Starter> {
  return {
    employeeId,
    givenName,
    familyName,
    email: `${givenName.toLowerCase()}@example.org`,
    department: finance ? 'Finance' : "Children's Services",
    manager: finance ? grace : hal,
  };
}

const invited = (at: string) => ({ createdAt: at, chase: { invitedAt: at, remindersSent: 0 } });

/**
 * Eight people asked v2 (E1 signed v1 before and is asked again), in two departments under two
 * managers: overdue, bounced, invited, pending, signed and cancelled.
 */
async function sample(deliveries: DeliveryKind[] = ['webhook']) {
  const store = new FakeStore();
  await store.putPolicyVersion(v1);
  await store.putPolicyVersion(v2);
  const ada = person('E1', 'Ada', 'Lovelace', true);
  await seedAssignment(
    store,
    'E1',
    'acknowledged',
    {
      createdAt: '2026-10-30T09:00:00.000Z',
      ack: anEvidence(v1, { evidenceId: 'ev_E1', acknowledgedAt: '2026-11-02T09:00:00.000Z' }),
    },
    { policy: v1, starter: ada },
  );
  await seedAssignment(
    store,
    'E1',
    'invited',
    {
      assignmentId: assignmentIdFor('E1', POLICY, 2),
      reason: 'reacknowledge',
      ...invited('2026-11-21T10:00:00.000Z'),
    },
    { policy: v2, starter: ada },
  );
  const seed = (id: string, status: AssignmentStatus, at: string, who: Partial<Starter>) =>
    seedAssignment(store, id, status, invited(at), { policy: v2, starter: who });
  await seed('E2', 'overdue', '2026-11-10T10:00:00.000Z', person('E2', 'Zoë', 'Brontë', true));
  await seed('E3', 'bounced', '2026-11-20T10:00:00.000Z', person('E3', 'Bob', 'Bounce', false));
  await seed('E4', 'invited', '2026-11-01T10:00:00.000Z', person('E4', 'Cat', 'Cole', false));
  await seed('E5', 'acknowledged', '2026-11-20T10:00:00.000Z', person('E5', 'Dan', 'Dee', true));
  await seed('E6', 'cancelled', '2026-11-20T10:00:00.000Z', person('E6', 'Eve', 'Eden', false));
  await seed('E7', 'pending', '2026-11-25T10:00:00.000Z', person('E7', 'Fay', 'Fox', false));
  await seed('E8', 'overdue', '2026-11-20T10:00:00.000Z', person('E8', 'Gus', 'Gale', true));
  const clock = new FakeClock(NOW);
  const queries = makeConsoleQueries({
    store,
    clock,
    policies: [POLICY, 'never-published'],
    timeZone: ZONE,
    deliveries,
  });
  return { store, clock, queries };
}

/** Every row of the report, and its summary, as `attest report` computes them. */
async function reportOf(store: FakeStore, filter: 'all' | 'unsigned' | AssignmentStatus = 'all') {
  const rows: ReportRow[] = [];
  const summary = await makeReport({ store, clock: new FakeClock(NOW) }).run(POLICY, { filter }, (batch) => {
    rows.push(...batch);
  });
  return { rows, summary };
}

describe('makeConsoleQueries', () => {
  describe('overview', () => {
    it('gives the numbers the report gives, each person counted once by their current ask', async () => {
      // Prepare
      const { store, queries } = await sample();
      const { rows, summary } = await reportOf(store);

      // Act
      const view = await queries.overview();

      // Assess
      expect(view.timeZone).toBe(ZONE);
      expect(view.policies).toHaveLength(1);
      const [overview] = view.policies;
      expect(overview).toMatchObject({
        policyId: POLICY,
        title: 'Safe internet use v2',
        version: 2,
        total: summary.total,
        byStatus: summary.byStatus,
        signed: summary.signed,
        unsigned: summary.unsigned,
        cancelled: summary.byStatus.cancelled,
      });
      expect(overview?.total).toBe(8);
      expect(overview?.byStatus).toEqual({
        pending: 1,
        invited: 2,
        overdue: 2,
        bounced: 1,
        declined: 0,
        acknowledged: 1,
        cancelled: 1,
      });
      expect(overview?.byDepartment).toEqual(completionBy(rows, 'department'));
      expect(overview?.byManager).toEqual(completionBy(rows, 'manager'));
      expect(overview?.perWeek).toEqual(signedPerWeek(rows, ZONE));
      // Ada's signature of v1 is history: Finance's four people, one signed (Dan).
      expect(overview?.byDepartment.find((c) => c.label === 'Finance')).toMatchObject({
        asked: 4,
        signed: 1,
        notSigned: 3,
      });
      expect(overview?.byManager.map((c) => c.label).sort()).toEqual([
        'Grace Hopper <grace@example.org>',
        'Hal Abelson <hal@example.org>',
      ]);
      expect(overview?.perWeek.reduce((n, w) => n + w.signed, 0)).toBe(2);
    });

    it('lists someone who declined first of all, and counts them among the not signed', async () => {
      // Prepare
      const { store, queries } = await sample();
      await seedAssignment(store, 'E9', 'declined', invited('2026-11-26T10:00:00.000Z'), {
        policy: v2,
        starter: person('E9', 'Hal', 'Hale', false),
      });

      // Act
      const [overview] = (await queries.overview()).policies;

      // Assess
      expect(overview?.attention[0]).toMatchObject({ employeeId: 'E9', status: 'declined' });
      expect(overview?.byStatus.declined).toBe(1);
      expect(overview?.unsigned).toBe(7);
    });

    it('lists overdue, then bounced, then the rest, each by days waiting, most first', async () => {
      // Prepare
      const { queries } = await sample();

      // Act
      const [overview] = (await queries.overview()).policies;

      // Assess
      expect(overview?.attention.map((r) => [r.employeeId, r.status, r.daysWaiting])).toEqual([
        ['E2', 'overdue', 16],
        ['E8', 'overdue', 6],
        ['E3', 'bounced', 6],
        ['E4', 'invited', 25],
        ['E1', 'invited', 5],
        ['E7', 'pending', 1],
      ]);
      expect(overview?.attention[0]).toEqual({
        starterId: starterIdFor('E2'),
        employeeId: 'E2',
        name: 'Zoë Brontë',
        email: 'zoë@example.org',
        department: 'Finance',
        status: 'overdue',
        policyVersion: 2,
        daysWaiting: 16,
      });
      expect(overview?.attentionMore).toBe(0);
    });

    it('shows at most ATTENTION_LIMIT people needing attention and counts the rest', async () => {
      // Prepare
      const store = new FakeStore();
      await store.putPolicyVersion(v2);
      for (let i = 0; i < ATTENTION_LIMIT + 2; i++) {
        await seedAssignment(store, `E${100 + i}`, 'invited', invited('2026-11-20T10:00:00.000Z'), {
          policy: v2,
        });
      }
      const queries = makeConsoleQueries({
        store,
        clock: new FakeClock(NOW),
        policies: [POLICY],
        timeZone: ZONE,
        deliveries: [],
      });

      // Act
      const [overview] = (await queries.overview()).policies;

      // Assess
      expect(overview?.attention).toHaveLength(ATTENTION_LIMIT);
      expect(overview?.attentionMore).toBe(2);
    });
  });

  describe('searchPeople', () => {
    it('finds the person with an employee id exactly, alone', async () => {
      // Prepare
      const { queries } = await sample();

      // Act
      const view = await queries.searchPeople('  E2 ');

      // Assess
      expect(view).toEqual({
        query: 'E2',
        results: [
          {
            starterId: starterIdFor('E2'),
            employeeId: 'E2',
            name: 'Zoë Brontë',
            email: 'zoë@example.org',
            department: 'Finance',
            status: 'active',
          },
        ],
        truncated: false,
      });
    });

    it('finds part of a name ignoring case and accents, and an address', async () => {
      // Prepare
      const { queries } = await sample();

      // Act
      const byName = await queries.searchPeople('ZOE BRON');
      const byEmail = await queries.searchPeople('bob@example');

      // Assess
      expect(byName.results?.map((h) => h.employeeId)).toEqual(['E2']);
      expect(byEmail.results?.map((h) => h.employeeId)).toEqual(['E3']);
    });

    it('finds a name whatever apostrophe it or the search is typed with', async () => {
      // Prepare: one name as HR's system stored it (typographic), one as typed on a keyboard
      const { store, queries } = await sample();
      const seed = (id: string, given: string, family: string) =>
        seedAssignment(store, id, 'invited', invited('2026-11-20T10:00:00.000Z'), {
          policy: v2,
          starter: person(id, given, family, false),
        });
      await seed('E20', 'Siobhán', 'O’Brien');
      await seed('E21', 'Dara', "D'Arcy");

      // Act
      const found = await Promise.all(
        ["o'brien", 'O’BRIEN', 'oʼbrien', 'o‘brien', 'siobhan o`brien', 'd’arcy', "D'ARCY", 'dʼarcy'].map(
          async (q) => (await queries.searchPeople(q)).results?.map((h) => h.employeeId),
        ),
      );

      // Assess
      expect(found).toEqual([['E20'], ['E20'], ['E20'], ['E20'], ['E20'], ['E21'], ['E21'], ['E21']]);
    });

    it('lists those found by family name, then given name', async () => {
      // Prepare
      const { queries } = await sample();

      // Act
      const view = await queries.searchPeople('example.org');

      // Assess
      expect(view.results?.map((h) => h.name)).toEqual([
        'Bob Bounce',
        'Zoë Brontë',
        'Cat Cole',
        'Dan Dee',
        'Eve Eden',
        'Fay Fox',
        'Gus Gale',
        'Ada Lovelace',
      ]);
      expect(view.truncated).toBe(false);
    });

    it('shows at most fifty and says more matched', async () => {
      // Prepare
      const { store, queries } = await sample();
      for (let i = 0; i < 55; i++) {
        await seedAssignment(
          store,
          `X${i}`,
          'invited',
          {},
          { policy: v2, starter: { familyName: `Many${i}` } },
        );
      }

      // Act
      const view = await queries.searchPeople('many');

      // Assess
      expect(view.results).toHaveLength(50);
      expect(view.truncated).toBe(true);
    });

    it.each([
      ['too short', ' a '],
      ['too long', 'x'.repeat(201)],
      ['holding a control character', 'Ada\u0000'],
      ['holding a format character', 'Ada\u202e'],
    ])('refuses a query %s, searching nothing', async (_, query) => {
      // Prepare
      const { queries } = await sample();

      // Act
      const view = await queries.searchPeople(query);

      // Assess
      expect(view.error).toEqual(expect.any(String));
      expect(view.results).toBeUndefined();
    });
  });

  describe('person', () => {
    it('lists their assignments newest first, with evidence whose text still matches', async () => {
      // Prepare
      const { store, queries } = await sample();
      const signed = assignmentIdFor('E1', POLICY);
      await store.appendAudit(signed, 'acknowledged', new Date('2026-11-02T09:00:00.000Z'));

      // Act
      const view = await queries.person(starterIdFor('E1'), 'admin');

      // Assess
      expect(view?.starter).toEqual({
        starterId: starterIdFor('E1'),
        employeeId: 'E1',
        name: 'Ada Lovelace',
        email: 'ada@example.org',
        department: 'Finance',
        jobTitle: '',
        manager: grace,
        startDate: '2026-12-01',
        status: 'active',
        erasedAt: null,
      });
      expect(view?.assignments.map((a) => [a.policyVersion, a.status, a.policyTitle])).toEqual([
        [2, 'invited', 'Safe internet use v2'],
        [1, 'acknowledged', 'Safe internet use v1'],
      ]);
      const [current, history] = view?.assignments ?? [];
      expect(current).toMatchObject({
        reason: 'reacknowledge',
        invitedAt: '2026-11-21T10:00:00.000Z',
        evidence: null,
        integrityMatches: null,
        actions: { resend: true, cancel: true, replay: [] },
      });
      expect(history).toMatchObject({
        evidence: { evidenceId: 'ev_E1', policyVersion: 1 },
        integrityMatches: true,
        audit: [{ kind: 'acknowledged', at: '2026-11-02T09:00:00.000Z', detail: {} }],
        actions: { resend: false, cancel: false, replay: [] },
      });
    });

    it('says the evidence no longer matches when the stored text was altered', async () => {
      // Prepare
      const { store, queries } = await sample();
      store.policies.set(`${POLICY}#1`, { ...v1, body: 'Version 1, quietly changed.' });

      // Act
      const view = await queries.person(starterIdFor('E1'), 'admin');

      // Assess
      expect(view?.assignments[1]?.integrityMatches).toBe(false);
    });

    it('shows each delivery and offers an admin the replay of a dead one, an auditor nothing', async () => {
      // Prepare
      const { store, queries } = await sample(['webhook', 'xapi']);
      await store.putStarter(aStarter({ employeeId: 'E9' }));
      const id = await seedSigned(store, 'E9', undefined, { policy: v2, evidence: anEvidence(v2) });
      await seedDeadLetter(store, id, 'webhook', '2026-11-25T15:00:00.000Z', { detail: 'no such user' });

      // Act
      const admin = await queries.person(starterIdFor('E9'), 'admin');
      const auditor = await queries.person(starterIdFor('E9'), 'auditor');

      // Assess
      expect(admin?.assignments[0]?.deliveries).toEqual([
        {
          destination: 'webhook',
          state: 'dead',
          attempts: 1,
          lastStatus: 422,
          lastAttemptAt: null,
          reason: 'rejected: no such user',
        },
        {
          destination: 'xapi',
          state: 'pending',
          attempts: 0,
          lastStatus: null,
          lastAttemptAt: null,
          reason: null,
        },
      ]);
      expect(admin?.assignments[0]?.actions).toEqual({
        resend: false,
        cancel: false,
        accept: false,
        replay: ['webhook'],
      });
      expect(auditor?.assignments[0]?.actions).toEqual({
        resend: false,
        cancel: false,
        accept: false,
        replay: [],
      });
    });

    it('offers no replay to a destination this deployment no longer sends to', async () => {
      // Prepare
      const { store, queries } = await sample(['xapi']);
      await store.putStarter(aStarter({ employeeId: 'E9' }));
      const id = await seedSigned(store, 'E9', undefined, { policy: v2, evidence: anEvidence(v2) });
      await seedDeadLetter(store, id, 'webhook', '2026-11-25T15:00:00.000Z');

      // Act
      const view = await queries.person(starterIdFor('E9'), 'admin');

      // Assess
      expect(view?.assignments[0]?.actions.replay).toEqual([]);
    });

    it('is undefined for no such starter', async () => {
      // Prepare
      const { queries } = await sample();

      // Act
      const view = await queries.person('nobody', 'admin');

      // Assess
      expect(view).toBeUndefined();
    });
  });

  describe('renewal', () => {
    it('shows an agreement due for renewal, then its renewal lapsed past its sign-by date, on the person and the overview', async () => {
      // Prepare: a day's re-attestation; E5 signed on 24 November, it is now the 26th.
      const { store, clock } = await sample();
      const queries = makeConsoleQueries({
        store,
        clock,
        policies: [POLICY],
        timeZone: ZONE,
        deliveries: ['webhook'],
        lifecycleFor: lifecycles(new Map([[POLICY, { reattest: 'P1D' }]])),
      });
      const signed = assignmentIdFor('E5', POLICY);

      // Act
      const due = await queries.person(starterIdFor('E5'), 'auditor');
      const dueOverview = (await queries.overview()).policies[0];
      await seedAssignment(
        store,
        'E5',
        'invited',
        {
          assignmentId: renewalIdFor(signed),
          reason: 'reattest',
          renews: signed,
          signBy: '2026-11-26T09:00:00.000Z',
          ...invited('2026-11-25T10:00:00.000Z'),
        },
        { policy: v2, starter: person('E5', 'Dan', 'Dee', true) },
      );
      const lapsed = await queries.person(starterIdFor('E5'), 'auditor');
      const lapsedOverview = (await queries.overview()).policies[0];

      // Assess
      expect(due?.assignments.map((a) => [a.reason, a.renewal, a.renewsAt])).toEqual([
        ['starter', 'due for renewal', '2026-11-25T09:59:00.000Z'],
      ]);
      expect(dueOverview).toMatchObject({ dueForRenewal: 1, lapsed: 0 });
      expect(lapsed?.assignments.map((a) => [a.reason, a.renewal, a.signBy])).toEqual([
        ['reattest', 'lapsed', '2026-11-26T09:00:00.000Z'],
        ['starter', '', null],
      ]);
      expect(lapsedOverview).toMatchObject({ dueForRenewal: 0, lapsed: 1 });
      expect(lapsedOverview?.attention.find((r) => r.employeeId === 'E5')?.renewal).toBe('lapsed');
    });
  });

  describe('personEvidence', () => {
    it('gives the starter and the evidence report of each of their assignments', async () => {
      // Prepare
      const { queries } = await sample();

      // Act
      const exported = await queries.personEvidence(starterIdFor('E1'));

      // Assess
      expect(exported?.starter.employeeId).toBe('E1');
      expect(exported?.assignments.map((a) => [a.assignmentId, a.integrity?.matches ?? null])).toEqual([
        [assignmentIdFor('E1', POLICY, 2), null],
        [assignmentIdFor('E1', POLICY), true],
      ]);
      expect(exported?.exportedAt).toBe(NOW);
      expect(await (await sample()).queries.personEvidence('nobody')).toBeUndefined();
    });
  });

  describe('policies', () => {
    it('lists each published version with how many were asked and signed it', async () => {
      // Prepare
      const { queries } = await sample();

      // Act
      const view = await queries.policies();

      // Assess
      expect(view.policies).toHaveLength(1);
      expect(view.policies[0]?.title).toBe('Safe internet use v2');
      expect(view.policies[0]?.versions).toEqual([
        {
          version: 1,
          title: 'Safe internet use v1',
          effectiveDate: v1.effectiveDate,
          publishedAt: v1.publishedAt,
          sha256: v1.sha256,
          translations: [],
          asked: 1,
          signed: 1,
        },
        expect.objectContaining({ version: 2, asked: 8, signed: 1 }),
      ]);
    });
  });

  describe('policyDiff', () => {
    it('compares an earlier version with a later one', async () => {
      // Prepare
      const { queries } = await sample();

      // Act
      const view = await queries.policyDiff(POLICY, 1, 2);

      // Assess
      expect(view?.from).toMatchObject({ version: 1, asked: 1, signed: 1 });
      expect(view?.to).toMatchObject({ version: 2, asked: 8, signed: 1 });
      expect(view?.diff.find((d) => d.field === 'body')?.changed).toBe(true);
    });

    it('compares each translation too, and names its hash on each version', async () => {
      // Prepare: version 3 is version 2 with a Welsh translation added
      const { store, queries } = await sample();
      const welsh = aWelshTranslation();
      await store.putPolicyVersion({ ...v2, version: 3, translations: { cy: welsh } });

      // Act
      const view = await queries.policyDiff(POLICY, 2, 3);

      // Assess
      expect(view?.diff.every((d) => !d.changed)).toBe(true);
      expect(view?.translations).toEqual([
        { language: 'cy', change: 'added', newerSha256: welsh.sha256, diff: [] },
      ]);
      expect(view?.to.translations).toEqual([{ language: 'cy', sha256: welsh.sha256 }]);
    });

    it.each([
      ['a version that is missing', 1, 3],
      ['versions out of order', 2, 1],
      ['the same version twice', 2, 2],
    ])('is undefined for %s', async (_, from, to) => {
      // Prepare
      const { queries } = await sample();

      // Act
      const view = await queries.policyDiff(POLICY, from, to);

      // Assess
      expect(view).toBeUndefined();
    });
  });

  describe('deliveries', () => {
    it('lists the dead letters by destination, oldest first, with why and whose', async () => {
      // Prepare
      const { store, e1, e3 } = await deadLetterStore();
      for (const id of ['E1', 'E2', 'E3'])
        await store.putStarter(aStarter({ employeeId: id, givenName: id }));
      const queries = makeConsoleQueries({
        store,
        clock: new FakeClock(NOW),
        policies: [POLICY],
        timeZone: ZONE,
        deliveries: ['webhook', 'xapi'],
      });

      // Act
      const admin = await queries.deliveries('admin');
      const auditor = await queries.deliveries('auditor');

      // Assess
      expect(admin.deadLetters.map((l) => [l.destination, l.name, l.deadAt, l.reason, l.lastStatus])).toEqual(
        [
          ['webhook', 'E1 Lovelace', '2026-11-25T15:00:00.000Z', 'rejected', 422],
          ['webhook', 'E3 Lovelace', '2026-11-25T15:03:00.000Z', 'gone', 410],
          ['xapi', 'E2 Lovelace', '2026-11-25T15:01:00.000Z', 'rejected', 400],
          ['xapi', 'E3 Lovelace', '2026-11-25T15:02:00.000Z', 'exhausted', 503],
        ],
      );
      expect(admin.deadLetters[0]).toEqual({
        assignmentId: e1,
        destination: 'webhook',
        deadAt: '2026-11-25T15:00:00.000Z',
        reason: 'rejected',
        lastStatus: 422,
        attempts: 1,
        starterId: starterIdFor('E1'),
        name: 'E1 Lovelace',
        policyId: POLICY,
        policyVersion: 3,
      });
      expect(admin.deadLetters[1]?.assignmentId).toBe(e3);
      expect(admin.canReplay).toBe(true);
      expect(auditor.canReplay).toBe(false);
    });
  });

  describe('exports', () => {
    it('offers the published policies and the departments of everyone asked', async () => {
      // Prepare
      const { queries } = await sample();

      // Act
      const view = await queries.exports();

      // Assess
      expect(view).toEqual({
        policies: [{ policyId: POLICY, title: 'Safe internet use v2' }],
        departments: ["Children's Services", 'Finance'],
      });
    });
  });

  describe('reportCsv', () => {
    it("gives the report's CSV of one department's rows", async () => {
      // Prepare
      const { store, queries } = await sample();
      const { rows } = await reportOf(store, 'unsigned');

      // Act
      const csv = await queries.reportCsv({ policyId: POLICY, status: 'unsigned', department: ' finance ' });

      // Assess
      const finance = rows.filter((r) => r.department === 'Finance');
      expect(finance.map((r) => r.employeeId)).toEqual(['E2', 'E8', 'E1']);
      expect(csv).toBe(csvOf(finance, { header: true, bom: true }));
    });

    it('gives every row without a department', async () => {
      // Prepare
      const { store, queries } = await sample();
      const { rows } = await reportOf(store, 'all');

      // Act
      const csv = await queries.reportCsv({ policyId: POLICY, status: 'all' });

      // Assess
      expect(csv).toBe(csvOf(rows, { header: true, bom: true }));
    });

    it('is undefined for a policy unknown or never published', async () => {
      // Prepare
      const { queries } = await sample();

      // Act
      const unknown = await queries.reportCsv({ policyId: 'other', status: 'all' });
      const unpublished = await queries.reportCsv({ policyId: 'never-published', status: 'all' });

      // Assess
      expect(unknown).toBeUndefined();
      expect(unpublished).toBeUndefined();
    });
  });

  describe('confirmation', () => {
    it.each(['resend', 'cancel'] as const)('states whose assignment a %s acts on', async (action) => {
      // Prepare
      const { queries } = await sample();
      const id = assignmentIdFor('E2', POLICY);

      // Act
      const view = await queries.confirmation(action, id);

      // Assess
      expect(view).toEqual({
        action,
        assignmentId: id,
        starterId: starterIdFor('E2'),
        name: 'Zoë Brontë',
        policyTitle: 'Safe internet use v2',
        policyVersion: 2,
        status: 'overdue',
      });
    });

    it('states a replay of a dead delivery, and refuses one not dead or to a destination not sent to', async () => {
      // Prepare
      const { store, queries } = await sample(['webhook', 'xapi']);
      const id = await seedSigned(store, 'E9', { webhook: { webhookId: 'wh_9' }, moodle: { x: '1' } });
      await seedDeadLetter(store, id, 'webhook', '2026-11-25T15:00:00.000Z');
      await seedDeadLetter(store, id, 'moodle', '2026-11-25T15:00:00.000Z');

      // Act
      const replay = await queries.confirmation('replay', id, 'webhook');
      const notDead = await queries.confirmation('replay', id, 'xapi');
      const notSent = await queries.confirmation('replay', id, 'moodle');
      const unnamed = await queries.confirmation('replay', id);

      // Assess
      expect(replay).toMatchObject({ action: 'replay', destination: 'webhook', status: 'acknowledged' });
      expect(notDead).toBeUndefined();
      expect(notSent).toBeUndefined();
      expect(unnamed).toBeUndefined();
    });

    it('is undefined for no such assignment', async () => {
      // Prepare
      const { queries } = await sample();

      // Act
      const view = await queries.confirmation('cancel', 'nope');

      // Assess
      expect(view).toBeUndefined();
    });
  });
});

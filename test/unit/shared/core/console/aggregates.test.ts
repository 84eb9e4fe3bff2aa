// The console's aggregations: completion by department and by manager as the report counts people, and signatures per ISO week in a time zone.
import { describe, expect, it } from 'vitest';
import { completionBy, NO_GROUP, signedPerWeek } from '#shared/core/console/aggregates.ts';
import type { ReportRow } from '#shared/core/report.ts';
import { aReportRow as sampleRow } from '../../../../support/fakes.ts';

/** A row of its own person (named by the assignment id) unless it says whose. */
const aReportRow = (o: Partial<ReportRow>) => sampleRow({ employeeId: o.assignmentId, ...o });

const rows = [
  aReportRow({
    assignmentId: 'a1',
    department: 'Finance',
    status: 'acknowledged',
    acknowledgedAt: '2026-11-02T09:00:00.000Z',
  }),
  aReportRow({ assignmentId: 'a2', department: 'Finance', status: 'invited' }),
  aReportRow({ assignmentId: 'a3', department: 'Finance', status: 'cancelled' }),
  aReportRow({ assignmentId: 'a4', department: "Children's Services", status: 'overdue' }),
  aReportRow({ assignmentId: 'a5', department: "Children's Services", status: 'bounced' }),
  aReportRow({
    assignmentId: 'a6',
    department: '',
    status: 'acknowledged',
    acknowledgedAt: '2026-11-22T23:30:00.000Z',
  }),
  // Withdrawn for a newer version, and signed before a re-acknowledgement: each person counts once, by their newest ask.
  aReportRow({
    assignmentId: 'a7',
    employeeId: 'E7',
    policyVersion: 1,
    department: 'Finance',
    status: 'cancelled',
    supersededByVersion: 2,
  }),
  aReportRow({
    assignmentId: 'a8',
    employeeId: 'E7',
    department: 'Finance',
    policyVersion: 2,
    status: 'invited',
  }),
  aReportRow({
    assignmentId: 'a9',
    employeeId: 'E9',
    policyVersion: 1,
    department: 'Libraries',
    status: 'acknowledged',
    acknowledgedAt: '2026-11-03T09:00:00.000Z',
  }),
  aReportRow({
    assignmentId: 'a10',
    employeeId: 'E9',
    department: 'Libraries',
    policyVersion: 2,
    status: 'invited',
  }),
];

describe('completionBy', () => {
  it('counts each group as the report does, most not signed first, cancelled left out of the percentage', () => {
    // Act
    const groups = completionBy(rows, 'department');

    // Assess
    expect(groups).toEqual([
      { label: "Children's Services", asked: 2, signed: 0, notSigned: 2, cancelled: 0, percentSigned: 0 },
      { label: 'Finance', asked: 4, signed: 1, notSigned: 2, cancelled: 1, percentSigned: 33 },
      { label: 'Libraries', asked: 1, signed: 0, notSigned: 1, cancelled: 0, percentSigned: 0 },
      { label: NO_GROUP, asked: 1, signed: 1, notSigned: 0, cancelled: 0, percentSigned: 100 },
    ]);
  });

  it('groups by manager by their address whatever its case, and says when a group has nobody still asked', () => {
    // Prepare
    const managed = [
      aReportRow({
        assignmentId: 'b1',
        managerName: 'Mia',
        managerEmail: 'Mia@Example.org',
        status: 'invited',
      }),
      aReportRow({
        assignmentId: 'b2',
        managerName: 'Mia',
        managerEmail: 'mia@example.org',
        status: 'acknowledged',
      }),
      aReportRow({ assignmentId: 'b3', managerName: '', managerEmail: '', status: 'cancelled' }),
    ];

    // Act
    const groups = completionBy(managed, 'manager');

    // Assess
    expect(groups).toEqual([
      { label: 'Mia <mia@example.org>', asked: 2, signed: 1, notSigned: 1, cancelled: 0, percentSigned: 50 },
      { label: NO_GROUP, asked: 1, signed: 0, notSigned: 0, cancelled: 1, percentSigned: null },
    ]);
  });
});

describe('signedPerWeek', () => {
  it('counts agreements by ISO week in the time zone, every week between the first and last, empty ones too', () => {
    // Act
    const weeks = signedPerWeek(rows, 'Europe/London');

    // Assess: every agreement signed, an earlier version's too; 22 Nov 23:30 UTC is a Sunday in London
    expect(weeks).toEqual([
      { week: '2026-W45', monday: '2026-11-02', signed: 2 },
      { week: '2026-W46', monday: '2026-11-09', signed: 0 },
      { week: '2026-W47', monday: '2026-11-16', signed: 1 },
    ]);
  });

  it('puts a late Sunday signature in the next week where that is already Monday', () => {
    // Act
    const weeks = signedPerWeek(
      [aReportRow({ status: 'acknowledged', acknowledgedAt: '2026-11-22T23:30:00.000Z' })],
      'Europe/Helsinki',
    );

    // Assess
    expect(weeks).toEqual([{ week: '2026-W48', monday: '2026-11-23', signed: 1 }]);
  });

  it('is empty when nobody has signed', () => {
    expect(signedPerWeek([aReportRow({ status: 'invited' })], 'UTC')).toEqual([]);
  });
});

// Realistic console views for the template tests: an admin's and an auditor's, with a hostile name among the data.
import type { Completion, WeekCount } from '#shared/core/console/aggregates.ts';
import { policyDiff, translationDiffs } from '#shared/core/console/policy-diff.ts';
import type {
  ConfirmView,
  DeliveriesView,
  ExportsView,
  Frame,
  OverviewView,
  PeopleView,
  PersonAssignment,
  PersonView,
  PoliciesView,
  PolicyDiffView,
  PolicyVersionLine,
  Role,
  Section,
} from '#shared/core/console/views.ts';
import type { PolicyVersion } from '#shared/core/model.ts';
import { aWelshTranslation } from '../../../support/fakes.ts';

export const HOSTILE = '<script>alert(1)</script>';
export const HOSTILE_TEXT = '&lt;script&gt;alert(1)&lt;/script&gt;';

export const frameOf = (role: Role, section: Section, title: string): Frame => ({
  user: {
    subject: `sub-${role}`,
    email: role === 'admin' ? 'hr@attest.example' : 'auditor@attest.example',
    role,
  },
  csrf: 'csrf-token-123',
  section,
  title,
});

export const completions = (count: number): Completion[] =>
  Array.from({ length: count }, (_, i) => {
    const signed = (i * 3) % 7;
    const notSigned = 9 - (i % 9);
    const cancelled = i % 2;
    return {
      label: `Department ${String(i + 1).padStart(2, '0')}`,
      asked: signed + notSigned + cancelled,
      signed,
      notSigned,
      cancelled,
      percentSigned: signed + notSigned ? Math.floor((100 * signed) / (signed + notSigned)) : null,
    };
  });

export const weeks: WeekCount[] = [
  { week: '2026-W46', monday: '2026-11-09', signed: 3 },
  { week: '2026-W47', monday: '2026-11-16', signed: 0 },
  { week: '2026-W48', monday: '2026-11-23', signed: 5 },
  { week: '2026-W49', monday: '2026-11-30', signed: 2 },
];

export const overview: OverviewView = {
  timeZone: 'Europe/London',
  policies: [
    {
      policyId: 'safe-internet-use',
      title: 'Safe Internet Use',
      version: 2,
      total: 14,
      byStatus: {
        pending: 1,
        invited: 3,
        overdue: 2,
        bounced: 1,
        declined: 0,
        acknowledged: 6,
        cancelled: 1,
      },
      signed: 6,
      unsigned: 7,
      cancelled: 1,
      byDepartment: [
        { label: 'Sales', asked: 8, signed: 2, notSigned: 5, cancelled: 1, percentSigned: 28 },
        { label: HOSTILE, asked: 6, signed: 4, notSigned: 2, cancelled: 0, percentSigned: 66 },
      ],
      byManager: [
        {
          label: 'Grace Hopper <grace.hopper@attest.example>',
          asked: 14,
          signed: 6,
          notSigned: 7,
          cancelled: 1,
          percentSigned: 46,
        },
      ],
      perWeek: weeks,
      attention: [
        {
          starterId: 'st_1',
          employeeId: 'E1001',
          name: HOSTILE,
          email: 'x@attest.example',
          department: 'Sales',
          status: 'overdue',
          policyVersion: 2,
          daysWaiting: 21,
        },
        {
          starterId: 'st_2',
          employeeId: 'E1002',
          name: 'Ada Lovelace',
          email: 'ada@attest.example',
          department: 'Engineering',
          status: 'bounced',
          policyVersion: 2,
          daysWaiting: 9,
        },
        {
          starterId: 'st/3',
          employeeId: 'E1003',
          name: 'Alan Turing',
          email: 'alan@attest.example',
          department: 'Engineering',
          status: 'invited',
          policyVersion: 2,
          daysWaiting: null,
        },
      ],
      attentionMore: 4,
    },
    {
      policyId: 'data-protection',
      title: 'Data Protection',
      version: 1,
      total: 0,
      byStatus: {
        pending: 0,
        invited: 0,
        overdue: 0,
        bounced: 0,
        declined: 0,
        acknowledged: 0,
        cancelled: 0,
      },
      signed: 0,
      unsigned: 0,
      cancelled: 0,
      byDepartment: [],
      byManager: [],
      perWeek: [],
      attention: [],
      attentionMore: 0,
    },
  ],
};

export const people: PeopleView = {
  query: 'ada',
  results: [
    {
      starterId: 'st_2',
      employeeId: 'E1002',
      name: 'Ada Lovelace',
      email: 'ada@attest.example',
      department: 'Engineering',
      status: 'active',
    },
    {
      starterId: 'st_1',
      employeeId: 'E1001',
      name: HOSTILE,
      email: 'x@attest.example',
      department: 'Sales',
      status: 'cancelled',
    },
  ],
  truncated: true,
};

const signedAssignment: PersonAssignment = {
  assignmentId: 'as_signed',
  policyId: 'safe-internet-use',
  policyTitle: 'Safe Internet Use',
  policyVersion: 1,
  status: 'acknowledged',
  reason: 'starter',
  assignedAt: '2026-11-02T09:00:00.000Z',
  invitedAt: '2026-11-02T09:01:00.000Z',
  remindersSent: 1,
  bounce: null,
  declines: [],
  evidence: {
    evidenceId: 'ev_01JABCDEF',
    acknowledgedAt: '2026-11-05T14:03:27.000Z',
    policyId: 'safe-internet-use',
    policyVersion: 1,
    policyTitle: 'Safe Internet Use',
    policySha256: 'a'.repeat(64),
    statement: 'I have read and agree to follow the policy.',
    typedName: HOSTILE,
    ipAddress: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0',
    tokenId: 'tok_1',
    messageId: 'msg-1',
  },
  integrityMatches: true,
  deliveries: [
    {
      destination: 'webhook',
      state: 'delivered',
      attempts: 1,
      lastStatus: 200,
      lastAttemptAt: '2026-11-05T14:03:40.000Z',
      reason: null,
    },
    {
      destination: 'moodle',
      state: 'dead',
      attempts: 8,
      lastStatus: 404,
      lastAttemptAt: '2026-11-06T02:00:00.000Z',
      reason: 'gone',
    },
  ],
  audit: [
    { kind: 'invited', at: '2026-11-02T09:01:00.000Z', detail: { messageId: 'msg-1' } },
    { kind: 'fresh-link-requested', at: '2026-11-04T08:00:00.000Z', detail: { by: 'operator' } },
    {
      kind: 'acknowledged',
      at: '2026-11-05T14:03:27.000Z',
      detail: { evidenceId: 'ev_01JABCDEF', tokenId: 'tok_1' },
    },
    {
      kind: 'delivery-dead-lettered',
      at: '2026-11-06T02:00:00.000Z',
      detail: { destination: 'moodle', reason: HOSTILE },
    },
  ],
  actions: { resend: false, cancel: false, accept: false, replay: ['moodle'] },
};

const unsignedAssignment: PersonAssignment = {
  assignmentId: 'as_open',
  policyId: 'data-protection',
  policyTitle: 'Data Protection',
  policyVersion: 2,
  status: 'bounced',
  reason: 'reacknowledge',
  assignedAt: '2026-11-20T09:00:00.000Z',
  invitedAt: null,
  remindersSent: 0,
  bounce: 'Permanent: mailbox does not exist',
  declines: [],
  evidence: null,
  integrityMatches: null,
  deliveries: [],
  audit: [
    {
      kind: 'invite-resent',
      at: '2026-11-21T10:00:00.000Z',
      detail: { by: 'sub-admin', email: 'hr@attest.example', reason: 'New address from HR' },
    },
  ],
  actions: { resend: true, cancel: true, accept: true, replay: [] },
};

export const person: PersonView = {
  starter: {
    starterId: 'st_1',
    employeeId: 'E1001',
    name: HOSTILE,
    email: 'x@attest.example',
    department: 'Sales',
    jobTitle: 'Account manager',
    manager: { name: 'Grace Hopper', email: 'grace.hopper@attest.example' },
    startDate: '2026-11-02',
    status: 'active',
    erasedAt: null,
  },
  assignments: [unsignedAssignment, signedAssignment],
};

/**
 * A Welsh speaker who declined once and then signed, both on the Welsh page: the text shown and
 * what they typed are Welsh, the console's own words English.
 */
export const welshPerson: PersonView = {
  ...person,
  assignments: [
    {
      ...signedAssignment,
      evidence: {
        ...(signedAssignment.evidence as NonNullable<PersonAssignment['evidence']>),
        locale: 'cy',
        policyTitle: 'Defnyddio’r Rhyngrwyd yn Ddiogel',
        statement: 'Rwyf wedi darllen y polisi ac yn cytuno i’w ddilyn.',
        typedName: 'Siân Llewelyn',
      },
      declines: [
        {
          declineId: 'dc_1',
          declinedAt: '2026-11-04T10:00:00.000Z',
          policyId: 'safe-internet-use',
          policyVersion: 1,
          policyTitle: 'Defnyddio’r Rhyngrwyd yn Ddiogel',
          policySha256: 'a'.repeat(64),
          statement: 'Rwyf wedi darllen y polisi ac yn cytuno i’w ddilyn.',
          locale: 'cy',
          typedName: 'Siân Llewelyn',
          reason: 'Mae angen i mi ofyn i fy rheolwr yn gyntaf.',
          ipAddress: '203.0.113.7',
          userAgent: 'Mozilla/5.0',
          tokenId: 'tok_0',
          messageId: null,
        },
      ],
    },
  ],
};

const none = { resend: false, cancel: false, accept: false, replay: [] };
/** The same person as an auditor sees them: nothing to act on. */
export const personForAuditor: PersonView = {
  ...person,
  assignments: person.assignments.map((a) => ({ ...a, actions: none })),
};

const versionLine: PolicyVersionLine = {
  version: 1,
  title: 'Safe Internet Use',
  effectiveDate: '2026-09-01',
  publishedAt: '2026-08-20T10:00:00.000Z',
  sha256: 'a'.repeat(64),
  translations: [],
  asked: 40,
  signed: 38,
};

export const policies: PoliciesView = {
  policies: [
    {
      policyId: 'safe-internet-use',
      title: 'Safe Internet Use',
      versions: [
        versionLine,
        {
          ...versionLine,
          version: 2,
          effectiveDate: '2026-12-01',
          publishedAt: '2026-11-20T10:00:00.000Z',
          sha256: 'b'.repeat(64),
          asked: 14,
          signed: 6,
        },
      ],
    },
  ],
};

const v1: PolicyVersion = {
  policyId: 'safe-internet-use',
  version: 1,
  title: 'Safe Internet Use',
  statement: 'I agree to follow the policy.',
  effectiveDate: '2026-09-01',
  keyPoints: ['Lock your screen', 'Report phishing'],
  body: 'Use the internet safely.\n\nNever share passwords.',
  sha256: 'a'.repeat(64),
  publishedAt: '2026-08-20T10:00:00.000Z',
};
const v2: PolicyVersion = {
  ...v1,
  version: 2,
  effectiveDate: '2026-12-01',
  keyPoints: ['Lock your screen', 'Report phishing at once', '<b>Use MFA</b>'],
  body: 'Use the internet safely.\n\nNever share passwords or <i>codes</i>.',
  sha256: 'b'.repeat(64),
};

export const policyDiffView = (from = v1, to = v2): PolicyDiffView => ({
  policyId: 'safe-internet-use',
  title: 'Safe Internet Use',
  from: { ...versionLine, version: from.version, effectiveDate: from.effectiveDate, sha256: from.sha256 },
  to: { ...versionLine, version: to.version, effectiveDate: to.effectiveDate, sha256: to.sha256 },
  diff: policyDiff(from, to),
  translations: translationDiffs(from, to),
});
export const sameVersions = (): PolicyDiffView => policyDiffView(v1, { ...v1, version: 2 });

/** Versions 1 and 2 with the same English, the Welsh of version 2 edited (a hostile word in it). */
export const welshOnlyChange = (): PolicyDiffView => {
  const welsh = { ...aWelshTranslation(), sha256: 'c'.repeat(64) };
  const edited = { ...welsh, body: `${welsh.body}\nParagraff <b>newydd</b>.`, sha256: 'd'.repeat(64) };
  const view = policyDiffView(
    { ...v1, translations: { cy: welsh } },
    { ...v1, version: 2, translations: { cy: edited } },
  );
  return {
    ...view,
    from: { ...view.from, translations: [{ language: 'cy', sha256: welsh.sha256 }] },
    to: { ...view.to, translations: [{ language: 'cy', sha256: edited.sha256 }] },
  };
};

export const deliveries: DeliveriesView = {
  canReplay: true,
  deadLetters: [
    {
      assignmentId: 'as_signed',
      destination: 'moodle',
      deadAt: '2026-11-06T02:00:00.000Z',
      reason: 'gone',
      lastStatus: 404,
      attempts: 8,
      starterId: 'st_1',
      name: HOSTILE,
      policyId: 'safe-internet-use',
      policyVersion: 1,
    },
    {
      assignmentId: 'as_x',
      destination: 'moodle',
      deadAt: '2026-11-07T02:00:00.000Z',
      reason: 'rejected',
      lastStatus: 400,
      attempts: 1,
      starterId: 'st_2',
      name: 'Ada Lovelace',
      policyId: 'safe-internet-use',
      policyVersion: 2,
    },
    {
      assignmentId: 'as_y',
      destination: 'webhook',
      deadAt: '2026-11-08T02:00:00.000Z',
      reason: 'exhausted',
      lastStatus: null,
      attempts: 12,
      starterId: 'st/3',
      name: 'Alan Turing',
      policyId: 'safe-internet-use',
      policyVersion: 2,
    },
  ],
};

export const exportsView: ExportsView = {
  policies: [
    { policyId: 'safe-internet-use', title: 'Safe Internet Use' },
    { policyId: 'data-protection', title: 'Data Protection' },
  ],
  departments: ['Engineering', 'Sales', HOSTILE],
};

/** An export refused: a wrong day and a hostile one, shown again as typed. */
export const refusedExport: ExportsView = {
  ...exportsView,
  asked: {
    policy: 'data-protection',
    status: 'overdue',
    department: 'Sales',
    since: '2026-02-30',
    until: HOSTILE,
  },
  errors: { since: 'The since day must be a date (YYYY-MM-DD).', until: HOSTILE },
};

export const confirm = (overrides: Partial<ConfirmView> = {}): ConfirmView => ({
  action: 'resend',
  assignmentId: 'as_open',
  starterId: 'st_1',
  name: HOSTILE,
  policyTitle: 'Data Protection',
  policyVersion: 2,
  status: 'bounced',
  ...overrides,
});

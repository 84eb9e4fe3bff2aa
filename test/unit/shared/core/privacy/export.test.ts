// The subject access export: complete against the stored records, with each destination's payload rebuilt, and refused for nobody.
import { describe, expect, it } from 'vitest';
import { statementIdFor } from '#shared/core/destinations/delivery-ids.ts';
import { NotFoundError } from '#shared/core/errors.ts';
import { assignmentIdFor } from '#shared/core/ids.ts';
import type { ScimUser, Starter } from '#shared/core/model.ts';
import {
  makeSubjectAccessExport,
  NOT_INCLUDED,
  type PayloadSettings,
  type SubjectAccessExport,
} from '#shared/core/privacy/export.ts';
import {
  anAssignment,
  anEvidence,
  aPolicy,
  aStarter,
  FakeClock,
  FakeStore,
  seedDeadLetter,
  seedSigned,
  XAPI_SETTINGS,
} from '../../../../support/fakes.ts';

const NOW = new Date('2026-12-01T10:00:00.000Z');
const SETTINGS: PayloadSettings = {
  xapi: XAPI_SETTINGS,
  moodle: { userField: 'email', activities: new Map([['safe-internet-use', 42]]) },
};

function exporter(store: FakeStore, payloads: PayloadSettings | undefined = SETTINGS) {
  return makeSubjectAccessExport({
    store,
    clock: new FakeClock(NOW),
    version: '9.9.9',
    ...(payloads && { payloads }),
  });
}

/** Every leaf (string, number, boolean) of a value, with its path, for checking none is left out. */
function leaves(value: unknown, path = ''): Array<{ path: string; value: string | number | boolean }> {
  if (value === null || value === undefined) return [];
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leaves(v, `${path}.${k}`));
  }
  return [{ path, value: value as string | number | boolean }];
}

/** A starter with every field HR can give, each value distinctive. */
function aFullStarter(): Starter {
  return aStarter({
    employeeId: 'E-SAR-1',
    givenName: 'Zoë',
    familyName: 'Quartermaine',
    email: 'zoe.q@example.org',
    manager: { name: 'Marjorie Manager', email: 'marjorie@example.org' },
    department: 'Dept of Records',
    organization: 'Org Unit 7',
    division: 'Division North',
    location: 'Leeds Office',
    employmentType: 'Fixed-term',
    jobTitle: 'Archivist',
    locale: 'cy-GB',
    timeZone: 'Europe/Dublin',
    policies: ['safe-internet-use'],
    policiesFrom: 'rules',
    matchedRules: ['records-staff'],
    asked: ['safe-internet-use', 'data-protection'],
    status: 'active',
    updatedAt: '2026-11-20T08:07:06.000Z',
  });
}

/** The full starter's two assignments: v1 superseded (bounced once, digested), v2 signed and delivered everywhere. */
async function fullStore() {
  const store = new FakeStore();
  const starter = aFullStarter();
  await store.putStarter(starter);
  const v1 = aPolicy({ version: 1, sha256: 'b'.repeat(64) });
  const v2 = aPolicy({ version: 2, sha256: 'c'.repeat(64) });
  const dp = aPolicy({
    policyId: 'data-protection',
    version: 1,
    title: 'Data protection',
    sha256: 'd'.repeat(64),
  });
  for (const p of [v1, v2, dp]) await store.putPolicyVersion(p);
  const first = anAssignment(starter, v1, {
    status: 'cancelled',
    createdAt: '2026-11-01T09:00:00.000Z',
    dueAt: undefined,
    dueKind: undefined,
    attempt: { id: 'att-first', kind: 'reminder', startedAt: '2026-11-03T09:00:00.000Z' },
    chase: { invitedAt: '2026-11-01T09:15:00.000Z', remindersSent: 2 },
    digest: { managerEmail: 'marjorie@example.org', day: '2026-11-05' },
    supersededBy: { assignmentId: assignmentIdFor(starter.employeeId, 'safe-internet-use', 2), version: 2 },
    bounce: { reason: 'complained', email: 'old.zoe@example.org', at: '2026-11-04T10:00:00.000Z' },
    sends: [
      {
        kind: 'invite',
        tokenId: 'tok-inv-1',
        attemptId: 'tok-inv-1',
        messageId: 'ses-inv-1',
        at: '2026-11-01T09:15:00.000Z',
      },
      {
        kind: 'reminder',
        tokenId: 'tok-rem-1',
        attemptId: 'tok-rem-1',
        subject: 'Reminder: please sign Safe internet use',
        messageId: 'ses-rem-1',
        at: '2026-11-02T09:15:00.000Z',
      },
      { kind: 'digest', messageId: 'ses-dig-1', at: '2026-11-05T17:00:00.000Z' },
    ],
  });
  const evidence = anEvidence(v2, {
    evidenceId: 'ev_sar-full',
    typedName: 'Zoë Quartermaine',
    ipAddress: '198.51.100.23',
    userAgent: 'Firefox/133.0 (X11; SAR test)',
    tokenId: 'tok-inv-2',
    messageId: 'ses-inv-2',
    pageShownAt: '2026-11-10T11:58:00.000Z',
    acknowledgedAt: '2026-11-10T12:00:00.000Z',
  });
  const second = anAssignment(starter, v2, {
    assignmentId: assignmentIdFor(starter.employeeId, 'safe-internet-use', 2),
    reason: 'reacknowledge',
    status: 'acknowledged',
    createdAt: '2026-11-08T09:00:00.000Z',
    dueAt: undefined,
    dueKind: undefined,
    chase: { invitedAt: '2026-11-08T09:15:00.000Z', remindersSent: 0 },
    sends: [
      {
        kind: 'invite',
        tokenId: 'tok-inv-2',
        attemptId: 'tok-inv-2',
        messageId: 'ses-inv-2',
        at: '2026-11-08T09:15:00.000Z',
      },
      { kind: 'receipt', attemptId: 'att-rcpt', messageId: 'ses-rcpt-2', at: '2026-11-10T12:01:00.000Z' },
    ],
    ack: evidence,
    webhook: {
      state: 'delivered',
      attempts: 2,
      webhookId: 'msg_sar-full',
      lastStatus: 200,
      deliveredAt: '2026-11-10T12:05:00.000Z',
      attemptLog: [
        { at: '2026-11-10T12:02:00.000Z', durationMs: 10001, status: null, error: 'TimeoutError' },
        { at: '2026-11-10T12:05:00.000Z', durationMs: 87, status: 200, answer: 'ok thanks' },
      ],
      attemptsDropped: 3,
    },
    xapi: {
      state: 'pending',
      attempts: 1,
      statementId: 'st-sar-full',
      lastStatus: 503,
      nextAttemptAt: '2026-11-10T13:00:00.000Z',
    },
    xapiDueAt: '2026-11-10T13:00:00.000Z',
    moodle: {
      state: 'dead',
      attempts: 4,
      completionId: 'moodle_sar-full',
      moodleUserId: 7301,
      lastStatus: 200,
      deadLetter: {
        reason: 'rejected',
        status: 200,
        body: '{"exception":"x"}',
        detail: 'completion tracking is off',
        at: '2026-11-10T14:00:00.000Z',
      },
    },
  });
  store.seed(first);
  store.seed(second);
  await store.appendAudit(second.assignmentId, 'acknowledged', new Date('2026-11-10T12:00:00.000Z'), {
    evidenceId: 'ev_sar-full',
  });
  const scim: ScimUser = {
    id: 'scim-7',
    resource: { userName: 'zoe.q', displayName: 'Zoë Q (SCIM)', active: true },
    lookup: { userName: 'zoe.q', emails: ['zoe.q@example.org'] },
    employeeId: starter.employeeId,
    startDate: starter.startDate,
    created: '2026-10-30T08:00:00.000Z',
    lastModified: '2026-10-31T08:00:00.000Z',
    version: 3,
  };
  await store.putScimUser(scim);
  return { store, starter, first, second, scim };
}

describe('makeSubjectAccessExport', () => {
  it('includes every value of the stored starter, assignments and SCIM user', async () => {
    // Prepare
    const { store, starter, first, second, scim } = await fullStore();

    // Act
    const exported = await exporter(store)(starter.employeeId);

    // Assess
    const held = new Set(leaves(exported).map((l) => JSON.stringify(l.value)));
    const stored = [
      ...leaves(starter, 'starter'),
      ...leaves(first, 'first'),
      ...leaves(second, 'second'),
      ...leaves(scim, 'scim'),
    ];
    const missing = stored.filter((l) => !held.has(JSON.stringify(l.value))).map((l) => l.path);
    expect(missing).toEqual([]);
    expect(exported.starter).toEqual(starter);
    expect(exported.assignments.map((a) => a.record)).toEqual([second, first]);
    expect(exported.scimUsers).toEqual([scim]);
  });

  it('says when it was made, by which attest, and what it does not hold', async () => {
    // Prepare
    const { store, starter } = await fullStore();

    // Act
    const { about } = await exporter(store)(starter.employeeId);

    // Assess
    expect(about).toMatchObject({
      employeeId: 'E-SAR-1',
      starterId: starter.starterId,
      exportedAt: NOW.toISOString(),
      attestVersion: '9.9.9',
      notIncluded: NOT_INCLUDED,
    });
    expect(about.notIncluded.join(' ')).toMatch(/event id.*body.*own record.*logs/is);
  });

  it('lists the emails sent, to whom, with the subject kept since subjects were (null before)', async () => {
    // Prepare
    const { store, starter } = await fullStore();

    // Act
    const exported = await exporter(store)(starter.employeeId);

    // Assess
    expect(exported.assignments[1]?.emails).toEqual([
      {
        kind: 'invite',
        to: 'starter',
        at: '2026-11-01T09:15:00.000Z',
        subject: null,
        messageId: 'ses-inv-1',
        attemptId: 'tok-inv-1',
      },
      {
        kind: 'reminder',
        to: 'starter',
        at: '2026-11-02T09:15:00.000Z',
        subject: 'Reminder: please sign Safe internet use',
        messageId: 'ses-rem-1',
        attemptId: 'tok-rem-1',
      },
      {
        kind: 'digest',
        to: 'manager',
        at: '2026-11-05T17:00:00.000Z',
        subject: null,
        messageId: 'ses-dig-1',
        attemptId: null,
      },
    ]);
  });

  it('includes each decline with its reason, and the decline notice as sent to their manager', async () => {
    // Prepare
    const { store, starter } = await fullStore();
    const [, unsigned] = (await exporter(store)(starter.employeeId)).assignments;
    const stored = store.peek(unsigned?.assignmentId as string) as NonNullable<ReturnType<typeof store.peek>>;
    const decline = {
      declineId: 'ev_decline',
      declinedAt: '2026-11-06T09:00:00.000Z',
      policyId: stored.policyId,
      policyVersion: stored.policyVersion,
      policyTitle: 'Safe internet use',
      policySha256: stored.policySha256,
      statement: 'I agree.',
      typedName: 'Ada Lovelace',
      reason: 'Not before I have asked about clause 4.',
      ipAddress: '203.0.113.7',
      userAgent: 'Mozilla/5.0',
      tokenId: 'tok-rem-1',
      messageId: 'ses-rem-1',
    };
    store.seed({
      ...stored,
      status: 'declined',
      declines: [decline],
      sends: [
        ...stored.sends,
        {
          kind: 'decline-notice',
          messageId: 'ses-dec-1',
          at: '2026-11-06T09:01:00.000Z',
          attemptId: 'att-1',
        },
      ],
    });

    // Act
    const [, declined] = (await exporter(store)(starter.employeeId)).assignments;

    // Assess
    expect(declined?.declines).toEqual([decline]);
    expect(declined?.emails.at(-1)).toMatchObject({ kind: 'decline-notice', to: 'manager' });
  });

  it('gives the evidence with its integrity check, the email signed from and the audit trail', async () => {
    // Prepare
    const { store, starter } = await fullStore();

    // Act
    const [signed] = (await exporter(store)(starter.employeeId)).assignments;

    // Assess
    expect(signed?.evidence?.evidenceId).toBe('ev_sar-full');
    expect(signed?.integrity?.matches).toBe(false); // aPolicy's sha256 is a stand-in, not the text's hash
    expect(signed?.signedFrom).toEqual({ attemptId: 'tok-inv-2', messageId: 'ses-inv-2' });
    expect(signed?.audit).toEqual([
      { kind: 'acknowledged', at: '2026-11-10T12:00:00.000Z', detail: { evidenceId: 'ev_sar-full' } },
    ]);
  });

  it('rebuilds each destination’s payload for a signed person with its own builders', async () => {
    // Prepare
    const { store, starter } = await fullStore();

    // Act
    const [signed] = (await exporter(store)(starter.employeeId)).assignments;

    // Assess
    const byName = Object.fromEntries((signed?.deliveries ?? []).map((d) => [d.destination, d]));
    expect(byName.webhook?.payload).toMatchObject({
      rebuilt: true,
      payload: {
        type: 'policy.acknowledged',
        timestamp: '2026-11-10T12:05:00.000Z', // the last attempt's
        data: {
          employeeId: 'E-SAR-1',
          email: 'zoe.q@example.org',
          givenName: 'Zoë',
          evidenceId: 'ev_sar-full',
        },
      },
    });
    expect(byName.xapi?.payload).toMatchObject({
      rebuilt: true,
      payload: {
        id: 'st-sar-full',
        actor: { name: 'Zoë Quartermaine', account: { homePage: 'https://hr.example.org', name: 'E-SAR-1' } },
      },
    });
    // The user id was remembered: the lookup is not made again, only the override.
    expect(byName.moodle?.payload).toEqual({
      rebuilt: true,
      what: expect.any(String),
      payload: [
        {
          wsfunction: 'core_completion_override_activity_completion_status',
          parameters: { userid: 7301, cmid: 42, newstate: 1 },
        },
      ],
    });
    expect(byName.moodle?.deadLetter?.detail).toBe('completion tracking is off');
    expect(byName.webhook?.attemptLog).toHaveLength(2);
    expect(byName.webhook?.attemptsDropped).toBe(3);
  });

  it('shows the Moodle lookup by the configured field while the user is not yet found', async () => {
    // Prepare
    const store = new FakeStore();
    await store.putPolicyVersion(aPolicy());
    await store.putStarter(aStarter({ employeeId: 'E2' }));
    await seedSigned(store, 'E2', { moodle: { completionId: 'moodle_1' } });

    // Act
    const exported = await exporter(store, {
      moodle: { userField: 'idnumber', activities: new Map([['safe-internet-use', 5]]) },
    })('E2');

    // Assess
    expect(exported.assignments[0]?.deliveries[0]?.payload).toMatchObject({
      rebuilt: true,
      payload: [
        { wsfunction: 'core_user_get_users_by_field', parameters: { field: 'idnumber', 'values[0]': 'E2' } },
        { parameters: { userid: '(the id the lookup finds)', cmid: 5, newstate: 1 } },
      ],
    });
  });

  it('says why a payload could not be rebuilt when a destination’s settings are missing', async () => {
    // Prepare
    const store = new FakeStore();
    await store.putPolicyVersion(aPolicy());
    await store.putStarter(aStarter({ employeeId: 'E3' }));
    const id = await seedSigned(store, 'E3', {
      webhook: { webhookId: 'wh_3' },
      xapi: { statementId: statementIdFor('ev_1') },
      moodle: { completionId: 'moodle_3' },
    });
    await seedDeadLetter(store, id, 'webhook', '2026-11-25T15:00:00.000Z');

    // Act
    const exported = await exporter(store, { xapi: { ...XAPI_SETTINGS, accountHomePage: '' } })('E3');

    // Assess
    const payloads = Object.fromEntries(
      (exported.assignments[0]?.deliveries ?? []).map((d) => [d.destination, d.payload]),
    );
    expect(payloads.webhook).toMatchObject({ rebuilt: true });
    expect(payloads.xapi).toEqual({ rebuilt: false, why: expect.stringContaining('XAPI_ACCOUNT_HOMEPAGE') });
    expect(payloads.moodle).toEqual({ rebuilt: false, why: expect.stringContaining('Moodle settings') });
  });

  it('answers a person never asked anything with their starter alone', async () => {
    // Prepare
    const store = new FakeStore();
    await store.putStarter(aStarter({ employeeId: 'E4', policies: [] }));

    // Act
    const exported: SubjectAccessExport = await exporter(store)('E4');

    // Assess
    expect(exported.assignments).toEqual([]);
    expect(exported.scimUsers).toEqual([]);
    expect(exported.starter.employeeId).toBe('E4');
  });

  it('refuses an employee id attest holds no starter for, writing nothing', async () => {
    // Prepare
    const store = new FakeStore();

    // Act
    const attempt = exporter(store)('E-NOBODY');

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(NotFoundError);
    await expect(attempt).rejects.toMatchObject({ code: 'starter.not_found' });
    expect(store.writes).toEqual([]);
  });

  it('writes nothing', async () => {
    // Prepare
    const { store, starter } = await fullStore();
    store.writes.length = 0;

    // Act
    await exporter(store)(starter.employeeId);

    // Assess
    expect(store.writes).toEqual([]);
  });
});

// Erasure keeping the proof: every personal value replaced by a keyed pseudonym, everything else byte for byte, refused while work is in flight, safe to repeat and to replay, and provable with the key.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErasedError, NotFoundError, ValidationError } from '#shared/core/errors.ts';
import { makeEvidenceReport } from '#shared/core/evidence.ts';
import { assignmentIdFor, renewalIdFor, starterIdFor } from '#shared/core/ids.ts';
import type { Assignment, PolicyVersion, ScimUser, Starter } from '#shared/core/model.ts';
import { policySha256 } from '#shared/core/policy.ts';
import {
  checkPrivacyReason,
  ErasureBusyError,
  erasedAssignment,
  erasedStarter,
  findErased,
  makeErasePerson,
  makeProveErasure,
  makePseudonyms,
  makeReplayErasures,
} from '#shared/core/privacy/erase.ts';
import { makeSubjectAccessByStarter, makeSubjectAccessExport } from '#shared/core/privacy/export.ts';
import { makeReport, type ReportRow } from '#shared/core/report.ts';
import {
  anAssignment,
  anEvidence,
  anOnBehalfEvidence,
  aPolicy,
  aStarter,
  FakeClock,
  FakeStore,
  RETENTION,
} from '../../../../support/fakes.ts';

const KEY = 'test-pseudonym-key-0123456789-abcdefghij';
const pseudonyms = makePseudonyms(KEY);
const NOW = '2026-12-01T10:00:00.000Z';
const REQUEST = { by: 'dpo@example.org', reason: 'Subject request ref DPO-118' };

interface Person {
  employeeId: string;
  givenName: string;
  familyName: string;
  email: string;
  managerName: string;
  managerEmail: string;
  location: string;
  jobTitle: string;
  typedName: string;
  ip: string;
  userAgent: string;
  bounced: string;
  subject: string;
  answer: string;
  adminReason: string;
}

const ADA: Person = {
  employeeId: 'E-ERASE-1',
  givenName: 'Zoë',
  familyName: 'Quartermaine',
  email: 'zoe.q@example.org',
  managerName: 'Marjorie Manager',
  managerEmail: 'marjorie@example.org',
  location: 'Leeds Office',
  jobTitle: 'Archivist',
  typedName: 'Zoë Quartermaine',
  ip: '198.51.100.23',
  userAgent: 'Firefox/133.0 (X11; erasure test)',
  bounced: 'old.zoe@example.org',
  subject: 'Zoë, please read Safe internet use',
  answer: 'no Moodle user with email zoe.q@example.org',
  adminReason: 'Zoë asked on the phone',
};

/**
 * A person with everything attest can hold: a first ask cancelled for a newer version (bounced,
 * digested, emails with subjects), the newer one signed (webhook delivered with an answer quoting
 * them, Moodle dead with their address and Moodle id), an ask of another policy still chased, an
 * admin's reason naming them, and a SCIM user.
 */
async function personStore(person: Person = ADA) {
  const store = new FakeStore();
  const starter: Starter = aStarter({
    employeeId: person.employeeId,
    givenName: person.givenName,
    familyName: person.familyName,
    email: person.email,
    manager: { name: person.managerName, email: person.managerEmail },
    department: 'Dept of Records',
    location: person.location,
    jobTitle: person.jobTitle,
    policies: ['safe-internet-use', 'data-protection'],
    asked: ['safe-internet-use', 'data-protection'],
  });
  await store.putStarter(starter);
  const hashed = (p: PolicyVersion) => ({ ...p, sha256: policySha256(p) });
  const v1 = hashed(aPolicy({ version: 1 }));
  const v2 = hashed(aPolicy({ version: 2, body: 'Version two.\n' }));
  const dp = hashed(aPolicy({ policyId: 'data-protection', title: 'Data protection' }));
  for (const p of [v1, v2, dp]) await store.putPolicyVersion(p);
  const signedId = assignmentIdFor(person.employeeId, 'safe-internet-use', 2);
  const first = anAssignment(starter, v1, {
    status: 'cancelled',
    dueAt: undefined,
    dueKind: undefined,
    digest: { managerEmail: person.managerEmail, day: '2026-11-05' },
    supersededBy: { assignmentId: signedId, version: 2 },
    bounce: { reason: 'bounced', email: person.bounced, at: '2026-11-04T10:00:00.000Z' },
    sends: [
      {
        kind: 'invite',
        tokenId: 'tok-1',
        messageId: 'ses-1',
        at: '2026-11-01T09:15:00.000Z',
        subject: person.subject,
      },
      { kind: 'digest', messageId: 'ses-dig', at: '2026-11-05T17:00:00.000Z' },
    ],
  });
  const evidence = anEvidence(v2, {
    evidenceId: 'ev_erase',
    typedName: person.typedName,
    ipAddress: person.ip,
    userAgent: person.userAgent,
    acknowledgedAt: '2026-11-10T12:00:00.000Z',
  });
  const signed = anAssignment(starter, v2, {
    assignmentId: signedId,
    reason: 'reacknowledge',
    status: 'acknowledged',
    dueAt: undefined,
    dueKind: undefined,
    ack: evidence,
    // They declined first, then agreed: the decline's name, reason, IP and browser are theirs too.
    declines: [
      {
        declineId: 'ev_declined',
        declinedAt: '2026-11-09T12:00:00.000Z',
        policyId: v2.policyId,
        policyVersion: v2.version,
        policyTitle: v2.title,
        policySha256: v2.sha256,
        statement: v2.statement,
        typedName: person.typedName,
        reason: `${person.givenName} ${person.familyName} will not agree before asking ${person.managerName}`,
        ipAddress: person.ip,
        userAgent: person.userAgent,
        tokenId: 'tok-2',
        messageId: 'ses-2',
      },
    ],
    sends: [{ kind: 'receipt', messageId: 'ses-r', at: '2026-11-10T12:01:00.000Z', subject: person.subject }],
    webhook: {
      state: 'delivered',
      attempts: 1,
      webhookId: 'msg_erase',
      deliveredAt: '2026-11-10T12:05:00.000Z',
      attemptLog: [{ at: '2026-11-10T12:05:00.000Z', durationMs: 80, status: 200, answer: person.answer }],
    },
    moodle: {
      state: 'dead',
      attempts: 4,
      completionId: 'moodle_erase',
      moodleUserId: 7301,
      deadLetter: { reason: 'rejected', status: 200, detail: person.answer, at: '2026-11-10T13:00:00.000Z' },
    },
    moodleDueAt: '2026-11-10T13:00:00.000Z',
  });
  const other = anAssignment(starter, dp, { status: 'invited', chase: { invitedAt: NOW, remindersSent: 0 } });
  for (const a of [first, signed, other]) store.seed(a);
  // The moodle lane's letter is dead: the fake stands for its shard with `dead`.
  (store.assignments.get(signedId) as Assignment & { dead?: object }).dead = { moodle: true };
  await store.appendAudit(signedId, 'acknowledged', new Date('2026-11-10T12:00:00.000Z'), {
    evidenceId: 'ev_erase',
  });
  await store.appendAudit(first.assignmentId, 'cancelled', new Date('2026-11-06T12:00:00.000Z'), {
    by: 'console',
    subject: 'admin-sub',
    email: 'hr@example.org',
    reason: person.adminReason,
  });
  const scim: ScimUser = {
    id: 'scim-1',
    resource: {
      userName: person.email,
      name: { givenName: person.givenName, familyName: person.familyName },
    },
    lookup: { userName: person.email, emails: [person.email] },
    employeeId: person.employeeId,
    startDate: '2026-12-01',
    created: NOW,
    lastModified: NOW,
    version: 1,
  };
  await store.putScimUser(scim);
  store.writes.length = 0;
  return { store, starter, first, signed, other, v2 };
}

const eraser = (store: FakeStore, at = NOW) =>
  makeErasePerson({ store, clock: new FakeClock(at), pseudonyms, retention: RETENTION });

/** Every value a person has that erasure must remove, longer than two characters. */
const personalValues = (p: Person) =>
  [
    p.employeeId,
    p.givenName,
    p.familyName,
    p.email,
    p.managerName,
    p.managerEmail,
    p.location,
    p.jobTitle,
    p.typedName,
    p.ip,
    p.userAgent,
    p.bounced,
    p.subject,
    p.answer,
    p.adminReason,
  ].filter((v) => v.length > 2);

/** Everything the fake store holds, as one text: what a scan of the table would read. */
const everything = (store: FakeStore) =>
  JSON.stringify({
    starters: [...store.starters.values()],
    assignments: [...store.assignments.values()],
    audit: store.audit,
    scim: [...store.scimUsers.values()],
    erasures: [...store.erasures.values()],
  });

describe('makePseudonyms', () => {
  it('is keyed: the same value gives the same pseudonym under one key and another under another', () => {
    const other = makePseudonyms('another-key-0123456789-0123456789-abc');
    expect(pseudonyms.person('E1')).toBe(pseudonyms.person('E1'));
    expect(pseudonyms.person('E1')).not.toBe(other.person('E1'));
    expect(pseudonyms.person('E1')).toMatch(/^erased-[0-9a-f]{20}$/);
    expect(pseudonyms.email(' Ada@Example.ORG ')).toBe(pseudonyms.email('ada@example.org'));
    expect(pseudonyms.email('ada@example.org')).toMatch(/^erased-[0-9a-f]{20}@erased\.invalid$/);
    // Kinds are keyed apart: a name and an employee id that are the same text differ.
    expect(pseudonyms.name('E1')).not.toBe(pseudonyms.person('E1'));
  });

  it('refuses a key shorter than 32 characters', () => {
    expect(() => makePseudonyms('short')).toThrow(/at least 32/);
  });
});

describe('erasedStarter and erasedAssignment', () => {
  it('keeps every field but the personal ones byte for byte (property: any person, any values)', () => {
    const text = fc.string({ minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(
        fc.record({
          givenName: text,
          familyName: text,
          email: fc.emailAddress(),
          ip: fc.ipV4(),
          ua: text,
          typed: text,
        }),
        (v) => {
          const starter = aStarter({
            givenName: v.givenName,
            familyName: v.familyName,
            email: v.email,
            manager: { name: v.typed, email: v.email },
            department: 'Dept',
          });
          const erasure = { at: NOW, pseudonym: pseudonyms.person(starter.employeeId), assignmentIds: ['a'] };
          const erased = erasedStarter(starter, pseudonyms, erasure);
          const {
            employeeId,
            givenName,
            familyName,
            email,
            manager,
            status,
            updatedAt,
            erased: mark,
            ...kept
          } = erased;
          const {
            employeeId: _e,
            givenName: _g,
            familyName: _f,
            email: _m,
            manager: _mg,
            status: _s,
            updatedAt: _u,
            ...before
          } = starter;
          expect(kept).toStrictEqual(before);
          expect([employeeId, givenName, familyName, status, mark]).toStrictEqual([
            erasure.pseudonym,
            erasure.pseudonym,
            '',
            'cancelled',
            erasure,
          ]);
          expect(email).toBe(pseudonyms.email(v.email));
          expect(manager).toStrictEqual({ name: pseudonyms.name(v.typed), email: pseudonyms.email(v.email) });

          const assignment = anAssignment(starter, aPolicy(), {
            status: 'acknowledged',
            ack: anEvidence(aPolicy(), { typedName: v.typed, ipAddress: v.ip, userAgent: v.ua }),
          });
          const after = erasedAssignment(assignment, pseudonyms, NOW);
          const { typedName, ipAddress, userAgent, ...ackKept } = after.ack as NonNullable<Assignment['ack']>;
          const {
            typedName: _t,
            ipAddress: _i,
            userAgent: _a,
            ...ackBefore
          } = assignment.ack as NonNullable<Assignment['ack']>;
          expect(ackKept).toStrictEqual(ackBefore);
          expect([typedName, ipAddress, userAgent]).toStrictEqual([
            pseudonyms.name(v.typed),
            pseudonyms.ip(v.ip),
            pseudonyms.browser(v.ua),
          ]);
          const { ack: _x, erasedAt, ...rest } = after;
          const { ack: _y, ...restBefore } = assignment;
          expect(rest).toStrictEqual(restBefore);
          expect(erasedAt).toBe(NOW);
        },
      ),
      { seed: 20261202, numRuns: 200 },
    );
  });

  it('replaces an on-behalf agreement’s name and note, keeping its recorder and its nulls', () => {
    // Prepare
    const ack = anOnBehalfEvidence(aPolicy(), { note: 'Ada signed the paper form with her carer' });
    const assignment = anAssignment(aStarter(), aPolicy(), { status: 'acknowledged', ack });

    // Act
    const after = erasedAssignment(assignment, pseudonyms, NOW);

    // Assess
    expect(after.ack).toStrictEqual({
      ...ack,
      typedName: pseudonyms.name(ack.typedName),
      note: pseudonyms.text(ack.note),
    });
    expect(JSON.stringify(after.ack)).not.toMatch(/Ada|carer/);
  });
});

describe('erasedAssignment and the receipt’s certificate', () => {
  it('replaces the sha256 of the certificate that named the person, keeping what made it', () => {
    // Prepare
    const certificate = {
      sha256: 'c'.repeat(64),
      fileName: 'agreement-sample-v1.pdf',
      organisationName: 'Wirral Council',
      timeZone: 'Europe/London',
      format: 1,
      madeAt: NOW,
    };
    const assignment = anAssignment(aStarter(), aPolicy(), {
      status: 'acknowledged',
      ack: anEvidence(aPolicy()),
      certificate,
    });

    // Act
    const after = erasedAssignment(assignment, pseudonyms, NOW);

    // Assess
    expect(after.certificate).toStrictEqual({ ...certificate, sha256: pseudonyms.text('c'.repeat(64)) });
    expect(assignment.certificate?.sha256).toBe('c'.repeat(64));
  });
});

describe('makeErasePerson', () => {
  it('leaves none of the person’s values anywhere in the table, for any person (property)', async () => {
    // Distinctive values (a prefix no fixed text has), so a match is theirs and not a coincidence.
    const word = fc.stringMatching(/^[A-Za-zÀ-ÿ]{3,10}$/).map((w) => `Qx${w}`);
    await fc.assert(
      fc.asyncProperty(
        fc.record({ given: word, family: word, local: fc.stringMatching(/^[a-z]{3,10}$/), ip: fc.ipV6() }),
        async (v) => {
          const person: Person = {
            ...ADA,
            employeeId: `E-${v.local}-${v.given}`,
            givenName: v.given,
            familyName: v.family,
            email: `qx.${v.local}@example.org`,
            managerName: `${v.family} Manager`,
            managerEmail: `qxm.${v.local}@example.org`,
            typedName: `${v.given} ${v.family}`,
            ip: v.ip,
            subject: `${v.given}, please read`,
            answer: `no user qx.${v.local}@example.org`,
            adminReason: `${v.given} called`,
          };
          const { store } = await personStore(person);
          await eraser(store)(person.employeeId, REQUEST);
          const scan = everything(store).toLowerCase();
          for (const value of personalValues(person)) expect(scan).not.toContain(value.toLowerCase());
        },
      ),
      { seed: 20261202, numRuns: 25 },
    );
  });

  it('erases a person: pseudonyms in every record, the evidence and its integrity kept, chasing stopped, logged', async () => {
    // Prepare
    const { store, signed, other, v2 } = await personStore();
    const before = await makeEvidenceReport(store).report(signed.assignmentId);

    // Act
    const result = await eraser(store)(ADA.employeeId, REQUEST);

    // Assess
    const pseudonym = pseudonyms.person(ADA.employeeId);
    expect(result).toEqual({
      pseudonym,
      entry: { starterId: starterIdFor(ADA.employeeId), pseudonym, at: NOW, ...REQUEST },
      starter: 'erased',
      withdrawn: 1,
      assignments: { erased: 3, before: 0 },
      auditEvents: 1,
      scimUsers: 1,
      deadLetters: 1,
    });
    const { report } = await makeEvidenceReport(store).report(signed.assignmentId);
    expect(report.integrity).toEqual({ recomputedSha256: v2.sha256, matches: true });
    expect(report.integrity).toEqual(before.report.integrity);
    expect(report.starter).toEqual({
      starterId: starterIdFor(ADA.employeeId),
      employeeId: pseudonym,
      name: pseudonym,
      email: pseudonyms.email(ADA.email),
    });
    const { typedName, ipAddress, userAgent, ...kept } = report.evidence as NonNullable<
      typeof report.evidence
    >;
    const {
      typedName: _t,
      ipAddress: _i,
      userAgent: _u,
      ...keptBefore
    } = before.report.evidence as NonNullable<typeof report.evidence>;
    expect(kept).toEqual(keptBefore);
    expect(typedName).toBe(pseudonyms.name(ADA.typedName));
    expect(report.erasedAt).toBe(NOW);
    expect(report.status).toBe('acknowledged');
    expect((await store.getAssignment(other.assignmentId))?.status).toBe('cancelled');
    // Retention counts from the erasure for someone who had not left: each request is a leaver's.
    for (const id of result.entry ? [signed.assignmentId, other.assignmentId] : []) {
      expect((await store.getAssignment(id))?.leftAt).toBe(NOW);
    }
    expect(await store.deadLetters(10)).toEqual([]);
    expect(await store.getScimUser('scim-1')).toBeUndefined();
    const scan = everything(store).toLowerCase();
    for (const value of personalValues(ADA)) expect(scan).not.toContain(value.toLowerCase());
  });

  it('changes nothing on a second run, and says it was erased before', async () => {
    // Prepare
    const { store } = await personStore();
    await eraser(store)(ADA.employeeId, REQUEST);
    const after = everything(store);
    store.writes.length = 0;

    // Act
    const again = await eraser(store, '2026-12-02T10:00:00.000Z')(ADA.employeeId, {
      by: 'someone',
      reason: 'second request',
    });

    // Assess
    expect(again.starter).toBe('erased-before');
    expect(again.entry.at).toBe(NOW);
    expect(again.assignments).toEqual({ erased: 0, before: 3 });
    expect(everything(store)).toBe(after);
  });

  it('finishes, when run again, an erasure a crash interrupted between two writes (one log entry)', async () => {
    // Prepare
    const { store } = await personStore();
    const eraseStarter = store.eraseStarter.bind(store);
    store.eraseStarter = async () => {
      throw new Error('crash before the last write');
    };
    await expect(eraser(store)(ADA.employeeId, REQUEST)).rejects.toThrow('crash');
    expect((await store.getStarter(starterIdFor(ADA.employeeId)))?.givenName).toBe(ADA.givenName);
    store.eraseStarter = eraseStarter;

    // Act
    const result = await eraser(store, '2026-12-01T10:05:00.000Z')(ADA.employeeId, REQUEST);

    // Assess
    expect(result.starter).toBe('erased');
    expect(result.assignments).toEqual({ erased: 0, before: 3 });
    expect(await store.erasureLog()).toHaveLength(1);
    for (const value of personalValues(ADA))
      expect(everything(store).toLowerCase()).not.toContain(value.toLowerCase());
  });

  it('refuses, writing nothing, while an LMS delivery of theirs is in flight, naming it', async () => {
    // Prepare
    const { store, signed } = await personStore();
    const a = store.assignments.get(signed.assignmentId) as Assignment;
    a.xapi = { state: 'pending', attempts: 2, statementId: 'st_1' };
    a.xapiDueAt = '2026-12-01T11:00:00.000Z';

    // Act
    const refused = eraser(store)(ADA.employeeId, REQUEST);

    // Assess
    await expect(refused).rejects.toThrow(ErasureBusyError);
    await expect(refused).rejects.toThrow(
      /Not erased, nothing changed: safe-internet-use version 2 \(.+\): the xapi delivery is in flight \(attempt 3, due 2026-12-01T11:00:00.000Z\)/,
    );
    expect(store.writes).toEqual([]);
  });

  it('refuses while a signed agreement’s receipt is still to be sent', async () => {
    // Prepare
    const { store, signed } = await personStore();
    Object.assign(store.assignments.get(signed.assignmentId) as Assignment, {
      dueKind: 'receipt',
      dueAt: NOW,
    });

    // Act, Assess
    await expect(eraser(store)(ADA.employeeId, REQUEST)).rejects.toThrow(
      /the receipt email is still to be sent/,
    );
    expect(store.writes).toEqual([]);
  });

  it('erases a signed agreement owing only its renewal, dropping it, and the renewal request too', async () => {
    // Prepare: the signed request owes its renewal in a year; its renewal request exists already.
    const { store, signed, v2 } = await personStore();
    Object.assign(store.assignments.get(signed.assignmentId) as Assignment, {
      dueKind: 'renewal',
      dueAt: '2027-11-24T10:00:00.000Z',
    });
    const renewalId = renewalIdFor(signed.assignmentId);
    store.seed({
      ...anAssignment(aStarter(), v2),
      assignmentId: renewalId,
      reason: 'reattest',
      renews: signed.assignmentId,
      status: 'invited',
      dueAt: undefined,
      dueKind: undefined,
    });

    // Act
    const result = await eraser(store)(ADA.employeeId, REQUEST);

    // Assess
    const after = store.assignments.get(signed.assignmentId) as Assignment;
    expect(after.erasedAt).toBe(NOW);
    expect(after.dueKind).toBeUndefined();
    expect(after.dueAt).toBeUndefined();
    expect(store.assignments.get(renewalId)).toMatchObject({ status: 'cancelled', erasedAt: NOW });
    expect(store.starters.get(signed.starterId)?.erased?.assignmentIds).toContain(renewalId);
    expect(result.withdrawn).toBeGreaterThanOrEqual(1);
  });

  it('refuses a reason that names the person, writing nothing', async () => {
    // Prepare
    const { store } = await personStore();

    // Act, Assess
    for (const reason of [
      'zoe asked',
      'Request from QUARTERMAINE',
      'mail from zoe.q@example.org',
      'E-ERASE-1 left',
    ]) {
      await expect(eraser(store)(ADA.employeeId, { by: 'dpo', reason })).rejects.toMatchObject({
        issues: [{ field: 'reason', message: expect.stringMatching(/names the person/) }],
      });
    }
    expect(store.writes).toEqual([]);
  });

  it('refuses nobody: an employee id attest never had', async () => {
    await expect(eraser(new FakeStore())('E404', REQUEST)).rejects.toThrow(NotFoundError);
  });

  it('refuses to go on under another key than the one a person was erased with', async () => {
    // Prepare
    const { store } = await personStore();
    await eraser(store)(ADA.employeeId, REQUEST);
    const other = makeErasePerson({
      store,
      clock: new FakeClock(NOW),
      pseudonyms: makePseudonyms('another-key-0123456789-0123456789-abc'),
      retention: RETENTION,
    });

    // Act, Assess
    await expect(other(ADA.employeeId, REQUEST)).rejects.toThrow(/another PSEUDONYM_KEY/);
  });

  it('keeps an erased person erased: their HR events are refused', async () => {
    // Prepare
    const { store, starter } = await personStore();
    await eraser(store)(ADA.employeeId, REQUEST);

    // Act, Assess
    await expect(store.putStarter(starter)).rejects.toThrow(ErasedError);
  });

  it('leaves the report’s counts as they were for a person who had signed and left', async () => {
    // Prepare
    const { store, other } = await personStore();
    store.assignments.delete(other.assignmentId);
    const exportBefore = await makeSubjectAccessExport({ store, clock: new FakeClock(NOW), version: 't' })(
      ADA.employeeId,
    );
    const reportBefore = await makeReport({ store, clock: new FakeClock(NOW) }).run(
      'safe-internet-use',
      { filter: 'all' },
      () => {},
    );

    // Act
    await eraser(store)(ADA.employeeId, REQUEST);

    // Assess
    const exportAfter = await makeSubjectAccessExport({ store, clock: new FakeClock(NOW), version: 't' })(
      ADA.employeeId,
    );
    const statuses = (e: typeof exportBefore) => e.assignments.map((a) => [a.assignmentId, a.status]);
    expect(statuses(exportAfter)).toEqual(statuses(exportBefore));
    const rows: ReportRow[] = [];
    const summary = await makeReport({ store, clock: new FakeClock(NOW) }).run(
      'safe-internet-use',
      { filter: 'all' },
      (batch) => {
        rows.push(...batch);
      },
    );
    expect(summary).toEqual(reportBefore);
    expect(rows).toHaveLength(2);
    expect(
      [...new Set(rows.map((r) => JSON.stringify([r.employeeId, r.givenName, r.email])))].map((r) =>
        JSON.parse(r),
      ),
    ).toEqual([
      [pseudonyms.person(ADA.employeeId), pseudonyms.person(ADA.employeeId), pseudonyms.email(ADA.email)],
    ]);
    expect(exportAfter.starter?.givenName).toBe(pseudonyms.person(ADA.employeeId));
    // The console finds them by starter id: an erased employee id (a pseudonym) no longer derives it.
    const byStarter = await makeSubjectAccessByStarter({ store, clock: new FakeClock(NOW), version: 't' })(
      starterIdFor(ADA.employeeId),
    );
    expect(byStarter?.assignments.map((a) => [a.assignmentId, a.status])).toEqual(statuses(exportBefore));
  });
});

describe('checkPrivacyReason', () => {
  it('takes a reason that does not name them, and words one that does plainly', () => {
    const starter = aStarter({ givenName: 'Siân', familyName: 'Lloyd', email: 'sian@example.org' });
    expect(checkPrivacyReason('  Erasure request\nref 118 ', starter)).toBe('Erasure request ref 118');
    // Accent-blind and case-blind; a name inside another word is not the name.
    expect(() => checkPrivacyReason('SIAN asked', starter)).toThrow(ValidationError);
    expect(checkPrivacyReason('Floyd asked for the Lloydsbank ref', starter)).toBe(
      'Floyd asked for the Lloydsbank ref',
    );
    expect(() => checkPrivacyReason('', starter)).toThrow(ValidationError);
  });
});

describe('makeProveErasure and findErased', () => {
  it('shows which erased record a person was from their employee id or address, only under the key', async () => {
    // Prepare
    const { store } = await personStore();
    await eraser(store)(ADA.employeeId, REQUEST);
    const prove = makeProveErasure({ store, pseudonyms });
    const wrongKey = makeProveErasure({
      store,
      pseudonyms: makePseudonyms('another-key-0123456789-0123456789-abc'),
    });

    // Act
    const byEmail = await prove({ email: 'ZOE.Q@example.org' });
    const byId = await prove({ employeeId: ADA.employeeId });
    const both = await prove({ employeeId: ADA.employeeId, email: 'someone.else@example.org' });
    const none = await wrongKey({ email: ADA.email });

    // Assess
    const pseudonym = pseudonyms.person(ADA.employeeId);
    expect(byEmail.map((p) => p.pseudonym)).toEqual([pseudonym]);
    expect(byId).toEqual(byEmail);
    expect(byId[0]?.entry?.reason).toBe(REQUEST.reason);
    expect(byId[0]?.assignmentIds).toHaveLength(3);
    expect(both).toEqual([]);
    expect(none).toEqual([]);
    expect(await findErased(store, pseudonym)).toEqual(byId[0]);
    expect(await findErased(store, 'erased-00000000000000000000')).toBeUndefined();
  });
});

describe('makeReplayErasures', () => {
  it('erases again, as they were, the people a restore from before their erasure brought back', async () => {
    // Prepare: the erasure done, and a "restored" table as it was before it.
    const { store } = await personStore();
    await eraser(store)(ADA.employeeId, REQUEST);
    const { store: restored } = await personStore();
    const log = await store.erasureLog();

    // Act
    const replay = makeReplayErasures({
      store: restored,
      clock: new FakeClock('2026-12-05T09:00:00.000Z'),
      pseudonyms,
      retention: RETENTION,
    });
    const done = await replay(log);
    const again = await replay(log);

    // Assess
    expect(done.map((d) => d.outcome)).toEqual(['erased']);
    expect(again.map((d) => d.outcome)).toEqual(['erased-before']);
    expect(await restored.erasureLog()).toEqual(log);
    for (const value of personalValues(ADA))
      expect(everything(restored).toLowerCase()).not.toContain(value.toLowerCase());
    expect(await restored.getStarter(starterIdFor(ADA.employeeId))).toEqual({
      ...(await store.getStarter(starterIdFor(ADA.employeeId))),
      updatedAt: '2026-12-05T09:00:00.000Z',
      erased: {
        ...(await store.getStarter(starterIdFor(ADA.employeeId)))?.erased,
        at: '2026-12-05T09:00:00.000Z',
      },
    });
  });

  it('says which entries are not in the table, and refuses a key the log was not made with', async () => {
    // Prepare
    const { store } = await personStore();
    await eraser(store)(ADA.employeeId, REQUEST);
    const log = await store.erasureLog();
    const { store: restored } = await personStore();

    // Act, Assess
    expect(
      (
        await makeReplayErasures({
          store: new FakeStore(),
          clock: new FakeClock(NOW),
          pseudonyms,
          retention: RETENTION,
        })(log)
      ).map((d) => d.outcome),
    ).toEqual(['missing']);
    await expect(
      makeReplayErasures({
        store: restored,
        clock: new FakeClock(NOW),
        pseudonyms: makePseudonyms('another-key-0123456789-0123456789-abc'),
        retention: RETENTION,
      })(log),
    ).rejects.toThrow(/another PSEUDONYM_KEY/);
  });
});

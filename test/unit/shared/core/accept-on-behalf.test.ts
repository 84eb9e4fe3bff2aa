// An agreement recorded on a person's behalf: through the page's own single write, marked so in the evidence, with a note required; never over a signature or a withdrawn ask.
import { describe, expect, it } from 'vitest';
import { checkNote, makeAcceptOnBehalf, NOTE_MAX } from '#shared/core/accept-on-behalf.ts';
import { AttestError, NotFoundError, ValidationError } from '#shared/core/errors.ts';
import { assignmentIdFor } from '#shared/core/ids.ts';
import type { Assignment } from '#shared/core/model.ts';
import {
  anAssignment,
  anEvidence,
  aPolicy,
  aWelshTranslation,
  FakeClock,
  FakeQueue,
  seededStore,
} from '../../../support/fakes.ts';

const NOW = '2026-11-26T10:00:00.000Z';
const NOTE = 'Signed the paper form at induction, 25 November';
const REDRIVE_MS = 15 * 60_000;

async function setup(overrides: Partial<Assignment> = {}, seed: Parameters<typeof seededStore>[1] = {}) {
  const seeded = await seededStore(
    {
      status: 'invited',
      dueKind: 'reminder',
      dueAt: '2026-11-27T09:00:00.000Z',
      ...overrides,
    },
    seed,
  );
  const mailQueue = new FakeQueue();
  const lmsQueue = new FakeQueue();
  const { acceptOnBehalf, acceptAssignment } = makeAcceptOnBehalf({
    store: seeded.store,
    mailQueue,
    lmsQueue,
    clock: new FakeClock(NOW),
    logger: { warn() {} },
    deliveries: ['webhook', 'xapi'],
    redriveAfterMs: REDRIVE_MS,
  });
  const request = { note: NOTE, recordedBy: 'Grace Hopper', audit: { by: 'Grace Hopper' } };
  return { ...seeded, mailQueue, lmsQueue, acceptOnBehalf, acceptAssignment, request };
}

describe('acceptOnBehalf', () => {
  it('records evidence marked on-behalf, with the note and recorder and no trace of a link', async () => {
    // Prepare
    const { store, acceptOnBehalf, request, starter, policy, assignment } = await setup();

    // Act
    const outcome = await acceptOnBehalf(starter.employeeId, policy.policyId, request);

    // Assess
    expect(outcome.recorded).toBe(true);
    const stored = store.peek(assignment.assignmentId);
    expect(stored?.status).toBe('acknowledged');
    expect(stored?.ack).toEqual({
      evidenceId: outcome.evidence.evidenceId,
      acknowledgedAt: NOW,
      policyId: policy.policyId,
      policyVersion: policy.version,
      policyTitle: policy.title,
      policySha256: policy.sha256,
      statement: policy.statement,
      locale: 'en',
      typedName: 'Ada Lovelace',
      method: 'on-behalf',
      note: NOTE,
      recordedBy: 'Grace Hopper',
      ipAddress: null,
      userAgent: null,
      tokenId: null,
      messageId: null,
    });
    expect(store.writes).toEqual(['recordAcknowledgement', 'appendAudit']);
  });

  it('records the agreement in the language the invite used: Welsh for a Welsh locale, when the policy has it', async () => {
    // Prepare
    const welsh = aWelshTranslation();
    const { store, acceptOnBehalf, request, starter, policy, assignment } = await setup(
      {},
      { starter: { locale: 'cy-GB' }, policy: { translations: { cy: welsh } } },
    );

    // Act
    await acceptOnBehalf(starter.employeeId, policy.policyId, request);

    // Assess
    expect(store.peek(assignment.assignmentId)?.ack).toMatchObject({
      locale: 'cy',
      policyTitle: welsh.title,
      policySha256: welsh.sha256,
      statement: welsh.statement,
    });
  });

  it('records the language asked for, and refuses one the policy has no translation in, writing nothing', async () => {
    // Prepare
    const welsh = aWelshTranslation();
    const translated = await setup(
      {},
      { starter: { locale: 'cy-GB' }, policy: { translations: { cy: welsh } } },
    );
    const english = await setup();

    // Act
    await translated.acceptOnBehalf('E1001', translated.policy.policyId, {
      ...translated.request,
      language: 'en',
    });
    const refused = english.acceptOnBehalf('E1001', english.policy.policyId, {
      ...english.request,
      language: 'cy',
    });

    // Assess
    expect(translated.store.peek(translated.assignment.assignmentId)?.ack).toMatchObject({
      locale: 'en',
      policySha256: translated.policy.sha256,
    });
    await expect(refused).rejects.toThrow(
      new AttestError(
        'on-behalf.language',
        `Version ${english.policy.version} of ${english.policy.policyId} has no Welsh translation: it can only have been read in English.`,
      ),
    );
    expect(english.store.writes).toEqual([]);
  });

  it('owes the receipt and each LMS delivery as a signature does, enqueues them and audits who and why', async () => {
    // Prepare
    const { store, mailQueue, lmsQueue, acceptOnBehalf, request, starter, policy, assignment } =
      await setup();

    // Act
    const outcome = await acceptOnBehalf(starter.employeeId, policy.policyId, request);

    // Assess
    const id = assignment.assignmentId;
    const stored = store.peek(id);
    expect(stored).toMatchObject({ dueKind: 'receipt', dueAt: '2026-11-26T10:15:00.000Z' });
    expect(stored?.webhook).toMatchObject({ state: 'pending' });
    expect(stored?.xapi).toMatchObject({ state: 'pending' });
    expect(mailQueue.sent.map((s) => s.message)).toEqual([{ assignmentId: id, kind: 'receipt' }]);
    expect(lmsQueue.sent.map((s) => s.message)).toEqual([
      { assignmentId: id, kind: 'webhook' },
      { assignmentId: id, kind: 'xapi' },
    ]);
    expect(store.audit).toEqual([
      {
        assignmentId: id,
        kind: 'acknowledged',
        at: NOW,
        detail: {
          by: 'Grace Hopper',
          evidenceId: outcome.evidence.evidenceId,
          method: 'on-behalf',
          reason: NOTE,
        },
      },
    ]);
  });

  it.each([
    ['no note', undefined, 'A note is required'],
    ['a blank note', '   \n ', 'A note is required'],
    ['a note of fewer than three letters', 'ok 1', 'in a few words'],
    ['a note with a bidi override', `Paper form\u202E signed`, 'cannot be seen'],
    ['a note with a zero-width space', `Paper\u200Bform signed`, 'cannot be seen'],
    ['a note over the limit', 'a'.repeat(NOTE_MAX + 1), `${NOTE_MAX} characters`],
  ])('refuses %s and writes nothing', async (_, note, message) => {
    // Prepare
    const { store, mailQueue, lmsQueue, acceptOnBehalf, request, starter, policy, assignment } =
      await setup();

    // Act
    const refused = acceptOnBehalf(starter.employeeId, policy.policyId, { ...request, note });

    // Assess
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({
      code: 'on-behalf.note',
      issues: [{ field: 'note', message: expect.stringContaining(message) }],
    });
    expect(store.writes).toEqual([]);
    expect(store.peek(assignment.assignmentId)?.ack).toBeUndefined();
    expect(mailQueue.sent).toEqual([]);
    expect(lmsQueue.sent).toEqual([]);
  });

  it('refuses a missing recorder and writes nothing', async () => {
    // Prepare
    const { store, acceptOnBehalf, request, starter, policy } = await setup();

    // Act
    const refused = acceptOnBehalf(starter.employeeId, policy.policyId, { ...request, recordedBy: ' ' });

    // Assess
    await expect(refused).rejects.toMatchObject({ code: 'on-behalf.by', issues: [{ field: 'by' }] });
    expect(store.writes).toEqual([]);
  });

  it('answers with the signature already recorded and changes nothing, on a second run too', async () => {
    // Prepare
    const signed = anEvidence(aPolicy(), { method: 'link' });
    const { store, mailQueue, acceptOnBehalf, request, starter, policy, assignment } = await setup({
      status: 'acknowledged',
      ack: signed,
    });
    const before = structuredClone(store.peek(assignment.assignmentId));

    // Act
    const first = await acceptOnBehalf(starter.employeeId, policy.policyId, request);
    const second = await acceptOnBehalf(starter.employeeId, policy.policyId, request);

    // Assess
    expect(first).toEqual({ recorded: false, assignmentId: assignment.assignmentId, evidence: signed });
    expect(second).toEqual(first);
    expect(store.peek(assignment.assignmentId)).toEqual(before);
    expect(store.writes).toEqual([]);
    expect(store.audit).toEqual([]);
    expect(mailQueue.sent).toEqual([]);
  });

  it('records once: run twice, the second answers with the first one’s evidence', async () => {
    // Prepare
    const { store, acceptOnBehalf, request, starter, policy } = await setup();

    // Act
    const first = await acceptOnBehalf(starter.employeeId, policy.policyId, request);
    const second = await acceptOnBehalf(starter.employeeId, policy.policyId, {
      ...request,
      note: 'Another note',
    });

    // Assess
    expect(first.recorded).toBe(true);
    expect(second).toEqual({ recorded: false, assignmentId: first.assignmentId, evidence: first.evidence });
    expect(store.audit.filter((e) => e.kind === 'acknowledged')).toHaveLength(1);
  });

  it('refuses a withdrawn ask and writes nothing', async () => {
    // Prepare
    const { store, acceptOnBehalf, request, starter, policy } = await setup({ status: 'cancelled' });

    // Act
    const refused = acceptOnBehalf(starter.employeeId, policy.policyId, request);

    // Assess
    await expect(refused).rejects.toBeInstanceOf(AttestError);
    await expect(refused).rejects.toMatchObject({ code: 'on-behalf.withdrawn' });
    expect(store.writes).toEqual([]);
  });

  it('accepts the current ask, the newest version’s, not an earlier one', async () => {
    // Prepare: version 3 was signed; version 4 is asked again.
    const { store, acceptOnBehalf, acceptAssignment, request, starter, assignment } = await setup({
      status: 'acknowledged',
      ack: anEvidence(aPolicy()),
    });
    const v4 = aPolicy({ version: 4, sha256: 'd'.repeat(64) });
    await store.putPolicyVersion(v4);
    const again = anAssignment(starter, v4, {
      assignmentId: assignmentIdFor(starter.employeeId, v4.policyId, 4),
      reason: 'reacknowledge',
    });
    store.seed(again);
    store.writes.length = 0;

    // Act
    const outcome = await acceptOnBehalf(starter.employeeId, v4.policyId, request);

    // Assess
    expect(outcome).toMatchObject({ recorded: true, assignmentId: again.assignmentId });
    expect(store.peek(again.assignmentId)?.ack).toMatchObject({ policyVersion: 4, method: 'on-behalf' });
    // An earlier version's ask is not the current one.
    const old = anAssignment(starter, aPolicy(), {
      assignmentId: 'asg_old',
      policyVersion: 3,
      status: 'invited',
    });
    store.seed(old);
    await expect(acceptAssignment(old.assignmentId, request)).rejects.toMatchObject({
      code: 'on-behalf.not_current',
    });
    expect(assignment.assignmentId).not.toBe(again.assignmentId);
  });

  it('refuses an employee never asked to sign the policy as not found', async () => {
    // Prepare
    const { acceptOnBehalf, request, policy } = await setup();

    // Act and assess
    await expect(acceptOnBehalf('E404', policy.policyId, request)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('checkNote', () => {
  it('keeps a note as typed, its line breaks as spaces', () => {
    // Act and assess
    expect(checkNote('  Paper form\r\nsigned 25 Nov  ')).toBe('Paper form signed 25 Nov');
  });
});

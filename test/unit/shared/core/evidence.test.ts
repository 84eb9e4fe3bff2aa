// The evidence report: who agreed to what and when, the stored text hashed again, and the audit trail.
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '#shared/core/errors.ts';
import { makeEvidenceReport, makeFindAssignments } from '#shared/core/evidence.ts';
import { assignmentIdFor } from '#shared/core/ids.ts';
import { shownIn } from '#shared/core/language.ts';
import type { LinkEvidence, PolicyVersion } from '#shared/core/model.ts';
import { canonicalPolicyText, parsePolicy, policySha256 } from '#shared/core/policy.ts';
import {
  anAssignment,
  anEvidence,
  anOnBehalfEvidence,
  aPolicySource,
  aStarter,
  aWelshTranslation,
  FakeStore,
} from '../../../support/fakes.ts';

const source = aPolicySource('Para one.\n\n## Heading\n');

/** A genuine policy version: its sha256 is over its own canonical text. */
function samplePolicy(): PolicyVersion {
  return { ...parsePolicy(source), version: 1, publishedAt: '2026-11-20T09:00:00.000Z' };
}

function evidenceFor(policy: PolicyVersion, overrides: Partial<LinkEvidence> = {}): LinkEvidence {
  return anEvidence(policy, { acknowledgedAt: '2026-11-25T14:03:00.000Z', tokenId: 'tok1', ...overrides });
}

/**
 * A store with a starter, the sample policy and an invited assignment; `signed` records evidence;
 * `locale` is the starter's, `translations` the policy's.
 */
async function setup(
  options: { signed?: boolean; locale?: string; translations?: PolicyVersion['translations'] } = {},
) {
  const store = new FakeStore();
  const starter = aStarter(options.locale ? { locale: options.locale } : {});
  const policy = { ...samplePolicy(), ...(options.translations && { translations: options.translations }) };
  await store.putStarter(starter);
  await store.putPolicyVersion(policy);
  const assignment = anAssignment(starter, policy, {
    status: 'invited',
    dueAt: undefined,
    dueKind: undefined,
    sends: [{ kind: 'invite', tokenId: 'tok1', messageId: 'ses-1', at: '2026-11-24T10:15:00.000Z' }],
  });
  store.seed(assignment);
  const evidence = evidenceFor(policy);
  if (options.signed !== false) {
    await store.recordAcknowledgement(
      assignment.assignmentId,
      evidence,
      { webhook: { webhookId: 'wh_1' } },
      new Date('2026-11-25T14:03:00.000Z'),
    );
  }
  return { store, starter, policy, assignment, evidence, reporter: makeEvidenceReport(store) };
}

describe('makeEvidenceReport', () => {
  it('reports an agreement recorded on behalf as such, with no email it was signed from', async () => {
    // Prepare: the invite was sent, but the agreement came on paper.
    const { store, policy, assignment, reporter } = await setup({ signed: false });
    const onBehalf = anOnBehalfEvidence(policy);
    await store.recordAcknowledgement(
      assignment.assignmentId,
      onBehalf,
      {},
      new Date('2026-11-25T14:03:00.000Z'),
    );

    // Act
    const { report } = await reporter.report(assignment.assignmentId);

    // Assess
    expect(report.evidence).toStrictEqual(onBehalf);
    expect(report.signedFrom).toBeNull();
    expect(report.integrity).toEqual({ recomputedSha256: policy.sha256, matches: true });
  });

  it('reports who signed what, when and how for a signed assignment', async () => {
    // Prepare
    const { reporter, starter, policy, assignment, evidence } = await setup();

    // Act
    const { report, text } = await reporter.report(assignment.assignmentId);

    // Assess
    expect(report).toEqual({
      assignmentId: assignment.assignmentId,
      status: 'acknowledged',
      reason: 'starter',
      starter: {
        starterId: starter.starterId,
        employeeId: 'E1001',
        name: 'Ada Lovelace',
        email: 'ada@example.org',
      },
      policy: {
        id: 'sample',
        version: 1,
        title: 'Sample – Policy',
        sha256: policy.sha256,
        publishedAt: '2026-11-20T09:00:00.000Z',
      },
      evidence,
      declines: [],
      integrity: { recomputedSha256: policy.sha256, matches: true },
      emails: assignment.sends,
      signedFrom: { attemptId: evidence.tokenId, messageId: evidence.messageId },
      erasedAt: null,
      certificate: null,
      webhook: { state: 'pending', webhookId: 'wh_1', attempts: 0 },
      // Only the webhook was owed.
      xapi: null,
      moodle: null,
      audit: [],
    });
    expect(text).toBe(canonicalPolicyText(policy));
  });

  it("prints, before an agreement, the text the starter's page shows them: their language's", async () => {
    // Prepare: a Welsh-speaking starter and an English-speaking one asked a policy with a Welsh translation, not yet signed
    const translations = { cy: aWelshTranslation() };
    const welshStarter = await setup({ signed: false, locale: 'cy-GB', translations });
    const englishStarter = await setup({ signed: false, locale: 'en-GB', translations });
    const { policy } = welshStarter;

    // Act
    const welsh = await welshStarter.reporter.report(welshStarter.assignment.assignmentId);
    const inEnglish = await englishStarter.reporter.report(englishStarter.assignment.assignmentId);

    // Assess
    expect(welsh.text).toBe(canonicalPolicyText(shownIn(policy, 'cy')));
    expect(welsh.text).not.toBe(canonicalPolicyText(shownIn(policy, 'en')));
    expect(inEnglish.text).toBe(canonicalPolicyText(shownIn(policy, 'en')));
  });

  it('says the text no longer matches when the stored version was altered after signing', async () => {
    // Prepare
    const { store, reporter, policy, assignment } = await setup();
    const altered = { ...policy, body: 'Para one, quietly changed.\n' };
    store.policies.set(`${policy.policyId}#${policy.version}`, altered);

    // Act
    const { report, text } = await reporter.report(assignment.assignmentId);

    // Assess
    expect(report.policy.sha256).toBe(policy.sha256);
    expect(report.integrity).toEqual({ recomputedSha256: policySha256(altered), matches: false });
    expect(report.integrity?.recomputedSha256).not.toBe(policy.sha256);
    expect(text).toBe(canonicalPolicyText(altered));
  });

  it('says the text does not match when the evidence names another sha256', async () => {
    // Prepare
    const { store, reporter, policy, assignment } = await setup({ signed: false });
    await store.recordAcknowledgement(
      assignment.assignmentId,
      evidenceFor(policy, { policySha256: 'f'.repeat(64) }),
      { webhook: { webhookId: 'wh_1' } },
      new Date('2026-11-25T14:03:00.000Z'),
    );

    // Act
    const { report } = await reporter.report(assignment.assignmentId);

    // Assess
    expect(report.integrity).toEqual({ recomputedSha256: policy.sha256, matches: false });
  });

  it('reports no evidence and no integrity check for an unsigned assignment', async () => {
    // Prepare
    const { reporter, assignment } = await setup({ signed: false });

    // Act
    const { report } = await reporter.report(assignment.assignmentId);

    // Assess
    expect(report.status).toBe('invited');
    expect(report.evidence).toBeNull();
    expect(report.integrity).toBeNull();
    expect(report.webhook).toBeNull();
    expect(report.xapi).toBeNull();
  });

  it('carries the reason of a re-acknowledgement', async () => {
    // Prepare
    const { store, reporter, starter, policy } = await setup({ signed: false });
    const reack = anAssignment(starter, policy, { assignmentId: 'reack-1', reason: 'reacknowledge' });
    store.seed(reack);

    // Act
    const { report } = await reporter.report('reack-1');

    // Assess
    expect(report.reason).toBe('reacknowledge');
  });

  it('reports the starter as null when their record is gone', async () => {
    // Prepare
    const { store, reporter, starter, assignment } = await setup();
    store.starters.delete(starter.starterId);

    // Act
    const { report } = await reporter.report(assignment.assignmentId);

    // Assess
    expect(report.starter).toBeNull();
    expect(report.integrity?.matches).toBe(true);
  });

  it('refuses an assignment that does not exist', async () => {
    // Prepare
    const { reporter } = await setup();

    // Act
    const attempt = reporter.report('no-such-assignment');

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(NotFoundError);
    await expect(attempt).rejects.toMatchObject({
      code: 'assignment.not_found',
      message: 'No assignment no-such-assignment.',
    });
  });

  it('refuses an assignment whose policy version is missing', async () => {
    // Prepare
    const { store, reporter, policy, assignment } = await setup();
    store.policies.delete(`${policy.policyId}#${policy.version}`);

    // Act
    const attempt = reporter.report(assignment.assignmentId);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(NotFoundError);
    await expect(attempt).rejects.toMatchObject({
      code: 'policy.not_found',
      message: 'Policy sample version 1 is missing.',
    });
  });

  it('includes the assignment’s own audit trail, oldest first', async () => {
    // Prepare
    const { store, reporter, assignment } = await setup();
    await store.appendAudit(assignment.assignmentId, 'acknowledged', new Date('2026-11-25T14:03:00.000Z'), {
      evidenceId: 'ev_1',
    });
    await store.appendAudit('another-assignment', 'invited', new Date('2026-11-24T12:00:00.000Z'));
    await store.appendAudit(assignment.assignmentId, 'invited', new Date('2026-11-24T10:15:00.000Z'), {
      messageId: 'ses-1',
    });
    await store.appendAudit(assignment.assignmentId, 'lms-delivered', new Date('2026-11-25T14:04:00.000Z'));

    // Act
    const { report } = await reporter.report(assignment.assignmentId);

    // Assess
    expect(report.audit).toEqual([
      { kind: 'invited', at: '2026-11-24T10:15:00.000Z', detail: { messageId: 'ses-1' } },
      { kind: 'acknowledged', at: '2026-11-25T14:03:00.000Z', detail: { evidenceId: 'ev_1' } },
      { kind: 'lms-delivered', at: '2026-11-25T14:04:00.000Z', detail: {} },
    ]);
  });
});

describe('makeFindAssignments', () => {
  it('finds an employee’s first assignment and their re-acknowledgements, oldest first', async () => {
    // Prepare: the policy at version 3; E1001 asked for version 1, then again for version 3
    const store = new FakeStore();
    const policy = { ...samplePolicy(), version: 3 };
    await store.putPolicyVersion(policy);
    const starter = aStarter();
    store.seed(anAssignment(starter, policy));
    store.seed(anAssignment(starter, policy, { assignmentId: assignmentIdFor('E1001', 'sample', 3) }));

    // Act
    const found = await makeFindAssignments({ store })('E1001', 'sample');

    // Assess
    expect(found).toEqual([assignmentIdFor('E1001', 'sample'), assignmentIdFor('E1001', 'sample', 3)]);
  });

  it('refuses a policy never published, and an employee never asked to sign it', async () => {
    // Prepare
    const { store } = await setup();
    const find = makeFindAssignments({ store });

    // Act
    const unpublished = find('E1001', 'unknown');
    const stranger = find('E9999', 'sample');

    // Assess
    await expect(unpublished).rejects.toMatchObject({
      code: 'policy.not_found',
      message: 'No published versions of unknown.',
    });
    await expect(stranger).rejects.toBeInstanceOf(NotFoundError);
    await expect(stranger).rejects.toMatchObject({
      code: 'assignment.not_found',
      message: 'E9999 has no sample assignment.',
    });
  });
});

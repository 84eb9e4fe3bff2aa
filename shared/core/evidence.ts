// Use case: answer "who agreed to what, when, and how do we know" for one assignment, from the records alone.
import type { Assignments, AuditEvent, AuditTrail, MailWork, Policies, Starters } from '../ports.ts';
import { NotFoundError } from './errors.ts';
import { evidenceLanguage, languageFor, shownIn } from './language.ts';
import { everyAskOf } from './lifecycle.ts';
import {
  type Assignment,
  type CertificateRecord,
  DELIVERY_KINDS,
  type DeclineEvidence,
  type Delivery,
  type DeliveryKind,
  type Evidence,
  type PolicyVersion,
  type Starter,
} from './model.ts';
import { canonicalPolicyText, policySha256 } from './policy-text.ts';

/** The evidence is read, never written: the assignment, its starter and text, SES's word and the trail. */
export type EvidenceStore = Pick<Assignments, 'getAssignment'> &
  Pick<Starters, 'getStarter'> &
  Pick<Policies, 'getPolicyVersion'> &
  Pick<MailWork, 'getSentAttempt'> &
  Pick<AuditTrail, 'getAuditTrail'>;

/** Each destination's delivery, by its name; null when this deployment does not send there. */
type DeliveriesByName = { [K in DeliveryKind]: Delivery | null };

export interface EvidenceReport extends DeliveriesByName {
  assignmentId: string;
  status: Assignment['status'];
  reason: NonNullable<Assignment['reason']>;
  starter: { starterId: string; employeeId: string; name: string; email: string } | null;
  policy: { id: string; version: number; title: string; sha256: string; publishedAt: string };
  evidence: Evidence | null;
  /** Each time the person said they do not agree, and why (the same evidence fields), oldest first. */
  declines: DeclineEvidence[];
  /**
   * The stored text of the version agreed to, hashed again now: `matches` says it is still exactly
   * the text whose sha256 the evidence names.
   */
  integrity: { recomputedSha256: string; matches: boolean } | null;
  emails: Assignment['sends'];
  /**
   * The email whose link was signed from: its attempt (the link's token id) and SES message id —
   * the evidence's, or SES's later report of that attempt when the send's record was lost; null
   * unsigned, and for an agreement recorded on the person's behalf (`evidence.method`), which used no link.
   */
  signedFrom: { attemptId: string; messageId: string | null } | null;
  /**
   * When the person's data in these records was replaced by keyed pseudonyms (`attest privacy
   * erase`); null when it was not. The policy, version, hash, statement, times and ids are kept.
   */
  erasedAt: string | null;
  /**
   * The PDF certificate the receipt carried: its SHA-256 as sent and what made it (the organisation's
   * name and the time zone then); null before the receipt went, or when it went before certificates.
   * `attest evidence` adds whether a certificate made again from this evidence is identical.
   */
  certificate: CertificateRecord | null;
  audit: AuditEvent[];
}

export function makeEvidenceReport(store: EvidenceStore) {
  /** Gathers the assignment, its evidence, the text's integrity and the audit trail. */
  async function report(assignmentId: string): Promise<{ report: EvidenceReport; text: string }> {
    const assignment = await store.getAssignment(assignmentId);
    if (!assignment) throw new NotFoundError('assignment.not_found', `No assignment ${assignmentId}.`);
    const [starter, policy, audit] = await Promise.all([
      store.getStarter(assignment.starterId),
      store.getPolicyVersion(assignment.policyId, assignment.policyVersion),
      store.getAuditTrail(assignmentId),
    ]);
    if (!policy) {
      throw new NotFoundError(
        'policy.not_found',
        `Policy ${assignment.policyId} version ${assignment.policyVersion} is missing.`,
      );
    }
    const evidence = assignment.ack ?? null;
    // An agreement recorded on the person's behalf came through no email: it has no link to trace.
    const signedFrom = evidence?.tokenId
      ? {
          attemptId: evidence.tokenId,
          messageId:
            evidence.messageId ?? (await store.getSentAttempt(assignmentId, evidence.tokenId)) ?? null,
        }
      : null;
    return {
      report: {
        assignmentId,
        status: assignment.status,
        reason: assignment.reason ?? 'starter',
        starter: starter
          ? {
              starterId: starter.starterId,
              employeeId: starter.employeeId,
              name: `${starter.givenName} ${starter.familyName}`.trim(),
              email: starter.email,
            }
          : null,
        policy: describe(policy),
        evidence,
        declines: assignment.declines ?? [],
        integrity: evidence ? integrity(policy, evidence) : null,
        emails: assignment.sends,
        signedFrom,
        erasedAt: assignment.erasedAt ?? null,
        certificate: assignment.certificate ?? null,
        ...(Object.fromEntries(
          DELIVERY_KINDS.map((kind) => [kind, assignment[kind] ?? null]),
        ) as DeliveriesByName),
        audit,
      },
      // The text agreed to: in the language the evidence says was shown (English before languages
      // were recorded). Before an agreement, the text the starter's page shows them: their language's.
      text: canonicalPolicyText(
        shownIn(policy, evidence ? evidenceLanguage(evidence) : languageFor(starter?.locale, policy)),
      ),
    };
  }

  return { report };
}

/**
 * The assignments one employee was asked to sign a policy under, oldest first (by version, then
 * when asked; the last is the current ask): their first ask, each re-acknowledgement, each renewal.
 * 1. The policy's newest version bounds the versions they may have been asked for; a policy
 *    never published is refused.
 * 2. Each version's assignment id is derived (employee, policy, version), and each renewal's from
 *    the one it renews: read in batches; those that exist are answered, and none at all is refused.
 */
export function makeFindAssignments(deps: {
  store: Pick<Policies, 'getLatestPolicyVersion'> & Pick<Assignments, 'getAssignments'>;
}) {
  return async function findAssignments(employeeId: string, policyId: string): Promise<string[]> {
    const latest = await deps.store.getLatestPolicyVersion(policyId);
    if (!latest) throw new NotFoundError('policy.not_found', `No published versions of ${policyId}.`);
    const asks = await deps.store.getAssignments(
      await everyAskOf(deps.store, employeeId, policyId, latest.version),
    );
    const found = [...asks.values()]
      .sort((a, b) => a.policyVersion - b.policyVersion || a.createdAt.localeCompare(b.createdAt))
      .map((a) => a.assignmentId);
    if (!found.length) {
      throw new NotFoundError('assignment.not_found', `${employeeId} has no ${policyId} assignment.`);
    }
    return found;
  };
}

/**
 * Every assignment a starter was ever asked, of the published policies they were asked (`asked`,
 * or `policies` on a starter stored before it was kept): each version's id derived (ids.ts), those
 * that exist read in one batch per policy; newest first, the current ask above the history.
 */
export async function assignmentsOfStarter(
  store: Pick<Policies, 'getLatestPolicyVersion'> & Pick<Assignments, 'getAssignments'>,
  starter: Starter,
): Promise<Assignment[]> {
  const found: Assignment[] = [];
  // An erased starter's employee id is a pseudonym now: its assignments are those it listed.
  if (starter.erased) found.push(...(await store.getAssignments(starter.erased.assignmentIds)).values());
  for (const policyId of starter.erased ? [] : new Set(starter.asked ?? starter.policies)) {
    const latest = await store.getLatestPolicyVersion(policyId);
    if (!latest) continue;
    const ids = await everyAskOf(store, starter.employeeId, policyId, latest.version);
    found.push(...(await store.getAssignments(ids)).values());
  }
  return found.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.policyVersion - a.policyVersion);
}

function describe(policy: PolicyVersion): EvidenceReport['policy'] {
  return {
    id: policy.policyId,
    version: policy.version,
    title: policy.title,
    sha256: policy.sha256,
    publishedAt: policy.publishedAt,
  };
}

/**
 * The stored text of the version agreed to, in the language it was shown in, hashed again: whether
 * it is still the text the evidence names.
 */
export function integrity(
  policy: PolicyVersion,
  evidence: Evidence,
): NonNullable<EvidenceReport['integrity']> {
  const recomputedSha256 = policySha256(shownIn(policy, evidenceLanguage(evidence)));
  return {
    recomputedSha256,
    matches: recomputedSha256 === evidence.policySha256 && policy.version === evidence.policyVersion,
  };
}

// Use cases behind the acknowledgement link: show the policy (records nothing) and record agreement once.
import type { Clock, Logger, Queue, Store } from '../ports.ts';
import { NotFoundError } from './errors.ts';
import { newEvidenceId } from './ids.ts';
import type { Assignment, Evidence, PolicyVersion } from './model.ts';
import { type TokenKeys, verifyToken } from './tokens.ts';

export interface AckDeps {
  store: Store;
  lmsQueue: Queue;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn'>;
  tokenKeys: TokenKeys;
  /** When an owed LMS delivery is re-driven by the sweeper if its queue message is lost. */
  redriveAfterMs: number;
}

export type AckView =
  | { kind: 'form'; policy: PolicyVersion; values?: { fullName: string }; errors?: FormErrors }
  | { kind: 'receipt'; policy: PolicyVersion; evidence: Evidence; already: boolean }
  | { kind: 'withdrawn' };

export interface FormErrors {
  fullName?: string;
  agree?: string;
}

export interface AckSubmission {
  token: string;
  fullName: string | undefined;
  agree: string | undefined;
  ipAddress: string;
  userAgent: string;
}

const MAX_NAME = 200;

function validate(fullName: string, agree: string | undefined): FormErrors | undefined {
  const errors: FormErrors = {};
  if (fullName.length === 0) errors.fullName = 'Enter your full name.';
  else if (fullName.length > MAX_NAME) errors.fullName = `Your name must be ${MAX_NAME} characters or fewer.`;
  if (agree !== 'yes') errors.agree = 'Tick the box to confirm you agree.';
  return Object.keys(errors).length ? errors : undefined;
}

export function makeAcknowledgement(deps: AckDeps) {
  const { store, clock } = deps;

  async function load(
    token: string,
  ): Promise<{ assignment: Assignment; policy: PolicyVersion; tokenId: string }> {
    const claims = verifyToken(deps.tokenKeys, token, 'ack', clock.now());
    const assignment = await store.getAssignment(claims.assignmentId);
    // A valid signature over a vanished assignment reads as a dead link, like any other.
    if (!assignment) throw new NotFoundError('assignment.not_found', 'The link is not valid.');
    const policy = await store.getPolicyVersion(assignment.policyId, assignment.policyVersion);
    if (!policy) throw new NotFoundError('policy.not_found', 'The policy version is missing.');
    return { assignment, policy, tokenId: claims.tokenId };
  }

  /**
   * GET: shows the policy version the assignment was issued for, or the receipt if already agreed.
   * Records nothing: mail scanners open links before people do.
   */
  async function showAcknowledgement(token: string): Promise<AckView> {
    const { assignment, policy } = await load(token);
    if (assignment.ack) return { kind: 'receipt', policy, evidence: assignment.ack, already: true };
    if (assignment.status === 'cancelled') return { kind: 'withdrawn' };
    return { kind: 'form', policy };
  }

  /**
   * POST: records the agreement.
   * 1. Verify the token and re-read the assignment; an acknowledged one shows its receipt.
   * 2. Validate the form: an empty name or unticked box re-shows it, storing nothing.
   * 3. Write the evidence, status and owed LMS delivery in one conditional update
   *    (attribute_not_exists(ack)): of any number of concurrent POSTs exactly one records, and
   *    every one of them gets the receipt of the one that did.
   * 4. Enqueue the LMS delivery; if that fails the sweeper re-drives it from the table.
   */
  async function recordAcknowledgement(submission: AckSubmission): Promise<AckView> {
    const { assignment, policy, tokenId } = await load(submission.token);
    if (assignment.ack) return { kind: 'receipt', policy, evidence: assignment.ack, already: true };
    if (assignment.status === 'cancelled') return { kind: 'withdrawn' };
    const fullName = (submission.fullName ?? '').trim().replace(/\s+/g, ' ');
    const errors = validate(fullName, submission.agree);
    if (errors) return { kind: 'form', policy, values: { fullName }, errors };

    const now = clock.now();
    const evidence: Evidence = {
      evidenceId: newEvidenceId(),
      acknowledgedAt: now.toISOString(),
      policyId: policy.policyId,
      policyVersion: policy.version,
      policyTitle: policy.title,
      policySha256: policy.sha256,
      statement: policy.statement,
      typedName: fullName,
      ipAddress: submission.ipAddress,
      userAgent: submission.userAgent.slice(0, 512),
      tokenId,
      messageId: assignment.sends.find((s) => s.tokenId === tokenId)?.messageId ?? null,
    };
    const outcome = await store.recordAcknowledgement(
      assignment.assignmentId,
      evidence,
      `msg_${evidence.evidenceId.slice(3)}`,
      new Date(now.getTime() + deps.redriveAfterMs),
    );
    const recorded = outcome.assignment.ack;
    // Lost the race to a concurrent POST (show its receipt) or to a cancellation.
    if (!recorded) return { kind: 'withdrawn' };
    if (!outcome.recorded) return { kind: 'receipt', policy, evidence: recorded, already: true };

    await store.appendAudit(assignment.assignmentId, 'acknowledged', now, {
      evidenceId: recorded.evidenceId,
    });
    try {
      await deps.lmsQueue.send({ assignmentId: assignment.assignmentId, kind: 'lms' });
    } catch (error) {
      deps.logger.warn('LMS delivery not enqueued; the sweeper will re-drive it', {
        assignmentId: assignment.assignmentId,
        error: (error as Error).name,
      });
    }
    deps.logger.info('acknowledgement recorded', { assignmentId: assignment.assignmentId });
    return { kind: 'receipt', policy, evidence: recorded, already: false };
  }

  return { showAcknowledgement, recordAcknowledgement };
}

// Use case: an operator asks for a fresh invite for a starter, as the expired-link page lets the starter ask: to the address on file, at most once an interval.
import type { Assignments, AuditTrail, Clock, Logger, Policies, Queue } from '../ports.ts';
import { type AskNamed, AttestError } from './errors.ts';
import { makeFindAssignments } from './evidence.ts';
import { sendHint } from './hint.ts';

export interface ResendDeps {
  store: Pick<Assignments, 'getAssignment' | 'getAssignments' | 'requestFreshLink'> &
    Pick<Policies, 'getLatestPolicyVersion'> &
    Pick<AuditTrail, 'appendAudit'>;
  mailQueue: Queue;
  clock: Clock;
  logger: Pick<Logger, 'warn'>;
  /** How long after one fresh link another may be asked for: the page's FRESH_LINK_INTERVAL. */
  intervalMs: number;
}

/**
 * Resends the invite of an employee's current ask of a policy.
 * 1. The current ask is their newest version's assignment (a policy never published, or never
 *    asked of them, is refused as not found).
 * 2. The same conditional update as the page's: the invite becomes owed now, unless signed,
 *    withdrawn, bounced, owing other work, or a fresh link was asked for within the interval — each refusal
 *    said plainly, nothing written.
 * 3. Audited (`fresh-link-requested`, by an operator) and enqueued; the sweeper re-drives the invite
 *    if the message is lost. The mailer sends it with a new link to the address on file.
 */
export function makeResendInvite(deps: ResendDeps) {
  const findAssignments = makeFindAssignments(deps);
  const resendAssignment = makeResendAssignment(deps);

  return async function resendInvite(employeeId: string, policyId: string): Promise<string> {
    const ids = await findAssignments(employeeId, policyId);
    const assignmentId = ids[ids.length - 1] as string;
    await resendAssignment(assignmentId, { by: 'operator' }, { who: employeeId });
    return assignmentId;
  };
}

/**
 * Resends one assignment's invite (steps 2 and 3 above), its audit entry carrying `audit` (who
 * asked, and why); a refusal names the person and policy by `named` (their employee id, or the
 * console's name and title; "This person" and the policy id when not given).
 */
export function makeResendAssignment(deps: ResendDeps) {
  return async function resendAssignment(
    assignmentId: string,
    audit: Record<string, string>,
    named: Partial<AskNamed> = {},
  ): Promise<void> {
    const now = deps.clock.now();
    const notSince = new Date(now.getTime() - deps.intervalMs);
    if (await deps.store.requestFreshLink(assignmentId, now, notSince)) {
      await deps.store.appendAudit(assignmentId, 'fresh-link-requested', now, audit);
      await sendHint(deps.mailQueue, { assignmentId, kind: 'invite' }, deps.logger);
      return;
    }
    const assignment = await deps.store.getAssignment(assignmentId);
    const who = named.who ?? 'This person';
    const policy = named.policy ?? assignment?.policyId ?? 'the policy';
    if (assignment?.ack) {
      throw new AttestError('resend.signed', `${who} has signed ${policy} already (${assignmentId}).`);
    }
    if (assignment?.status === 'bounced') {
      throw new AttestError(
        'resend.bounced',
        `${who}'s address bounced (${assignmentId}): HR sends the new one (starter.updated), which invites them again.`,
      );
    }
    if (assignment?.status === 'cancelled') {
      throw new AttestError('resend.withdrawn', `${who}'s ask of ${policy} was withdrawn (${assignmentId}).`);
    }
    throw new AttestError(
      'resend.too_soon',
      `${who} was not sent another invite to ${policy}: a fresh link was asked for within the last ${Math.round(deps.intervalMs / 60_000)} minutes, or another email is owed; try again later (${assignmentId}).`,
    );
  };
}

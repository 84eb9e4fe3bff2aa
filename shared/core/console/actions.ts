// Use cases: what an admin may do from the console — resend an invite, cancel an assignment, replay a delivery, record an agreement on the person's behalf — each recorded in the assignment's audit trail with who did it and why.
import type {
  Assignments,
  AuditTrail,
  Clock,
  Deliveries,
  Logger,
  Policies,
  Queue,
  Starters,
} from '../../ports.ts';
import { makeAcceptOnBehalf } from '../accept-on-behalf.ts';
import { type AskNamed, AttestError, ValidationError } from '../errors.ts';
import { makeReplayDeadLetters } from '../lms-operations.ts';
import type { DeliveryKind } from '../model.ts';
import { makeResendAssignment } from '../resend-invite.ts';
import { hasUnseen, visibleLetters } from '../visible.ts';
import type { ActionName, ConsoleUser } from './views.ts';

export const REASON_MAX = 500;

/** Who acted and why, as an action's audit entry records it: the provider's subject and the email it gave. */
export interface Actor {
  user: ConsoleUser;
  reason: string;
}

export type ConsoleActionStore = Pick<
  Assignments,
  'getAssignment' | 'getAssignments' | 'requestFreshLink' | 'cancelAssignment' | 'recordAcknowledgement'
> &
  Pick<Policies, 'getLatestPolicyVersion' | 'getPolicyVersion'> &
  Pick<Starters, 'getStarter'> &
  Pick<Deliveries, 'deadLetters' | 'getDestination' | 'replayDelivery'> &
  Pick<AuditTrail, 'appendAudit'>;

/**
 * The reason as recorded: a textarea's line breaks become spaces; anything else that cannot be
 * seen (controls, bidi overrides, zero-width characters) refuses it, as does a reason with fewer
 * than three letters or over REASON_MAX characters — an audit entry says plainly why.
 */
export function checkReason(raw: string | undefined): string {
  const reason = (raw ?? '').replace(/\r\n|\r|\n/g, ' ').trim();
  const refuse = (message: string) => new ValidationError('console.reason', [{ field: 'reason', message }]);
  if (!reason) throw refuse('Say why: the reason is recorded in the audit trail.');
  if (hasUnseen(reason)) throw refuse('The reason holds characters that cannot be seen; type it again.');
  if (visibleLetters(reason) < 3) throw refuse('Say why in a few words.');
  if (reason.length > REASON_MAX) throw refuse(`Keep the reason under ${REASON_MAX} characters.`);
  return reason;
}

/** The audit entry's detail of a console action. */
export function auditOf(actor: Actor): Record<string, string> {
  return { by: 'console', subject: actor.user.subject, email: actor.user.email, reason: actor.reason };
}

export function makeConsoleActions(deps: {
  store: ConsoleActionStore;
  mailQueue: Queue;
  clock: Clock;
  logger: Pick<Logger, 'warn'>;
  /** The page's FRESH_LINK_INTERVAL: an admin's resend is held to it as the starter's is. */
  freshLinkIntervalMs: number;
  /** The deployment's destinations (LMS_MODE): only their deliveries can be replayed. */
  deliveries: readonly DeliveryKind[];
}) {
  const { store, clock } = deps;
  const resendAssignment = makeResendAssignment({
    store,
    mailQueue: deps.mailQueue,
    clock,
    logger: deps.logger,
    intervalMs: deps.freshLinkIntervalMs,
  });
  const replayDeadLetters = makeReplayDeadLetters({ store, clock });
  const { acceptAssignment } = makeAcceptOnBehalf({
    store,
    mailQueue: deps.mailQueue,
    clock,
    logger: deps.logger,
    deliveries: deps.deliveries,
    // The console has no LMS queue: the deliveries are due at once, for the sweeper's next run.
    redriveAfterMs: 0,
  });

  /**
   * 1. Resend: a fresh invite owed now to the address on file, by the page's own conditional
   *    write (refused when signed, withdrawn, bounced, owing other work or asked within the interval).
   */
  async function resend(assignmentId: string, actor: Actor, named?: AskNamed): Promise<void> {
    await resendAssignment(assignmentId, auditOf(actor), named);
  }

  /**
   * 2. Cancel: chasing stops and the ask is withdrawn, unless signed (evidence is never undone).
   *    The change comes first and its audit entry after: a crash between leaves the ask
   *    cancelled without the entry, never an entry for a change that did not happen.
   */
  async function cancel(assignmentId: string, actor: Actor, named?: AskNamed): Promise<void> {
    const now = clock.now();
    const assignment = await store.getAssignment(assignmentId);
    if (!assignment) throw new AttestError('assignment.not_found', `No assignment ${assignmentId}.`);
    const { who, policy } = named ?? { who: 'This person', policy: assignment.policyId };
    // Cancelling is idempotent in the table; a second entry would claim a change that was not made.
    if (assignment.status === 'cancelled')
      throw new AttestError('cancel.refused', `${who}'s ask of ${policy} was withdrawn already.`);
    if (assignment.ack || !(await store.cancelAssignment(assignmentId, now))) {
      throw new AttestError(
        'cancel.refused',
        `${who} has signed ${policy} already: an agreement is evidence and cannot be cancelled.`,
      );
    }
    await store.appendAudit(assignmentId, 'cancelled', now, auditOf(actor));
  }

  /** 3. Replay: one dead-lettered delivery owed again now; the sweeper sends it on its next run. */
  async function replay(
    assignmentId: string,
    destination: DeliveryKind,
    actor: Actor,
    named?: AskNamed,
  ): Promise<void> {
    if (!deps.deliveries.includes(destination)) {
      throw new AttestError('lms.not_dead', `This deployment does not deliver to ${destination}.`);
    }
    const outcome = await replayDeadLetters(
      { assignmentId, ...(named && { named }) },
      destination,
      auditOf(actor),
    );
    const disabled = outcome.disabled[0];
    if (disabled) {
      throw new AttestError(
        'lms.disabled',
        `${destination} is disabled (${disabled.reason}): enable it with \`attest lms enable\` first.`,
      );
    }
    if (!outcome.replayed) {
      const whose = named ? `${named.who}'s delivery of ${named.policy} to ${destination}` : 'This delivery';
      throw new AttestError('lms.not_dead', `${whose} is not dead-lettered any more.`);
    }
  }

  /**
   * 4. Accept on behalf: an agreement made offline (paper, assisted) recorded for the person, the
   *    typed reason as its note, the admin (their email) as who recorded it — through the page's own
   *    single write (accept-on-behalf.ts); refused when signed already, withdrawn or not current.
   */
  async function accept(assignmentId: string, actor: Actor, named?: AskNamed): Promise<void> {
    const outcome = await acceptAssignment(assignmentId, {
      note: actor.reason,
      recordedBy: actor.user.email,
      audit: { by: 'console', subject: actor.user.subject, email: actor.user.email },
      ...(named && { named }),
    });
    if (!outcome.recorded) {
      const { who, policy } = named ?? { who: 'This person', policy: outcome.evidence.policyId };
      throw new AttestError(
        'on-behalf.signed',
        `${who} signed ${policy} already, at ${outcome.evidence.acknowledgedAt}: nothing changed.`,
      );
    }
  }

  /**
   * Each action by name, as the console's pages ask for it; `named` is how the page names the
   * person and policy (their name and the policy's title), so that a refusal says them, not an id.
   */
  const run: Record<
    ActionName,
    (assignmentId: string, actor: Actor, destination?: DeliveryKind, named?: AskNamed) => Promise<void>
  > = {
    resend: (id, actor, _, named) => resend(id, actor, named),
    cancel: (id, actor, _, named) => cancel(id, actor, named),
    accept: (id, actor, _, named) => accept(id, actor, named),
    replay: (id, actor, destination, named) => {
      if (!destination)
        throw new ValidationError('console.destination', [
          { field: 'destination', message: 'Name the destination.' },
        ]);
      return replay(id, destination, actor, named);
    },
  };
  return { resend, cancel, replay, accept, run };
}

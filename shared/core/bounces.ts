// Use case: SES reports a bounce or complaint (configuration set → SNS → ses-events): stop chasing that address and tell the manager.
import type { Assignments, AuditTrail, Clock, Logger, MailWork, Queue, Starters } from '../ports.ts';
import { sendHint } from './hint.ts';
import * as z from './zod.ts';

/** The parts of an SES event (configuration-set event publishing, or identity notifications) attest reads. */
const sesEventSchema = z
  .object({
    eventType: z.optional(z.string()),
    notificationType: z.optional(z.string()),
    mail: z.object({
      messageId: z.string(),
      timestamp: z.optional(z.string()),
      tags: z.optional(z.record(z.string(), z.array(z.string()))),
      headers: z.optional(z.array(z.object({ name: z.string(), value: z.string() }))),
    }),
    bounce: z.optional(
      z.object({
        bounceType: z.string(),
        bouncedRecipients: z._default(z.array(z.object({ emailAddress: z.string() })), []),
        timestamp: z.optional(z.string()),
      }),
    ),
    complaint: z.optional(
      z.object({
        complainedRecipients: z._default(z.array(z.object({ emailAddress: z.string() })), []),
        timestamp: z.optional(z.string()),
      }),
    ),
  })
  .check(
    z.refine((e) => e.eventType ?? e.notificationType, { message: 'neither eventType nor notificationType' }),
  );

export type SesEvent = z.infer<typeof sesEventSchema>;

/** SES's events note what was sent and stop chasing an address that refuses mail. */
export type BounceStore = Pick<MailWork, 'recordSentAttempt'> &
  Pick<Assignments, 'getAssignment' | 'markBounced'> &
  Pick<Starters, 'getStarter'> &
  Pick<AuditTrail, 'appendAudit'>;

export interface BounceDeps {
  store: BounceStore;
  mailQueue: Queue;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn'>;
}

export type BounceOutcome = 'stopped' | 'already' | 'ignored';

/** Emails whose bounce means the starter cannot be reached; a manager's digest bouncing is another matter. */
const CHASE_KINDS = new Set(['invite', 'reminder']);

/** A tag SES echoes back, or (for identity notifications) the header the mailer set. */
function tag(event: SesEvent, name: string, header: string): string | undefined {
  return (
    event.mail.tags?.[name]?.[0] ?? event.mail.headers?.find((h) => h.name.toLowerCase() === header)?.value
  );
}

/** An attempt id as the mailer makes them (a token id: base64url); nothing else becomes a key. */
const ID = /^[A-Za-z0-9_-]{1,64}$/;
/** SES events that say an email left SES: its message id is then the attempt's. */
const SENT_TYPES = new Set(['Send', 'Delivery', 'Bounce', 'Complaint', 'DeliveryDelay']);

export function makeHandleSesEvent(deps: BounceDeps) {
  const { store, clock, logger } = deps;

  /**
   * Any event of an email sent under an attempt (its `attempt` tag) tells which message id that
   * attempt became: should the mailer have crashed before recording the send, its retry records
   * that email rather than sending another, and the evidence of a signature from its link names it.
   */
  async function noteSentAttempt(event: SesEvent, type: string): Promise<void> {
    const assignmentId = tag(event, 'assignment', 'x-attest-assignment');
    const attemptId = tag(event, 'attempt', 'x-attest-attempt');
    if (!assignmentId || !attemptId || !SENT_TYPES.has(type) || !ID.test(attemptId)) return;
    const stamp = Date.parse(event.mail.timestamp ?? '');
    const at = Number.isNaN(stamp) ? clock.now() : new Date(stamp);
    await store.recordSentAttempt(assignmentId, attemptId, event.mail.messageId, at);
  }

  /**
   * Handles one SES event.
   * 0. An event of an email sent under an attempt notes the attempt's message id (any kind).
   * 1. Only a permanent bounce or a complaint, about an invite or reminder attest sent (its
   *    `assignment` and `kind` tags), stops anything; transient bounces, deliveries and other
   *    mail are logged and left.
   * 2. One conditional write marks the assignment bounced and stops its chase, unless it was
   *    signed, withdrawn or marked already; with a manager on file it owes them a notice.
   * 3. The notice is enqueued; if that fails the sweeper re-drives it from the table.
   * Malformed events throw (SNS retries, then the function's dead letters keep them).
   */
  return async function handleSesEvent(raw: unknown): Promise<BounceOutcome> {
    const event = sesEventSchema.parse(raw);
    const type = (event.eventType ?? event.notificationType) as string;
    await noteSentAttempt(event, type);
    const permanent = type === 'Bounce' && event.bounce?.bounceType === 'Permanent';
    const complaint = type === 'Complaint';
    const assignmentId = tag(event, 'assignment', 'x-attest-assignment');
    const kind = tag(event, 'kind', 'x-attest-kind');
    if (!(permanent || complaint) || !assignmentId || !kind || !CHASE_KINDS.has(kind)) {
      logger.info('SES event left alone', { type, bounceType: event.bounce?.bounceType, kind });
      return 'ignored';
    }
    const assignment = await store.getAssignment(assignmentId);
    if (!assignment) {
      logger.warn('SES event for an unknown assignment', { type });
      return 'ignored';
    }
    const starter = await store.getStarter(assignment.starterId);
    const now = clock.now();
    const recipients = permanent ? event.bounce?.bouncedRecipients : event.complaint?.complainedRecipients;
    const recipient = recipients?.[0]?.emailAddress;
    // An address HR has since replaced: a late or redelivered event about it must not stop the new chase.
    if (recipient && starter && recipient.toLowerCase() !== starter.email.toLowerCase()) {
      logger.info('SES event for an address no longer on file', { type });
      return 'ignored';
    }
    const bounce = {
      reason: permanent ? ('bounced' as const) : ('complained' as const),
      email: recipient ?? starter?.email ?? '',
      at: (permanent ? event.bounce?.timestamp : event.complaint?.timestamp) ?? now.toISOString(),
    };
    const noticeDueAt = starter?.manager ? now : undefined;
    if (!(await store.markBounced(assignmentId, bounce, noticeDueAt))) return 'already';
    await store.appendAudit(assignmentId, bounce.reason, now, { messageId: event.mail.messageId });
    if (noticeDueAt) await sendHint(deps.mailQueue, { assignmentId, kind: 'bounce-notice' }, logger);
    logger.info('chasing stopped', { assignmentId, reason: bounce.reason });
    return 'stopped';
  };
}

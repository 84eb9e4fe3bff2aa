// The escalation: a starter's chase ran out, so they join their manager's digest of the day (or, with no manager on file, are simply overdue).
import type { AuditTrail, Digests, Logger, MailWork } from '../ports.ts';
import { isoDay, nextDay, startOfLocalDay } from './dates.ts';
import { addCalendar } from './duration.ts';
import type { Assignment, DigestKey, Starter } from './model.ts';
import type { RetentionSettings } from './privacy/retention.ts';
import { type ChasePlan, nextOpening } from './schedule.ts';

export interface EscalationDeps {
  store: Pick<Digests, 'joinDigest'> & Pick<MailWork, 'escalate'> & Pick<AuditTrail, 'appendAudit'>;
  logger: Pick<Logger, 'info'>;
  /** The chase for a policy: its send window places the digest. */
  planFor: (policyId: string) => ChasePlan;
  /** How long a manager's digest collects escalations before it is sent. */
  digestDelayMs: number;
  /** RETAIN_EVIDENCE: a digest is deleted this long after its day (its members' chase is on record that long). */
  retention: Pick<RetentionSettings, 'evidence'>;
}

/**
 * The escalation: join the manager's digest of the day and stop chasing (the assignment is
 * overdue). Every member owes the digest email, after `digestDelayMs`, in the window: whichever
 * member's step comes first sends it, so it goes even if some members sign or leave meanwhile.
 */
export async function escalateToDigest(
  deps: EscalationDeps,
  assignment: Assignment,
  starter: Starter,
  now: Date,
): Promise<'escalated'> {
  const { store, logger } = deps;
  const manager = starter.manager;
  if (!manager) {
    await store.escalate(assignment.assignmentId, { at: now });
    await store.appendAudit(assignment.assignmentId, 'overdue', now, { manager: 'none on file' });
    return 'escalated';
  }
  let key: DigestKey = { managerEmail: manager.email.toLowerCase(), day: isoDay(now, starter.timeZone) };
  for (let i = 0; i < 7; i++) {
    const dayStart = startOfLocalDay(key.day, starter.timeZone).getTime();
    const expiresAt = addCalendar(new Date(dayStart), deps.retention.evidence);
    const joined = await store.joinDigest(key, manager.name, assignment.assignmentId, expiresAt);
    if (joined !== 'closed') {
      const plan = deps.planFor(assignment.policyId);
      // Today's digest goes after the delay; a later day's not before that day begins.
      const earliest = new Date(Math.max(now.getTime() + deps.digestDelayMs, dayStart));
      const digestDueAt = nextOpening(earliest, plan.window, starter.timeZone);
      await store.escalate(assignment.assignmentId, { at: now, digest: key, digestDueAt });
      await store.appendAudit(assignment.assignmentId, 'escalated', now, { day: key.day });
      logger.info('escalated to the manager’s digest', {
        assignmentId: assignment.assignmentId,
        owner: joined === 'owner',
      });
      return 'escalated';
    }
    // That day's digest has gone: join the next day's.
    key = { ...key, day: nextDay(key.day) };
  }
  throw new Error('no open digest in a week of days');
}

// Re-attestation and due dates: when an agreement is old enough to be asked again, the renewal step that asks, and a request's sign-by date.
import type { Assignments, AuditTrail, DueWork, Logger, MailWork, Policies } from '../ports.ts';
import { startOfLocalDay } from './dates.ts';
import { addCalendar, type CalendarDuration, parseCalendarDuration } from './duration.ts';
import { ConfigError } from './errors.ts';
import { assignmentIdsFor, renewalIdFor } from './ids.ts';
import { type Assignment, isUnsigned, type PolicyText, type Starter } from './model.ts';
import { type ChasePlan, nextOpening } from './schedule.ts';
import { inZone, plus } from './wall-clock.ts';

/** A policy's lifecycle periods: how old an agreement may grow, and how long a person has to sign. */
export interface Lifecycle {
  reattest?: CalendarDuration;
  due?: CalendarDuration;
}

/**
 * The lifecycle of each policy: its front matter's `reattest:` over the deployment's
 * REATTEST_EVERY (none by default), and its `due:` (no deployment default: without it the chase's
 * ESCALATION_OFFSET decides when a request is overdue, as before).
 */
export function lifecycles(
  policies: ReadonlyMap<string, Pick<PolicyText, 'reattest' | 'due'>>,
  reattestEvery?: CalendarDuration,
): (policyId: string) => Lifecycle {
  const read = (id: string, field: 'reattest' | 'due', text: string | undefined) => {
    if (text === undefined) return undefined;
    try {
      return parseCalendarDuration(text);
    } catch (error) {
      throw new ConfigError(`invalid configuration: ${id}: ${field}: ${(error as Error).message}`);
    }
  };
  const known = new Map(
    [...policies].map(([id, policy]): [string, Lifecycle] => {
      const reattest = read(id, 'reattest', policy.reattest) ?? reattestEvery;
      const due = read(id, 'due', policy.due);
      return [id, { ...(reattest && { reattest }), ...(due && { due }) }];
    }),
  );
  const fallback: Lifecycle = reattestEvery ? { reattest: reattestEvery } : {};
  return (policyId) => known.get(policyId) ?? fallback;
}

/**
 * The sign-by date of a request first invited at `invitedAt`: the start date (its first moment in
 * the starter's time zone) plus `due`, or — when the invite came after the start date had begun —
 * the invite plus `due`. Counted in the starter's zone, so P14D is the same local time a fortnight on.
 */
export function signByFor(
  starter: Pick<Starter, 'startDate' | 'timeZone'>,
  invitedAt: Date,
  due: CalendarDuration,
): Date {
  const start = startOfLocalDay(starter.startDate, starter.timeZone);
  const from = invitedAt.getTime() > start.getTime() ? invitedAt : start;
  return new Date(plus(inZone(from.getTime(), starter.timeZone), due.parts, starter.timeZone).ts);
}

/** When an agreement falls due to be renewed: its time plus the period; undefined when unsigned or no period. */
export function renewsAt(assignment: Assignment, reattest: CalendarDuration | undefined): Date | undefined {
  const at = assignment.ack?.acknowledgedAt;
  return at && reattest ? addCalendar(new Date(at), reattest) : undefined;
}

/**
 * Whether an unsigned request is overdue at `now`: escalated (the manager told), or past its
 * sign-by date (told of by the escalation at the next opening of the send window).
 */
export function isOverdue(assignment: Assignment, now: Date): boolean {
  if (!isUnsigned(assignment.status)) return false;
  return (
    assignment.status === 'overdue' ||
    (assignment.signBy !== undefined && Date.parse(assignment.signBy) <= now.getTime())
  );
}

/**
 * Where a request stands in re-attestation, for the report and the console (README: "Renewal"):
 * - `due for renewal`: an agreement at least `reattest` old that is the person's current one (no
 *   newer ask or agreement), not yet renewed; or the renewal request itself, unsigned and not overdue.
 * - `lapsed`: the renewal request is overdue (escalated, or past its sign-by date) and still unsigned.
 * - empty: neither (no period, not old enough, renewed, or not a renewal).
 * `current`: whether `assignment` is the person's newest request of the policy.
 */
export type RenewalState = 'due for renewal' | 'lapsed' | '';

export function renewalStateOf(
  assignment: Assignment,
  now: Date,
  reattest: CalendarDuration | undefined,
  current: boolean,
): RenewalState {
  if (assignment.reason === 'reattest' && isUnsigned(assignment.status)) {
    return isOverdue(assignment, now) ? 'lapsed' : 'due for renewal';
  }
  const due = renewsAt(assignment, reattest);
  return current && due && due.getTime() <= now.getTime() ? 'due for renewal' : '';
}

/** How many renewals of one agreement are followed, at most: a lifetime of yearly ones and more. */
const MAX_RENEWALS = 100;

/**
 * `ids` with every renewal of them that exists: each renewal's id is derived from the request it
 * renews (`renewalIdFor`), so the chain is followed one batch read per link until none is found.
 * Whatever enumerates a person's requests (cancellation, erasure, export, retention, evidence,
 * the console, the report's reads by person) goes through here, so renewals are never missed.
 */
export async function withRenewals(
  store: Pick<Assignments, 'getAssignments'>,
  ids: readonly string[],
): Promise<string[]> {
  const all = [...ids];
  let level = [...ids];
  for (let depth = 0; level.length && depth < MAX_RENEWALS; depth++) {
    const next = level.map(renewalIdFor);
    const found = await store.getAssignments(next);
    level = next.filter((id) => found.has(id));
    all.push(...level);
  }
  return all;
}

/** Every request an employee can have of a policy whose newest version is `latestVersion`, renewals included. */
export async function everyAskOf(
  store: Pick<Assignments, 'getAssignments'>,
  employeeId: string,
  policyId: string,
  latestVersion: number,
): Promise<string[]> {
  return withRenewals(store, assignmentIdsFor(employeeId, policyId, latestVersion));
}

export type RenewalStore = Pick<Assignments, 'createAssignment' | 'getAssignments'> &
  Pick<Policies, 'getLatestPolicyVersion'> &
  Pick<MailWork, 'finishStep'> &
  Pick<DueWork, 'releaseWork' | 'deferDue'> &
  Pick<AuditTrail, 'appendAudit'>;

export interface RenewalDeps {
  store: RenewalStore;
  logger: Pick<Logger, 'info'>;
  lifecycleFor: (policyId: string) => Lifecycle;
  /** The chase for a policy: its send window places the new invite. */
  planFor: (policyId: string) => ChasePlan;
}

export type RenewalOutcome = 'renewed' | 'not-needed' | 'deferred';

/**
 * The renewal step, run by the holder of the mail lane's lease on a signed request (owed since its
 * receipt went, at the agreement's time plus the period then in force).
 * 1. Nothing for a starter who left, or whose data (or this request's) was erased, nor when the
 *    policy has no period any more: the step is finished, saying why.
 * 2. A period lengthened since: the step is moved to the agreement's time plus the new period.
 * 3. Nothing when the person has a newer agreement, or a request still unsigned (a newer version
 *    asked by `policy publish --reacknowledge`, or this renewal already made): one ask at a time.
 * 4. Otherwise the renewal request is created, for the policy's current version, its invite owed
 *    at the send window's next opening (the sweeper dispatches it), chased like any other. Its id
 *    is derived from this request's (`renewalIdFor`) and the create is conditional, so a step run
 *    again after a crash — between the create, the audit entries (written at the new request's
 *    creation time, so a repeat is stored once) and finishing the step — makes nothing twice.
 *    The earlier agreement is not touched.
 */
export async function renewAgreement(
  deps: RenewalDeps,
  assignment: Assignment,
  starter: Starter,
  now: Date,
): Promise<RenewalOutcome> {
  const { store } = deps;
  const { assignmentId, policyId } = assignment;
  const notNeeded = async (why: string): Promise<RenewalOutcome> => {
    await store.finishStep(assignmentId, 'renewal');
    await store.appendAudit(assignmentId, 'renewal-not-needed', now, { why });
    return 'not-needed';
  };
  const evidence = assignment.ack;
  if (!evidence) return notNeeded('not signed');
  if (starter.erased || assignment.erasedAt) return notNeeded('erased');
  if (starter.status === 'cancelled') return notNeeded('the starter left');
  const period = deps.lifecycleFor(policyId).reattest;
  if (!period) return notNeeded('the policy is not re-attested');
  const due = renewsAt(assignment, period) as Date;
  if (due.getTime() > now.getTime() && assignment.dueAt) {
    // A longer period now: wait for it (the lease is given back, then the due time moved).
    await store.releaseWork(assignmentId, 'renewal');
    await store.deferDue(assignmentId, 'renewal', assignment.dueAt, due);
    return 'deferred';
  }
  const latest = await store.getLatestPolicyVersion(policyId);
  if (!latest) return notNeeded('the policy is not published');
  const renewalId = renewalIdFor(assignmentId);
  const ids = await everyAskOf(store, starter.employeeId, policyId, latest.version);
  const asks = await store.getAssignments(ids);
  if (!asks.has(renewalId)) {
    for (const other of asks.values()) {
      if (other.assignmentId === assignmentId) continue;
      const at = other.ack?.acknowledgedAt;
      if (at && at > evidence.acknowledgedAt) return notNeeded('a newer agreement');
      if (isUnsigned(other.status)) return notNeeded('a request is still unsigned');
    }
  }
  const plan = deps.planFor(policyId);
  const renewal = await store.createAssignment({
    assignmentId: renewalId,
    starterId: starter.starterId,
    policyId,
    policyVersion: latest.version,
    policySha256: latest.sha256,
    reason: 'reattest',
    renews: assignmentId,
    status: 'pending',
    createdAt: now.toISOString(),
    timeZone: starter.timeZone,
    dueAt: nextOpening(now, plan.window, starter.timeZone).toISOString(),
    dueKind: 'invite',
    sends: [],
  });
  const createdAt = new Date(renewal.createdAt);
  await store.appendAudit(renewalId, 'reattest-requested', createdAt, {
    previousAssignmentId: assignmentId,
    previousVersion: String(evidence.policyVersion),
  });
  await store.appendAudit(assignmentId, 'renewal-requested', createdAt, { by: renewalId });
  await store.finishStep(assignmentId, 'renewal');
  deps.logger.info('agreement renewal requested', { assignmentId, renewalId, version: latest.version });
  return 'renewed';
}

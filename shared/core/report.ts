// Use case: "who has not signed?" — a policy's assignments counted by status, listed, and exported with the evidence of each agreement.
import type { Assignments, Clock, Policies, PolicyAssignment, PolicyIndex, Starters } from '../ports.ts';
import { NotFoundError } from './errors.ts';
import { type Lifecycle, type RenewalState, renewalStateOf, renewsAt } from './lifecycle.ts';
import {
  type AckMethod,
  ASSIGNMENT_STATUSES,
  type Assignment,
  type AssignmentStatus,
  DELIVERY_KINDS,
  type Delivery,
  type DeliveryKind,
  isNewerAsk,
  isUnsigned,
  methodOf,
  type PolicyVersion,
  type Starter,
  UNSIGNED_STATUSES,
} from './model.ts';

export { ASSIGNMENT_STATUSES, UNSIGNED_STATUSES };

/**
 * Which assignments a report lists: each person's current ask (their newest version's) that is
 * unsigned (the default) or of one status; or `all`, every ask ever made, earlier versions too.
 */
export type ReportFilter = 'unsigned' | 'all' | AssignmentStatus;
export const REPORT_FILTERS: readonly ReportFilter[] = ['unsigned', 'all', ...ASSIGNMENT_STATUSES];

export interface ReportOptions {
  filter: ReportFilter;
  /** Assigned at or after. */
  since?: Date;
  /** Assigned before. */
  until?: Date;
}

/** One assignment, flat: who, which version, where it stands, and the evidence once signed. */
/** Each destination's delivery, by its name: delivered, pending or dead; empty when not owed. */
type DeliveryStates = { [K in DeliveryKind]: string };

export interface ReportRow extends DeliveryStates {
  assignmentId: string;
  employeeId: string;
  givenName: string;
  familyName: string;
  email: string;
  department: string;
  managerName: string;
  managerEmail: string;
  startDate: string;
  policyId: string;
  policyVersion: number;
  reason: NonNullable<Assignment['reason']>;
  status: AssignmentStatus;
  assignedAt: string;
  invitedAt: string;
  remindersSent: number;
  /** Whole days since the invite (or, not yet invited, the assignment) while unsigned; null otherwise. */
  daysWaiting: number | null;
  bounce: string;
  bouncedAt: string;
  acknowledgedAt: string;
  typedName: string;
  evidenceId: string;
  policySha256: string;
  ipAddress: string;
  userAgent: string;
  tokenId: string;
  emailMessageId: string;
  /** For an ask withdrawn because a newer version is asked instead: that version. */
  supersededByVersion: number | null;
  /** How it was signed: `link`, or `on-behalf` (recorded for the person); empty while unsigned. */
  method: AckMethod | '';
  /** On behalf: who recorded the agreement, and their note of how it was made; empty otherwise. */
  recordedBy: string;
  note: string;
  /** The latest decline's time and reason (the person said they do not agree); empty when none. */
  declinedAt: string;
  declineReason: string;
  /** The sign-by date (the policy's `due:`), fixed at the first invite; empty without one. */
  signBy: string;
  /** When a signed agreement falls due for renewal (the policy's `reattest:` period); empty without one. */
  renewsAt: string;
  /** `due for renewal` or `lapsed` (lifecycle.ts `renewalStateOf`, README "Renewal"); empty otherwise. */
  renewal: RenewalState;
}

export interface ReportSummary {
  policy: Pick<PolicyVersion, 'policyId' | 'version' | 'title'>;
  /** People asked, each counted once, by their current ask. */
  total: number;
  byStatus: Record<AssignmentStatus, number>;
  signed: number;
  unsigned: number;
  /** The rows listed. */
  listed: number;
  /** Of the rows listed: those due for renewal, and those lapsed (README "Renewal"). */
  dueForRenewal: number;
  lapsed: number;
}

/** The report reads a policy's index, then in batches the asks it lists and their starters. */
export type ReportStore = Pick<Policies, 'getLatestPolicyVersion'> &
  Pick<PolicyIndex, 'assignmentsOf'> &
  Pick<Assignments, 'getAssignments'> &
  Pick<Starters, 'getStarters'>;

const DAY_MS = 86_400_000;
/** How many listed asks are read from the table at a time (BatchGetItem's limit). */
const ROWS_AT_ONCE = 100;

export function makeReport(deps: {
  store: ReportStore;
  clock: Clock;
  /** Each policy's `reattest:` and `due:` (REATTEST_EVERY the default); none: no renewal states. */
  lifecycleFor?: (policyId: string) => Lifecycle;
}) {
  const { store, clock } = deps;

  /**
   * 1. Reads the policy's asks from its index (ids, version and status only): each person's
   *    current ask is their newest version's — one signed before a re-acknowledgement, or an ask
   *    withdrawn for a newer version, is history — and the counts are of people, by that ask.
   * 2. Reads the asks listed from the table, a hundred at a time with their starters, oldest
   *    first, handing each batch's rows to `onRows`, so an export streams whatever its size.
   */
  async function run(
    policyId: string,
    options: ReportOptions,
    onRows: (rows: ReportRow[]) => void | Promise<void>,
  ): Promise<ReportSummary> {
    const policy = await store.getLatestPolicyVersion(policyId);
    if (!policy) throw new NotFoundError('policy.not_found', `No policy ${policyId} has been published.`);
    const now = clock.now();
    const range = {
      ...(options.since && { since: options.since }),
      ...(options.until && { until: options.until }),
    };
    const current = new Map<string, PolicyAssignment>();
    const every: PolicyAssignment[] = [];
    for await (const page of store.assignmentsOf(policyId, range)) {
      for (const ask of page) {
        const newest = current.get(ask.starterId);
        if (isNewerAsk(ask, newest)) current.set(ask.starterId, ask);
        if (options.filter === 'all') every.push(ask);
      }
    }
    const byStatus = Object.fromEntries(ASSIGNMENT_STATUSES.map((s) => [s, 0])) as ReportSummary['byStatus'];
    for (const ask of current.values()) byStatus[ask.status]++;

    // Oldest first; an ask moved to a newer version keeps the first ask's time, so after it.
    const listed = (
      options.filter === 'all'
        ? every
        : [...current.values()].filter((ask) => matches(ask.status, options.filter))
    ).sort((x, y) => x.createdAt.localeCompare(y.createdAt) || x.policyVersion - y.policyVersion);
    let count = 0;
    let dueForRenewal = 0;
    let lapsed = 0;
    const lifecycle = deps.lifecycleFor?.(policyId) ?? {};
    for (let i = 0; i < listed.length; i += ROWS_AT_ONCE) {
      const batch = listed.slice(i, i + ROWS_AT_ONCE);
      const [assignments, starters] = await Promise.all([
        store.getAssignments(batch.map((a) => a.assignmentId)),
        store.getStarters(batch.map((a) => a.starterId)),
      ]);
      // The index follows the table within a second or so: a row is listed as the table has it
      // now, so one signed since the index was read is not listed as unsigned.
      const rows = batch.flatMap((ref) => {
        const a = assignments.get(ref.assignmentId);
        if (!a || !matches(a.status, options.filter)) return [];
        const isCurrent = current.get(a.starterId)?.assignmentId === a.assignmentId;
        return [rowOf(a, starters.get(a.starterId), now, { ...lifecycle, current: isCurrent })];
      });
      if (!rows.length) continue;
      dueForRenewal += rows.filter((r) => r.renewal === 'due for renewal').length;
      lapsed += rows.filter((r) => r.renewal === 'lapsed').length;
      count += rows.length;
      await onRows(rows);
    }
    return {
      policy: { policyId: policy.policyId, version: policy.version, title: policy.title },
      total: current.size,
      byStatus,
      signed: byStatus.acknowledged,
      unsigned: UNSIGNED_STATUSES.reduce((sum, s) => sum + byStatus[s], 0),
      listed: count,
      dueForRenewal,
      lapsed,
    };
  }

  return { run };
}

function matches(status: AssignmentStatus, filter: ReportFilter): boolean {
  if (filter === 'all') return true;
  if (filter === 'unsigned') return isUnsigned(status);
  return status === filter;
}

function deliveryOf(delivery: Delivery | undefined): string {
  return delivery?.state ?? '';
}

/**
 * One assignment as a row, its starter's details beside it; `now` counts the days waited and
 * decides the renewal state, given the policy's `reattest` period and whether `a` is the person's
 * current ask.
 */
export function rowOf(
  a: Assignment,
  starter: Starter | undefined,
  now: Date,
  renewal: Pick<Lifecycle, 'reattest'> & { current?: boolean } = {},
): ReportRow {
  const ack = a.ack;
  const waitingSince = a.chase?.invitedAt ?? a.createdAt;
  const unsigned = isUnsigned(a.status);
  return {
    assignmentId: a.assignmentId,
    employeeId: starter?.employeeId ?? '',
    givenName: starter?.givenName ?? '',
    familyName: starter?.familyName ?? '',
    email: starter?.email ?? '',
    department: starter?.department ?? '',
    managerName: starter?.manager?.name ?? '',
    managerEmail: starter?.manager?.email ?? '',
    startDate: starter?.startDate ?? '',
    policyId: a.policyId,
    policyVersion: a.policyVersion,
    reason: a.reason ?? 'starter',
    status: a.status,
    assignedAt: a.createdAt,
    invitedAt: a.chase?.invitedAt ?? '',
    remindersSent: a.chase?.remindersSent ?? 0,
    daysWaiting: unsigned
      ? Math.max(0, Math.floor((now.getTime() - Date.parse(waitingSince)) / DAY_MS))
      : null,
    bounce: a.bounce?.reason ?? '',
    bouncedAt: a.bounce?.at ?? '',
    acknowledgedAt: ack?.acknowledgedAt ?? '',
    typedName: ack?.typedName ?? '',
    evidenceId: ack?.evidenceId ?? '',
    policySha256: ack?.policySha256 ?? a.policySha256,
    ipAddress: ack?.ipAddress ?? '',
    userAgent: ack?.userAgent ?? '',
    tokenId: ack?.tokenId ?? '',
    emailMessageId: ack?.messageId ?? '',
    ...(Object.fromEntries(DELIVERY_KINDS.map((kind) => [kind, deliveryOf(a[kind])])) as DeliveryStates),
    supersededByVersion: a.supersededBy?.version ?? null,
    method: ack ? methodOf(ack) : '',
    recordedBy: ack?.method === 'on-behalf' ? ack.recordedBy : '',
    note: ack?.method === 'on-behalf' ? ack.note : '',
    declinedAt: a.declines?.at(-1)?.declinedAt ?? '',
    declineReason: a.declines?.at(-1)?.reason ?? '',
    signBy: a.signBy ?? '',
    renewsAt: renewsAt(a, renewal.reattest)?.toISOString() ?? '',
    renewal: renewalStateOf(a, now, renewal.reattest, renewal.current ?? true),
  };
}

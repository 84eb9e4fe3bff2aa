// Use case: retention — reduce an agreement's IP address and browser after RETAIN_AUDIT_IP, and expire a leaver's requests after RETAIN_UNSIGNED_AFTER_LEAVING or RETAIN_EVIDENCE.
import { isIPv4, isIPv6 } from 'node:net';
import type {
  Assignments,
  Clock,
  Logger,
  Metrics,
  Policies,
  RetainItem,
  Retention,
  Starters,
} from '../../ports.ts';
import { addCalendar, type CalendarDuration, parseCalendarDuration } from '../duration.ts';
import { everyAskOf } from '../lifecycle.ts';
import { type Assignment, DELIVERY_KINDS, type Starter } from '../model.ts';

/** The retention settings, as PRIVACY.md and the README describe them. */
export interface RetentionSettings {
  /** RETAIN_UNSIGNED_AFTER_LEAVING: a request never signed, from the day its starter left. */
  unsignedAfterLeaving: CalendarDuration;
  /** RETAIN_EVIDENCE: evidence, from the leaving or its version's supersession, whichever is later. */
  evidence: CalendarDuration;
  /** RETAIN_AUDIT_IP: an agreement's (or a decline's) IP address and browser, from its time. */
  auditIp: CalendarDuration;
}

/** The settings' defaults: what the functions read when unset, and what the stack passes. */
export const RETENTION_DEFAULTS = {
  RETAIN_UNSIGNED_AFTER_LEAVING: 'P1Y',
  RETAIN_EVIDENCE: 'P6Y',
  RETAIN_AUDIT_IP: 'P1Y',
} as const;

/** The settings at their defaults: for callers with no environment of their own to read (the CLI's tests). */
export function defaultRetention(): RetentionSettings {
  return {
    unsignedAfterLeaving: parseCalendarDuration(RETENTION_DEFAULTS.RETAIN_UNSIGNED_AFTER_LEAVING),
    evidence: parseCalendarDuration(RETENTION_DEFAULTS.RETAIN_EVIDENCE),
    auditIp: parseCalendarDuration(RETENTION_DEFAULTS.RETAIN_AUDIT_IP),
  };
}

const DAY_MS = 86_400_000;
/** How long expiry waits while work is still owed on the request (an email, an LMS delivery, a dead letter). */
export const HELD_FOR_WORK_MS = DAY_MS;
/** How long expiry waits while the version signed is still the policy's newest (nothing supersedes it yet). */
export const HELD_WHILE_CURRENT_MS = 30 * DAY_MS;

/** When the IP address and browser of an agreement made at `acknowledgedAt` are reduced. */
export function reduceIpAt(acknowledgedAt: Date, settings: Pick<RetentionSettings, 'auditIp'>): Date {
  return addCalendar(acknowledgedAt, settings.auditIp);
}

/**
 * A leaving the CLI notes (`attest starter cancel`, `attest privacy erase`) is looked at by the
 * next sweep, a second after it, which counts from the leaving with the deployment's own settings
 * (the CLI's environment may not hold them; an expiry it computed later than the deployment's
 * would keep the data too long).
 */
export const LOOK_AT_ONCE: Pick<RetentionSettings, 'unsignedAfterLeaving' | 'evidence'> = {
  unsignedAfterLeaving: parseCalendarDuration('PT1S'),
  evidence: parseCalendarDuration('PT1S'),
};

/**
 * When a leaver's request is first looked at for expiry: a signed one after RETAIN_EVIDENCE (the
 * sweep then waits for its version to be superseded, if it is not yet), else after
 * RETAIN_UNSIGNED_AFTER_LEAVING.
 */
export function expiryAfterLeaving(
  assignment: Pick<Assignment, 'ack'>,
  leftAt: Date,
  settings: Pick<RetentionSettings, 'unsignedAfterLeaving' | 'evidence'>,
): Date {
  return addCalendar(leftAt, assignment.ack ? settings.evidence : settings.unsignedAfterLeaving);
}

/**
 * An IP address reduced to its network: IPv4 to its /24 (`203.0.113.0/24`), IPv6 to its /48
 * (`2001:db8:85a3::/48`; an IPv4-mapped one as IPv4). Enough to say which organisation's network
 * a signature came from, not which device. Anything else is not kept: `unknown`.
 */
export function reduceIpAddress(address: string): string {
  const text = address.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text)?.[1];
  const v4 = mapped ?? text;
  if (isIPv4(v4)) return `${v4.split('.').slice(0, 3).join('.')}.0/24`;
  // A zone (`fe80::1%eth0`) names an interface of the server's, not part of the address.
  const v6 = text.split('%')[0] as string;
  if (!isIPv6(v6)) return 'unknown';
  const groups = expandIPv6(v6).slice(0, 3);
  return `${groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/48`;
}

/** The eight 16-bit groups of an IPv6 address, in hex (a trailing dotted IPv4 part as two groups). */
function expandIPv6(address: string): string[] {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted) {
    const [a, b, c, d] = dotted.split('.').map(Number) as [number, number, number, number];
    text = text.replace(dotted, `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`);
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right];
}

/** Browser families, most specific first: many browsers' user agents also name Chrome and Safari. */
const BROWSERS: ReadonlyArray<[RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOpera\b/, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\bChrome\/|\bCriOS\/|\bChromium\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\/|\bMobile\/\w+ Safari|AppleWebKit.*Mobile\//, 'Safari'],
  [/\bMSIE |\bTrident\//, 'Internet Explorer'],
];

/** Systems, most specific first: Android's user agents say Linux, iPads' may say Macintosh. */
const SYSTEMS: ReadonlyArray<[RegExp, string]> = [
  [/\bWindows\b/, 'Windows'],
  [/\bAndroid\b/, 'Android'],
  [/\biPhone\b|\biPad\b|\biPod\b/, 'iOS'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bMacintosh\b|\bMac OS X\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

/**
 * A user agent reduced to its browser's family and system (`Chrome on Windows`): no version, no
 * device model, nothing that tells one person's browser from many others'. A small parser of our
 * own rather than a dependency (the best-known one, ua-parser-js, is AGPL from version 2).
 */
export function reduceUserAgent(userAgent: string): string {
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1] ?? 'another browser';
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1] ?? 'another system';
  return `${browser} on ${system}`;
}

/**
 * Retention reads what is due from its index, the assignment whole, the policy version after the
 * one signed (whether it is superseded), and a leaver's profile and other requests.
 */
export type RetentionStore = Retention &
  Pick<Assignments, 'getAssignment' | 'getAssignments'> &
  Pick<Starters, 'getStarter'> &
  Pick<Policies, 'getPolicyVersion' | 'getLatestPolicyVersion'>;

export interface RetentionDeps {
  store: RetentionStore;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Counts each step taken (`retention`, by `step`: reduce-ip, expire, starter, held). */
  metrics: Metrics;
  settings: RetentionSettings;
  /** Steps read per sweep, at most: the rest wait for the next sweep. */
  pageSize?: number;
}

export interface RetentionResult {
  read: number;
  reduced: number;
  expired: number;
  /** Steps moved later: expiry held by owed work or a current version, or not yet due on a recount. */
  moved: number;
}

/** Whether every one of a leaver's requests is expiring (its TTL set, no step owed): true of none. */
export function allExpiring(assignments: Iterable<Assignment>): boolean {
  return [...assignments].every((a) => a.expiresAt !== undefined && !a.retainStep);
}

/** Whether an assignment still owes work: an email, or an LMS delivery pending or dead-lettered (awaiting replay). */
export function owesWork(assignment: Assignment): boolean {
  // A renewal owed later holds nothing: a leaver is not asked again, and the step finds that out.
  if (
    (assignment.dueAt !== undefined || assignment.dueKind !== undefined) &&
    assignment.dueKind !== 'renewal'
  )
    return true;
  return DELIVERY_KINDS.some((kind) => {
    const delivery = assignment[kind];
    return (
      assignment[`${kind}DueAt`] !== undefined || delivery?.state === 'pending' || delivery?.state === 'dead'
    );
  });
}

/**
 * One retention sweep (a step of the sweeper).
 * 1. Query the sparse `retain` index for steps due by now, a bounded page (no Scan).
 * 2. Re-read each assignment (the index may lag it) and act, every write conditional on the step's
 *    due time read, so two sweeps never both act and a repeat is a no-op:
 *    - `reduce-ip`: the evidence's IP address becomes its network, its browser a family and
 *      system (already reduced: kept as it is); then owes `expire` if the person has left.
 *    - `expire`: nothing is deleted that is still needed. Work still owed (an email, a pending
 *      or dead-lettered LMS delivery) holds it a day. Signed evidence is kept RETAIN_EVIDENCE
 *      after the leaving or after its version was superseded (the next version's publication),
 *      whichever is later: while the version is still the newest, it is held 30 days and looked
 *      at again. Otherwise every item of the assignment's partition gets DynamoDB's TTL, the
 *      assignment last; once every request of a leaver who is still away is expiring, so is
 *      their profile.
 * DynamoDB deletes expired items within about 48 hours; until then they can still be read.
 */
export function makeRetentionSweep(deps: RetentionDeps) {
  const { store, clock, logger, metrics, settings } = deps;

  /** When signed evidence may go: undefined while its version is the newest (nothing supersedes it). */
  async function evidenceExpiry(assignment: Assignment, leftAt: Date): Promise<Date | undefined> {
    const ack = assignment.ack as NonNullable<Assignment['ack']>;
    const next = await store.getPolicyVersion(ack.policyId, ack.policyVersion + 1);
    if (!next) return undefined;
    const supersededAt = new Date(next.publishedAt);
    return addCalendar(new Date(Math.max(leftAt.getTime(), supersededAt.getTime())), settings.evidence);
  }

  /**
   * The records whose IP address and browser are kept RETAIN_AUDIT_IP from their own time: the
   * agreement by link and each decline. Those due by `now` and not yet reduced are reduced; the
   * step is then owed again at the next one's due time, or moves on.
   */
  async function reduce(
    assignment: Assignment,
    seenAt: string,
    now: Date,
  ): Promise<'reduced' | 'moved' | 'none'> {
    const ack = assignment.ack;
    const leaving = assignment.leftAt
      ? { step: 'expire' as const, at: expiryAfterLeaving(assignment, new Date(assignment.leftAt), settings) }
      : undefined;
    const dueAt = (at: string) => reduceIpAt(new Date(at), settings);
    // An agreement recorded on the person's behalf has no IP address or browser; an erased
    // person's are keyed pseudonyms already.
    const linkAck = ack && !assignment.erasedAt && ack.method !== 'on-behalf' ? ack : undefined;
    const declines = assignment.erasedAt ? [] : (assignment.declines ?? []);
    const ackDue = linkAck && !linkAck.reducedAt && dueAt(linkAck.acknowledgedAt) <= now;
    const declinesDue = declines.some((d) => !d.reducedAt && dueAt(d.declinedAt) <= now);
    const later = [
      ...(linkAck && !linkAck.reducedAt && !ackDue ? [dueAt(linkAck.acknowledgedAt)] : []),
      ...declines.filter((d) => !d.reducedAt && dueAt(d.declinedAt) > now).map((d) => dueAt(d.declinedAt)),
    ].sort((x, y) => x.getTime() - y.getTime());
    const next = later[0] ? { step: 'reduce-ip' as const, at: later[0] } : leaving;
    // Nothing due to reduce (a hand-edited item, on behalf, erased, or a repeat after a crash): move on.
    if (!ackDue && !declinesDue)
      return (await store.moveRetention(assignment.assignmentId, seenAt, next)) ? 'moved' : 'none';
    const reducedAt = now.toISOString();
    const reduced =
      ackDue && linkAck
        ? {
            ipAddress: reduceIpAddress(linkAck.ipAddress),
            userAgent: reduceUserAgent(linkAck.userAgent),
            reducedAt,
          }
        : undefined;
    const reducedDeclines = declinesDue
      ? declines.map((d) =>
          d.reducedAt || dueAt(d.declinedAt) > now
            ? d
            : {
                ...d,
                ipAddress: reduceIpAddress(d.ipAddress),
                userAgent: reduceUserAgent(d.userAgent),
                reducedAt,
              },
        )
      : undefined;
    if (!(await store.reduceEvidence(assignment.assignmentId, seenAt, reduced, next, reducedDeclines)))
      return 'none';
    metrics.count('retention', { step: 'reduce-ip' });
    logger.info('retention reduced an agreement’s or a decline’s IP address and browser', {
      assignmentId: assignment.assignmentId,
    });
    return 'reduced';
  }

  async function expire(
    assignment: Assignment,
    seenAt: string,
    now: Date,
  ): Promise<'expired' | 'moved' | 'none'> {
    const { assignmentId } = assignment;
    const move = async (at: Date, why: string, held = false) => {
      if (!(await store.moveRetention(assignmentId, seenAt, { step: 'expire', at }))) return 'none' as const;
      if (held) metrics.count('retention', { step: 'held' });
      logger.info(`retention held: ${why}`, { assignmentId, until: at.toISOString() });
      return 'moved' as const;
    };
    // Back since (the come-back lost a race with this read): nothing to expire.
    if (!assignment.leftAt) {
      return (await store.moveRetention(assignmentId, seenAt)) ? ('moved' as const) : ('none' as const);
    }
    if (owesWork(assignment))
      return move(new Date(now.getTime() + HELD_FOR_WORK_MS), 'work still owed', true);
    const leftAt = new Date(assignment.leftAt);
    const due = assignment.ack
      ? await evidenceExpiry(assignment, leftAt)
      : addCalendar(leftAt, settings.unsignedAfterLeaving);
    if (!due)
      return move(new Date(now.getTime() + HELD_WHILE_CURRENT_MS), 'the version signed is still current');
    if (due > now) return move(due, 'not due yet');
    if (!(await store.expireAssignment(assignmentId, seenAt, now))) return 'none';
    metrics.count('retention', { step: 'expire' });
    logger.info('retention expired a request', { assignmentId });
    await expireStarterIfDone(assignment.starterId, assignmentId, now);
    return 'expired';
  }

  /** A leaver's profile goes once every request of theirs is expiring (they are still away: conditional). */
  async function expireStarterIfDone(starterId: string, expiredId: string, now: Date): Promise<void> {
    const starter = await store.getStarter(starterId);
    if (starter?.status !== 'cancelled') return;
    const others = await store.getAssignments(
      (await everyAssignmentOf(starter)).filter((id) => id !== expiredId),
    );
    if (!allExpiring(others.values()) || !(await store.expireStarter(starterId, now))) return;
    metrics.count('retention', { step: 'starter' });
    logger.info('retention expired a leaver’s profile', { starterId });
  }

  /** Every assignment a starter can have: each policy ever asked, its first, its re-acknowledgements and renewals. */
  async function everyAssignmentOf(starter: Starter): Promise<string[]> {
    // An erased starter's employee id is a pseudonym: its assignments are those it listed.
    if (starter.erased) return starter.erased.assignmentIds;
    const ids: string[] = [];
    for (const policyId of starter.asked ?? starter.policies) {
      const latest = await store.getLatestPolicyVersion(policyId);
      ids.push(...(await everyAskOf(store, starter.employeeId, policyId, latest?.version ?? 1)));
    }
    return ids;
  }

  async function step(listed: RetainItem, now: Date) {
    const assignment = await store.getAssignment(listed.assignmentId);
    // The item, not the index, says what is owed: the index may lag it.
    const seenAt = assignment?.retainAt;
    if (!assignment?.retainStep || !seenAt || Date.parse(seenAt) > now.getTime()) return 'none';
    return assignment.retainStep === 'reduce-ip'
      ? reduce(assignment, seenAt, now)
      : expire(assignment, seenAt, now);
  }

  return async function sweepRetention(): Promise<RetentionResult> {
    const now = clock.now();
    const due = await store.queryRetention(now, deps.pageSize ?? 200);
    const result: RetentionResult = { read: due.length, reduced: 0, expired: 0, moved: 0 };
    for (const listed of due) {
      const done = await step(listed, now);
      if (done !== 'none') result[done]++;
    }
    if (due.length) logger.info('retention sweep', { ...result });
    return result;
  };
}

// Use case: deliver an acknowledgement to the organisation's LMS — a signed `policy.acknowledged` webhook, an xAPI statement, or both — retrying on a schedule.
import type {
  Assignments,
  AuditTrail,
  Clock,
  Deliveries,
  DueWork,
  HttpClient,
  HttpResponse,
  Logger,
  Metrics,
  Queue,
  Starters,
} from '../ports.ts';
import { deliveryIds } from './destinations/delivery-ids.ts';
import {
  type AttemptOutcome,
  answerStart,
  type Channel,
  type ChannelAttempt,
  classify,
  type RequestChannel,
} from './destinations/destination.ts';
import { MAX_DELAY_SECONDS, sendHint } from './hint.ts';
import {
  type Assignment,
  type AttemptRecord,
  type DeadLetter,
  type Delivery,
  type DeliveryKind,
  withAttempt,
} from './model.ts';

/** The delivery's attempt log with one more attempt, as recordDeliveryAttempt writes it. */
type AttemptLog = ReturnType<typeof withAttempt>;

/** A delivery leases its lane, reads the agreement and its destination, and records each attempt. */
export type DeliverStore = Pick<DueWork, 'claimWork'> &
  Pick<Deliveries, 'recordDeliveryAttempt' | 'getDestination' | 'setDestination'> &
  Pick<Assignments, 'getAssignment'> &
  Pick<Starters, 'getStarter'> &
  Pick<AuditTrail, 'appendAudit'>;

export interface DeliverDeps {
  store: DeliverStore;
  http: HttpClient;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Counts each attempt's outcome (`LmsDelivery`, by destination and outcome). */
  metrics: Metrics;
  /** The destinations this deployment sends to (LMS_MODE); a delivery owed to another is dead-lettered. */
  channels: Partial<Record<DeliveryKind, Channel>>;
  leaseMs: number;
  timeoutMs: number;
  /** The waits before each retry (the Standard Webhooks schedule by default); then dead letters. */
  retryScheduleMs: readonly number[];
  /** A number in [0, 1) for jitter; Math.random by default. */
  random?: () => number;
  /**
   * The LMS queue: a retry due within SQS's longest delay is sent back to it, so short waits are
   * kept to the second; longer ones, and any message lost, the sweeper dispatches from the table.
   */
  lmsQueue?: Queue;
}

export type DeliverOutcome = 'delivered' | 'retrying' | 'dead-lettered' | 'not-owed' | 'busy';

/** The Standard Webhooks retry schedule: about three days in all. */
export const DEFAULT_RETRY_SCHEDULE = 'PT5S,PT5M,PT30M,PT2H,PT5H,PT10H,PT14H,PT20H,PT24H';
/** The most of an LMS's answer kept with a dead letter. */
const DEAD_LETTER_BODY = 1024;
/** A Retry-After longer than this is not believed. */
const MAX_RETRY_AFTER_MS = 24 * 3600_000;

/** Retry-After as seconds or an HTTP date, in milliseconds from `now`; undefined if absent or silly. */
export function retryAfterMs(header: string | undefined, now: Date): number | undefined {
  if (!header) return undefined;
  const ms = /^\d+$/.test(header.trim()) ? Number(header) * 1000 : Date.parse(header) - now.getTime();
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_RETRY_AFTER_MS ? ms : undefined;
}

/** One attempt on any channel: a stepped channel reads its own answers; a request channel's is read by status. */
async function attemptWith(channel: Channel, attempt: ChannelAttempt): Promise<AttemptOutcome> {
  if ('send' in channel) return channel.send(attempt);
  const { assignment, starter, evidence, at } = attempt;
  const response = await attempt.call(channel.request(assignment, starter, evidence, at));
  const status = response?.status ?? null;
  return { verdict: verdictOf(channel, status), status, response: response ?? undefined };
}

/** A request channel's answer: by status, with what it says means "stored already" counted as delivered. */
function verdictOf(channel: RequestChannel, status: number | null) {
  return status !== null && channel.alreadyStored?.(status) ? 'delivered' : classify(status);
}

/**
 * Delivers one owed completion to one destination (`kind`: its lane).
 * 1. Re-read the assignment: only an owed, undelivered delivery is attempted.
 * 2. Lease it by conditional update so concurrent messages send it once at a time.
 * 3. A destination disabled (it answered 410 Gone), or no longer configured, sends nothing: the
 *    delivery is dead-lettered.
 * 4. Send the channel's request under the id fixed at acknowledgement (the webhook id, or the
 *    xAPI statement id), so the LMS can de-duplicate retries; a stepped channel (Moodle) makes its
 *    own requests and reads its own answers, and what it asks to remember is kept on the delivery.
 * 5. 2xx (or, for an LRS, 409: it has that statement): delivered. 408, 429, 5xx, 3xx, timeouts and
 *    network errors: retried after the next wait of the schedule, with jitter (or the LMS's
 *    Retry-After, if longer) — the delivery stays owed in the table from then and the sweeper sends
 *    it; past the schedule, dead letters. 410: the destination is disabled and an alert logged.
 *    Other 4xx: dead letters with the status and the start of the answer. Dead letters are
 *    replayed with `attest lms replay`.
 */
export function makeDeliverCompletion(deps: DeliverDeps) {
  const { store, clock, logger } = deps;
  const random = deps.random ?? Math.random;

  /** Parks the delivery among the dead letters, with the status and the start of the LMS's answer. */
  async function deadLetter(
    assignmentId: string,
    kind: DeliveryKind,
    reason: DeadLetter['reason'],
    status: number | null,
    response: HttpResponse | undefined,
    at: Date,
    outcome: Pick<AttemptOutcome, 'detail' | 'remember'> & { log?: AttemptLog } = {},
  ): Promise<DeliverOutcome> {
    const letter: DeadLetter = {
      reason,
      status,
      ...(response?.body && { body: response.body.slice(0, DEAD_LETTER_BODY) }),
      ...(outcome.detail && { detail: outcome.detail.slice(0, DEAD_LETTER_BODY) }),
      at: at.toISOString(),
    };
    // A disabled destination was sent nothing: no attempt is counted.
    const sent = letter.reason !== 'disabled';
    await store.recordDeliveryAttempt(assignmentId, kind, {
      status,
      at: clock.now(),
      outcome: { dead: letter },
      sent,
      ...(outcome.remember && { remember: outcome.remember }),
      ...(outcome.log && { log: outcome.log }),
    });
    await store.appendAudit(assignmentId, 'delivery-dead-lettered', clock.now(), {
      destination: kind,
      reason: letter.reason,
      status: status === null ? 'none' : String(status),
    });
    logger.warn('LMS delivery dead-lettered', {
      assignmentId,
      destination: kind,
      reason: letter.reason,
      status,
    });
    return 'dead-lettered';
  }

  /**
   * `seenDueAt`: the lane's due time a sweeper's or retry's message names; once that attempt is
   * made the message is stale and does nothing.
   */
  async function deliverCompletion(
    assignmentId: string,
    kind: DeliveryKind,
    seenDueAt?: string,
  ): Promise<DeliverOutcome> {
    const dueOf = (a: Assignment) => a[`${kind}DueAt` as const];
    const now = clock.now();
    // The claim first, in one request: it succeeds only while the delivery is owed (and still the
    // message's) and unleased. Only when it fails is the assignment read, to tell work no longer
    // owed from work another worker holds.
    const assignment = await store.claimWork(
      assignmentId,
      kind,
      now,
      new Date(now.getTime() + deps.leaseMs),
      seenDueAt,
    );
    if (!assignment) {
      const current = await store.getAssignment(assignmentId);
      if (!current || !dueOf(current) || !current.ack || current[kind]?.state !== 'pending')
        return 'not-owed';
      if (seenDueAt !== undefined && dueOf(current) !== seenDueAt) return 'not-owed';
      return 'busy';
    }
    const delivery: Delivery | undefined = assignment[kind];
    if (!assignment.ack || delivery?.state !== 'pending') return 'not-owed';
    const channel = deps.channels[kind];
    if (!channel) {
      // Mid-deploy (the acknowledgement already owes a destination this function does not know
      // yet) or a destination removed: retried on the schedule, then dead letters to replay.
      logger.error(`LMS delivery owed to ${kind}, which LMS_MODE does not include`, { assignmentId });
      return retryLater(assignmentId, kind, delivery, now, null, undefined, 'unconfigured');
    }
    // Read together, in one request (table.ts), both strongly: a destination enabled again or an
    // address changed a moment ago is the one used.
    const [destination, starter] = await Promise.all([
      store.getDestination(kind),
      store.getStarter(assignment.starterId),
    ]);
    if (destination.state === 'disabled') {
      return deadLetter(assignmentId, kind, 'disabled', null, undefined, now);
    }
    if (!starter) throw new Error('assignment refers to a missing starter');

    let error: string | undefined;
    const attempt = await attemptWith(channel, {
      assignment,
      starter,
      evidence: assignment.ack,
      delivery,
      at: now,
      call: async (request) => {
        try {
          return await deps.http.send(request, deps.timeoutMs);
        } catch (thrown) {
          const e = thrown as { name?: string; cause?: { code?: string } };
          error = e?.cause?.code ?? e?.name ?? 'Error';
          logger.warn('LMS delivery failed', { assignmentId, destination: kind, error: e?.name });
          return null;
        }
      },
    });
    const { verdict, status, response, remember } = attempt;
    const at = clock.now();
    // Kept for the operator (`attest lms status`), never logged: an answer may hold an address.
    const record: AttemptRecord = {
      at: now.toISOString(),
      durationMs: at.getTime() - now.getTime(),
      status,
      ...(status === null && error && { error }),
      ...(response?.body && { answer: answerStart(response.body) }),
    };
    const log = withAttempt(delivery, record);
    if (verdict === 'delivered') {
      await store.recordDeliveryAttempt(assignmentId, kind, {
        status,
        at,
        outcome: { delivered: true },
        ...(remember && { remember }),
        log,
      });
      await store.appendAudit(assignmentId, 'delivered', at, {
        destination: kind,
        [deliveryIds[kind].idField]: channel.idOf(assignment),
      });
      logger.info('completion delivered', { assignmentId, destination: kind, status });
      return 'delivered';
    }
    if (verdict === 'gone') {
      await store.setDestination(kind, {
        state: 'disabled',
        reason: `answered ${status} Gone`,
        at: at.toISOString(),
      });
      logger.error(
        `LMS destination disabled: it answered 410 Gone; enable it with \`attest lms enable --destination ${kind}\``,
        { assignmentId, destination: kind },
      );
      return deadLetter(assignmentId, kind, 'gone', status, response, at, { ...attempt, log });
    }
    if (verdict === 'rejected')
      return deadLetter(assignmentId, kind, 'rejected', status, response, at, { ...attempt, log });
    return retryLater(assignmentId, kind, delivery, at, status, response, 'exhausted', remember, log);
  }

  /**
   * Keeps the delivery owed until the schedule's next wait, with jitter (or the LMS's Retry-After,
   * if longer); past the schedule, dead letters for `exhausted`.
   */
  async function retryLater(
    assignmentId: string,
    kind: DeliveryKind,
    delivery: Delivery,
    at: Date,
    status: number | null,
    response: HttpResponse | undefined,
    exhausted: 'exhausted' | 'unconfigured',
    remember?: AttemptOutcome['remember'],
    log?: AttemptLog,
  ): Promise<DeliverOutcome> {
    const wait = deps.retryScheduleMs[delivery.attempts];
    if (wait === undefined) {
      return deadLetter(assignmentId, kind, exhausted, status, response, at, {
        ...(remember && { remember }),
        ...(log && { log }),
      });
    }
    // Jitter of ±10% spreads a recovering LMS's load; its own Retry-After wins when longer.
    const jittered = wait * (0.9 + 0.2 * random());
    const retryAt = new Date(at.getTime() + Math.max(jittered, retryAfterMs(response?.retryAfter, at) ?? 0));
    await store.recordDeliveryAttempt(assignmentId, kind, {
      status,
      at,
      outcome: { retryAt },
      ...(remember && { remember }),
      ...(log && { log }),
    });
    const delaySeconds = Math.ceil((retryAt.getTime() - at.getTime()) / 1000);
    if (deps.lmsQueue && delaySeconds <= MAX_DELAY_SECONDS) {
      const message = { assignmentId, kind, dueAt: retryAt.toISOString() };
      await sendHint(deps.lmsQueue, message, logger, delaySeconds);
    }
    logger.warn('LMS did not take the delivery; it will be retried', {
      assignmentId,
      destination: kind,
      status,
      retryAt: retryAt.toISOString(),
    });
    return 'retrying';
  }

  /** Each attempt counted by its outcome: delivered, retrying, or dead-lettered. */
  return async function countedDelivery(
    assignmentId: string,
    kind: DeliveryKind,
    seenDueAt?: string,
  ): Promise<DeliverOutcome> {
    const outcome = await deliverCompletion(assignmentId, kind, seenDueAt);
    if (outcome === 'delivered' || outcome === 'retrying' || outcome === 'dead-lettered') {
      deps.metrics.count('LmsDelivery', { destination: kind, outcome });
    }
    return outcome;
  };
}

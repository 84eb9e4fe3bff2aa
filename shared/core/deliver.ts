// Use case: deliver an acknowledgement to the organisation's LMS as a signed `policy.acknowledged` webhook, retrying on a schedule.
import type { Clock, HttpClient, Logger, Queue, Store } from '../ports.ts';
import { MAX_DELAY_SECONDS, sendHint } from './hint.ts';
import type { LmsWebhook } from './lms-payload.ts';
import type { Assignment, DeadLetter, Evidence, Starter } from './model.ts';
import type { WebhookSigner } from './webhooks.ts';

export interface DeliverDeps {
  store: Store;
  http: HttpClient;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  sign: WebhookSigner;
  lmsWebhookUrl: string;
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

/** What an answer means for the delivery. */
export function classify(status: number | null): 'delivered' | 'retry' | 'gone' | 'rejected' {
  if (status === null) return 'retry'; // timeout or network error
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'gone';
  // Redirects are not followed (signed data goes only where configured), but may be fixed: retry.
  if (status === 408 || status === 429 || status >= 500 || (status >= 300 && status < 400)) return 'retry';
  return 'rejected';
}

/** Retry-After as seconds or an HTTP date, in milliseconds from `now`; undefined if absent or silly. */
export function retryAfterMs(header: string | undefined, now: Date): number | undefined {
  if (!header) return undefined;
  const ms = /^\d+$/.test(header.trim()) ? Number(header) * 1000 : Date.parse(header) - now.getTime();
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_RETRY_AFTER_MS ? ms : undefined;
}

/** The body of the LMS webhook (DESIGN section 5, binding; published as JSON Schema in shared/schemas/). */
export function completionPayload(
  assignment: Assignment,
  starter: Starter,
  evidence: Evidence,
  at: Date,
): LmsWebhook {
  return {
    type: 'policy.acknowledged',
    timestamp: at.toISOString(),
    data: {
      assignmentId: assignment.assignmentId,
      employeeId: starter.employeeId,
      email: starter.email,
      givenName: starter.givenName,
      familyName: starter.familyName,
      policy: {
        id: evidence.policyId,
        version: evidence.policyVersion,
        title: evidence.policyTitle,
        sha256: evidence.policySha256,
      },
      acknowledgedAt: evidence.acknowledgedAt,
      evidenceId: evidence.evidenceId,
    },
  };
}

/**
 * Delivers one owed completion.
 * 1. Re-read the assignment: only an owed, undelivered delivery is attempted.
 * 2. Lease it by conditional update so concurrent messages send it once at a time.
 * 3. A destination disabled (it answered 410 Gone) sends nothing: the delivery is dead-lettered.
 * 4. POST the payload signed per Standard Webhooks, with the webhook id fixed at acknowledgement
 *    so the LMS can de-duplicate retries, and a fresh timestamp per attempt.
 * 5. 2xx: delivered. 408, 429, 5xx, 3xx, timeouts and network errors: retried after the next wait
 *    of the schedule, with jitter (or the LMS's Retry-After, if longer) — the delivery stays owed in
 *    the table from then and the sweeper sends it; past the schedule, dead letters. 410: the
 *    destination is disabled and an alert logged. Other 4xx: dead letters with the status and the
 *    start of the answer. Dead letters are replayed with `attest lms replay`.
 */
export function makeDeliverCompletion(deps: DeliverDeps) {
  const { store, clock, logger } = deps;
  const random = deps.random ?? Math.random;

  async function deadLetter(
    assignmentId: string,
    status: number | null,
    letter: DeadLetter,
  ): Promise<DeliverOutcome> {
    await store.recordDeliveryAttempt(assignmentId, { status, at: clock.now(), outcome: { dead: letter } });
    await store.appendAudit(assignmentId, 'delivery-dead-lettered', clock.now(), {
      reason: letter.reason,
      status: String(status),
    });
    logger.warn('LMS delivery dead-lettered', { assignmentId, reason: letter.reason, status });
    return 'dead-lettered';
  }

  /**
   * `seenDueAt`: the lane's due time a sweeper's or retry's message names; once that attempt is
   * made the message is stale and does nothing.
   */
  return async function deliverCompletion(assignmentId: string, seenDueAt?: string): Promise<DeliverOutcome> {
    const current = await store.getAssignment(assignmentId);
    if (!current?.lmsDueAt || !current.ack || !current.lms || current.lms.state !== 'pending')
      return 'not-owed';
    if (seenDueAt !== undefined && current.lmsDueAt !== seenDueAt) return 'not-owed';
    const now = clock.now();
    const assignment = await store.claimWork(
      assignmentId,
      'lms',
      now,
      new Date(now.getTime() + deps.leaseMs),
      seenDueAt,
    );
    if (!assignment?.ack || !assignment.lms) return 'busy';
    const destination = await store.getDestination();
    if (destination.state === 'disabled') {
      return deadLetter(assignmentId, null, { reason: 'disabled', status: null, at: now.toISOString() });
    }
    const starter = await store.getStarter(assignment.starterId);
    if (!starter) throw new Error('assignment refers to a missing starter');

    const body = JSON.stringify(completionPayload(assignment, starter, assignment.ack, now));
    const headers = { 'content-type': 'application/json', ...deps.sign(assignment.lms.webhookId, now, body) };
    let response: Awaited<ReturnType<HttpClient['post']>> | undefined;
    try {
      response = await deps.http.post(deps.lmsWebhookUrl, headers, body, deps.timeoutMs);
    } catch (error) {
      logger.warn('LMS delivery failed', { assignmentId, error: (error as Error).name });
    }
    const status = response?.status ?? null;
    const at = clock.now();
    const verdict = classify(status);
    if (verdict === 'delivered') {
      await store.recordDeliveryAttempt(assignmentId, { status, at, outcome: { delivered: true } });
      await store.appendAudit(assignmentId, 'delivered', at, { webhookId: assignment.lms.webhookId });
      logger.info('completion delivered', { assignmentId, status });
      return 'delivered';
    }
    const answer = response?.body ? { body: response.body.slice(0, DEAD_LETTER_BODY) } : {};
    if (verdict === 'gone') {
      await store.setDestination({
        state: 'disabled',
        reason: `answered ${status} Gone`,
        at: at.toISOString(),
      });
      logger.error('LMS destination disabled: it answered 410 Gone; enable it with `attest lms enable`', {
        assignmentId,
      });
      return deadLetter(assignmentId, status, { reason: 'gone', status, ...answer, at: at.toISOString() });
    }
    if (verdict === 'rejected') {
      return deadLetter(assignmentId, status, {
        reason: 'rejected',
        status,
        ...answer,
        at: at.toISOString(),
      });
    }
    const wait = deps.retryScheduleMs[assignment.lms.attempts];
    if (wait === undefined) {
      return deadLetter(assignmentId, status, {
        reason: 'exhausted',
        status,
        ...answer,
        at: at.toISOString(),
      });
    }
    // Jitter of ±10% spreads a recovering LMS's load; its own Retry-After wins when longer.
    const jittered = wait * (0.9 + 0.2 * random());
    const retryAt = new Date(at.getTime() + Math.max(jittered, retryAfterMs(response?.retryAfter, at) ?? 0));
    await store.recordDeliveryAttempt(assignmentId, { status, at, outcome: { retryAt } });
    const delaySeconds = Math.ceil((retryAt.getTime() - at.getTime()) / 1000);
    if (deps.lmsQueue && delaySeconds <= MAX_DELAY_SECONDS) {
      const message = { assignmentId, kind: 'lms' as const, dueAt: retryAt.toISOString() };
      await sendHint(deps.lmsQueue, message, logger, delaySeconds);
    }
    logger.warn('LMS did not take the delivery; it will be retried', {
      assignmentId,
      status,
      retryAt: retryAt.toISOString(),
    });
    return 'retrying';
  };
}

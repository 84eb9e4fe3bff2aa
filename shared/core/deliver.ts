// Use case: deliver an acknowledgement to the organisation's LMS as a signed `policy.acknowledged` webhook.
import type { Clock, HttpClient, Logger, Store } from '../ports.ts';
import { RetryableError } from './errors.ts';
import type { Assignment, Evidence, Starter } from './model.ts';
import type { WebhookSigner } from './webhooks.ts';

export interface DeliverDeps {
  store: Store;
  http: HttpClient;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn'>;
  sign: WebhookSigner;
  lmsWebhookUrl: string;
  leaseMs: number;
  timeoutMs: number;
}

export type DeliverOutcome = 'delivered' | 'not-owed' | 'busy';

/** The body of the LMS webhook (DESIGN section 5, binding). */
export function completionPayload(assignment: Assignment, starter: Starter, evidence: Evidence, at: Date) {
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
 * 3. POST the payload signed per Standard Webhooks, with the webhook id fixed at acknowledgement
 *    so the LMS can de-duplicate retries, and a fresh timestamp per attempt.
 * 4. 2xx records it delivered and clears the owed work; anything else records the attempt and
 *    throws so SQS retries; the delivery stays owed in the table for the sweeper.
 */
export function makeDeliverCompletion(deps: DeliverDeps) {
  const { store, clock } = deps;

  return async function deliverCompletion(assignmentId: string): Promise<DeliverOutcome> {
    const current = await store.getAssignment(assignmentId);
    if (!current?.lmsDueAt || !current.ack || !current.lms) return 'not-owed';
    const now = clock.now();
    const assignment = await store.claimWork(
      assignmentId,
      'lms',
      now,
      new Date(now.getTime() + deps.leaseMs),
    );
    if (!assignment?.ack || !assignment.lms) return 'busy';
    const starter = await store.getStarter(assignment.starterId);
    if (!starter) throw new Error('assignment refers to a missing starter');

    const body = JSON.stringify(completionPayload(assignment, starter, assignment.ack, now));
    const headers = { 'content-type': 'application/json', ...deps.sign(assignment.lms.webhookId, now, body) };
    let status: number | null = null;
    try {
      status = (await deps.http.post(deps.lmsWebhookUrl, headers, body, deps.timeoutMs)).status;
    } catch (error) {
      deps.logger.warn('LMS delivery failed', { assignmentId, error: (error as Error).name });
    }
    const delivered = status !== null && status >= 200 && status < 300;
    await store.recordDeliveryAttempt(assignmentId, { status, delivered, at: clock.now() });
    if (!delivered) {
      if (status !== null)
        deps.logger.warn('LMS refused the delivery; it will be retried', { assignmentId, status });
      throw new RetryableError('lms.unavailable', `LMS answered ${status ?? 'nothing'}; will retry`);
    }
    await store.appendAudit(assignmentId, 'delivered', clock.now(), { webhookId: assignment.lms.webhookId });
    deps.logger.info('completion delivered', { assignmentId, status });
    return 'delivered';
  };
}

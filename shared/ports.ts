// The small interfaces the core needs from the outside world; adapters implement them.
import type {
  Assignment,
  DueKind,
  Evidence,
  PolicyVersion,
  SendRecord,
  Starter,
  WorkMessage,
} from './core/model.ts';

export interface Clock {
  now(): Date;
}

export interface Logger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export type AckOutcome =
  | { recorded: true; assignment: Assignment }
  | { recorded: false; assignment: Assignment };

export interface Store {
  /** The stored response to an HR event already processed, if any. */
  getEventReceipt(source: string, eventId: string): Promise<unknown | undefined>;
  /** Remembers an HR event's response; a concurrent duplicate keeps the first. */
  putEventReceipt(source: string, eventId: string, response: unknown, expiresAt: Date): Promise<void>;

  getStarter(starterId: string): Promise<Starter | undefined>;
  putStarter(starter: Starter): Promise<void>;

  /** Creates the assignment unless it exists; returns what is stored either way. */
  createAssignment(assignment: Assignment): Promise<Assignment>;
  getAssignment(assignmentId: string): Promise<Assignment | undefined>;
  /** Stops chasing: status cancelled and no work owed, unless already acknowledged. */
  cancelAssignment(assignmentId: string, at: Date): Promise<void>;

  /**
   * Leases the owed work of `kind` so that one worker does it: succeeds only while that work is
   * owed and no unexpired lease is held. Returns the assignment, or undefined if not claimed.
   */
  claimWork(
    assignmentId: string,
    kind: DueKind,
    now: Date,
    leaseUntil: Date,
  ): Promise<Assignment | undefined>;
  /** Gives a lease back after a failure, so a retry or the sweeper can take the work again. */
  releaseWork(assignmentId: string, kind: DueKind): Promise<void>;
  /** Records a sent invite and clears the owed invite, conditional on holding its lease. */
  recordSend(assignmentId: string, send: SendRecord): Promise<void>;

  /**
   * Records the evidence exactly once (conditional on attribute_not_exists(ack)), in the same
   * write making the LMS delivery owed from `lmsDueAt`.
   */
  recordAcknowledgement(
    assignmentId: string,
    evidence: Evidence,
    webhookId: string,
    lmsDueAt: Date,
  ): Promise<AckOutcome>;
  /**
   * Makes a fresh invite owed now, for a starter whose link expired: only if not acknowledged or
   * cancelled, nothing else is owed, and no fresh link was asked for since `notSince`.
   * Returns false when refused.
   */
  requestFreshLink(assignmentId: string, now: Date, notSince: Date): Promise<boolean>;
  /** Records one LMS delivery attempt; `delivered` clears the owed delivery. */
  recordDeliveryAttempt(
    assignmentId: string,
    attempt: { status: number | null; delivered: boolean; at: Date },
  ): Promise<void>;

  /** Assignments whose owed work falls due before `before`, oldest first, from the sparse index. */
  queryDue(
    before: Date,
    limit: number,
  ): Promise<Array<{ assignmentId: string; dueAt: string; dueKind: DueKind }>>;
  /**
   * Claims a due item for dispatch by moving its dueAt to `redriveAt`, conditional on it still
   * being `seenDueAt`: of two overlapping sweeps only one dispatches it.
   */
  deferDue(assignmentId: string, seenDueAt: string, redriveAt: Date): Promise<boolean>;

  /** Stores a policy version unless present; fails if a different text holds that version. */
  putPolicyVersion(policy: PolicyVersion): Promise<void>;
  getPolicyVersion(policyId: string, version: number): Promise<PolicyVersion | undefined>;

  appendAudit(assignmentId: string, kind: string, at: Date, detail?: Record<string, string>): Promise<void>;
}

export interface Queue {
  send(message: WorkMessage, delaySeconds?: number): Promise<void>;
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
  tags: Record<string, string>;
  headers?: Record<string, string>;
}

export interface Mailer {
  /** Sends one email; returns the provider's message id. */
  send(email: OutgoingEmail): Promise<string>;
}

export interface HttpResponse {
  status: number;
  body: string;
}

export interface HttpClient {
  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<HttpResponse>;
}

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

export interface DueItem {
  assignmentId: string;
  dueAt: string;
  dueKind: DueKind;
}

/** An acknowledged assignment, from the signers' index. */
export interface Signer {
  assignmentId: string;
  starterId: string;
  policyVersion: number;
}

export interface AuditEvent {
  kind: string;
  at: string;
  detail: Record<string, string>;
}

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
  /** Records a sent email and clears it from the mail lane, conditional on holding its lease. */
  recordSend(assignmentId: string, send: SendRecord): Promise<void>;

  /**
   * Records the evidence exactly once (conditional on attribute_not_exists(ack)), in the same
   * write making the receipt email and the LMS delivery owed from `dueAt` (when the sweeper
   * re-drives them, should their queue messages be lost) and listing it among the signers.
   */
  recordAcknowledgement(
    assignmentId: string,
    evidence: Evidence,
    webhookId: string,
    dueAt: Date,
  ): Promise<AckOutcome>;
  /**
   * Makes a fresh invite owed now, for a starter whose link expired: only if not acknowledged or
   * cancelled, nothing else is owed, and no fresh link was asked for since `notSince`.
   * Returns false when refused.
   */
  requestFreshLink(assignmentId: string, now: Date, notSince: Date): Promise<boolean>;
  /** Records one LMS delivery attempt; `delivered` clears the LMS lane. */
  recordDeliveryAttempt(
    assignmentId: string,
    attempt: { status: number | null; delivered: boolean; at: Date },
  ): Promise<void>;

  /**
   * Work falling due before `before`, oldest first, from both lanes' sparse indexes (at most
   * `limit` per lane).
   */
  queryDue(before: Date, limit: number): Promise<DueItem[]>;
  /**
   * Claims a due item for dispatch by moving its lane's due time to `redriveAt`, conditional on
   * it still being `seenDueAt`: of two overlapping sweeps only one dispatches it.
   */
  deferDue(assignmentId: string, kind: DueKind, seenDueAt: string, redriveAt: Date): Promise<boolean>;
  /** Acknowledged assignments of a policy at versions below `belowVersion`, newest version first. */
  signers(policyId: string, belowVersion: number): AsyncIterable<Signer>;

  /**
   * Stores a policy version unless that version exists: 'created', 'same' (already stored with
   * this text) or 'conflict' (stored with other text, which never changes).
   */
  putPolicyVersion(policy: PolicyVersion): Promise<'created' | 'same' | 'conflict'>;
  getPolicyVersion(policyId: string, version: number): Promise<PolicyVersion | undefined>;
  /** The newest published version of a policy, which new assignments get. */
  getLatestPolicyVersion(policyId: string): Promise<PolicyVersion | undefined>;

  /** Appends to an assignment's audit trail; the same (time, kind) twice is stored once. */
  appendAudit(assignmentId: string, kind: string, at: Date, detail?: Record<string, string>): Promise<void>;
  getAuditTrail(assignmentId: string): Promise<AuditEvent[]>;
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

// The domain's records: starters, assignments, policy versions and the evidence of an acknowledgement.

export type StarterEventType = 'starter.created' | 'starter.updated' | 'starter.cancelled';

export interface Manager {
  name: string;
  email: string;
}

export interface Starter {
  starterId: string;
  employeeId: string;
  givenName: string;
  familyName: string;
  email: string;
  startDate: string;
  manager?: Manager;
  department?: string;
  locale: string;
  timeZone: string;
  policies: string[];
  status: 'active' | 'cancelled';
  updatedAt: string;
}

/** A policy as published: immutable once stored; `sha256` is over `canonicalText`. */
export interface PolicyVersion {
  policyId: string;
  version: number;
  title: string;
  statement: string;
  effectiveDate: string;
  keyPoints: string[];
  /** The policy's body in Markdown, exactly as shown on the page. */
  body: string;
  sha256: string;
  publishedAt: string;
}

/** A policy's text before publishing gives it a version number. */
export type PolicyText = Omit<PolicyVersion, 'version' | 'publishedAt'>;

export type AssignmentStatus = 'pending' | 'invited' | 'acknowledged' | 'cancelled';

/** Why an assignment was created: the starter's first request, or a new version to re-acknowledge. */
export type AssignmentReason = 'starter' | 'reacknowledge';

/**
 * The work an assignment still owes, in two lanes that run side by side, each present only while
 * owed and each keying its own sparse index: emails to the starter (`dueAt`/`dueKind`: the invite,
 * then after signing the receipt) and the LMS delivery (`lmsDueAt`).
 */
export type MailKind = 'invite' | 'receipt';
export type DueKind = MailKind | 'lms';

export interface SendRecord {
  kind: MailKind;
  /** The token in an invite's link; a receipt carries none. */
  tokenId?: string;
  messageId: string;
  at: string;
}

export interface Evidence {
  evidenceId: string;
  acknowledgedAt: string;
  policyId: string;
  policyVersion: number;
  policyTitle: string;
  policySha256: string;
  statement: string;
  typedName: string;
  ipAddress: string;
  userAgent: string;
  tokenId: string;
  /** The SES message id of the email that carried the link, when known. */
  messageId: string | null;
  /** When the server sent the page that was signed (from the form's signed stamp), when known. */
  pageShownAt?: string;
}

export interface LmsDelivery {
  state: 'pending' | 'delivered';
  webhookId: string;
  attempts: number;
  /** The last answer's HTTP status; null when there was none (network error or timeout). */
  lastStatus?: number | null;
  deliveredAt?: string;
}

export interface Assignment {
  assignmentId: string;
  starterId: string;
  policyId: string;
  policyVersion: number;
  policySha256: string;
  /** Absent for a starter's first request. */
  reason?: AssignmentReason;
  status: AssignmentStatus;
  createdAt: string;
  /** The mail lane: the next email owed, when, and the lease of the worker sending it. */
  dueAt?: string;
  dueKind?: MailKind;
  leaseUntil?: string;
  /** The LMS lane: when the owed delivery falls due, and the lease of the worker sending it. */
  lmsDueAt?: string;
  lmsLeaseUntil?: string;
  sends: SendRecord[];
  ack?: Evidence;
  lms?: LmsDelivery;
}

/** What the queues carry: a hint naming the assignment whose owed work should be done now. */
export interface WorkMessage {
  assignmentId: string;
  kind: DueKind;
}

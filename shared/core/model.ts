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
}

export type AssignmentStatus = 'pending' | 'invited' | 'acknowledged' | 'cancelled';

/** The work an assignment still owes; present only while owed (it keys the sparse "due" index). */
export type DueKind = 'invite' | 'lms';

export interface SendRecord {
  kind: 'invite';
  tokenId: string;
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
  status: AssignmentStatus;
  createdAt: string;
  dueAt?: string;
  dueKind?: DueKind;
  leaseUntil?: string;
  sends: SendRecord[];
  ack?: Evidence;
  lms?: LmsDelivery;
}

/** What the queues carry: a hint naming the assignment whose owed work should be done now. */
export interface WorkMessage {
  assignmentId: string;
  kind: DueKind;
}

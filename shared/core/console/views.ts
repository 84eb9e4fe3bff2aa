// What each console page shows (issue 15): the seam between the console's queries (core) and its pages (templates/console).
import type { AuditEvent } from '../../ports.ts';
import type { RenewalState } from '../lifecycle.ts';
import type { AssignmentStatus, DeclineEvidence, DeliveryKind, Evidence } from '../model.ts';
import type { Completion, WeekCount } from './aggregates.ts';
import type { FieldDiff, TranslationDiff } from './policy-diff.ts';

/** `admin` sees and acts; `auditor` sees and exports only. */
export type Role = 'admin' | 'auditor';

/** The person signed in, from the identity provider's ID token. */
export interface ConsoleUser {
  /** The provider's subject (`sub`): stable, never reused. */
  subject: string;
  email: string;
  role: Role;
}

/** The console's sections, as the navigation names them. */
export type Section = 'overview' | 'people' | 'policies' | 'deliveries' | 'exports';

/** What every signed-in page's frame needs: who, where, the session's CSRF token, and any notice. */
export interface Frame {
  user: ConsoleUser;
  /** The session's CSRF token: a hidden `csrf` field in every POST form (sign-out too). */
  csrf: string;
  section: Section;
  /** The page's own title (the `<title>` and the `<h1>`). */
  title: string;
  /** Said once, after an action (a 303 back to the page carries its code, never personal data). */
  notice?: { kind: 'success' | 'error'; text: string };
}

/** A person needing attention on the overview: declined, overdue and bounced first, then the longest waiting. */
export interface AttentionRow {
  starterId: string;
  employeeId: string;
  name: string;
  email: string;
  department: string;
  status: AssignmentStatus;
  policyVersion: number;
  /** Whole days since the invite (or the ask), as the report counts them. */
  daysWaiting: number | null;
  /** `due for renewal` or `lapsed` for a renewal request (README "Renewal"); empty otherwise. */
  renewal?: RenewalState;
}

/** One policy on the overview: the report's numbers, the charts' data, who needs attention. */
export interface PolicyOverview {
  policyId: string;
  title: string;
  /** The newest version (the one new starters are asked). */
  version: number;
  /** People asked, each once, by their current ask (the report's `total`). */
  total: number;
  byStatus: Record<AssignmentStatus, number>;
  signed: number;
  unsigned: number;
  cancelled: number;
  /** Of every request: agreements due for renewal, and renewals lapsed (README "Renewal"). */
  dueForRenewal?: number;
  lapsed?: number;
  byDepartment: Completion[];
  byManager: Completion[];
  perWeek: WeekCount[];
  /** Unsigned people, overdue and bounced first, then by days waiting (most first); at most ATTENTION_LIMIT. */
  attention: AttentionRow[];
  /** How many more unsigned people there are beyond `attention`. */
  attentionMore: number;
}

export interface OverviewView {
  policies: PolicyOverview[];
  /** The time zone the weeks are counted in. */
  timeZone: string;
}

/** One person found by a search. */
export interface PersonHit {
  starterId: string;
  employeeId: string;
  name: string;
  email: string;
  department: string;
  status: 'active' | 'cancelled';
}

export interface PeopleView {
  /** What was searched for (undefined before any search). */
  query?: string;
  results?: PersonHit[];
  /** True when more matched than are shown. */
  truncated?: boolean;
  /** Why the query was refused (too short, say), tied to the search field. */
  error?: string;
}

/** One destination's delivery of an agreement, as the person page lists it. */
export interface DeliveryLineView {
  destination: DeliveryKind;
  state: 'pending' | 'delivered' | 'dead';
  attempts: number;
  lastStatus: number | null;
  lastAttemptAt: string | null;
  /** Why it is dead, when it is. */
  reason: string | null;
}

/** What an admin may do to an assignment now (an auditor gets all false / empty). */
export interface AssignmentActions {
  resend: boolean;
  cancel: boolean;
  /** Record an agreement made offline on the person's behalf: an unsigned ask not withdrawn. */
  accept: boolean;
  /** The destinations whose dead-lettered delivery may be replayed. */
  replay: DeliveryKind[];
}

export interface PersonAssignment {
  assignmentId: string;
  policyId: string;
  policyTitle: string;
  policyVersion: number;
  status: AssignmentStatus;
  reason: string;
  assignedAt: string;
  invitedAt: string | null;
  remindersSent: number;
  bounce: string | null;
  /** The sign-by date (the policy's `due:`), when it has one. */
  signBy?: string | null;
  /** When a signed agreement falls due for renewal (the policy's `reattest:`), when it has a period. */
  renewsAt?: string | null;
  renewal?: RenewalState;
  evidence: Evidence | null;
  /** Each time they said they do not agree, and why, oldest first (kept after a later agreement). */
  declines: DeclineEvidence[];
  /** The stored text hashed again matches the evidence's sha256 (null when unsigned). */
  integrityMatches: boolean | null;
  deliveries: DeliveryLineView[];
  audit: AuditEvent[];
  actions: AssignmentActions;
}

export interface PersonView {
  starter: {
    starterId: string;
    employeeId: string;
    name: string;
    email: string;
    department: string;
    jobTitle: string;
    manager: { name: string; email: string } | null;
    startDate: string;
    status: 'active' | 'cancelled';
    /** When their data was erased (names and addresses are pseudonyms since); null when it was not. */
    erasedAt: string | null;
  };
  /** Newest first. */
  assignments: PersonAssignment[];
}

export interface PolicyVersionLine {
  version: number;
  title: string;
  effectiveDate: string;
  publishedAt: string;
  sha256: string;
  /** Each translation's own sha256, by language: part of the version's text, as the English is. */
  translations: Array<{ language: string; sha256: string }>;
  /** Assignments of this version ever made, and how many of them are signed. */
  asked: number;
  signed: number;
}

export interface PoliciesView {
  policies: Array<{ policyId: string; title: string; versions: PolicyVersionLine[] }>;
}

export interface PolicyDiffView {
  policyId: string;
  title: string;
  from: PolicyVersionLine;
  to: PolicyVersionLine;
  diff: FieldDiff[];
  /** Each translation either version has, compared: a change to one alone is a change. */
  translations: TranslationDiff[];
}

export interface DeadLetterLine {
  assignmentId: string;
  destination: DeliveryKind;
  deadAt: string;
  reason: string;
  lastStatus: number | null;
  attempts: number;
  starterId: string;
  name: string;
  policyId: string;
  policyVersion: number;
}

export interface DeliveriesView {
  /** By destination, oldest first within each. */
  deadLetters: DeadLetterLine[];
  /** Admins may replay. */
  canReplay: boolean;
}

/** The report export form's fields, as its GET query names them. */
export const EXPORT_FIELDS = ['policy', 'status', 'department', 'since', 'until'] as const;
export type ExportField = (typeof EXPORT_FIELDS)[number];

export interface ExportsView {
  policies: Array<{ policyId: string; title: string }>;
  departments: string[];
  /** A refused export: what was asked, shown again in the form, and what is wrong with each field. */
  asked?: Partial<Record<ExportField, string>>;
  errors?: Partial<Record<ExportField, string>>;
}

export type ActionName = 'resend' | 'cancel' | 'replay' | 'accept';

/** The confirmation page before an action: what it does to whom, and a required reason. */
export interface ConfirmView {
  action: ActionName;
  assignmentId: string;
  /** For a replay: the destination. */
  destination?: DeliveryKind;
  starterId: string;
  name: string;
  policyTitle: string;
  policyVersion: number;
  status: AssignmentStatus;
  /** The reason already typed, when the form is shown again. */
  reason?: string;
  /** Why the form was refused (the reason missing), tied to the reason field. */
  error?: string;
}

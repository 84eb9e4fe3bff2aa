// What each email is given to say: the variables of each template, as the mailer composes them, and what a template renders.
import type { Language } from './language.ts';

/** What the starter-facing emails also say: their language, and where the logo is served from. */
interface StarterFacing {
  /** The language the starter reads the policy in (language.ts languageFor); English when absent. */
  language?: Language;
  /** PUBLIC_BASE_URL: the logo's absolute URL starts with it. */
  publicBaseUrl?: string;
}

export interface InviteContent extends StarterFacing {
  organisationName: string;
  givenName: string;
  policyTitle: string;
  policyVersion: number;
  keyPoints: string[];
  ackUrl: string;
  expiresOn: string;
  startDate: string;
  reacknowledge: boolean;
  /** An agreement renewed (the policy's `reattest:` period passed): asked to sign again. */
  renewal?: boolean;
  /** The sign-by date (the policy's `due:`), formatted in the starter's time zone. */
  signBy?: string;
  /** What changed in this version, told when `reacknowledge`. */
  changes?: string[];
  /** Present for a reminder: which one, and how long is left before the manager is told. */
  reminder?: { number: number; last: boolean; daysLeft: number; dueOn: string };
}

export interface DigestContent {
  organisationName: string;
  managerName: string;
  people: Array<{
    name: string;
    email: string;
    policyTitle: string;
    policyVersion: number;
    invitedOn: string;
    reminders: number;
  }>;
}

export interface BounceNoticeContent {
  organisationName: string;
  managerName: string;
  starterName: string;
  email: string;
  policyTitle: string;
  reason: 'bounced' | 'complained';
}

/** The decline notice: to the manager and HR, who declined what and why (every decline kept). */
export interface DeclineNoticeContent {
  organisationName: string;
  /** Whom it greets: the manager by name, or HR's team when there is no manager on file. */
  greeting: string;
  starterName: string;
  employeeId: string;
  policyTitle: string;
  policyVersion: number;
  /** Every decline kept, oldest first: when (in the person's time zone) and the reason typed. */
  declines: Array<{ on: string; reason: string }>;
}

export interface ReceiptContent extends StarterFacing {
  organisationName: string;
  givenName: string;
  typedName: string;
  policyTitle: string;
  policyVersion: number;
  effectiveDate: string;
  statement: string;
  acknowledgedAt: string;
  acknowledgedAtUtc: string;
  evidenceId: string;
  policySha256: string;
  /** The attached certificate's file name. */
  certificateFileName: string;
  /** For an agreement recorded on the person's behalf: the day HR recorded it, as read. */
  onBehalf?: { recordedOn: string };
}

/** An email as a template renders it. */
export type Rendered = { subject: string; html: string; text: string };

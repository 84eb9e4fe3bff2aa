// The domain's records: starters, assignments, policy versions and the evidence of an acknowledgement.
import { DESTINATION_NAMES, type DestinationName, isDestinationName } from './destinations/names.ts';

export type StarterEventType = 'starter.created' | 'starter.updated' | 'starter.cancelled';

export interface Manager {
  name: string;
  email: string;
}

/**
 * The optional details HR gives of where a starter works and as what: each a trimmed text of at
 * most 200 characters in the event, kept on the starter, and what audience rules match on.
 */
export const STARTER_ATTRIBUTES = [
  'department',
  'organization',
  'division',
  'location',
  'employmentType',
  'jobTitle',
] as const;
export type StarterAttribute = (typeof STARTER_ATTRIBUTES)[number];

export interface Starter {
  starterId: string;
  employeeId: string;
  givenName: string;
  familyName: string;
  email: string;
  startDate: string;
  manager?: Manager;
  department?: string;
  organization?: string;
  division?: string;
  location?: string;
  employmentType?: string;
  jobTitle?: string;
  locale: string;
  timeZone: string;
  /** What the starter is asked to sign: their event's list, or the audience rules' answer. */
  policies: string[];
  /**
   * Where `policies` came from: an event that named them (which holds until an event names
   * others), or the audience rules, decided again on each event that names none. Absent on a
   * starter stored before this was recorded, whose list is kept until an event names another.
   */
  policiesFrom?: 'event' | 'rules';
  /** From the rules: the names of those that matched when last decided (the default set applies always). */
  matchedRules?: string[];
  /**
   * Every policy ever asked of the starter, `policies` included: one dropped from their list (a move
   * out of a department) keeps the ask already made, which a cancellation must still withdraw.
   * Absent on a starter stored before it was kept: their `policies`.
   */
  asked?: string[];
  status: 'active' | 'cancelled';
  updatedAt: string;
  /**
   * Set when the person's data was erased (`attest privacy erase`): their names, addresses and
   * manager are keyed pseudonyms since, the status is cancelled, and no HR event changes them again.
   */
  erased?: StarterErasure;
}

/** What an erased starter keeps of its erasure: when, and which assignments it covered. */
export interface StarterErasure {
  at: string;
  /** The person's pseudonym (also their `employeeId` and `givenName` since). */
  pseudonym: string;
  /**
   * The ids of every assignment they had, written before the starter: an erased starter's
   * assignment ids can no longer be derived, as its employee id is a pseudonym now.
   */
  assignmentIds: string[];
}

/**
 * One entry of the erasure log: enough to show an erasure was done and to do it again over a
 * table restored from before it, and nothing that names the person.
 */
export interface ErasureEntry {
  /** The starter's pseudonymous id (an unkeyed hash of the employee id), whose records were erased. */
  starterId: string;
  /** The keyed pseudonym the person's names and ids were replaced with. */
  pseudonym: string;
  at: string;
  /** Who erased: the operator's name as given (`--by`), or their account on the machine that ran it. */
  by: string;
  reason: string;
}

/** A policy as published: immutable once stored; `sha256` is over `canonicalText`. */
export interface PolicyVersion {
  policyId: string;
  version: number;
  title: string;
  statement: string;
  effectiveDate: string;
  keyPoints: string[];
  /** What changed since the version before (front matter `changes:`): on the page and in the re-acknowledgement email. */
  changes?: string[];
  /** The policy's body in Markdown, exactly as shown on the page. */
  body: string;
  sha256: string;
  publishedAt: string;
  /** The policy's own chase settings, overriding the deployment's (not part of the text). */
  chase?: { reminderOffsets?: string; escalationOffset?: string; sendWindow?: string };
  /** The Moodle activity (course module id) an agreement completes, when LMS_MODE includes moodle. */
  moodle?: { cmid: number };
  /** Front matter `declinable: true`: the page offers "I do not agree" with a reason (not part of the text). */
  declinable?: boolean;
  /** How old an agreement may grow before the person is asked again (front matter `reattest:`, ISO 8601; not part of the text). */
  reattest?: string;
  /** How long a person has to sign (front matter `due:`, ISO 8601), from their start date or the invite (not part of the text). */
  due?: string;
  /**
   * The version's text in other languages (`NAME.cy.md` beside the policy's file), by language:
   * published with it as one version, each with the sha256 of its own canonical text.
   */
  translations?: Partial<Record<string, PolicyTranslation>>;
}

/** A policy version's text in one more language: what is shown and hashed; the settings stay the version's. */
export type PolicyTranslation = Pick<
  PolicyVersion,
  'title' | 'statement' | 'keyPoints' | 'changes' | 'body' | 'sha256'
>;

/** A policy's text before publishing gives it a version number. */
export type PolicyText = Omit<PolicyVersion, 'version' | 'publishedAt'>;

/**
 * `overdue`: the manager was told and chasing stopped; `bounced`: the address bounced or
 * complained, chasing stopped; `declined`: the person said they do not agree (`declines`),
 * chasing stopped and the manager and HR told. Each can still be signed through a link already sent.
 */
export type AssignmentStatus =
  | 'pending'
  | 'invited'
  | 'acknowledged'
  | 'cancelled'
  | 'overdue'
  | 'bounced'
  | 'declined';

/** Asked and still without a signature: not yet invited, invited, overdue, bounced, or declined. */
export const UNSIGNED_STATUSES = [
  'pending',
  'invited',
  'overdue',
  'bounced',
  'declined',
] as const satisfies readonly AssignmentStatus[];
export const ASSIGNMENT_STATUSES = [
  ...UNSIGNED_STATUSES,
  'acknowledged',
  'cancelled',
] as const satisfies readonly AssignmentStatus[];

export function isUnsigned(status: AssignmentStatus): boolean {
  return (UNSIGNED_STATUSES as readonly AssignmentStatus[]).includes(status);
}

/**
 * Whether ask `a` is newer than `b` as a person's current ask of a policy: a later version, or of
 * one version the one asked later (a renewal asks again for the version signed). True when no `b`.
 */
export function isNewerAsk(
  a: { policyVersion: number; createdAt: string },
  b: { policyVersion: number; createdAt: string } | undefined,
): boolean {
  return (
    !b ||
    a.policyVersion > b.policyVersion ||
    (a.policyVersion === b.policyVersion && a.createdAt > b.createdAt)
  );
}

/**
 * Why an assignment was created: the starter's first request, a new version to re-acknowledge, or
 * an agreement grown as old as the policy's `reattest` period (asked again: lifecycle.ts).
 */
export type AssignmentReason = 'starter' | 'reacknowledge' | 'reattest';

/**
 * The work an assignment still owes, in lanes that run side by side, each present only while
 * owed and each keying its own sparse index: emails to the starter (`dueAt`/`dueKind`: the invite,
 * then after signing the receipt), and one lane per LMS destination, named as the destination
 * (`webhook`: state in `webhook`, due at `webhookDueAt`, leased until `webhookLeaseUntil`).
 */
export const MAIL_KINDS = [
  'invite',
  'reminder',
  'escalation',
  'digest',
  'receipt',
  'bounce-notice',
  'decline-notice',
  'renewal',
] as const;
/**
 * The mail lane's steps; each but the escalation (which joins a digest) and the renewal (which,
 * once an agreement is as old as its policy's `reattest` period, asks again by a new assignment)
 * sends an email.
 */
export type MailKind = (typeof MAIL_KINDS)[number];
/** The steps that send no email themselves. */
export type SilentKind = 'escalation' | 'renewal';
/** The steps that send an email: the mailer counts sends and failures by these. */
export const EMAIL_KINDS = MAIL_KINDS.filter(
  (kind): kind is Exclude<MailKind, SilentKind> => kind !== 'escalation' && kind !== 'renewal',
);
/** The lanes of LMS deliveries: one per destination of the registry, by its name. */
export type DeliveryKind = DestinationName;
export type DueKind = MailKind | DeliveryKind;
export const DELIVERY_KINDS = DESTINATION_NAMES;
export const isDeliveryKind = isDestinationName;

export interface SendRecord {
  kind: Exclude<MailKind, SilentKind>;
  /** The token in an invite's link, which is also its attempt's id; a receipt carries none. */
  tokenId?: string;
  /** The attempt this email was sent under (recorded since attempts were; an invite's is its tokenId). */
  attemptId?: string;
  /**
   * The language an invite or reminder was written in (language.ts): the page its link opens speaks
   * it without reading the starter again. Absent on receipts and on emails sent before it was kept.
   */
  language?: string;
  messageId: string;
  at: string;
  /**
   * The subject it was sent with (recorded since subject access exports list them; absent on
   * emails sent before). The body is not kept: it is rebuilt from the templates, not stored.
   */
  subject?: string;
}

/**
 * One try at sending a mail-lane email, fixed before the send and recorded with the lease: an
 * invite's or reminder's id is the token id in its link, and every email carries it in its SES
 * tags, so a send whose record was lost (a crash between SES and the table) can still be traced.
 */
export interface MailAttempt {
  id: string;
  kind: Exclude<MailKind, SilentKind>;
  startedAt: string;
}

/** What every agreement's evidence holds, however it was made. */
interface EvidenceCommon {
  evidenceId: string;
  acknowledgedAt: string;
  policyId: string;
  policyVersion: number;
  policyTitle: string;
  policySha256: string;
  statement: string;
  /**
   * A link's: the name the person typed. On behalf: the person's name as HR held it when the
   * agreement was recorded, entered by the recorder (`recordedBy`), not typed by the person.
   */
  typedName: string;
  /**
   * The language of the text shown and agreed to (`en`, `cy`): `policyTitle`, `statement` and
   * `policySha256` are that language's. Absent on evidence recorded before languages were: English.
   */
  locale?: string;
}

/** How an agreement was made: through the emailed link, or recorded on the person's behalf. */
export type AckMethod = 'link' | 'on-behalf';

/** An agreement signed through the emailed link: what the page saw of the person's browser. */
export interface LinkEvidence extends EvidenceCommon {
  /** Recorded since on-behalf agreements exist; absent on older evidence, which was all by link. */
  method?: 'link';
  ipAddress: string;
  userAgent: string;
  /** The token of the link used: also the id of the email attempt that carried it. */
  tokenId: string;
  /**
   * The SES message id of the email that carried the link, when known at signing: from the send
   * record, or from SES's own report of the attempt when the record was lost to a crash.
   */
  messageId: string | null;
  /** When the server sent the page that was signed (from the form's signed stamp), when known. */
  pageShownAt?: string;
  /**
   * When retention (RETAIN_AUDIT_IP) reduced `ipAddress` to its network and `userAgent` to the
   * browser's family and system: from then on they no longer name a device.
   */
  reducedAt?: string;
}

/**
 * An agreement made offline (on paper, or assisted) and recorded for the person by someone else
 * (`attest accept-on-behalf`, the console): no link was used, so there is no IP address, browser,
 * token or email of theirs — each null, never a value that would pretend the person clicked.
 */
export interface OnBehalfEvidence extends EvidenceCommon {
  method: 'on-behalf';
  /** Why and how it was agreed offline, as the recorder said (checked like an admin's reason). */
  note: string;
  /** Who recorded it: the operator's `--by` name, or the console admin's email. */
  recordedBy: string;
  ipAddress: null;
  userAgent: null;
  tokenId: null;
  messageId: null;
  /** No page was shown, and nothing is reduced: there is no IP address or browser. */
  pageShownAt?: undefined;
  reducedAt?: undefined;
}

export type Evidence = LinkEvidence | OnBehalfEvidence;

/** The most declines an assignment keeps: each one owes a notice, so the page offers no more after. */
export const MAX_DECLINES = 10;

/**
 * A decline (`declinable: true` policies): the person said, through the emailed link, that they do
 * not agree, and why. The same evidence as an agreement by link, plus the reason; kept for good,
 * every one of them, in `Assignment.declines`, even once they agree later.
 */
export interface DeclineEvidence {
  declineId: string;
  declinedAt: string;
  policyId: string;
  policyVersion: number;
  policyTitle: string;
  policySha256: string;
  /** The statement they did not agree to. */
  statement: string;
  /** The language of the text they were shown (language.ts): absent means English. */
  locale?: string;
  typedName: string;
  /** Why, as they typed it (line breaks as spaces): told to the manager and HR. */
  reason: string;
  ipAddress: string;
  userAgent: string;
  tokenId: string;
  messageId: string | null;
  pageShownAt?: string;
  /** When retention (RETAIN_AUDIT_IP) reduced `ipAddress` and `userAgent`, as for an agreement's. */
  reducedAt?: string;
}

/**
 * The PDF certificate the receipt email carried (shared/core/certificate.ts): its SHA-256, and what
 * beside the evidence made it, so `attest evidence --pdf` makes the same bytes again after a
 * change of ORGANISATION_NAME or of the starter's time zone.
 */
export interface CertificateRecord {
  sha256: string;
  /** The attachment's name (policy and version: no personal data). */
  fileName: string;
  /** ORGANISATION_NAME when it was made. */
  organisationName: string;
  /** The starter's time zone when it was made. */
  timeZone: string;
  /** The layout's version (CERTIFICATE_FORMAT). */
  format: number;
  /** When the mailer made it (the receipt's send). */
  madeAt: string;
}

/** What an agreement is to, as its evidence names it: the version, its hash and its statement. */
export function agreedTo(
  policy: PolicyVersion & { language?: string },
): Pick<
  EvidenceCommon,
  'policyId' | 'policyVersion' | 'policyTitle' | 'policySha256' | 'statement' | 'locale'
> {
  return {
    policyId: policy.policyId,
    policyVersion: policy.version,
    policyTitle: policy.title,
    policySha256: policy.sha256,
    statement: policy.statement,
    // The policy as shown in a language (language.ts shownIn): its title, hash and statement are that language's.
    ...(policy.language && { locale: policy.language }),
  };
}

/** How the agreement was made: evidence without a method predates on-behalf agreements, so was by link. */
export function methodOf(evidence: Evidence): AckMethod {
  return evidence.method ?? 'link';
}

/** One destination's delivery of a completion. */
export interface Delivery {
  /** `dead`: given up (rejected, gone, or out of retries) and kept for replay. */
  state: 'pending' | 'delivered' | 'dead';
  attempts: number;
  /** The last answer's HTTP status; null when there was none (network error or timeout). */
  lastStatus?: number | null;
  deliveredAt?: string;
  /** When the next attempt is due, while retrying. */
  nextAttemptAt?: string;
  deadLetter?: DeadLetter;
  /** Each attempt sent, oldest first: the last ATTEMPT_LOG_SIZE, so the item stays small. */
  attemptLog?: AttemptRecord[];
  /** How many earlier attempts were dropped from the log to keep it to that size. */
  attemptsDropped?: number;
  /**
   * The id the receiver de-duplicates on, fixed at acknowledgement, under the destination's
   * `idField`: the webhook's `webhookId`, the xAPI statement's `statementId` (UUID v5 of the evidence).
   */
  [idField: string]: unknown;
}

/** The most attempts a delivery's log keeps (about 300 bytes each): a full retry schedule and its replays. */
export const ATTEMPT_LOG_SIZE = 20;

/** One attempt of a delivery as the operator sees it (`attest lms status`). */
export interface AttemptRecord {
  /** When it was sent. */
  at: string;
  durationMs: number;
  /** The deciding answer's HTTP status; null when there was none. */
  status: number | null;
  /** Why there was no answer: the network error's code or the error's name (`TimeoutError`). */
  error?: string;
  /** The first 200 bytes of the deciding answer (may hold a person's address: shown, never logged). */
  answer?: string;
}

/** The log after one more attempt: the last ATTEMPT_LOG_SIZE kept, oldest first, those dropped counted. */
export function withAttempt(
  delivery: Pick<Delivery, 'attemptLog' | 'attemptsDropped'>,
  record: AttemptRecord,
): { attemptLog: AttemptRecord[]; attemptsDropped: number } {
  const all = [...(delivery.attemptLog ?? []), record];
  const over = Math.max(0, all.length - ATTEMPT_LOG_SIZE);
  return { attemptLog: all.slice(over), attemptsDropped: (delivery.attemptsDropped ?? 0) + over };
}

/** What the acknowledgement makes owed: a delivery per destination configured, by the id it is sent under. */
export type OwedDeliveries = Partial<Record<DeliveryKind, Record<string, string>>>;

export interface DeadLetter {
  /**
   * `unconfigured`: owed to a destination this deployment does not send to (see LMS_MODE), still
   * so after the whole retry schedule.
   */
  reason: 'rejected' | 'gone' | 'exhausted' | 'disabled' | 'unconfigured';
  status: number | null;
  /** The start of the LMS's answer, for diagnosis. */
  body?: string;
  /** Why, in words, when the destination read the answer itself (`no Moodle user with email …`). */
  detail?: string;
  at: string;
}

/** Each delivery lane on the assignment: its state, when it falls due, and the lease of the worker sending it. */
type Lanes = { [K in DeliveryKind]?: Delivery } & { [K in DeliveryKind as `${K}DueAt`]?: string } & {
  [K in DeliveryKind as `${K}LeaseUntil`]?: string;
};

export interface Assignment extends Lanes {
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
  /** The mail lane's latest attempt; one whose id no send record names was interrupted (maybe sent). */
  attempt?: MailAttempt;
  /** The chase: when the first invite went, and how many reminders since. */
  chase?: Chase;
  /**
   * The sign-by date, fixed at the first invite when the policy has `due:` (its start date plus
   * that, or the invite plus that when the start date had passed): told in the invite and
   * reminders, the escalation falls due then, and the LMS is sent it as `dueAt`. Not the mail
   * lane's `dueAt`, which is when the next email is owed.
   */
  signBy?: string;
  /** The manager digest this assignment's escalation joined, once escalated. */
  digest?: DigestKey;
  /** A renewal (reason `reattest`): the signed assignment whose agreement it asks again for. */
  renews?: string;
  /** Cancelled because a newer version of the policy is asked of them instead: that assignment. */
  supersededBy?: { assignmentId: string; version: number };
  /** Why chasing stopped at the address: SES reported a permanent bounce or a complaint. */
  bounce?: { reason: 'bounced' | 'complained'; email: string; at: string };
  /**
   * When the starter's address last changed while this ask was unsigned (HR corrected a wrong
   * one): a link emailed before then went to the old address, and signs nothing.
   */
  emailSince?: string;
  /**
   * The starter's time zone (IANA), kept from their profile while the ask is unsigned (changed with
   * it: `retold`): the page's receipt says when they signed in it, reading no other item. Absent
   * on an ask made before it was kept.
   */
  timeZone?: string;
  /** When the starter left (starter.cancelled), while they are away: what retention counts from. */
  leftAt?: string;
  /** The retention step owed, and when: present only while one is (the `retain` index). */
  retainStep?: RetainStep;
  retainAt?: string;
  /** When DynamoDB's TTL deletes the item (epoch seconds): set once retention expires it. */
  expiresAt?: number;
  sends: SendRecord[];
  ack?: Evidence;
  /** Every decline, oldest first (at most MAX_DECLINES); kept when the person agrees later. */
  declines?: DeclineEvidence[];
  /** The certificate the receipt carried, recorded with the receipt's send; absent before certificates. */
  certificate?: CertificateRecord;
  /**
   * When the person's data in it was replaced with keyed pseudonyms (`attest privacy erase`): the
   * evidence keeps its policy, version, hash, statement, times and ids; no delivery is sent again.
   */
  erasedAt?: string;
}

/**
 * Retention's steps on an assignment (shared/core/privacy/retention.ts): reduce the agreement's
 * IP address and browser, then, once the person has left, expire the whole request.
 */
export type RetainStep = 'reduce-ip' | 'expire';

export interface Chase {
  invitedAt: string;
  remindersSent: number;
}

/** One manager's digest of a day: everyone of theirs whose chase ran out, in one email. */
export interface DigestKey {
  managerEmail: string;
  /** The day in the starter's time zone, YYYY-MM-DD. */
  day: string;
}

export interface Digest extends DigestKey {
  managerName: string;
  /** The first to join. */
  owner: string;
  members: string[];
  closedAt?: string;
  /** The member whose step closed it, and so sends it. */
  closedBy?: string;
  sentAt?: string;
}

/** What the queues carry: a hint naming the assignment whose owed work should be done now. */
export interface WorkMessage {
  assignmentId: string;
  kind: DueKind;
  /**
   * From the sweeper: the lane's due time as it set it when dispatching. A message whose step has
   * since been done (the lane moved on, perhaps to another step of the same kind) no longer matches
   * and does nothing.
   */
  dueAt?: string;
  /** How many times SES has throttled this step's send so far (the mailer's wait grows with it). */
  throttled?: number;
}

/** What a SCIM user is found by: `findScimUsers` keys. */
export type ScimLookupKey = 'userName' | 'externalId' | 'email' | 'employeeId';

/** A user an identity provider provisioned over SCIM (RFC 7643), and the starter it became. */
export interface ScimUser {
  /** The id attest gave it. */
  id: string;
  /** The resource as last written (core, enterprise and attest attributes), without id, meta or password. */
  resource: Record<string, unknown>;
  /** Its lookup values: user name and emails lower-cased, the external id exactly. */
  lookup: { userName: string; externalId?: string; emails: string[] };
  /** The starter's employee id, fixed when the user was first provisioned. */
  employeeId: string;
  /** The starter's first day, fixed when first known. */
  startDate: string;
  created: string;
  lastModified: string;
  /** Counts the user's writes; the resource's ETag. */
  version: number;
}

/** Whether a SCIM user holds `value` (as its lookup keeps it) as its `key`. */
export function holdsLookup(user: ScimUser, key: ScimLookupKey, value: string): boolean {
  if (key === 'userName') return user.lookup.userName === value;
  if (key === 'externalId') return user.lookup.externalId === value;
  if (key === 'employeeId') return user.employeeId === value;
  return user.lookup.emails.includes(value);
}

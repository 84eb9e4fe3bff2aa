// The small interfaces the core needs from the outside world; adapters implement them.
import type {
  Assignment,
  AttemptRecord,
  CertificateRecord,
  Chase,
  DeadLetter,
  DeclineEvidence,
  DeliveryKind,
  Digest,
  DigestKey,
  DueKind,
  ErasureEntry,
  Evidence,
  MailAttempt,
  MailKind,
  OwedDeliveries,
  PolicyVersion,
  RetainStep,
  ScimLookupKey,
  ScimUser,
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

export interface AfterSend {
  next?: { kind: MailKind; dueAt: Date };
  chase?: Chase;
  status?: 'invited';
  /** The sign-by date fixed by the first invite (a policy's `due:`), stored with it. */
  signBy?: string;
  /** A receipt's: the certificate it carried, recorded in the same conditional write as the send. */
  certificate?: CertificateRecord;
}

export interface DueItem {
  assignmentId: string;
  dueAt: string;
  dueKind: DueKind;
}

/** An assignment as the policy index holds it: enough to count and choose, not to show. */
export interface PolicyAssignment {
  assignmentId: string;
  starterId: string;
  policyVersion: number;
  status: Assignment['status'];
  createdAt: string;
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

/** SES's report that an attempt's email was sent: as its message id, at a time. */
export interface SentAttempt {
  attemptId: string;
  messageId: string;
  at: string;
}

/** The HR events already seen: every copy of one is answered alike. */
export interface EventReceipts {
  /**
   * The stored response to an HR event already processed, if any, read strongly consistently: a
   * retry sent after the response was stored finds it. (An item an earlier version left with only
   * a claim on the event holds no response: none.)
   */
  getEventReceipt(source: string, eventId: string): Promise<unknown | undefined>;
  /**
   * Remembers an HR event's response unless one is stored; returns the response stored, which is
   * the first written: a concurrent copy's, if it came first. This conditional write, not any
   * read before the work, is what makes every copy answer alike.
   */
  putEventReceipt(source: string, eventId: string, response: unknown, expiresAt: Date): Promise<unknown>;
}

/** The starters, as HR last described them. */
/**
 * How a read sees the table: `strong` (the default) sees every write acknowledged before it;
 * `eventual` costs half and may miss one made in about the last second — asked for only where such
 * a stale read is harmless (README, *Reads and their consistency*).
 */
export type ReadConsistency = 'strong' | 'eventual';

export interface Starters {
  getStarter(starterId: string, consistency?: ReadConsistency): Promise<Starter | undefined>;
  /**
   * Writes the starter whole, as HR last described them; an ErasedError, writing nothing, when the
   * starter stored was erased (no HR event brings an erased person's data back).
   */
  putStarter(starter: Starter): Promise<void>;
  /** The starters with these ids that exist, by id. */
  getStarters(starterIds: readonly string[]): Promise<Map<string, Starter>>;
}

/** What changed about a starter that their unsigned asks keep (`Assignments.retold`): one or both. */
export type Retold =
  | { emailSince: Date; timeZone?: string | undefined }
  | { emailSince?: Date | undefined; timeZone: string };

/**
 * The assignments: one per starter and policy version, made once, changed only by conditional
 * writes that keep their status honest.
 */
export interface Assignments {
  /** Creates the assignment unless it exists; returns what is stored either way. */
  createAssignment(assignment: Assignment): Promise<Assignment>;
  getAssignment(assignmentId: string, consistency?: ReadConsistency): Promise<Assignment | undefined>;
  /** The assignments with these ids that exist, by id. */
  getAssignments(assignmentIds: readonly string[]): Promise<Map<string, Assignment>>;
  /**
   * Stops chasing: status cancelled and no work owed, unless already acknowledged; with
   * `supersededBy`, because that assignment (of a newer version) is asked instead. Returns false
   * when refused (acknowledged, or no such assignment).
   */
  cancelAssignment(
    assignmentId: string,
    at: Date,
    supersededBy?: NonNullable<Assignment['supersededBy']>,
  ): Promise<boolean>;
  /**
   * The starter has a new address: a bounced assignment owes the invite again, from `dueAt`
   * (when the sweeper re-drives it). Returns false unless it was bounced.
   */
  reopenBounced(assignmentId: string, dueAt: Date): Promise<boolean>;
  /**
   * The starter's address or time zone changed, in one write. A new address at `emailSince`: an ask
   * not yet signed keeps the time, so a link emailed before then — to the old address — signs
   * nothing. A new `timeZone`: an ask not yet signed keeps it, so its receipt says when it is signed
   * in the zone the person is in. Returns false for an ask signed (which keeps the zone it was
   * signed in) or unknown.
   */
  retold(assignmentId: string, change: Retold): Promise<boolean>;
  /**
   * The starter is back (HR sent starter.created after cancelling them): an ask cancelled with
   * them — not signed, not withdrawn for a newer version — owes a fresh invite from `dueAt`, its
   * chase started afresh; or, `bounced`, is bounced again, owing nothing (its address refused it
   * and is still the one on file). Returns false unless it was such an ask.
   */
  reopenCancelled(assignmentId: string, how: { dueAt: Date } | { bounced: true }): Promise<boolean>;
  /**
   * SES reported a bounce or complaint for an email of this assignment: unless signed, cancelled
   * or bounced already, status bounced, chasing stopped, and (with `noticeDueAt`) the manager's
   * notice owed. Returns false when nothing changed.
   */
  markBounced(
    assignmentId: string,
    bounce: NonNullable<Assignment['bounce']>,
    noticeDueAt: Date | undefined,
  ): Promise<boolean>;
  /**
   * Makes a fresh invite owed now, for a starter whose link expired: only if not acknowledged or
   * cancelled, nothing else is owed, and no fresh link was asked for since `notSince`.
   * Returns false when refused.
   */
  requestFreshLink(assignmentId: string, now: Date, notSince: Date): Promise<boolean>;
  /**
   * Records the evidence exactly once (conditional on attribute_not_exists(ack)), in the same
   * write making the receipt email and each LMS delivery in `deliveries` owed from `dueAt` (when
   * the sweeper re-drives them, should their queue messages be lost) and listing it among the signers;
   * with `reduceIpAt`, owing retention's `reduce-ip` step then.
   */
  recordAcknowledgement(
    assignmentId: string,
    evidence: Evidence,
    deliveries: OwedDeliveries,
    dueAt: Date,
    reduceIpAt?: Date,
  ): Promise<AckOutcome>;
  /**
   * Records a decline, in one write conditional on no agreement, not withdrawn and fewer than
   * MAX_DECLINES kept: appended to `declines`, status declined, and the mail lane owing the
   * decline notice from `noticeDueAt` in place of whatever it owed (the chase stops: a reminder,
   * an escalation or a digest is no longer this assignment's to send); with `reduceIpAt`, retention's
   * `reduce-ip` step owed then, unless a step is owed already (an earlier decline's, which is sooner).
   */
  recordDecline(
    assignmentId: string,
    decline: DeclineEvidence,
    noticeDueAt: Date,
    reduceIpAt?: Date,
  ): Promise<AckOutcome>;
}

/** The lanes of owed work (model.ts), mail and deliveries alike: what falls due, and who holds it. */
export interface DueWork {
  /**
   * Work falling due before `before`, oldest first, from every lane's sparse index — each of its
   * shards, and the unsharded value items written before sharding hold (at most `limit` per shard
   * of each lane).
   */
  queryDue(before: Date, limit: number): Promise<DueItem[]>;
  /**
   * Claims a due item for dispatch by moving its lane's due time to `redriveAt`, conditional on
   * it still being `seenDueAt`: of two overlapping sweeps only one dispatches it.
   */
  deferDue(assignmentId: string, kind: DueKind, seenDueAt: string, redriveAt: Date): Promise<boolean>;
  /** The work `kind`'s lane owes, as the assignment itself holds it (not its index): undefined when none. */
  laneDue(assignmentId: string, kind: DueKind): Promise<DueItem | undefined>;
  /**
   * Leases the owed work of `kind` so that one worker does it: succeeds only while that work is
   * owed and no unexpired lease is held. Returns the assignment, or undefined if not claimed.
   */
  claimWork(
    assignmentId: string,
    kind: DueKind,
    now: Date,
    leaseUntil: Date,
    /** When given, the lane's due time must still be this: the step the message was sent for. */
    seenDueAt?: string,
    /**
     * The mail lane's email attempt, recorded with the lease: `next` is stored, and the lane's
     * attempt must still be `seen` (none when undefined), so no interrupted attempt is overlooked;
     * or, with `otherKindOnly`, the lane must hold no attempt of `next`'s kind (none, or one of
     * another step's): the claim a step makes without reading first.
     */
    attempt?: { next: MailAttempt; seen: string | undefined } | { next: MailAttempt; otherKindOnly: true },
  ): Promise<Assignment | undefined>;
  /**
   * Gives a lease back after a failure, so a retry or the sweeper can take the work again; with
   * `abandonedAttempt`, that attempt (if still the lane's) is forgotten too: its email surely did
   * not go, so the retry need not wait for SES's word on it.
   */
  releaseWork(assignmentId: string, kind: DueKind, abandonedAttempt?: string): Promise<void>;
}

/** The mail lane's steps, each recorded by the holder of its lease, and SES's word on what was sent. */
export interface MailWork {
  /**
   * Records a sent email, conditional on holding its lease: the mail lane then owes `after.next`
   * (the next reminder or the escalation) or nothing; `after.chase` and `after.status` are stored.
   */
  recordSend(assignmentId: string, send: SendRecord, after?: AfterSend): Promise<void>;
  /** Clears a step that turned out to need no email, conditional on holding its lease. */
  finishStep(assignmentId: string, kind: MailKind): Promise<void>;
  /**
   * The escalation, conditional on holding its lease: status overdue, chasing stopped; with
   * `digestDueAt` the mail lane owes the digest email then.
   */
  escalate(assignmentId: string, update: { at: Date; digest?: DigestKey; digestDueAt?: Date }): Promise<void>;
  /**
   * Notes SES's word that an attempt's email was sent, as `messageId` (from the email's tags in
   * SES's own events); the first note stands.
   */
  recordSentAttempt(assignmentId: string, attemptId: string, messageId: string, at: Date): Promise<void>;
  /** The SES message id an attempt's email was sent as, when SES has said so. */
  getSentAttempt(assignmentId: string, attemptId: string): Promise<string | undefined>;
  /** Every attempt SES has reported a send of, for the assignment: its message id and when SES said so. */
  getSentAttempts(assignmentId: string): Promise<SentAttempt[]>;
}

/** A manager's daily digest of escalations: one email, sent by the first to close it. */
export interface Digests {
  /**
   * Joins a manager's digest of a day: 'owner' for the first to join, 'member' for the rest,
   * 'closed' when it has gone already (join the next day's). With `expiresAt`, DynamoDB's TTL
   * deletes the digest then (retention: RETAIN_EVIDENCE after its day).
   */
  joinDigest(
    key: DigestKey,
    managerName: string,
    assignmentId: string,
    expiresAt?: Date,
  ): Promise<'owner' | 'member' | 'closed'>;
  /**
   * Closes a digest to late joiners; the first to close it is `closedBy` (and sends it). Returns
   * it, or undefined if there is no such digest.
   */
  closeDigest(key: DigestKey, by: string, at: Date): Promise<Digest | undefined>;
  recordDigestSent(key: DigestKey, at: Date, messageId: string): Promise<void>;
}

/** The LMS deliveries of agreements, each destination in its own lane, and each destination's state. */
export interface Deliveries {
  /**
   * Records one attempt of a destination's delivery, conditional on its lane being owed:
   * `delivered` clears it; `retryAt` keeps it owed from then; `dead` parks it among the dead
   * letters (kept in the lane's index under their own shard) for replay.
   */
  recordDeliveryAttempt(
    assignmentId: string,
    kind: DeliveryKind,
    attempt: {
      status: number | null;
      at: Date;
      outcome: { delivered: true } | { retryAt: Date } | { dead: DeadLetter };
      /** False when nothing was sent (a disabled destination): not counted as an attempt. */
      sent?: boolean;
      /** Fields set on the delivery for later attempts (Moodle's user id once looked up). */
      remember?: Record<string, string | number>;
      /** The delivery's attempt log with this attempt (`withAttempt`), written in the same update. */
      log?: { attemptLog: AttemptRecord[]; attemptsDropped: number };
    },
  ): Promise<void>;
  /**
   * Makes a delivery owed from `dueAt` to a destination an agreement was not delivered to (one
   * added since): only if acknowledged, not erased, and that destination has no delivery yet.
   * Returns false when refused.
   */
  oweDelivery(assignmentId: string, deliveries: OwedDeliveries, dueAt: Date): Promise<boolean>;
  /** Dead-lettered deliveries of every destination, oldest first (at most `limit` of each). */
  deadLetters(limit: number): Promise<Array<{ assignmentId: string; kind: DeliveryKind; deadAt: string }>>;
  /** Makes a dead-lettered delivery owed again from `at`, its attempts counted afresh. */
  replayDelivery(assignmentId: string, kind: DeliveryKind, at: Date): Promise<boolean>;
  /** A destination's state: disabled after it answered 410 Gone, until enabled again. */
  getDestination(kind: DeliveryKind): Promise<Destination>;
  setDestination(kind: DeliveryKind, destination: Destination): Promise<void>;
}

/** The published policy versions: immutable once stored, since evidence names them. */
export interface Policies {
  /**
   * Stores a policy version unless that version exists: 'created', 'same' (already stored with
   * this text) or 'conflict' (stored with other text, which never changes).
   */
  putPolicyVersion(policy: PolicyVersion): Promise<'created' | 'same' | 'conflict'>;
  getPolicyVersion(policyId: string, version: number): Promise<PolicyVersion | undefined>;
  /** The newest published version of a policy, which new assignments get. */
  getLatestPolicyVersion(policyId: string): Promise<PolicyVersion | undefined>;
}

/** The assignments of a policy, read from the indexes by policy: who was asked, and who signed. */
export interface PolicyIndex {
  /** Acknowledged assignments of a policy at versions below `belowVersion`, newest version first. */
  signers(policyId: string, belowVersion: number): AsyncIterable<Signer>;
  /**
   * Every assignment of a policy, of every version and status, oldest first, a page at a time, as
   * the policy index holds it; `range` bounds when they were made (createdAt, from `since`
   * inclusive to `until` exclusive).
   */
  assignmentsOf(policyId: string, range?: { since?: Date; until?: Date }): AsyncIterable<PolicyAssignment[]>;
}

/** Each assignment's append-only record of what happened to it. */
export interface AuditTrail {
  /**
   * Appends to an assignment's audit trail; the same (time, kind) twice is stored once — per
   * destination, when the detail names one.
   */
  appendAudit(assignmentId: string, kind: string, at: Date, detail?: Record<string, string>): Promise<void>;
  /**
   * Appends several events at once (in one request): only events new by construction — written
   * by the one writer whose conditional write just made them so — or already stored exactly so,
   * as each is put unconditionally.
   */
  appendAudits(
    assignmentId: string,
    events: ReadonlyArray<{ kind: string; at: Date; detail?: Record<string, string> }>,
  ): Promise<void>;
  getAuditTrail(assignmentId: string): Promise<AuditEvent[]>;
}

/**
 * The users an identity provider provisioned over SCIM, each the starter it became. Lookup entries
 * by user name, external id, email (lower-cased; external ids exactly) and employee id are written before the
 * user and removed after it, so a crash between leaves an entry naming a user who no longer holds
 * the value: `findScimUsers` answers only users who do.
 */
export interface ScimUsers {
  getScimUser(id: string): Promise<ScimUser | undefined>;
  /** The users holding `value` as their `key` (as `lookup` holds it), in id order. */
  findScimUsers(key: ScimLookupKey, value: string): Promise<ScimUser[]>;
  /** Every user, in id order. */
  listScimUsers(): Promise<ScimUser[]>;
  /**
   * Writes `user` if the stored user is still `previous` (its version), or none is stored when
   * `previous` is undefined; false when another write came first. Returns true, writing nothing,
   * for a user already stored exactly so.
   */
  putScimUser(user: ScimUser, previous?: ScimUser): Promise<boolean>;
  /** Removes a user if it is still at `user`'s version; false otherwise. */
  deleteScimUser(user: ScimUser): Promise<boolean>;
}

/** A retention step owed, as the `retain` index lists it. */
export interface RetainItem {
  assignmentId: string;
  retainAt: string;
  retainStep: RetainStep;
}

/**
 * Retention on the table: the step each assignment owes (in the sparse `retain` index while one
 * is), and DynamoDB's TTL (`expiresAt`) on what may go. Every step is conditional on the due time
 * read, so two sweeps never both act on one.
 */
export interface Retention {
  /** Steps falling due by `before`, oldest first, at most `limit`. */
  queryRetention(before: Date, limit: number): Promise<RetainItem[]>;
  /**
   * The starter left at `leftAt`: noted (a time noted already stands), and the `expire` step owed
   * at `expireAt` unless a step is owed already (a `reduce-ip` runs first, and schedules it).
   * False when there is no such assignment, or it is expiring already.
   */
  noteLeaving(assignmentId: string, leftAt: Date, expireAt: Date): Promise<boolean>;
  /**
   * The starter is back: their leaving is forgotten, an `expire` step owed is dropped, and an
   * expiry already set on the assignment's items is taken off (before DynamoDB deletes them).
   * False when there was no leaving to forget.
   */
  clearLeaving(assignmentId: string): Promise<boolean>;
  /**
   * Reduces the evidence's IP address and browser (`reduce-ip`), conditional on that step being
   * owed at `seenAt`: then owes `next`, or nothing. False when refused.
   */
  reduceEvidence(
    assignmentId: string,
    seenAt: string,
    /** The agreement's reduced values; undefined leaves the agreement as it is (none, or not due yet). */
    reduced: { ipAddress: string; userAgent: string; reducedAt: string } | undefined,
    next?: { step: RetainStep; at: Date },
    /**
     * The declines, every one, with those due reduced: written whole, conditional on none having
     * been added since they were read (refused then; the step stays owed for the next sweep).
     */
    declines?: DeclineEvidence[],
  ): Promise<boolean>;
  /** Moves the step owed at `seenAt` to `next`, or with none, owes nothing more. False when refused. */
  moveRetention(
    assignmentId: string,
    seenAt: string,
    next?: { step: RetainStep; at: Date },
  ): Promise<boolean>;
  /**
   * Expires an assignment: every item of its partition (its audit trail, SES's word on its
   * emails) gets `expiresAt`, then — conditional on the `expire` step owed at `seenAt` — the
   * assignment too, owing nothing more. False when refused; the partition's marks are then lifted
   * unless the assignment is expiring (another sweep's work).
   */
  expireAssignment(assignmentId: string, seenAt: string, expiresAt: Date): Promise<boolean>;
  /** Expires a leaver's profile, conditional on their still being cancelled. False when refused (they are back). */
  expireStarter(starterId: string, expiresAt: Date): Promise<boolean>;
}

/**
 * Erasure (`attest privacy erase`): each record of the person rewritten once, in place, by a
 * conditional write that refuses a record erased already, so an erasure run again (or replayed
 * over a restored table) finishes what an interrupted one began and changes nothing else.
 */
export interface Erasures {
  /**
   * Logs an erasure before any record is changed, so a replay after a restore finds it; an entry
   * already logged for the starter is kept, and answered.
   */
  logErasure(entry: ErasureEntry): Promise<ErasureEntry>;
  /** Every erasure logged, oldest first. */
  erasureLog(): Promise<ErasureEntry[]>;
  /** The starter's erasure, if logged: kept after retention has deleted everything else of theirs. */
  getErasure(starterId: string): Promise<ErasureEntry | undefined>;
  /**
   * Writes `erased` over the assignment `read` (erasedAt set): 'erased'; 'erased-before' when it
   * was erased already; 'busy' when it owes work now (an email, or a delivery pending) or a
   * delivery moved since it was read. A dead delivery leaves its lane: it is never replayed.
   */
  eraseAssignment(read: Assignment, erased: Assignment): Promise<'erased' | 'erased-before' | 'busy'>;
  /** Replaces an audit event's detail (its key, kind and time kept), once: false when done already. */
  eraseAuditEvent(
    assignmentId: string,
    event: AuditEvent,
    detail: Record<string, string>,
    at: Date,
  ): Promise<boolean>;
  /** Writes the erased starter (`erased` set) over the one stored, unless it is erased already. */
  eraseStarter(erased: Starter): Promise<boolean>;
}

/**
 * Every port of the table together: what the composition roots (functions, local, bin) wire. A use
 * case depends on the few operations it uses, never on this.
 */
export type Store = EventReceipts &
  Starters &
  Assignments &
  DueWork &
  MailWork &
  Digests &
  Deliveries &
  Policies &
  PolicyIndex &
  Retention &
  AuditTrail &
  ScimUsers &
  Erasures;

/** Counts of things worth an alarm (CloudWatch metrics on AWS, by embedded metric format). */
export interface Metrics {
  /** Adds one to the metric `name`, under the given dimensions. */
  count(name: string, dimensions?: Record<string, string>): void;
}

export interface Queue {
  send(message: WorkMessage, delaySeconds?: number): Promise<void>;
  /**
   * Sends many messages, ten to a call (SQS's SendMessageBatch); resolves with those not sent, by
   * their index in `entries` and an error code (the queue's, never the message), and rejects only
   * on a bad argument. Each message not sent is still owed in the table: the sweeper re-drives it.
   */
  sendBatch(entries: readonly QueueEntry[]): Promise<QueueFailure[]>;
}

/** One message of a batch, with its delivery delay. */
export interface QueueEntry {
  message: WorkMessage;
  delaySeconds?: number;
}

/** A message of a batch not sent: its index in the batch, and why (an error code). */
export interface QueueFailure {
  index: number;
  code: string;
}

export interface OutgoingEmail {
  to: string;
  /** More addresses the same email goes to (To, beside `to`): a decline notice's HR address. */
  alsoTo?: string[];
  subject: string;
  html: string;
  text: string;
  tags: Record<string, string>;
  headers?: Record<string, string>;
  /** Files attached (a receipt's certificate): each name carries no personal data. */
  attachments?: EmailAttachment[];
}

export interface EmailAttachment {
  fileName: string;
  contentType: string;
  content: Uint8Array;
}

export interface Mailer {
  /**
   * Sends one email; returns the provider's message id. Rejects with EmailMaybeSentError when the
   * provider did not answer (the email may have gone); any other rejection means it was not sent.
   * No header may break its line: a control or line-breaking character in the To address, a header
   * name or value (or the sender's From and Reply-To) refuses the send with a HeaderError
   * (`mail.header_unsafe`); in the subject, each run of them is sent as one space.
   */
  send(email: OutgoingEmail): Promise<string>;
}

export interface HttpResponse {
  status: number;
  body: string;
  /** The Retry-After header, as sent. */
  retryAfter?: string | undefined;
}

export interface Destination {
  state: 'enabled' | 'disabled';
  /** Why and when it was disabled. */
  reason?: string;
  at?: string;
}

export interface HttpRequest {
  method: 'POST' | 'PUT';
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface HttpClient {
  /** Sends one request, redirects not followed; rejects on a timeout or network error. */
  send(request: HttpRequest, timeoutMs: number): Promise<HttpResponse>;
}

/** Where the link keys live (on AWS, the Secrets Manager secret ACK_TOKEN_KEYS_SECRET_ARN names). */
export interface KeyVault {
  /** The secret, and its version (when the vault has versions). */
  read(): Promise<{ value: string; version?: string }>;
  /** Writes `value`, refusing if the secret is no longer at `version` (someone else wrote it). */
  write(value: string, version?: string): Promise<void>;
}

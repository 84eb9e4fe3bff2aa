// Hand-written fakes of the ports for core unit tests: an in-memory Store that refuses exactly what the DynamoDB adapter's conditions refuse, recorders for the rest, and sample records.

import type { Certificate, CertificateInput } from '#shared/core/certificate.ts';
import type { XapiSettings } from '#shared/core/destinations/xapi.ts';
import { ErasedError } from '#shared/core/errors.ts';
import { assignmentIdFor, starterIdFor } from '#shared/core/ids.ts';
import { versionText } from '#shared/core/language.ts';
import type {
  Assignment,
  AssignmentStatus,
  AttemptRecord,
  DeadLetter,
  DeclineEvidence,
  Delivery,
  DeliveryKind,
  Digest,
  DigestKey,
  DueKind,
  ErasureEntry,
  Evidence,
  LinkEvidence,
  MailAttempt,
  MailKind,
  OnBehalfEvidence,
  OwedDeliveries,
  PolicyTranslation,
  PolicyVersion,
  RetainStep,
  ScimLookupKey,
  ScimUser,
  SendRecord,
  Starter,
  WorkMessage,
} from '#shared/core/model.ts';
import { agreedTo, DELIVERY_KINDS, holdsLookup, isDeliveryKind, MAX_DECLINES } from '#shared/core/model.ts';
import { policySha256 } from '#shared/core/policy.ts';
import { defaultRetention, type RetentionSettings } from '#shared/core/privacy/retention.ts';
import type { ReportRow } from '#shared/core/report.ts';
import type {
  AckOutcome,
  AfterSend,
  AuditEvent,
  Clock,
  Destination,
  HttpClient,
  HttpRequest,
  HttpResponse,
  KeyVault,
  Logger,
  Mailer,
  Metrics,
  OutgoingEmail,
  Queue,
  QueueEntry,
  QueueFailure,
  ReadConsistency,
  Retold,
  Store,
} from '#shared/ports.ts';

const copy = <T>(value: T): T => structuredClone(value);

/** What DynamoDB throws when a ConditionExpression fails; the adapter lets some of these through. */
export function conditionFailed(): Error {
  return Object.assign(new Error('The conditional request failed'), {
    name: 'ConditionalCheckFailedException',
  });
}

/**
 * `dead` stands for the adapter's `{lane}Shard = 'dead'`: each delivery lane holding a dead letter,
 * out of the sweeper's sight.
 */
type StoredAssignment = Assignment & {
  cancelledAt?: string;
  freshLinkAt?: string;
  escalatedAt?: string;
  dead?: Partial<Record<DeliveryKind, true>>;
};

/** The adapter's lanes: the due time and the lease of each. */
const laneOf = (kind: DueKind) =>
  isDeliveryKind(kind)
    ? ({ due: `${kind}DueAt`, lease: `${kind}LeaseUntil` } as const)
    : ({ due: 'dueAt', lease: 'leaseUntil' } as const);

/**
 * The Store port in memory. Each write checks and mutates with no await in between, so it is as
 * atomic as a single-item DynamoDB write; reads return copies, so callers cannot mutate the state.
 */
export class FakeStore implements Store {
  /** An event's receipt: its response, once answered. */
  readonly receipts = new Map<string, { response: unknown; expiresAt: Date }>();
  readonly starters = new Map<string, Starter>();
  readonly scimUsers = new Map<string, ScimUser>();
  readonly assignments = new Map<string, StoredAssignment>();
  readonly policies = new Map<string, PolicyVersion>();
  /** By `manager address#day`, the address lower-cased: see digestKeyOf. */
  readonly digests = new Map<string, Digest>();
  readonly destinations = Object.fromEntries(
    DELIVERY_KINDS.map((kind) => [kind, { state: 'enabled' }]),
  ) as Record<DeliveryKind, Destination>;
  readonly audit: Array<{
    assignmentId: string;
    kind: string;
    at: string;
    detail?: Record<string, string>;
    erasedAt?: string;
  }> = [];
  /** Names of the writes made, in order, for asserting that a path wrote nothing. */
  readonly writes: string[] = [];
  /** Retention's TTL (epoch seconds) on an assignment's other items (its audit trail, sent attempts), by assignment. */
  readonly partitionExpiry = new Map<string, number>();
  /** Retention's TTL (epoch seconds) on a manager's digest, by `manager address#day` (see digestKeyOf). */
  readonly digestExpiry = new Map<string, number>();
  /** Retention's TTL (epoch seconds) on a starter's profile, by starter. */
  readonly starterExpiry = new Map<string, number>();

  async getEventReceipt(source: string, eventId: string) {
    return copy(this.receipts.get(`${source}#${eventId}`)?.response);
  }

  async putEventReceipt(source: string, eventId: string, response: unknown, expiresAt: Date) {
    this.writes.push('putEventReceipt');
    // attribute_not_exists(response): the first receipt stands.
    const k = `${source}#${eventId}`;
    const stored = this.receipts.get(k);
    if (stored) return copy(stored.response);
    this.receipts.set(k, { response: copy(response), expiresAt });
    return copy(response);
  }

  async getStarter(starterId: string, _consistency?: ReadConsistency) {
    return copy(this.starters.get(starterId));
  }

  async putStarter(starter: Starter) {
    this.writes.push('putStarter');
    // attribute_not_exists(erased)
    if (this.starters.get(starter.starterId)?.erased) throw new ErasedError();
    this.starters.set(starter.starterId, copy(starter));
    // A put writes the item whole: an expiry it held is gone.
    this.starterExpiry.delete(starter.starterId);
  }

  async createAssignment(assignment: Assignment) {
    this.writes.push('createAssignment');
    // attribute_not_exists(pk): an existing assignment is returned as stored.
    if (!this.assignments.has(assignment.assignmentId)) {
      this.assignments.set(assignment.assignmentId, copy(assignment));
      return copy(assignment);
    }
    return shown(this.assignments.get(assignment.assignmentId) as StoredAssignment);
  }

  /** Always strongly consistent: `_consistency` is what the caller asked of the table. */
  async getAssignment(assignmentId: string, _consistency?: ReadConsistency) {
    const a = this.assignments.get(assignmentId);
    return a && shown(a);
  }

  async cancelAssignment(
    assignmentId: string,
    at: Date,
    supersededBy?: NonNullable<Assignment['supersededBy']>,
  ) {
    this.writes.push('cancelAssignment');
    const a = this.assignments.get(assignmentId);
    // attribute_exists(pk) AND attribute_not_exists(ack)
    if (!a || a.ack) return false;
    a.status = 'cancelled';
    a.cancelledAt = at.toISOString();
    if (supersededBy) a.supersededBy = copy(supersededBy);
    clearDue(a);
    return true;
  }

  async claimWork(
    assignmentId: string,
    kind: DueKind,
    now: Date,
    leaseUntil: Date,
    seenDueAt?: string,
    attempt?: { next: MailAttempt; seen: string | undefined } | { next: MailAttempt; otherKindOnly: true },
  ) {
    const a = this.assignments.get(assignmentId);
    // owes(kind) [AND due = :seen] AND (attribute_not_exists(lease) OR lease < :now) [AND attempt seen]
    if (!a || !owes(a, kind)) return undefined;
    if (seenDueAt !== undefined && a[laneOf(kind).due] !== seenDueAt) return undefined;
    const { lease } = laneOf(kind);
    if (a[lease] !== undefined && !((a[lease] as string) < now.toISOString())) return undefined;
    if (attempt && 'seen' in attempt && a.attempt?.id !== attempt.seen) return undefined;
    // (attribute_not_exists(attempt) OR attempt.kind <> :attemptKind)
    if (attempt && 'otherKindOnly' in attempt && a.attempt && a.attempt.kind === attempt.next.kind)
      return undefined;
    // A claim refused writes nothing.
    this.writes.push('claimWork');
    a[lease] = leaseUntil.toISOString();
    if (attempt) a.attempt = copy(attempt.next);
    return shown(a);
  }

  /** SES's word on attempts, by `assignmentId#attemptId`: the message id. */
  readonly sentAttempts = new Map<
    string,
    { assignmentId: string; attemptId: string; messageId: string; at: string }
  >();

  async recordSentAttempt(assignmentId: string, attemptId: string, messageId: string, at: Date) {
    this.writes.push('recordSentAttempt');
    // attribute_not_exists(pk): the first note stands.
    const k = `${assignmentId}#${attemptId}`;
    if (!this.sentAttempts.has(k)) {
      this.sentAttempts.set(k, { assignmentId, attemptId, messageId, at: at.toISOString() });
    }
  }

  async getSentAttempt(assignmentId: string, attemptId: string) {
    return this.sentAttempts.get(`${assignmentId}#${attemptId}`)?.messageId;
  }

  async getSentAttempts(assignmentId: string) {
    return [...this.sentAttempts.values()]
      .filter((a) => a.assignmentId === assignmentId)
      .map(({ attemptId, messageId, at }) => ({ attemptId, messageId, at }))
      .sort((a, b) => a.at.localeCompare(b.at) || a.attemptId.localeCompare(b.attemptId));
  }

  async releaseWork(assignmentId: string, kind: DueKind, abandonedAttempt?: string) {
    this.writes.push('releaseWork');
    const a = this.assignments.get(assignmentId);
    // owes(kind) [AND attempt.id = :attempt]
    if (!a || !owes(a, kind)) return;
    if (abandonedAttempt !== undefined && a.attempt?.id !== abandonedAttempt) return;
    delete a[laneOf(kind).lease];
    if (abandonedAttempt !== undefined) delete a.attempt;
  }

  async recordSend(assignmentId: string, send: SendRecord, after: AfterSend = {}) {
    this.writes.push('recordSend');
    const a = this.assignments.get(assignmentId);
    // dueKind = :kind AND attribute_exists(leaseUntil); the adapter lets the failure through.
    if (a?.dueKind !== send.kind || a.leaseUntil === undefined) throw conditionFailed();
    if (after.status) a.status = after.status;
    if (after.chase) a.chase = copy(after.chase);
    if (after.signBy) a.signBy = after.signBy;
    if (after.certificate) a.certificate = copy(after.certificate);
    a.sends = [...(a.sends ?? []), copy(send)];
    // REMOVE attempt: the send record settles it.
    delete a.attempt;
    if (after.next) {
      a.dueKind = after.next.kind;
      a.dueAt = after.next.dueAt.toISOString();
      delete a.leaseUntil;
    } else clearDue(a);
  }

  async finishStep(assignmentId: string, kind: MailKind) {
    this.writes.push('finishStep');
    const a = this.assignments.get(assignmentId);
    if (a?.dueKind !== kind || a.leaseUntil === undefined) throw conditionFailed();
    clearDue(a);
  }

  async escalate(assignmentId: string, update: { at: Date; digest?: DigestKey; digestDueAt?: Date }) {
    this.writes.push('escalate');
    const a = this.assignments.get(assignmentId);
    // dueKind = :escalation AND attribute_exists(leaseUntil)
    if (a?.dueKind !== 'escalation' || a.leaseUntil === undefined) throw conditionFailed();
    a.status = 'overdue';
    (a as StoredAssignment).escalatedAt = update.at.toISOString();
    if (update.digest) a.digest = copy(update.digest);
    if (update.digestDueAt) {
      a.dueKind = 'digest';
      a.dueAt = update.digestDueAt.toISOString();
      delete a.leaseUntil;
    } else clearDue(a);
  }

  async joinDigest(key: DigestKey, managerName: string, assignmentId: string, expiresAt?: Date) {
    this.writes.push('joinDigest');
    const k = digestKeyOf(key);
    const d = this.digests.get(k);
    // attribute_not_exists(closedAt); owner = if_not_exists(owner, :me); ADD members :me
    if (d?.closedAt) return 'closed' as const;
    // expiresAt = if_not_exists(expiresAt, :expires)
    if (expiresAt && !this.digestExpiry.has(k))
      this.digestExpiry.set(k, Math.floor(expiresAt.getTime() / 1000));
    const digest = d ?? { ...copy(key), managerName, owner: assignmentId, members: [] };
    if (!digest.members.includes(assignmentId)) digest.members.push(assignmentId);
    this.digests.set(k, digest);
    return digest.owner === assignmentId ? ('owner' as const) : ('member' as const);
  }

  async closeDigest(key: DigestKey, by: string, at: Date) {
    this.writes.push('closeDigest');
    const d = this.digests.get(digestKeyOf(key));
    // attribute_exists(pk); closedAt, closedBy = if_not_exists(…)
    if (!d) return undefined;
    d.closedAt ??= at.toISOString();
    d.closedBy ??= by;
    return copy(d);
  }

  async recordDigestSent(key: DigestKey, at: Date, _messageId: string) {
    this.writes.push('recordDigestSent');
    const d = this.digests.get(digestKeyOf(key));
    // attribute_exists(pk): never a stray digest holding only the time; the adapter lets the failure through.
    if (!d) throw conditionFailed();
    d.sentAt = at.toISOString();
  }

  async reopenBounced(assignmentId: string, dueAt: Date) {
    this.writes.push('reopenBounced');
    const a = this.assignments.get(assignmentId);
    // #status = :bounced
    if (a?.status !== 'bounced') return false;
    a.status = 'pending';
    a.dueKind = 'invite';
    a.dueAt = dueAt.toISOString();
    delete a.bounce;
    delete a.leaseUntil;
    delete a.attempt;
    return true;
  }

  /** The starter's address's date or time zone on an ask, as the adapter's setWhileUnsigned sets them. */
  private setWhileUnsigned(assignmentId: string, change: Pick<Assignment, 'emailSince' | 'timeZone'>) {
    const a = this.assignments.get(assignmentId);
    // attribute_exists(pk) AND attribute_not_exists(ack)
    if (!a || a.ack) return false;
    Object.assign(a, change);
    return true;
  }

  async retold(assignmentId: string, { emailSince, timeZone }: Retold) {
    this.writes.push('retold');
    return this.setWhileUnsigned(assignmentId, {
      ...(emailSince && { emailSince: emailSince.toISOString() }),
      ...(timeZone && { timeZone }),
    });
  }

  async reopenCancelled(assignmentId: string, how: { dueAt: Date } | { bounced: true }) {
    this.writes.push('reopenCancelled');
    const a = this.assignments.get(assignmentId);
    // #status = :cancelled AND attribute_not_exists(ack) AND attribute_not_exists(supersededBy)
    if (a?.status !== 'cancelled' || a.ack || a.supersededBy) return false;
    for (const gone of ['cancelledAt', 'chase', 'digest', 'leaseUntil', 'attempt'] as const) delete a[gone];
    if (!('dueAt' in how)) {
      a.status = 'bounced';
      return true;
    }
    a.status = 'pending';
    a.dueKind = 'invite';
    a.dueAt = how.dueAt.toISOString();
    delete a.bounce;
    return true;
  }

  async markBounced(
    assignmentId: string,
    bounce: NonNullable<Assignment['bounce']>,
    noticeDueAt: Date | undefined,
  ) {
    this.writes.push('markBounced');
    const a = this.assignments.get(assignmentId);
    // attribute_exists(pk) AND attribute_not_exists(ack) AND status not cancelled, bounced or declined
    if (!a || a.ack || a.status === 'cancelled' || a.status === 'bounced' || a.status === 'declined')
      return false;
    a.status = 'bounced';
    a.bounce = copy(bounce);
    if (noticeDueAt) {
      a.dueKind = 'bounce-notice';
      a.dueAt = noticeDueAt.toISOString();
      delete a.leaseUntil;
    } else clearDue(a);
    return true;
  }

  async recordAcknowledgement(
    assignmentId: string,
    evidence: Evidence,
    deliveries: OwedDeliveries,
    dueAt: Date,
    reduceIpAt?: Date,
  ): Promise<AckOutcome> {
    this.writes.push('recordAcknowledgement');
    const a = this.assignments.get(assignmentId);
    // attribute_exists(pk) AND attribute_not_exists(ack) AND #status <> :cancelled
    if (!a || a.ack || a.status === 'cancelled') {
      return { recorded: false, assignment: (a && shown(a)) as Assignment };
    }
    a.ack = copy(evidence);
    a.status = 'acknowledged';
    for (const kind of DELIVERY_KINDS) {
      const id = deliveries[kind];
      if (!id) continue;
      a[kind] = { state: 'pending', attempts: 0, ...id };
      a[`${kind}DueAt`] = dueAt.toISOString();
    }
    a.dueAt = dueAt.toISOString();
    a.dueKind = 'receipt';
    // if_not_exists: an earlier decline's reduce-ip step stands (it is sooner).
    if (reduceIpAt && !a.retainStep) {
      a.retainStep = 'reduce-ip';
      a.retainAt = reduceIpAt.toISOString();
    }
    delete a.leaseUntil;
    return { recorded: true, assignment: shown(a) };
  }

  async recordDecline(
    assignmentId: string,
    decline: DeclineEvidence,
    noticeDueAt: Date,
    reduceIpAt?: Date,
  ): Promise<AckOutcome> {
    this.writes.push('recordDecline');
    const a = this.assignments.get(assignmentId);
    // attribute_exists(pk) AND attribute_not_exists(ack) AND #status <> :cancelled AND size(declines) < :max
    if (!a || a.ack || a.status === 'cancelled' || (a.declines?.length ?? 0) >= MAX_DECLINES) {
      return { recorded: false, assignment: (a && shown(a)) as Assignment };
    }
    a.declines = [...(a.declines ?? []), copy(decline)];
    a.status = 'declined';
    a.dueAt = noticeDueAt.toISOString();
    a.dueKind = 'decline-notice';
    if (reduceIpAt && !a.retainStep) {
      a.retainStep = 'reduce-ip';
      a.retainAt = reduceIpAt.toISOString();
    }
    delete a.leaseUntil;
    return { recorded: true, assignment: shown(a) };
  }

  async requestFreshLink(assignmentId: string, now: Date, notSince: Date) {
    this.writes.push('requestFreshLink');
    const a = this.assignments.get(assignmentId);
    if (!a || a.ack || a.status === 'cancelled' || a.status === 'bounced') return false;
    if (a.dueKind !== undefined && a.dueKind !== 'invite' && a.dueKind !== 'reminder') return false;
    if (a.freshLinkAt !== undefined && !(a.freshLinkAt < notSince.toISOString())) return false;
    a.dueKind = 'invite';
    a.dueAt = now.toISOString();
    a.freshLinkAt = now.toISOString();
    delete a.attempt;
    return true;
  }

  async recordDeliveryAttempt(
    assignmentId: string,
    kind: DeliveryKind,
    attempt: {
      status: number | null;
      at: Date;
      outcome: { delivered: true } | { retryAt: Date } | { dead: DeadLetter };
      sent?: boolean;
      remember?: Record<string, string | number>;
      log?: { attemptLog: AttemptRecord[]; attemptsDropped: number };
    },
  ) {
    this.writes.push('recordDeliveryAttempt');
    const a = this.assignments.get(assignmentId);
    const lane = laneOf(kind);
    // attribute_exists({lane}DueAt) AND begins_with({lane}Shard, 'due'); the adapter lets the failure through.
    if (!a || !owes(a, kind)) throw conditionFailed();
    // DynamoDB refuses `{lane}.attempts + :one` on an item with no such map.
    const delivery = a[kind] as Delivery | undefined;
    if (!delivery)
      throw Object.assign(new Error('The document path is invalid'), { name: 'ValidationException' });
    if (attempt.sent !== false) {
      delivery.attempts += 1;
      // The adapter writes the status as given, null for no answer.
      delivery.lastStatus = attempt.status;
    }
    Object.assign(delivery, attempt.remember);
    if (attempt.log) Object.assign(delivery, copy(attempt.log));
    delete a[lane.lease];
    const { outcome } = attempt;
    if ('delivered' in outcome) {
      delivery.state = 'delivered';
      delivery.deliveredAt = attempt.at.toISOString();
      delete delivery.nextAttemptAt;
      delete a[lane.due];
    } else if ('retryAt' in outcome) {
      a[lane.due] = outcome.retryAt.toISOString();
      delivery.nextAttemptAt = outcome.retryAt.toISOString();
    } else {
      delivery.state = 'dead';
      delivery.deadLetter = copy(outcome.dead);
      delete delivery.nextAttemptAt;
      a[lane.due] = attempt.at.toISOString();
      a.dead = { ...a.dead, [kind]: true };
    }
  }

  async oweDelivery(assignmentId: string, deliveries: OwedDeliveries, dueAt: Date) {
    this.writes.push('oweDelivery');
    const [entry] = Object.entries(deliveries) as Array<[DeliveryKind, object | undefined]>;
    if (!entry?.[1] || Object.keys(deliveries).length !== 1)
      throw new RangeError('owe one delivery at a time');
    const [kind, id] = entry;
    const a = this.assignments.get(assignmentId);
    // attribute_exists(ack) AND attribute_not_exists(erasedAt) AND attribute_not_exists({kind})
    if (!a?.ack || a.erasedAt || a[kind]) return false;
    Object.assign(a, {
      [kind]: { state: 'pending', attempts: 0, ...id },
      [`${kind}DueAt`]: dueAt.toISOString(),
    });
    return true;
  }

  async deadLetters(limit: number) {
    return DELIVERY_KINDS.flatMap((kind) => {
      const lane = laneOf(kind);
      return [...this.assignments.values()]
        .filter((a) => a.dead?.[kind])
        .sort((x, y) => (x[lane.due] as string).localeCompare(y[lane.due] as string))
        .slice(0, limit)
        .map((a) => ({ assignmentId: a.assignmentId, kind, deadAt: a[lane.due] as string }));
    }).sort((x, y) => x.deadAt.localeCompare(y.deadAt));
  }

  async replayDelivery(assignmentId: string, kind: DeliveryKind, at: Date) {
    this.writes.push('replayDelivery');
    const a = this.assignments.get(assignmentId);
    const lane = laneOf(kind);
    const delivery = a?.[kind] as Delivery | undefined;
    // {lane}Shard = :dead
    if (!a?.dead?.[kind] || !delivery) return false;
    delete a.dead[kind];
    delivery.state = 'pending';
    delivery.attempts = 0;
    delete delivery.deadLetter;
    delete a[lane.lease];
    a[lane.due] = at.toISOString();
    return true;
  }

  async getDestination(kind: DeliveryKind): Promise<Destination> {
    return copy(this.destinations[kind]);
  }

  async setDestination(kind: DeliveryKind, destination: Destination) {
    this.writes.push('setDestination');
    this.destinations[kind] = copy(destination);
  }

  async queryDue(before: Date, limit: number) {
    // Each lane's sparse index holds only assignments owing work in it, sorted by due time.
    const lane = (due: (a: Assignment) => string | undefined, kind: (a: Assignment) => DueKind) =>
      [...this.assignments.values()]
        .filter((a) => (due(a) ?? '\uffff') <= before.toISOString())
        .sort((x, y) => (due(x) as string).localeCompare(due(y) as string))
        .slice(0, limit)
        .map((a) => ({ assignmentId: a.assignmentId, dueAt: due(a) as string, dueKind: kind(a) }));
    return [
      ...lane(
        (a) => (a.dueKind ? a.dueAt : undefined),
        (a) => a.dueKind as DueKind,
      ),
      // Dead letters wait under another shard of each delivery lane's index, out of the sweeper's sight.
      ...DELIVERY_KINDS.flatMap((kind) =>
        lane(
          (a) => ((a as StoredAssignment).dead?.[kind] ? undefined : a[`${kind}DueAt`]),
          () => kind,
        ),
      ),
    ].sort((x, y) => x.dueAt.localeCompare(y.dueAt));
  }

  async deferDue(assignmentId: string, kind: DueKind, seenDueAt: string, redriveAt: Date) {
    this.writes.push('deferDue');
    const a = this.assignments.get(assignmentId);
    const { due } = laneOf(kind);
    // {due} = :seen, and a delivery lane's {lane}Shard = :due (not a dead letter)
    if (!a || a[due] !== seenDueAt || (isDeliveryKind(kind) && a.dead?.[kind])) return false;
    a[due] = redriveAt.toISOString();
    return true;
  }

  async laneDue(assignmentId: string, kind: DueKind) {
    const a = this.assignments.get(assignmentId);
    const { due } = laneOf(kind);
    const dueAt = a?.[due] as string | undefined;
    if (!a || dueAt === undefined) return undefined;
    if (isDeliveryKind(kind) && a.dead?.[kind]) return undefined;
    const dueKind = isDeliveryKind(kind) ? kind : a.dueKind;
    return dueKind && { assignmentId, dueAt, dueKind };
  }

  async queryRetention(before: Date, limit: number) {
    // The sparse `retain` index: only assignments owing a step, by when it falls due.
    return [...this.assignments.values()]
      .filter((a) => a.retainStep && (a.retainAt as string) <= before.toISOString())
      .sort((x, y) => (x.retainAt as string).localeCompare(y.retainAt as string))
      .slice(0, limit)
      .map((a) => ({
        assignmentId: a.assignmentId,
        retainAt: a.retainAt as string,
        retainStep: a.retainStep as RetainStep,
      }));
  }

  async noteLeaving(assignmentId: string, leftAt: Date, expireAt: Date) {
    this.writes.push('noteLeaving');
    const a = this.assignments.get(assignmentId);
    // attribute_exists(pk) AND attribute_not_exists(expiresAt); each of leftAt, retainStep, retainAt if_not_exists
    if (!a || a.expiresAt !== undefined) return false;
    a.leftAt ??= leftAt.toISOString();
    if (!a.retainStep) {
      a.retainStep = 'expire';
      a.retainAt = expireAt.toISOString();
    }
    return true;
  }

  async clearLeaving(assignmentId: string) {
    this.writes.push('clearLeaving');
    this.partitionExpiry.delete(assignmentId);
    const a = this.assignments.get(assignmentId);
    if (!a) return false;
    // retainStep = :expire removes the step too; else attribute_exists(leftAt) OR attribute_exists(expiresAt)
    if (a.retainStep === 'expire') {
      delete a.retainStep;
      delete a.retainAt;
    } else if (a.leftAt === undefined && a.expiresAt === undefined) {
      return false;
    }
    delete a.leftAt;
    delete a.expiresAt;
    return true;
  }

  async reduceEvidence(
    assignmentId: string,
    seenAt: string,
    reduced: { ipAddress: string; userAgent: string; reducedAt: string } | undefined,
    next?: { step: RetainStep; at: Date },
    declines?: DeclineEvidence[],
  ) {
    this.writes.push('reduceEvidence');
    const a = this.assignments.get(assignmentId);
    // retainAt = :seen AND retainStep = :reduce [AND attribute_exists(ack)] [AND size(declines) = :n]
    if (!a || a.retainAt !== seenAt || a.retainStep !== 'reduce-ip') return false;
    if (reduced && !a.ack) return false;
    if (declines && (a.declines?.length ?? 0) !== declines.length) return false;
    if (reduced && a.ack) Object.assign(a.ack, reduced);
    if (declines) a.declines = copy(declines);
    setStep(a, next?.step, next?.at);
    return true;
  }

  async moveRetention(assignmentId: string, seenAt: string, next?: { step: RetainStep; at: Date }) {
    this.writes.push('moveRetention');
    const a = this.assignments.get(assignmentId);
    // retainAt = :seen
    if (!a || a.retainAt !== seenAt) return false;
    setStep(a, next?.step, next?.at);
    return true;
  }

  async expireAssignment(assignmentId: string, seenAt: string, expiresAt: Date) {
    this.writes.push('expireAssignment');
    const at = Math.floor(expiresAt.getTime() / 1000);
    const a = this.assignments.get(assignmentId);
    // The partition's other items first, each only if it exists.
    if (this.audit.some((e) => e.assignmentId === assignmentId)) this.partitionExpiry.set(assignmentId, at);
    // retainAt = :seen AND retainStep = :expire; refused, the marks are lifted unless it is expiring
    if (!a || a.retainAt !== seenAt || a.retainStep !== 'expire') {
      if (a?.expiresAt === undefined) this.partitionExpiry.delete(assignmentId);
      return false;
    }
    a.expiresAt = at;
    setStep(a, undefined, undefined);
    return true;
  }

  async expireStarter(starterId: string, expiresAt: Date) {
    this.writes.push('expireStarter');
    // #status = :cancelled
    if (this.starters.get(starterId)?.status !== 'cancelled') return false;
    this.starterExpiry.set(starterId, Math.floor(expiresAt.getTime() / 1000));
    return true;
  }

  async *signers(policyId: string, belowVersion: number) {
    // The sparse index holds acknowledged assignments by (policy, version), read newest first.
    const signed = [...this.assignments.values()]
      .filter((a) => a.ack && a.ack.policyId === policyId && a.ack.policyVersion < belowVersion)
      .sort((x, y) => (y.ack?.policyVersion ?? 0) - (x.ack?.policyVersion ?? 0));
    for (const a of signed) {
      yield {
        assignmentId: a.assignmentId,
        starterId: a.starterId,
        policyVersion: a.ack?.policyVersion as number,
      };
    }
  }

  /** How many assignments a page of `assignmentsOf` holds (DynamoDB's pages end at 1 MB). */
  pageSize = 100;

  async *assignmentsOf(policyId: string, range: { since?: Date; until?: Date } = {}) {
    // The policy index: (policyId, createdAt), oldest first; `until` exclusive.
    const since = range.since?.toISOString() ?? '';
    const until = range.until?.toISOString() ?? '\uffff';
    const all = [...this.assignments.values()]
      .filter((a) => a.policyId === policyId && a.createdAt >= since && a.createdAt < until)
      .sort((x, y) => x.createdAt.localeCompare(y.createdAt));
    for (let i = 0; i < all.length; i += this.pageSize) {
      // The index's projection: keys and status only.
      yield all
        .slice(i, i + this.pageSize)
        .map(({ assignmentId, starterId, policyVersion, status, createdAt }) => ({
          assignmentId,
          starterId,
          policyVersion,
          status,
          createdAt,
        }));
    }
  }

  async getAssignments(assignmentIds: readonly string[]) {
    const found = new Map<string, Assignment>();
    for (const id of assignmentIds) {
      const assignment = this.assignments.get(id);
      if (assignment) found.set(id, shown(assignment));
    }
    return found;
  }

  async getStarters(starterIds: readonly string[]) {
    const found = new Map<string, Starter>();
    for (const id of starterIds) {
      const starter = this.starters.get(id);
      if (starter) found.set(id, copy(starter));
    }
    return found;
  }

  async putPolicyVersion(policy: PolicyVersion) {
    this.writes.push('putPolicyVersion');
    const k = `${policy.policyId}#${policy.version}`;
    const existing = this.policies.get(k);
    // attribute_not_exists(pk); a version's text never changes.
    if (!existing) {
      this.policies.set(k, copy(policy));
      return 'created' as const;
    }
    return versionText(existing) === versionText(policy) ? ('same' as const) : ('conflict' as const);
  }

  async getPolicyVersion(policyId: string, version: number) {
    return copy(this.policies.get(`${policyId}#${version}`));
  }

  async getLatestPolicyVersion(policyId: string) {
    const versions = [...this.policies.values()].filter((p) => p.policyId === policyId);
    return copy(versions.sort((x, y) => y.version - x.version)[0]);
  }

  async getScimUser(id: string) {
    return copy(this.scimUsers.get(id));
  }

  async findScimUsers(key: ScimLookupKey, value: string) {
    return [...this.scimUsers.values()]
      .filter((user) => holdsLookup(user, key, value))
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map(copy);
  }

  async listScimUsers() {
    return [...this.scimUsers.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map(copy);
  }

  async putScimUser(user: ScimUser, previous?: ScimUser) {
    this.writes.push('putScimUser');
    const stored = this.scimUsers.get(user.id);
    // version = :version, or attribute_not_exists(pk)
    if (previous ? stored?.version !== previous.version : stored) return false;
    this.scimUsers.set(user.id, copy(user));
    return true;
  }

  async deleteScimUser(user: ScimUser) {
    this.writes.push('deleteScimUser');
    if (this.scimUsers.get(user.id)?.version !== user.version) return false;
    this.scimUsers.delete(user.id);
    return true;
  }

  async getAuditTrail(assignmentId: string) {
    // In the order of the adapter's sort keys, compared as DynamoDB does, by code unit.
    return this.audit
      .filter((e) => e.assignmentId === assignmentId)
      .sort((x, y) => (auditKeyOf(x) < auditKeyOf(y) ? -1 : 1))
      .map((e) => ({ kind: e.kind, at: e.at, detail: copy(e.detail ?? {}) }));
  }

  async appendAudits(
    assignmentId: string,
    events: ReadonlyArray<{ kind: string; at: Date; detail?: Record<string, string> }>,
  ) {
    for (const { kind, at, detail } of events) await this.appendAudit(assignmentId, kind, at, detail);
  }

  async appendAudit(assignmentId: string, kind: string, at: Date, detail?: Record<string, string>) {
    this.writes.push('appendAudit');
    // The key is (assignment, time, kind[, destination]), written once.
    const event = { assignmentId, kind, at: at.toISOString(), ...(detail && { detail: copy(detail) }) };
    const k = auditKeyOf(event);
    if (this.audit.some((e) => e.assignmentId === assignmentId && auditKeyOf(e) === k)) return;
    this.audit.push(event);
  }

  readonly erasures = new Map<string, ErasureEntry>();

  async logErasure(entry: ErasureEntry) {
    this.writes.push('logErasure');
    // attribute_not_exists(pk): the first entry for a starter is kept.
    if (!this.erasures.has(entry.starterId)) this.erasures.set(entry.starterId, copy(entry));
    return copy(this.erasures.get(entry.starterId) as ErasureEntry);
  }

  async getErasure(starterId: string) {
    return copy(this.erasures.get(starterId));
  }

  async erasureLog() {
    return [...this.erasures.values()]
      .sort((a, b) => a.at.localeCompare(b.at) || a.starterId.localeCompare(b.starterId))
      .map(copy);
  }

  async eraseAssignment(read: Assignment, erased: Assignment) {
    this.writes.push('eraseAssignment');
    const a = this.assignments.get(read.assignmentId);
    // attribute_not_exists(erasedAt), the status read, no email owed, each delivery as read and none pending.
    const asRead =
      a &&
      !a.erasedAt &&
      a.status === read.status &&
      (a.dueAt === undefined || (read.dueKind === 'renewal' && a.dueAt === read.dueAt)) &&
      DELIVERY_KINDS.every((kind) => {
        const delivery = read[kind];
        if (!delivery) return a[kind] === undefined;
        const due = laneOf(kind).due;
        const pending = a[due] !== undefined && !a.dead?.[kind];
        const stored = a[kind];
        return (
          !pending &&
          stored?.state === delivery.state &&
          stored.attempts === delivery.attempts &&
          a[due] === read[due]
        );
      });
    if (!asRead) return a?.erasedAt ? ('erased-before' as const) : ('busy' as const);
    const { cancelledAt, freshLinkAt, escalatedAt, dead } = a;
    const stored: StoredAssignment = {
      ...copy(erased),
      ...(cancelledAt !== undefined && { cancelledAt }),
      ...(freshLinkAt !== undefined && { freshLinkAt }),
      ...(escalatedAt !== undefined && { escalatedAt }),
    };
    // A dead delivery whose due time went has left its lane (its shard removed with it).
    const stillDead = Object.fromEntries(
      Object.keys(dead ?? {}).flatMap((kind) =>
        erased[laneOf(kind as DeliveryKind).due] !== undefined ? [[kind, true]] : [],
      ),
    );
    if (Object.keys(stillDead).length) stored.dead = stillDead;
    this.assignments.set(read.assignmentId, stored);
    return 'erased' as const;
  }

  async eraseAuditEvent(assignmentId: string, event: AuditEvent, detail: Record<string, string>, at: Date) {
    this.writes.push('eraseAuditEvent');
    const k = auditKeyOf(event);
    const stored = this.audit.find((e) => e.assignmentId === assignmentId && auditKeyOf(e) === k);
    // attribute_exists(pk) AND attribute_not_exists(erasedAt)
    if (!stored || stored.erasedAt) return false;
    stored.detail = copy(detail);
    stored.erasedAt = at.toISOString();
    return true;
  }

  async eraseStarter(erased: Starter) {
    this.writes.push('eraseStarter');
    const stored = this.starters.get(erased.starterId);
    // attribute_exists(pk) AND attribute_not_exists(erased)
    if (!stored || stored.erased) return false;
    this.starters.set(erased.starterId, copy(erased));
    return true;
  }

  /** The stored assignment itself (a copy), for assertions. */
  peek(assignmentId: string): StoredAssignment | undefined {
    return copy(this.assignments.get(assignmentId));
  }

  /** Writes an assignment as it is, bypassing every condition: for arranging a test. */
  seed(assignment: Assignment): void {
    this.assignments.set(assignment.assignmentId, copy(assignment));
  }
}

/** An audit event's sort key in the adapter: its time, its kind and the destination it names, if any. */
const auditKeyOf = (e: { at: string; kind: string; detail?: Record<string, string> }) =>
  `${e.at}#${e.kind}${e.detail?.destination ? `#${e.detail.destination}` : ''}`;

/** A digest's key: the adapter files it under digestIdFor(address), which ignores the address's case. */
const digestKeyOf = (key: DigestKey) => `${key.managerEmail.toLowerCase()}#${key.day}`;

/** An assignment as the adapter answers it: without the flags standing for its index-only shards. */
function shown(a: StoredAssignment): Assignment {
  const { dead: _dead, ...rest } = copy(a);
  return rest;
}

/** Sets a retention step owed (the adapter's retainStep, retainAt and shard), or with none, removes it. */
function setStep(a: StoredAssignment, step: RetainStep | undefined, at: Date | undefined): void {
  if (step && at) {
    a.retainStep = step;
    a.retainAt = at.toISOString();
  } else {
    delete a.retainStep;
    delete a.retainAt;
  }
}

/** What the adapter's condition for "owes work of this kind" checks. */
function owes(a: StoredAssignment, kind: DueKind): boolean {
  if (!isDeliveryKind(kind)) return a.dueKind === kind;
  return a[laneOf(kind).due] !== undefined && !a.dead?.[kind];
}

function clearDue(a: Assignment): void {
  delete a.dueAt;
  delete a.dueKind;
  delete a.leaseUntil;
}

/**
 * Records each message sent; set `failWith` to make every send throw (and every batch entry fail
 * with its name), or `refuse` to make a batch report these assignments' entries as not sent.
 */
export class FakeQueue implements Queue {
  readonly sent: Array<{ message: WorkMessage; delaySeconds: number | undefined }> = [];
  /** Each sendBatch call's number of entries, in order. */
  readonly batches: number[] = [];
  failWith: Error | undefined;
  readonly refuse = new Set<string>();

  async send(message: WorkMessage, delaySeconds?: number) {
    if (this.failWith) throw this.failWith;
    this.sent.push({ message: copy(message), delaySeconds });
  }

  async sendBatch(entries: readonly QueueEntry[]): Promise<QueueFailure[]> {
    this.batches.push(entries.length);
    const failed: QueueFailure[] = [];
    for (const [index, { message, delaySeconds }] of entries.entries()) {
      if (this.failWith) failed.push({ index, code: this.failWith.name });
      else if (this.refuse.has(message.assignmentId)) failed.push({ index, code: 'InternalError' });
      else this.sent.push({ message: copy(message), delaySeconds });
    }
    return failed;
  }
}

/**
 * The link keys' vault in memory, versioned as Secrets Manager is: each write is refused unless
 * made at the version read (someone else wrote since), and every value written is kept, in order.
 */
export class FakeKeyVault implements KeyVault {
  readonly writes: string[] = [];
  private current: string;

  constructor(initial: string) {
    this.current = initial;
  }

  value(): string {
    return this.current;
  }

  async read() {
    return { value: this.current, version: `v${this.writes.length}` };
  }

  async write(next: string, version?: string) {
    if (version !== `v${this.writes.length}`)
      throw new Error(`written at ${version}, now v${this.writes.length}`);
    this.current = next;
    this.writes.push(next);
  }
}

/** Records each count, in order. */
export class FakeMetrics implements Metrics {
  readonly counted: Array<{ name: string; dimensions: Record<string, string> }> = [];

  count(name: string, dimensions: Record<string, string> = {}) {
    this.counted.push({ name, dimensions: { ...dimensions } });
  }
}

/** Records each email and answers with `ses-1`, `ses-2`, …; set `failWith` to make sends throw. */
export class FakeMailer implements Mailer {
  readonly sent: OutgoingEmail[] = [];
  failWith: Error | undefined;

  async send(email: OutgoingEmail) {
    if (this.failWith) throw this.failWith;
    this.sent.push(copy(email));
    return `ses-${this.sent.length}`;
  }
}

/**
 * Answers each request with the next scripted status, repeating the last; an Error in the script
 * is thrown as a network failure.
 */
export class FakeHttp implements HttpClient {
  readonly requests: Array<HttpRequest & { timeoutMs: number }> = [];
  private readonly script: Array<number | Error>;

  constructor(script: Array<number | Error> = [200]) {
    this.script = [...script];
  }

  async send(request: HttpRequest, timeoutMs: number): Promise<HttpResponse> {
    this.requests.push({ ...copy(request), timeoutMs });
    const next = this.script.length > 1 ? this.script.shift() : this.script[0];
    if (next instanceof Error) throw next;
    return { status: next ?? 200, body: '' };
  }
}

/** A clock that stands still until told to move. */
export class FakeClock implements Clock {
  private at: Date;

  constructor(at: Date | string = '2026-11-24T10:00:00.000Z') {
    this.at = new Date(at);
  }

  now(): Date {
    return new Date(this.at);
  }

  set(at: Date | string): void {
    this.at = new Date(at);
  }

  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** The retention settings at their defaults (P1Y unsigned after leaving, P6Y evidence, P1Y IP and browser). */
export const RETENTION: RetentionSettings = defaultRetention();

/** A published policy version, independent of the bundled policy files. */
export function aPolicy(overrides: Partial<PolicyVersion> = {}): PolicyVersion {
  return {
    policyId: 'safe-internet-use',
    version: 3,
    title: 'Safe internet use',
    statement: 'I have read and will follow the Safe internet use policy.',
    effectiveDate: '2026-01-01',
    keyPoints: ['Lock your screen', 'Report phishing'],
    body: '# Safe internet use\n\nBe careful.',
    sha256: 'a'.repeat(64),
    publishedAt: '2026-01-01T09:00:00.000Z',
    ...overrides,
  };
}

/** The evidence of an agreement to `policy`, as the acknowledgement records it. */
export function anEvidence(
  policy: PolicyVersion = aPolicy(),
  overrides: Partial<LinkEvidence> = {},
): LinkEvidence {
  return {
    evidenceId: 'ev_1',
    acknowledgedAt: '2026-11-24T09:59:00.000Z',
    ...agreedTo(policy),
    typedName: 'Ada Lovelace',
    ipAddress: '203.0.113.7',
    userAgent: 'Mozilla/5.0',
    tokenId: 'AAAAAAAAAAA',
    messageId: 'ses-1',
    ...overrides,
  };
}

/** The evidence of an agreement to `policy` recorded on the person's behalf, as `attest accept-on-behalf` records it. */
export function anOnBehalfEvidence(
  policy: PolicyVersion = aPolicy(),
  overrides: Partial<OnBehalfEvidence> = {},
): OnBehalfEvidence {
  return {
    evidenceId: 'ev_2',
    acknowledgedAt: '2026-11-24T10:00:00.000Z',
    ...agreedTo(policy),
    typedName: 'Ada Lovelace',
    method: 'on-behalf',
    note: 'Signed the paper form at induction on 23 November',
    recordedBy: 'Grace Hopper',
    ipAddress: null,
    userAgent: null,
    tokenId: null,
    messageId: null,
    ...overrides,
  };
}

/** A policy file's source: front matter for the policy `sample` and `body`. */
/** The Welsh text of aPolicy(), its sha256 over its own canonical text: a policy's `translations.cy`. */
export function aWelshTranslation(): PolicyTranslation {
  const text = {
    title: 'Defnyddio’r rhyngrwyd yn ddiogel',
    statement: 'Rwyf wedi darllen y polisi Defnyddio’r rhyngrwyd yn ddiogel a byddaf yn ei ddilyn.',
    keyPoints: ['Peidiwch â rhannu eich cyfrinair.'],
    body: 'Paragraff un.\n\n## Pennawd\n\n1. Cam\n',
  };
  return { ...text, sha256: policySha256(text) };
}

export function aPolicySource(body = 'Para one.\n\n## Heading\n\n1. Step\n'): string {
  return `---
id: sample
title: Sample – Policy
effectiveDate: 2026-01-31
statement: I agree.
keyPoints:
  - One point
---

${body}`;
}

/** The Welsh translation's source of aPolicySource() (`sample.cy.md`), with `body`. */
export function aWelshPolicySource(body = 'Paragraff un.\n\n## Pennawd\n\n1. Cam\n'): string {
  return `---
id: sample
title: Enghraifft – Polisi
statement: Rwy’n cytuno.
keyPoints:
  - Un pwynt
---

${body}`;
}

export function aStarter(overrides: Partial<Starter> = {}): Starter {
  const employeeId = overrides.employeeId ?? 'E1001';
  return {
    starterId: starterIdFor(employeeId),
    employeeId,
    givenName: 'Ada',
    familyName: 'Lovelace',
    email: 'ada@example.org',
    startDate: '2026-12-01',
    locale: 'en-GB',
    timeZone: 'Europe/London',
    policies: ['safe-internet-use'],
    status: 'active',
    updatedAt: '2026-11-24T09:00:00.000Z',
    ...overrides,
  };
}

/** An assignment as ingest leaves it: pending, owing an invite. */
export function anAssignment(
  starter: Starter = aStarter(),
  policy: PolicyVersion = aPolicy(),
  overrides: Partial<Assignment> = {},
): Assignment {
  return {
    assignmentId: assignmentIdFor(starter.employeeId, policy.policyId),
    starterId: starter.starterId,
    policyId: policy.policyId,
    policyVersion: policy.version,
    policySha256: policy.sha256,
    status: 'pending',
    createdAt: '2026-11-24T09:00:00.000Z',
    dueAt: '2026-11-24T10:15:00.000Z',
    dueKind: 'invite',
    sends: [],
    ...overrides,
  };
}

/** A FakeStore holding one starter, one policy version and one assignment (with `overrides`). */
export async function seededStore(
  overrides: Partial<Assignment> = {},
  seed: { starter?: Partial<Starter>; policy?: Partial<PolicyVersion> } = {},
) {
  const store = new FakeStore();
  const starter = aStarter(seed.starter);
  const policy = aPolicy(seed.policy);
  const assignment = anAssignment(starter, policy, overrides);
  await store.putStarter(starter);
  await store.putPolicyVersion(policy);
  store.seed(assignment);
  store.writes.length = 0;
  return { store, starter, policy, assignment };
}

/** An LRS's settings, as lms-push would have them. */
export const XAPI_SETTINGS: XapiSettings = {
  endpoint: 'https://lrs.example.org/xapi/',
  username: 'attest-key',
  password: 'attest-secret',
  accountHomePage: 'https://hr.example.org',
  actor: 'account',
  activityBase: 'https://policies.example.org/activities/',
};

/** A report row as the core flattens one: invited, not signed, so blank where evidence would be. */
export function aReportRow(overrides: Partial<ReportRow> = {}): ReportRow {
  return {
    assignmentId: 'asg_1',
    employeeId: 'E1',
    givenName: 'Ada',
    familyName: 'Lovelace',
    email: 'ada@example.org',
    department: '',
    managerName: '',
    managerEmail: '',
    startDate: '2026-12-01',
    policyId: 'safe-internet-use',
    policyVersion: 3,
    reason: 'starter',
    status: 'invited',
    assignedAt: '2026-11-20T09:00:00.000Z',
    invitedAt: '2026-11-20T09:15:00.000Z',
    remindersSent: 1,
    daysWaiting: 6,
    bounce: '',
    bouncedAt: '',
    acknowledgedAt: '',
    typedName: '',
    evidenceId: '',
    policySha256: 'a'.repeat(64),
    ipAddress: '',
    userAgent: '',
    tokenId: '',
    emailMessageId: '',
    webhook: '',
    xapi: '',
    moodle: '',
    supersededByVersion: null,
    method: '',
    recordedBy: '',
    note: '',
    declinedAt: '',
    declineReason: '',
    signBy: '',
    renewsAt: '',
    renewal: '',
    ...overrides,
  };
}

/** Seeds a starter (unless `starter: false`) and their assignment of `policy` with `status`. */
export async function seedAssignment(
  store: FakeStore,
  employeeId: string,
  status: AssignmentStatus,
  overrides: Partial<Assignment> = {},
  options: { policy?: PolicyVersion; starter?: Partial<Starter> | false } = {},
): Promise<Assignment> {
  const policy = options.policy ?? aPolicy();
  const starter = aStarter({ employeeId, ...(options.starter || {}) });
  if (options.starter !== false) await store.putStarter(starter);
  const assignment = anAssignment(starter, policy, {
    status,
    dueAt: undefined,
    dueKind: undefined,
    ...(status === 'acknowledged' && { ack: anEvidence(policy, { evidenceId: `ev_${employeeId}` }) }),
    ...overrides,
  });
  store.seed(assignment);
  return assignment;
}

/** The report CSV's header line: the columns' names and order are a contract with spreadsheets and scripts. */
export const REPORT_CSV_HEADER =
  'assignment_id,employee_id,given_name,family_name,email,department,manager_name,manager_email,start_date,' +
  'policy_id,policy_version,reason,status,assigned_at,invited_at,reminders_sent,days_waiting,bounce,bounced_at,' +
  'acknowledged_at,typed_name,evidence_id,policy_sha256,ip_address,user_agent,token_id,email_message_id,' +
  'webhook_delivery,xapi_delivery,moodle_delivery,superseded_by_version,method,recorded_by,note,declined_at,decline_reason,sign_by,renews_at,renewal';

/**
 * Seeds employee `employeeId`'s assignment of `policy` (aPolicy() by default) and records their
 * agreement at 2026-11-25T14:03Z with `evidence`, owing the LMS deliveries `owed` (both
 * destinations by default); answers its id.
 */
export async function seedSigned(
  store: FakeStore,
  employeeId: string,
  owed: OwedDeliveries = { webhook: { webhookId: 'wh_1' }, xapi: { statementId: 'st_1' } },
  { policy = aPolicy(), evidence = anEvidence() }: { policy?: PolicyVersion; evidence?: Evidence } = {},
): Promise<string> {
  const assignment = anAssignment(aStarter({ employeeId }), policy, {
    status: 'invited',
    dueAt: undefined,
    dueKind: undefined,
  });
  store.seed(assignment);
  await store.recordAcknowledgement(
    assignment.assignmentId,
    evidence,
    owed,
    new Date('2026-11-25T14:03:00.000Z'),
  );
  return assignment.assignmentId;
}

/** Dead-letters `kind`'s delivery of `assignmentId` at `at` (rejected with a 422 unless `letter` says), as the LMS push does. */
export async function seedDeadLetter(
  store: FakeStore,
  assignmentId: string,
  kind: DeliveryKind,
  at: string,
  letter: Partial<DeadLetter> = {},
): Promise<void> {
  const dead: DeadLetter = { reason: 'rejected', status: 422, at, ...letter };
  await store.recordDeliveryAttempt(assignmentId, kind, {
    status: dead.status,
    at: new Date(at),
    outcome: { dead },
  });
}

/** Three signers: E1 dead on the webhook, E2 dead on xAPI, E3 dead on both; each died at its own time. */
export async function deadLetterStore() {
  const store = new FakeStore();
  const e1 = await seedSigned(store, 'E1');
  const e2 = await seedSigned(store, 'E2');
  const e3 = await seedSigned(store, 'E3');
  await seedDeadLetter(store, e1, 'webhook', '2026-11-25T15:00:00.000Z', { body: 'bad actor' });
  await seedDeadLetter(store, e2, 'xapi', '2026-11-25T15:01:00.000Z', { status: 400 });
  await seedDeadLetter(store, e3, 'xapi', '2026-11-25T15:02:00.000Z', { reason: 'exhausted', status: 503 });
  await seedDeadLetter(store, e3, 'webhook', '2026-11-25T15:03:00.000Z', { reason: 'gone', status: 410 });
  store.writes.length = 0;
  return { store, e1, e2, e3 };
}

/** A certificate maker for tests of the mail lane: a few bytes naming the evidence, not a PDF. */
export async function fakeCertificate(input: CertificateInput): Promise<Certificate> {
  return {
    bytes: new TextEncoder().encode(`%PDF ${input.evidence.evidenceId}`),
    sha256: 'c'.repeat(64),
    fileName: `agreement-${input.evidence.policyId}-v${input.evidence.policyVersion}.pdf`,
    format: 1,
  };
}

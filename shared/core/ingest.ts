// Use case: take an HR starter event and converge the starter, its assignments and the owed invites.
import type {
  Assignments,
  AuditTrail,
  Clock,
  Erasures,
  EventReceipts,
  Logger,
  Metrics,
  Policies,
  Queue,
  Retention,
  Starters,
} from '../ports.ts';
import { type AudienceRules, decideAudience } from './audience.ts';
import { ErasedError, erasedMessage } from './errors.ts';
import { sendHint } from './hint.ts';
import { assignmentIdFor, starterIdFor } from './ids.ts';
import { everyAskOf } from './lifecycle.ts';
import {
  type Assignment,
  type AssignmentStatus,
  type PolicyText,
  type PolicyVersion,
  STARTER_ATTRIBUTES,
  type Starter,
} from './model.ts';
import { allExpiring, expiryAfterLeaving, type RetentionSettings } from './privacy/retention.ts';
import type { makePublishPolicy, PublishStore } from './publish.ts';
import type { StarterData, StarterEvent } from './starter-event.ts';

/** The signed webhook's source name: HR events' ids are unique within their source. */
export const HR_SOURCE = 'hr';
/** How long an HR event id is remembered: well beyond any sender's retry window. */
const RECEIPT_TTL_MS = 7 * 24 * 3600_000;

export interface IngestResult {
  starterId: string;
  assignments: Array<{ id: string; policyId: string; policyVersion: number; status: AssignmentStatus }>;
}

/**
 * The policies a deployment can assign, by id, and each one's text: read only to publish a policy's
 * first version, so a function need not load the texts at a cold start (templates/policy-catalogue.ts).
 */
export interface PolicyCatalogue {
  ids: ReadonlySet<string>;
  text(policyId: string): Promise<PolicyText | undefined>;
}

/** The catalogue of texts already at hand (the CLI's, tests'). */
export function policyCatalogue(texts: ReadonlyMap<string, PolicyText>): PolicyCatalogue {
  return { ids: new Set(texts.keys()), text: async (policyId) => texts.get(policyId) };
}

/**
 * Ingesting answers each HR event once, keeps the starter, and asks, withdraws or reopens its
 * assignments (publishing a policy's first version when it is first needed).
 */
export type IngestStore = EventReceipts &
  Pick<Starters, 'getStarter' | 'putStarter'> &
  Pick<
    Assignments,
    | 'createAssignment'
    | 'getAssignment'
    | 'getAssignments'
    | 'cancelAssignment'
    | 'reopenBounced'
    | 'retold'
    | 'reopenCancelled'
  > &
  Pick<Policies, 'getLatestPolicyVersion'> &
  Pick<AuditTrail, 'appendAudit'> &
  Pick<Retention, 'noteLeaving' | 'clearLeaving' | 'expireStarter'> &
  Pick<Erasures, 'getErasure'> &
  PublishStore;

export interface IngestDeps {
  store: IngestStore;
  mailQueue: Queue;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn'>;
  /**
   * Counts the events ingested (`StarterEventIngested`, by type); a repeat answered from its receipt
   * is not (copies arriving together, each doing the work, are each counted).
   */
  metrics: Metrics;
  /** The policies this deployment can assign; each is published as version 1 when first needed. */
  policies: PolicyCatalogue;
  /** DEFAULT_POLICIES: the default set, unless the audience rules file gives its own. */
  defaultPolicies: readonly string[];
  /**
   * The audience rules (templates/policies/audience.yaml, checked at load): who signs what when
   * the event names no policies. Required, so no source's ingest can leave them out by mistake.
   */
  audience: AudienceRules;
  /** When an owed invite is re-driven by the sweeper if its queue message is lost. */
  redriveAfterMs: number;
  /** How long a leaver's requests are kept: their first expiry is owed when they leave. */
  retention: Pick<RetentionSettings, 'unsignedAfterLeaving' | 'evidence'>;
  /**
   * The HR source the events come from, whose event ids are unique within it (receipts are kept by
   * source and id): `hr`, the signed webhook, unless another source (SCIM, a CSV import) says.
   */
  source?: string;
}

/**
 * Ingests one starter event.
 * 1. An event id seen before returns the stored response and changes nothing. Its receipt is read
 *    (strongly) in the request that reads the starter, so a new event, the common case, costs no
 *    request of its own for it.
 * 2. created / updated: upsert the starter, with the policies the event names, or else (unless an
 *    earlier event named them) those the audience rules give for its attributes (audience.ts),
 *    recording which; create one assignment per (employee, policy) for the
 *    policy's newest published version (publishing the bundled text as version 1 if there is
 *    none yet) by conditional put, owing an invite; enqueue the invite.
 * 3. cancelled: mark the starter cancelled and stop every assignment not yet acknowledged,
 *    re-acknowledgements of later versions included; note the leaving on every one, signed or
 *    not, owing retention's expiry (privacy/retention.ts). created for a cancelled starter makes
 *    them active again, forgets the leaving (and any expiry set), and reopens those asks, each
 *    owing a fresh invite of the newest version; an update for one changes their details only
 *    (it may have been sent before the cancellation).
 * 4. Remember the response under the event id, unless a copy did first: every copy returns the
 *    response stored first (the contract: the same event, the same body).
 * Converges: ids are derived from (employee, policy) and writes are conditional, so a retry of a
 * half-finished event completes it; an invite already owed is simply enqueued again, and the
 * mailer's lease makes a second message harmless.
 *
 * What can run twice, by design: copies of one event that arrive before either has stored its
 * receipt (a sender retrying on its own timeout, a webhook delivered twice) each do the work; so
 * does an event retried after a failure between the work and the receipt, or after its receipt is
 * forgotten (a week). Each such run converges on the same records: the starter is written whole
 * from the same event (the second put writes what the first did, but for `updatedAt`); the
 * assignments' puts are conditional on their derived ids (the second finds the first's and keeps
 * it); a reopening and a return change an assignment only by an update conditional on its status,
 * so only the copy whose update succeeds appends its audit event; a leaving noted again keeps the
 * first time noted (if_not_exists), one cleared again has nothing left to clear; a cancellation run
 * twice stops nothing more, and its `cancelledAt` is the later copy's (milliseconds apart). What a
 * second run adds is harmless: a second hint on the mail queue for an owed invite (the mailer's
 * lease sends one email), a second count of `StarterEventIngested`, a second log line. Every copy
 * answers the receipt stored first. (There used to be a claim on the event to spare the second
 * run; it cost every event a write and a request, to save work only when copies overlap.)
 */
export function makeIngestStarterEvent(deps: IngestDeps) {
  const { store, mailQueue, clock, logger } = deps;
  const source = deps.source ?? HR_SOURCE;
  /**
   * Publishing (publish.ts) loads when first needed, not at a cold start: to publish a policy's first
   * version, or to move a returning starter's ask to a version published while they were away.
   */
  let publishing: Promise<ReturnType<typeof makePublishPolicy>> | undefined;
  const publisher = () =>
    (publishing ??= import('./publish.ts').then((publish) =>
      publish.makePublishPolicy({ store, clock, logger }),
    ));

  async function upsert(
    data: StarterData,
    existing: Starter | undefined,
    now: Date,
    status: Starter['status'],
  ): Promise<Starter> {
    const decided = policiesOf(data, existing);
    const asked = [
      ...new Set([...(existing ? (existing.asked ?? existing.policies) : []), ...decided.policies]),
    ];
    const starter: Starter = {
      starterId: starterIdFor(data.employeeId),
      employeeId: data.employeeId,
      givenName: data.givenName,
      familyName: data.familyName,
      email: data.email,
      startDate: data.startDate,
      locale: data.locale,
      timeZone: data.timeZone,
      ...decided,
      asked,
      status,
      updatedAt: now.toISOString(),
      ...(data.manager && { manager: data.manager }),
      ...Object.fromEntries(STARTER_ATTRIBUTES.flatMap((key) => (data[key] ? [[key, data[key]]] : []))),
    };
    await store.putStarter(starter);
    return starter;
  }

  /**
   * What the starter signs: the list the event names (the rules are not consulted); else the list
   * an earlier event named, or one stored before its origin was recorded (kept, as policies left
   * out always kept theirs); else the audience rules' answer for the event's attributes, decided
   * afresh on every event, so a move into a department a rule names adds its policy.
   */
  function policiesOf(
    data: StarterData,
    existing: Starter | undefined,
  ): Pick<Starter, 'policies' | 'policiesFrom' | 'matchedRules'> {
    if (data.policies) return { policies: data.policies, policiesFrom: 'event' };
    if (existing && existing.policiesFrom !== 'rules') {
      return {
        policies: existing.policies,
        ...(existing.policiesFrom && { policiesFrom: existing.policiesFrom }),
      };
    }
    const decision = decideAudience(deps.audience, deps.defaultPolicies, data);
    return { policies: decision.policies, policiesFrom: 'rules', matchedRules: decision.matched };
  }

  /**
   * The newest version of each policy this function has seen (per warm function). Versions are
   * numbered one after another by a conditional put (publish.ts), so "version n + 1 does not exist"
   * proves n is still the newest: that read of one key joins the starter's, where a query for the
   * newest would be a request of its own.
   */
  const newestSeen = new Map<string, PolicyVersion>();

  /**
   * Starts reading, for each policy whose newest version has been seen, whether a later one may
   * exist: true when one does, or the read failed (the newest is then asked for in full).
   */
  function probeNewer(policyIds: readonly string[]): Map<string, Promise<boolean>> {
    const probes = new Map<string, Promise<boolean>>();
    for (const policyId of policyIds) {
      const seen = newestSeen.get(policyId);
      if (!seen) continue;
      const next = store.getPolicyVersion(policyId, seen.version + 1);
      probes.set(
        policyId,
        next.then(
          (found) => found !== undefined,
          () => true,
        ),
      );
    }
    return probes;
  }

  /** The newest version of the policy (publishing its text as version 1 if there is none yet). */
  async function current(policyId: string, probe: Promise<boolean> | undefined) {
    const seen = newestSeen.get(policyId);
    if (seen && probe && !(await probe)) return seen;
    const latest = (await store.getLatestPolicyVersion(policyId)) ?? (await publishFirst(policyId));
    newestSeen.set(policyId, latest);
    return latest;
  }

  /** The policy's text published as its first version (or, should a publisher race this one, the version it published). */
  async function publishFirst(policyId: string): Promise<PolicyVersion> {
    const text = await deps.policies.text(policyId);
    if (!text) throw new Error(`policy ${policyId} is not configured`);
    return (await (await publisher()).publish(text)).policy;
  }

  async function assign(
    starter: Starter,
    policyId: string,
    now: Date,
    probe?: Promise<boolean>,
  ): Promise<Assignment> {
    if (!deps.policies.ids.has(policyId)) throw new Error(`policy ${policyId} is not configured`);
    const policy = await current(policyId, probe);
    let assignment = await store.createAssignment({
      assignmentId: assignmentIdFor(starter.employeeId, policyId),
      starterId: starter.starterId,
      policyId,
      policyVersion: policy.version,
      policySha256: policy.sha256,
      status: 'pending',
      createdAt: now.toISOString(),
      timeZone: starter.timeZone,
      dueAt: new Date(now.getTime() + deps.redriveAfterMs).toISOString(),
      dueKind: 'invite',
      sends: [],
    });
    // Withdrawn for a newer version (publish --reacknowledge): the ask in force is that one.
    assignment = await inForce(assignment);
    if (assignment.dueKind === 'invite') await enqueue(assignment.assignmentId);
    return assignment;
  }

  /**
   * A starter back after a cancellation (an offer withdrawn, then reinstated): each ask cancelled
   * with them owes a fresh invite, of the newest version (one published while they were away
   * replaces the old ask). One signed keeps its agreement; one withdrawn for a newer version
   * stays withdrawn. An ask whose address bounced, still the address on file, is bounced again.
   * Conditional writes: a retried event finishes what a failed one began.
   */
  async function reactivate(starter: Starter, now: Date): Promise<void> {
    for (const id of await everyAssignmentOf(starter)) {
      const ask = await store.getAssignment(id);
      if (ask?.status !== 'cancelled' || ask.ack || ask.supersededBy) continue;
      const bounce =
        ask.bounce && ask.bounce.email.toLowerCase() === starter.email.toLowerCase() ? ask.bounce : undefined;
      const latest = await store.getLatestPolicyVersion(ask.policyId);
      if (latest && latest.version > ask.policyVersion) {
        await (await publisher()).moveTo(latest, ask, starter, bounce);
        const newer = assignmentIdFor(starter.employeeId, ask.policyId, latest.version);
        if (!bounce) await enqueue(newer);
        continue;
      }
      const how = bounce
        ? { bounced: true as const }
        : { dueAt: new Date(now.getTime() + deps.redriveAfterMs) };
      if (!(await store.reopenCancelled(id, how))) continue;
      await store.appendAudit(id, 'reopened', now, { reason: 'starter active again' });
      if (!bounce) await enqueue(id);
    }
  }

  /**
   * HR described a leaver again: their profile was rewritten whole, without an expiry retention
   * had set; it is set again if every request of theirs is expiring (or gone).
   */
  async function keepExpiring(leaver: Starter, now: Date): Promise<void> {
    const asks = await store.getAssignments(await everyAssignmentOf(leaver, leaver.asked ?? leaver.policies));
    if (allExpiring(asks.values())) await store.expireStarter(leaver.starterId, now);
  }

  /** A leaver back: retention no longer counts from their leaving, and nothing of theirs expires. */
  async function forgetLeaving(leaver: Starter): Promise<void> {
    for (const id of await everyAssignmentOf(leaver, leaver.asked ?? leaver.policies)) {
      await store.clearLeaving(id);
    }
  }

  /** The ask in force for (starter, policy): the first, or the newer one that replaced it. */
  async function inForce(assignment: Assignment): Promise<Assignment> {
    let current = assignment;
    for (let hops = 0; current.supersededBy && hops < 20; hops++) {
      const newer = await store.getAssignment(current.supersededBy.assignmentId);
      if (!newer) break;
      current = newer;
    }
    return current;
  }

  /**
   * A new address or time zone, told to each ask not yet signed (a signed one keeps what it was
   * signed under). A new address: the links already emailed went to the old one, so each keeps the
   * time, and a link sent before it signs nothing (acknowledge.ts). A new zone: each keeps it, for
   * its receipt to say when it is signed where the person is. Marked before the profile takes the
   * change: a crash between the two leaves the change still to be seen, and HR's retry of the
   * event marks them again.
   */
  async function retell(
    existing: Starter,
    change: { readdressed: boolean; timeZone: string | undefined },
    now: Date,
  ): Promise<void> {
    if (!change.readdressed && !change.timeZone) return;
    const retold = change.readdressed
      ? { emailSince: now, timeZone: change.timeZone }
      : { timeZone: change.timeZone as string };
    for (const id of await everyAssignmentOf(existing, existing.asked ?? existing.policies))
      await store.retold(id, retold);
  }

  /** A new address re-opens what bounced at the old one: the invite is owed again, to the new address. */
  async function reopen(starter: Starter, now: Date): Promise<void> {
    for (const id of await everyAssignmentOf(starter)) {
      if (!(await store.reopenBounced(id, new Date(now.getTime() + deps.redriveAfterMs)))) continue;
      await store.appendAudit(id, 'reopened', now, { reason: 'new email address' });
      await enqueue(id);
    }
  }

  /**
   * The ids of every assignment a starter can have of `policies` (by default the list they sign now):
   * each policy's first, its re-acknowledgements, and the renewals of any of them (`everyAskOf`).
   */
  async function everyAssignmentOf(starter: Starter, policies = starter.policies): Promise<string[]> {
    const ids: string[] = [];
    for (const policyId of policies) {
      const latest = await store.getLatestPolicyVersion(policyId);
      ids.push(...(await everyAskOf(store, starter.employeeId, policyId, latest?.version ?? 1)));
    }
    return ids;
  }

  const enqueue = (assignmentId: string) => sendHint(mailQueue, { assignmentId, kind: 'invite' }, logger);

  return async function ingestStarterEvent(event: StarterEvent): Promise<IngestResult> {
    const now = clock.now();
    const starterId = starterIdFor(event.data.employeeId);
    // Read together, in one strongly consistent request (table.ts): the event's receipt, the
    // starter, their erasure, and whether the policies a new starter would be asked have a version
    // newer than the newest seen. A repeat wastes the other reads; a new event needs them all.
    const probes = probeNewer(
      event.type === 'starter.cancelled' ? [] : policiesOf(event.data, undefined).policies,
    );
    const [seen, existing, logged] = await Promise.all([
      store.getEventReceipt(source, event.id),
      store.getStarter(starterId),
      store.getErasure(starterId),
    ]);
    // Answered before: the stored body, even for a person erased since (nothing is taken again).
    if (seen !== undefined) return seen as IngestResult;
    // An erased person's data is not taken again, from HR's retries or anyone's: putStarter refuses
    // it too, should the erasure land between this read and that write.
    if (existing?.erased) throw new ErasedError(erasedMessage(existing.erased));
    // Erased, and since deleted by retention: the log remembers them, so an old event or file
    // cannot bring their data back.
    const erasure = existing ? undefined : logged;
    if (erasure) throw new ErasedError(erasedMessage(erasure));
    let assignments: Assignment[];
    if (event.type === 'starter.cancelled') {
      assignments = [];
      if (existing) {
        await store.putStarter({ ...existing, status: 'cancelled', updatedAt: now.toISOString() });
        // Every ask ever made, those of policies since dropped from their list too.
        for (const id of await everyAssignmentOf(existing, existing.asked ?? existing.policies)) {
          await store.cancelAssignment(id, now);
          const after = await store.getAssignment(id);
          if (!after) continue;
          // Signed or not, the request is kept for a while after the leaving, then expires.
          await store.noteLeaving(id, now, expiryAfterLeaving(after, now, deps.retention));
          assignments.push(after);
        }
      }
    } else {
      // An update can arrive after the cancellation it preceded: it changes a leaver's details but
      // does not bring them back. starter.created does — every time, so a retry finishes it.
      const back = event.type === 'starter.created';
      const staysCancelled = existing?.status === 'cancelled' && !back;
      const readdressed = existing && existing.email.toLowerCase() !== event.data.email.toLowerCase();
      if (existing) {
        const rezoned = existing.timeZone !== event.data.timeZone ? event.data.timeZone : undefined;
        await retell(existing, { readdressed: Boolean(readdressed), timeZone: rezoned }, now);
      }
      const starter = await upsert(event.data, existing, now, staysCancelled ? 'cancelled' : 'active');
      assignments = [];
      if (staysCancelled) {
        for (const policyId of starter.policies) {
          const first = await store.getAssignment(assignmentIdFor(starter.employeeId, policyId));
          if (first) assignments.push(await inForce(first));
        }
        await keepExpiring(starter, now);
      } else {
        if (back && existing?.status === 'cancelled') await forgetLeaving(existing);
        // A starter with no profile has no ask to bring back: a profile is written before any ask,
        // and retention deletes it only once every ask of theirs is expiring or gone.
        if (back && existing) await reactivate(starter, now);
        if (readdressed) await reopen(starter, now);
        for (const policyId of starter.policies)
          assignments.push(await assign(starter, policyId, now, probes.get(policyId)));
      }
    }

    const result: IngestResult = {
      starterId,
      assignments: assignments.map((a) => ({
        id: a.assignmentId,
        policyId: a.policyId,
        policyVersion: a.policyVersion,
        status: a.status,
      })),
    };
    const stored = await store.putEventReceipt(
      source,
      event.id,
      result,
      new Date(now.getTime() + RECEIPT_TTL_MS),
    );
    deps.metrics.count('StarterEventIngested', { type: event.type });
    logger.info('starter event ingested', {
      type: event.type,
      starterId,
      assignments: result.assignments.length,
    });
    return stored as IngestResult;
  };
}

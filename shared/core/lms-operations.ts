// Use cases of the operator who looks after LMS deliveries: where they stand, the dead letters, replaying them, backfilling a destination added later, enabling one again.
import type { Assignments, AuditTrail, Clock, Deliveries, DueItem, PolicyIndex } from '../ports.ts';
import { owedDeliveries } from './destinations/delivery-ids.ts';
import type { DispatchResult } from './dispatch.ts';
import { type AskNamed, AttestError, NotFoundError } from './errors.ts';
import { DELIVERY_KINDS, type Delivery, type DeliveryKind } from './model.ts';

/** Dead letters read per destination, at most: more than an operator reads, fewer than a page of the index would cost to skip. */
export const MAX_DEAD_LETTERS = 1000;

/** The destinations an operation is about: the one named, or every one. */
const kindsOf = (only: DeliveryKind | undefined): readonly DeliveryKind[] => (only ? [only] : DELIVERY_KINDS);

/** One destination's delivery of an agreement; none when it was not owed there. */
export interface DeliveryLine {
  kind: DeliveryKind;
  delivery: Delivery | undefined;
}

export type DeliveryStatus = { signed: false } | { signed: true; deliveries: DeliveryLine[] };

/**
 * Where each LMS delivery of one agreement stands.
 * 1. Read the assignment; refuse one that does not exist.
 * 2. Unsigned: nothing is owed yet.
 * 3. Signed: each destination named (owed or not), or without one, those it was owed to.
 * Reads only: it never writes.
 */
export function makeDeliveryStatus(deps: { store: Pick<Assignments, 'getAssignment'> }) {
  return async function deliveryStatus(assignmentId: string, only?: DeliveryKind): Promise<DeliveryStatus> {
    const assignment = await deps.store.getAssignment(assignmentId);
    if (!assignment) throw new NotFoundError('assignment.not_found', `No assignment ${assignmentId}.`);
    if (!assignment.ack) return { signed: false };
    const kinds = only ? [only] : DELIVERY_KINDS.filter((kind) => assignment[kind]);
    return { signed: true, deliveries: kinds.map((kind) => ({ kind, delivery: assignment[kind] })) };
  };
}

/**
 * The dead letters, oldest first per destination, each with its delivery (why it died).
 * 1. Read the dead letters' index (at most MAX_DEAD_LETTERS of each destination).
 * 2. Keep those of the destination named, if one is.
 * 3. Read each one's assignment for its delivery; one gone since is listed without it.
 * Reads only: it never writes.
 */
export function makeListDeadLetters(deps: {
  store: Pick<Deliveries, 'deadLetters'> & Pick<Assignments, 'getAssignment'>;
}) {
  return async function listDeadLetters(
    only?: DeliveryKind,
  ): Promise<Array<DeliveryLine & { assignmentId: string }>> {
    const kinds = kindsOf(only);
    const dead = (await deps.store.deadLetters(MAX_DEAD_LETTERS)).filter((d) => kinds.includes(d.kind));
    const lines: Array<DeliveryLine & { assignmentId: string }> = [];
    for (const { assignmentId, kind } of dead) {
      lines.push({ assignmentId, kind, delivery: (await deps.store.getAssignment(assignmentId))?.[kind] });
    }
    return lines;
  };
}

export interface ReplayOutcome {
  /** Deliveries owed again now; the sweeper sends them on its next run. */
  replayed: number;
  /** Destinations disabled (after a 410 Gone), whose dead letters were left as they are. */
  disabled: Array<{ kind: DeliveryKind; reason: string }>;
}

/**
 * Sends dead-lettered deliveries again, under the same webhook-id or statement id.
 * 1. Choose the letters: every one (of the destination named, if one is), or one assignment's —
 *    refused when it has none dead.
 * 2. Leave those of a disabled destination: replayed now, they would only die again.
 * 3. Make each other one owed now, its attempts counted afresh, and audit it.
 * The replay is conditional on the delivery still being dead, so two runs replay it once.
 */
export function makeReplayDeadLetters(deps: {
  store: Pick<Deliveries, 'deadLetters' | 'getDestination' | 'replayDelivery'> &
    Pick<Assignments, 'getAssignment'> &
    Pick<AuditTrail, 'appendAudit'>;
  clock: Clock;
}) {
  const { store, clock } = deps;
  return async function replayDeadLetters(
    /** One assignment's: `named`, when given, says whose in a refusal (the console's name and title). */
    which: { all: true } | { assignmentId: string; named?: AskNamed },
    only?: DeliveryKind,
    /** Who asked, and why: kept in each replayed delivery's audit entry. */
    audit: Record<string, string> = {},
  ): Promise<ReplayOutcome> {
    const kinds = kindsOf(only);
    let letters: Array<{ assignmentId: string; kind: DeliveryKind }>;
    if ('assignmentId' in which) {
      const { assignmentId } = which;
      const assignment = await store.getAssignment(assignmentId);
      letters = kinds
        .filter((kind) => assignment?.[kind]?.state === 'dead')
        .map((kind) => ({ assignmentId, kind }));
      if (!letters.length) {
        const to = only ? ` to ${only}` : '';
        const { named } = which;
        throw new AttestError(
          'lms.not_dead',
          named
            ? `${named.who}'s agreement to ${named.policy} has no dead-lettered delivery${to} (${assignmentId}).`
            : `${assignmentId} has no dead-lettered delivery${to}.`,
        );
      }
    } else {
      letters = (await store.deadLetters(MAX_DEAD_LETTERS)).filter((d) => kinds.includes(d.kind));
    }
    const disabled: ReplayOutcome['disabled'] = [];
    for (const kind of new Set(letters.map((l) => l.kind))) {
      const destination = await store.getDestination(kind);
      if (destination.state === 'disabled')
        disabled.push({ kind, reason: destination.reason ?? 'no reason recorded' });
    }
    const now = clock.now();
    let replayed = 0;
    for (const { assignmentId, kind } of letters) {
      if (disabled.some((d) => d.kind === kind)) continue;
      if (await store.replayDelivery(assignmentId, kind, now)) {
        replayed++;
        await store.appendAudit(assignmentId, 'delivery-replayed', now, { ...audit, destination: kind });
      }
    }
    return { replayed, disabled };
  };
}

/** Deliveries owed by a backfill, dispatched this many at a time as they are owed. */
export const BACKFILL_DISPATCH_EVERY = 100;

/**
 * Owes a destination added since (e.g. LMS_MODE webhook → webhook,xapi) every earlier agreement
 * to a policy.
 * 1. Read the policy's signers from the signers' index, every version.
 * 2. For each agreement, owe the destination a delivery now, under the id its evidence fixes
 *    (the statement id is derived from the evidence id), and audit it.
 * 3. With a dispatcher, send what was owed to the LMS queue BACKFILL_DISPATCH_EVERY at a time as
 *    it is owed (claimed first, as the sweeper claims it, so a sweep meanwhile sends none twice).
 *    Without one, or if the run stops between owing and sending, the sweeper sends it.
 * An agreement that has a delivery there already is left alone (the write is conditional on
 * there being none), so running it again owes nothing twice.
 */
export function makeBackfill(deps: {
  store: Pick<PolicyIndex, 'signers'> &
    Pick<Assignments, 'getAssignment'> &
    Pick<Deliveries, 'oweDelivery'> &
    Pick<AuditTrail, 'appendAudit'>;
  clock: Clock;
  /** Dispatches owed deliveries onto the LMS queue (dispatch.ts); absent, the sweeper sends them. */
  dispatch?: (items: readonly DueItem[], now: Date) => Promise<DispatchResult>;
}) {
  const { store, clock } = deps;
  return async function backfill(
    policyId: string,
    kind: DeliveryKind,
  ): Promise<{ owed: number; had: number; enqueued?: number }> {
    const now = clock.now();
    let owed = 0;
    let had = 0;
    let enqueued = 0;
    let batch: DueItem[] = [];
    const flush = async () => {
      if (!deps.dispatch || !batch.length) return;
      const items = batch;
      batch = [];
      enqueued += (await deps.dispatch(items, clock.now())).dispatched;
    };
    for await (const signer of store.signers(policyId, Number.MAX_SAFE_INTEGER)) {
      const evidence = (await store.getAssignment(signer.assignmentId))?.ack;
      if (!evidence) continue;
      if (await store.oweDelivery(signer.assignmentId, owedDeliveries(evidence.evidenceId, [kind]), now)) {
        owed++;
        await store.appendAudit(signer.assignmentId, 'delivery-backfilled', now, {
          destination: kind,
        });
        batch.push({ assignmentId: signer.assignmentId, dueAt: now.toISOString(), dueKind: kind });
        if (batch.length >= BACKFILL_DISPATCH_EVERY) await flush();
      } else had++;
    }
    await flush();
    return { owed, had, ...(deps.dispatch && { enqueued }) };
  };
}

/**
 * Enables destinations again after a 410 Gone disabled them (the delivery use case disables one,
 * in `deliverCompletion`): the one named, or every one. What died while a destination was
 * disabled stays dead-lettered until replayed.
 */
export function makeEnableDestinations(deps: { store: Pick<Deliveries, 'setDestination'>; clock: Clock }) {
  return async function enableDestinations(only?: DeliveryKind): Promise<readonly DeliveryKind[]> {
    const kinds = kindsOf(only);
    const at = deps.clock.now().toISOString();
    for (const kind of kinds) await deps.store.setDestination(kind, { state: 'enabled', at });
    return kinds;
  };
}

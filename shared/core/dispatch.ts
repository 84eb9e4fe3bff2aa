// Dispatching owed work onto its queues: claim each item by moving its due time (conditionally, many at once, bounded), then send the claimed ones ten to a call.
import type { DueItem, DueWork, Logger, Queue } from '../ports.ts';
import { mapBounded } from './bounded.ts';
import { MAX_DELAY_SECONDS } from './hint.ts';
import { isDeliveryKind } from './model.ts';

/** Claims in flight at once when none is given: each a conditional write to its own item. */
export const DISPATCH_CONCURRENCY = 16;

/** Dispatch reads what an item's lane owes and moves its due time; it never takes a lease nor changes the work. */
export type DispatchStore = Pick<DueWork, 'deferDue' | 'laneDue'>;

export interface DispatchDeps {
  store: DispatchStore;
  /**
   * Every email step goes to the mail queue, every LMS delivery to the LMS queue. A caller
   * without one (the CLI without LMS_QUEUE_URL) leaves that lane's work to the sweeper.
   */
  queues: { mail?: Queue; lms?: Queue };
  logger: Pick<Logger, 'warn'>;
  /** If the dispatched message is lost, the item falls due again this long after its due time. */
  redriveAfterMs: number;
  /** Claims in flight at once, at most. */
  concurrency?: number;
}

export interface DispatchResult {
  /** Items claimed: their due time moved to the re-drive time. */
  claimed: number;
  /** Of those, sent to their queue. */
  dispatched: number;
  /** Of those claimed, not sent: owed still, at their re-drive time (the sweeper sends them then). */
  failed: number;
  /** Each item claimed, by assignment and kind (`${assignmentId}/${kind}`): sent or not, it is due later now. */
  taken: string[];
}

/** The key an item is claimed under in one dispatch: one claim per assignment and lane. */
export const takenKey = (item: Pick<DueItem, 'assignmentId' | 'dueKind'>) =>
  `${item.assignmentId}/${isDeliveryKind(item.dueKind) ? item.dueKind : 'mail'}`;

/**
 * Dispatches owed work, as the sweeper does and as bulk commands do for the work they owe (a
 * re-acknowledgement's invites, a backfill's deliveries), so the queues start at once.
 * 1. Claim each item by moving its due time to its re-drive time, conditional on the due time
 *    read: of two overlapping dispatchers only one sends an item (an index that lags its item is
 *    caught up: see claim). At most `concurrency` claims are in flight.
 * 2. Send the claimed items, ten to a call, each with DelaySeconds so it fires on time. An item
 *    whose message is refused (or whose call fails) stays owed at its re-drive time: the sweeper
 *    sends it then. Nothing is lost; a message sent whose result was lost is sent again then, and
 *    the consumers are idempotent (they claim the work by its due time, see claimWork).
 */
export function makeDispatchDue(deps: DispatchDeps) {
  const { store } = deps;
  const width = deps.concurrency ?? DISPATCH_CONCURRENCY;

  /** Claims `item` by moving its due time, conditional on the time read; its dispatch, or undefined. */
  async function take(item: DueItem, now: Date) {
    const dueMs = Date.parse(item.dueAt);
    const delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil((dueMs - now.getTime()) / 1000)));
    const redriveAt = new Date(Math.max(dueMs, now.getTime()) + deps.redriveAfterMs);
    if (!(await store.deferDue(item.assignmentId, item.dueKind, item.dueAt, redriveAt))) return undefined;
    return { item, delaySeconds, redriveAt };
  }

  /**
   * Claims listed work. Refused, another dispatcher took it — or the index lags the item: dynalite
   * (the local DynamoDB) writes an item's index entries before the item, so a process killed
   * between the two leaves the index naming a due time the item does not have (DynamoDB writes
   * both at once). Work the item itself says is due by now is then claimed at its own due time, so
   * none is stranded; one another dispatcher took is due later (its re-drive time), so it is never
   * taken twice.
   */
  async function claim(listed: DueItem, now: Date) {
    const taken = await take(listed, now);
    if (taken) return taken;
    const held = await store.laneDue(listed.assignmentId, listed.dueKind);
    if (!held || held.dueAt === listed.dueAt || Date.parse(held.dueAt) > now.getTime()) return undefined;
    deps.logger.warn('the due index lagged its item', { assignmentId: listed.assignmentId });
    return take(held, now);
  }

  return async function dispatchDue(items: readonly DueItem[], now: Date): Promise<DispatchResult> {
    // Only the work of a lane whose queue is here: the rest is left owed as it is, for the sweeper.
    const mine = items.filter((item) => deps.queues[isDeliveryKind(item.dueKind) ? 'lms' : 'mail']);
    const claimed = (await mapBounded(mine, width, (item) => claim(item, now))).filter(
      (c) => c !== undefined,
    );
    const result: DispatchResult = { claimed: claimed.length, dispatched: 0, failed: 0, taken: [] };
    for (const name of ['mail', 'lms'] as const) {
      const queue = deps.queues[name];
      const batch = claimed.filter(({ item }) => isDeliveryKind(item.dueKind) === (name === 'lms'));
      if (!queue || !batch.length) continue;
      const entries = batch.map(({ item, delaySeconds, redriveAt }) => ({
        message: { assignmentId: item.assignmentId, kind: item.dueKind, dueAt: redriveAt.toISOString() },
        delaySeconds,
      }));
      const failures = await queue
        .sendBatch(entries)
        .catch((error: Error) => entries.map((_, index) => ({ index, code: error.name || 'Error' })));
      for (const { index, code } of failures) {
        // Still owed at its re-drive time: the next sweep after that tries again.
        deps.logger.warn('dispatch failed', { assignmentId: batch[index]?.item.assignmentId, error: code });
      }
      result.failed += failures.length;
      result.dispatched += batch.length - failures.length;
    }
    result.taken = claimed.map(({ item }) => takenKey(item));
    return result;
  };
}

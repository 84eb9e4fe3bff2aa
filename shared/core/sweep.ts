// Use case: the sweeper — re-drive owed work from the table's sparse "due" index onto the queues.
import type { Clock, DueItem, DueWork, Logger, Queue } from '../ports.ts';
import { MAX_DELAY_SECONDS } from './hint.ts';
import { isDeliveryKind } from './model.ts';

/** The sweeper reads what falls due and defers it; it never takes a lease nor changes the work. */
export type SweepStore = Pick<DueWork, 'queryDue' | 'deferDue' | 'laneDue'>;

export interface SweepDeps {
  store: SweepStore;
  /** Every email step goes to the mail queue, every LMS delivery (webhook or xAPI) to the LMS queue. */
  queues: { mail: Queue; lms: Queue };
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Time until the next sweep: work due before then is dispatched now with a delay. */
  intervalMs: number;
  /** If the dispatched message is lost, the item falls due again this long after its due time. */
  redriveAfterMs: number;
  /** Items read per lane per sweep, at most. */
  pageSize?: number;
}

export interface SweepResult {
  read: number;
  dispatched: number;
}

/**
 * One sweep.
 * 1. Query every lane's sparse index for work due before the next sweep (its cost follows what
 *    is due, not what is pending: the indexes hold only assignments with work owed).
 * 2. Claim each by moving its dueAt forward, conditional on the dueAt read: of two overlapping
 *    sweeps only one dispatches an item (an index that lags its item is caught up: see claim).
 * 3. Send it to its queue with DelaySeconds so it fires on time. If that message is lost, the
 *    item falls due again at the moved dueAt and a later sweep re-drives it.
 */
export function makeSweepDue(deps: SweepDeps) {
  const { store, clock } = deps;

  /** Claims `item` by moving its due time, conditional on the time read; its dispatch, or undefined. */
  async function take(item: DueItem, now: Date) {
    const dueMs = Date.parse(item.dueAt);
    const delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil((dueMs - now.getTime()) / 1000)));
    const redriveAt = new Date(Math.max(dueMs, now.getTime()) + deps.redriveAfterMs);
    if (!(await store.deferDue(item.assignmentId, item.dueKind, item.dueAt, redriveAt))) return undefined;
    return { item, delaySeconds, redriveAt };
  }

  /**
   * Claims listed work. Refused, another sweep took it — or the index lags the item: dynalite (the
   * local DynamoDB) writes an item's index entries before the item, so a process killed between
   * the two leaves the index naming a due time the item does not have (DynamoDB writes both at
   * once). Work the item itself says is due by now is then claimed at its own due time, so none is
   * stranded; one another sweep took is due later (its re-drive time), so it is never taken twice.
   */
  async function claim(listed: DueItem, now: Date) {
    const taken = await take(listed, now);
    if (taken) return taken;
    const held = await store.laneDue(listed.assignmentId, listed.dueKind);
    if (!held || held.dueAt === listed.dueAt || Date.parse(held.dueAt) > now.getTime()) return undefined;
    deps.logger.warn('the due index lagged its item', { assignmentId: listed.assignmentId });
    return take(held, now);
  }

  return async function sweepDue(): Promise<SweepResult> {
    const now = clock.now();
    const horizon = new Date(now.getTime() + deps.intervalMs);
    const due = await store.queryDue(horizon, deps.pageSize ?? 500);
    let dispatched = 0;
    for (const listed of due) {
      const claimed = await claim(listed, now);
      if (!claimed) continue;
      const { item, delaySeconds, redriveAt } = claimed;
      try {
        await deps.queues[isDeliveryKind(item.dueKind) ? 'lms' : 'mail'].send(
          { assignmentId: item.assignmentId, kind: item.dueKind, dueAt: redriveAt.toISOString() },
          delaySeconds,
        );
        dispatched++;
      } catch (error) {
        // Still owed at redriveAt: the next sweep after that tries again.
        deps.logger.warn('dispatch failed', {
          assignmentId: item.assignmentId,
          error: (error as Error).name,
        });
      }
    }
    if (due.length) deps.logger.info('sweep', { read: due.length, dispatched });
    return { read: due.length, dispatched };
  };
}

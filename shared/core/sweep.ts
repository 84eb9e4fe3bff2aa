// Use case: the sweeper — re-drive owed work from the table's sparse "due" index onto the queues.
import type { Clock, Logger, Queue, Store } from '../ports.ts';
import { MAX_DELAY_SECONDS } from './hint.ts';
import { isDeliveryKind } from './model.ts';

export interface SweepDeps {
  store: Store;
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
 *    sweeps only one dispatches an item.
 * 3. Send it to its queue with DelaySeconds so it fires on time. If that message is lost, the
 *    item falls due again at the moved dueAt and a later sweep re-drives it.
 */
export function makeSweepDue(deps: SweepDeps) {
  const { store, clock } = deps;

  return async function sweepDue(): Promise<SweepResult> {
    const now = clock.now();
    const horizon = new Date(now.getTime() + deps.intervalMs);
    const due = await store.queryDue(horizon, deps.pageSize ?? 500);
    let dispatched = 0;
    for (const item of due) {
      const dueMs = Date.parse(item.dueAt);
      const delaySeconds = Math.min(
        MAX_DELAY_SECONDS,
        Math.max(0, Math.ceil((dueMs - now.getTime()) / 1000)),
      );
      const redriveAt = new Date(Math.max(dueMs, now.getTime()) + deps.redriveAfterMs);
      if (!(await store.deferDue(item.assignmentId, item.dueKind, item.dueAt, redriveAt))) continue;
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

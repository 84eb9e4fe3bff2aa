// Use case: the sweeper — re-drive owed work from the table's sparse "due" indexes onto the queues.
import type { Clock, DueWork, Logger, Queue } from '../ports.ts';
import { type DispatchStore, makeDispatchDue, takenKey } from './dispatch.ts';

/** The sweeper reads what falls due and defers it; it never takes a lease nor changes the work. */
export type SweepStore = Pick<DueWork, 'queryDue'> & DispatchStore;

/** Time kept back at the end of an invocation when none is given: the last round's sends, and retention after. */
export const SWEEP_MARGIN_MS = 15_000;

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
  /** Items read per shard of each lane per round, at most. */
  pageSize?: number;
  /** Claims in flight at once, at most. */
  concurrency?: number;
  /** Another round starts only while more than this remains of the invocation. */
  marginMs?: number;
}

export interface SweepResult {
  read: number;
  dispatched: number;
  /** Rounds of read-then-dispatch this sweep made. */
  rounds: number;
}

/**
 * One sweep: rounds of reading what is due and dispatching it, while due work remains and time
 * remains in the invocation.
 * 1. Query every shard of every lane's sparse index (in parallel) for work due before the next
 *    sweep (its cost follows what is due, not what is pending: the indexes hold only assignments
 *    with work owed).
 * 2. Dispatch it (dispatch.ts): claim each by moving its due time forward, conditional on the due
 *    time read, many at once, then send the claimed ones ten to a call with DelaySeconds so each
 *    fires on time. If a message is lost or refused, its item falls due again at the moved time
 *    and a later sweep re-drives it.
 * 3. Another round, reading what is due now, while the last one found work not taken before in
 *    this sweep (a full page of some shard may have left more behind) and more than `marginMs`
 *    remains: `remainingMs` is Lambda's getRemainingTimeInMillis (the local timer passes the
 *    same). Without it, one round. An item claimed in an earlier round is not taken again in this
 *    sweep even if its re-drive time falls before the horizon (REDRIVE_AFTER shorter than the
 *    interval): it is left for the next sweep.
 */
export function makeSweepDue(deps: SweepDeps) {
  const { store, clock } = deps;
  const pageSize = deps.pageSize ?? 500;
  const margin = deps.marginMs ?? SWEEP_MARGIN_MS;
  const dispatchDue = makeDispatchDue({
    store,
    queues: deps.queues,
    logger: deps.logger,
    redriveAfterMs: deps.redriveAfterMs,
    ...(deps.concurrency !== undefined && { concurrency: deps.concurrency }),
  });

  return async function sweepDue(remainingMs?: () => number): Promise<SweepResult> {
    const result: SweepResult = { read: 0, dispatched: 0, rounds: 0 };
    const taken = new Set<string>();
    do {
      const now = clock.now();
      const horizon = new Date(now.getTime() + deps.intervalMs);
      const fresh = (await store.queryDue(horizon, pageSize)).filter((item) => !taken.has(takenKey(item)));
      result.rounds++;
      result.read += fresh.length;
      if (!fresh.length) break;
      const round = await dispatchDue(fresh, now);
      for (const key of round.taken) taken.add(key);
      result.dispatched += round.dispatched;
      // Nothing new claimed (others took it all): what remains is theirs, or the next sweep's.
      if (!round.claimed) break;
    } while (remainingMs && remainingMs() > margin);
    if (result.read) deps.logger.info('sweep', { ...result });
    return result;
  };
}

// Use case: publish a policy's text as its next version, and ask those who signed an earlier one to sign again.
import type {
  Assignments,
  AuditTrail,
  Clock,
  DueItem,
  Logger,
  Policies,
  PolicyAssignment,
  PolicyIndex,
  Signer,
  Starters,
} from '../ports.ts';
import type { DispatchResult } from './dispatch.ts';
import { NotFoundError } from './errors.ts';
import { assignmentIdFor, renewalIdFor } from './ids.ts';
import { versionText } from './language.ts';
import { type Assignment, isUnsigned, type PolicyText, type PolicyVersion, type Starter } from './model.ts';

/** Publishing stores versions, reads who signed or was asked before, and asks or withdraws. */
export type PublishStore = Policies &
  PolicyIndex &
  Pick<Assignments, 'createAssignment' | 'getAssignment' | 'cancelAssignment'> &
  Pick<Starters, 'getStarter'> &
  Pick<AuditTrail, 'appendAudit'>;

export interface PublishDeps {
  store: PublishStore;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn'>;
  /**
   * Dispatches owed invites onto the mail queue (dispatch.ts: claim, then send ten to a call), so
   * a re-acknowledgement's emails start at once; absent (no mail queue), the sweeper sends them.
   */
  dispatch?: (items: readonly DueItem[], now: Date) => Promise<DispatchResult>;
}

/** Invites owed by a re-acknowledgement, dispatched this many at a time as they are made. */
export const DISPATCH_EVERY = 100;
/** People a re-acknowledgement asks at once: each a few table calls in a row, on their own items. */
export const REACKNOWLEDGE_AT_ONCE = 8;
/**
 * People a re-acknowledgement judges together, their reads asked at once (the table reads gets
 * asked together as one BatchGetItem of up to 100): their starters, then whether each was asked.
 */
const JUDGE_AT_ONCE = 100;

export interface PublishOutcome {
  policy: PolicyVersion;
  /** False when the text was already the newest version: nothing new was published. */
  created: boolean;
  /** When created: the version it follows, if any (what a translation left out was dropped from). */
  previous?: PolicyVersion;
}

export interface ReacknowledgeOutcome {
  /** Signers of an earlier version now owing the new one (new assignments, invites owed now). */
  asked: number;
  /** Signers already asked for this version by an earlier run (or who signed it already). */
  alreadyAsked: number;
  /** Signers whose starter record is gone or cancelled: left alone. */
  skipped: number;
  /**
   * Those who had not signed an earlier version they were asked for, asked for this one instead
   * (the earlier ask withdrawn, their new invite owed now; a bounced one stays bounced).
   */
  moved: number;
  /** Of those, already moved by an earlier run. */
  alreadyMoved: number;
  /**
   * Invites owed by this run sent to the mail queue at once (with a dispatcher); the rest, if any,
   * the sweeper sends (a message refused, or a run stopped between owing and sending).
   */
  enqueued?: number;
}

/** What a re-acknowledgement would do, counted without writing: its outcome, and who stays bounced. */
export interface ReacknowledgeCount extends ReacknowledgeOutcome {
  /** Of those moved, how many stay bounced: no email until HR gives a new address. */
  stillBounced: number;
}

/** What publishing would do, as planPublish reads it. */
export interface PublishPlan {
  /** The newest version published, if any. */
  latest: PolicyVersion | undefined;
  /** The version the text would be: the next, or the newest when the text is the same. */
  policy: PolicyVersion;
  /** True when the text would be published as a new version. */
  created: boolean;
  /** With --reacknowledge: who would be asked again, or asked for this version instead. */
  count?: ReacknowledgeCount;
  /** How many would be emailed: those asked or moved whose address has not bounced. */
  emailed: number;
}

/** One person's part in a re-acknowledgement, as read before anything is written for them. */
type ReacknowledgeStep =
  | { kind: 'skipped' }
  | { kind: 'ask' | 'alreadyAsked'; starter: Starter; signer: Signer; assignmentId: string }
  | { kind: 'move'; earlier: Assignment; starter: Starter; exists: boolean };

/** Concurrent publishers racing for one version number: how often to look again before giving up. */
const MAX_RACES = 5;

export function makePublishPolicy(deps: PublishDeps) {
  const { store, clock, logger } = deps;

  /**
   * Publishes `text` as the next version, unless it is the newest version's text already.
   * Versions are immutable and numbered by a conditional put, so two publishers racing for one
   * number store one; the loser looks again and either finds its text published or takes the next.
   */
  async function publish(text: PolicyText): Promise<PublishOutcome> {
    for (let race = 0; race < MAX_RACES; race++) {
      const latest = await store.getLatestPolicyVersion(text.policyId);
      if (latest && versionText(latest) === versionText(text)) return { policy: latest, created: false };
      const next: PolicyVersion = {
        ...text,
        version: (latest?.version ?? 0) + 1,
        publishedAt: clock.now().toISOString(),
      };
      const outcome = await store.putPolicyVersion(next);
      if (outcome === 'created') {
        logger.info('policy published', {
          policyId: next.policyId,
          version: next.version,
          sha256: next.sha256,
        });
        return { policy: next, created: true, ...(latest && { previous: latest }) };
      }
      if (outcome === 'same') {
        return {
          policy: (await store.getPolicyVersion(next.policyId, next.version)) ?? next,
          created: false,
        };
      }
    }
    throw new Error(`policy ${text.policyId}: version numbers kept changing under the publisher; try again`);
  }

  /**
   * What publishing `text` would do, writing nothing (`policy publish --dry-run`, and the summary
   * before the question): the newest version now, the version `text` would be (the next number,
   * or the newest itself when its text is the same), and, with `reacknowledge`, who would be asked.
   */
  async function planPublish(text: PolicyText, reacknowledge: boolean): Promise<PublishPlan> {
    const latest = await store.getLatestPolicyVersion(text.policyId);
    const created = !latest || versionText(latest) !== versionText(text);
    const policy: PolicyVersion =
      latest && !created
        ? latest
        : { ...text, version: (latest?.version ?? 0) + 1, publishedAt: clock.now().toISOString() };
    const plan: PublishPlan = { latest, policy, created, emailed: 0 };
    if (!reacknowledge) return plan;
    const count = await countReacknowledge(policy);
    return { ...plan, count, emailed: count.asked + count.moved - count.stillBounced };
  }

  /** The newest version, publishing `text` as version 1 if the policy has none yet. */
  async function current(text: PolicyText): Promise<PolicyVersion> {
    return (await store.getLatestPolicyVersion(text.policyId)) ?? (await publish(text)).policy;
  }

  /**
   * Asks everyone who signed an earlier version of `policy` to sign it.
   * 1. Read the signers of earlier versions from the sparse signers' index.
   * 2. For each active starter, create the assignment for (employee, policy, version) by
   *    conditional put, owing an invite now. The id is derived, so re-running after an
   *    interruption converges, asking nobody twice. With a dispatcher, the invites owed are sent
   *    to the mail queue DISPATCH_EVERY at a time as they are made (claimed first, as the sweeper
   *    claims them, so a sweep running meanwhile sends none twice); without one, or if a run
   *    stops between owing and sending, the sweeper sends them on its next run.
   *    REACKNOWLEDGE_AT_ONCE people are asked at once: each step is one starter's own.
   * 3. A re-acknowledgement still unsigned for a version in between is withdrawn: one ask at a time.
   * 4. Then, from the policy index, everyone asked for an earlier version who has signed none is
   *    asked for this one instead: the new assignment is created (an invite owed now, or bounced
   *    still, until HR gives a new address) before the earlier one is withdrawn, pointing to it, so
   *    an interrupted run leaves both rather than neither, and the next run finishes it.
   */
  async function reacknowledge(policy: PolicyVersion): Promise<ReacknowledgeOutcome> {
    const outcome: ReacknowledgeOutcome = {
      asked: 0,
      alreadyAsked: 0,
      skipped: 0,
      moved: 0,
      alreadyMoved: 0,
      ...(deps.dispatch && { enqueued: 0 }),
    };
    // Invites owed by this run, dispatched a batch at a time as they are made. A run stopped
    // between owing one and sending it leaves it owed: the sweeper sends it on its next run.
    let owed: DueItem[] = [];
    const flush = async () => {
      if (!deps.dispatch || !owed.length) return;
      const batch = owed;
      owed = [];
      const sent = await deps.dispatch(batch, clock.now());
      outcome.enqueued = (outcome.enqueued ?? 0) + sent.dispatched;
    };
    const owe = async (created: Assignment) => {
      if (!deps.dispatch || created.dueKind !== 'invite' || !created.dueAt) return;
      owed.push({ assignmentId: created.assignmentId, dueAt: created.dueAt, dueKind: 'invite' });
      if (owed.length >= DISPATCH_EVERY) await flush();
    };
    const act = async (step: ReacknowledgeStep) => {
      if (step.kind === 'ask') {
        const { starter, signer, assignmentId } = step;
        const now = clock.now();
        const ask = askFor(policy, starter, assignmentId, now, { reason: 'reacknowledge' });
        await store.createAssignment(ask);
        await owe(ask);
        outcome.asked++;
        await store.appendAudit(assignmentId, 'reacknowledge-requested', now, {
          previousAssignmentId: signer.assignmentId,
          previousVersion: String(signer.policyVersion),
        });
        await withdrawOlderAsks(step, policy, now);
      } else if (step.kind === 'alreadyAsked') {
        // Asked by an earlier run, which may have stopped before withdrawing the older asks.
        await withdrawOlderAsks(step, policy, clock.now());
        outcome.alreadyAsked++;
      } else if (step.kind === 'move') {
        const ask = await moveHaving(policy, step.earlier, step.starter, step.exists);
        if (ask) await owe(ask);
        outcome[step.exists ? 'alreadyMoved' : 'moved']++;
      } else {
        outcome[step.kind]++;
      }
    };
    // Each step concerns one starter only (the steps name each starter once), so REACKNOWLEDGE_AT_ONCE
    // people are asked at once; the steps are still read one after another.
    const running = new Set<Promise<void>>();
    try {
      for await (const step of reacknowledgeSteps(policy)) {
        const acting: Promise<void> = act(step).finally(() => running.delete(acting));
        running.add(acting);
        if (running.size >= REACKNOWLEDGE_AT_ONCE) await Promise.race(running);
      }
      await Promise.all(running);
    } finally {
      // A failure stops the run: what is in flight finishes (or fails) before it is reported.
      await Promise.allSettled(running);
    }
    await flush();
    logger.info('re-acknowledgement requested', {
      policyId: policy.policyId,
      version: policy.version,
      ...outcome,
    });
    return outcome;
  }

  /**
   * One ask at a time: a signer asked for `policy` is no longer asked for a version in between
   * (an earlier re-acknowledgement still unsigned), nor to renew the agreement they signed (a
   * renewal of it, `reattest:`, still unsigned: the new version's ask renews it).
   */
  async function withdrawOlderAsks(
    step: { starter: Starter; signer: Signer; assignmentId: string },
    policy: PolicyVersion,
    now: Date,
  ): Promise<void> {
    const { starter, signer, assignmentId } = step;
    for (let v = signer.policyVersion + 1; v < policy.version; v++) {
      await supersede(assignmentIdFor(starter.employeeId, policy.policyId, v), assignmentId, policy, now);
    }
    await supersede(renewalIdFor(signer.assignmentId), assignmentId, policy, now);
  }

  /**
   * What `reacknowledge(policy)` would do, writing nothing (`policy publish --dry-run`, and the
   * question asked before publishing): the same steps, counted. `policy` may be a version not yet
   * published, numbered as publishing would number it.
   */
  async function countReacknowledge(policy: PolicyVersion): Promise<ReacknowledgeCount> {
    const count: ReacknowledgeCount = {
      asked: 0,
      alreadyAsked: 0,
      skipped: 0,
      moved: 0,
      alreadyMoved: 0,
      stillBounced: 0,
    };
    for await (const step of reacknowledgeSteps(policy)) {
      if (step.kind !== 'move') count[step.kind === 'ask' ? 'asked' : step.kind]++;
      else if (step.exists) count.alreadyMoved++;
      else {
        count.moved++;
        // As moveTo decides: the new ask stays bounced when the earlier one holds its bounce.
        if (step.earlier.status === 'bounced' && step.earlier.bounce) count.stillBounced++;
      }
    }
    return count;
  }

  /**
   * Who a re-acknowledgement of `policy` concerns and how, read but not acted on; reacknowledge
   * acts on each step as it comes, countReacknowledge only counts them.
   * 1. Read the signers of earlier versions from the sparse signers' index, newest signed version
   *    first, so each starter is judged by the last version they signed: a starter gone or
   *    cancelled is skipped; one already holding this version's assignment was asked before;
   *    anyone else is to be asked.
   * 2. Then, from the policy index, everyone asked for an earlier version who has signed none is
   *    to be moved to this one (`exists`: an earlier run created the new assignment already).
   */
  async function* reacknowledgeSteps(policy: PolicyVersion): AsyncGenerator<ReacknowledgeStep> {
    const seen = new Set<string>();
    /** The new ask's id for an active starter; none for one gone or cancelled (skipped). */
    const newAskOf = (starter: Starter | undefined) =>
      starter && starter.status !== 'cancelled'
        ? assignmentIdFor(starter.employeeId, policy.policyId, policy.version)
        : undefined;

    /** Signers judged together: their starters in one batched read, then the new asks' in another. */
    const judgeSigners = async (signers: readonly Signer[]): Promise<ReacknowledgeStep[]> => {
      const starters = await Promise.all(signers.map((signer) => store.getStarter(signer.starterId)));
      const ids = starters.map(newAskOf);
      const asked = await Promise.all(ids.map((id) => (id ? store.getAssignment(id) : undefined)));
      return signers.map((signer, i): ReacknowledgeStep => {
        const starter = starters[i];
        const assignmentId = ids[i];
        if (!starter || !assignmentId) return { kind: 'skipped' };
        return { kind: asked[i] ? 'alreadyAsked' : 'ask', starter, signer, assignmentId };
      });
    };
    let signers: Signer[] = [];
    for await (const signer of store.signers(policy.policyId, policy.version)) {
      if (seen.has(signer.starterId)) continue;
      seen.add(signer.starterId);
      signers.push(signer);
      if (signers.length < JUDGE_AT_ONCE) continue;
      yield* await judgeSigners(signers);
      signers = [];
    }
    yield* await judgeSigners(signers);

    /** Unsigned asks judged together: each read afresh with its starter, then the new asks. */
    const judgeMoves = async (asks: readonly PolicyAssignment[]): Promise<ReacknowledgeStep[]> => {
      const [earlier, starters] = await Promise.all([
        Promise.all(asks.map((ask) => store.getAssignment(ask.assignmentId))),
        Promise.all(asks.map((ask) => store.getStarter(ask.starterId))),
      ]);
      const ids = asks.map((_, i) =>
        // Signed or withdrawn since the index was read, or a leaver's (ingest cancels those): left.
        earlier[i] && isUnsigned((earlier[i] as Assignment).status) ? newAskOf(starters[i]) : undefined,
      );
      const existing = await Promise.all(ids.map((id) => (id ? store.getAssignment(id) : undefined)));
      return asks.flatMap((_, i): ReacknowledgeStep[] => {
        const before = earlier[i];
        const starter = starters[i];
        return before && starter && ids[i]
          ? [{ kind: 'move', earlier: before, starter, exists: Boolean(existing[i]) }]
          : [];
      });
    };
    for await (const page of store.assignmentsOf(policy.policyId)) {
      const asks: PolicyAssignment[] = [];
      for (const ask of page) {
        // A signer's (judged above) or a withdrawn ask stays; so does one of this version or later.
        if (seen.has(ask.starterId) || ask.policyVersion >= policy.version || !isUnsigned(ask.status))
          continue;
        seen.add(ask.starterId);
        asks.push(ask);
      }
      for (let i = 0; i < asks.length; i += JUDGE_AT_ONCE) {
        yield* await judgeMoves(asks.slice(i, i + JUDGE_AT_ONCE));
      }
    }
  }

  /**
   * Asks `starter` for `policy` instead of the unsigned `earlier` version. Returns false when an
   * earlier run created the new assignment already (this one then only finishes withdrawing).
   * `bounce`: the new ask stays bounced, owing nothing (the address refused the earlier one).
   */
  async function moveTo(
    policy: PolicyVersion,
    earlier: Assignment,
    starter: Starter,
    bounce = earlier.status === 'bounced' ? earlier.bounce : undefined,
  ): Promise<boolean> {
    const exists = await store.getAssignment(
      assignmentIdFor(starter.employeeId, policy.policyId, policy.version),
    );
    return Boolean(await moveHaving(policy, earlier, starter, Boolean(exists), bounce));
  }

  /**
   * moveTo, told whether the new assignment exists already (a re-acknowledgement has read it);
   * answers the new assignment when this run created it.
   */
  async function moveHaving(
    policy: PolicyVersion,
    earlier: Assignment,
    starter: Starter,
    exists: boolean,
    bounce = earlier.status === 'bounced' ? earlier.bounce : undefined,
  ): Promise<Assignment | undefined> {
    const now = clock.now();
    const assignmentId = assignmentIdFor(starter.employeeId, policy.policyId, policy.version);
    let created: Assignment | undefined;
    if (!exists) {
      created = askFor(policy, starter, assignmentId, now, {
        // Asked afresh, not again: they never signed. A re-acknowledgement's ask keeps its reason.
        reason: earlier.reason ?? 'starter',
        // The person was first asked then: reports' date ranges and order keep them there.
        createdAt: earlier.createdAt,
        ...(bounce && { bounce }),
      });
      await store.createAssignment(created);
      await store.appendAudit(assignmentId, 'replaces-unsigned', now, {
        previousAssignmentId: earlier.assignmentId,
        previousVersion: String(earlier.policyVersion),
      });
    }
    await supersede(earlier.assignmentId, assignmentId, policy, now);
    return created;
  }

  /**
   * Withdraws an unsigned ask for an earlier version, pointing to the one that replaces it (one
   * cancelled with a leaver too, so that it is not reopened if they come back); one signed
   * meanwhile keeps its agreement, and its trail says nothing of being superseded.
   */
  async function supersede(olderId: string, byId: string, policy: PolicyVersion, now: Date): Promise<void> {
    const older = await store.getAssignment(olderId);
    if (!older || older.ack || older.supersededBy) return;
    if (!(await store.cancelAssignment(olderId, now, { assignmentId: byId, version: policy.version })))
      return;
    await store.appendAudit(olderId, 'superseded', now, { by: byId, version: String(policy.version) });
  }

  return { publish, planPublish, current, reacknowledge, countReacknowledge, moveTo };
}

/**
 * Every published version of a policy, oldest first.
 * 1. The newest version says how many there are; a policy never published is refused.
 * 2. Each version is read by its number. Versions are immutable, so the list only grows.
 */
export function makeListPolicyVersions(deps: {
  store: Pick<Policies, 'getLatestPolicyVersion' | 'getPolicyVersion'>;
}) {
  return async function listPolicyVersions(policyId: string): Promise<PolicyVersion[]> {
    const latest = await deps.store.getLatestPolicyVersion(policyId);
    if (!latest) throw new NotFoundError('policy.not_found', `No published versions of ${policyId}.`);
    const versions: PolicyVersion[] = [];
    for (let v = 1; v <= latest.version; v++) {
      const policy = await deps.store.getPolicyVersion(policyId, v);
      if (policy) versions.push(policy);
    }
    return versions;
  };
}

/**
 * A new ask of `policy`: an invite owed now, or (with `bounce`) bounced still, owing nothing until
 * HR gives a new address.
 */
function askFor(
  policy: PolicyVersion,
  starter: Starter,
  assignmentId: string,
  now: Date,
  how: { reason: NonNullable<Assignment['reason']>; createdAt?: string; bounce?: Assignment['bounce'] },
): Assignment {
  return {
    assignmentId,
    starterId: starter.starterId,
    policyId: policy.policyId,
    policyVersion: policy.version,
    policySha256: policy.sha256,
    reason: how.reason,
    createdAt: how.createdAt ?? now.toISOString(),
    timeZone: starter.timeZone,
    sends: [],
    ...(how.bounce
      ? { status: 'bounced', bounce: how.bounce }
      : { status: 'pending', dueAt: now.toISOString(), dueKind: 'invite' }),
  };
}

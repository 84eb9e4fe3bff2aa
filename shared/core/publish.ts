// Use case: publish a policy's text as its next version, and ask those who signed an earlier one to sign again.
import type { Clock, Logger, Store } from '../ports.ts';
import { assignmentIdFor } from './ids.ts';
import type { PolicyText, PolicyVersion } from './model.ts';

export interface PublishDeps {
  store: Store;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn'>;
}

export interface PublishOutcome {
  policy: PolicyVersion;
  /** False when the text was already the newest version: nothing new was published. */
  created: boolean;
}

export interface ReacknowledgeOutcome {
  /** Signers of an earlier version now owing the new one (new assignments, invites owed now). */
  asked: number;
  /** Signers already asked for this version by an earlier run (or who signed it already). */
  alreadyAsked: number;
  /** Signers whose starter record is gone or cancelled: left alone. */
  skipped: number;
}

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
      if (latest?.sha256 === text.sha256) return { policy: latest, created: false };
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
        return { policy: next, created: true };
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

  /** The newest version, publishing `text` as version 1 if the policy has none yet. */
  async function current(text: PolicyText): Promise<PolicyVersion> {
    return (await store.getLatestPolicyVersion(text.policyId)) ?? (await publish(text)).policy;
  }

  /**
   * Asks everyone who signed an earlier version of `policy` to sign it.
   * 1. Read the signers of earlier versions from the sparse signers' index.
   * 2. For each active starter, create the assignment for (employee, policy, version) by
   *    conditional put, owing an invite now: the sweeper dispatches it on its next run. The id is
   *    derived, so re-running after an interruption converges, asking nobody twice.
   * 3. A re-acknowledgement still unsigned for a version in between is withdrawn: one ask at a time.
   * Someone who has not signed any version yet keeps the link they have, which shows the version
   * it was issued for.
   */
  async function reacknowledge(policy: PolicyVersion): Promise<ReacknowledgeOutcome> {
    const outcome: ReacknowledgeOutcome = { asked: 0, alreadyAsked: 0, skipped: 0 };
    const seen = new Set<string>();
    // Newest signed version first, so each starter is judged by the last version they signed.
    for await (const signer of store.signers(policy.policyId, policy.version)) {
      if (seen.has(signer.starterId)) continue;
      seen.add(signer.starterId);
      const starter = await store.getStarter(signer.starterId);
      if (!starter || starter.status === 'cancelled') {
        outcome.skipped++;
        continue;
      }
      const now = clock.now();
      const assignmentId = assignmentIdFor(starter.employeeId, policy.policyId, policy.version);
      if (await store.getAssignment(assignmentId)) {
        outcome.alreadyAsked++;
        continue;
      }
      await store.createAssignment({
        assignmentId,
        starterId: starter.starterId,
        policyId: policy.policyId,
        policyVersion: policy.version,
        policySha256: policy.sha256,
        reason: 'reacknowledge',
        status: 'pending',
        createdAt: now.toISOString(),
        dueAt: now.toISOString(),
        dueKind: 'invite',
        sends: [],
      });
      outcome.asked++;
      await store.appendAudit(assignmentId, 'reacknowledge-requested', now, {
        previousAssignmentId: signer.assignmentId,
        previousVersion: String(signer.policyVersion),
      });
      for (let v = signer.policyVersion + 1; v < policy.version; v++) {
        const older = await store.getAssignment(assignmentIdFor(starter.employeeId, policy.policyId, v));
        if (!older || older.ack || older.status === 'cancelled') continue;
        await store.cancelAssignment(older.assignmentId, now);
        await store.appendAudit(older.assignmentId, 'superseded', now, {
          by: assignmentId,
          version: String(policy.version),
        });
      }
    }
    logger.info('re-acknowledgement requested', {
      policyId: policy.policyId,
      version: policy.version,
      ...outcome,
    });
    return outcome;
  }

  return { publish, current, reacknowledge };
}

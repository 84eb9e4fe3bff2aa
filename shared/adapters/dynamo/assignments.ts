// Assignments on the table: one item each, and every change of status a single conditional update of it.
import { type Assignment, MAX_DECLINES } from '#shared/core/model.ts';
import type { Assignments, ReadConsistency } from '#shared/ports.ts';
import { asAssignment, owing, storedAssignment } from './lanes.ts';
import { DEFAULT_DUE_SHARDS, dueShard, retainShard } from './shards.ts';
import { conditionally, key, unlessConditionFails } from './table.ts';
import type { TableFor } from './table-access.ts';

/**
 * The part of an update that owes retention's reduce-ip step at `reduceIpAt` (none without one),
 * unless a step is owed already (an earlier, sooner one stands): its SET clauses and their values.
 */
function owingReduceIp(assignmentId: string, reduceIpAt: Date | undefined, shards: number) {
  if (!reduceIpAt) return { set: '', values: {} };
  return {
    set: ', retainStep = if_not_exists(retainStep, :reduce), retainAt = if_not_exists(retainAt, :reduceAt), retainShard = :retain',
    values: {
      ':reduce': 'reduce-ip',
      ':reduceAt': reduceIpAt.toISOString(),
      ':retain': retainShard(assignmentId, shards),
    },
  };
}

/** `shards`: DUE_SHARDS, how many partitions each due index (and the `retain` index) spreads over. */
export function makeAssignments(table: TableFor<'assignments'>, shards = DEFAULT_DUE_SHARDS): Assignments {
  const getAssignment = async (assignmentId: string, consistency?: ReadConsistency) =>
    asAssignment(await table.get(key.assignment(assignmentId), consistency));

  /**
   * Sets each of `values` — the starter's, copied onto an ask (their address's date, their time
   * zone) — in one conditional write, unless the ask is signed: a signed ask keeps what it was
   * signed under. False when refused.
   */
  const setWhileUnsigned = (assignmentId: string, values: Record<string, string>) => {
    const names = Object.keys(values);
    return conditionally(
      table.update({
        Key: key.assignment(assignmentId),
        // Names for the attributes, as some (TIMEZONE) are DynamoDB's reserved words.
        UpdateExpression: `SET ${names.map((_, i) => `#a${i} = :v${i}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(ack)',
        ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#a${i}`, name])),
        ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:v${i}`, values[name]])),
      }),
    );
  };

  return {
    async createAssignment(assignment) {
      const item = { ...key.assignment(assignment.assignmentId), ...storedAssignment(assignment, shards) };
      const created = await table.putIfAbsent(item);
      return created ? assignment : ((await getAssignment(assignment.assignmentId)) as Assignment);
    },

    getAssignment,

    async getAssignments(assignmentIds) {
      const items = await table.batchGet(assignmentIds.map(key.assignment));
      return new Map(items.map((item) => [item.assignmentId as string, asAssignment(item) as Assignment]));
    },

    async cancelAssignment(assignmentId, at, supersededBy) {
      // An acknowledged assignment keeps its status: the agreement happened.
      return conditionally(
        table.update({
          Key: key.assignment(assignmentId),
          UpdateExpression: `SET #status = :cancelled, cancelledAt = :at${supersededBy ? ', supersededBy = :by' : ''} REMOVE dueAt, dueKind, dueShard, leaseUntil`,
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(ack)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':cancelled': 'cancelled',
            ':at': at.toISOString(),
            ...(supersededBy && { ':by': supersededBy }),
          },
        }),
      );
    },

    async reopenBounced(assignmentId, dueAt) {
      return conditionally(
        table.update({
          Key: key.assignment(assignmentId),
          UpdateExpression:
            'SET #status = :pending, dueKind = :invite, dueAt = :at, dueShard = :shard REMOVE bounce, leaseUntil, attempt',
          ConditionExpression: '#status = :bounced',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':pending': 'pending',
            ':invite': 'invite',
            ':at': dueAt.toISOString(),
            ':shard': dueShard(assignmentId, shards),
            ':bounced': 'bounced',
          },
        }),
      );
    },

    async retold(assignmentId, { emailSince, timeZone }) {
      return setWhileUnsigned(assignmentId, {
        ...(emailSince && { emailSince: emailSince.toISOString() }),
        ...(timeZone && { timeZone }),
      });
    },

    async reopenCancelled(assignmentId, how) {
      const owes = 'dueAt' in how;
      return conditionally(
        table.update({
          Key: key.assignment(assignmentId),
          UpdateExpression: owes
            ? 'SET #status = :pending, dueKind = :invite, dueAt = :at, dueShard = :shard ' +
              'REMOVE cancelledAt, chase, digest, bounce, leaseUntil, attempt'
            : 'SET #status = :bounced REMOVE cancelledAt, chase, digest, leaseUntil, attempt',
          ConditionExpression:
            '#status = :cancelled AND attribute_not_exists(ack) AND attribute_not_exists(supersededBy)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: owes
            ? {
                ':pending': 'pending',
                ':invite': 'invite',
                ':at': how.dueAt.toISOString(),
                ':shard': dueShard(assignmentId, shards),
                ':cancelled': 'cancelled',
              }
            : { ':bounced': 'bounced', ':cancelled': 'cancelled' },
        }),
      );
    },

    async markBounced(assignmentId, bounce, noticeDueAt) {
      const values: Record<string, unknown> = {
        ':bounced': 'bounced',
        ':cancelled': 'cancelled',
        ':declined': 'declined',
        ':bounce': bounce,
      };
      let expression = 'SET #status = :bounced, bounce = :bounce';
      if (noticeDueAt) {
        expression += ', dueKind = :notice, dueAt = :at, dueShard = :shard REMOVE leaseUntil';
        Object.assign(values, {
          ':notice': 'bounce-notice',
          ':at': noticeDueAt.toISOString(),
          ':shard': dueShard(assignmentId, shards),
        });
      } else {
        expression += ' REMOVE dueAt, dueKind, dueShard, leaseUntil';
      }
      return conditionally(
        table.update({
          Key: key.assignment(assignmentId),
          UpdateExpression: expression,
          // A declined ask keeps its status: the person answered (a later email's bounce changes nothing).
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(ack) AND #status <> :cancelled AND #status <> :bounced AND #status <> :declined',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
    },

    async requestFreshLink(assignmentId, now, notSince) {
      return conditionally(
        table.update({
          Key: key.assignment(assignmentId),
          // A fresh invite is a new step: an attempt interrupted before it is not this one.
          UpdateExpression:
            'SET dueKind = :invite, dueAt = :now, dueShard = :shard, freshLinkAt = :now REMOVE attempt',
          // Unsigned, not withdrawn, owing nothing but (perhaps) an invite, and not asked lately.
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(ack) AND #status <> :cancelled AND #status <> :bounced ' +
            'AND (attribute_not_exists(dueKind) OR dueKind IN (:invite, :reminder)) ' +
            'AND (attribute_not_exists(freshLinkAt) OR freshLinkAt < :since)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':invite': 'invite',
            ':now': now.toISOString(),
            ':since': notSince.toISOString(),
            ':shard': dueShard(assignmentId, shards),
            ':cancelled': 'cancelled',
            ':bounced': 'bounced',
            ':reminder': 'reminder',
          },
        }),
      );
    },

    async recordAcknowledgement(assignmentId, evidence, deliveries, dueAt, reduceIpAt) {
      const owed = owing(deliveries);
      // Retention's first step, in the same write: the IP address and browser are reduced then —
      // unless an earlier decline's reduction is owed, which is sooner (it re-owes this one after).
      const retain = owingReduceIp(assignmentId, reduceIpAt, shards);
      const out = await unlessConditionFails(
        table.update({
          Key: key.assignment(assignmentId),
          // One write: the evidence, the new status, the owed receipt in place of any owed invite,
          // the owed LMS deliveries, and the entry in the signers' index.
          UpdateExpression:
            `SET ack = :ack, #status = :acknowledged, ${owed.set.map((c) => `${c}, `).join('')}` +
            'dueAt = :due, dueKind = :receipt, dueShard = :shard, ' +
            `signedPolicy = :policy, signedVersion = :version${retain.set} ` +
            'REMOVE leaseUntil',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(ack) AND #status <> :cancelled',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':ack': evidence,
            ':acknowledged': 'acknowledged',
            ':cancelled': 'cancelled',
            ...owed.values,
            ':due': dueAt.toISOString(),
            ':receipt': 'receipt',
            ':shard': dueShard(assignmentId, shards),
            ':policy': evidence.policyId,
            ':version': evidence.policyVersion,
            ...retain.values,
          },
          ReturnValues: 'ALL_NEW',
        }),
        undefined,
      );
      if (out) return { recorded: true, assignment: asAssignment(out.Attributes) as Assignment };
      // dynalite does not return the item on a failed condition, so read it back.
      return { recorded: false, assignment: (await getAssignment(assignmentId)) as Assignment };
    },

    async recordDecline(assignmentId, decline, noticeDueAt, reduceIpAt) {
      const retain = owingReduceIp(assignmentId, reduceIpAt, shards);
      const out = await unlessConditionFails(
        table.update({
          Key: key.assignment(assignmentId),
          // One write: the decline kept, the new status, and the notice owed in place of the chase.
          UpdateExpression:
            'SET declines = list_append(if_not_exists(declines, :none), :decline), #status = :declined, ' +
            `dueAt = :due, dueKind = :notice, dueShard = :shard${retain.set} REMOVE leaseUntil`,
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(ack) AND #status <> :cancelled ' +
            'AND (attribute_not_exists(declines) OR size(declines) < :max)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':none': [],
            ':decline': [decline],
            ':declined': 'declined',
            ':cancelled': 'cancelled',
            ':due': noticeDueAt.toISOString(),
            ':notice': 'decline-notice',
            ':shard': dueShard(assignmentId, shards),
            ':max': MAX_DECLINES,
            ...retain.values,
          },
          ReturnValues: 'ALL_NEW',
        }),
        undefined,
      );
      if (out) return { recorded: true, assignment: asAssignment(out.Attributes) as Assignment };
      return { recorded: false, assignment: (await getAssignment(assignmentId)) as Assignment };
    },
  };
}

// The mail lane's steps on the table: each recorded by the holder of the lane's lease in one conditional update, and SES's word on an attempt beside its assignment.
import type { MailWork, SentAttempt } from '#shared/ports.ts';
import { type Item, key } from './table.ts';
import type { TableFor } from './table-access.ts';

/** Only the lease holder of the owed email records it. */
const HOLDS_LEASE = 'dueKind = :kind AND attribute_exists(leaseUntil)';
/** The mail lane owes nothing more: off its sparse index. */
const LANE_DONE = 'REMOVE dueAt, dueKind, dueShard, leaseUntil';

export function makeMailWork(table: TableFor<'mailWork'>): MailWork {
  return {
    async recordSend(assignmentId, send, after = {}) {
      const names: Record<string, string> = {};
      const values: Item = { ':kind': send.kind, ':none': [], ':send': [send] };
      const set = ['sends = list_append(if_not_exists(sends, :none), :send)'];
      if (after.status) {
        set.push('#status = :status');
        names['#status'] = 'status';
        values[':status'] = after.status;
      }
      if (after.chase) {
        set.push('chase = :chase');
        values[':chase'] = after.chase;
      }
      if (after.signBy) {
        set.push('signBy = :signBy');
        values[':signBy'] = after.signBy;
      }
      if (after.certificate) {
        set.push('certificate = :certificate');
        values[':certificate'] = after.certificate;
      }
      // The attempt is settled (this record names it): forgotten, so the item is 70-odd bytes
      // smaller for every write after it (each KB a unit), and the next step of the same kind (a
      // second reminder) is claimed without a read, as the first was.
      let remove = 'REMOVE leaseUntil, attempt';
      if (after.next) {
        // The lane moves on to the next step; the item stays in the sparse index.
        set.push('dueKind = :next, dueAt = :nextAt');
        Object.assign(values, { ':next': after.next.kind, ':nextAt': after.next.dueAt.toISOString() });
      } else {
        remove = `${LANE_DONE}, attempt`;
      }
      await table.update({
        Key: key.assignment(assignmentId),
        UpdateExpression: `SET ${set.join(', ')} ${remove}`,
        ConditionExpression: HOLDS_LEASE,
        ...(after.status && { ExpressionAttributeNames: names }),
        ExpressionAttributeValues: values,
      });
    },

    async finishStep(assignmentId, kind) {
      await table.update({
        Key: key.assignment(assignmentId),
        UpdateExpression: LANE_DONE,
        ConditionExpression: HOLDS_LEASE,
        ExpressionAttributeValues: { ':kind': kind },
      });
    },

    async escalate(assignmentId, update) {
      const values: Item = {
        ':escalation': 'escalation',
        ':overdue': 'overdue',
        ':at': update.at.toISOString(),
      };
      let expression = 'SET #status = :overdue, escalatedAt = :at';
      if (update.digest) {
        expression += ', digest = :digest';
        values[':digest'] = update.digest;
      }
      if (update.digestDueAt) {
        expression += ', dueKind = :digestKind, dueAt = :digestAt REMOVE leaseUntil';
        Object.assign(values, { ':digestKind': 'digest', ':digestAt': update.digestDueAt.toISOString() });
      } else {
        expression += ` ${LANE_DONE}`;
      }
      await table.update({
        Key: key.assignment(assignmentId),
        UpdateExpression: expression,
        ConditionExpression: 'dueKind = :escalation AND attribute_exists(leaseUntil)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      });
    },

    async recordSentAttempt(assignmentId, attemptId, messageId, at) {
      // SES reports a send more than once (Send, Delivery, redelivered notifications): the first stands.
      await table.putIfAbsent({
        ...key.sentAttempt(assignmentId, attemptId),
        messageId,
        at: at.toISOString(),
      });
    },

    async getSentAttempt(assignmentId, attemptId) {
      return (await table.get(key.sentAttempt(assignmentId, attemptId)))?.messageId as string | undefined;
    },

    async getSentAttempts(assignmentId) {
      const found: SentAttempt[] = [];
      const pages = table.paginate({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :attempt)',
        ExpressionAttributeValues: { ':pk': key.assignment(assignmentId).pk, ':attempt': 'ATTEMPT#' },
        ConsistentRead: true,
      });
      for await (const items of pages) {
        for (const item of items) {
          found.push({
            attemptId: (item.sk as string).slice('ATTEMPT#'.length),
            messageId: item.messageId as string,
            at: item.at as string,
          });
        }
      }
      return found.sort((a, b) => a.at.localeCompare(b.at) || a.attemptId.localeCompare(b.attemptId));
    },
  };
}

// The Store port on one DynamoDB table; every invariant rests on a single-item conditional write.
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Assignment, DueKind, Evidence, PolicyVersion, SendRecord, Starter } from '../core/model.ts';
import type { AckOutcome, Store } from '../ports.ts';

/** The sparse index's partition value: set only while an assignment owes work. */
const DUE_SHARD = 'due';
export const DUE_INDEX = 'due';

const key = {
  starter: (id: string) => ({ pk: `STARTER#${id}`, sk: 'PROFILE' }),
  assignment: (id: string) => ({ pk: `ASSIGN#${id}`, sk: 'ASSIGNMENT' }),
  receipt: (source: string, eventId: string) => ({ pk: `EVENT#${source}#${eventId}`, sk: 'RECEIPT' }),
  policy: (id: string, version: number) => ({
    pk: `POLICY#${id}`,
    sk: `V#${String(version).padStart(6, '0')}`,
  }),
};

type Item = Record<string, unknown>;

function strip<T>(item: Item | undefined): T | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, dueShard: _shard, expiresAt: _exp, ...rest } = item;
  return rest as T;
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as Error)?.name === 'ConditionalCheckFailedException'
  );
}

/** Runs a conditional write; a failed condition is an answer (false), not an error. */
async function conditionally(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export function makeDynamoStore(tableName: string, client: DynamoDBClient = new DynamoDBClient({})): Store {
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  const TableName = tableName;

  const get = async (k: Item) =>
    (await doc.send(new GetCommand({ TableName, Key: k, ConsistentRead: true }))).Item;

  const store: Store = {
    async getEventReceipt(source, eventId) {
      return (await get(key.receipt(source, eventId)))?.response;
    },

    async putEventReceipt(source, eventId, response, expiresAt) {
      // A concurrent duplicate converged on the same state; the first receipt stands.
      await conditionally(
        doc.send(
          new PutCommand({
            TableName,
            Item: {
              ...key.receipt(source, eventId),
              response,
              expiresAt: Math.floor(expiresAt.getTime() / 1000),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },

    async getStarter(starterId) {
      return strip<Starter>(await get(key.starter(starterId)));
    },

    async putStarter(starter) {
      await doc.send(new PutCommand({ TableName, Item: { ...key.starter(starter.starterId), ...starter } }));
    },

    async createAssignment(assignment) {
      const item = {
        ...key.assignment(assignment.assignmentId),
        ...assignment,
        ...(assignment.dueKind && { dueShard: DUE_SHARD }),
      };
      const created = await conditionally(
        doc.send(new PutCommand({ TableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })),
      );
      return created ? assignment : ((await store.getAssignment(assignment.assignmentId)) as Assignment);
    },

    async getAssignment(assignmentId) {
      return strip<Assignment>(await get(key.assignment(assignmentId)));
    },

    async cancelAssignment(assignmentId, at) {
      // An acknowledged assignment keeps its status: the agreement happened.
      await conditionally(
        doc.send(
          new UpdateCommand({
            TableName,
            Key: key.assignment(assignmentId),
            UpdateExpression:
              'SET #status = :cancelled, cancelledAt = :at REMOVE dueAt, dueKind, dueShard, leaseUntil',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(ack)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':cancelled': 'cancelled', ':at': at.toISOString() },
          }),
        ),
      );
    },

    async claimWork(assignmentId, kind, now, leaseUntil) {
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName,
            Key: key.assignment(assignmentId),
            UpdateExpression: 'SET leaseUntil = :until',
            // Owed, and nobody holds an unexpired lease on it.
            ConditionExpression:
              'dueKind = :kind AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
            ExpressionAttributeValues: {
              ':kind': kind,
              ':now': now.toISOString(),
              ':until': leaseUntil.toISOString(),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return strip<Assignment>(out.Attributes);
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },

    async releaseWork(assignmentId, kind) {
      await conditionally(
        doc.send(
          new UpdateCommand({
            TableName,
            Key: key.assignment(assignmentId),
            UpdateExpression: 'REMOVE leaseUntil',
            ConditionExpression: 'dueKind = :kind',
            ExpressionAttributeValues: { ':kind': kind },
          }),
        ),
      );
    },

    async recordSend(assignmentId, send: SendRecord) {
      await doc.send(
        new UpdateCommand({
          TableName,
          Key: key.assignment(assignmentId),
          UpdateExpression:
            'SET #status = :invited, sends = list_append(if_not_exists(sends, :none), :send) ' +
            'REMOVE dueAt, dueKind, dueShard, leaseUntil',
          // Only the lease holder of an owed invite records it.
          ConditionExpression: 'dueKind = :invite AND attribute_exists(leaseUntil)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':invited': 'invited',
            ':invite': 'invite',
            ':none': [],
            ':send': [send],
          },
        }),
      );
    },

    async recordAcknowledgement(assignmentId, evidence: Evidence, webhookId, lmsDueAt): Promise<AckOutcome> {
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName,
            Key: key.assignment(assignmentId),
            // One write: the evidence, the new status, the owed LMS delivery, and no more invites.
            UpdateExpression:
              'SET ack = :ack, #status = :acknowledged, lms = :lms, dueAt = :due, dueKind = :kind, dueShard = :shard ' +
              'REMOVE leaseUntil',
            ConditionExpression:
              'attribute_exists(pk) AND attribute_not_exists(ack) AND #status <> :cancelled',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':ack': evidence,
              ':acknowledged': 'acknowledged',
              ':cancelled': 'cancelled',
              ':lms': { state: 'pending', webhookId, attempts: 0 },
              ':due': lmsDueAt.toISOString(),
              ':kind': 'lms',
              ':shard': DUE_SHARD,
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return { recorded: true, assignment: strip<Assignment>(out.Attributes) as Assignment };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // dynalite does not return the item on a failed condition, so read it back.
        return { recorded: false, assignment: (await store.getAssignment(assignmentId)) as Assignment };
      }
    },

    async requestFreshLink(assignmentId, now, notSince) {
      return conditionally(
        doc.send(
          new UpdateCommand({
            TableName,
            Key: key.assignment(assignmentId),
            UpdateExpression: 'SET dueKind = :invite, dueAt = :now, dueShard = :shard, freshLinkAt = :now',
            // Unsigned, not withdrawn, owing nothing but (perhaps) an invite, and not asked lately.
            ConditionExpression:
              'attribute_exists(pk) AND attribute_not_exists(ack) AND #status <> :cancelled ' +
              'AND (attribute_not_exists(dueKind) OR dueKind = :invite) ' +
              'AND (attribute_not_exists(freshLinkAt) OR freshLinkAt < :since)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':invite': 'invite',
              ':now': now.toISOString(),
              ':since': notSince.toISOString(),
              ':shard': DUE_SHARD,
              ':cancelled': 'cancelled',
            },
          }),
        ),
      );
    },

    async recordDeliveryAttempt(assignmentId, attempt) {
      const values: Item = { ':one': 1, ':status': attempt.status, ':lms': 'lms' };
      let update = 'SET lms.attempts = lms.attempts + :one, lms.lastStatus = :status REMOVE leaseUntil';
      if (attempt.delivered) {
        update =
          'SET lms.attempts = lms.attempts + :one, lms.lastStatus = :status, lms.#state = :delivered, ' +
          'lms.deliveredAt = :at REMOVE leaseUntil, dueAt, dueKind, dueShard';
        Object.assign(values, { ':delivered': 'delivered', ':at': attempt.at.toISOString() });
      }
      await doc.send(
        new UpdateCommand({
          TableName,
          Key: key.assignment(assignmentId),
          UpdateExpression: update,
          ConditionExpression: 'dueKind = :lms',
          ExpressionAttributeValues: values,
          ...(attempt.delivered && { ExpressionAttributeNames: { '#state': 'state' } }),
        }),
      );
    },

    async queryDue(before, limit) {
      const found: Array<{ assignmentId: string; dueAt: string; dueKind: DueKind }> = [];
      let start: QueryCommandOutput['LastEvaluatedKey'];
      do {
        const page = await doc.send(
          new QueryCommand({
            TableName,
            IndexName: DUE_INDEX,
            KeyConditionExpression: 'dueShard = :shard AND dueAt <= :before',
            ExpressionAttributeValues: { ':shard': DUE_SHARD, ':before': before.toISOString() },
            Limit: limit - found.length,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) {
          found.push({
            assignmentId: item.assignmentId as string,
            dueAt: item.dueAt as string,
            dueKind: item.dueKind as DueKind,
          });
        }
        start = page.LastEvaluatedKey;
      } while (start && found.length < limit);
      return found;
    },

    async deferDue(assignmentId, seenDueAt, redriveAt) {
      return conditionally(
        doc.send(
          new UpdateCommand({
            TableName,
            Key: key.assignment(assignmentId),
            UpdateExpression: 'SET dueAt = :next',
            ConditionExpression: 'dueAt = :seen',
            ExpressionAttributeValues: { ':seen': seenDueAt, ':next': redriveAt.toISOString() },
          }),
        ),
      );
    },

    async putPolicyVersion(policy) {
      const k = key.policy(policy.policyId, policy.version);
      const stored = await conditionally(
        doc.send(
          new PutCommand({
            TableName,
            Item: { ...k, ...policy },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      if (stored) return;
      const existing = strip<PolicyVersion>(await get(k));
      // A version is immutable: evidence names it, so its text may never change under it.
      if (existing?.sha256 !== policy.sha256) {
        throw new Error(
          `policy ${policy.policyId} version ${policy.version} is already published with other text`,
        );
      }
    },

    async getPolicyVersion(policyId, version) {
      return strip<PolicyVersion>(await get(key.policy(policyId, version)));
    },

    async appendAudit(assignmentId, kind, at, detail) {
      // Append-only: a key is written once; a retried append of the same event is a no-op.
      await conditionally(
        doc.send(
          new PutCommand({
            TableName,
            Item: {
              pk: `ASSIGN#${assignmentId}`,
              sk: `EVT#${at.toISOString()}#${kind}`,
              kind,
              at: at.toISOString(),
              ...detail,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },
  };
  return store;
}

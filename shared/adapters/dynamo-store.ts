// The Store port on one DynamoDB table; every invariant rests on a single-item conditional write.
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { digestIdFor } from '../core/ids.ts';
import type {
  Assignment,
  DeliveryKind,
  Digest,
  DigestKey,
  DueKind,
  Evidence,
  PolicyVersion,
  SendRecord,
  Starter,
} from '../core/model.ts';
import { DELIVERY_KINDS, isDeliveryKind, type OwedDeliveries } from '../core/model.ts';
import type {
  AckOutcome,
  AfterSend,
  AuditEvent,
  DueItem,
  PolicyAssignment,
  Signer,
  Store,
} from '../ports.ts';
import { DUE_INDEX, LMS_DUE_INDEX, POLICY_INDEX, SIGNED_INDEX, XAPI_DUE_INDEX } from './table-schema.ts';

/** The sparse indexes' partition value: set only while an assignment owes work in that lane. */
const DUE_SHARD = 'due';
/** Dead-lettered deliveries wait in their lane's index under a shard the sweeper never reads. */
const DEAD_SHARD = 'dead';
/** How often a batch read asks again for what DynamoDB left unprocessed before it gives up. */
const BATCH_GET_ATTEMPTS = 15;

/**
 * The lanes of owed work (model.ts): each has its own due time, index and lease; a delivery lane
 * also has its state map (named as the lane).
 */
const LANES = {
  mail: { due: 'dueAt', shard: 'dueShard', lease: 'leaseUntil', index: DUE_INDEX },
  lms: { due: 'lmsDueAt', shard: 'lmsShard', lease: 'lmsLeaseUntil', index: LMS_DUE_INDEX },
  xapi: { due: 'xapiDueAt', shard: 'xapiShard', lease: 'xapiLeaseUntil', index: XAPI_DUE_INDEX },
} as const;
const laneOf = (kind: DueKind) => (isDeliveryKind(kind) ? LANES[kind] : LANES.mail);

/** "This lane owes work of this kind": the mail lane names its kind; a delivery lane has one. */
/** The SET clauses and values making each given delivery owed from `:due`: its state, due time and shard. */
function owing(deliveries: OwedDeliveries): { set: string[]; values: Item } {
  const set: string[] = [];
  const values: Item = {};
  for (const [kind, id] of Object.entries(deliveries) as Array<[DeliveryKind, object | undefined]>) {
    if (!id) continue;
    const lane = LANES[kind];
    set.push(`${kind} = :${kind}`, `${lane.due} = :due`, `${lane.shard} = :shard`);
    values[`:${kind}`] = { state: 'pending', attempts: 0, ...id };
  }
  return { set, values };
}

function owes(kind: DueKind): { condition: string; values: Item } {
  if (!isDeliveryKind(kind)) return { condition: 'dueKind = :kind', values: { ':kind': kind } };
  const lane = LANES[kind];
  return {
    condition: `attribute_exists(${lane.due}) AND ${lane.shard} = :due`,
    values: { ':due': DUE_SHARD },
  };
}

const key = {
  starter: (id: string) => ({ pk: `STARTER#${id}`, sk: 'PROFILE' }),
  assignment: (id: string) => ({ pk: `ASSIGN#${id}`, sk: 'ASSIGNMENT' }),
  receipt: (source: string, eventId: string) => ({ pk: `EVENT#${source}#${eventId}`, sk: 'RECEIPT' }),
  /** SES's word on an attempt's email, beside its assignment (outside the audit trail's `EVT#` range). */
  sentAttempt: (assignmentId: string, attemptId: string) => ({
    pk: `ASSIGN#${assignmentId}`,
    sk: `ATTEMPT#${attemptId}`,
  }),
  digest: (k: DigestKey) => ({ pk: `DIGEST#${digestIdFor(k.managerEmail)}`, sk: `DAY#${k.day}` }),
  /** A destination's state; the webhook's keeps the key it had when it was the only destination. */
  destination: (kind: DeliveryKind) => ({ pk: 'DESTINATION#lms', sk: kind === 'lms' ? 'WEBHOOK' : 'XAPI' }),
  policy: (id: string, version: number) => ({
    pk: `POLICY#${id}`,
    sk: `V#${String(version).padStart(6, '0')}`,
  }),
};

type Item = Record<string, unknown>;

function strip<T>(item: Item | undefined): T | undefined {
  if (!item) return undefined;
  const {
    pk: _pk,
    sk: _sk,
    dueShard: _shard,
    lmsShard: _lmsShard,
    xapiShard: _xapiShard,
    signedPolicy: _signedPolicy,
    signedVersion: _signedVersion,
    expiresAt: _exp,
    ...rest
  } = item;
  return rest as T;
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as Error)?.name === 'ConditionalCheckFailedException'
  );
}

/** Runs a conditional write; a failed condition answers `failed` rather than throwing. */
async function unlessConditionFails<T, F>(write: Promise<T>, failed: F): Promise<T | F> {
  try {
    return await write;
  } catch (error) {
    if (isConditionFailure(error)) return failed;
    throw error;
  }
}

/** Runs a conditional write; a failed condition is an answer (false), not an error. */
function conditionally(write: Promise<unknown>): Promise<boolean> {
  return unlessConditionFails(
    write.then(() => true),
    false,
  );
}

export function makeDynamoStore(tableName: string, client: DynamoDBClient = new DynamoDBClient({})): Store {
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  const TableName = tableName;

  const get = async (k: Item) =>
    (await doc.send(new GetCommand({ TableName, Key: k, ConsistentRead: true }))).Item;

  /**
   * The items with these keys that exist (each key once), read 100 at a time, four requests at
   * once; what DynamoDB leaves unprocessed (throttling) is asked again, backing off, for about ten
   * seconds before giving up.
   */
  async function batchGet(keys: ReadonlyArray<{ pk: string; sk: string }>): Promise<Item[]> {
    const unique = [...new Map(keys.map((k) => [`${k.pk}\0${k.sk}`, k])).values()];
    const chunks: Item[][] = [];
    for (let i = 0; i < unique.length; i += 100) chunks.push(unique.slice(i, i + 100));
    const items: Item[] = [];
    const readChunk = async (chunk: Item[]) => {
      let pending: Item[] | undefined = chunk;
      for (let attempt = 0; pending?.length; attempt++) {
        if (attempt === BATCH_GET_ATTEMPTS) {
          throw new Error(
            `DynamoDB left ${pending.length} items unread after ${attempt} attempts (throttled)`,
          );
        }
        if (attempt) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
        const out: BatchGetCommandOutput = await doc.send(
          new BatchGetCommand({ RequestItems: { [TableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        items.push(...(out.Responses?.[TableName] ?? []));
        pending = out.UnprocessedKeys?.[TableName]?.Keys;
      }
    };
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) await readChunk(chunks[next++] as Item[]);
    };
    await Promise.all(Array.from({ length: Math.min(4, chunks.length) }, worker));
    return items;
  }

  const store: Store = {
    async getEventReceipt(source, eventId) {
      return (await get(key.receipt(source, eventId)))?.response;
    },

    async claimEvent(source, eventId, now, until, expiresAt) {
      const claimed = await conditionally(
        doc.send(
          new UpdateCommand({
            TableName,
            Key: key.receipt(source, eventId),
            UpdateExpression: 'SET claimedUntil = :until, expiresAt = :expires',
            // Not answered yet, and no other copy's claim still running (a crashed one's expires).
            ConditionExpression:
              'attribute_not_exists(#response) AND (attribute_not_exists(claimedUntil) OR claimedUntil < :now)',
            // RESPONSE is one of DynamoDB's reserved words.
            ExpressionAttributeNames: { '#response': 'response' },
            ExpressionAttributeValues: {
              ':until': until.toISOString(),
              ':now': now.toISOString(),
              ':expires': Math.floor(expiresAt.getTime() / 1000),
            },
          }),
        ),
      );
      if (claimed) return { state: 'claimed' };
      const stored = await get(key.receipt(source, eventId));
      return stored && 'response' in stored
        ? { state: 'answered', response: stored.response }
        : { state: 'busy' };
    },

    async putEventReceipt(source, eventId, response, expiresAt) {
      // Replaces a claim, never a response: of concurrent copies the first receipt stands, and
      // every later one answers it (read consistently, so it is the one just refused by).
      const put = await conditionally(
        doc.send(
          new PutCommand({
            TableName,
            Item: {
              ...key.receipt(source, eventId),
              response,
              expiresAt: Math.floor(expiresAt.getTime() / 1000),
            },
            ConditionExpression: 'attribute_not_exists(#response)',
            ExpressionAttributeNames: { '#response': 'response' },
          }),
        ),
      );
      if (put) return response;
      const stored = await get(key.receipt(source, eventId));
      return stored && 'response' in stored ? stored.response : response;
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
        ...(assignment.lmsDueAt && { lmsShard: DUE_SHARD }),
        ...(assignment.xapiDueAt && { xapiShard: DUE_SHARD }),
      };
      const created = await conditionally(
        doc.send(new PutCommand({ TableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })),
      );
      return created ? assignment : ((await store.getAssignment(assignment.assignmentId)) as Assignment);
    },

    async getAssignment(assignmentId) {
      return strip<Assignment>(await get(key.assignment(assignmentId)));
    },

    async cancelAssignment(assignmentId, at, supersededBy) {
      // An acknowledged assignment keeps its status: the agreement happened.
      return conditionally(
        doc.send(
          new UpdateCommand({
            TableName,
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
        ),
      );
    },

    async claimWork(assignmentId, kind, now, leaseUntil, seenDueAt, attempt) {
      const lane = laneOf(kind);
      const owed = owes(kind);
      const step = seenDueAt === undefined ? '' : ` AND ${lane.due} = :seen`;
      // The attempt seen is still the lane's: no other worker's interrupted attempt goes unnoticed.
      const tried = !attempt
        ? ''
        : attempt.seen === undefined
          ? ' AND attribute_not_exists(attempt)'
          : ' AND attempt.id = :seenAttempt';
      const out = await unlessConditionFails(
        doc.send(
          new UpdateCommand({
            TableName,
            Key: key.assignment(assignmentId),
            UpdateExpression: `SET ${lane.lease} = :until${attempt ? ', attempt = :attempt' : ''}`,
            // Owed, and nobody holds an unexpired lease on it.
            ConditionExpression: `${owed.condition}${step} AND (attribute_not_exists(${lane.lease}) OR ${lane.lease} < :now)${tried}`,
            ExpressionAttributeValues: {
              ...owed.values,
              ...(seenDueAt !== undefined && { ':seen': seenDueAt }),
              ...(attempt && { ':attempt': attempt.next }),
              ...(attempt?.seen !== undefined && { ':seenAttempt': attempt.seen }),
              ':now': now.toISOString(),
              ':until': leaseUntil.toISOString(),
            },
            ReturnValues: 'ALL_NEW',
          }),
        ),
        undefined,
      );
      return strip<Assignment>(out?.Attributes);
    },

    async recordSentAttempt(assignmentId, attemptId, messageId, at) {
      // SES reports a send more than once (Send, Delivery, redelivered notifications): the first stands.
      await conditionally(
        doc.send(
          new PutCommand({
            TableName,
            Item: { ...key.sentAttempt(assignmentId, attemptId), messageId, at: at.toISOString() },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },

    async getSentAttempt(assignmentId, attemptId) {
      return (await get(key.sentAttempt(assignmentId, attemptId)))?.messageId as string | undefined;
    },

    async releaseWork(assignmentId, kind, abandonedAttempt) {
      const owed = owes(kind);
      await conditionally(
        doc.send(
          new UpdateCommand({
            TableName,
            Key: key.assignment(assignmentId),
            UpdateExpression: `REMOVE ${laneOf(kind).lease}${abandonedAttempt ? ', attempt' : ''}`,
            // An attempt another worker has started since is left alone (the whole release is then skipped).
            ConditionExpression: `${owed.condition}${abandonedAttempt ? ' AND attempt.id = :attempt' : ''}`,
            ExpressionAttributeValues: {
              ...owed.values,
              ...(abandonedAttempt && { ':attempt': abandonedAttempt }),
            },
          }),
        ),
      );
    },

    async recordSend(assignmentId, send: SendRecord, after: AfterSend = {}) {
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
      let remove = 'REMOVE leaseUntil';
      if (after.next) {
        // The lane moves on to the next step; the item stays in the sparse index.
        set.push('dueKind = :next, dueAt = :nextAt');
        Object.assign(values, { ':next': after.next.kind, ':nextAt': after.next.dueAt.toISOString() });
      } else {
        remove = 'REMOVE dueAt, dueKind, dueShard, leaseUntil';
      }
      await doc.send(
        new UpdateCommand({
          TableName,
          Key: key.assignment(assignmentId),
          UpdateExpression: `SET ${set.join(', ')} ${remove}`,
          // Only the lease holder of the owed email records it.
          ConditionExpression: 'dueKind = :kind AND attribute_exists(leaseUntil)',
          ...(after.status && { ExpressionAttributeNames: names }),
          ExpressionAttributeValues: values,
        }),
      );
    },

    async finishStep(assignmentId, kind) {
      await doc.send(
        new UpdateCommand({
          TableName,
          Key: key.assignment(assignmentId),
          UpdateExpression: 'REMOVE dueAt, dueKind, dueShard, leaseUntil',
          ConditionExpression: 'dueKind = :kind AND attribute_exists(leaseUntil)',
          ExpressionAttributeValues: { ':kind': kind },
        }),
      );
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
        expression += ' REMOVE dueAt, dueKind, dueShard, leaseUntil';
      }
      await doc.send(
        new UpdateCommand({
          TableName,
          Key: key.assignment(assignmentId),
          UpdateExpression: expression,
          ConditionExpression: 'dueKind = :escalation AND attribute_exists(leaseUntil)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
    },

    async joinDigest(digestKey, managerName, assignmentId) {
      const out = await unlessConditionFails(
        doc.send(
          new UpdateCommand({
            TableName,
            Key: key.digest(digestKey),
            UpdateExpression:
              'SET managerEmail = :email, #day = :day, managerName = if_not_exists(managerName, :name), ' +
              '#owner = if_not_exists(#owner, :me) ADD members :me_set',
            ConditionExpression: 'attribute_not_exists(closedAt)',
            ExpressionAttributeNames: { '#owner': 'owner', '#day': 'day' },
            ExpressionAttributeValues: {
              ':email': digestKey.managerEmail,
              ':day': digestKey.day,
              ':name': managerName,
              ':me': assignmentId,
              ':me_set': new Set([assignmentId]),
            },
            ReturnValues: 'ALL_NEW',
          }),
        ),
        'closed' as const,
      );
      if (out === 'closed') return out;
      return out.Attributes?.owner === assignmentId ? 'owner' : 'member';
    },

    async closeDigest(digestKey, by, at) {
      const out = await unlessConditionFails(
        doc.send(
          new UpdateCommand({
            TableName,
            Key: key.digest(digestKey),
            UpdateExpression:
              'SET closedAt = if_not_exists(closedAt, :at), closedBy = if_not_exists(closedBy, :by)',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':by': by, ':at': at.toISOString() },
            ReturnValues: 'ALL_NEW',
          }),
        ),
        undefined,
      );
      if (!out) return undefined;
      const { members, ...rest } = strip<Item>(out.Attributes) ?? {};
      return { ...rest, members: [...((members as Set<string>) ?? [])] } as Digest;
    },

    async recordDigestSent(digestKey, at, messageId) {
      await doc.send(
        new UpdateCommand({
          TableName,
          Key: key.digest(digestKey),
          UpdateExpression: 'SET sentAt = :at, messageId = :id',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at.toISOString(), ':id': messageId },
        }),
      );
    },

    async reopenBounced(assignmentId, dueAt) {
      return conditionally(
        doc.send(
          new UpdateCommand({
            TableName,
            Key: key.assignment(assignmentId),
            UpdateExpression:
              'SET #status = :pending, dueKind = :invite, dueAt = :at, dueShard = :shard REMOVE bounce, leaseUntil, attempt',
            ConditionExpression: '#status = :bounced',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':pending': 'pending',
              ':invite': 'invite',
              ':at': dueAt.toISOString(),
              ':shard': DUE_SHARD,
              ':bounced': 'bounced',
            },
          }),
        ),
      );
    },

    async reopenCancelled(assignmentId, how) {
      const owes = 'dueAt' in how;
      return conditionally(
        doc.send(
          new UpdateCommand({
            TableName,
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
                  ':shard': DUE_SHARD,
                  ':cancelled': 'cancelled',
                }
              : { ':bounced': 'bounced', ':cancelled': 'cancelled' },
          }),
        ),
      );
    },

    async markBounced(assignmentId, bounce, noticeDueAt) {
      const values: Item = {
        ':bounced': 'bounced',
        ':cancelled': 'cancelled',
        ':bounce': bounce,
      };
      let expression = 'SET #status = :bounced, bounce = :bounce';
      if (noticeDueAt) {
        expression += ', dueKind = :notice, dueAt = :at, dueShard = :shard REMOVE leaseUntil';
        Object.assign(values, {
          ':notice': 'bounce-notice',
          ':at': noticeDueAt.toISOString(),
          ':shard': DUE_SHARD,
        });
      } else {
        expression += ' REMOVE dueAt, dueKind, dueShard, leaseUntil';
      }
      return conditionally(
        doc.send(
          new UpdateCommand({
            TableName,
            Key: key.assignment(assignmentId),
            UpdateExpression: expression,
            ConditionExpression:
              'attribute_exists(pk) AND attribute_not_exists(ack) AND #status <> :cancelled AND #status <> :bounced',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: values,
          }),
        ),
      );
    },

    async recordAcknowledgement(assignmentId, evidence: Evidence, deliveries, dueAt): Promise<AckOutcome> {
      const owed = owing(deliveries);
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName,
            Key: key.assignment(assignmentId),
            // One write: the evidence, the new status, the owed receipt in place of any owed invite,
            // the owed LMS deliveries, and the entry in the signers' index.
            UpdateExpression:
              `SET ack = :ack, #status = :acknowledged, ${owed.set.map((c) => `${c}, `).join('')}` +
              'dueAt = :due, dueKind = :receipt, dueShard = :shard, ' +
              'signedPolicy = :policy, signedVersion = :version ' +
              'REMOVE leaseUntil',
            ConditionExpression:
              'attribute_exists(pk) AND attribute_not_exists(ack) AND #status <> :cancelled',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':ack': evidence,
              ':acknowledged': 'acknowledged',
              ':cancelled': 'cancelled',
              ...owed.values,
              ':due': dueAt.toISOString(),
              ':receipt': 'receipt',
              ':shard': DUE_SHARD,
              ':policy': evidence.policyId,
              ':version': evidence.policyVersion,
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
              ':shard': DUE_SHARD,
              ':cancelled': 'cancelled',
              ':bounced': 'bounced',
              ':reminder': 'reminder',
            },
          }),
        ),
      );
    },

    async recordDeliveryAttempt(assignmentId, kind, attempt) {
      const lane = LANES[kind];
      const sent = attempt.sent !== false;
      const values: Item = sent ? { ':one': 1, ':status': attempt.status } : {};
      const names: Record<string, string> = {};
      const set = sent ? [`${kind}.attempts = ${kind}.attempts + :one`, `${kind}.lastStatus = :status`] : [];
      let remove = `REMOVE ${lane.lease}`;
      const { outcome } = attempt;
      if ('delivered' in outcome) {
        set.push(`${kind}.#state = :delivered`, `${kind}.deliveredAt = :at`);
        Object.assign(values, { ':delivered': 'delivered', ':at': attempt.at.toISOString() });
        names['#state'] = 'state';
        remove = `REMOVE ${lane.lease}, ${lane.due}, ${lane.shard}, ${kind}.nextAttemptAt`;
      } else if ('retryAt' in outcome) {
        // Still owed, from the retry's time: the sweeper sends it then.
        set.push(`${lane.due} = :retryAt`, `${kind}.nextAttemptAt = :retryAt`);
        values[':retryAt'] = outcome.retryAt.toISOString();
      } else {
        // Parked under the dead shard of the same index, by when, for listing and replay.
        set.push(
          `${kind}.#state = :dead`,
          `${kind}.deadLetter = :letter`,
          `${lane.shard} = :deadShard`,
          `${lane.due} = :at`,
        );
        Object.assign(values, {
          ':dead': 'dead',
          ':letter': outcome.dead,
          ':deadShard': DEAD_SHARD,
          ':at': attempt.at.toISOString(),
        });
        names['#state'] = 'state';
        remove = `REMOVE ${lane.lease}, ${kind}.nextAttemptAt`;
      }
      await doc.send(
        new UpdateCommand({
          TableName,
          Key: key.assignment(assignmentId),
          UpdateExpression: `SET ${set.join(', ')} ${remove}`,
          ConditionExpression: owes(kind).condition,
          ExpressionAttributeValues: { ...values, ':due': DUE_SHARD },
          ...(Object.keys(names).length && { ExpressionAttributeNames: names }),
        }),
      );
    },

    async oweDelivery(assignmentId, deliveries, dueAt) {
      const kinds = Object.keys(deliveries) as DeliveryKind[];
      const owed = owing(deliveries);
      if (kinds.length !== 1 || !owed.set.length) throw new RangeError('owe one delivery at a time');
      return conditionally(
        doc.send(
          new UpdateCommand({
            TableName,
            Key: key.assignment(assignmentId),
            UpdateExpression: `SET ${owed.set.join(', ')}`,
            ConditionExpression: `attribute_exists(ack) AND attribute_not_exists(${kinds[0]})`,
            ExpressionAttributeValues: { ...owed.values, ':due': dueAt.toISOString(), ':shard': DUE_SHARD },
          }),
        ),
      );
    },

    async deadLetters(limit) {
      const found: Array<{ assignmentId: string; kind: DeliveryKind; deadAt: string }> = [];
      for (const kind of DELIVERY_KINDS) {
        const lane = LANES[kind];
        const out = await doc.send(
          new QueryCommand({
            TableName,
            IndexName: lane.index,
            KeyConditionExpression: `${lane.shard} = :dead`,
            ExpressionAttributeValues: { ':dead': DEAD_SHARD },
            Limit: limit,
          }),
        );
        for (const i of out.Items ?? []) {
          found.push({ assignmentId: i.assignmentId as string, kind, deadAt: i[lane.due] as string });
        }
      }
      return found.sort((a, b) => a.deadAt.localeCompare(b.deadAt));
    },

    async replayDelivery(assignmentId, kind, at) {
      const lane = LANES[kind];
      return conditionally(
        doc.send(
          new UpdateCommand({
            TableName,
            Key: key.assignment(assignmentId),
            UpdateExpression:
              `SET ${kind}.#state = :pending, ${kind}.attempts = :zero, ${lane.shard} = :due, ${lane.due} = :at ` +
              `REMOVE ${kind}.deadLetter, ${lane.lease}`,
            ConditionExpression: `${lane.shard} = :dead`,
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: {
              ':pending': 'pending',
              ':zero': 0,
              ':due': DUE_SHARD,
              ':dead': DEAD_SHARD,
              ':at': at.toISOString(),
            },
          }),
        ),
      );
    },

    async getDestination(kind) {
      const item = await get(key.destination(kind));
      return item
        ? {
            state: item.state as 'enabled' | 'disabled',
            reason: item.reason as string,
            at: item.at as string,
          }
        : { state: 'enabled' };
    },

    async setDestination(kind, destination) {
      await doc.send(new PutCommand({ TableName, Item: { ...key.destination(kind), ...destination } }));
    },

    async queryDue(before, limit) {
      // Every lane, each from its own sparse index; the cost follows what is due.
      const found: DueItem[] = [];
      for (const [name, lane] of Object.entries(LANES)) {
        let start: QueryCommandOutput['LastEvaluatedKey'];
        let read = 0;
        do {
          const page = await doc.send(
            new QueryCommand({
              TableName,
              IndexName: lane.index,
              KeyConditionExpression: `${lane.shard} = :shard AND ${lane.due} <= :before`,
              ExpressionAttributeValues: { ':shard': DUE_SHARD, ':before': before.toISOString() },
              Limit: limit - read,
              ExclusiveStartKey: start,
            }),
          );
          for (const item of page.Items ?? []) {
            read++;
            found.push({
              assignmentId: item.assignmentId as string,
              dueAt: item[lane.due] as string,
              dueKind: name === 'mail' ? (item.dueKind as DueKind) : (name as DeliveryKind),
            });
          }
          start = page.LastEvaluatedKey;
        } while (start && read < limit);
      }
      return found.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
    },

    async deferDue(assignmentId, kind, seenDueAt, redriveAt) {
      const lane = laneOf(kind);
      return conditionally(
        doc.send(
          new UpdateCommand({
            TableName,
            Key: key.assignment(assignmentId),
            UpdateExpression: `SET ${lane.due} = :next`,
            ConditionExpression: `${lane.due} = :seen`,
            ExpressionAttributeValues: { ':seen': seenDueAt, ':next': redriveAt.toISOString() },
          }),
        ),
      );
    },

    async laneDue(assignmentId, kind) {
      const lane = laneOf(kind);
      const item = await get(key.assignment(assignmentId));
      // Owed: a due time, and (a delivery lane) not parked among the dead letters.
      if (!item || item[lane.due] === undefined || item[lane.shard] !== DUE_SHARD) return undefined;
      const dueKind = (isDeliveryKind(kind) ? kind : item.dueKind) as DueKind | undefined;
      return dueKind && { assignmentId, dueAt: item[lane.due] as string, dueKind };
    },

    async *signers(policyId, belowVersion) {
      let start: QueryCommandOutput['LastEvaluatedKey'];
      do {
        const page = await doc.send(
          new QueryCommand({
            TableName,
            IndexName: SIGNED_INDEX,
            KeyConditionExpression: 'signedPolicy = :policy AND signedVersion < :below',
            ExpressionAttributeValues: { ':policy': policyId, ':below': belowVersion },
            ScanIndexForward: false,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) {
          yield {
            assignmentId: item.assignmentId as string,
            starterId: item.starterId as string,
            policyVersion: item.signedVersion as number,
          } satisfies Signer;
        }
        start = page.LastEvaluatedKey;
      } while (start);
    },

    async *assignmentsOf(policyId, range = {}) {
      const { since, until } = range;
      if (since && until && until <= since) return; // an empty range: nothing (BETWEEN would refuse it)
      // Only assignments carry both of the index's keys; the sort key check keeps it so.
      const bounds =
        since && until
          ? ' AND createdAt BETWEEN :since AND :until'
          : since
            ? ' AND createdAt >= :since'
            : until
              ? ' AND createdAt <= :until'
              : '';
      let start: QueryCommandOutput['LastEvaluatedKey'];
      do {
        const page = await doc.send(
          new QueryCommand({
            TableName,
            IndexName: POLICY_INDEX,
            KeyConditionExpression: `policyId = :policy${bounds}`,
            ExpressionAttributeValues: {
              ':policy': policyId,
              ...(since && { ':since': since.toISOString() }),
              // BETWEEN and <= include the bound; `until` is exclusive, so stop a millisecond short.
              ...(until && { ':until': new Date(until.getTime() - 1).toISOString() }),
            },
            ExclusiveStartKey: start,
          }),
        );
        const assignments = (page.Items ?? [])
          .filter((item) => item.sk === 'ASSIGNMENT')
          .map(
            (item) =>
              ({
                assignmentId: item.assignmentId as string,
                starterId: item.starterId as string,
                policyVersion: item.policyVersion as number,
                status: item.status as PolicyAssignment['status'],
                createdAt: item.createdAt as string,
              }) satisfies PolicyAssignment,
          );
        if (assignments.length) yield assignments;
        start = page.LastEvaluatedKey;
      } while (start);
    },

    async getAssignments(assignmentIds) {
      const items = await batchGet(assignmentIds.map(key.assignment));
      return new Map(
        items.map((item) => [item.assignmentId as string, strip<Assignment>(item) as Assignment]),
      );
    },

    async getStarters(starterIds) {
      const items = await batchGet(starterIds.map(key.starter));
      return new Map(items.map((item) => [item.starterId as string, strip<Starter>(item) as Starter]));
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
      if (stored) return 'created';
      // A version is immutable: evidence names it, so its text may never change under it.
      return strip<PolicyVersion>(await get(k))?.sha256 === policy.sha256 ? 'same' : 'conflict';
    },

    async getPolicyVersion(policyId, version) {
      return strip<PolicyVersion>(await get(key.policy(policyId, version)));
    },

    async getLatestPolicyVersion(policyId) {
      const out = await doc.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
          ExpressionAttributeValues: { ':pk': key.policy(policyId, 0).pk, ':v': 'V#' },
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
      );
      return strip<PolicyVersion>(out.Items?.[0]);
    },

    async getAuditTrail(assignmentId) {
      const events: AuditEvent[] = [];
      let start: QueryCommandOutput['LastEvaluatedKey'];
      do {
        const page = await doc.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :evt)',
            ExpressionAttributeValues: { ':pk': key.assignment(assignmentId).pk, ':evt': 'EVT#' },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) {
          const { pk: _pk, sk: _sk, kind, at, ...detail } = item;
          events.push({ kind: kind as string, at: at as string, detail: detail as Record<string, string> });
        }
        start = page.LastEvaluatedKey;
      } while (start);
      return events;
    },

    async appendAudit(assignmentId, kind, at, detail) {
      // Append-only: a key is written once; a retried append of the same event is a no-op.
      await conditionally(
        doc.send(
          new PutCommand({
            TableName,
            Item: {
              // Detail first: it can never overwrite the key, the kind or the time.
              ...detail,
              pk: `ASSIGN#${assignmentId}`,
              // Two destinations' events of one kind may share a millisecond: each keeps its own.
              sk: `EVT#${at.toISOString()}#${kind}${detail?.destination ? `#${detail.destination}` : ''}`,
              kind,
              at: at.toISOString(),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },
  };
  return store;
}

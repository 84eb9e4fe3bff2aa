// The Queue port on an SQS queue: work messages as JSON, with an optional delivery delay, one at a time or ten to a call.
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mapBounded } from '#shared/core/bounded.ts';
import type { Queue, QueueEntry, QueueFailure } from '../ports.ts';

/** SQS's most messages in one SendMessageBatch. */
export const SQS_BATCH_SIZE = 10;
/** Batch calls in flight at once for one sendBatch. */
const BATCHES_AT_ONCE = 8;

export function makeSqsQueue(queueUrl: string, client: SQSClient = new SQSClient({})): Queue {
  /** One call of up to ten; `first` is the index of its first entry in the whole batch. */
  async function sendChunk(chunk: readonly QueueEntry[], first: number): Promise<QueueFailure[]> {
    try {
      const out = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          // Entry ids need only be unique within the call: the entry's index in the whole batch.
          Entries: chunk.map(({ message, delaySeconds }, i) => ({
            Id: String(first + i),
            MessageBody: JSON.stringify(message),
            // 0 is sent too: overdue work must not inherit a queue's default delay.
            ...(delaySeconds !== undefined && { DelaySeconds: delaySeconds }),
          })),
        }),
      );
      return (out.Failed ?? []).map((f) => ({ index: Number(f.Id), code: f.Code ?? 'Failed' }));
    } catch (error) {
      // The whole call failed (throttled, network): none of its entries is known to be sent.
      const code = (error as Error).name || 'Error';
      return chunk.map((_, i) => ({ index: first + i, code }));
    }
  }

  return {
    async send(message, delaySeconds) {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(message),
          // 0 is sent too: overdue work must not inherit a queue's default delay.
          ...(delaySeconds !== undefined && { DelaySeconds: delaySeconds }),
        }),
      );
    },

    async sendBatch(entries) {
      const starts: number[] = [];
      for (let i = 0; i < entries.length; i += SQS_BATCH_SIZE) starts.push(i);
      const failed = await mapBounded(starts, BATCHES_AT_ONCE, (first) =>
        sendChunk(entries.slice(first, first + SQS_BATCH_SIZE), first),
      );
      return failed.flat().sort((a, b) => a.index - b.index);
    },
  };
}

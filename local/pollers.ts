// Local queue pollers: hand SQS batches to the same handlers as Lambda's event source mapping, honouring partial batch failures.
import { setMaxListeners } from 'node:events';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { LOCAL_REGION } from './settings.ts';

export type QueueHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export interface Poller {
  /** How many batches may be in the handler at once (the event source's maximum concurrency). */
  readonly concurrency: number;
  /**
   * Lets `concurrency` batches be in the handler at once from now, as a changed maximum
   * concurrency does on AWS: more start receiving at once; fewer, as their batches finish.
   */
  resize(concurrency: number): void;
  stop(): Promise<void>;
}

/** Refuses a poller's concurrency that is not a whole number from 1. */
export function checkConcurrency(concurrency: number): void {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`a poller's concurrency must be a whole number from 1, not ${concurrency}`);
  }
}

/**
 * Polls `queueUrl` and hands each batch to `handler`. Successes are deleted; failures stay, so they
 * come back after the visibility timeout and, after the redrive policy's count, rest in the DLQ.
 * Up to `concurrency` batches are in the handler at once, as the event source's maximum concurrency
 * lets that many invocations run on AWS: each is a loop of its own, receiving as soon as its last
 * batch is done.
 */
export function startPoller(
  client: SQSClient,
  queueUrl: string,
  handler: QueueHandler,
  onError: (error: unknown) => void,
  concurrency = 1,
): Poller {
  let running = true;
  const abort = new AbortController();
  // Each loop's receive listens on the one signal.
  let wanted = concurrency;
  setMaxListeners(wanted + 10, abort.signal);
  const arn = `arn:aws:sqs:${LOCAL_REGION}:000000000000:${queueUrl.split('/').pop()}`;

  async function once(): Promise<void> {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
      }),
      { abortSignal: abort.signal },
    );
    if (Messages.length === 0) return;
    const records: SQSRecord[] = Messages.map((m) => ({
      messageId: m.MessageId as string,
      receiptHandle: m.ReceiptHandle as string,
      body: m.Body ?? '',
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp:
          m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: arn,
      awsRegion: LOCAL_REGION,
    }));
    let failed: Set<string>;
    try {
      const response = await handler({ Records: records });
      failed = new Set(response?.batchItemFailures?.map((f) => f.itemIdentifier) ?? []);
    } catch (error) {
      // A handler that throws fails the whole batch, as with Lambda. Powertools throws
      // FullBatchFailureError when every record failed: that is a retry, already logged per record.
      if ((error as Error).name !== 'FullBatchFailureError') onError(error);
      failed = new Set(records.map((r) => r.messageId));
    }
    const done = records.filter((r) => !failed.has(r.messageId));
    if (done.length) {
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
        }),
      );
    }
  }

  /** The loops receiving now; each stops, its batch done, while there are more than wanted. */
  let live = 0;
  const loops = new Set<Promise<void>>();
  const loop = async () => {
    live += 1;
    // Counted down as it stops, with no wait between the check and the count: exactly the surplus stops.
    while (running && live <= wanted) {
      try {
        await once();
      } catch (error) {
        if (!running) break;
        onError(error);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    live -= 1;
  };
  const spawn = () => {
    while (running && live < wanted) {
      const started = loop();
      loops.add(started);
      void started.finally(() => loops.delete(started));
    }
  };
  spawn();

  return {
    get concurrency() {
      return wanted;
    },
    resize(concurrency) {
      checkConcurrency(concurrency);
      wanted = concurrency;
      setMaxListeners(wanted + 10, abort.signal);
      spawn();
    },
    async stop() {
      running = false;
      abort.abort();
      await Promise.all(loops);
    },
  };
}

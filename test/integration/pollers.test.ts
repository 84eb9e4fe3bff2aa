// The local queue pollers against a real fauxqs: partial batch failures are retried alone, then dead-lettered.
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { buildApp } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPoller } from '../../local/pollers.ts';
import { waitFor } from '../support/local.ts';

describe('startPoller', () => {
  const app = buildApp({ logger: false });
  let sqs: SQSClient;

  beforeAll(async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    sqs = new SQSClient({
      endpoint: address,
      region: 'eu-west-2',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      useQueueUrlAsEndpoint: false,
    });
  });

  afterAll(async () => {
    sqs.destroy();
    await app.close();
  });

  async function queueWithDlq(name: string) {
    const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl as string;
    const arn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    const url = (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: {
            VisibilityTimeout: '1',
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 2 }),
          },
        }),
      )
    ).QueueUrl as string;
    return { url, dlq };
  }

  it('retries only the records a handler reports as failed', async () => {
    // Prepare: "b" fails on its first delivery only
    const { url } = await queueWithDlq('partial');
    const seen: string[] = [];
    const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      const failures = event.Records.filter((r) => {
        seen.push(r.body);
        return r.body === 'b' && seen.filter((s) => s === 'b').length === 1;
      });
      return { batchItemFailures: failures.map((r) => ({ itemIdentifier: r.messageId })) };
    };
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'b' }));

    // Act
    const poller = startPoller(sqs, url, handler, () => undefined);
    await waitFor('b redelivered', async () =>
      seen.filter((s) => s === 'b').length === 2 ? true : undefined,
    );
    await poller.stop();

    // Assess: "a" was handled once and deleted; "b" came back once, then was deleted
    expect(seen.filter((s) => s === 'a')).toHaveLength(1);
    expect(seen.filter((s) => s === 'b')).toHaveLength(2);
    const left = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 0 }));
    expect(left.Messages ?? []).toHaveLength(0);
  });

  it('leaves a message that always fails in the dead-letter queue', async () => {
    // Prepare
    const { url, dlq } = await queueWithDlq('poison');
    const errors: unknown[] = [];
    const handler = async (): Promise<SQSBatchResponse> => {
      throw new Error('always fails');
    };
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));

    // Act
    const poller = startPoller(sqs, url, handler, (e) => errors.push(e));
    const dead = await waitFor('the dead letter', async () => {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, WaitTimeSeconds: 0 }));
      return got.Messages?.[0];
    });
    await poller.stop();

    // Assess: the message is kept, not lost, and each failure was reported
    expect(dead.Body).toBe('poison');
    expect(errors.length).toBeGreaterThanOrEqual(2);
  });

  it('hands as many batches to the handler at once as its concurrency allows', async () => {
    // Prepare: three messages, one a batch; the handler holds each batch until three are in it
    const { url } = await queueWithDlq('concurrent');
    let inHandler = 0;
    let most = 0;
    let release: () => void = () => undefined;
    const allIn = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handler = async (): Promise<SQSBatchResponse> => {
      inHandler += 1;
      most = Math.max(most, inHandler);
      if (inHandler === 3) release();
      await allIn;
      inHandler -= 1;
      return { batchItemFailures: [] };
    };

    // Act: each loop takes what it finds; with the messages sent one at a time, each is a batch
    const poller = startPoller(sqs, url, handler, () => undefined, 3);
    for (const body of ['x', 'y', 'z']) {
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
      await waitFor('the message taken', async () =>
        most >= ['x', 'y', 'z'].indexOf(body) + 1 ? true : undefined,
      );
    }
    await allIn;
    await poller.stop();

    // Assess
    expect(most).toBe(3);
  });

  it('takes more batches at once when resized up, and fewer as their batches finish when resized down', async () => {
    // Prepare: a handler that holds every batch until told
    const { url } = await queueWithDlq('resized');
    let inHandler = 0;
    let most = 0;
    const waiting: Array<() => void> = [];
    const handler = async (): Promise<SQSBatchResponse> => {
      inHandler += 1;
      most = Math.max(most, inHandler);
      await new Promise<void>((resolve) => waiting.push(resolve));
      inHandler -= 1;
      return { batchItemFailures: [] };
    };
    const poller = startPoller(sqs, url, handler, () => undefined, 1);

    // Act: one at a time, then three
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a' }));
    await waitFor('a in the handler', async () => (inHandler === 1 ? true : undefined));
    poller.resize(3);
    for (const body of ['b', 'c']) {
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    }
    await waitFor('three in the handler', async () => (inHandler === 3 ? true : undefined));
    const grown = { concurrency: poller.concurrency, most };

    // Act: down to one; the three batches finish, then two more messages go one at a time
    poller.resize(1);
    for (const release of waiting.splice(0)) release();
    await waitFor('the three done', async () => (inHandler === 0 ? true : undefined));
    most = 0;
    for (const body of ['d', 'e']) {
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    }
    await waitFor('d in the handler', async () => (inHandler === 1 ? true : undefined));
    // Time for the second message to be taken, were a second loop still receiving.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const shrunk = { concurrency: poller.concurrency, most };
    for (const release of waiting.splice(0)) release();
    await waitFor('e in the handler', async () =>
      inHandler === 1 && waiting.length === 1 ? true : undefined,
    );
    for (const release of waiting.splice(0)) release();
    await poller.stop();

    // Assess
    expect(grown).toEqual({ concurrency: 3, most: 3 });
    expect(shrunk).toEqual({ concurrency: 1, most: 1 });
    expect(() => poller.resize(0)).toThrow(/whole number from 1, not 0/);
  });
});

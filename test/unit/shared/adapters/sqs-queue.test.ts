// The SQS queue: work messages as JSON, with a delivery delay only when one is asked for.
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeSqsQueue } from '#shared/adapters/sqs-queue.ts';

const sqs = mockClient(SQSClient);
const URL = 'https://sqs.eu-west-2.amazonaws.com/123456789012/attest-mail';
const queue = () => makeSqsQueue(URL, new SQSClient({ region: 'eu-west-2' }));

describe('makeSqsQueue', () => {
  beforeEach(() => {
    sqs.reset();
  });

  it('sends the work message as JSON with the delay asked for', async () => {
    // Prepare
    sqs.on(SendMessageCommand).resolves({ MessageId: 'q-1' });

    // Act
    await queue().send({ assignmentId: 'a1', kind: 'invite' }, 90);

    // Assess
    expect(sqs).toReceiveCommandWith(SendMessageCommand, {
      QueueUrl: URL,
      MessageBody: JSON.stringify({ assignmentId: 'a1', kind: 'invite' }),
      DelaySeconds: 90,
    });
  });

  it('sends no DelaySeconds when none is asked for', async () => {
    // Prepare
    sqs.on(SendMessageCommand).resolves({ MessageId: 'q-2' });

    // Act
    await queue().send({ assignmentId: 'a1', kind: 'webhook' });

    // Assess
    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input).not.toHaveProperty('DelaySeconds');
  });

  it('lets SQS errors through, so the caller can leave the work owed', async () => {
    // Prepare
    sqs.on(SendMessageCommand).rejects(new Error('QueueDoesNotExist'));

    // Assess
    await expect(queue().send({ assignmentId: 'a1', kind: 'webhook' })).rejects.toThrow('QueueDoesNotExist');
  });
});

// The Queue port on an SQS queue: work messages as JSON, with an optional delivery delay.
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Queue } from '../ports.ts';

export function makeSqsQueue(queueUrl: string, client: SQSClient = new SQSClient({})): Queue {
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
  };
}

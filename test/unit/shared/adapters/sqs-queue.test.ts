// The SQS queue: work messages as JSON, with a delivery delay only when one is asked for, one at a time or ten to a call.
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
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

  describe('sendBatch', () => {
    /** `count` invites, a1…, each due with its own delay. */
    const entries = (count: number) =>
      Array.from({ length: count }, (_, i) => ({
        message: { assignmentId: `a${i + 1}`, kind: 'invite' as const, dueAt: '2026-11-24T10:15:00.000Z' },
        delaySeconds: i,
      }));

    it('sends ten to a call, each entry its message and delay, identified by its place in the batch', async () => {
      // Prepare
      sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });

      // Act
      const failed = await queue().sendBatch(entries(23));

      // Assess
      expect(failed).toEqual([]);
      expect(sqs).toReceiveCommandTimes(SendMessageBatchCommand, 3);
      const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries ?? []);
      expect(calls.map((e) => e.length).sort()).toEqual([10, 10, 3]);
      expect(calls.flat().find((e) => e.Id === '12')).toEqual({
        Id: '12',
        MessageBody: JSON.stringify(entries(13)[12]?.message),
        DelaySeconds: 12,
      });
    });

    it('answers the entries SQS refused, by their place in the whole batch, and no others', async () => {
      // Prepare
      sqs
        .on(SendMessageBatchCommand)
        .resolves({ Failed: [{ Id: '11', Code: 'InternalError', SenderFault: false }], Successful: [] });

      // Act
      const failed = await queue().sendBatch(entries(12));

      // Assess: the second call holds entries 10 and 11; only 11 was refused
      expect(failed).toEqual(expect.arrayContaining([{ index: 11, code: 'InternalError' }]));
      expect(failed.every((f) => f.index === 11)).toBe(true);
    });

    it('answers every entry of a call that failed whole as not sent, the other calls’ entries sent', async () => {
      // Prepare
      sqs
        .on(SendMessageBatchCommand)
        .resolvesOnce({ Successful: [], Failed: [] })
        .rejects(Object.assign(new Error('throttled'), { name: 'RequestThrottled' }));

      // Act
      const failed = await queue().sendBatch(entries(15));

      // Assess
      expect(failed).toHaveLength(5);
      expect(new Set(failed.map((f) => f.code))).toEqual(new Set(['RequestThrottled']));
    });

    it('makes no call for an empty batch', async () => {
      // Act
      const failed = await queue().sendBatch([]);

      // Assess
      expect(failed).toEqual([]);
      expect(sqs).not.toReceiveCommand(SendMessageBatchCommand);
    });
  });
});

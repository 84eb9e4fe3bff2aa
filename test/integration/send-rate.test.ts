// A burst SES throttles, on a stack of its own: every invite is sent once, and nothing reaches the dead-letter queue; and the emulators’ and queue functions’ threads say how busy they were.
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/settings.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { emailsTo, postStarterTo, uniqueStarter, waitFor } from '../support/local.ts';

describe('a throttled burst', () => {
  let stack: LocalStack;
  let sqs: SQSClient;

  beforeAll(async () => {
    // The mailer first reads a generous quota, which it keeps while warm (a minute)…
    stack = await startLocalStack({
      ports: { api: 0, ses: 0, dynamodb: 0, sqs: 0, lms: 0, oidc: 0 },
      dataDir: undefined,
      env: { LOG_LEVEL: 'SILENT' },
      sesQuota: { maxSendRate: 100, max24HourSend: -1 },
    });
    sqs = new SQSClient({ endpoint: stack.urls.sqs, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  });

  afterAll(async () => {
    sqs.destroy();
    await stack?.stop();
  });

  const waiting = async (queueUrl: string) => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  };

  it('is sent in full, each email once, with nothing in the dead-letter queue', {
    timeout: 180_000,
  }, async () => {
    // Prepare: a first starter warms the mailer on 100 a second; then SES allows 1 a second
    const first = uniqueStarter();
    await postStarterTo(stack, first);
    await waitFor(
      'the first invite',
      async () => (await emailsTo(first.data.email as string, stack.urls.mailbox))[0],
    );
    await stack.sesQuota.set({ maxSendRate: 1, max24HourSend: -1 });
    const burst = Array.from({ length: 15 }, () => uniqueStarter());

    // Act: fifteen starters at once
    const responses = await Promise.all(burst.map((event) => postStarterTo(stack, event)));
    const invites = await waitFor(
      'every invite of the burst',
      async () => {
        const found = await Promise.all(
          burst.map((event) => emailsTo(event.data.email as string, stack.urls.mailbox)),
        );
        return found.every((emails) => emails.length > 0) ? found : undefined;
      },
      150_000,
    );

    // Assess: SES throttled some; each starter has exactly one invite; no dead letters, nothing left
    expect(responses.map((r) => r.status)).toEqual(burst.map(() => 202));
    expect((await stack.sesQuota.refused()).rate).toBeGreaterThan(0);
    expect(invites.map((emails) => emails.length)).toEqual(burst.map(() => 1));
    expect(await waiting(stack.queues.mailDlq)).toBe(0);
    expect(await waiting(stack.queues.mail)).toBe(0);
  });

  it("says how busy the emulators' and the queue functions' threads were, apart from this one", async () => {
    // Prepare: readings of the three threads
    const emulators = stack.emulatorUtilization();
    const functions = stack.queueFunctionsUtilization();
    const main = performance.eventLoopUtilization();

    // Act: this thread works for 300 ms without asking the emulators anything
    const until = performance.now() + 300;
    while (performance.now() < until) {
      // busy: nothing reaches the emulators while this thread holds on
    }

    // Assess: this thread was busy for it; the others' readings are theirs, not this one's (on a
    // loaded machine a thread's active time includes its waits for a core: half of this one's, at most)
    const mine = performance.eventLoopUtilization(main).active;
    expect(mine).toBeGreaterThanOrEqual(300);
    for (const theirs of [stack.emulatorUtilization(emulators), stack.queueFunctionsUtilization(functions)]) {
      expect(theirs.active + theirs.idle).toBeGreaterThan(0);
      expect(theirs.active).toBeLessThan(mine / 2);
    }
  });
});

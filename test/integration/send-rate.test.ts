// A burst SES throttles, on a stack of its own: every invite is sent once, and nothing reaches the dead-letter queue; and the emulators’ thread says how busy it was.
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

  it("says how busy the emulators' thread was, apart from this one", async () => {
    // Prepare: readings of both threads
    const emulators = stack.emulatorUtilization();
    const main = performance.eventLoopUtilization();

    // Act: this thread works for 300 ms without asking the emulators anything
    const until = performance.now() + 300;
    while (performance.now() < until) {
      // busy: nothing reaches the emulators while this thread holds on
    }

    // Assess: this thread was busy for it; the emulators' thread, on its own, was not
    expect(performance.eventLoopUtilization(main).active).toBeGreaterThanOrEqual(300);
    const theirs = stack.emulatorUtilization(emulators);
    expect(theirs.active + theirs.idle).toBeGreaterThan(0);
    expect(theirs.active).toBeLessThan(150);
  });
});

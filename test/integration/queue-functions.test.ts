// The mailer and lms-push on a thread of their own: what goes wrong there reaches the stack as it would from this thread.
import { BroadcastChannel } from 'node:worker_threads';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startQueueFunctions } from '../../local/queue-functions.ts';

/** The global stack's settings in this thread's environment (the thread takes a copy), and back after. */
function withSettings(extra: Record<string, string>): () => void {
  const before = { ...process.env };
  Object.assign(process.env, inject('stack').env, extra);
  return () => {
    for (const key of Object.keys(process.env)) if (!(key in before)) delete process.env[key];
    Object.assign(process.env, before);
  };
}

const options = {
  queues: inject('stack').queues,
  concurrency: { mail: 1, lms: 1 },
  colours: { stdout: false, stderr: false },
};

describe('the queue functions’ thread', () => {
  let restore: (() => void) | undefined;
  afterEach(() => restore?.());

  it('reports a poller’s error there to the stack, with its name, message and code', async () => {
    // Prepare: an SQS endpoint nothing listens on
    restore = withSettings({});
    const errors: Array<Error & { code?: string }> = [];
    const functions = await startQueueFunctions({ ...options, sqsEndpoint: 'http://127.0.0.1:9' }, (error) =>
      errors.push(error as Error & { code?: string }),
    );

    // Act: the pollers' first receives fail
    try {
      const until = Date.now() + 10_000;
      while (errors.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await functions.stop();
    }

    // Assess
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toBeInstanceOf(Error);
    expect(errors[0]?.code).toBe('ECONNREFUSED');
    expect(errors[0]?.message).not.toBe('');
    expect(errors[0]?.stack).toContain('ECONNREFUSED');
  });

  it('refuses to start when a function refuses its settings, with the function’s message', async () => {
    // Prepare: a webhook secret lms-push refuses as it loads
    restore = withSettings({ LMS_WEBHOOK_SECRET: 'whsec_bm90LXBhZGRlZA' });
    const errors: unknown[] = [];

    // Act
    const started = startQueueFunctions(
      { ...options, sqsEndpoint: inject('stack').env.AWS_ENDPOINT_URL_SQS as string },
      (error) => errors.push(error),
    );

    // Assess
    await expect(started).rejects.toThrow(/LMS_WEBHOOK_SECRET must be padded base64/);
    expect(errors).toEqual([]);
  });

  it('resizes the mail poller to a whole number from 1 only', async () => {
    // Prepare
    restore = withSettings({});
    const functions = await startQueueFunctions(
      { ...options, sqsEndpoint: inject('stack').env.AWS_ENDPOINT_URL_SQS as string },
      () => undefined,
    );
    try {
      // Act
      await functions.resizeMail(3);
      const refused = functions.resizeMail(0);

      // Assess
      await expect(refused).rejects.toThrow(/whole number from 1, not 0/);
      expect(functions.mailConcurrency).toBe(3);
    } finally {
      await functions.stop();
    }
  });

  it('runs on this thread when asked (for a test that watches their calls here): its readings are this thread’s', async () => {
    // Prepare
    restore = withSettings({});
    const functions = await startQueueFunctions(
      { ...options, sqsEndpoint: inject('stack').env.AWS_ENDPOINT_URL_SQS as string },
      () => undefined,
      true,
    );
    try {
      const since = functions.utilization();

      // Act: this thread works for 200 ms
      const until = performance.now() + 200;
      while (performance.now() < until) {
        // busy
      }

      // Assess
      expect(functions.utilization(since).active).toBeGreaterThanOrEqual(200);
    } finally {
      await functions.stop();
    }
  });

  it('imports the modules it is given on its own thread before the functions start (the pipeline bench counts calls so)', async () => {
    // Prepare: a module that says where it ran, on a channel this thread listens to
    restore = withSettings({});
    const heard: Array<{ isMainThread: boolean; threadId: number }> = [];
    const channel = new BroadcastChannel('attest-test-preload');
    channel.onmessage = (event) => heard.push((event as { data: (typeof heard)[number] }).data);
    const preload = [new URL('../fixtures/preload-probe.ts', import.meta.url).href];

    // Act
    const functions = await startQueueFunctions(
      { ...options, sqsEndpoint: inject('stack').env.AWS_ENDPOINT_URL_SQS as string, preload },
      () => undefined,
    );
    try {
      const until = Date.now() + 5_000;
      while (heard.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await functions.stop();
      channel.close();
    }

    // Assess
    expect(heard).toHaveLength(1);
    expect(heard[0]?.isMainThread).toBe(false);
    expect(heard[0]?.threadId).toBeGreaterThan(0);
  });
});

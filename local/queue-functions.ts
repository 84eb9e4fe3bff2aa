// The queue functions (mailer, lms-push) on a thread of their own, as each Lambda function runs apart on AWS: their work and the HTTP functions' do not queue on one thread.
import { type EventLoopUtilization, performance } from 'node:perf_hooks';
import { checkConcurrency } from './pollers.ts';
import type { QueueFunctionsRequest, ReportedError } from './queue-functions-worker.ts';
import { type QueueFunctionsOptions, startQueuePollers } from './queue-pollers.ts';
import { startThread } from './thread.ts';

export interface QueueFunctions {
  /** The mail poller's batches at once (the mailers' event source's maximum concurrency). */
  readonly mailConcurrency: number;
  /** Lets `concurrency` mail batches be handled at once from now (local/pollers.ts's resize). */
  resizeMail(concurrency: number): Promise<void>;
  /** How busy the thread the queue functions run on has been (since `since`, a reading of this). */
  utilization(since?: EventLoopUtilization): EventLoopUtilization;
  stop(): Promise<void>;
}

/**
 * Starts the mailer and lms-push, each behind its queue's poller, on a worker thread (or, with
 * `onThisThread`, on this one: for a test that watches their calls from here). The functions load
 * with the environment as this thread has it now (set it first); an error loading them (a setting
 * refused) rejects this with its message. A handler's unexpected error reaches `onError` as an
 * Error of the same name, message, stack and code.
 */
export async function startQueueFunctions(
  options: QueueFunctionsOptions,
  onError: (error: unknown) => void,
  onThisThread = false,
): Promise<QueueFunctions> {
  if (onThisThread) {
    const pollers = await startQueuePollers(options, onError);
    return sized(options.concurrency.mail, pollers.resizeMail, {
      utilization: (since) => performance.eventLoopUtilization(since),
      stop: pollers.stop,
    });
  }
  const thread = await startThread<QueueFunctionsRequest, object>(
    new URL('./queue-functions-thread.mjs', import.meta.url),
    options,
    (message) => {
      const { name, message: text, stack, code } = message as ReportedError;
      onError(Object.assign(new Error(text), { name, stack }, code ? { code } : {}));
    },
  );
  return sized(
    options.concurrency.mail,
    async (concurrency) => {
      await thread.ask({ type: 'resizeMail', concurrency });
    },
    { utilization: thread.utilization, stop: () => thread.stop({ type: 'stop' }) },
  );
}

/** The queue functions wherever they run, keeping the mail poller's size as it is set. */
function sized(
  concurrency: number,
  resize: (concurrency: number) => unknown,
  rest: Pick<QueueFunctions, 'utilization' | 'stop'>,
): QueueFunctions {
  let current = concurrency;
  return {
    get mailConcurrency() {
      return current;
    },
    async resizeMail(wanted) {
      checkConcurrency(wanted);
      await resize(wanted);
      current = wanted;
    },
    ...rest,
  };
}

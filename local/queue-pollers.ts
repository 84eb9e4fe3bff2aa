// The queue functions, the mailer and lms-push, each behind its queue's poller, as their event sources run them on AWS.
import { SQSClient } from '@aws-sdk/client-sqs';
import { interceptLocalhostDns } from 'fauxqs';
import { LOCAL_CREDENTIALS } from './emulators.ts';
import { invoked } from './invocation.ts';
import { type QueueHandler, startPoller } from './pollers.ts';
import { LOCAL_REGION } from './settings.ts';

export interface QueueFunctionsOptions {
  sqsEndpoint: string;
  queues: { mail: string; lms: string };
  /** Each poller's batches at once: the event sources' maximum concurrency. */
  concurrency: { mail: number; lms: number };
  /** Whether the process's stdout and stderr may be written in colour (a thread's own are pipes). */
  colours: { stdout: boolean; stderr: boolean };
  /**
   * Modules (file URLs) imported before the functions load, on whichever thread they run: the
   * pipeline bench's call counting, which wraps the SDK clients there.
   */
  preload?: string[] | undefined;
}

export interface QueuePollers {
  resizeMail(concurrency: number): void;
  stop(): Promise<void>;
}

/**
 * Loads the mailer and lms-push (which read their settings from the environment as they load) and
 * starts their pollers; a poller's or handler's unexpected error goes to `onError`.
 */
export async function startQueuePollers(
  options: QueueFunctionsOptions,
  onError: (error: unknown) => void,
): Promise<QueuePollers> {
  for (const url of options.preload ?? []) await import(url);
  const [mailer, lmsPush] = await Promise.all([
    import('#functions/mailer/handler.ts'),
    import('#functions/lms-push/handler.ts'),
  ]);
  // The queues' `*.localhost` names resolve (each thread has a resolver of its own).
  const restoreDns = interceptLocalhostDns();
  const sqs = new SQSClient({
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoint: options.sqsEndpoint,
  });
  const poll = (queueUrl: string, name: string, handler: unknown, concurrency: number) =>
    startPoller(sqs, queueUrl, invoked(name, handler as QueueHandler), onError, concurrency);
  const mail = poll(options.queues.mail, 'mailer', mailer.handler, options.concurrency.mail);
  const lms = poll(options.queues.lms, 'lms-push', lmsPush.handler, options.concurrency.lms);
  return {
    resizeMail: (concurrency) => mail.resize(concurrency),
    async stop() {
      await Promise.all([mail.stop(), lms.stop()]);
      sqs.destroy();
      restoreDns();
    },
  };
}

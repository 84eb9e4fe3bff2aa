// SES events (configuration set → SNS → here): a permanent bounce or a complaint stops the chase and tells the manager.
import type { SNSEvent } from 'aws-lambda';
import { makeLogger, withLambdaContext } from '#shared/adapters/logger.ts';
import { makeSqsQueue } from '#shared/adapters/sqs-queue.ts';
import { makeHandleSesEvent } from '#shared/core/bounces.ts';
import { config } from './config.ts';
import { makeSesEventsStore } from './store.ts';

const logger = makeLogger();
const handleSesEvent = makeHandleSesEvent({
  store: makeSesEventsStore(config.TABLE_NAME, config.DUE_SHARDS),
  mailQueue: makeSqsQueue(config.MAIL_QUEUE_URL),
  clock: { now: () => new Date() },
  logger,
});

/**
 * SNS delivers one message per invocation in practice; each is handled in turn. A failure throws,
 * so Lambda retries the invocation and then keeps it in the function's dead-letter queue; a
 * repeat is harmless (the write is conditional).
 */
export const handler = withLambdaContext(logger, async (event: SNSEvent): Promise<void> => {
  for (const record of event.Records) {
    await handleSesEvent(JSON.parse(record.Sns.Message));
  }
});

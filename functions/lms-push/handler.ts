// LMS queue consumer: delivers each owed completion to its destination (signed webhook, xAPI statement, Moodle completion); failures retry alone.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { makeHttpClient } from '#shared/adapters/http-client.ts';
import { makeLogger, withLambdaContext } from '#shared/adapters/logger.ts';
import { makeMetrics } from '#shared/adapters/metrics.ts';
import { rebuiltWhenChanged } from '#shared/adapters/secrets.ts';
import { makeSqsQueue } from '#shared/adapters/sqs-queue.ts';
import { makeDeliverCompletion } from '#shared/core/deliver.ts';
import type { Channel } from '#shared/core/destinations/destination.ts';
import { destinations } from '#shared/core/destinations/registry.ts';
import { DELIVERY_KINDS, type DeliveryKind } from '#shared/core/model.ts';
import { parseWorkMessage } from '#shared/edge/queue.ts';
import { config } from './config.ts';
import { makeLmsPushStore } from './store.ts';

const logger = makeLogger();
const metrics = makeMetrics();
const processor = new BatchProcessor(EventType.SQS);
const store = makeLmsPushStore(config.TABLE_NAME, config.DUE_SHARDS);
const http = makeHttpClient();
const lmsQueue = makeSqsQueue(config.LMS_QUEUE_URL);

/** The destinations of LMS_MODE, with these secrets. */
function channelsFor(secrets: Record<string, string>): Partial<Record<DeliveryKind, Channel>> {
  return Object.fromEntries(
    config.LMS_MODE.map((kind) => [kind, destinations[kind].channel(config, secrets, config.channelContext)]),
  );
}

/** The delivery use case for the secrets of the moment, rebuilt only when they change. */
const deliverer = rebuiltWhenChanged(
  config.secrets,
  (secrets) =>
    makeDeliverCompletion({
      store,
      http,
      clock: { now: () => new Date() },
      logger,
      metrics,
      channels: channelsFor(secrets),
      leaseMs: config.LEASE,
      timeoutMs: config.LMS_TIMEOUT,
      retryScheduleMs: config.LMS_RETRY_SCHEDULE,
      lmsQueue,
    }),
  (secrets) => JSON.stringify(secrets),
);

export const handler = withLambdaContext(logger, async (event: SQSEvent) => {
  const deliverCompletion = await deliverer();
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    const message = parseWorkMessage(record.body, DELIVERY_KINDS);
    await deliverCompletion(message.assignmentId, message.kind, message.dueAt);
  };
  return processPartialResponse(event, recordHandler, processor);
});

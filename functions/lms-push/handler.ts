// LMS queue consumer: delivers each owed completion to its destination (signed webhook or xAPI statement); failures retry alone.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { makeDynamoStore } from '#shared/adapters/dynamo/store.ts';
import { makeHttpClient } from '#shared/adapters/http-client.ts';
import { makeLogger, withLambdaContext } from '#shared/adapters/logger.ts';
import { makeMetrics } from '#shared/adapters/metrics.ts';
import { rebuiltWhenChanged } from '#shared/adapters/secrets.ts';
import { makeSqsQueue } from '#shared/adapters/sqs-queue.ts';
import { type Channel, makeDeliverCompletion, makeWebhookChannel } from '#shared/core/deliver.ts';
import type { DeliveryKind } from '#shared/core/model.ts';
import { makeWebhookSigner } from '#shared/core/webhooks.ts';
import { makeXapiChannel } from '#shared/core/xapi.ts';
import { parseWorkMessage } from '#shared/edge/queue.ts';
import { config } from './config.ts';

const logger = makeLogger();
const metrics = makeMetrics();
const processor = new BatchProcessor(EventType.SQS);
const store = makeDynamoStore(config.TABLE_NAME);
const http = makeHttpClient();
const lmsQueue = makeSqsQueue(config.LMS_QUEUE_URL);

/** The destinations of LMS_MODE, with these secrets. */
function channelsFor(
  secrets: Awaited<ReturnType<typeof config.secrets>>,
): Partial<Record<DeliveryKind, Channel>> {
  const channels: Partial<Record<DeliveryKind, Channel>> = {};
  if (config.LMS_WEBHOOK_URL && config.LMS_MODE.includes('lms')) {
    channels.lms = makeWebhookChannel(config.LMS_WEBHOOK_URL, makeWebhookSigner(secrets.lmsWebhookSecret));
  }
  if (config.LRS_ENDPOINT && config.LRS_USERNAME && config.LMS_MODE.includes('xapi')) {
    channels.xapi = makeXapiChannel({
      endpoint: config.LRS_ENDPOINT,
      username: config.LRS_USERNAME,
      password: secrets.lrsPassword,
      accountHomePage: config.XAPI_ACCOUNT_HOMEPAGE ?? '',
      actor: config.XAPI_ACTOR,
      activityBase: config.XAPI_ACTIVITY_BASE,
    });
  }
  return channels;
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
  (secrets) => `${secrets.lmsWebhookSecret}\n${secrets.lrsPassword}`,
);

export const handler = withLambdaContext(logger, async (event: SQSEvent) => {
  const deliverCompletion = await deliverer();
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    const message = parseWorkMessage(record.body, ['lms', 'xapi']);
    await deliverCompletion(message.assignmentId, message.kind, message.dueAt);
  };
  return processPartialResponse(event, recordHandler, processor);
});

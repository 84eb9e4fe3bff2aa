// LMS queue consumer: delivers each owed completion as a signed webhook; failures retry alone.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { makeDynamoStore } from '#shared/adapters/dynamo-store.ts';
import { makeHttpClient } from '#shared/adapters/http-client.ts';
import { makeLogger } from '#shared/adapters/logger.ts';
import { makeSqsQueue } from '#shared/adapters/sqs-queue.ts';
import { makeDeliverCompletion } from '#shared/core/deliver.ts';
import { makeWebhookSigner } from '#shared/core/webhooks.ts';
import { parseWorkMessage } from '#shared/edge/queue.ts';
import { config } from './config.ts';

const logger = makeLogger();
const processor = new BatchProcessor(EventType.SQS);
const deliverCompletion = makeDeliverCompletion({
  store: makeDynamoStore(config.TABLE_NAME),
  http: makeHttpClient(),
  clock: { now: () => new Date() },
  logger,
  sign: makeWebhookSigner(config.lmsWebhookSecret),
  lmsWebhookUrl: config.LMS_WEBHOOK_URL,
  leaseMs: config.LEASE,
  timeoutMs: config.LMS_TIMEOUT,
  retryScheduleMs: config.LMS_RETRY_SCHEDULE,
  lmsQueue: makeSqsQueue(config.LMS_QUEUE_URL),
});

async function recordHandler(record: SQSRecord): Promise<void> {
  const message = parseWorkMessage(record.body, ['lms']);
  await deliverCompletion(message.assignmentId, message.dueAt);
}

export const handler = (event: SQSEvent) => processPartialResponse(event, recordHandler, processor);

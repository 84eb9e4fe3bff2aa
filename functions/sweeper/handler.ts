// Scheduled sweep: re-drives owed work from the table onto the queues.
import { makeDynamoStore } from '#shared/adapters/dynamo/store.ts';
import { makeLogger, withLambdaContext } from '#shared/adapters/logger.ts';
import { makeSqsQueue } from '#shared/adapters/sqs-queue.ts';
import { makeSweepDue, type SweepResult } from '#shared/core/sweep.ts';
import { config } from './config.ts';

const logger = makeLogger();
const sweepDue = makeSweepDue({
  store: makeDynamoStore(config.TABLE_NAME),
  queues: { mail: makeSqsQueue(config.MAIL_QUEUE_URL), lms: makeSqsQueue(config.LMS_QUEUE_URL) },
  clock: { now: () => new Date() },
  logger,
  intervalMs: config.SWEEP_INTERVAL,
  redriveAfterMs: config.REDRIVE_AFTER,
});

/** EventBridge's scheduled event says nothing the sweep needs; locally the timer passes none. */
export const handler = withLambdaContext(logger, (_event: unknown): Promise<SweepResult> => sweepDue());

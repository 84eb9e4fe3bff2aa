// Scheduled sweep: re-drives owed work from the table onto the queues, then takes the retention steps due.
import type { Context } from 'aws-lambda';
import { makeDynamoStore } from '#shared/adapters/dynamo/store.ts';
import { makeLogger, withLambdaContext } from '#shared/adapters/logger.ts';
import { makeMetrics } from '#shared/adapters/metrics.ts';
import { makeSqsQueue } from '#shared/adapters/sqs-queue.ts';
import { makeRetentionSweep, type RetentionResult } from '#shared/core/privacy/retention.ts';
import { makeSweepDue, type SweepResult } from '#shared/core/sweep.ts';
import { config } from './config.ts';

const logger = makeLogger();
const store = makeDynamoStore(config.TABLE_NAME, undefined, { dueShards: config.DUE_SHARDS });
const clock = { now: () => new Date() };
const sweepDue = makeSweepDue({
  store,
  queues: { mail: makeSqsQueue(config.MAIL_QUEUE_URL), lms: makeSqsQueue(config.LMS_QUEUE_URL) },
  clock,
  logger,
  intervalMs: config.SWEEP_INTERVAL,
  redriveAfterMs: config.REDRIVE_AFTER,
});
const sweepRetention = makeRetentionSweep({
  store,
  clock,
  logger,
  metrics: makeMetrics(),
  settings: {
    unsignedAfterLeaving: config.RETAIN_UNSIGNED_AFTER_LEAVING,
    evidence: config.RETAIN_EVIDENCE,
    auditIp: config.RETAIN_AUDIT_IP,
  },
});

/**
 * EventBridge's scheduled event says nothing the sweep needs; locally the timer passes none. The
 * sweep goes on while due work and the invocation's time remain (the local timer's context
 * counts down the same way).
 */
export const handler = withLambdaContext(
  logger,
  async (_event: unknown, context?: Context): Promise<SweepResult & { retention: RetentionResult }> => {
    // Owed work first: a delivery it re-drives is what holds an expiry back.
    const due = await sweepDue(context && (() => context.getRemainingTimeInMillis()));
    return { ...due, retention: await sweepRetention() };
  },
);

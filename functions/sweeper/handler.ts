// Scheduled sweep: re-drives owed work from the table onto the queues, then takes the retention steps due.
import type { Context } from 'aws-lambda';
import { makeLogger, withLambdaContext } from '#shared/adapters/logger.ts';
import { makeMetrics } from '#shared/adapters/metrics.ts';
import { makeSqsQueue } from '#shared/adapters/sqs-queue.ts';
import { makeRetentionSweep, type RetentionResult } from '#shared/core/privacy/retention.ts';
import type { MailerSize } from '#shared/core/send-rate.ts';
import { makeSweepDue, type SweepResult } from '#shared/core/sweep.ts';
import { config } from './config.ts';
import { makeSweeperStore } from './store.ts';

const logger = makeLogger();
const store = makeSweeperStore(config.TABLE_NAME, config.DUE_SHARDS);
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
 * The mailers sized for SES's quota as it is now (send-rate.ts makeSizeMailers), on AWS; the SES
 * and Lambda clients load with the first sweep, not at the cold start. A failure is logged and the
 * size left as it was: the next sweep tries again, and the sends are paced meanwhile.
 */
const eventSource = config.MAILER_EVENT_SOURCE;
let sizeMailers: (() => Promise<MailerSize>) | undefined;
async function sizeMailersNow(): Promise<MailerSize | undefined> {
  if (!eventSource) return undefined;
  try {
    sizeMailers ??= (await import('#shared/adapters/mailer-scaling.ts')).makeAwsSizeMailers(
      eventSource,
      config.SES_MAX_RATE,
      logger,
    );
    return await sizeMailers();
  } catch (error) {
    logger.warn('mailers not sized for the SES quota; left as they were', { error: (error as Error).name });
    return undefined;
  }
}

/**
 * EventBridge's scheduled event says nothing the sweep needs; locally the timer passes none. The
 * sweep goes on while due work and the invocation's time remain (the local timer's context
 * counts down the same way).
 */
export const handler = withLambdaContext(
  logger,
  async (
    _event: unknown,
    context?: Context,
  ): Promise<SweepResult & { retention: RetentionResult; mailers?: MailerSize }> => {
    // Owed work first: a delivery it re-drives is what holds an expiry back.
    const due = await sweepDue(context && (() => context.getRemainingTimeInMillis()));
    const retention = await sweepRetention();
    const mailers = await sizeMailersNow();
    return { ...due, retention, ...(mailers && { mailers }) };
  },
);

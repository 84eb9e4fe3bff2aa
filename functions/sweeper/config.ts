// The sweeper's settings, parsed once at load.
import { common, parseEnv } from '#shared/config.ts';
import { durationSetting } from '#shared/core/duration.ts';
import * as z from '#shared/core/zod.ts';

export const config = parseEnv(
  z.object({
    TABLE_NAME: common.TABLE_NAME,
    DUE_SHARDS: common.DUE_SHARDS,
    REDRIVE_AFTER: common.REDRIVE_AFTER,
    MAIL_QUEUE_URL: z.url(),
    LMS_QUEUE_URL: z.url(),
    /** The time between sweeps: the schedule on AWS, the timer locally. */
    SWEEP_INTERVAL: z._default(durationSetting, 5 * 60_000),
    RETAIN_UNSIGNED_AFTER_LEAVING: common.RETAIN_UNSIGNED_AFTER_LEAVING,
    RETAIN_EVIDENCE: common.RETAIN_EVIDENCE,
    RETAIN_AUDIT_IP: common.RETAIN_AUDIT_IP,
    /**
     * The mail queue's event source mapping (its UUID), whose maximum concurrency the sweeper keeps
     * sized for SES's quota (the stack sets it); unset (the local stack, which sizes its poller
     * itself): not sized here.
     */
    MAILER_EVENT_SOURCE: z.optional(z.uuid()),
    SES_MAX_RATE: common.SES_MAX_RATE,
  }),
  process.env,
);

// The mailer function's settings, parsed once at load.
import { liveTokenKeys, secretsReadAtInvocation } from '#shared/adapters/secrets.ts';
import { common, parseEnv } from '#shared/config.ts';
import { durationSetting } from '#shared/core/duration.ts';
import { ConfigError, ValidationError } from '#shared/core/errors.ts';
import { lifecycles } from '#shared/core/lifecycle.ts';
import { mailboxSetting } from '#shared/core/mailbox.ts';
import { type ChasePlan, chasePlan } from '#shared/core/schedule.ts';
import * as z from '#shared/core/zod.ts';
import { policySettings } from '#templates/generated/policy-settings.ts';

const env = parseEnv(
  z.object({
    TABLE_NAME: common.TABLE_NAME,
    DUE_SHARDS: common.DUE_SHARDS,
    LEASE: common.LEASE,
    /** The sender: an address, or a display name and <address> (SES must have the address verified). */
    MAIL_FROM: mailboxSetting,
    /** Where replies go, on every email; unset or empty: none (replies go to MAIL_FROM). */
    REPLY_TO: z.pipe(
      z.pipe(
        z.optional(z.string()),
        z.transform((text: string | undefined) => (text?.trim() ? text : undefined)),
      ),
      z.optional(mailboxSetting),
    ),
    /**
     * Where decline notices go besides the manager (HR's address, or a display name and <address>);
     * unset or empty: to the manager only.
     */
    HR_NOTIFY_EMAIL: z.pipe(
      z.pipe(
        z.optional(z.string()),
        z.transform((text: string | undefined) => (text?.trim() ? text : undefined)),
      ),
      z.optional(mailboxSetting),
    ),
    SES_CONFIGURATION_SET: z.string().check(z.minLength(1)),
    PUBLIC_BASE_URL: z.pipe(
      z.url().check(
        z.refine((u) => u.startsWith('https://') || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(u), {
          message: 'must be https (or http://127.0.0.1 / http://localhost for the local stack)',
        }),
      ),
      z.transform((u: string) => u.replace(/\/$/, '')),
    ),
    ORGANISATION_NAME: z.string().check(z.minLength(1)),
    /** How long an acknowledgement link stays valid. */
    TOKEN_TTL: z._default(durationSetting, 30 * 24 * 3600_000),
    /** The chase (ISO 8601 durations after the invite, and the send window); policies may override. */
    REMINDER_OFFSETS: z.optional(z.string()),
    ESCALATION_OFFSET: z.optional(z.string()),
    SEND_WINDOW: z.optional(z.string()),
    /** How long a manager's digest collects escalations before it is sent. */
    DIGEST_DELAY: z._default(durationSetting, 15 * 60_000),
    RETAIN_EVIDENCE: common.RETAIN_EVIDENCE,
    REATTEST_EVERY: common.REATTEST_EVERY,
    /**
     * How long after an interrupted email attempt began (a crash between SES and the table) its
     * step waits for SES's report of the send before sending again.
     */
    MAYBE_SENT_GRACE: z._default(durationSetting, 5 * 60_000),
    SES_MAX_RATE: common.SES_MAX_RATE,
    /**
     * How many mailers share the rate, each sending its share so that together they keep within
     * it: 1 under the local stack, whose one mailer works its batches side by side. Unset (AWS): as
     * many as the rate sizes them for (mailerConcurrency), the event source's maximum concurrency,
     * which the sweeper keeps at that.
     */
    MAILER_CONCURRENCY: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000))),
    /** Where a throttled send is put back, with a delay. */
    MAIL_QUEUE_URL: z.url(),
  }),
  process.env,
);

/** The chase per policy: its front matter's overrides over the environment's settings over the defaults. */
function chasePlans(): (policyId: string) => ChasePlan {
  const settings = {
    reminderOffsets: env.REMINDER_OFFSETS,
    escalationOffset: env.ESCALATION_OFFSET,
    sendWindow: env.SEND_WINDOW,
  };
  try {
    const fallback = chasePlan(settings);
    const plans = new Map(
      [...policySettings].map(([id, policy]) => [
        id,
        chasePlan(policy.chase ?? {}, settings, `${id}: chase.`),
      ]),
    );
    return (policyId) => plans.get(policyId) ?? fallback;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ConfigError(
      `invalid configuration: ${error.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
    );
  }
}

const tokenKeys = liveTokenKeys(process.env);
// Bad keys stop the cold start, with the reason; through the extension, which answers only during
// invocations, they fail the first request instead.
if (!secretsReadAtInvocation(process.env)) await tokenKeys();

export const config = Object.freeze({
  ...env,
  tokenKeys,
  planFor: chasePlans(),
  /** Each policy's `reattest:` (over REATTEST_EVERY) and `due:`: a malformed one stops the cold start. */
  lifecycleFor: lifecycles(policySettings, env.REATTEST_EVERY),
});

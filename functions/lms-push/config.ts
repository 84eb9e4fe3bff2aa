// The LMS delivery function's settings, parsed once at load.
import { z } from 'zod';
import { resolveSecret } from '#shared/adapters/secrets.ts';
import { common, parseEnv } from '#shared/config.ts';
import { DEFAULT_RETRY_SCHEDULE } from '#shared/core/deliver.ts';
import { durationSetting, parseDuration } from '#shared/core/duration.ts';

const env = parseEnv(
  z.object({
    TABLE_NAME: common.TABLE_NAME,
    LEASE: common.LEASE,
    /** Its own queue: a retry due within 15 minutes is sent back to it with that delay. */
    LMS_QUEUE_URL: z.url(),
    // Signed completions leave only over TLS; plain http is allowed for a receiver on this machine.
    LMS_WEBHOOK_URL: z
      .url()
      .refine((u) => /^https:\/\//.test(u) || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(u), {
        message: 'must be https (http only for localhost)',
      }),
    LMS_TIMEOUT: durationSetting.default(10_000),
    /** The waits before each retry; after the last, dead letters. */
    LMS_RETRY_SCHEDULE: z
      .string()
      .default(DEFAULT_RETRY_SCHEDULE)
      .transform((text, ctx) => {
        try {
          return text.split(',').map((t) => parseDuration(t.trim()));
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
  }),
  process.env,
);

export const config = Object.freeze({
  ...env,
  lmsWebhookSecret: await resolveSecret(process.env, 'LMS_WEBHOOK_SECRET'),
});

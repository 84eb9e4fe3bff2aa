// The LMS delivery function's settings, parsed once at load.
import { z } from 'zod';
import { resolveSecret } from '#shared/adapters/secrets.ts';
import { common, parseEnv } from '#shared/config.ts';
import { durationSetting } from '#shared/core/duration.ts';

const env = parseEnv(
  z.object({
    TABLE_NAME: common.TABLE_NAME,
    LEASE: common.LEASE,
    // Signed completions leave only over TLS; plain http is allowed for a receiver on this machine.
    LMS_WEBHOOK_URL: z
      .url()
      .refine((u) => /^https:\/\//.test(u) || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(u), {
        message: 'must be https (http only for localhost)',
      }),
    LMS_TIMEOUT: durationSetting.default(10_000),
  }),
  process.env,
);

export const config = Object.freeze({
  ...env,
  lmsWebhookSecret: await resolveSecret(process.env, 'LMS_WEBHOOK_SECRET'),
});

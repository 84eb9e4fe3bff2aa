// The ingest function's settings, parsed once at load.
import { z } from 'zod';
import { resolveSecret } from '#shared/adapters/secrets.ts';
import { common, parseEnv } from '#shared/config.ts';
import { checkWebhookSecrets } from '#shared/core/webhooks.ts';

const env = parseEnv(
  z.object({
    TABLE_NAME: common.TABLE_NAME,
    REDRIVE_AFTER: common.REDRIVE_AFTER,
    MAIL_QUEUE_URL: z.url(),
    /** Policies assigned when an event names none. */
    DEFAULT_POLICIES: z
      .string()
      .default('safe-internet-use')
      .transform((s) =>
        s
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean),
      ),
  }),
  process.env,
);

export const config = Object.freeze({
  ...env,
  hrWebhookSecret: checkWebhookSecrets(
    'HR_WEBHOOK_SECRET',
    await resolveSecret(process.env, 'HR_WEBHOOK_SECRET'),
  ),
});

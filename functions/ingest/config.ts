// The ingest function's settings, parsed once at load.
import { resolveSecret, secretWhenReadable } from '#shared/adapters/secrets.ts';
import { common, parseEnv } from '#shared/config.ts';
import { checkWebhookSecrets } from '#shared/core/webhooks.ts';
import * as z from '#shared/core/zod.ts';

const env = parseEnv(
  z.object({
    TABLE_NAME: common.TABLE_NAME,
    DUE_SHARDS: common.DUE_SHARDS,
    REDRIVE_AFTER: common.REDRIVE_AFTER,
    RETAIN_UNSIGNED_AFTER_LEAVING: common.RETAIN_UNSIGNED_AFTER_LEAVING,
    RETAIN_EVIDENCE: common.RETAIN_EVIDENCE,
    MAIL_QUEUE_URL: z.url(),
    DEFAULT_POLICIES: common.DEFAULT_POLICIES,
  }),
  process.env,
);

export const config = Object.freeze({
  ...env,
  /** The HR system's signing secrets, read once (at load, or on Lambda at the first request) and kept. */
  hrWebhookSecret: await secretWhenReadable(process.env, async () =>
    checkWebhookSecrets('HR_WEBHOOK_SECRET', await resolveSecret(process.env, 'HR_WEBHOOK_SECRET')),
  ),
});

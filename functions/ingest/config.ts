// The ingest function's settings, parsed once at load.
import { resolveSecret, secretWhenReadable } from '#shared/adapters/secrets.ts';
import { parseEnv, startersSettings } from '#shared/config.ts';
import { checkWebhookSecrets } from '#shared/core/webhooks.ts';
import * as z from '#shared/core/zod.ts';

const env = parseEnv(
  z.object({
    ...startersSettings(),
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

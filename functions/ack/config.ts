// The acknowledgement function's settings, parsed once at load.
import { liveTokenKeys, secretsReadAtInvocation } from '#shared/adapters/secrets.ts';
import { common, parseEnv } from '#shared/config.ts';
import * as z from '#shared/core/zod.ts';

const env = parseEnv(
  z.object({
    TABLE_NAME: common.TABLE_NAME,
    DUE_SHARDS: common.DUE_SHARDS,
    REDRIVE_AFTER: common.REDRIVE_AFTER,
    RETAIN_AUDIT_IP: common.RETAIN_AUDIT_IP,
    LMS_MODE: common.LMS_MODE,
    LMS_QUEUE_URL: z.url(),
    MAIL_QUEUE_URL: z.url(),
    FRESH_LINK_INTERVAL: common.FRESH_LINK_INTERVAL,
    /** Named at the top of every page, with the logo (ORGANISATION_LOGO, bundled at build). */
    ORGANISATION_NAME: z.string().check(z.minLength(1)),
    /** Where the pages are (the links' base, as the mailer writes them): the forms post from its origin alone. */
    PUBLIC_BASE_URL: z.url(),
  }),
  process.env,
);

const tokenKeys = liveTokenKeys(process.env);
// Bad keys stop the cold start, with the reason; through the extension, which answers only during
// invocations, they fail the first request instead.
if (!secretsReadAtInvocation(process.env)) await tokenKeys();

export const config = Object.freeze({ ...env, tokenKeys, pagesOrigin: new URL(env.PUBLIC_BASE_URL).origin });

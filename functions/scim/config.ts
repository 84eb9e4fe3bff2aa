// The SCIM function's settings, parsed once at load.
import { resolveLongSecret, secretWhenReadable } from '#shared/adapters/secrets.ts';
import { parseEnv, startersSettings } from '#shared/config.ts';
import * as z from '#shared/core/zod.ts';

const env = parseEnv(
  z.object({
    ...startersSettings(),
    /** The links' base, when not the API's own URL: SCIM's resource locations are below it. */
    PUBLIC_BASE_URL: z.pipe(
      z.optional(z.string()),
      z.transform((u: string | undefined) => (u?.trim() ? u.trim().replace(/\/$/, '') : undefined)),
    ),
    /** Where a user's start date falls when the identity provider gives none: the day provisioned, here. */
    DEFAULT_TIME_ZONE: z._default(z.string(), 'Europe/London'),
  }),
  process.env,
);

export const config = Object.freeze({
  ...env,
  /** The bearer token, read once (at load, or on Lambda at the first request) and kept. */
  scimToken: await secretWhenReadable(process.env, () => resolveLongSecret(process.env, 'SCIM_TOKEN')),
});

// The mailer function's settings, parsed once at load.
import { z } from 'zod';
import { resolveSecret } from '#shared/adapters/secrets.ts';
import { common, parseEnv } from '#shared/config.ts';
import { durationSetting } from '#shared/core/duration.ts';
import { parseTokenKeys } from '#shared/core/tokens.ts';

const env = parseEnv(
  z.object({
    TABLE_NAME: common.TABLE_NAME,
    LEASE: common.LEASE,
    MAIL_FROM: z.email(),
    SES_CONFIGURATION_SET: z.string().min(1),
    PUBLIC_BASE_URL: z
      .url()
      .refine((u) => u.startsWith('https://') || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(u), {
        message: 'must be https (or http://127.0.0.1 / http://localhost for the local stack)',
      })
      .transform((u) => u.replace(/\/$/, '')),
    ORGANISATION_NAME: z.string().min(1),
    /** How long an acknowledgement link stays valid. */
    TOKEN_TTL: durationSetting.default(30 * 24 * 3600_000),
  }),
  process.env,
);

export const config = Object.freeze({
  ...env,
  tokenKeys: parseTokenKeys(await resolveSecret(process.env, 'ACK_TOKEN_KEYS')),
});

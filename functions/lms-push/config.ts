// The LMS delivery function's settings, parsed once at load: each destination in LMS_MODE needs its own.
import { z } from 'zod';
import { resolveSecret } from '#shared/adapters/secrets.ts';
import { common, parseEnv, secureUrl } from '#shared/config.ts';
import { DEFAULT_RETRY_SCHEDULE } from '#shared/core/deliver.ts';
import { durationSetting, parseDuration } from '#shared/core/duration.ts';

const env = parseEnv(
  z
    .object({
      TABLE_NAME: common.TABLE_NAME,
      LEASE: common.LEASE,
      LMS_MODE: common.LMS_MODE,
      /** Its own queue: a retry due within 15 minutes is sent back to it with that delay. */
      LMS_QUEUE_URL: z.url(),
      // Signed completions leave only over TLS; plain http is allowed for a receiver on this machine.
      LMS_WEBHOOK_URL: secureUrl.optional(),
      /** The LRS's xAPI endpoint (statements are PUT to `{LRS_ENDPOINT}statements`). */
      LRS_ENDPOINT: secureUrl.transform((u) => (u.endsWith('/') ? u : `${u}/`)).optional(),
      LRS_USERNAME: z.string().min(1).optional(),
      /** The home page of the HR system whose employee ids name the xAPI actors' accounts. */
      XAPI_ACCOUNT_HOMEPAGE: z.url().optional(),
      XAPI_ACTOR: z.enum(['account', 'mbox']).default('account'),
      XAPI_ACTIVITY_BASE: z.string().min(1).default('urn:attest:policies/'),
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
    })
    .superRefine((e, ctx) => {
      const need = (name: keyof typeof e, destination: string) => {
        if (e[name] === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `is required when LMS_MODE includes ${destination}`,
          });
        }
      };
      if (e.LMS_MODE.includes('lms')) need('LMS_WEBHOOK_URL', 'webhook');
      if (e.LMS_MODE.includes('xapi')) {
        need('LRS_ENDPOINT', 'xapi');
        need('LRS_USERNAME', 'xapi');
        if (e.XAPI_ACTOR === 'account') need('XAPI_ACCOUNT_HOMEPAGE', 'xapi (with XAPI_ACTOR=account)');
      }
    }),
  process.env,
);

export const config = Object.freeze({
  ...env,
  lmsWebhookSecret: env.LMS_MODE.includes('lms')
    ? await resolveSecret(process.env, 'LMS_WEBHOOK_SECRET')
    : '',
  lrsPassword: env.LMS_MODE.includes('xapi') ? await resolveSecret(process.env, 'LRS_PASSWORD') : '',
});

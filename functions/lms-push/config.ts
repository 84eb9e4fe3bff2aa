// The LMS delivery function's settings, parsed once at load: each destination in LMS_MODE needs its own.
import { z } from 'zod';
import { resolveSecret } from '#shared/adapters/secrets.ts';
import { common, parseEnv, secureUrl } from '#shared/config.ts';
import { DEFAULT_RETRY_SCHEDULE } from '#shared/core/deliver.ts';
import { durationSetting, parseDuration } from '#shared/core/duration.ts';
import { checkWebhookSecrets } from '#shared/core/webhooks.ts';

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
      // Basic auth cannot carry a colon in the user name (RFC 7617).
      LRS_USERNAME: z
        .string()
        .min(1)
        .refine((u) => !u.includes(':'), { message: 'must not contain ":"' })
        .optional(),
      /** The home page of the HR system whose employee ids name the xAPI actors' accounts. */
      XAPI_ACCOUNT_HOMEPAGE: z.preprocess((v) => (v === '' ? undefined : v), z.url().optional()),
      XAPI_ACTOR: z.enum(['account', 'mbox']).default('account'),
      // Activity ids are stored for ever: the base must be an absolute IRI ending where an id can follow.
      XAPI_ACTIVITY_BASE: z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9+.-]*:\S*[/:#]$/, {
          message: 'must be an absolute IRI ending in "/", ":" or "#", e.g. urn:attest:policies/',
        })
        .default('urn:attest:policies/'),
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

/**
 * The destinations' secrets as they are now: fetched per batch through Powertools' five-minute
 * cache, so a rotated webhook secret or a newly set LRS password is used within minutes, without
 * waiting for warm functions to be replaced.
 */
async function secrets(): Promise<{ lmsWebhookSecret: string; lrsPassword: string }> {
  const [lmsWebhookSecret, lrsPassword] = await Promise.all([
    env.LMS_MODE.includes('lms')
      ? resolveSecret(process.env, 'LMS_WEBHOOK_SECRET').then((s) =>
          checkWebhookSecrets('LMS_WEBHOOK_SECRET', s),
        )
      : '',
    env.LMS_MODE.includes('xapi') ? resolveSecret(process.env, 'LRS_PASSWORD') : '',
  ]);
  return { lmsWebhookSecret, lrsPassword };
}

// Once at load, so a missing secret stops the function at start with a precise error.
await secrets();

export const config = Object.freeze({ ...env, secrets });

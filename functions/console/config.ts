// The console function's settings, parsed once at load: the identity provider, the session key and the work it may start.
import { resolveLongSecret, secretWhenReadable } from '#shared/adapters/secrets.ts';
import { common, parseEnv } from '#shared/config.ts';
import { durationSetting } from '#shared/core/duration.ts';
import { lifecycles } from '#shared/core/lifecycle.ts';
import * as z from '#shared/core/zod.ts';
import { policySettings } from '#templates/generated/policy-settings.ts';

/** `load`'s answer, asked for once. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

const optionalUrl = z.pipe(
  z.optional(z.string()),
  z.transform((u: string | undefined) => (u?.trim() ? u.trim().replace(/\/$/, '') : undefined)),
);

const env = parseEnv(
  z.object({
    TABLE_NAME: common.TABLE_NAME,
    DUE_SHARDS: common.DUE_SHARDS,
    REDRIVE_AFTER: common.REDRIVE_AFTER,
    FRESH_LINK_INTERVAL: common.FRESH_LINK_INTERVAL,
    LMS_MODE: common.LMS_MODE,
    REATTEST_EVERY: common.REATTEST_EVERY,
    MAIL_QUEUE_URL: z.url(),
    /** The console's own address is below it; without it, the request's host. */
    PUBLIC_BASE_URL: optionalUrl,
    /** The time zone signatures are counted by week in. */
    DEFAULT_TIME_ZONE: z._default(z.string(), 'Europe/London'),
    /** The OpenID provider: its issuer URL (discovery is read from it) and this app's client id. */
    OIDC_ISSUER: z.url().check(
      z.refine((u) => /^https:\/\//.test(u) || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/|$)/.test(u), {
        message: 'must be https (plain http only on 127.0.0.1 or localhost)',
      }),
    ),
    OIDC_CLIENT_ID: z.string().check(z.minLength(1)),
    /** The ID token claim listing the user's groups: Cognito's `cognito:groups`. */
    OIDC_GROUPS_CLAIM: z._default(z.string().check(z.minLength(1)), 'cognito:groups'),
    /**
     * Where sign-out ends the provider's session when its discovery names no end_session_endpoint
     * (Cognito's managed login: `https://<domain>/logout`, given client_id and logout_uri).
     */
    OIDC_LOGOUT_URL: optionalUrl,
    CONSOLE_ADMIN_GROUP: z._default(z.string().check(z.minLength(1)), 'attest-admins'),
    CONSOLE_AUDITOR_GROUP: z._default(z.string().check(z.minLength(1)), 'attest-auditors'),
    /** A session unused this long ends. */
    CONSOLE_IDLE_TIMEOUT: z._default(durationSetting, 30 * 60_000),
    /** A session ends this long after sign-in, however busy. */
    CONSOLE_SESSION_LIFETIME: z._default(durationSetting, 8 * 3_600_000),
  }),
  process.env,
);

export const config = Object.freeze({
  ...env,
  /** The key sealing session cookies, read once (at load, or on Lambda at the first request) and kept. */
  sessionKey: await secretWhenReadable(process.env, () =>
    resolveLongSecret(process.env, 'CONSOLE_SESSION_KEY'),
  ),
  /**
   * The LMS settings (if given this function) a subject access export rebuilds payloads from, read
   * at the first export with the destinations' code, not at every cold start (issue 18). They never
   * fail: a destination whose settings do not parse has its payloads reported as not rebuilt.
   */
  payloads: once(() =>
    import('#shared/adapters/destination-channel.ts').then(({ payloadSettingsFromEnv }) =>
      payloadSettingsFromEnv(process.env, { policies: policySettings }),
    ),
  ),
  /** Each policy's `reattest:` (over REATTEST_EVERY) and `due:`, for "due for renewal" and "lapsed". */
  lifecycleFor: lifecycles(policySettings, env.REATTEST_EVERY),
});

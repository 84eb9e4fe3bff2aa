// The LMS delivery function's settings, parsed once at load: each destination in LMS_MODE needs its own (see the registry).
import { destinationSecrets } from '#shared/adapters/destination-channel.ts';
import { secretsReadAtInvocation } from '#shared/adapters/secrets.ts';
import { common, parseEnv } from '#shared/config.ts';
import { DEFAULT_RETRY_SCHEDULE } from '#shared/core/deliver.ts';
import { destinations } from '#shared/core/destinations/registry.ts';
import { durationSetting, parseDuration } from '#shared/core/duration.ts';
import { textSetting } from '#shared/core/validation.ts';
import * as z from '#shared/core/zod.ts';
import { policySettings } from '#templates/generated/policy-settings.ts';

type Shapes = { [N in keyof typeof destinations]: (typeof destinations)[N]['settings']['shape'] };
type AllOf<U> = (U extends unknown ? (u: U) => void : never) extends (all: infer I) => void ? I : never;

/** Every destination's settings, whether deployed or not: a bad value is an error either way. */
const destinationSettings = Object.assign(
  {},
  ...Object.values(destinations).map((d) => d.settings.shape),
) as AllOf<Shapes[keyof Shapes]>;

const env = parseEnv(
  z
    .object({
      TABLE_NAME: common.TABLE_NAME,
      DUE_SHARDS: common.DUE_SHARDS,
      LEASE: common.LEASE,
      LMS_MODE: common.LMS_MODE,
      /** Its own queue: a retry due within 15 minutes is sent back to it with that delay. */
      LMS_QUEUE_URL: z.url(),
      ...destinationSettings,
      LMS_TIMEOUT: z._default(durationSetting, 10_000),
      /** The waits before each retry; after the last, dead letters. */
      LMS_RETRY_SCHEDULE: z._default(
        textSetting((text) => text.split(',').map((t) => parseDuration(t.trim()))),
        () => DEFAULT_RETRY_SCHEDULE.split(',').map(parseDuration),
      ),
    })
    .check(
      z.superRefine((e, ctx) => {
        for (const name of e.LMS_MODE) {
          for (const { setting, when } of destinations[name].missing(e)) {
            ctx.addIssue({
              code: 'custom',
              path: [setting],
              message: `is required when LMS_MODE includes ${name}${when ? ` (${when})` : ''}`,
            });
          }
        }
      }),
    ),
  process.env,
);

/**
 * The destinations' secrets as they are now, by name: fetched per batch through a five-minute
 * cache (the extension's on Lambda), so a rotated webhook secret or a newly set LRS password is used within
 * minutes, without waiting for warm functions to be replaced.
 */
async function secrets(): Promise<Record<string, string>> {
  const each = await Promise.all(env.LMS_MODE.map((kind) => destinationSecrets(kind, process.env)));
  return Object.assign({}, ...each);
}

/** What the channels read besides settings and secrets: the policies this build carries (their Moodle activities, not their texts). */
const channelContext = Object.freeze({ policies: policySettings });

// Once at load, so a missing secret, or a setting a channel refuses (a Moodle activity for a policy
// this build does not carry), stops the function at start with a precise error. Through the
// extension, which answers only during invocations, the first batch builds them and fails instead.
if (!secretsReadAtInvocation(process.env)) {
  const initial = await secrets();
  for (const kind of env.LMS_MODE) destinations[kind].channel(env, initial, channelContext);
}

export const config = Object.freeze({ ...env, secrets, channelContext });

// One LMS destination's channel from the environment, as lms-push builds it: its settings parsed, a missing one named, its secrets resolved (inline locally, Secrets Manager on AWS) and checked.
import { parseEnv } from '../config.ts';
import type { Channel, ChannelContext } from '../core/destinations/destination.ts';
import { destinations } from '../core/destinations/registry.ts';
import { ConfigError } from '../core/errors.ts';
import type { DeliveryKind } from '../core/model.ts';
import type { PayloadSettings } from '../core/privacy/export.ts';
import { resolveSecret } from './secrets.ts';

/** A destination's secrets as they are now, by name, each checked by its spec (never its value in an error). */
export async function destinationSecrets(
  kind: DeliveryKind,
  env: NodeJS.ProcessEnv,
  resolve: typeof resolveSecret = resolveSecret,
): Promise<Record<string, string>> {
  const values = await Promise.all(
    destinations[kind].secrets.map(async (spec) => {
      const value = await resolve(env, spec.name);
      return [spec.name, spec.check ? spec.check(value) : value] as const;
    }),
  );
  return Object.fromEntries(values);
}

/**
 * The channel of destination `kind` from `env`: a bad setting, one it needs that is missing (named,
 * with its condition), a missing secret or one it refuses is a ConfigError saying which.
 */
export async function channelFromEnv(
  kind: DeliveryKind,
  env: NodeJS.ProcessEnv,
  context: ChannelContext,
  resolve: typeof resolveSecret = resolveSecret,
): Promise<Channel> {
  const destination = destinations[kind];
  const settings = parseEnv(destination.settings, env);
  const missing = destination.missing(settings as never);
  if (missing.length) {
    const named = missing.map(({ setting, when }) => `${setting}${when ? ` (${when})` : ''}`).join(', ');
    throw new ConfigError(`the ${kind} destination needs ${named}: set it in the environment`);
  }
  return destination.channel(settings as never, await destinationSecrets(kind, env, resolve), context);
}

/**
 * What a subject access export rebuilds the LMS payloads from: the xAPI and Moodle settings of
 * `env`, as lms-push reads them (Moodle's activities from the build's policies, then
 * MOODLE_ACTIVITIES). A destination whose settings do not parse is left out: the export then says
 * its payloads could not be rebuilt, rather than failing.
 */
export function payloadSettingsFromEnv(env: NodeJS.ProcessEnv, context: ChannelContext): PayloadSettings {
  const out: PayloadSettings = {};
  try {
    const xapi = parseEnv(destinations.xapi.settings, env);
    out.xapi = {
      accountHomePage: xapi.XAPI_ACCOUNT_HOMEPAGE ?? '',
      actor: xapi.XAPI_ACTOR,
      activityBase: xapi.XAPI_ACTIVITY_BASE,
    };
  } catch {}
  try {
    const moodle = parseEnv(destinations.moodle.settings, env);
    const activities = new Map<string, number>();
    for (const [id, policy] of context.policies) if (policy.moodle) activities.set(id, policy.moodle.cmid);
    for (const [id, cmid] of Object.entries(moodle.MOODLE_ACTIVITIES)) activities.set(id, cmid);
    out.moodle = { userField: moodle.MOODLE_USER_FIELD, activities };
  } catch {}
  return out;
}

// One LMS destination's channel from the environment, as lms-push builds it: its settings parsed, a missing one named, its secrets resolved (inline locally, Secrets Manager on AWS) and checked.
import { parseEnv } from '../config.ts';
import type { Channel, ChannelContext } from '../core/destinations/destination.ts';
import { destinations } from '../core/destinations/registry.ts';
import { ConfigError } from '../core/errors.ts';
import type { DeliveryKind } from '../core/model.ts';
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

// Secrets from configuration: inline in the local stack, from Secrets Manager on AWS (`<NAME>_SECRET_ARN`, or `<NAME>_ARN` for a name ending in _SECRET).
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { secretArnSetting } from '../config.ts';
import { ConfigError } from '../core/errors.ts';
import { parseTokenKeys, type TokenKeys } from '../core/tokens.ts';

/**
 * Resolves the secret `name`: `env[name]` if set (the local stack), else the Secrets Manager
 * secret whose ARN is in `secretArnSetting(name)` (fetched once and cached by Powertools).
 */
export async function resolveSecret(env: NodeJS.ProcessEnv, name: string): Promise<string> {
  const inline = env[name];
  if (inline) return inline;
  const setting = secretArnSetting(name);
  const arn = env[setting];
  if (!arn) throw new ConfigError(`set ${name} or ${setting}`);
  const value = await getSecret(arn, { maxAge: 300 });
  if (typeof value !== 'string' || value.length === 0) throw new ConfigError(`secret ${setting} is empty`);
  return value;
}

/**
 * The link keys as they are now: read through the secret's five-minute cache on each call and
 * parsed again only when they change, so a key added or promoted with `attest keys` is used by
 * every function within five minutes, without a redeploy. The same object while unchanged.
 */
export function liveTokenKeys(
  env: NodeJS.ProcessEnv,
  resolve: typeof resolveSecret = resolveSecret,
  onRefused: (reason: string) => void = (reason) =>
    console.error(
      JSON.stringify({ level: 'ERROR', message: 'link keys refused; keeping the last good ones', reason }),
    ),
): () => Promise<TokenKeys> {
  let raw: string | undefined;
  let keys: TokenKeys | undefined;
  return async () => {
    const now = await resolve(env, 'ACK_TOKEN_KEYS');
    if (now !== raw || !keys) {
      try {
        keys = parseTokenKeys(now);
      } catch (error) {
        // A secret edited by hand into something unusable must not take down warm functions
        // (every link page and email would fail): they keep the keys they had, and say why.
        if (!keys) throw error;
        onRefused((error as Error).message);
      }
      raw = now;
    }
    return keys;
  };
}

/**
 * `build(value)` for the value `current()` gives, built again only when that value changes
 * (as `keyOf` sees it: the value itself unless given).
 */
export function rebuiltWhenChanged<V, T>(
  current: () => Promise<V>,
  build: (value: V) => T,
  keyOf: (value: V) => unknown = (value) => value,
): () => Promise<T> {
  let seen: unknown;
  let built: T | undefined;
  return async () => {
    const value = await current();
    const key = keyOf(value);
    if (built === undefined || key !== seen) {
      built = build(value);
      seen = key;
    }
    return built;
  };
}

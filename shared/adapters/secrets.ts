// Secrets from configuration: inline in the local stack, from Secrets Manager on AWS (`<NAME>_SECRET_ARN`, or `<NAME>_ARN` for a name ending in _SECRET); and the link keys' secret as `attest keys` writes it.
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { secretArnSetting } from '../config.ts';
import { AttestError, ConfigError } from '../core/errors.ts';
import { parseTokenKeys, type TokenKeys } from '../core/tokens.ts';
import type { KeyVault } from '../ports.ts';

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
 * A secret that must be long enough not to be guessed (a bearer token, a key): `name`'s value
 * resolved as resolveSecret does, trimmed, refused under 32 characters — and never quoted.
 */
export async function resolveLongSecret(env: NodeJS.ProcessEnv, name: string): Promise<string> {
  const value = (await resolveSecret(env, name)).trim();
  if (value.length < 32) throw new ConfigError(`${name} must be at least 32 characters`);
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

/** The link keys' Secrets Manager secret (ACK_TOKEN_KEYS_SECRET_ARN), read and written uncached. */
export function secretsManagerVault(client: SecretsManagerClient, secretId: string): KeyVault {
  return {
    async read() {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      if (!out.SecretString) throw new AttestError('keys.empty', 'The link-key secret is empty.');
      return { value: out.SecretString, ...(out.VersionId && { version: out.VersionId }) };
    },
    async write(value, version) {
      // Secrets Manager has no compare-and-set: look again just before writing, so that two
      // rotations at once (or a hand edit) are caught rather than one silently undoing the other.
      if (version !== undefined) {
        const now = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
        if (now.VersionId !== version) {
          throw new AttestError(
            'keys.changed',
            'The link-key secret changed while this command ran: nothing was written. Run it again.',
          );
        }
      }
      await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value }));
    },
  };
}

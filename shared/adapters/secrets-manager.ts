// Secrets Manager through the SDK, for code that runs outside Lambda (the CLI): a secret read through Powertools' five-minute cache, and the link keys' secret as `attest keys` reads and writes it. Functions on Lambda read through the Parameters and Secrets extension instead (secrets.ts), so their bundles load none of this at a cold start.
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { AttestError, ConfigError } from '../core/errors.ts';
import type { KeyVault } from '../ports.ts';

/** The secret `arn` (named by `setting`) as it is now, cached five minutes by Powertools; an empty one is refused. */
export async function readSecretWithSdk(setting: string, arn: string): Promise<string> {
  const value = await getSecret(arn, { maxAge: 300 });
  if (typeof value !== 'string' || value.length === 0) throw new ConfigError(`secret ${setting} is empty`);
  return value;
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

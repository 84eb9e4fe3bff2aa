// Secrets from configuration: inline in the local stack, from Secrets Manager on AWS (`<NAME>_SECRET_ARN`).
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigError } from '../core/errors.ts';

/**
 * Resolves the secret `name`: `env[name]` if set (the local stack), else the Secrets Manager
 * secret whose ARN is `env[name + '_SECRET_ARN']` (fetched once and cached by Powertools).
 */
export async function resolveSecret(env: NodeJS.ProcessEnv, name: string): Promise<string> {
  const inline = env[name];
  if (inline) return inline;
  const arn = env[`${name}_SECRET_ARN`];
  if (!arn) throw new ConfigError(`set ${name} or ${name}_SECRET_ARN`);
  const value = await getSecret(arn, { maxAge: 300 });
  if (typeof value !== 'string' || value.length === 0)
    throw new ConfigError(`secret ${name}_SECRET_ARN is empty`);
  return value;
}

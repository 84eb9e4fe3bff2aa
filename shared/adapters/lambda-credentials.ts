// The AWS SDK's credentials inside a Lambda bundle: the function's role's, from the environment, in place of the SDK's whole chain (infra/bundle.ts aliases it here).
import { type FromEnvInit, fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * The provider each client takes by default. Lambda puts the role's credentials in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) of every function, and the SDK's
 * own chain (`@aws-sdk/credential-provider-node`) tries them first, so on Lambda this is what it
 * finds. Anywhere else (`npm start`, tests, the CLI) the source tree uses the SDK's chain itself.
 */
/** What the two checks below read of credentials. */
type Expiring = { expiration?: Date } | undefined;

export const defaultProvider = (init: FromEnvInit = {}) => fromEnv(init);

/** As the SDK's chain says (kept with the same names, which its clients import). */
export const credentialsWillNeedRefresh = (credentials: Expiring) => credentials?.expiration !== undefined;

/** Credentials due to expire within five minutes are fetched again, as the SDK's chain does. */
export const credentialsTreatedAsExpired = (credentials: Expiring) =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;

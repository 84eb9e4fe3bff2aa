// Secrets from configuration: inline in the local stack; on Lambda through the AWS Parameters and Secrets Lambda Extension (SECRETS_FROM=lambda-extension, set by the stack with the extension's layer), elsewhere (the CLI) from Secrets Manager through the SDK, loaded only then; by `<NAME>_SECRET_ARN`, or `<NAME>_ARN` for a name ending in _SECRET.
import { secretArnSetting } from '../config.ts';
import { ConfigError } from '../core/errors.ts';
import { parseTokenKeys, type TokenKeys } from '../core/tokens.ts';

/** The setting saying where a function's secrets come from: the stack sets it with the extension's layer. */
export const SECRETS_FROM = 'SECRETS_FROM';
/** Its one value: the AWS Parameters and Secrets Lambda Extension, on localhost. */
export const FROM_LAMBDA_EXTENSION = 'lambda-extension';

/**
 * node:http, taken as CommonJS's `require` takes it: on Node 22 (Lambda's nodejs22.x) an `import`
 * of it reads every export of the module to make its ES namespace, WebSocket's among them, which
 * loads undici — about 20 ms of a cold start here (`BENCH_NODE`, bench/bundles.ts), none on Node 20.
 */
const http = () => process.getBuiltinModule('node:http');

/** The extension's port when PARAMETERS_SECRETS_EXTENSION_HTTP_PORT is unset (its documented default). */
const EXTENSION_DEFAULT_PORT = '2773';
/** A read the extension has not answered in this long fails (its own call to Secrets Manager included). */
const EXTENSION_TIMEOUT_MS = 5_000;

/**
 * Resolves the secret `name`: `env[name]` if set (the local stack), else the secret whose ARN is in
 * `secretArnSetting(name)` — through the extension where SECRETS_FROM says so (its cache keeps a
 * value four minutes, SECRETS_MANAGER_TTL, and this process a minute more), else through the SDK (cached five minutes by
 * Powertools). On Lambda without SECRETS_FROM it refuses rather than load the SDK: a function
 * deployed without the extension's layer says so instead of quietly reading another way.
 */
export async function resolveSecret(env: NodeJS.ProcessEnv, name: string): Promise<string> {
  const inline = env[name];
  if (inline) return inline;
  const setting = secretArnSetting(name);
  const arn = env[setting];
  if (!arn) throw new ConfigError(`set ${name} or ${setting}`);
  const from = env[SECRETS_FROM];
  if (from === FROM_LAMBDA_EXTENSION) return readKept(env, setting, arn);
  if (from)
    throw new ConfigError(
      `${SECRETS_FROM} must be ${FROM_LAMBDA_EXTENSION} or unset, not ${JSON.stringify(from)}`,
    );
  if (env.AWS_LAMBDA_FUNCTION_NAME) {
    throw new ConfigError(
      `${setting}: on Lambda, secrets are read through the Parameters and Secrets extension: set ${SECRETS_FROM}=${FROM_LAMBDA_EXTENSION} with its layer`,
    );
  }
  const { readSecretWithSdk } = await import('./secrets-manager.ts');
  return readSecretWithSdk(setting, arn);
}

/**
 * How long a function keeps a secret the extension gave it before asking again: a minute, on top
 * of the extension's own cache (240 s, infra/functions.ts), so a secret changed with `attest keys`
 * is in use everywhere within five minutes, as when Powertools kept it 300 s in the process — and
 * a warm function's requests do not each wait for a round trip to the extension.
 */
export const EXTENSION_KEEP_MS = 60_000;

/** Secrets read through the extension, by where and how they were asked: a read in flight is shared. */
const kept = new Map<string, { value: Promise<string>; until: number }>();

/** `readThroughExtension`, its answer kept EXTENSION_KEEP_MS; a failure is not kept. */
function readKept(env: NodeJS.ProcessEnv, setting: string, arn: string): Promise<string> {
  const key = [env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT, env.AWS_SESSION_TOKEN, arn].join('\n');
  const now = Date.now();
  const hit = kept.get(key);
  if (hit && now < hit.until) return hit.value;
  const value = readThroughExtension(env, setting, arn);
  kept.set(key, { value, until: now + EXTENSION_KEEP_MS });
  value.catch(() => {
    if (kept.get(key)?.value === value) kept.delete(key);
  });
  return value;
}

/**
 * Whether secrets are read only once the function is invoked: through the extension, which AWS
 * documents as answering during a function's invocations, not its init
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-integration-lambda-extensions.html);
 * inline or through the SDK they can be read as the module loads.
 */
export function secretsReadAtInvocation(env: NodeJS.ProcessEnv): boolean {
  return env[SECRETS_FROM] === FROM_LAMBDA_EXTENSION;
}

/**
 * `load`'s answer, kept once it succeeds; a failure is thrown to its caller and the next call
 * loads again. Loaded at once (so a bad secret stops the cold start with its reason) where secrets
 * can be read as the module loads, else at the first invocation that asks.
 */
export async function secretWhenReadable<T>(
  env: NodeJS.ProcessEnv,
  load: () => Promise<T>,
): Promise<() => Promise<T>> {
  let kept: Promise<T> | undefined;
  const get = () =>
    (kept ??= load().catch((error: unknown) => {
      kept = undefined;
      throw error;
    }));
  if (!secretsReadAtInvocation(env)) await get();
  return get;
}

/**
 * GetSecretValue through the AWS Parameters and Secrets Lambda Extension: `GET
 * /secretsmanager/get?secretId=…` on localhost, with the function's session token in
 * X-Aws-Parameters-Secrets-Token, answering GetSecretValue's JSON. With node:http, not fetch, whose
 * first use (undici) costs a cold start more than the read. Any answer but 200 with a SecretString
 * is a ConfigError naming the setting (never a value).
 */
export async function readThroughExtension(
  env: NodeJS.ProcessEnv,
  setting: string,
  arn: string,
): Promise<string> {
  const token = env.AWS_SESSION_TOKEN;
  if (!token)
    throw new ConfigError(
      `${setting}: AWS_SESSION_TOKEN is not set; the Parameters and Secrets extension requires it`,
    );
  const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT || EXTENSION_DEFAULT_PORT;
  const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http().request(
      {
        host: 'localhost',
        port,
        path: `/secretsmanager/get?secretId=${encodeURIComponent(arn)}`,
        headers: { 'X-Aws-Parameters-Secrets-Token': token },
        timeout: EXTENSION_TIMEOUT_MS,
        // A connection of its own each time: one kept alive across a frozen execution environment
        // may have been closed by the extension meanwhile, and reusing it would fail the read.
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in ${EXTENSION_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  }).catch((error: unknown) => {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(
      `${setting}: the Parameters and Secrets extension did not answer on localhost:${port} (${reason}); is its layer attached?`,
      { cause: error },
    );
  });
  // The extension's refusals (an unknown secret, access denied, a missing token) are its own words, not a value.
  if (status !== 200) {
    throw new ConfigError(
      `${setting}: the Parameters and Secrets extension answered HTTP ${status}: ${body.slice(0, 200)}`,
    );
  }
  let value: unknown;
  try {
    value = (JSON.parse(body) as { SecretString?: unknown }).SecretString;
  } catch (error) {
    throw new ConfigError(`${setting}: the Parameters and Secrets extension's answer is not JSON`, {
      cause: error,
    });
  }
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

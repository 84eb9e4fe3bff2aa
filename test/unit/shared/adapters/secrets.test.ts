// Secrets resolved inline, through the SDK or through the Parameters and Secrets extension; the link keys as they are now (re-read, re-parsed only on change); things rebuilt on change.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  liveTokenKeys,
  rebuiltWhenChanged,
  resolveLongSecret,
  resolveSecret,
  secretWhenReadable,
} from '#shared/adapters/secrets.ts';
import { ConfigError } from '#shared/core/errors.ts';

const SECRET_1 = 'first-key-first-key-first-key-first-01';
const SECRET_2 = 'second-key-second-key-second-key-0002';
const ADDED = JSON.stringify({ signing: 'k1', k1: SECRET_1, k2: SECRET_2 });
const PROMOTED = JSON.stringify({ signing: 'k2', k1: SECRET_1, k2: SECRET_2 });
const ENV = { ACK_TOKEN_KEYS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:keys' };

/** A resolveSecret that answers with whatever `value` holds now, recording each name asked for. */
function fakeResolve(initial: string) {
  const state = { value: initial, asked: [] as string[] };
  const resolve = async (_env: NodeJS.ProcessEnv, name: string) => {
    state.asked.push(name);
    return state.value;
  };
  return { state, resolve };
}

describe('resolveLongSecret', () => {
  it('answers a secret of 32 characters or more, trimmed', async () => {
    await expect(resolveLongSecret({ SCIM_TOKEN: ` ${'t'.repeat(32)}\n` }, 'SCIM_TOKEN')).resolves.toBe(
      't'.repeat(32),
    );
  });

  it('refuses a shorter one by its name, never quoting it', async () => {
    // Act
    const refused = resolveLongSecret({ CONSOLE_SESSION_KEY: 'short-but-secret' }, 'CONSOLE_SESSION_KEY');

    // Assess
    await expect(refused).rejects.toThrow(
      new ConfigError('CONSOLE_SESSION_KEY must be at least 32 characters'),
    );
    await expect(refused).rejects.not.toThrow(/short-but-secret/);
  });
});

describe('resolveSecret', () => {
  const sm = mockClient(SecretsManagerClient);
  beforeEach(() => {
    sm.reset();
  });

  it('answers the inline value when the setting itself is set (the local stack)', async () => {
    // Act
    const value = await resolveSecret({ HR_WEBHOOK_SECRET: 'inline' }, 'HR_WEBHOOK_SECRET');

    // Assess
    expect(value).toBe('inline');
    expect(sm.calls()).toHaveLength(0);
  });

  // The names the stack gives the functions: a name ending in _SECRET gains _ARN, any other _SECRET_ARN.
  it.each([
    ['HR_WEBHOOK_SECRET', 'HR_WEBHOOK_SECRET_ARN'],
    ['LMS_WEBHOOK_SECRET', 'LMS_WEBHOOK_SECRET_ARN'],
    ['ACK_TOKEN_KEYS', 'ACK_TOKEN_KEYS_SECRET_ARN'],
    ['LRS_PASSWORD', 'LRS_PASSWORD_SECRET_ARN'],
  ])('reads %s from Secrets Manager by the ARN in %s', async (name, setting) => {
    // Prepare
    const arn = `arn:aws:secretsmanager:eu-west-2:123456789012:secret:${name}`;
    sm.on(GetSecretValueCommand, { SecretId: arn }).resolves({ SecretString: `value of ${name}` });

    // Act
    const value = await resolveSecret({ [setting]: arn }, name);

    // Assess
    expect(value).toBe(`value of ${name}`);
  });

  it('names the settings it looked for when neither is set', async () => {
    // Act
    const resolving = resolveSecret({}, 'HR_WEBHOOK_SECRET');

    // Assess
    await expect(resolving).rejects.toThrow('set HR_WEBHOOK_SECRET or HR_WEBHOOK_SECRET_ARN');
  });

  it('refuses to read through the SDK on Lambda, naming the setting that is missing', async () => {
    // Act
    const resolving = resolveSecret(
      {
        HR_WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-2:1:secret:x',
        AWS_LAMBDA_FUNCTION_NAME: 'Ingest',
      },
      'HR_WEBHOOK_SECRET',
    );

    // Assess
    await expect(resolving).rejects.toThrow(
      /HR_WEBHOOK_SECRET_ARN: on Lambda.*set SECRETS_FROM=lambda-extension/,
    );
    expect(sm.calls()).toHaveLength(0);
  });

  it('refuses a SECRETS_FROM it does not know', async () => {
    // Act
    const resolving = resolveSecret(
      { HR_WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-2:1:secret:x', SECRETS_FROM: 'ssm' },
      'HR_WEBHOOK_SECRET',
    );

    // Assess
    await expect(resolving).rejects.toThrow('SECRETS_FROM must be lambda-extension or unset, not "ssm"');
  });
});

/** What the extension's stand-in answers: status and body by the secret asked for; what it was asked, kept. */
interface Asked {
  path: string;
  token: string | undefined;
}

/**
 * A local HTTP server standing in for the AWS Parameters and Secrets Lambda Extension: GET
 * /secretsmanager/get?secretId=…, refusing (401) a request without the token it was given.
 */
async function extensionStandIn(answers: Record<string, { status: number; body: string }>) {
  const asked: Asked[] = [];
  /** The session tokens it answers: the tests' own, and any a test lets in. */
  const tokens = new Set([TOKEN]);
  const server: Server = createServer((request: IncomingMessage, response) => {
    const token = request.headers['x-aws-parameters-secrets-token'] as string | undefined;
    asked.push({ path: request.url ?? '', token });
    const url = new URL(request.url ?? '/', 'http://localhost');
    const answer =
      !token || !tokens.has(token)
        ? { status: 401, body: 'missing or invalid token' }
        : (answers[url.searchParams.get('secretId') ?? ''] ?? { status: 400, body: 'secret not found' });
    response.statusCode = answer.status;
    response.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  return { server, asked, tokens, port: String((server.address() as AddressInfo).port) };
}

const TOKEN = 'session-token-of-this-test';
const ARN = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:HR_WEBHOOK_SECRET-AbCdEf';

describe('resolveSecret through the Parameters and Secrets extension', () => {
  const sm = mockClient(SecretsManagerClient);
  let extension: Awaited<ReturnType<typeof extensionStandIn>>;
  const envFor = (arn: string, overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    HR_WEBHOOK_SECRET_ARN: arn,
    SECRETS_FROM: 'lambda-extension',
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: extension.port,
    AWS_SESSION_TOKEN: TOKEN,
    AWS_LAMBDA_FUNCTION_NAME: 'Ingest',
    ...overrides,
  });

  beforeAll(async () => {
    extension = await extensionStandIn({
      [ARN]: {
        status: 200,
        body: JSON.stringify({ ARN, Name: 'x', SecretString: 'the-secret', VersionId: 'v1' }),
      },
      'arn:empty': { status: 200, body: JSON.stringify({ ARN: 'arn:empty', SecretString: '' }) },
      'arn:binary': { status: 200, body: JSON.stringify({ ARN: 'arn:binary', SecretBinary: 'AQID' }) },
      'arn:not-json': { status: 200, body: '<html>' },
      'arn:denied': { status: 400, body: 'AccessDeniedException: not authorised' },
      'arn:broken': { status: 500, body: 'internal error' },
    });
  });
  afterAll(() => {
    extension.server.close();
  });
  beforeEach(() => {
    sm.reset();
    extension.asked.length = 0;
  });

  it('reads the SecretString of GetSecretValue, asking by the encoded ARN with the session token', async () => {
    // Act
    const value = await resolveSecret(envFor(ARN), 'HR_WEBHOOK_SECRET');

    // Assess
    expect(value).toBe('the-secret');
    expect(extension.asked).toEqual([
      { path: `/secretsmanager/get?secretId=${encodeURIComponent(ARN)}`, token: TOKEN },
    ]);
    expect(sm.calls()).toHaveLength(0);
  });

  it.each([
    [
      'arn:denied',
      /HR_WEBHOOK_SECRET_ARN: the Parameters and Secrets extension answered HTTP 400: AccessDenied/,
    ],
    ['arn:broken', /HR_WEBHOOK_SECRET_ARN: the Parameters and Secrets extension answered HTTP 500/],
    ['arn:unknown', /answered HTTP 400: secret not found/],
    ['arn:not-json', /HR_WEBHOOK_SECRET_ARN: the Parameters and Secrets extension's answer is not JSON/],
    ['arn:empty', /secret HR_WEBHOOK_SECRET_ARN is empty/],
    ['arn:binary', /secret HR_WEBHOOK_SECRET_ARN is empty/],
  ])('refuses the answer for %s with a ConfigError naming the setting', async (arn, message) => {
    // Act
    const resolving = resolveSecret(envFor(arn), 'HR_WEBHOOK_SECRET');

    // Assess
    await expect(resolving).rejects.toThrow(message);
    await expect(resolving).rejects.toBeInstanceOf(ConfigError);
  });

  it('is refused when its token is not the session token', async () => {
    // Act
    const resolving = resolveSecret(envFor(ARN, { AWS_SESSION_TOKEN: 'another' }), 'HR_WEBHOOK_SECRET');

    // Assess
    await expect(resolving).rejects.toThrow('answered HTTP 401');
  });

  it('refuses to ask without a session token', async () => {
    // Act
    const resolving = resolveSecret(envFor(ARN, { AWS_SESSION_TOKEN: undefined }), 'HR_WEBHOOK_SECRET');

    // Assess
    await expect(resolving).rejects.toThrow('HR_WEBHOOK_SECRET_ARN: AWS_SESSION_TOKEN is not set');
    expect(extension.asked).toHaveLength(0);
  });

  it('keeps what the extension gave it for a minute, asking once for reads at once, then asks again', async () => {
    // Prepare: a token of this test's own, so no read of another test is kept for it
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-03-01T09:00:00Z') });
    const env = envFor(ARN, { AWS_SESSION_TOKEN: 'kept-token' });
    extension.tokens.add('kept-token');

    try {
      // Act: three reads at once, one 59 s later, one after the minute
      const first = await Promise.all([1, 2, 3].map(() => resolveSecret(env, 'HR_WEBHOOK_SECRET')));
      vi.setSystemTime(new Date('2026-03-01T09:00:59Z'));
      const within = await resolveSecret(env, 'HR_WEBHOOK_SECRET');
      const askedWithin = extension.asked.length;
      vi.setSystemTime(new Date('2026-03-01T09:01:00Z'));
      const after = await resolveSecret(env, 'HR_WEBHOOK_SECRET');

      // Assess
      expect([...first, within, after]).toEqual(Array(5).fill('the-secret'));
      expect(askedWithin).toBe(1);
      expect(extension.asked).toHaveLength(2);
    } finally {
      vi.useRealTimers();
      extension.tokens.delete('kept-token');
    }
  });

  it('keeps no failure: the next read asks again', async () => {
    // Prepare: the extension refuses this token until it is let in
    const env = envFor(ARN, { AWS_SESSION_TOKEN: 'late-token' });
    await expect(resolveSecret(env, 'HR_WEBHOOK_SECRET')).rejects.toThrow('answered HTTP 401');
    extension.tokens.add('late-token');

    try {
      // Act
      const value = await resolveSecret(env, 'HR_WEBHOOK_SECRET');

      // Assess
      expect(value).toBe('the-secret');
      expect(extension.asked).toHaveLength(2);
    } finally {
      extension.tokens.delete('late-token');
    }
  });

  it('says the extension did not answer when nothing listens on its port', async () => {
    // Prepare: a port just freed
    const closed = await extensionStandIn({});
    closed.server.close();
    await new Promise((resolve) => closed.server.once('close', resolve));

    // Act
    const resolving = resolveSecret(
      envFor(ARN, { PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: closed.port }),
      'HR_WEBHOOK_SECRET',
    );

    // Assess
    await expect(resolving).rejects.toThrow(
      new RegExp(`did not answer on localhost:${closed.port} \\(ECONNREFUSED\\); is its layer attached\\?`),
    );
  });
});

describe('secretWhenReadable', () => {
  /** A load that answers `values` in turn, a value "fail" thrown. */
  function loads(...values: string[]) {
    const state = { calls: 0 };
    const load = async () => {
      const value = values[state.calls++];
      if (value === 'fail') throw new ConfigError('not readable');
      return value as string;
    };
    return { state, load };
  }

  it('loads at once where secrets are readable as the module loads, and keeps the value', async () => {
    // Prepare
    const { state, load } = loads('v1', 'v2');

    // Act
    const secret = await secretWhenReadable({}, load);
    const calledAtLoad = state.calls;

    // Assess
    expect(calledAtLoad).toBe(1);
    expect(await secret()).toBe('v1');
    expect(state.calls).toBe(1);
  });

  it('waits for the first invocation to ask when secrets come through the extension', async () => {
    // Prepare
    const { state, load } = loads('v1');

    // Act
    const secret = await secretWhenReadable({ SECRETS_FROM: 'lambda-extension' }, load);
    const calledAtLoad = state.calls;

    // Assess
    expect(calledAtLoad).toBe(0);
    expect(await secret()).toBe('v1');
    expect(await secret()).toBe('v1');
    expect(state.calls).toBe(1);
  });

  it('keeps no failure: the next call loads again', async () => {
    // Prepare
    const { state, load } = loads('fail', 'v2');
    const secret = await secretWhenReadable({ SECRETS_FROM: 'lambda-extension' }, load);

    // Act
    const first = secret();
    await expect(first).rejects.toThrow('not readable');
    const second = await secret();

    // Assess
    expect(second).toBe('v2');
    expect(state.calls).toBe(2);
  });

  it('stops the load with the reason where secrets are readable then', async () => {
    // Prepare
    const { load } = loads('fail');

    // Assess
    await expect(secretWhenReadable({}, load)).rejects.toThrow('not readable');
  });
});

describe('liveTokenKeys', () => {
  it('re-reads the secret on each call and gives the same object while it is unchanged', async () => {
    // Prepare
    const { state, resolve } = fakeResolve(ADDED);
    const keys = liveTokenKeys(ENV, resolve);

    // Act
    const first = await keys();
    const second = await keys();

    // Assess
    expect(state.asked).toEqual(['ACK_TOKEN_KEYS', 'ACK_TOKEN_KEYS']);
    expect(second).toBe(first);
    expect(first.signingKid).toBe('k1');
  });

  it('gives new keys once the secret changes, e.g. after a key is promoted', async () => {
    // Prepare
    const { state, resolve } = fakeResolve(ADDED);
    const keys = liveTokenKeys(ENV, resolve);
    const before = await keys();

    // Act
    state.value = PROMOTED;
    const after = await keys();
    const again = await keys();

    // Assess
    expect(after).not.toBe(before);
    expect(before.signingKid).toBe('k1');
    expect(after.signingKid).toBe('k2');
    expect(again).toBe(after);
  });

  it('keeps the last good keys, saying why once, when the secret becomes unusable', async () => {
    // Prepare
    const { state, resolve } = fakeResolve(ADDED);
    const refused: string[] = [];
    const keys = liveTokenKeys(ENV, resolve, (reason) => refused.push(reason));
    const good = await keys();

    // Act: a hand edit leaves a key too short
    state.value = JSON.stringify({ signing: 'k1', k1: 'short' });
    const first = await keys();
    const second = await keys();

    // Assess: the functions go on; the reason names no secret
    expect(first).toBe(good);
    expect(second).toBe(good);
    expect(refused).toEqual(['token key "k1" must be at least 32 characters']);
  });

  it('lets a ConfigError through on the first read of a bad value', async () => {
    // Prepare
    const { resolve } = fakeResolve('not-a-key-set');

    // Assess
    await expect(liveTokenKeys(ENV, resolve)()).rejects.toThrow(ConfigError);
  });
});

describe('rebuiltWhenChanged', () => {
  it('builds once per distinct value, in the order the values come', async () => {
    // Prepare
    const values = ['a', 'a', 'b', 'b', 'b', 'a'];
    const built: string[] = [];
    let i = 0;
    const thing = rebuiltWhenChanged(
      async () => values[i++] as string,
      (value) => {
        built.push(value);
        return { value };
      },
    );

    // Act
    const results = [];
    for (let n = 0; n < values.length; n++) results.push(await thing());

    // Assess
    expect(built).toEqual(['a', 'b', 'a']);
    expect(results.map((r) => r.value)).toEqual(values);
    expect(results[1]).toBe(results[0]);
    expect(results[4]).toBe(results[2]);
    expect(results[2]).not.toBe(results[1]);
  });

  it('rebuilds when liveTokenKeys gives new keys, and only then', async () => {
    // Prepare
    const { state, resolve } = fakeResolve(ADDED);
    let builds = 0;
    const signer = rebuiltWhenChanged(liveTokenKeys(ENV, resolve), (keys) => {
      builds++;
      return keys.signingKid;
    });

    // Act
    const before = [await signer(), await signer()];
    state.value = PROMOTED;
    const after = [await signer(), await signer()];

    // Assess
    expect(before).toEqual(['k1', 'k1']);
    expect(after).toEqual(['k2', 'k2']);
    expect(builds).toBe(2);
  });
});

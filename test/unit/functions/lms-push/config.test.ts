// The LMS delivery function's settings as Lambda (and `npm start`) give them: each destination of LMS_MODE needs its own, read through the registry.
import { afterEach, describe, expect, it, vi } from 'vitest';

const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const ENV = {
  TABLE_NAME: 'attest',
  LMS_QUEUE_URL: 'http://127.0.0.1:9324/000000000000/attest-lms',
  LMS_MODE: undefined,
  LMS_WEBHOOK_URL: undefined,
  LMS_WEBHOOK_SECRET: undefined,
  LRS_ENDPOINT: undefined,
  LRS_USERNAME: undefined,
  LRS_PASSWORD: undefined,
  XAPI_ACCOUNT_HOMEPAGE: undefined,
  XAPI_ACTOR: undefined,
  MOODLE_URL: undefined,
  MOODLE_TOKEN: undefined,
  MOODLE_USER_FIELD: undefined,
  MOODLE_ACTIVITIES: undefined,
};

/** Loads the function's config module afresh with `env` as its environment. */
async function load(env: Record<string, string | undefined>) {
  vi.resetModules();
  for (const [name, value] of Object.entries({ ...ENV, ...env })) vi.stubEnv(name, value);
  return (await import('#functions/lms-push/config.ts')).config;
}

const webhook = {
  LMS_WEBHOOK_URL: 'https://lms.example.org/hooks/attest',
  LMS_WEBHOOK_SECRET: WEBHOOK_SECRET,
};
const xapi = {
  LRS_ENDPOINT: 'https://lrs.example.org/xapi',
  LRS_USERNAME: 'attest',
  LRS_PASSWORD: 'lrs-password',
  XAPI_ACCOUNT_HOMEPAGE: 'https://hr.example.org',
};

describe('the lms-push config', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('reads each destination of LMS_MODE with its settings and its secrets by name', async () => {
    // Act
    const config = await load({ LMS_MODE: 'webhook,xapi', ...webhook, ...xapi });

    // Assess
    expect(config.LMS_MODE).toEqual(['webhook', 'xapi']);
    expect(config.LRS_ENDPOINT).toBe('https://lrs.example.org/xapi/');
    expect(config.XAPI_ACTOR).toBe('account');
    expect(await config.secrets()).toEqual({
      LMS_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LRS_PASSWORD: 'lrs-password',
    });
  });

  it('reads no secret at load through the extension, which answers only during invocations: the first batch does', async () => {
    // Prepare: an extension port nothing listens on, so any read would fail
    const env = {
      LMS_MODE: 'webhook',
      LMS_WEBHOOK_URL: webhook.LMS_WEBHOOK_URL,
      LMS_WEBHOOK_SECRET_ARN:
        'arn:aws:secretsmanager:eu-west-2:123456789012:secret:LMS_WEBHOOK_SECRET-AbCdEf',
      SECRETS_FROM: 'lambda-extension',
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '1',
      AWS_SESSION_TOKEN: 'session-token',
    };

    // Act
    const config = await load(env);

    // Assess
    expect(config.LMS_MODE).toEqual(['webhook']);
    await expect(config.secrets()).rejects.toThrow(
      'LMS_WEBHOOK_SECRET_ARN: the Parameters and Secrets extension did not answer on localhost:1',
    );
  });

  it('reads no secret of a destination that is not deployed', async () => {
    // Act
    const config = await load({ LMS_MODE: 'xapi', ...xapi });

    // Assess
    expect(await config.secrets()).toEqual({ LRS_PASSWORD: 'lrs-password' });
  });

  it.each([
    ['webhook', {}, 'LMS_WEBHOOK_URL: is required when LMS_MODE includes webhook'],
    ['xapi', { LRS_PASSWORD: 'p' }, 'LRS_ENDPOINT: is required when LMS_MODE includes xapi'],
    ['xapi', { LRS_PASSWORD: 'p' }, 'LRS_USERNAME: is required when LMS_MODE includes xapi'],
    [
      'xapi',
      { LRS_ENDPOINT: xapi.LRS_ENDPOINT, LRS_USERNAME: 'u', LRS_PASSWORD: 'p' },
      'XAPI_ACCOUNT_HOMEPAGE: is required when LMS_MODE includes xapi (with XAPI_ACTOR=account)',
    ],
  ])('refuses LMS_MODE=%s without what it needs, naming the setting', async (mode, env, message) => {
    // Act
    const loading = load({ LMS_MODE: mode, ...env });

    // Assess
    await expect(loading).rejects.toThrow(message);
  });

  it('takes Moodle beside the webhook, its activities over the policies’ front matter', async () => {
    // Act
    const config = await load({
      LMS_MODE: 'webhook,moodle',
      ...webhook,
      MOODLE_URL: 'https://moodle.example.org',
      MOODLE_TOKEN: 'a1b2c3d4',
      MOODLE_ACTIVITIES: 'safe-internet-use=123',
    });

    // Assess
    expect(config.LMS_MODE).toEqual(['webhook', 'moodle']);
    expect(config.MOODLE_URL).toBe('https://moodle.example.org/');
    expect(config.MOODLE_USER_FIELD).toBe('email');
    expect(config.MOODLE_ACTIVITIES).toEqual({ 'safe-internet-use': 123 });
    expect(await config.secrets()).toMatchObject({ MOODLE_TOKEN: 'a1b2c3d4' });
  });

  it.each([
    [{ MOODLE_TOKEN: 'a1b2c3d4' }, 'MOODLE_URL: is required when LMS_MODE includes moodle'],
    [{ MOODLE_URL: 'https://moodle.example.org/' }, 'MOODLE_TOKEN'],
    [{ MOODLE_URL: 'https://moodle.example.org/', MOODLE_TOKEN: 'a1b2 c3d4' }, 'MOODLE_TOKEN must be'],
    [
      {
        MOODLE_URL: 'https://moodle.example.org/',
        MOODLE_TOKEN: 'a1b2c3d4',
        MOODLE_ACTIVITIES: 'no-such-policy=1',
      },
      'MOODLE_ACTIVITIES names no-such-policy',
    ],
  ])('refuses Moodle with %j at load, naming the setting', async (env, message) => {
    // Act
    const loading = load({ LMS_MODE: 'moodle', ...env });

    // Assess
    await expect(loading).rejects.toThrow(message);
  });

  it('takes XAPI_ACTOR=mbox without an account home page', async () => {
    // Act
    const config = await load({ LMS_MODE: 'xapi', ...xapi, XAPI_ACCOUNT_HOMEPAGE: '', XAPI_ACTOR: 'mbox' });

    // Assess
    expect(config.XAPI_ACCOUNT_HOMEPAGE).toBeUndefined();
  });

  it.each([
    [
      { LMS_MODE: 'webhook,canvas', ...webhook },
      'LMS_MODE: must be one or more of webhook, xapi, moodle, comma-separated',
    ],
    [
      { LMS_MODE: 'webhook', ...webhook, LMS_WEBHOOK_URL: 'http://lms.example.org/' },
      'LMS_WEBHOOK_URL: must be https',
    ],
    // A bad value is refused even for a destination not deployed: it would fail the day it is.
    [{ LMS_MODE: 'webhook', ...webhook, LRS_USERNAME: 'key:1' }, 'LRS_USERNAME: must not contain ":"'],
    [
      { LMS_MODE: 'webhook', ...webhook, LMS_WEBHOOK_SECRET: 'not-base64!' },
      'LMS_WEBHOOK_SECRET must be padded base64',
    ],
    [{ LMS_MODE: 'xapi', ...xapi, LRS_PASSWORD: undefined }, 'set LRS_PASSWORD or LRS_PASSWORD_SECRET_ARN'],
  ])('refuses %j at load, naming the setting', async (env, message) => {
    // Act
    const loading = load(env);

    // Assess
    await expect(loading).rejects.toThrow(message);
  });
});

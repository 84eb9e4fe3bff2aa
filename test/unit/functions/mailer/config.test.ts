// The mailer's settings as Lambda (and `npm start`) give them: the sender and Reply-To mailboxes, checked at load.
import { afterEach, describe, expect, it, vi } from 'vitest';

const ENV = {
  TABLE_NAME: 'attest',
  MAIL_FROM: 'onboarding@attest.example',
  SES_CONFIGURATION_SET: 'attest',
  PUBLIC_BASE_URL: 'https://attest.example.org',
  ORGANISATION_NAME: 'Wirral Children’s Services',
  ACK_TOKEN_KEYS: 'k1:unit-test-ack-token-key-0000000001',
  REPLY_TO: undefined,
  HR_NOTIFY_EMAIL: undefined,
  MAILER_CONCURRENCY: '2',
  MAIL_QUEUE_URL: 'https://sqs.eu-west-2.amazonaws.com/123456789012/attest-mail',
  SES_MAX_RATE: undefined,
};

/** Loads the mailer's config module afresh with `env` as the function's environment. */
async function load(env: Record<string, string | undefined>) {
  vi.resetModules();
  for (const [name, value] of Object.entries({ ...ENV, ...env })) vi.stubEnv(name, value);
  return (await import('#functions/mailer/config.ts')).config;
}

describe('the mailer config', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('reads MAIL_FROM with a display name, and the bare address alone', async () => {
    // Act
    const named = await load({
      MAIL_FROM: '"Wirral Children\'s Services onboarding" <onboarding@attest.example>',
    });
    const bare = await load({});

    // Assess
    expect(named.MAIL_FROM).toEqual({
      name: "Wirral Children's Services onboarding",
      address: 'onboarding@attest.example',
    });
    expect(bare.MAIL_FROM).toEqual({ address: 'onboarding@attest.example' });
  });

  it('has no Reply-To unless REPLY_TO is set (empty is none), and reads one with a display name', async () => {
    // Act
    const unset = await load({});
    const empty = await load({ REPLY_TO: '' });
    const set = await load({ REPLY_TO: 'HR team <hr@your-org.example>' });

    // Assess
    expect(unset.REPLY_TO).toBeUndefined();
    expect(empty.REPLY_TO).toBeUndefined();
    expect(set.REPLY_TO).toEqual({ name: 'HR team', address: 'hr@your-org.example' });
  });

  it('tells no HR address of declines unless HR_NOTIFY_EMAIL is set (empty is none)', async () => {
    // Act
    const unset = await load({});
    const empty = await load({ HR_NOTIFY_EMAIL: ' ' });
    const set = await load({ HR_NOTIFY_EMAIL: 'HR team <hr@your-org.example>' });

    // Assess
    expect(unset.HR_NOTIFY_EMAIL).toBeUndefined();
    expect(empty.HR_NOTIFY_EMAIL).toBeUndefined();
    expect(set.HR_NOTIFY_EMAIL).toEqual({ name: 'HR team', address: 'hr@your-org.example' });
  });

  it.each([
    ['HR_NOTIFY_EMAIL', 'hr at your-org'],
    ['HR_NOTIFY_EMAIL', 'hr@your-org.example\r\nBcc: x@evil.example'],
    ['HR_NOTIFY_EMAIL', 'HR\u202E <hr@your-org.example>'],
    ['MAIL_FROM', 'Onboarding <onboarding@attest.example'],
    ['MAIL_FROM', 'Onboarding\r\nBcc: x@evil.example <onboarding@attest.example>'],
    ['MAIL_FROM', 'onboarding'],
    ['REPLY_TO', 'hr at your-org'],
    ['REPLY_TO', 'HR\u202E <hr@your-org.example>'],
  ])('refuses a bad %s at load, naming it', async (name, value) => {
    // Act
    const loading = load({ [name]: value });

    // Assess
    // (a fresh module graph: its ConfigError is another class object, so matched by name and code)
    await expect(loading).rejects.toMatchObject({ name: 'ConfigError', code: 'config.invalid' });
    await expect(loading).rejects.toThrow(new RegExp(`invalid configuration: ${name}: `));
  });

  it('follows the account’s quota unless SES_MAX_RATE is set (empty is unset), and reads a fraction', async () => {
    // Act
    const unset = await load({});
    const empty = await load({ SES_MAX_RATE: ' ' });
    const whole = await load({ SES_MAX_RATE: '10' });
    const fraction = await load({ SES_MAX_RATE: '0.5' });

    // Assess
    expect(unset.SES_MAX_RATE).toBeUndefined();
    expect(empty.SES_MAX_RATE).toBeUndefined();
    expect(whole.SES_MAX_RATE).toBe(10);
    expect(fraction.SES_MAX_RATE).toBe(0.5);
    expect(whole.MAILER_CONCURRENCY).toBe(2);
  });

  it.each(['0', '-1', 'fourteen', '14/s', 'Infinity'])(
    'refuses SES_MAX_RATE=%s at load, saying what it must be',
    async (value) => {
      // Act
      const loading = load({ SES_MAX_RATE: value });

      // Assess
      await expect(loading).rejects.toMatchObject({
        name: 'ConfigError',
        code: 'config.invalid',
        message: expect.stringContaining(
          `SES_MAX_RATE: must be a positive number of emails a second (e.g. 14 or 0.5), not "${value}"`,
        ),
      });
    },
  );

  it('leaves MAILER_CONCURRENCY unset when not given (AWS: each mailer divides by as many as the rate sizes them for)', async () => {
    // Act
    const config = await load({ MAILER_CONCURRENCY: undefined });

    // Assess
    expect(config.MAILER_CONCURRENCY).toBeUndefined();
  });

  it.each(['0', 'two', '1.5'])('refuses MAILER_CONCURRENCY=%s at load, naming it', async (value) => {
    // Act
    const loading = load({ MAILER_CONCURRENCY: value });

    // Assess
    await expect(loading).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringContaining('MAILER_CONCURRENCY'),
    });
  });
});

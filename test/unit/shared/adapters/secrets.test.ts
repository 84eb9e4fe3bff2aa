// The link keys as they are now (re-read, re-parsed only on change), things rebuilt on change, and the keys' Secrets Manager vault.
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  liveTokenKeys,
  rebuiltWhenChanged,
  resolveLongSecret,
  resolveSecret,
  secretsManagerVault,
} from '#shared/adapters/secrets.ts';
import { AttestError, ConfigError } from '#shared/core/errors.ts';

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

describe('secretsManagerVault', () => {
  const sm = mockClient(SecretsManagerClient);
  const ARN = ENV.ACK_TOKEN_KEYS_SECRET_ARN;
  const vault = () => secretsManagerVault(new SecretsManagerClient({ region: 'eu-west-2' }), ARN);

  beforeEach(() => {
    sm.reset();
  });

  it('reads the secret string by its id', async () => {
    // Prepare
    sm.on(GetSecretValueCommand).resolves({ SecretString: ADDED, VersionId: 'ver-1' });

    // Act
    const value = await vault().read();

    // Assess
    expect(value).toEqual({ value: ADDED, version: 'ver-1' });
    expect(sm).toReceiveCommandTimes(GetSecretValueCommand, 1);
    expect(sm.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: ARN });
  });

  it('writes only if the secret is still at the version read, and says so otherwise', async () => {
    // Prepare: first still at ver-1, then changed by someone else
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: ADDED, VersionId: 'ver-1' })
      .resolves({ SecretString: PROMOTED, VersionId: 'ver-2' });
    sm.on(PutSecretValueCommand).resolves({});

    // Act
    await vault().write(PROMOTED, 'ver-1');
    const stale = vault().write(ADDED, 'ver-1');

    // Assess
    await expect(stale).rejects.toMatchObject({ code: 'keys.changed' });
    expect(sm).toReceiveCommandTimes(PutSecretValueCommand, 1);
  });

  it('writes the new value as the secret string', async () => {
    // Prepare
    sm.on(PutSecretValueCommand).resolves({});

    // Act
    await vault().write(PROMOTED);

    // Assess
    expect(sm).toReceiveCommandTimes(PutSecretValueCommand, 1);
    expect(sm.commandCalls(PutSecretValueCommand)[0]?.args[0].input).toEqual({
      SecretId: ARN,
      SecretString: PROMOTED,
    });
  });

  it.each([
    ['an empty string', { SecretString: '' }],
    ['no string (a binary secret)', { SecretBinary: new Uint8Array([1, 2, 3]) }],
  ])('refuses %s with an AttestError', async (_, answer) => {
    // Prepare
    sm.on(GetSecretValueCommand).resolves(answer);

    // Act
    const read = vault().read();

    // Assess
    await expect(read).rejects.toBeInstanceOf(AttestError);
    await expect(read).rejects.toMatchObject({ code: 'keys.empty' });
  });
});

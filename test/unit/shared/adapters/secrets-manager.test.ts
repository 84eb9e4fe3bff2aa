// The link keys' Secrets Manager vault, as `attest keys` reads and writes it.
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { secretsManagerVault } from '#shared/adapters/secrets-manager.ts';
import { AttestError } from '#shared/core/errors.ts';

const SECRET_1 = 'first-key-first-key-first-key-first-01';
const SECRET_2 = 'second-key-second-key-second-key-0002';
const ADDED = JSON.stringify({ signing: 'k1', k1: SECRET_1, k2: SECRET_2 });
const PROMOTED = JSON.stringify({ signing: 'k2', k1: SECRET_1, k2: SECRET_2 });
const ENV = { ACK_TOKEN_KEYS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:keys' };

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

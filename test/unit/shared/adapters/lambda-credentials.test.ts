// The credentials a Lambda bundle's SDK clients take: the role's, from the environment, as the SDK's own chain would find them first.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  credentialsTreatedAsExpired,
  credentialsWillNeedRefresh,
  defaultProvider,
} from '#shared/adapters/lambda-credentials.ts';

afterEach(() => vi.unstubAllEnvs());

describe('defaultProvider', () => {
  it('gives the credentials Lambda puts in the environment, session token included', async () => {
    // Prepare
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIAEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'token');

    // Act
    const credentials = await defaultProvider()();

    // Assess
    expect(credentials).toMatchObject({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
  });

  it('fails, saying so, where the environment has none', async () => {
    // Prepare
    vi.stubEnv('AWS_ACCESS_KEY_ID', '');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');

    // Act, Assess
    await expect(defaultProvider()()).rejects.toThrow(/environment variable credentials/);
  });
});

describe('credentialsTreatedAsExpired', () => {
  it('treats credentials expiring within five minutes as expired, and those without an expiry as not', () => {
    // Prepare
    const at = (ms: number) => ({ expiration: new Date(Date.now() + ms) });

    // Assess
    expect(credentialsTreatedAsExpired(at(60_000))).toBe(true);
    expect(credentialsTreatedAsExpired(at(600_000))).toBe(false);
    expect(credentialsTreatedAsExpired({})).toBe(false);
    expect(credentialsWillNeedRefresh(at(600_000))).toBe(true);
    expect(credentialsWillNeedRefresh(undefined)).toBe(false);
  });
});

// Signing LMS webhooks: what receivers verify with the standardwebhooks library, across a secret rotation.
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '#shared/core/errors.ts';
import { checkWebhookSecrets, makeWebhookSigner } from '#shared/core/webhooks.ts';

const OLD = 'whsec_b2xkLXNlY3JldC1vbGQtc2VjcmV0LW9sZC1zZWNyZXQ=';
const NEW = 'whsec_bmV3LXNlY3JldC1uZXctc2VjcmV0LW5ldy1zZWNyZXQ=';
const AT = new Date('2026-11-26T09:00:00.000Z');
const BODY = '{"type":"policy.acknowledged"}';

afterEach(() => {
  vi.useRealTimers();
});

/** Verifies as an LMS holding `secret` would, with its clock at `AT`. */
function verifies(secret: string, headers: Record<string, string>): boolean {
  vi.useFakeTimers({ now: AT, toFake: ['Date'] });
  try {
    new Webhook(secret).verify(BODY, headers);
    return true;
  } catch {
    return false;
  } finally {
    vi.useRealTimers();
  }
}

describe('makeWebhookSigner', () => {
  it('signs with the id given and the time of the attempt', () => {
    // Act
    const headers = makeWebhookSigner(NEW)('msg_1', AT, BODY);

    // Assess
    expect(headers['webhook-id']).toBe('msg_1');
    expect(headers['webhook-timestamp']).toBe(String(AT.getTime() / 1000));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    expect(verifies(NEW, { ...headers })).toBe(true);
    expect(verifies(OLD, { ...headers })).toBe(false);
  });

  it('sends a signature from each secret during a rotation, so either verifies', () => {
    // Act
    const headers = makeWebhookSigner(`${NEW} ${OLD}`)('msg_1', AT, BODY);

    // Assess
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifies(NEW, { ...headers })).toBe(true);
    expect(verifies(OLD, { ...headers })).toBe(true);
    expect(makeWebhookSigner(`${NEW},${OLD}`)('msg_1', AT, BODY)).toEqual(headers);
  });

  it('refuses to sign with no secret at all', () => {
    // Assess
    expect(() => makeWebhookSigner('  ')).toThrow(RangeError);
  });
});

describe('checkWebhookSecrets', () => {
  it('accepts padded base64, with or without whsec_, one or two during a rotation', () => {
    // Prepare
    const generated = 'a'.repeat(48); // what the CDK stack generates: 48 letters and digits

    // Act
    const accepted = [NEW, `${NEW} ${OLD}`, `${NEW},${OLD}`, generated].map((s) =>
      checkWebhookSecrets('LMS_WEBHOOK_SECRET', s),
    );

    // Assess
    expect(accepted).toEqual([NEW, `${NEW} ${OLD}`, `${NEW},${OLD}`, generated]);
  });

  it.each([
    ['unpadded', 'whsec_bG9jYWwtbG1zLXdlYmhvb2stc2VjcmV0LW5vdC1mb3ItcHJvZA'],
    ['not base64', 'whsec_not*base64!'],
    ['empty after the prefix', 'whsec_'],
    ['blank', '  '],
    ['url-safe alphabet', 'whsec_ab-_'],
    ['one good, one bad', `${NEW} whsec_abc`],
  ])('refuses a secret that is %s, naming the setting and not quoting it', (_why, secret) => {
    // Act
    const check = () => checkWebhookSecrets('HR_WEBHOOK_SECRET', secret);

    // Assess
    expect(check).toThrow(ConfigError);
    expect(check).toThrow(/HR_WEBHOOK_SECRET/);
    const message = (() => {
      try {
        check();
      } catch (error) {
        return (error as Error).message;
      }
    })();
    for (const part of secret.split(/[\s,]+/).filter((p) => p.length > 6))
      expect(message).not.toContain(part);
  });

  it('accepts exactly what strict base64 decoders accept', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.boolean(), (bytes, prefixed) => {
        // Prepare
        const encoded = Buffer.from(bytes).toString('base64');
        const secret = `${prefixed ? 'whsec_' : ''}${encoded}`;

        // Act and assess: the canonical form passes and keys the same HMAC as the library's
        expect(checkWebhookSecrets('S', secret)).toBe(secret);
        expect(() => new Webhook(secret)).not.toThrow();
        if (encoded.endsWith('=')) {
          expect(() => checkWebhookSecrets('S', secret.replace(/=+$/, ''))).toThrow(ConfigError);
        }
      }),
    );
  });
});

// Signing LMS webhooks: what receivers verify with the standardwebhooks library, across a secret rotation.
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeWebhookSigner } from '#shared/core/webhooks.ts';

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

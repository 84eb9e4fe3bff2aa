// Link tokens: signed, expiring, single-purpose, rotatable, and never accepted when altered.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, TokenError } from '#shared/core/errors.ts';
import { assignmentIdFor, newTokenId } from '#shared/core/ids.ts';
import { parseTokenKeys, signToken, verifyToken } from '#shared/core/tokens.ts';

const now = new Date('2026-11-24T10:00:00Z');
const later = new Date('2026-12-24T10:00:00Z');
const keys = parseTokenKeys(
  'k2:second-key-second-key-second-key-0002,k1:first-key-first-key-first-key-first-01',
);
const claims = {
  assignmentId: assignmentIdFor('E1', 'p'),
  purpose: 'ack' as const,
  expiresAt: later,
  tokenId: newTokenId(),
};

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'accepted';
  } catch (error) {
    return error instanceof TokenError ? error.code : `other: ${(error as Error).name}`;
  }
};

describe('signToken / verifyToken', () => {
  it('round-trips the claims under the signing key, in a short URL-safe token', () => {
    // Act
    const token = signToken(keys, claims);

    // Assess
    expect(token).toMatch(/^k2\.[A-Za-z0-9_-]+$/);
    expect(token.length).toBeLessThanOrEqual(70);
    expect(verifyToken(keys, token, 'ack', now)).toEqual({
      ...claims,
      expiresAt: new Date(Math.floor(later.getTime() / 1000) * 1000),
    });
  });

  it('refuses an expired token', () => {
    // Assess
    expect(
      codeOf(() => verifyToken(keys, signToken(keys, claims), 'ack', new Date(later.getTime() + 1000))),
    ).toBe('token.expired');
  });

  it('refuses a token minted for another purpose', () => {
    // Assess
    expect(
      codeOf(() => verifyToken(keys, signToken(keys, { ...claims, purpose: 'resend' }), 'ack', now)),
    ).toBe('token.invalid');
  });

  it('still verifies a token signed with an older key that is kept, and not one whose key is retired', () => {
    // Prepare
    const old = parseTokenKeys('k1:first-key-first-key-first-key-first-01');
    const token = signToken(old, claims);
    const retired = parseTokenKeys('k2:second-key-second-key-second-key-0002');

    // Assess
    expect(verifyToken(keys, token, 'ack', now).assignmentId).toBe(claims.assignmentId);
    expect(codeOf(() => verifyToken(retired, token, 'ack', now))).toBe('token.invalid');
  });

  it('refuses a token re-labelled with another key id', () => {
    // Prepare
    const token = signToken(keys, claims).replace(/^k2\./, 'k1.');

    // Assess
    expect(codeOf(() => verifyToken(keys, token, 'ack', now))).toBe('token.invalid');
  });

  it('never accepts a token with any one character changed, or cut short', () => {
    // Prepare
    const token = signToken(keys, claims);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';

    // Assess
    for (let i = 0; i < token.length; i++) {
      for (const c of alphabet) {
        if (c === token[i]) continue;
        const mutated = token.slice(0, i) + c + token.slice(i + 1);
        expect(codeOf(() => verifyToken(keys, mutated, 'ack', now))).not.toBe('accepted');
        expect(codeOf(() => verifyToken(keys, mutated, 'ack', now))).not.toMatch(/^other/);
      }
      expect(codeOf(() => verifyToken(keys, token.slice(0, i), 'ack', now))).toMatch(/^token\./);
    }
  });

  it('answers any string with a TokenError, never another exception', () => {
    // Assess
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        expect(codeOf(() => verifyToken(keys, s, 'ack', now))).toMatch(/^token\./);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseTokenKeys', () => {
  it('reads the JSON form the CDK stack generates, naming the signing key', () => {
    // Act
    const parsed = parseTokenKeys(JSON.stringify({ signing: 'k1', k1: 'x'.repeat(48) }));

    // Assess
    expect(parsed.signingKid).toBe('k1');
    expect([...parsed.keys.keys()]).toEqual(['k1']);
  });

  it('refuses short secrets, bad key ids and a missing signing key', () => {
    // Assess
    expect(() => parseTokenKeys('k1:short')).toThrow(ConfigError);
    expect(() => parseTokenKeys(`K-1:${'x'.repeat(40)}`)).toThrow(ConfigError);
    expect(() => parseTokenKeys(JSON.stringify({ signing: 'k9', k1: 'x'.repeat(48) }))).toThrow(ConfigError);
  });
});

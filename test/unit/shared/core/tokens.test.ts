// Link tokens: signed, expiring, single-purpose, rotatable, and never accepted once altered in any way.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, TokenError } from '#shared/core/errors.ts';
import { assignmentIdFor } from '#shared/core/ids.ts';
import { inspectToken, parseTokenKeys, signToken, verifyToken } from '#shared/core/tokens.ts';

const SECRET_1 = 'first-key-first-key-first-key-first-01';
const SECRET_2 = 'second-key-second-key-second-key-0002';
const SECRET_3 = 'third-key-third-key-third-key-third-003';

const now = new Date('2026-11-24T10:00:00.000Z');
const expiresAt = new Date('2026-12-24T10:00:00.000Z');
const keys = parseTokenKeys(`k2:${SECRET_2},k1:${SECRET_1}`);
const claims = {
  assignmentId: assignmentIdFor('E1001', 'safe-internet-use'),
  purpose: 'ack' as const,
  expiresAt,
  tokenId: 'AAECAwQFBgc',
};

/** The outcome of verifying: 'accepted', a TokenError's code, or `other: <name>` for anything else. */
function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'accepted';
  } catch (error) {
    return error instanceof TokenError ? error.code : `other: ${(error as Error)?.name}`;
  }
}

describe('signToken', () => {
  it('mints a short URL-safe token labelled with the signing key id', () => {
    // Act
    const token = signToken(keys, claims);

    // Assess
    expect(token).toMatch(/^k2\.[A-Za-z0-9_-]+$/);
    expect(token.length).toBeLessThanOrEqual(70);
  });

  it('refuses ids of the wrong length rather than minting an unverifiable token', () => {
    // Act
    const mint = () => signToken(keys, { ...claims, tokenId: 'short' });

    // Assess
    expect(mint).toThrow(RangeError);
  });
});

describe('verifyToken', () => {
  it('round-trips the claims, with the expiry to the second', () => {
    // Prepare
    const token = signToken(keys, { ...claims, expiresAt: new Date(expiresAt.getTime() + 999) });

    // Act
    const verified = verifyToken(keys, token, 'ack', now);

    // Assess
    expect(verified).toEqual(claims);
  });

  it('accepts a token until the second it expires, and refuses it from then on', () => {
    // Prepare
    const token = signToken(keys, claims);

    // Act
    const before = outcome(() => verifyToken(keys, token, 'ack', new Date(expiresAt.getTime() - 1)));
    const at = outcome(() => verifyToken(keys, token, 'ack', expiresAt));
    const after = outcome(() => verifyToken(keys, token, 'ack', new Date(expiresAt.getTime() + 86400_000)));

    // Assess
    expect([before, at, after]).toEqual(['accepted', 'token.expired', 'token.expired']);
  });

  it('refuses a token minted for another purpose', () => {
    // Prepare
    const resend = signToken(keys, { ...claims, purpose: 'resend' });
    const ack = signToken(keys, claims);

    // Assess
    expect(outcome(() => verifyToken(keys, resend, 'ack', now))).toBe('token.invalid');
    expect(outcome(() => verifyToken(keys, ack, 'resend', now))).toBe('token.invalid');
  });

  it('refuses a token under a key id the verifier does not hold', () => {
    // Prepare
    const foreign = signToken(parseTokenKeys(`k9:${SECRET_3}`), claims);

    // Assess
    expect(outcome(() => verifyToken(keys, foreign, 'ack', now))).toBe('token.invalid');
  });

  it('refuses a token re-labelled with another key id that the verifier holds', () => {
    // Prepare
    const relabelled = signToken(keys, claims).replace(/^k2\./, 'k1.');

    // Assess
    expect(outcome(() => verifyToken(keys, relabelled, 'ack', now))).toBe('token.invalid');
  });

  it('stops accepting tokens of a removed key while those of an older key still in the set verify', () => {
    // Prepare: k1 then k2 signed in turn; k3 now signs, and k2 has been removed
    const underK1 = signToken(parseTokenKeys(`k1:${SECRET_1}`), claims);
    const underK2 = signToken(parseTokenKeys(`k2:${SECRET_2},k1:${SECRET_1}`), claims);
    const rotated = parseTokenKeys(`k3:${SECRET_3},k1:${SECRET_1}`);

    // Act
    const k1 = outcome(() => verifyToken(rotated, underK1, 'ack', now));
    const k2 = outcome(() => verifyToken(rotated, underK2, 'ack', now));

    // Assess
    expect(k1).toBe('accepted');
    expect(k2).toBe('token.invalid');
    expect(signToken(rotated, claims)).toMatch(/^k3\./);
  });

  it('refuses structurally broken tokens as malformed', () => {
    // Prepare
    const token = signToken(keys, claims);
    const body = token.slice(3);

    // Assess
    for (const broken of [
      '',
      '.',
      'k2',
      `.${body}`,
      `k2.${body}=`,
      `K2.${body}`,
      `k2.${body}A`,
      `k2.${body}.x`,
    ]) {
      expect(outcome(() => verifyToken(keys, broken, 'ack', now))).toBe('token.malformed');
    }
  });

  it('never accepts a token with any one character changed, and only ever throws TokenError', () => {
    // Prepare
    const token = signToken(keys, claims);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ %';

    // Assess: exhaustive over positions and the URL alphabet and then some
    for (let i = 0; i < token.length; i++) {
      for (const c of alphabet) {
        if (c === token[i]) continue;
        const mutated = token.slice(0, i) + c + token.slice(i + 1);
        expect(outcome(() => verifyToken(keys, mutated, 'ack', now))).toMatch(/^token\./);
      }
    }
  });

  it('never accepts a token cut short or extended, and only ever throws TokenError', () => {
    // Prepare
    const token = signToken(keys, claims);

    // Assess
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.string({ maxLength: 4 }), (cut, tail) => {
        expect(outcome(() => verifyToken(keys, token.slice(0, cut), 'ack', now))).toMatch(/^token\./);
        if (tail.length) {
          expect(outcome(() => verifyToken(keys, token + tail, 'ack', now))).toMatch(/^token\./);
        }
      }),
    );
  });

  it('never accepts a random single-character mutation of any valid token', () => {
    // Assess
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        fc.nat(),
        fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme-ascii' }),
        (assignment, tokenId, position, c) => {
          const token = signToken(keys, {
            ...claims,
            assignmentId: Buffer.from(assignment).toString('base64url'),
            tokenId: Buffer.from(tokenId).toString('base64url'),
          });
          const i = position % token.length;
          fc.pre(token[i] !== c);
          const mutated = token.slice(0, i) + c + token.slice(i + 1);
          expect(outcome(() => verifyToken(keys, mutated, 'ack', now))).toMatch(/^token\./);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('answers any string at all with a TokenError, never acceptance or another exception', () => {
    // Assess
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 120 }),
          fc.string({ maxLength: 120, unit: 'binary' }),
          fc.base64String({ maxLength: 80 }).map((s) => `k2.${s.replace(/\+/g, '-').replace(/\//g, '_')}`),
        ),
        (s) => {
          expect(outcome(() => verifyToken(keys, s, 'ack', now))).toMatch(/^token\./);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('inspectToken', () => {
  it('reads an expired token’s claims, so the expired-link page knows whose link it was', () => {
    // Prepare
    const token = signToken(keys, claims);

    // Act
    const inspected = inspectToken(keys, token, 'ack');

    // Assess
    expect(outcome(() => verifyToken(keys, token, 'ack', new Date('2030-01-01T00:00:00Z')))).toBe(
      'token.expired',
    );
    expect(inspected.assignmentId).toBe(claims.assignmentId);
  });

  it('still refuses a tampered token', () => {
    // Prepare
    const token = signToken(keys, claims);
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;

    // Assess
    expect(outcome(() => inspectToken(keys, tampered, 'ack'))).toMatch(/^token\.(invalid|malformed)$/);
  });
});

describe('parseTokenKeys', () => {
  it('reads `kid:secret` pairs with the signing key first, trimming spaces', () => {
    // Act
    const parsed = parseTokenKeys(` k2 : ${SECRET_2} , k1:${SECRET_1}`);

    // Assess
    expect(parsed.signingKid).toBe('k2');
    expect([...parsed.keys.keys()]).toEqual(['k2', 'k1']);
    expect(parsed.keys.get('k1')?.toString('utf8')).toBe(SECRET_1);
  });

  it('reads the JSON form the CDK stack generates, naming the signing key', () => {
    // Act
    const parsed = parseTokenKeys(JSON.stringify({ k1: SECRET_1, signing: 'k2', k2: SECRET_2 }));

    // Assess
    expect(parsed.signingKid).toBe('k2');
    expect([...parsed.keys.keys()].sort()).toEqual(['k1', 'k2']);
    expect(parsed.keys.get('k2')?.toString('utf8')).toBe(SECRET_2);
  });

  it.each([
    ['a short secret', 'k1:too-short'],
    ['an upper-case key id', `K1:${SECRET_1}`],
    ['a key id over 8 characters', `key123456:${SECRET_1}`],
    ['an empty value', ''],
    ['JSON without a signing key', JSON.stringify({ k1: SECRET_1 })],
    ['JSON naming an absent signing key', JSON.stringify({ signing: 'k9', k1: SECRET_1 })],
    ['JSON with a short secret', JSON.stringify({ signing: 'k1', k1: 'short' })],
  ])('refuses %s with a ConfigError', (_, raw) => {
    // Assess
    expect(() => parseTokenKeys(raw)).toThrow(ConfigError);
  });

  it('refuses malformed JSON with a ConfigError that does not quote the secret', () => {
    // Prepare: a secret left unquoted
    const raw = `{"signing":"k1","k1":${SECRET_1}}`;

    // Act
    let thrown: unknown;
    try {
      parseTokenKeys(raw);
    } catch (error) {
      thrown = error;
    }

    // Assess: the message goes to the logs at cold start
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).not.toContain(SECRET_1.slice(0, 8));
  });

  it('refuses a pair without a key id with a ConfigError that does not quote the secret', () => {
    // Act
    let thrown: unknown;
    try {
      parseTokenKeys(SECRET_1);
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).not.toContain(SECRET_1.slice(0, 8));
  });

  it('refuses a key id given twice rather than letting the later secret replace the signing key', () => {
    // Assess
    expect(() => parseTokenKeys(`k1:${SECRET_1},k1:${SECRET_2}`)).toThrow(ConfigError);
  });

  it('ignores the `meta` entry attest keys keeps beside the keys in the JSON form', () => {
    // Prepare
    const meta = {
      k1: { signedUntil: '2026-11-26T10:05:00.000Z' },
      k2: { signingSince: '2026-11-26T10:05:00.000Z' },
    };

    // Act
    const parsed = parseTokenKeys(JSON.stringify({ signing: 'k2', k1: SECRET_1, k2: SECRET_2, meta }));

    // Assess
    expect(parsed.signingKid).toBe('k2');
    expect([...parsed.keys.keys()].sort()).toEqual(['k1', 'k2']);
  });

  it.each(['meta', 'signing'])('refuses the key id "%s", which the JSON form reserves', (kid) => {
    // Act
    const parse = () => parseTokenKeys(`${kid}:${'s'.repeat(40)},k1:${'t'.repeat(40)}`);

    // Assess
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow('not "meta" or "signing"');
  });
});

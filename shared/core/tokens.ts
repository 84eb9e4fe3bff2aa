// Signed, expiring, single-purpose link tokens: HMAC-SHA256 under a key id so keys can rotate.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigError, TokenError } from './errors.ts';
import { ID_BYTES } from './ids.ts';
import { DEFAULT_LANGUAGE, isLanguage, type Language } from './language.ts';

export type TokenPurpose = 'ack' | 'resend';

const PURPOSES: readonly TokenPurpose[] = ['ack', 'resend'];
const FORMAT_VERSION = 1;
const TOKEN_ID_BYTES = 8;
/** 128 bits of HMAC-SHA256 is ample against forgery and keeps links short. */
const MAC_BYTES = 16;
// version(1) purpose(1) expiry seconds(4) assignment id(16) token id(8)
const PAYLOAD_BYTES = 2 + 4 + ID_BYTES + TOKEN_ID_BYTES;
const KID_PATTERN = /^[a-z0-9]{1,8}$/;
const MIN_SECRET_LENGTH = 32;

export interface TokenKeys {
  /** The key new tokens are signed with; the others still verify until removed. */
  signingKid: string;
  keys: ReadonlyMap<string, Buffer>;
}

export interface TokenClaims {
  assignmentId: string;
  purpose: TokenPurpose;
  expiresAt: Date;
  tokenId: string;
}

/**
 * Reads the key set from configuration: either JSON `{"signing":"k2","k2":"…","k1":"…"}` (what
 * the CDK stack generates in Secrets Manager) or `k2:secret,k1:secret` with the signing key first.
 */
export function parseTokenKeys(raw: string): TokenKeys {
  // No message here quotes the input: it is a secret, and configuration errors are logged.
  const entries: Array<[string, string]> = [];
  let signingKid: string | undefined;
  if (raw.trim().startsWith('{')) {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      throw new ConfigError('token keys are not valid JSON');
    }
    for (const [kid, secret] of Object.entries(parsed)) {
      if (kid === 'meta') continue; // when each key was added and signed, for `attest keys`
      if (kid === 'signing') signingKid = String(secret);
      else entries.push([kid, String(secret)]);
    }
  } else {
    for (const [index, part] of raw.split(',').entries()) {
      const at = part.indexOf(':');
      if (at < 0) throw new ConfigError(`token key entry ${index + 1} must be kid:secret`);
      entries.push([part.slice(0, at).trim(), part.slice(at + 1).trim()]);
    }
    signingKid = entries[0]?.[0];
  }
  const keys = new Map<string, Buffer>();
  for (const [index, [kid, secret]] of entries.entries()) {
    if (!KID_PATTERN.test(kid) || kid === 'meta' || kid === 'signing')
      throw new ConfigError(
        `token key entry ${index + 1}: the key id must be 1-8 of [a-z0-9], and not "meta" or "signing"`,
      );
    if (keys.has(kid)) throw new ConfigError(`token key id "${kid}" appears twice`);
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new ConfigError(`token key "${kid}" must be at least ${MIN_SECRET_LENGTH} characters`);
    }
    keys.set(kid, Buffer.from(secret, 'utf8'));
  }
  if (signingKid === undefined || !keys.has(signingKid)) {
    throw new ConfigError('token keys must name a signing key that is present');
  }
  return { signingKid, keys };
}

function mac(key: Buffer, kid: string, payload: Buffer): Buffer {
  // The kid is covered by the MAC so a token cannot be re-labelled to another key.
  return createHmac('sha256', key).update(kid).update('.').update(payload).digest().subarray(0, MAC_BYTES);
}

/** Mints a token: `{kid}.{base64url(payload ‖ mac)}`, about 65 characters, no personal data. */
export function signToken(keys: TokenKeys, claims: TokenClaims): string {
  const key = keys.keys.get(keys.signingKid) as Buffer;
  const assignment = Buffer.from(claims.assignmentId, 'base64url');
  const tokenId = Buffer.from(claims.tokenId, 'base64url');
  if (assignment.length !== ID_BYTES || tokenId.length !== TOKEN_ID_BYTES) {
    throw new RangeError('assignment id or token id has the wrong length');
  }
  const payload = Buffer.alloc(PAYLOAD_BYTES);
  payload.writeUInt8(FORMAT_VERSION, 0);
  payload.writeUInt8(PURPOSES.indexOf(claims.purpose), 1);
  payload.writeUInt32BE(Math.floor(claims.expiresAt.getTime() / 1000), 2);
  assignment.copy(payload, 6);
  tokenId.copy(payload, 6 + ID_BYTES);
  return `${keys.signingKid}.${Buffer.concat([payload, mac(key, keys.signingKid, payload)]).toString('base64url')}`;
}

/**
 * Checks a token's MAC (in constant time) and purpose, but not its expiry: for the expired-link
 * page, which must know whose link it was. Every failure is a TokenError.
 */
export function inspectToken(keys: TokenKeys, token: string, purpose: TokenPurpose): TokenClaims {
  const dot = token.indexOf('.');
  const kid = token.slice(0, dot);
  const body = token.slice(dot + 1);
  if (dot < 1 || !KID_PATTERN.test(kid) || !/^[A-Za-z0-9_-]+$/.test(body))
    throw new TokenError('token.malformed');
  const bytes = Buffer.from(body, 'base64url');
  // Re-encoding must give back the text: base64url ignores a final character's spare bits, and a
  // token that differs anywhere from the one issued must not verify.
  if (bytes.length !== PAYLOAD_BYTES + MAC_BYTES || bytes.toString('base64url') !== body) {
    throw new TokenError('token.malformed');
  }
  const key = keys.keys.get(kid);
  if (!key) throw new TokenError('token.invalid');
  const payload = bytes.subarray(0, PAYLOAD_BYTES);
  if (!timingSafeEqual(mac(key, kid, payload), bytes.subarray(PAYLOAD_BYTES)))
    throw new TokenError('token.invalid');
  if (payload.readUInt8(0) !== FORMAT_VERSION || PURPOSES[payload.readUInt8(1)] !== purpose) {
    throw new TokenError('token.invalid');
  }
  return {
    assignmentId: payload.subarray(6, 6 + ID_BYTES).toString('base64url'),
    purpose,
    expiresAt: new Date(payload.readUInt32BE(2) * 1000),
    tokenId: payload.subarray(6 + ID_BYTES).toString('base64url'),
  };
}

/** Verifies a token for one purpose and that it has not expired. */
export function verifyToken(keys: TokenKeys, token: string, purpose: TokenPurpose, now: Date): TokenClaims {
  const claims = inspectToken(keys, token, purpose);
  if (claims.expiresAt.getTime() <= now.getTime()) throw new TokenError('token.expired');
  return claims;
}

/** How old a page stamp may be and still count: longer than anyone reads a policy. */
const STAMP_MAX_AGE_MS = 7 * 24 * 3600_000;

function stampMac(key: Buffer, kid: string, tokenId: string, ms: number, language: Language): Buffer {
  // An English stamp is signed as stamps were before languages: one shown then still reads.
  const shown =
    language === DEFAULT_LANGUAGE ? `shown\0${tokenId}\0${ms}` : `shown\0${tokenId}\0${ms}\0${language}`;
  return mac(key, kid, Buffer.from(shown, 'utf8'));
}

/**
 * A stamp of when the server showed the form for one link, and in which language:
 * `{kid}.{epoch ms}.{mac}` in English, `{kid}.{epoch ms}.{language}.{mac}` in another, carried in
 * a hidden field, so the evidence can say when the page was opened, and which language's text was
 * signed, without GET recording anything.
 */
export function stampShown(
  keys: TokenKeys,
  tokenId: string,
  at: Date,
  language: Language = DEFAULT_LANGUAGE,
): string {
  const key = keys.keys.get(keys.signingKid) as Buffer;
  const ms = at.getTime();
  const lang = language === DEFAULT_LANGUAGE ? '' : `${language}.`;
  return `${keys.signingKid}.${ms}.${lang}${stampMac(key, keys.signingKid, tokenId, ms, language).toString('base64url')}`;
}

/**
 * When the form was shown and in which language, from its stamp: only for a stamp this server
 * made for this link, not in the future and not older than a week. Anything else is undefined,
 * never an error: the stamp adds to the evidence but signing does not depend on it.
 */
export function readShownStamp(
  keys: TokenKeys,
  tokenId: string,
  stamp: string | undefined,
  now: Date,
): { at: Date; language: Language } | undefined {
  const match = /^([a-z0-9]{1,8})\.(\d{1,15})\.(?:([a-z]{2,3})\.)?([A-Za-z0-9_-]{22})$/.exec(stamp ?? '');
  if (!match) return undefined;
  const [, kid, msText, languageText, macText] = match as unknown as [
    string,
    string,
    string,
    string | undefined,
    string,
  ];
  const language = languageText ?? DEFAULT_LANGUAGE;
  // An English stamp never names its language: one that does was not made here.
  if (!isLanguage(language) || languageText === DEFAULT_LANGUAGE) return undefined;
  const key = keys.keys.get(kid);
  if (!key) return undefined;
  const ms = Number(msText);
  const given = Buffer.from(macText, 'base64url');
  if (given.length !== MAC_BYTES || !timingSafeEqual(stampMac(key, kid, tokenId, ms, language), given))
    return undefined;
  const at = new Date(ms);
  const age = now.getTime() - at.getTime();
  return age >= -1000 && age <= STAMP_MAX_AGE_MS ? { at, language } : undefined;
}

/** When the form was shown, from its stamp (readShownStamp, without the language). */
export function readShown(
  keys: TokenKeys,
  tokenId: string,
  stamp: string | undefined,
  now: Date,
): Date | undefined {
  return readShownStamp(keys, tokenId, stamp, now)?.at;
}

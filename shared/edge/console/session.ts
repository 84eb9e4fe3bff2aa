// The console's cookies: a signed-in session and a sign-in under way, each sealed (AES-256-GCM) so the browser can neither read nor alter them.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import type { Role } from '../../core/console/views.ts';

/** A signed-in person, as the session cookie holds them. */
export interface Session {
  subject: string;
  email: string;
  role: Role;
  /** The token every state-changing form carries back (synchroniser token). */
  csrf: string;
  /** When they signed in (ms): the absolute timeout counts from it. */
  signedInAt: number;
  /** When the session was last used (ms): the idle timeout counts from it. */
  seenAt: number;
}

/** A sign-in under way: what the provider's answer must match, and where to go after. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** A console path (never another site) to land on once signed in. */
  returnTo: string;
  startedAt: number;
}

export const SESSION_COOKIE = 'attest_console';
export const SIGN_IN_COOKIE = 'attest_console_signin';
/** How long a sign-in may take at the provider (a password, an authenticator code). */
export const SIGN_IN_MS = 10 * 60_000;

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals and opens the console's cookies with a key derived (HKDF-SHA256) from CONSOLE_SESSION_KEY
 * for this purpose alone; the cookie's name is the associated data, so one cookie's value is
 * refused as the other's.
 */
export function makeSealer(secret: string) {
  const key = Buffer.from(hkdfSync('sha256', secret, 'attest', 'attest console cookies v1', 32));

  function seal(name: string, value: unknown): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(name));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The value sealed under `name`, or undefined for anything altered, truncated or foreign. */
  function open<T>(name: string, sealed: string | undefined): T | undefined {
    if (!sealed || !/^[A-Za-z0-9_-]+$/.test(sealed)) return undefined;
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES + 2) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(name));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const text = Buffer.concat([
        decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
      return JSON.parse(text) as T;
    } catch {
      return undefined;
    }
  }

  return { seal, open };
}

export type Sealer = ReturnType<typeof makeSealer>;

/** A fresh random token (CSRF), 256 bits, URL-safe. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether two tokens are equal, in time independent of where they differ (compared as digests). */
export function sameToken(a: string | undefined | null, b: string): boolean {
  if (typeof a !== 'string' || a.length === 0) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

export interface CookieOptions {
  /** Secure everywhere but plain-http loopback (the local stack). */
  secure: boolean;
  path: string;
  maxAgeSeconds: number;
}

/** A Set-Cookie value: HttpOnly and SameSite=Lax always (Lax: the provider's redirect back is a top-level GET). */
export function setCookie(name: string, value: string, options: CookieOptions): string {
  return [
    `${name}=${value}`,
    `Path=${options.path}`,
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

/** A Set-Cookie value that removes the cookie. */
export function clearCookie(name: string, options: Omit<CookieOptions, 'maxAgeSeconds'>): string {
  return setCookie(name, '', { ...options, maxAgeSeconds: 0 });
}

/** The request's cookies by name (API Gateway's payload 2.0 lists them in `cookies`); the first of a name wins. */
export function readCookies(cookies: readonly string[] | undefined): Map<string, string> {
  const found = new Map<string, string>();
  for (const entry of cookies ?? []) {
    for (const pair of entry.split(';')) {
      const at = pair.indexOf('=');
      if (at <= 0) continue;
      const name = pair.slice(0, at).trim();
      if (!found.has(name)) found.set(name, pair.slice(at + 1).trim());
    }
  }
  return found;
}

/**
 * Where a session stands at `now`: `live` (and whether to write it back, its last use moved on),
 * or `expired` by the idle or the absolute timeout. Writing back at most once a minute keeps most
 * responses free of a Set-Cookie while the idle timeout stays exact to the minute.
 */
export function sessionAt(
  session: Session,
  now: number,
  limits: { idleMs: number; lifetimeMs: number },
): { state: 'live'; session: Session; touch: boolean } | { state: 'expired' } {
  if (now - session.signedInAt >= limits.lifetimeMs || now - session.seenAt >= limits.idleMs) {
    return { state: 'expired' };
  }
  if (now < session.signedInAt) return { state: 'expired' };
  const touch = now - session.seenAt >= 60_000;
  return { state: 'live', session: touch ? { ...session, seenAt: now } : session, touch };
}

// Use case: rotating the keys that sign acknowledgement links, in steps that never break a link in anyone's inbox.
import { randomBytes } from 'node:crypto';
import type { Clock, KeyVault } from '../ports.ts';
import { utcMinute } from './dates.ts';
import { AttestError } from './errors.ts';
import { parseTokenKeys } from './tokens.ts';

/** When each key was added, began signing and stopped signing: kept beside the keys as `meta`. */
interface KeyHistory {
  addedAt?: string;
  signingSince?: string;
  signedUntil?: string;
}

interface KeySet {
  signing: string;
  secrets: Map<string, string>;
  meta: Record<string, KeyHistory>;
}

/**
 * How long after a change every function has it: Powertools caches the secret for five minutes
 * from when a read returns, plus a minute for the read itself and clocks that differ.
 */
export const KEY_CACHE_MS = 6 * 60_000;
/** How long after a key stops signing a link it signed may still be in use: the mailer's TOKEN_TTL. */
export const DEFAULT_TOKEN_TTL_MS = 30 * 86_400_000;
const SECRET_BYTES = 32;

/** Where a key stands, as `keys status` shows it; each state says when its next step may run. */
export type KeyState = { kid: string } & (
  | { state: 'signing'; since?: Date }
  | { state: 'retiring'; retireFrom: Date }
  | { state: 'added'; addedAt: Date; promoteFrom: Date }
  /** A key from before histories were kept: nobody knows when it last signed. */
  | { state: 'unknown' }
);

export interface KeyRotationDeps {
  vault: KeyVault;
  clock: Clock;
  /** The mailer's TOKEN_TTL: how long a link is valid. */
  tokenTtlMs: number;
}

/**
 * The rotation, one step per call, each refusing (AttestError `keys.too_soon`) to run early unless
 * forced:
 * 1. `add`: a new key that verifies but does not sign yet; the functions learn it within
 *    KEY_CACHE_MS (a link signed with a key a function does not know yet would be refused).
 * 2. `promote(kid)`: once every function knows it, new links are signed with it; the old key
 *    still verifies the links already sent.
 * 3. `retire(kid)`: once the last link the old key signed has expired (TOKEN_TTL), it is removed.
 * Every write is conditional on the secret's version read, and is of a key set the functions'
 * own parser accepts; no step reveals a secret.
 */
export function makeKeyRotation(deps: KeyRotationDeps) {
  const { vault, clock, tokenTtlMs } = deps;

  /** The key set, and a write of its next state conditional on nobody having written since. */
  async function open() {
    const { value, version } = await vault.read();
    return { set: parse(value), save: (next: KeySet) => vault.write(serialise(next), version) };
  }

  async function status(): Promise<KeyState[]> {
    const { set } = await open();
    return [...set.secrets.keys()].map((kid) => stateOf(set, kid, tokenTtlMs));
  }

  async function add(): Promise<{ kid: string; promoteFrom: Date }> {
    const { set, save } = await open();
    const time = clock.now();
    const kid = nextKid(set);
    set.secrets.set(kid, randomBytes(SECRET_BYTES).toString('base64url'));
    set.meta[kid] = { addedAt: time.toISOString() };
    await save(set);
    return { kid, promoteFrom: new Date(time.getTime() + KEY_CACHE_MS) };
  }

  async function promote(
    kid: string,
    { force = false } = {},
  ): Promise<{ kid: string; previous: string; retireFrom: Date }> {
    const { set, save } = await open();
    const time = clock.now();
    known(set, kid);
    if (set.signing === kid) throw new AttestError('keys.signing', `${kid} signs links already.`);
    const ready = at(set.meta[kid]?.addedAt, KEY_CACHE_MS);
    if (!force && (ready === undefined || ready > time)) {
      throw new AttestError(
        'keys.too_soon',
        ready
          ? `Not yet: a function may not know ${kid} until ${utcMinuteFrom(ready)} UTC, and would refuse the links it signs.`
          : `There is no record of when ${kid} was added: if that was over six minutes ago, run again with --force.`,
      );
    }
    const previous = set.signing;
    set.meta[previous] = { ...set.meta[previous], signedUntil: time.toISOString() };
    set.meta[kid] = { ...set.meta[kid], signingSince: time.toISOString() };
    set.signing = kid;
    await save(set);
    return { kid, previous, retireFrom: new Date(time.getTime() + tokenTtlMs + KEY_CACHE_MS) };
  }

  async function retire(kid: string, { force = false } = {}): Promise<{ kid: string }> {
    const { set, save } = await open();
    const time = clock.now();
    known(set, kid);
    if (set.signing === kid) {
      throw new AttestError('keys.signing', `${kid} signs links: promote another key first.`);
    }
    const history = set.meta[kid] ?? {};
    // A key added and never promoted signed nothing; one with no history at all may have.
    const signed =
      history.signingSince !== undefined || history.signedUntil !== undefined || !history.addedAt;
    const safe = at(history.signedUntil, tokenTtlMs + KEY_CACHE_MS);
    if (signed && !force && (safe === undefined || safe > time)) {
      throw new AttestError(
        'keys.too_soon',
        safe
          ? `Not yet: links ${kid} signed may be used until ${utcMinuteFrom(safe)} UTC.`
          : `There is no record of when ${kid} stopped signing: if that was over ${Math.round(tokenTtlMs / 86_400_000)} days ago, run again with --force.`,
      );
    }
    set.secrets.delete(kid);
    delete set.meta[kid];
    await save(set);
    return { kid };
  }

  return { status, add, promote, retire };
}

/** A moment a step may run from, rounded up to the minute, so that "from 10:05" holds at 10:05. */
export const utcMinuteFrom = (date: Date) => utcMinute(new Date(Math.ceil(date.getTime() / 60_000) * 60_000));

function parse(raw: string): KeySet {
  // The functions' own parser first: a key set they would refuse is refused here too.
  const keys = parseTokenKeys(raw);
  const json = raw.trim().startsWith('{') ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const secrets = new Map([...keys.keys].map(([kid, secret]) => [kid, secret.toString('utf8')]));
  // A history edited by hand may say anything: only real times count, anything else is unknown.
  const meta: Record<string, KeyHistory> = {};
  const recorded = (json.meta && typeof json.meta === 'object' ? json.meta : {}) as Record<string, unknown>;
  for (const kid of secrets.keys()) {
    const entry = (recorded[kid] && typeof recorded[kid] === 'object' ? recorded[kid] : {}) as Record<
      string,
      unknown
    >;
    const history: KeyHistory = {};
    for (const field of ['addedAt', 'signingSince', 'signedUntil'] as const) {
      const value = entry[field];
      if (typeof value === 'string' && Number.isFinite(Date.parse(value))) history[field] = value;
    }
    meta[kid] = history;
  }
  return { signing: keys.signingKid, secrets, meta };
}

function serialise(set: KeySet): string {
  const value = JSON.stringify({
    signing: set.signing,
    ...Object.fromEntries(set.secrets),
    meta: Object.fromEntries([...set.secrets.keys()].map((kid) => [kid, set.meta[kid] ?? {}])),
  });
  parseTokenKeys(value); // never write a key set the functions would refuse
  return value;
}

const at = (iso: string | undefined, plusMs: number) =>
  iso === undefined ? undefined : new Date(Date.parse(iso) + plusMs);

function known(set: KeySet, kid: string): void {
  if (!set.secrets.has(kid)) throw new AttestError('keys.unknown', `There is no key ${kid}.`);
}

function nextKid(set: KeySet): string {
  const numbers = [...set.secrets.keys()].map((kid) => /^k(\d+)$/.exec(kid)?.[1]).map(Number);
  let n = Math.max(0, ...numbers.filter(Number.isFinite)) + 1;
  while (set.secrets.has(`k${n}`)) n++;
  return `k${n}`;
}

function stateOf(set: KeySet, kid: string, tokenTtlMs: number): KeyState {
  const history = set.meta[kid] ?? {};
  if (set.signing === kid) {
    return { kid, state: 'signing', ...(history.signingSince && { since: new Date(history.signingSince) }) };
  }
  if (history.signedUntil) {
    return { kid, state: 'retiring', retireFrom: at(history.signedUntil, tokenTtlMs + KEY_CACHE_MS) as Date };
  }
  if (history.addedAt) {
    const addedAt = new Date(history.addedAt);
    return { kid, state: 'added', addedAt, promoteFrom: at(history.addedAt, KEY_CACHE_MS) as Date };
  }
  return { kid, state: 'unknown' };
}

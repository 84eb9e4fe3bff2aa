// `attest keys`: rotating the keys that sign acknowledgement links, in steps that never break a link in anyone's inbox.
import { randomBytes } from 'node:crypto';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { utcMinute } from '#shared/core/dates.ts';
import { AttestError } from '#shared/core/errors.ts';
import { parseTokenKeys } from '#shared/core/tokens.ts';

/** Where the key set lives: the Secrets Manager secret ACK_TOKEN_KEYS_SECRET_ARN names. */
export interface KeyVault {
  /** The secret, and its version (when the vault has versions). */
  read(): Promise<{ value: string; version?: string }>;
  /** Writes `value`, refusing if the secret is no longer at `version` (someone else wrote it). */
  write(value: string, version?: string): Promise<void>;
}

export function secretsManagerVault(client: SecretsManagerClient, secretId: string): KeyVault {
  return {
    async read() {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      if (!out.SecretString) throw new AttestError('keys.empty', 'The link-key secret is empty.');
      return { value: out.SecretString, ...(out.VersionId && { version: out.VersionId }) };
    },
    async write(value, version) {
      // Secrets Manager has no compare-and-set: look again just before writing, so that two
      // rotations at once (or a hand edit) are caught rather than one silently undoing the other.
      if (version !== undefined) {
        const now = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
        if (now.VersionId !== version) {
          throw new AttestError(
            'keys.changed',
            'The link-key secret changed while this command ran: nothing was written. Run it again.',
          );
        }
      }
      await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value }));
    },
  };
}

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
/** A moment, to the minute (one in the past: when a key was added or began signing). */
const minute = (date: Date) => utcMinute(date);
/** A moment a step may run from, rounded up to the minute, so that "from 10:05" holds at 10:05. */
const from = (date: Date) => minute(new Date(Math.ceil(date.getTime() / 60_000) * 60_000));

export interface KeysDeps {
  vault: KeyVault;
  now: () => Date;
  out: (text: string) => void;
  tokenTtlMs: number;
}

/**
 * The rotation, one step per command, each refusing to run early:
 * 1. `add`: a new key that verifies but does not sign yet; the functions learn it within
 *    KEY_CACHE_MS (a link signed with a key a function does not know yet would be refused).
 * 2. `promote <kid>`: once every function knows it, new links are signed with it; the old key
 *    still verifies the links already sent.
 * 3. `retire <kid>`: once the last link the old key signed has expired (TOKEN_TTL), it is removed.
 */
export async function keysCommand(
  deps: KeysDeps,
  sub: string | undefined,
  kid: string | undefined,
  force: boolean,
): Promise<number> {
  const { vault, now, out } = deps;
  if (!['status', 'add', 'promote', 'retire'].includes(sub ?? '')) {
    throw new KeyUsage(`unknown command: keys ${sub ?? ''}`.trim());
  }
  const { value: raw, version } = await vault.read();
  const set = parse(raw);
  const time = now();
  const save = (next: KeySet) => vault.write(serialise(next), version);
  if (sub === 'status') {
    for (const [id] of set.secrets) out(describe(set, id, time, deps.tokenTtlMs));
    return 0;
  }
  if (sub === 'add') {
    const id = nextKid(set);
    set.secrets.set(id, randomBytes(SECRET_BYTES).toString('base64url'));
    set.meta[id] = { addedAt: time.toISOString() };
    await save(set);
    out(
      `Added ${id}: it verifies links but does not sign them yet. The functions read it within six minutes;` +
        ` from ${from(new Date(time.getTime() + KEY_CACHE_MS))} UTC run: attest keys promote ${id}`,
    );
    return 0;
  }
  if (sub === 'promote' || sub === 'retire') {
    if (!kid) throw new KeyUsage(`keys ${sub} needs a key id (attest keys status lists them)`);
    if (!set.secrets.has(kid)) throw new AttestError('keys.unknown', `There is no key ${kid}.`);
  }
  if (sub === 'promote' && kid) {
    if (set.signing === kid) throw new AttestError('keys.signing', `${kid} signs links already.`);
    const ready = at(set.meta[kid]?.addedAt, KEY_CACHE_MS);
    if (!force && (ready === undefined || ready > time)) {
      throw new AttestError(
        'keys.too_soon',
        ready
          ? `Not yet: a function may not know ${kid} until ${from(ready)} UTC, and would refuse the links it signs.`
          : `There is no record of when ${kid} was added: if that was over six minutes ago, run again with --force.`,
      );
    }
    const previous = set.signing;
    set.meta[previous] = { ...set.meta[previous], signedUntil: time.toISOString() };
    set.meta[kid] = { ...set.meta[kid], signingSince: time.toISOString() };
    set.signing = kid;
    await save(set);
    const retire = new Date(time.getTime() + deps.tokenTtlMs + KEY_CACHE_MS);
    out(
      `${kid} signs new links (within six minutes). ${previous} still verifies the links it signed;` +
        ` from ${from(retire)} UTC, when the last of them has expired, run: attest keys retire ${previous}`,
    );
    return 0;
  }
  if (sub === 'retire' && kid) {
    if (set.signing === kid) {
      throw new AttestError('keys.signing', `${kid} signs links: promote another key first.`);
    }
    const history = set.meta[kid] ?? {};
    const signed =
      history.signingSince !== undefined || history.signedUntil !== undefined || !history.addedAt;
    const safe = at(history.signedUntil, deps.tokenTtlMs + KEY_CACHE_MS);
    if (signed && !force && (safe === undefined || safe > time)) {
      throw new AttestError(
        'keys.too_soon',
        safe
          ? `Not yet: links ${kid} signed may be used until ${from(safe)} UTC.`
          : `There is no record of when ${kid} stopped signing: if that was over ${Math.round(deps.tokenTtlMs / 86_400_000)} days ago, run again with --force.`,
      );
    }
    set.secrets.delete(kid);
    delete set.meta[kid];
    await save(set);
    out(`Retired ${kid}: links it signed are no longer accepted.`);
    return 0;
  }
  throw new KeyUsage(`unknown command: keys ${sub ?? ''}`.trim());
}

/** A mistake in the call (exit 2 with the usage), as opposed to a step refused (exit 1). */
export class KeyUsage extends Error {
  override name = 'UsageError';
}

function nextKid(set: KeySet): string {
  const numbers = [...set.secrets.keys()].map((kid) => /^k(\d+)$/.exec(kid)?.[1]).map(Number);
  let n = Math.max(0, ...numbers.filter(Number.isFinite)) + 1;
  while (set.secrets.has(`k${n}`)) n++;
  return `k${n}`;
}

function describe(set: KeySet, kid: string, now: Date, tokenTtlMs: number): string {
  const history = set.meta[kid] ?? {};
  if (set.signing === kid) {
    return `${kid}  signing${history.signingSince ? ` since ${minute(new Date(history.signingSince))} UTC` : ''}`;
  }
  if (history.signedUntil) {
    const safe = at(history.signedUntil, tokenTtlMs + KEY_CACHE_MS) as Date;
    return `${kid}  verifies the links it signed until ${from(safe)} UTC; ${safe <= now ? 'retire it now' : 'retire it then'}`;
  }
  if (history.addedAt) {
    const ready = at(history.addedAt, KEY_CACHE_MS) as Date;
    return `${kid}  added ${minute(new Date(history.addedAt))} UTC, verifies only; ${ready <= now ? 'promote it now' : `promote it from ${from(ready)} UTC`}`;
  }
  return `${kid}  verifies only (no record of when it last signed)`;
}

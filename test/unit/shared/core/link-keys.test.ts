// Rotating the link keys k1 → k2: each step refuses to run early unless forced, every write is a key set the functions accept, and a write made since the read is never undone.
import { describe, expect, it } from 'vitest';
import { utcMinute } from '#shared/core/dates.ts';
import { AttestError } from '#shared/core/errors.ts';
import { KEY_CACHE_MS, makeKeyRotation, utcMinuteFrom } from '#shared/core/link-keys.ts';
import { parseTokenKeys } from '#shared/core/tokens.ts';
import { FakeClock, FakeKeyVault } from '../../../support/fakes.ts';

const K1 = 'Zq3vN8xR2mTa7LpW4cYe9HbK1sDf6GjU0oIiQwEr';
const T0 = '2026-11-26T10:00:00.000Z';
const MINUTE = 60_000;
const TTL = 7 * 86_400_000;

/** A rotation of `initial` (the CDK's first key set by default) on a clock the test moves. */
function rotation(initial = JSON.stringify({ signing: 'k1', k1: K1 })) {
  const vault = new FakeKeyVault(initial);
  const clock = new FakeClock(T0);
  return { vault, clock, keys: makeKeyRotation({ vault, clock, tokenTtlMs: TTL }) };
}

describe('makeKeyRotation', () => {
  it('adds k2 verifying only, then promotes it once every function knows it, then retires k1 after the TTL', async () => {
    // Prepare
    const { vault, clock, keys } = rotation();

    // Act
    const added = await keys.add();
    clock.advance(KEY_CACHE_MS);
    const promoted = await keys.promote('k2');
    clock.set(promoted.retireFrom);
    const retired = await keys.retire('k1');

    // Assess
    expect(added).toEqual({ kid: 'k2', promoteFrom: new Date(Date.parse(T0) + KEY_CACHE_MS) });
    expect(promoted).toEqual({
      kid: 'k2',
      previous: 'k1',
      retireFrom: new Date(Date.parse(T0) + 2 * KEY_CACHE_MS + TTL),
    });
    expect(retired).toEqual({ kid: 'k1' });
    expect(vault.writes.map((w) => parseTokenKeys(w).signingKid)).toEqual(['k1', 'k2', 'k2']);
    expect(vault.writes.map((w) => [...parseTokenKeys(w).keys.keys()])).toEqual([
      ['k1', 'k2'],
      ['k1', 'k2'],
      ['k2'],
    ]);
    expect(JSON.parse(vault.value()).meta).toEqual({
      k2: { addedAt: T0, signingSince: '2026-11-26T10:06:00.000Z' },
    });
  });

  it('says where each key stands and when its next step may run', async () => {
    // Prepare
    const { clock, keys } = rotation();
    const before = await keys.status();
    await keys.add();
    const added = await keys.status();
    clock.advance(KEY_CACHE_MS);
    await keys.promote('k2');

    // Act
    const promoted = await keys.status();

    // Assess
    expect(before).toEqual([{ kid: 'k1', state: 'signing' }]);
    expect(added).toEqual([
      { kid: 'k1', state: 'signing' },
      {
        kid: 'k2',
        state: 'added',
        addedAt: new Date(T0),
        promoteFrom: new Date(Date.parse(T0) + KEY_CACHE_MS),
      },
    ]);
    expect(promoted).toEqual([
      { kid: 'k1', state: 'retiring', retireFrom: new Date(Date.parse(T0) + 2 * KEY_CACHE_MS + TTL) },
      { kid: 'k2', state: 'signing', since: new Date(Date.parse(T0) + KEY_CACHE_MS) },
    ]);
  });

  it('knows nothing of when a key from a plain key list last signed', async () => {
    // Act
    const status = await rotation(`k2:${K1},k1:second-key-second-key-second-key-0002`).keys.status();

    // Assess
    expect(status).toEqual([
      { kid: 'k2', state: 'signing' },
      { kid: 'k1', state: 'unknown' },
    ]);
  });

  it('refuses each step before it is safe, saying from when, and writes nothing', async () => {
    // Prepare
    const { vault, clock, keys } = rotation();
    await keys.add();
    clock.advance(KEY_CACHE_MS - MINUTE);
    const early = keys.promote('k2');
    await expect(early).rejects.toMatchObject({ code: 'keys.too_soon' });
    clock.advance(MINUTE);
    await keys.promote('k2');
    const writes = vault.writes.length;

    // Act
    const retire = keys.retire('k1');

    // Assess
    await expect(early).rejects.toThrow('a function may not know k2 until 2026-11-26 10:06 UTC');
    await expect(retire).rejects.toBeInstanceOf(AttestError);
    await expect(retire).rejects.toThrow('Not yet: links k1 signed may be used until 2026-12-03 10:12 UTC.');
    expect(vault.writes).toHaveLength(writes);
  });

  it('takes --force where there is no record of when a key was added or stopped signing', async () => {
    // Prepare: plain key lists, from before histories were kept
    const K2 = 'second-key-second-key-second-key-0002';
    const promoting = rotation(`k1:${K1},k2:${K2}`);
    const retiring = rotation(`k2:${K2},k1:${K1}`);
    await expect(promoting.keys.promote('k2')).rejects.toThrow('There is no record of when k2 was added');
    await expect(retiring.keys.retire('k1')).rejects.toThrow('over 7 days ago, run again with --force');

    // Act
    await promoting.keys.promote('k2', { force: true });
    await retiring.keys.retire('k1', { force: true });

    // Assess
    expect(parseTokenKeys(promoting.vault.value()).signingKid).toBe('k2');
    expect([...parseTokenKeys(retiring.vault.value()).keys.keys()]).toEqual(['k2']);
  });

  it('retires a key that was added and never signed at once', async () => {
    // Prepare
    const { vault, keys } = rotation();
    await keys.add();

    // Act
    await keys.retire('k2');

    // Assess
    expect([...parseTokenKeys(vault.value()).keys.keys()]).toEqual(['k1']);
  });

  it.each([
    ['promote', 'k9', 'keys.unknown', 'There is no key k9.'],
    ['retire', 'k9', 'keys.unknown', 'There is no key k9.'],
    ['promote', 'k1', 'keys.signing', 'k1 signs links already.'],
    ['retire', 'k1', 'keys.signing', 'k1 signs links: promote another key first.'],
  ] as const)('refuses to %s %s (%s)', async (step, kid, code, message) => {
    // Prepare
    const { vault, keys } = rotation();

    // Act
    const refused = keys[step](kid, { force: true });

    // Assess
    await expect(refused).rejects.toMatchObject({ code, message });
    expect(vault.writes).toEqual([]);
  });

  it('never undoes a write made since it read the keys', async () => {
    // Prepare: another rotation writes between this one's read and write
    const { vault, keys } = rotation();
    const read = vault.read.bind(vault);
    vault.read = async () => {
      const seen = await read();
      await vault.write(vault.value(), seen.version);
      return seen;
    };

    // Act
    const add = keys.add();

    // Assess
    await expect(add).rejects.toThrow('written at v0, now v1');
    expect(vault.writes).toHaveLength(1);
  });
});

describe('utcMinute and utcMinuteFrom', () => {
  it('shows a moment to the minute, and one a step may run from rounded up', () => {
    // Prepare
    const at = new Date('2026-11-26T10:05:01.000Z');

    // Act + Assess
    expect(utcMinute(at)).toBe('2026-11-26 10:05');
    expect(utcMinuteFrom(at)).toBe('2026-11-26 10:06');
    expect(utcMinuteFrom(new Date('2026-11-26T10:05:00.000Z'))).toBe('2026-11-26 10:05');
  });
});

// `attest keys`: rotating the link keys k1 → k2 in steps that each refuse to run early, never printing a secret.
import { describe, expect, it } from 'vitest';
import { TokenError } from '#shared/core/errors.ts';
import { assignmentIdFor } from '#shared/core/ids.ts';
import { parseTokenKeys, signToken, verifyToken } from '#shared/core/tokens.ts';
import { runCli } from '../../../bin/attest.ts';
import { FakeKeyVault, FakeStore } from '../../support/fakes.ts';

/** The CDK's initial secret: `{"signing":"k1","k1":…}` with a generated alphanumeric k1. */
const K1_SECRET = 'Zq3vN8xR2mTa7LpW4cYe9HbK1sDf6GjU0oIiQwEr';
const K2_SECRET = 'second-key-second-key-second-key-0002';
const INITIAL = JSON.stringify({ signing: 'k1', k1: K1_SECRET });
const T0 = Date.parse('2026-11-26T10:00:00.000Z');
const MINUTE = 60_000;
const DAY = 86_400_000;
/** The mailer's TOKEN_TTL here: a week, so the retire date differs from the 30-day default. */
const TTL = 7 * DAY;

/** One operator's session: the secret, a clock they move, and everything `attest keys` printed. */
function rotation(initial = INITIAL) {
  const vault = new FakeKeyVault(initial);
  let now = T0;
  const printed: string[] = [];
  const at = (ms: number) => {
    now = ms;
  };
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['keys', ...argv], {
      store: new FakeStore(),
      io: {
        out: (t) => {
          out.push(t);
          printed.push(t);
        },
        err: (t) => {
          err.push(t);
          printed.push(t);
        },
      },
      now: () => new Date(now),
      keyVault: vault,
      tokenTtlMs: TTL,
    });
    return { code, out, err };
  };
  const secret = () => JSON.parse(vault.value()) as Record<string, unknown>;
  return { vault, at, run, printed, secret };
}

/** Adds k2 at T0 and promotes it at T0 + 5 minutes. */
async function promoted() {
  const session = rotation();
  await session.run('add');
  session.at(T0 + 6 * MINUTE);
  await session.run('promote', 'k2');
  return session;
}

const claims = {
  assignmentId: assignmentIdFor('E1001', 'safe-internet-use'),
  purpose: 'ack' as const,
  expiresAt: new Date(T0 + TTL),
  tokenId: 'AAECAwQFBgc',
};

/** 'accepted' or the TokenError's code. */
function outcome(verify: () => unknown): string {
  try {
    verify();
    return 'accepted';
  } catch (error) {
    return error instanceof TokenError ? error.code : `other: ${(error as Error).name}`;
  }
}

describe('attest keys add', () => {
  it('adds k2 beside the CDK-generated k1, verifying only, with when it was added', async () => {
    // Prepare
    const { run, vault, secret } = rotation();

    // Act
    const { code, out } = await run('add');

    // Assess
    expect(code).toBe(0);
    expect(vault.writes).toHaveLength(1);
    const written = secret();
    expect(Object.keys(written).sort()).toEqual(['k1', 'k2', 'meta', 'signing']);
    expect(written.signing).toBe('k1');
    expect(written.k1).toBe(K1_SECRET);
    expect(written.k2).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(written.meta).toEqual({ k1: {}, k2: { addedAt: '2026-11-26T10:00:00.000Z' } });
    expect(out).toEqual([
      'Added k2: it verifies links but does not sign them yet. The functions read it within six minutes;' +
        ' from 2026-11-26 10:06 UTC run: attest keys promote k2',
    ]);
  });

  it('generates a different secret each time', async () => {
    // Prepare
    const first = rotation();
    const second = rotation();

    // Act
    await first.run('add');
    await second.run('add');

    // Assess
    expect(first.secret().k2).not.toBe(second.secret().k2);
    expect(first.secret().k2).not.toBe(K1_SECRET);
  });

  it('names the next key after the highest numbered one', async () => {
    // Prepare
    const { run, secret } = rotation(JSON.stringify({ signing: 'k4', k4: K1_SECRET, k2: K2_SECRET }));

    // Act
    await run('add');

    // Assess
    expect(Object.keys(secret()).filter((k) => /^k\d+$/.test(k))).toEqual(['k4', 'k2', 'k5']);
  });
});

describe('attest keys promote', () => {
  it('refuses at six minutes after add, naming when it may run, and writes nothing', async () => {
    // Prepare
    const { run, at, vault } = rotation();
    await run('add');
    at(T0 + 5 * MINUTE);

    // Act
    const { code, err } = await run('promote', 'k2');

    // Assess
    expect(code).toBe(1);
    expect(err).toEqual([
      'attest: Not yet: a function may not know k2 until 2026-11-26 10:06 UTC, and would refuse the links it signs.',
    ]);
    expect(vault.writes).toHaveLength(1);
    expect(parseTokenKeys(vault.value()).signingKid).toBe('k1');
  });

  it('makes k2 the signing key at six minutes after add, recording when k1 stopped and k2 began', async () => {
    // Prepare
    const { run, at, secret } = rotation();
    await run('add');
    at(T0 + 6 * MINUTE);

    // Act
    const { code, out } = await run('promote', 'k2');

    // Assess
    expect(code).toBe(0);
    expect(secret().signing).toBe('k2');
    expect(secret().k1).toBe(K1_SECRET);
    expect(secret().meta).toEqual({
      k1: { signedUntil: '2026-11-26T10:06:00.000Z' },
      k2: { addedAt: '2026-11-26T10:00:00.000Z', signingSince: '2026-11-26T10:06:00.000Z' },
    });
    expect(out).toEqual([
      'k2 signs new links (within six minutes). k1 still verifies the links it signed;' +
        ' from 2026-12-03 10:12 UTC, when the last of them has expired, run: attest keys retire k1',
    ]);
  });

  it('names a time it may really run from: rounded up to the minute, not down', async () => {
    // Prepare: added half a minute past ten
    const { run, at } = rotation();
    at(T0 + 30_000);
    const added = await run('add');
    at(T0 + 6 * MINUTE);

    // Act: at 10:06, still half a minute early
    const early = await run('promote', 'k2');
    at(T0 + 7 * MINUTE);
    const onTime = await run('promote', 'k2');

    // Assess: both messages say 10:07, and 10:07 works
    expect(added.out[0]).toContain('from 2026-11-26 10:07 UTC run: attest keys promote k2');
    expect(early.err[0]).toContain('until 2026-11-26 10:07 UTC');
    expect(onTime.code).toBe(0);
  });

  it('needs --force for a key with no record of when it was added (one added by hand)', async () => {
    // Prepare
    const { run, vault } = rotation(JSON.stringify({ signing: 'k1', k1: K1_SECRET, k2: K2_SECRET }));

    // Act
    const refused = await run('promote', 'k2');
    const forced = await run('promote', 'k2', '--force');

    // Assess
    expect(refused.err).toEqual([
      'attest: There is no record of when k2 was added: if that was over six minutes ago, run again with --force.',
    ]);
    expect(forced.code).toBe(0);
    expect(parseTokenKeys(vault.value()).signingKid).toBe('k2');
  });

  it('takes a history time that is not a real time for no record at all', async () => {
    // Prepare: k1 stopped signing on the 13th month, says a hand edit
    const { run } = rotation(
      JSON.stringify({
        signing: 'k2',
        k1: K1_SECRET,
        k2: K2_SECRET,
        meta: { k1: { signedUntil: '2026-13-01T00:00:00.000Z' }, k2: { signingSince: 'yesterday' } },
      }),
    );

    // Act
    const status = await run('status');
    const retire = await run('retire', 'k1');

    // Assess: no crash, no retirement without --force
    expect(status.out).toEqual(['k1  verifies only (no record of when it last signed)', 'k2  signing']);
    expect(retire.code).toBe(1);
    expect(retire.err[0]).toContain('run again with --force');
  });

  it('runs early with --force', async () => {
    // Prepare
    const { run, at, secret } = rotation();
    await run('add');
    at(T0 + MINUTE);

    // Act
    const { code } = await run('promote', 'k2', '--force');

    // Assess
    expect(code).toBe(0);
    expect(secret().signing).toBe('k2');
  });

  it('refuses the key that signs already', async () => {
    // Prepare
    const { run, vault } = rotation();

    // Act
    const { code, err } = await run('promote', 'k1');

    // Assess
    expect(code).toBe(1);
    expect(err).toEqual(['attest: k1 signs links already.']);
    expect(vault.writes).toEqual([]);
  });
});

describe('attest keys retire', () => {
  it('refuses k1 until its last link has expired plus the cache, then removes it', async () => {
    // Prepare: promoted at 10:06 on 26 Nov, a week's TTL, six minutes' cache
    const { run, at, vault, secret } = await promoted();
    at(Date.parse('2026-12-03T10:11:59.999Z'));

    // Act
    const early = await run('retire', 'k1');
    const writesAfterEarly = vault.writes.length;
    at(Date.parse('2026-12-03T10:12:00.000Z'));
    const onTime = await run('retire', 'k1');

    // Assess
    expect(early.code).toBe(1);
    expect(early.err).toEqual(['attest: Not yet: links k1 signed may be used until 2026-12-03 10:12 UTC.']);
    expect(writesAfterEarly).toBe(2);
    expect(onTime.code).toBe(0);
    expect(onTime.out).toEqual(['Retired k1: links it signed are no longer accepted.']);
    expect(secret()).not.toHaveProperty('k1');
    expect(secret().meta).not.toHaveProperty('k1');
    expect([...parseTokenKeys(vault.value()).keys.keys()]).toEqual(['k2']);
  });

  it('refuses the signing key even with --force', async () => {
    // Prepare
    const { run, vault } = await promoted();

    // Act
    const { code, err } = await run('retire', 'k2', '--force');

    // Assess
    expect(code).toBe(1);
    expect(err).toEqual(['attest: k2 signs links: promote another key first.']);
    expect(vault.writes).toHaveLength(2);
  });

  it('removes at once a key that was added and never signed', async () => {
    // Prepare
    const { run, secret } = rotation();
    await run('add');

    // Act
    const { code } = await run('retire', 'k2');

    // Assess
    expect(code).toBe(0);
    expect(secret()).not.toHaveProperty('k2');
    expect(secret().signing).toBe('k1');
  });

  it('needs --force for a legacy-form key with no record of when it stopped signing', async () => {
    // Prepare
    const { run, vault } = rotation(`k2:${K2_SECRET},k1:${K1_SECRET}`);

    // Act
    const refused = await run('retire', 'k1');
    const forced = await run('retire', 'k1', '--force');

    // Assess
    expect(refused.code).toBe(1);
    expect(refused.err).toEqual([
      'attest: There is no record of when k1 stopped signing: if that was over 7 days ago, run again with --force.',
    ]);
    expect(forced.code).toBe(0);
    expect(vault.writes).toHaveLength(1);
    expect(JSON.parse(vault.value())).toEqual({ signing: 'k2', k2: K2_SECRET, meta: { k2: {} } });
  });

  it('needs --force for a JSON-form key without meta', async () => {
    // Prepare
    const { run, vault } = rotation(JSON.stringify({ signing: 'k2', k2: K2_SECRET, k1: K1_SECRET }));

    // Act
    const refused = await run('retire', 'k1');
    const forced = await run('retire', 'k1', '--force');

    // Assess
    expect(refused.code).toBe(1);
    expect(refused.err[0]).toContain('There is no record of when k1 stopped signing');
    expect(forced.code).toBe(0);
    expect([...parseTokenKeys(vault.value()).keys.keys()]).toEqual(['k2']);
  });
});

describe('attest keys status', () => {
  it('describes each key at each stage of the rotation', async () => {
    // Prepare
    const { run, at } = rotation();

    // Act
    const initial = await run('status');
    await run('add');
    at(T0 + 2 * MINUTE);
    const added = await run('status');
    at(T0 + 6 * MINUTE);
    const ready = await run('status');
    await run('promote', 'k2');
    const promotedStatus = await run('status');
    at(Date.parse('2026-12-03T10:12:00.000Z'));
    const retirable = await run('status');
    await run('retire', 'k1');
    const retired = await run('status');

    // Assess
    expect(initial).toEqual({ code: 0, out: ['k1  signing'], err: [] });
    expect(added.out).toEqual([
      'k1  signing',
      'k2  added 2026-11-26 10:00 UTC, verifies only; promote it from 2026-11-26 10:06 UTC',
    ]);
    expect(ready.out).toEqual([
      'k1  signing',
      'k2  added 2026-11-26 10:00 UTC, verifies only; promote it now',
    ]);
    expect(promotedStatus.out).toEqual([
      'k1  verifies the links it signed until 2026-12-03 10:12 UTC; retire it then',
      'k2  signing since 2026-11-26 10:06 UTC',
    ]);
    expect(retirable.out).toEqual([
      'k1  verifies the links it signed until 2026-12-03 10:12 UTC; retire it now',
      'k2  signing since 2026-11-26 10:06 UTC',
    ]);
    expect(retired.out).toEqual(['k2  signing since 2026-11-26 10:06 UTC']);
  });

  it('says when there is no record of when a key last signed', async () => {
    // Prepare
    const { run } = rotation(`k2:${K2_SECRET},k1:${K1_SECRET}`);

    // Act
    const { code, out } = await run('status');

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual(['k2  signing', 'k1  verifies only (no record of when it last signed)']);
  });
});

describe('attest keys, a whole rotation', () => {
  it('writes a secret the functions parse at every step, keeping links valid until k1 is retired', async () => {
    // Prepare: a link signed before the rotation, valid for the TTL
    const { run, at, vault } = rotation();
    const link = signToken(parseTokenKeys(INITIAL), claims);
    const verifyAt = new Date(T0 + DAY);

    // Act
    await run('add');
    at(T0 + 6 * MINUTE);
    await run('promote', 'k2');
    const afterPromote = parseTokenKeys(vault.value());
    at(T0 + 6 * MINUTE + TTL + 6 * MINUTE);
    await run('retire', 'k1');
    const afterRetire = parseTokenKeys(vault.value());

    // Assess
    expect(vault.writes).toHaveLength(3);
    expect(vault.writes.map((w) => parseTokenKeys(w).signingKid)).toEqual(['k1', 'k2', 'k2']);
    expect(vault.writes.map((w) => [...parseTokenKeys(w).keys.keys()])).toEqual([
      ['k1', 'k2'],
      ['k1', 'k2'],
      ['k2'],
    ]);
    expect(outcome(() => verifyToken(afterPromote, link, 'ack', verifyAt))).toBe('accepted');
    expect(outcome(() => verifyToken(afterRetire, link, 'ack', verifyAt))).toBe('token.invalid');
    expect(signToken(afterPromote, claims)).toMatch(/^k2\./);
  });

  it('never prints a secret value, whatever the step or its outcome', async () => {
    // Prepare
    const { run, at, vault, printed } = rotation();

    // Act
    await run('status');
    await run('add');
    await run('promote', 'k2');
    await run('add');
    await run('status');
    at(T0 + 6 * MINUTE);
    await run('promote', 'k2');
    await run('retire', 'k3');
    await run('retire', 'k1');
    await run('status');
    await run('frobnicate');

    // Assess
    const secrets = vault.writes.flatMap((w) =>
      Object.entries(JSON.parse(w) as Record<string, unknown>)
        .filter(([kid]) => /^k\d+$/.test(kid))
        .map(([, s]) => String(s)),
    );
    expect(new Set(secrets).size).toBe(3);
    expect(printed.length).toBeGreaterThan(10);
    for (const secret of secrets) {
      for (const text of printed) expect(text).not.toContain(secret.slice(0, 12));
    }
  });
});

describe('attest keys, mistakes', () => {
  it.each([['promote'], ['retire']])('refuses %s of a key that does not exist with exit 1', async (sub) => {
    // Prepare
    const { run, vault } = rotation();

    // Act
    const { code, err } = await run(sub, 'k9');

    // Assess
    expect(code).toBe(1);
    expect(err).toEqual(['attest: There is no key k9.']);
    expect(vault.writes).toEqual([]);
  });

  it.each([['promote'], ['retire']])('exits 2 pointing to its help for %s without a key id', async (sub) => {
    // Prepare
    const { run, vault } = rotation();

    // Act
    const { code, err } = await run(sub);

    // Assess
    expect(code).toBe(2);
    expect(err).toEqual([
      `attest: keys ${sub} needs a key id (attest keys status lists them)\nTry \`attest keys ${sub} --help\`.`,
    ]);
    expect(vault.writes).toEqual([]);
  });

  it('exits 2 pointing to the keys help for an unknown keys command', async () => {
    // Prepare
    const { run } = rotation();

    // Act
    const { code, err } = await run('x');

    // Assess
    expect(code).toBe(2);
    expect(err).toEqual(['attest: unknown command: keys x\nTry `attest keys --help`.']);
  });

  it('exits 2 for a word more than the command takes', async () => {
    // Prepare
    const { run, vault } = rotation();

    // Act
    const { code, err } = await run('add', 'k7');

    // Assess
    expect(code).toBe(2);
    expect(err[0]).toContain('attest: unexpected "k7"');
    expect(vault.writes).toEqual([]);
  });

  it('explains that keys rotate on AWS when there is no key vault, and exits 1', async () => {
    // Prepare
    const out: string[] = [];
    const err: string[] = [];

    // Act
    const code = await runCli(['keys', 'status'], {
      store: new FakeStore(),
      io: { out: (t) => out.push(t), err: (t) => err.push(t) },
      now: () => new Date(T0),
    });

    // Assess
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain('Link keys rotate on AWS: set ACK_TOKEN_KEYS_SECRET_ARN');
    expect(err[0]).toContain("The local stack's keys are fixed");
  });

  it('documents the keys command and --force in its help', async () => {
    // Prepare
    const { run } = rotation();

    // Act
    const keys = await run('--help');
    const retire = await run('retire', '--help');

    // Assess
    expect(keys.code).toBe(0);
    expect(keys.out[0]).toMatch(
      /^Usage: attest keys status \| add \| promote <key-id> \| retire <key-id> \[--force\]\n/,
    );
    expect(retire.out[0]).toMatch(/\n {2}--force +retire a key with no record of when it stopped signing\n/);
  });
});

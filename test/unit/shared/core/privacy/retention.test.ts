// Retention: the IP address and browser reduced after RETAIN_AUDIT_IP, a leaver's requests expired after RETAIN_UNSIGNED_AFTER_LEAVING or RETAIN_EVIDENCE, and nothing expired that is still needed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCalendarDuration } from '#shared/core/duration.ts';
import { assignmentIdFor } from '#shared/core/ids.ts';
import type { Assignment } from '#shared/core/model.ts';
import {
  HELD_FOR_WORK_MS,
  HELD_WHILE_CURRENT_MS,
  makeRetentionSweep,
  type RetentionSettings,
  reduceIpAddress,
  reduceUserAgent,
} from '#shared/core/privacy/retention.ts';
import {
  anEvidence,
  anOnBehalfEvidence,
  aPolicy,
  FakeClock,
  FakeMetrics,
  RETENTION,
  seededStore,
  silentLogger,
} from '../../../../support/fakes.ts';

const SIGNED_AT = '2026-11-24T09:59:00.000Z';
const LEFT_AT = '2027-03-01T12:00:00.000Z';
const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** A store holding one assignment (with `overrides`) and a sweep over it at `now`. */
async function setup(overrides: Partial<Assignment>, now: string, settings: RetentionSettings = RETENTION) {
  const seeded = await seededStore({ dueAt: undefined, dueKind: undefined, ...overrides });
  const clock = new FakeClock(now);
  const metrics = new FakeMetrics();
  const sweep = makeRetentionSweep({ store: seeded.store, clock, logger: silentLogger, metrics, settings });
  const id = seeded.assignment.assignmentId;
  return { ...seeded, clock, metrics, sweep, id, stored: () => seeded.store.peek(id) as Assignment };
}

/** A signed request whose IP address and browser are still whole, owing reduce-ip a year on. */
const signed = (overrides: Partial<Assignment> = {}): Partial<Assignment> => ({
  status: 'acknowledged',
  ack: anEvidence(aPolicy(), {
    acknowledgedAt: SIGNED_AT,
    ipAddress: '203.0.113.7',
    userAgent: CHROME_WINDOWS,
  }),
  webhook: { state: 'delivered', attempts: 1, webhookId: 'wh_1' },
  retainStep: 'reduce-ip',
  retainAt: '2027-11-24T09:59:00.000Z',
  ...overrides,
});

/** A leaver's request never signed, owing expire a year after leaving. */
const unsignedLeaver = (overrides: Partial<Assignment> = {}): Partial<Assignment> => ({
  status: 'cancelled',
  leftAt: LEFT_AT,
  retainStep: 'expire',
  retainAt: '2028-03-01T12:00:00.000Z',
  ...overrides,
});

describe('reduceIpAddress', () => {
  it.each([
    ['203.0.113.7', '203.0.113.0/24'],
    ['10.1.2.255', '10.1.2.0/24'],
    ['::ffff:198.51.100.23', '198.51.100.0/24'],
    ['2001:db8:85a3:8d3:1319:8a2e:370:7348', '2001:db8:85a3::/48'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8:0::/48'],
    ['2001:db8::1', '2001:db8:0::/48'],
    ['fe80::1%eth0', 'fe80:0:0::/48'],
    ['::1', '0:0:0::/48'],
  ])('reduces %s to its network, %s', (address, network) => {
    // Act and assess
    expect(reduceIpAddress(address)).toBe(network);
  });

  it.each(['', 'unknown', '203.0.113', '999.1.1.1', 'not an address', '2001:db8::1::2'])(
    'keeps nothing of %j, which is no address',
    (odd) => {
      // Act and assess
      expect(reduceIpAddress(odd)).toBe('unknown');
    },
  );
});

describe('reduceIpAddress, on any input', () => {
  it('answers an IPv4 /24 whose last octet is gone, an IPv6 /48, or unknown: never the address itself', () => {
    // Act and assess
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()), (address) => {
        const reduced = reduceIpAddress(address);
        expect(reduced).toMatch(
          /^(?:\d{1,3}\.\d{1,3}\.\d{1,3}\.0\/24|[0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::\/48|unknown)$/,
        );
        if (address !== 'unknown') expect(reduced).not.toBe(address);
      }),
    );
  });

  it('keeps the first three octets of every IPv4 address', () => {
    // Act and assess
    fc.assert(
      fc.property(fc.ipV4(), (address) => {
        expect(reduceIpAddress(address)).toBe(`${address.split('.').slice(0, 3).join('.')}.0/24`);
      }),
    );
  });
});

describe('reduceUserAgent', () => {
  it.each([
    [CHROME_WINDOWS, 'Chrome on Windows'],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      'Safari on iOS',
    ],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on Linux'],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86',
      'Edge on Windows',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36',
      'Samsung Internet on Android',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
      'Safari on macOS',
    ],
    ['curl/8.5.0', 'another browser on another system'],
    ['', 'another browser on another system'],
  ])('reduces %j to %j', (userAgent, reduced) => {
    // Act and assess
    expect(reduceUserAgent(userAgent)).toBe(reduced);
  });
});

describe('reduceUserAgent, on any input', () => {
  it('answers only a known family and system, never text of the user agent', () => {
    // Prepare
    const families = [
      'Edge',
      'Opera',
      'Samsung Internet',
      'Firefox',
      'Chrome',
      'Safari',
      'Internet Explorer',
      'another browser',
    ];
    const systems = ['Windows', 'Android', 'iOS', 'ChromeOS', 'macOS', 'Linux', 'another system'];
    const reductions = new Set(families.flatMap((f) => systems.map((s) => `${f} on ${s}`)));

    // Act and assess
    fc.assert(
      fc.property(fc.string({ maxLength: 512 }), (userAgent) => {
        expect(reductions.has(reduceUserAgent(userAgent))).toBe(true);
      }),
    );
  });
});

describe('sweepRetention', () => {
  it('leaves an agreement whole until RETAIN_AUDIT_IP has passed', async () => {
    // Prepare
    const { sweep, stored } = await setup(signed(), '2027-11-24T09:58:59.000Z');

    // Act
    const result = await sweep();

    // Assess
    expect(result.read).toBe(0);
    expect(stored().ack).toMatchObject({ ipAddress: '203.0.113.7', userAgent: CHROME_WINDOWS });
  });

  it('reduces the IP address to its /24 and the browser to its family once due, and owes nothing more while the person stays', async () => {
    // Prepare
    const { sweep, stored, metrics } = await setup(signed(), '2027-11-24T10:00:00.000Z');

    // Act
    const result = await sweep();

    // Assess
    expect(result).toEqual({ read: 1, reduced: 1, expired: 0, moved: 0 });
    expect(stored().ack).toMatchObject({
      ipAddress: '203.0.113.0/24',
      userAgent: 'Chrome on Windows',
      reducedAt: '2027-11-24T10:00:00.000Z',
      typedName: 'Ada Lovelace',
    });
    expect(stored().retainStep).toBeUndefined();
    expect(metrics.counted).toEqual([{ name: 'retention', dimensions: { step: 'reduce-ip' } }]);
  });

  it('reduces an IPv6 address to its /48', async () => {
    // Prepare
    const ack = anEvidence(aPolicy(), { ipAddress: '2001:db8:85a3:8d3:1319:8a2e:370:7348' });
    const { sweep, stored } = await setup(signed({ ack }), '2027-11-24T10:00:00.000Z');

    // Act
    await sweep();

    // Assess
    expect(stored().ack?.ipAddress).toBe('2001:db8:85a3::/48');
  });

  it('after reducing a leaver’s agreement, owes its expiry RETAIN_EVIDENCE after the leaving', async () => {
    // Prepare
    const { sweep, stored } = await setup(signed({ leftAt: LEFT_AT }), '2027-11-24T10:00:00.000Z');

    // Act
    await sweep();

    // Assess
    expect(stored()).toMatchObject({ retainStep: 'expire', retainAt: '2033-03-01T12:00:00.000Z' });
    expect(stored().ack?.reducedAt).toBe('2027-11-24T10:00:00.000Z');
  });

  it('leaves an erased agreement’s pseudonyms as they are, only moving the step on', async () => {
    // Prepare: erased before its IP address fell due for reducing.
    const ack = anEvidence(aPolicy(), { ipAddress: 'erased-0123456789abcdef0123', userAgent: 'erased-abc' });
    const { sweep, stored } = await setup(
      signed({ ack, erasedAt: '2027-01-01T00:00:00.000Z', leftAt: LEFT_AT }),
      '2027-11-24T10:00:00.000Z',
    );

    // Act
    const result = await sweep();

    // Assess
    expect(result).toEqual({ read: 1, reduced: 0, expired: 0, moved: 1 });
    expect(stored().ack).toEqual(ack);
    expect(stored()).toMatchObject({ retainStep: 'expire', retainAt: '2033-03-01T12:00:00.000Z' });
  });

  it('keeps an agreement reduced already as it is, only moving the step on (a repeat is a no-op)', async () => {
    // Prepare: reduced by an earlier sweep whose step-removal was lost.
    const ack = anEvidence(aPolicy(), {
      ipAddress: '203.0.113.0/24',
      userAgent: 'Chrome on Windows',
      reducedAt: '2027-11-24T09:00:00.000Z',
    });
    const { sweep, stored } = await setup(signed({ ack }), '2027-11-24T10:00:00.000Z');

    // Act
    await sweep();
    const again = await sweep();

    // Assess
    expect(stored().ack).toMatchObject({
      ipAddress: '203.0.113.0/24',
      userAgent: 'Chrome on Windows',
      reducedAt: '2027-11-24T09:00:00.000Z',
    });
    expect(again).toEqual({ read: 0, reduced: 0, expired: 0, moved: 0 });
  });

  it('expires a leaver’s unsigned request RETAIN_UNSIGNED_AFTER_LEAVING after they left, its audit trail and their profile with it', async () => {
    // Prepare
    const { sweep, stored, store, starter, id, metrics } = await setup(
      unsignedLeaver(),
      '2028-03-01T12:00:00.000Z',
    );
    await store.putStarter({ ...starter, status: 'cancelled' });
    await store.appendAudit(id, 'cancelled', new Date(LEFT_AT));

    // Act
    const result = await sweep();

    // Assess
    const expiresAt = Date.parse('2028-03-01T12:00:00.000Z') / 1000;
    expect(result).toMatchObject({ read: 1, expired: 1 });
    expect(stored().expiresAt).toBe(expiresAt);
    expect(stored().retainStep).toBeUndefined();
    expect(store.partitionExpiry.get(id)).toBe(expiresAt);
    expect(store.starterExpiry.get(starter.starterId)).toBe(expiresAt);
    expect(metrics.counted.map((c) => c.dimensions.step)).toEqual(['expire', 'starter']);
  });

  it('keeps an erased leaver’s profile while a request the erasure listed is kept (their ids are no longer derived)', async () => {
    // Prepare: erased (their employee id is a pseudonym, which derives none of their request ids)
    const { sweep, store, starter, id } = await setup(unsignedLeaver(), '2028-03-01T12:00:00.000Z');
    store.starters.set(starter.starterId, {
      ...starter,
      employeeId: 'erased-0123456789abcdef0123',
      status: 'cancelled',
      erased: { at: LEFT_AT, pseudonym: 'erased-0123456789abcdef0123', assignmentIds: [id, 'other-request'] },
    });
    store.seed({
      ...((await store.getAssignment(id)) as Assignment),
      assignmentId: 'other-request',
      retainAt: '2033-03-01T12:00:00.000Z',
    });

    // Act: one request expires; the other is still kept
    await sweep();

    // Assess: their profile waits for the other request, as a leaver's does
    expect(store.starterExpiry.has(starter.starterId)).toBe(false);
  });

  it('recounts from the leaving when the settings are shorter than when the step was owed', async () => {
    // Prepare: owed a year on, but the setting is now thirty seconds.
    const quick = { ...RETENTION, unsignedAfterLeaving: parseCalendarDuration('PT30S') };
    const { sweep, stored } = await setup(
      unsignedLeaver({ retainAt: '2027-03-01T12:00:30.000Z' }),
      '2027-03-01T12:00:30.000Z',
      quick,
    );

    // Act
    await sweep();

    // Assess
    expect(stored().expiresAt).toBe(Date.parse('2027-03-01T12:00:30.000Z') / 1000);
  });

  it('moves an expiry not due yet on a recount to when it is due', async () => {
    // Prepare: owed at the leaving, but the setting says a year.
    const { sweep, stored } = await setup(unsignedLeaver({ retainAt: LEFT_AT }), '2027-03-02T00:00:00.000Z');

    // Act
    const result = await sweep();

    // Assess
    expect(result.moved).toBe(1);
    expect(stored()).toMatchObject({ retainStep: 'expire', retainAt: '2028-03-01T12:00:00.000Z' });
    expect(stored().expiresAt).toBeUndefined();
  });

  it('keeps the profile of a leaver with another request not yet expiring', async () => {
    // Prepare
    const { sweep, store, starter, stored } = await setup(unsignedLeaver(), '2028-03-01T12:00:00.000Z');
    await store.putStarter({
      ...starter,
      status: 'cancelled',
      asked: ['safe-internet-use', 'data-protection'],
    });
    store.seed({
      ...(stored() as Assignment),
      assignmentId: assignmentIdFor(starter.employeeId, 'data-protection'),
      policyId: 'data-protection',
      retainAt: '2033-03-01T12:00:00.000Z',
    });

    // Act
    await sweep();

    // Assess
    expect(stored().expiresAt).toBeDefined();
    expect(store.starterExpiry.has(starter.starterId)).toBe(false);
  });

  it('holds signed evidence while the version signed is still the policy’s newest, looking again in 30 days', async () => {
    // Prepare
    const now = '2033-03-01T12:00:00.000Z';
    const { sweep, stored, store, id } = await setup(
      signed({ leftAt: LEFT_AT, retainStep: 'expire', retainAt: now }),
      now,
    );
    await store.appendAudit(id, 'acknowledged', new Date(SIGNED_AT));

    // Act
    const result = await sweep();

    // Assess
    expect(result).toMatchObject({ expired: 0, moved: 1 });
    expect(stored()).toMatchObject({
      retainStep: 'expire',
      retainAt: new Date(Date.parse(now) + HELD_WHILE_CURRENT_MS).toISOString(),
    });
    expect(stored().expiresAt).toBeUndefined();
    expect(store.partitionExpiry.has(id)).toBe(false);
  });

  it('expires signed evidence RETAIN_EVIDENCE after its version was superseded, when that is later than the leaving', async () => {
    // Prepare: version 4 published two years after the person left.
    const supersededAt = '2029-03-01T12:00:00.000Z';
    const { sweep, stored, store, clock } = await setup(
      signed({ leftAt: LEFT_AT, retainStep: 'expire', retainAt: '2033-03-01T12:00:00.000Z' }),
      '2033-03-01T12:00:00.000Z',
    );
    await store.putPolicyVersion(aPolicy({ version: 4, sha256: 'c'.repeat(64), publishedAt: supersededAt }));

    // Act: first a recount, then the day it is due.
    await sweep();
    const moved = stored();
    clock.set('2035-03-01T12:00:00.000Z');
    await sweep();

    // Assess
    expect(moved).toMatchObject({ retainStep: 'expire', retainAt: '2035-03-01T12:00:00.000Z' });
    expect(stored().expiresAt).toBe(Date.parse('2035-03-01T12:00:00.000Z') / 1000);
  });

  it('expires signed evidence RETAIN_EVIDENCE after the leaving when its version was superseded before', async () => {
    // Prepare
    const now = '2033-03-01T12:00:00.000Z';
    const { sweep, stored, store } = await setup(
      signed({ leftAt: LEFT_AT, retainStep: 'expire', retainAt: now }),
      now,
    );
    await store.putPolicyVersion(
      aPolicy({ version: 4, sha256: 'c'.repeat(64), publishedAt: '2027-01-01T00:00:00.000Z' }),
    );

    // Act
    const result = await sweep();

    // Assess
    expect(result.expired).toBe(1);
    expect(stored().expiresAt).toBe(Date.parse(now) / 1000);
  });

  it.each([
    [
      'an LMS delivery still pending',
      {
        webhook: { state: 'pending', attempts: 2, webhookId: 'wh_1' },
        webhookDueAt: '2028-02-29T00:00:00.000Z',
      },
    ],
    [
      'a dead letter awaiting replay',
      {
        webhook: { state: 'dead', attempts: 3, webhookId: 'wh_1' },
        webhookDueAt: '2027-12-01T00:00:00.000Z',
      },
    ],
    ['an email still owed', { dueAt: '2028-03-01T11:00:00.000Z', dueKind: 'receipt' }],
  ] as Array<[string, Partial<Assignment>]>)('holds expiry a day while %s', async (_what, owed) => {
    // Prepare
    const now = '2033-03-01T12:00:00.000Z';
    const { sweep, stored, store, metrics } = await setup(
      signed({ leftAt: LEFT_AT, retainStep: 'expire', retainAt: now, ...owed }),
      now,
    );
    await store.putPolicyVersion(
      aPolicy({ version: 4, sha256: 'c'.repeat(64), publishedAt: '2027-01-01T00:00:00.000Z' }),
    );

    // Act
    await sweep();

    // Assess
    expect(stored().expiresAt).toBeUndefined();
    expect(stored().retainAt).toBe(new Date(Date.parse(now) + HELD_FOR_WORK_MS).toISOString());
    expect(metrics.counted).toEqual([{ name: 'retention', dimensions: { step: 'held' } }]);
  });

  it('moves a reduce-ip step owed over an agreement recorded on behalf on, as there is nothing to reduce', async () => {
    // Prepare: the step is never written with such evidence; a hand-edited item has it.
    const ack = anOnBehalfEvidence(aPolicy(), { acknowledgedAt: SIGNED_AT });
    const { sweep, stored } = await setup(signed({ ack, leftAt: LEFT_AT }), '2027-11-24T10:00:00.000Z');

    // Act
    const result = await sweep();

    // Assess
    expect(result).toMatchObject({ reduced: 0, moved: 1 });
    expect(stored().ack).toStrictEqual(ack);
    expect(stored()).toMatchObject({ retainStep: 'expire' });
  });

  it('moves a reduce-ip step owed without evidence on, reducing nothing', async () => {
    // Prepare
    const { sweep, stored } = await setup(
      { leftAt: LEFT_AT, status: 'cancelled', retainStep: 'reduce-ip', retainAt: '2027-11-24T09:59:00.000Z' },
      '2027-11-24T10:00:00.000Z',
    );

    // Act
    const result = await sweep();

    // Assess
    expect(result).toMatchObject({ reduced: 0, moved: 1 });
    expect(stored()).toMatchObject({ retainStep: 'expire', retainAt: '2028-03-01T12:00:00.000Z' });
  });

  it('drops an expiry owed to someone who is back (no leaving noted), expiring nothing', async () => {
    // Prepare
    const { sweep, stored } = await setup(
      unsignedLeaver({ leftAt: undefined, status: 'pending' }),
      '2028-03-01T12:00:00.000Z',
    );

    // Act
    await sweep();

    // Assess
    expect(stored().retainStep).toBeUndefined();
    expect(stored().expiresAt).toBeUndefined();
  });

  it('does nothing on a second sweep at the same time (each step is conditional on the time read)', async () => {
    // Prepare
    const { sweep, store } = await setup(unsignedLeaver(), '2028-03-01T12:00:00.000Z');
    await sweep();
    const writes = store.writes.length;

    // Act
    const again = await sweep();

    // Assess
    expect(again).toEqual({ read: 0, reduced: 0, expired: 0, moved: 0 });
    expect(store.writes.length).toBe(writes);
  });

  it('acts on a step only at the due time the assignment itself holds, not the index’s', async () => {
    // Prepare: the index lists a step a concurrent write has since moved on.
    const { sweep, store, id, stored } = await setup(unsignedLeaver(), '2028-03-01T12:00:00.000Z');
    const queryRetention = store.queryRetention.bind(store);
    store.queryRetention = async (before, limit) => {
      const listed = await queryRetention(before, limit);
      await store.moveRetention(id, '2028-03-01T12:00:00.000Z', {
        step: 'expire',
        at: new Date('2029-01-01T00:00:00.000Z'),
      });
      return listed;
    };

    // Act
    await sweep();

    // Assess
    expect(stored().expiresAt).toBeUndefined();
    expect(stored().retainAt).toBe('2029-01-01T00:00:00.000Z');
  });
});

describe('makeRetentionSweep, declines', () => {
  const decline = (declinedAt: string, ipAddress: string) => ({
    declineId: `ev_${declinedAt.slice(0, 10)}`,
    declinedAt,
    policyId: 'safe-internet-use',
    policyVersion: 3,
    policyTitle: 'Safe internet use',
    policySha256: 'a'.repeat(64),
    statement: 'I agree.',
    typedName: 'Ada Lovelace',
    reason: 'Not yet.',
    ipAddress,
    userAgent: CHROME_WINDOWS,
    tokenId: 'AAAAAAAAAAA',
    messageId: 'ses-1',
  });

  it('reduces each decline due, re-owes the step for the agreement made later, then reduces that', async () => {
    // Prepare: declined a year and a day ago, agreed four months later
    const { sweep, stored, clock } = await setup(
      signed({
        ack: anEvidence(aPolicy(), {
          acknowledgedAt: '2027-03-24T09:59:00.000Z',
          ipAddress: '198.51.100.9',
          userAgent: CHROME_WINDOWS,
        }),
        declines: [decline(SIGNED_AT, '203.0.113.7')],
        retainAt: '2027-11-24T09:59:00.000Z',
      }),
      '2027-11-25T00:00:00.000Z',
    );

    // Act
    const first = await sweep();
    const afterFirst = stored();
    clock.set('2028-03-25T00:00:00.000Z');
    await sweep();

    // Assess
    expect(first.reduced).toBe(1);
    expect(afterFirst.declines?.[0]).toMatchObject({
      ipAddress: '203.0.113.0/24',
      userAgent: 'Chrome on Windows',
      reducedAt: '2027-11-25T00:00:00.000Z',
    });
    expect(afterFirst.ack).toMatchObject({ ipAddress: '198.51.100.9' });
    expect(afterFirst).toMatchObject({ retainStep: 'reduce-ip', retainAt: '2028-03-24T09:59:00.000Z' });
    expect(stored().ack).toMatchObject({ ipAddress: '198.51.100.0/24', userAgent: 'Chrome on Windows' });
    expect(stored().retainStep).toBeUndefined();
    expect(stored().declines?.[0]?.reducedAt).toBe('2027-11-25T00:00:00.000Z');
  });

  it('reduces an unsigned declined request’s declines, each when due', async () => {
    // Prepare
    const { sweep, stored } = await setup(
      {
        status: 'declined',
        declines: [decline(SIGNED_AT, '203.0.113.7'), decline('2027-01-10T08:00:00.000Z', '192.0.2.44')],
        retainStep: 'reduce-ip',
        retainAt: '2027-11-24T09:59:00.000Z',
      },
      '2027-12-01T00:00:00.000Z',
    );

    // Act
    await sweep();

    // Assess
    expect(stored().declines?.map((d) => d.ipAddress)).toEqual(['203.0.113.0/24', '192.0.2.44']);
    expect(stored()).toMatchObject({ retainStep: 'reduce-ip', retainAt: '2028-01-10T08:00:00.000Z' });
  });
});

// Delivering a completion to the LMS: signed per Standard Webhooks, the same id on every attempt, retried on a schedule, then dead letters.
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE, makeDeliverCompletion, retryAfterMs } from '#shared/core/deliver.ts';
import { statementIdFor } from '#shared/core/destinations/delivery-ids.ts';
import { type Channel, classify } from '#shared/core/destinations/destination.ts';
import { makeWebhookChannel } from '#shared/core/destinations/webhook.ts';
import { makeXapiChannel } from '#shared/core/destinations/xapi.ts';
import { parseDuration } from '#shared/core/duration.ts';
import type { Delivery, DeliveryKind, OwedDeliveries } from '#shared/core/model.ts';
import { makeWebhookSigner } from '#shared/core/webhooks.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '#shared/ports.ts';
import type { FakeStore } from '../../../support/fakes.ts';
import {
  anAssignment,
  anEvidence,
  aPolicy,
  FakeClock,
  FakeMetrics,
  FakeQueue,
  seededStore,
  XAPI_SETTINGS,
} from '../../../support/fakes.ts';

const SECRET = 'whsec_dW5pdC10ZXN0LWxtcy1zZWNyZXQtdW5pdC10ZXN0';
const LMS_URL = 'https://lms.example.org/hooks/attest';
const SCHEDULE = DEFAULT_RETRY_SCHEDULE.split(',').map(parseDuration);
const DAY_MS = 24 * 3600_000;
const policy = aPolicy();

const evidence = anEvidence(policy, { userAgent: 'UA' });
const XAPI = XAPI_SETTINGS;
const STATEMENT_ID = statementIdFor(evidence.evidenceId);
const LRS_URL = `${XAPI.endpoint}statements?statementId=${STATEMENT_ID}`;

type Answer = number | Error | HttpResponse;

/**
 * The LMS: answers each request with the next scripted answer, repeating the last. A number is a
 * status with an empty body, an Error is thrown as a network failure, a response is returned as is.
 */
class ScriptedLms implements HttpClient {
  readonly requests: Array<HttpRequest & { timeoutMs: number }> = [];
  private readonly script: Answer[];

  constructor(script: Answer[]) {
    this.script = [...script];
  }

  async send(request: HttpRequest, timeoutMs: number) {
    this.requests.push({ ...request, headers: { ...request.headers }, timeoutMs });
    const next = (this.script.length > 1 ? this.script.shift() : this.script[0]) ?? 200;
    if (next instanceof Error) throw next;
    return typeof next === 'number' ? { status: next, body: '' } : { ...next };
  }
}

/** The network: a request to the LRS reaches the LRS, any other the webhook's receiver. */
class Network implements HttpClient {
  constructor(
    private readonly lms: ScriptedLms,
    private readonly lrs: ScriptedLms,
  ) {}

  send(request: HttpRequest, timeoutMs: number) {
    return (request.url.startsWith(XAPI.endpoint) ? this.lrs : this.lms).send(request, timeoutMs);
  }
}

interface Options {
  /** The LRS's answers; 204 by default. */
  lrs?: Answer[];
  /** What the acknowledgement owes; the webhook (as msg_1) by default. */
  owed?: OwedDeliveries;
  /** The destinations configured (LMS_MODE); the webhook by default. */
  channels?: DeliveryKind[];
  lmsQueue?: FakeQueue;
}

async function setup(script: Answer[], random: () => number = () => 0.5, options: Options = {}) {
  const clock = new FakeClock('2026-11-24T10:00:00.000Z');
  const seeded = await seededStore({ status: 'invited', dueAt: undefined, dueKind: undefined });
  await seeded.store.recordAcknowledgement(
    seeded.assignment.assignmentId,
    evidence,
    options.owed ?? { webhook: { webhookId: 'msg_1' } },
    clock.now(),
  );
  seeded.store.writes.length = 0;
  const http = new ScriptedLms(script);
  const lrs = new ScriptedLms(options.lrs ?? [204]);
  const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const configured = options.channels ?? ['webhook'];
  const channels: Partial<Record<DeliveryKind, Channel>> = {};
  if (configured.includes('webhook'))
    channels.webhook = makeWebhookChannel(LMS_URL, makeWebhookSigner(SECRET));
  if (configured.includes('xapi')) channels.xapi = makeXapiChannel(XAPI);
  const metrics = new FakeMetrics();
  const deliverCompletion = makeDeliverCompletion({
    metrics,
    store: seeded.store,
    http: new Network(http, lrs),
    clock,
    logger,
    channels,
    leaseMs: 60_000,
    timeoutMs: 10_000,
    retryScheduleMs: SCHEDULE,
    random,
    ...(options.lmsQueue && { lmsQueue: options.lmsQueue }),
  });
  /** The webhook's lane. */
  const deliver = (assignmentId: string, seenDueAt?: string) =>
    deliverCompletion(assignmentId, 'webhook', seenDueAt);
  return {
    ...seeded,
    clock,
    http,
    lrs,
    logger,
    deliver,
    deliverCompletion,
    metrics,
    id: seeded.assignment.assignmentId,
  };
}

/** A second acknowledged assignment of the same starter, owing its own delivery. */
async function acknowledgeAnother(
  store: FakeStore,
  assignmentId: string,
  at: Date,
  owed: OwedDeliveries = { webhook: { webhookId: 'msg_2' } },
) {
  const { starter } = await seededStore();
  store.seed(
    anAssignment(starter, policy, { assignmentId, status: 'invited', dueAt: undefined, dueKind: undefined }),
  );
  await store.recordAcknowledgement(assignmentId, evidence, owed, at);
}

/** Verifies as the LMS would, whose clock reads `at`: the library checks the timestamp's age. */
function verifyAsLms(request: { body: string; headers: Record<string, string> } | undefined, at: Date) {
  vi.useFakeTimers({ now: at, toFake: ['Date'] });
  try {
    return new Webhook(SECRET).verify(request?.body ?? '', request?.headers ?? {});
  } finally {
    vi.useRealTimers();
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const T0 = Date.parse('2026-11-24T10:00:00.000Z');

/** A delivery's attempt log, whose entries the tests of the log itself check. */
const LOGGED = { attemptLog: expect.any(Array), attemptsDropped: 0 };

describe('deliverCompletion', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([200, 202, 204, 299])('records a %i as delivered and clears the owed work', async (status) => {
    // Prepare
    const { store, deliver, id } = await setup([status]);

    // Act
    const outcome = await deliver(id);

    // Assess
    expect(outcome).toBe('delivered');
    const stored = store.peek(id);
    expect(stored?.webhook).toEqual({
      ...LOGGED,
      state: 'delivered',
      webhookId: 'msg_1',
      attempts: 1,
      lastStatus: status,
      deliveredAt: '2026-11-24T10:00:00.000Z',
    });
    expect(stored?.webhookDueAt).toBeUndefined();
    expect(stored?.webhookLeaseUntil).toBeUndefined();
    // The mail lane is left to the receipt.
    expect(stored?.dueKind).toBe('receipt');
    expect(store.audit.map((e) => [e.kind, e.detail])).toEqual([
      ['delivered', { destination: 'webhook', webhookId: 'msg_1' }],
    ]);
  });

  it.each<[string, number[], string]>([
    ['delivered', [200], 'delivered'],
    ['retrying', [503], 'retrying'],
    ['dead-lettered', [400], 'dead-lettered'],
  ])('counts an attempt %s by destination and outcome', async (_, script, outcome) => {
    // Prepare
    const { deliver, id, metrics } = await setup(script);

    // Act
    await deliver(id);

    // Assess
    expect(metrics.counted).toEqual([
      { name: 'LmsDelivery', dimensions: { destination: 'webhook', outcome } },
    ]);
  });

  it('counts nothing when no delivery was owed', async () => {
    // Prepare
    const { deliver, id, metrics } = await setup([200]);
    await deliver(id);

    // Act
    await deliver(id);

    // Assess
    expect(metrics.counted).toHaveLength(1);
  });

  it('POSTs JSON to the LMS with a signature the LMS verifies with its secret', async () => {
    // Prepare
    const { http, deliver, id, clock } = await setup([204]);

    // Act
    await deliver(id);

    // Assess
    const [request] = http.requests;
    expect(request).toMatchObject({ method: 'POST', url: LMS_URL, timeoutMs: 10_000 });
    expect(request?.headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(clock.now().getTime() / 1000),
      'webhook-signature': expect.stringMatching(/^v1,/),
    });
    expect(() => verifyAsLms(request, new Date('2026-11-24T10:00:30Z'))).not.toThrow();
    expect(() =>
      verifyAsLms({ body: `${request?.body} `, headers: request?.headers ?? {} }, clock.now()),
    ).toThrow();
  });

  it('sends the payload of DESIGN section 5, and nothing more', async () => {
    // Prepare
    const { http, deliver, id } = await setup([200]);

    // Act
    await deliver(id);

    // Assess
    expect(verifyAsLms(http.requests[0], new Date('2026-11-24T10:00:00Z'))).toStrictEqual({
      type: 'policy.acknowledged',
      timestamp: '2026-11-24T10:00:00.000Z',
      data: {
        assignmentId: id,
        employeeId: 'E1001',
        email: 'ada@example.org',
        givenName: 'Ada',
        familyName: 'Lovelace',
        policy: { id: policy.policyId, version: policy.version, title: policy.title, sha256: policy.sha256 },
        acknowledgedAt: '2026-11-24T09:59:00.000Z',
        evidenceId: 'ev_1',
        method: 'link',
        locale: 'en',
      },
    });
  });

  describe('an answer to retry', () => {
    it.each<[string, Answer, number | null]>([
      ['a 408', 408, 408],
      ['a 429', 429, 429],
      ['a 500', 500, 500],
      ['a 503', 503, 503],
      ['a 301', 301, 301],
      ['a network error', new TypeError('fetch failed'), null],
      ['a timeout', Object.assign(new Error('aborted'), { name: 'TimeoutError' }), null],
    ])(
      'after %s, keeps the delivery owed from the first wait of the schedule',
      async (_, answer, lastStatus) => {
        // Prepare
        const { store, deliver, id, logger } = await setup([answer]);

        // Act
        const outcome = await deliver(id);

        // Assess
        expect(outcome).toBe('retrying');
        const stored = store.peek(id);
        const retryAt = iso(T0 + (SCHEDULE[0] as number));
        expect(stored).toMatchObject({ webhookDueAt: retryAt, status: 'acknowledged' });
        expect(stored?.webhook).toEqual({
          ...LOGGED,
          state: 'pending',
          webhookId: 'msg_1',
          attempts: 1,
          lastStatus,
          nextAttemptAt: retryAt,
        });
        expect(stored?.webhookLeaseUntil).toBeUndefined();
        expect(stored?.dead?.webhook).toBeUndefined();
        expect(store.audit).toEqual([]);
        expect(logger.warn).toHaveBeenCalledWith(
          'LMS did not take the delivery; it will be retried',
          expect.objectContaining({ assignmentId: id, status: lastStatus, retryAt }),
        );
      },
    );

    it('waits the next step of the schedule after each failed attempt', async () => {
      // Prepare
      const { store, deliver, id, clock } = await setup([500]);
      const waits: number[] = [];

      // Act
      for (let n = 0; n < 4; n++) {
        const at = clock.now().getTime();
        await deliver(id);
        const due = store.peek(id)?.webhookDueAt as string;
        waits.push(Date.parse(due) - at);
        expect(store.peek(id)?.webhook).toMatchObject({ attempts: n + 1, nextAttemptAt: due });
        clock.set(due);
      }

      // Assess
      expect(waits).toEqual(SCHEDULE.slice(0, 4));
    });

    it.each([
      [0, 0.9],
      [0.999, 1.0998],
    ])('jitters the wait with random() = %d to about %d of it', async (r, factor) => {
      // Prepare
      const { store, deliver, id } = await setup([503], () => r);
      const wait = SCHEDULE[0] as number;

      // Act
      await deliver(id);

      // Assess
      const waited = Date.parse(store.peek(id)?.webhookDueAt as string) - T0;
      expect(waited).toBeGreaterThanOrEqual(Math.floor(0.9 * wait));
      expect(waited).toBeLessThanOrEqual(Math.ceil(1.1 * wait));
      expect(Math.abs(waited - factor * wait)).toBeLessThanOrEqual(1);
    });

    it('keeps every jittered wait within ±10% of the schedule', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
          fc.integer({ min: 0, max: SCHEDULE.length - 1 }),
          async (r, step) => {
            // Prepare
            const { store, deliver, id } = await setup([502], () => r);
            const stored = store.peek(id);
            if (stored?.webhook) store.seed({ ...stored, webhook: { ...stored.webhook, attempts: step } });

            // Act
            await deliver(id);

            // Assess
            const wait = SCHEDULE[step] as number;
            const waited = Date.parse(store.peek(id)?.webhookDueAt as string) - T0;
            expect(waited).toBeGreaterThanOrEqual(Math.floor(0.9 * wait));
            expect(waited).toBeLessThanOrEqual(Math.ceil(1.1 * wait));
          },
        ),
        { numRuns: 50 },
      );
    });

    it.each([
      ['seconds', 429, '120', 120_000],
      ['an HTTP date', 503, 'Tue, 24 Nov 2026 10:10:00 GMT', 600_000],
      ['seconds with spaces', 429, ' 60 ', 60_000],
      ['exactly 24 hours', 503, '86400', DAY_MS],
    ])('honours a Retry-After in %s when longer than the wait', async (_, status, retryAfter, waited) => {
      // Prepare
      const { store, deliver, id } = await setup([{ status, body: '', retryAfter }]);

      // Act
      const outcome = await deliver(id);

      // Assess
      expect(outcome).toBe('retrying');
      expect(store.peek(id)?.webhookDueAt).toBe(iso(T0 + waited));
      expect(store.peek(id)?.webhook?.nextAttemptAt).toBe(iso(T0 + waited));
    });

    it.each([
      ['shorter, in seconds', '2'],
      ['zero', '0'],
      ['shorter, as an HTTP date', 'Tue, 24 Nov 2026 10:00:03 GMT'],
      ['an HTTP date in the past', 'Tue, 24 Nov 2026 09:00:00 GMT'],
      ['more than 24 hours, in seconds', '86401'],
      ['more than 24 hours, as an HTTP date', 'Thu, 26 Nov 2026 10:00:00 GMT'],
      ['malformed', 'soon'],
      ['negative', '-30'],
      ['in exponent notation', '1e3'],
      ['empty', ''],
    ])('ignores a Retry-After %s and waits the schedule', async (_, retryAfter) => {
      // Prepare
      const { store, deliver, id } = await setup([{ status: 503, body: '', retryAfter }]);

      // Act
      const outcome = await deliver(id);

      // Assess
      expect(outcome).toBe('retrying');
      expect(store.peek(id)?.webhookDueAt).toBe(iso(T0 + (SCHEDULE[0] as number)));
    });
  });

  it('sends the same webhook id with a fresh, verifiable timestamp on every attempt', async () => {
    // Prepare
    const { store, http, deliver, id, clock } = await setup([503, new TypeError('fetch failed'), 200]);
    const times: Date[] = [];
    for (let n = 0; n < 2; n++) {
      times.push(clock.now());
      expect(await deliver(id)).toBe('retrying');
      clock.set(store.peek(id)?.webhookDueAt as string);
    }
    times.push(clock.now());

    // Act
    const outcome = await deliver(id);

    // Assess
    expect(outcome).toBe('delivered');
    expect(http.requests.map((r) => r.headers['webhook-id'])).toEqual(['msg_1', 'msg_1', 'msg_1']);
    expect(http.requests.map((r) => r.headers['webhook-timestamp'])).toEqual([
      String(T0 / 1000),
      String((T0 + (SCHEDULE[0] as number)) / 1000),
      String((T0 + (SCHEDULE[0] as number) + (SCHEDULE[1] as number)) / 1000),
    ]);
    http.requests.forEach((request, n) => {
      expect(() => verifyAsLms(request, times[n] as Date)).not.toThrow();
    });
    // A retry's signature is not the first one's: the timestamp is signed too.
    expect(new Set(http.requests.map((r) => r.headers['webhook-signature'])).size).toBe(3);
    expect(store.peek(id)?.webhook).toMatchObject({ state: 'delivered', attempts: 3, lastStatus: 200 });
  });

  it('logs each attempt on the delivery: when, the status or network error, and the first 200 bytes of the answer', async () => {
    // Prepare: a timeout, a 503 with a long answer, then a 204
    const timeout = Object.assign(new Error('aborted'), { name: 'TimeoutError' });
    const { store, deliver, id, clock, logger } = await setup([
      timeout,
      { status: 503, body: `${'x'.repeat(250)} ada@example.org` },
      204,
    ]);
    const times: string[] = [];

    // Act
    for (let i = 0; i < 3; i++) {
      times.push(clock.now().toISOString());
      await deliver(id);
      clock.set(store.peek(id)?.webhookDueAt ?? clock.now());
    }

    // Assess
    expect(store.peek(id)?.webhook).toMatchObject({
      state: 'delivered',
      attemptsDropped: 0,
      attemptLog: [
        { at: times[0], durationMs: 0, status: null, error: 'TimeoutError' },
        { at: times[1], durationMs: 0, status: 503, answer: 'x'.repeat(200) },
        { at: times[2], durationMs: 0, status: 204 },
      ],
    });
    // The answer may hold an address: it is kept for the operator, never logged.
    expect(JSON.stringify([logger.info.mock.calls, logger.warn.mock.calls])).not.toContain('x'.repeat(20));
  });

  it('keeps the last 20 attempts, counting those dropped before them', async () => {
    // Prepare: 20 attempts in the log already, 4 dropped before them
    const { store, deliver, id, clock } = await setup([503]);
    const stored = store.peek(id) as NonNullable<ReturnType<typeof store.peek>>;
    const old = Array.from({ length: 20 }, (_, i) => ({ at: iso(i), durationMs: 1, status: 500 }));
    store.seed({
      ...stored,
      webhook: { ...(stored.webhook as Delivery), attemptLog: old, attemptsDropped: 4 },
    });

    // Act
    await deliver(id);

    // Assess
    const logged = store.peek(id)?.webhook;
    expect(logged?.attemptLog).toHaveLength(20);
    expect(logged?.attemptLog?.[0]).toEqual(old[1]);
    expect(logged?.attemptLog?.at(-1)).toMatchObject({ at: clock.now().toISOString(), status: 503 });
    expect(logged?.attemptsDropped).toBe(5);
  });

  it('dead-letters the delivery once the schedule has run out', async () => {
    // Prepare
    const { store, http, deliver, id, clock } = await setup([{ status: 503, body: 'Service Unavailable' }]);
    for (const wait of SCHEDULE) {
      const at = clock.now().getTime();
      expect(await deliver(id)).toBe('retrying');
      expect(store.peek(id)?.webhookDueAt).toBe(iso(at + wait));
      clock.set(store.peek(id)?.webhookDueAt as string);
    }
    const deadAt = clock.now().toISOString();

    // Act
    const outcome = await deliver(id);

    // Assess
    expect(outcome).toBe('dead-lettered');
    expect(http.requests).toHaveLength(SCHEDULE.length + 1);
    const stored = store.peek(id);
    expect(stored?.webhook).toEqual({
      ...LOGGED,
      state: 'dead',
      webhookId: 'msg_1',
      attempts: SCHEDULE.length + 1,
      lastStatus: 503,
      deadLetter: { reason: 'exhausted', status: 503, body: 'Service Unavailable', at: deadAt },
    });
    expect(stored?.dead?.webhook).toBe(true);
    expect(store.audit.map((e) => [e.kind, e.at, e.detail])).toEqual([
      ['delivery-dead-lettered', deadAt, { destination: 'webhook', reason: 'exhausted', status: '503' }],
    ]);
    expect(await store.deadLetters(10)).toEqual([{ assignmentId: id, kind: 'webhook', deadAt }]);
  });

  // The adapter queries the lane's due shards only (never `dead`); the fake skips its dead letters likewise.
  it('keeps a dead letter out of the sweeper’s sight', async () => {
    // Prepare
    const { store, deliver, id } = await setup([{ status: 400, body: 'bad' }]);
    await deliver(id);

    // Act
    const due = await store.queryDue(new Date('2030-01-01T00:00:00Z'), 10);

    // Assess
    expect(await store.deadLetters(10)).toEqual([
      { assignmentId: id, kind: 'webhook', deadAt: '2026-11-24T10:00:00.000Z' },
    ]);
    expect(due.filter((d) => d.dueKind === 'webhook')).toEqual([]);
  });

  it.each([400, 401, 403, 404, 422])(
    'dead-letters a %i as rejected, keeping the start of the answer',
    async (status) => {
      // Prepare
      const body = `${'a'.repeat(1000)}${'b'.repeat(1000)}`;
      const { store, http, deliver, id, logger } = await setup([{ status, body }]);

      // Act
      const outcome = await deliver(id);

      // Assess
      expect(outcome).toBe('dead-lettered');
      expect(http.requests).toHaveLength(1);
      const stored = store.peek(id);
      expect(stored?.webhook).toEqual({
        ...LOGGED,
        state: 'dead',
        webhookId: 'msg_1',
        attempts: 1,
        lastStatus: status,
        deadLetter: { reason: 'rejected', status, body: body.slice(0, 1024), at: '2026-11-24T10:00:00.000Z' },
      });
      expect(stored?.webhook?.deadLetter?.body).toHaveLength(1024);
      expect(stored?.dead?.webhook).toBe(true);
      expect(store.destinations.webhook).toEqual({ state: 'enabled' });
      expect(store.audit.map((e) => [e.kind, e.detail])).toEqual([
        ['delivery-dead-lettered', { destination: 'webhook', reason: 'rejected', status: String(status) }],
      ]);
      expect(await store.deadLetters(10)).toEqual([
        { assignmentId: id, kind: 'webhook', deadAt: '2026-11-24T10:00:00.000Z' },
      ]);
      expect(logger.warn).toHaveBeenCalledWith(
        'LMS delivery dead-lettered',
        expect.objectContaining({ assignmentId: id, reason: 'rejected', status }),
      );
    },
  );

  it('keeps no body in a dead letter when the answer had none', async () => {
    // Prepare
    const { store, deliver, id } = await setup([400]);

    // Act
    await deliver(id);

    // Assess
    expect(store.peek(id)?.webhook?.deadLetter).toStrictEqual({
      reason: 'rejected',
      status: 400,
      at: '2026-11-24T10:00:00.000Z',
    });
  });

  it('disables the destination on a 410, and dead-letters the next delivery without sending it', async () => {
    // Prepare
    const { store, http, deliver, id, clock, logger } = await setup([{ status: 410, body: 'gone away' }]);
    await acknowledgeAnother(store, 'second', clock.now());
    expect(await deliver(id)).toBe('dead-lettered');
    clock.advance(60_000);

    // Act
    const next = await deliver('second');

    // Assess
    expect(store.destinations.webhook).toEqual({
      state: 'disabled',
      reason: 'answered 410 Gone',
      at: '2026-11-24T10:00:00.000Z',
    });
    expect(logger.error).toHaveBeenCalledOnce();
    expect(store.peek(id)?.webhook).toMatchObject({
      state: 'dead',
      lastStatus: 410,
      deadLetter: { reason: 'gone', status: 410, body: 'gone away', at: '2026-11-24T10:00:00.000Z' },
    });
    expect(next).toBe('dead-lettered');
    expect(http.requests).toHaveLength(1);
    expect(store.peek('second')?.webhook).toMatchObject({
      state: 'dead',
      webhookId: 'msg_2',
      attempts: 0,
      deadLetter: { reason: 'disabled', status: null, at: '2026-11-24T10:01:00.000Z' },
    });
    expect(store.peek('second')?.webhook?.deadLetter).not.toHaveProperty('body');
    expect((await store.deadLetters(10)).map((d) => d.assignmentId)).toEqual([id, 'second']);
    expect(store.audit.map((e) => [e.assignmentId, e.kind, e.detail?.reason])).toEqual([
      [id, 'delivery-dead-lettered', 'gone'],
      ['second', 'delivery-dead-lettered', 'disabled'],
    ]);
  });

  it('delivers a replayed dead letter, its attempts counted afresh under the same webhook id', async () => {
    // Prepare
    const { store, http, deliver, id, clock } = await setup([422, 200]);
    await deliver(id);
    clock.advance(3600_000);
    expect(await store.replayDelivery(id, 'webhook', clock.now())).toBe(true);

    // Act
    const outcome = await deliver(id);

    // Assess
    expect(outcome).toBe('delivered');
    expect(store.peek(id)?.webhook).toEqual({
      ...LOGGED,
      state: 'delivered',
      webhookId: 'msg_1',
      attempts: 1,
      lastStatus: 200,
      deliveredAt: '2026-11-24T11:00:00.000Z',
    });
    expect(http.requests.map((r) => r.headers['webhook-id'])).toEqual(['msg_1', 'msg_1']);
    expect(() => verifyAsLms(http.requests[1], clock.now())).not.toThrow();
    expect(await store.deadLetters(10)).toEqual([]);
  });

  it('dead-letters a replay again while the destination is disabled, and delivers it once enabled', async () => {
    // Prepare
    const { store, http, deliver, id, clock } = await setup([410, 200]);
    await deliver(id);
    clock.advance(60_000);
    await store.replayDelivery(id, 'webhook', clock.now());
    expect(await deliver(id)).toBe('dead-lettered');
    expect(store.peek(id)?.webhook?.deadLetter?.reason).toBe('disabled');
    clock.advance(60_000);
    await store.setDestination('webhook', { state: 'enabled' });
    await store.replayDelivery(id, 'webhook', clock.now());

    // Act
    const outcome = await deliver(id);

    // Assess
    expect(outcome).toBe('delivered');
    expect(http.requests).toHaveLength(2);
    expect(store.peek(id)?.webhook).toMatchObject({ state: 'delivered', attempts: 1, webhookId: 'msg_1' });
  });

  it('sends nothing once delivered', async () => {
    // Prepare
    const { http, deliver, id } = await setup([200]);
    await deliver(id);

    // Act
    const again = await deliver(id);

    // Assess
    expect(again).toBe('not-owed');
    expect(http.requests).toHaveLength(1);
  });

  it('sends nothing once dead-lettered', async () => {
    // Prepare
    const { store, http, deliver, id } = await setup([400, 200]);
    await deliver(id);

    // Act
    const again = await deliver(id);

    // Assess
    expect(again).toBe('not-owed');
    expect(http.requests).toHaveLength(1);
    expect(store.peek(id)?.webhook?.state).toBe('dead');
  });

  it('sends nothing for an assignment not yet acknowledged', async () => {
    // Prepare
    const { store, http, deliver } = await setup([200]);
    const other = (await seededStore()).assignment;
    store.seed({ ...other, assignmentId: 'not-acked' });

    // Act
    const outcome = await deliver('not-acked');

    // Assess
    expect(outcome).toBe('not-owed');
    expect(http.requests).toEqual([]);
  });

  it('sends nothing while another worker holds the lease', async () => {
    // Prepare
    const { store, http, deliver, id, clock } = await setup([200]);
    await store.claimWork(id, 'webhook', clock.now(), new Date(clock.now().getTime() + 60_000));

    // Act
    const outcome = await deliver(id);

    // Assess
    expect(outcome).toBe('busy');
    expect(http.requests).toEqual([]);
    expect(store.peek(id)?.webhook).toMatchObject({ state: 'pending', attempts: 0 });
  });
});

describe('deliverCompletion: the webhook and the xAPI statement', () => {
  const BOTH: Options = {
    owed: { webhook: { webhookId: 'msg_1' }, xapi: { statementId: STATEMENT_ID } },
    channels: ['webhook', 'xapi'],
  };

  it('delivers each lane on its own: the webhook at once, the statement after the LRS recovers', async () => {
    // Prepare
    const { store, http, lrs, deliverCompletion, id, clock } = await setup([200], undefined, {
      ...BOTH,
      lrs: [503, 204],
    });

    // Act
    const webhook = await deliverCompletion(id, 'webhook');
    const firstStatement = await deliverCompletion(id, 'xapi');

    // Assess: the webhook's lane is done, the statement's owed from the first wait, untouched by it
    expect([webhook, firstStatement]).toEqual(['delivered', 'retrying']);
    const retryAt = iso(T0 + (SCHEDULE[0] as number));
    let stored = store.peek(id);
    expect(stored?.webhook).toEqual({
      ...LOGGED,
      state: 'delivered',
      webhookId: 'msg_1',
      attempts: 1,
      lastStatus: 200,
      deliveredAt: '2026-11-24T10:00:00.000Z',
    });
    expect(stored?.webhookDueAt).toBeUndefined();
    expect(stored?.xapi).toEqual({
      ...LOGGED,
      state: 'pending',
      statementId: STATEMENT_ID,
      attempts: 1,
      lastStatus: 503,
      nextAttemptAt: retryAt,
    });
    expect(stored?.xapiDueAt).toBe(retryAt);
    expect(stored?.xapiLeaseUntil).toBeUndefined();

    // Act: the retry falls due
    clock.set(retryAt);
    const secondStatement = await deliverCompletion(id, 'xapi', retryAt);

    // Assess
    expect(secondStatement).toBe('delivered');
    stored = store.peek(id);
    expect(stored?.xapi).toEqual({
      ...LOGGED,
      state: 'delivered',
      statementId: STATEMENT_ID,
      attempts: 2,
      lastStatus: 204,
      deliveredAt: retryAt,
    });
    expect(stored?.xapiDueAt).toBeUndefined();
    expect(stored?.webhook?.attempts).toBe(1);
    expect(http.requests.map((r) => [r.method, r.url])).toEqual([['POST', LMS_URL]]);
    expect(lrs.requests.map((r) => [r.method, r.url])).toEqual([
      ['PUT', LRS_URL],
      ['PUT', LRS_URL],
    ]);
    expect(lrs.requests[1]?.body).toBe(lrs.requests[0]?.body);
    expect(store.audit.map((e) => [e.kind, e.detail])).toEqual([
      ['delivered', { destination: 'webhook', webhookId: 'msg_1' }],
      ['delivered', { destination: 'xapi', statementId: STATEMENT_ID }],
    ]);
  });

  it('sends the statement the LRS expects: PUT under its id, with Basic auth and the xAPI version', async () => {
    // Prepare
    const { lrs, deliverCompletion, id } = await setup([200], undefined, BOTH);

    // Act
    await deliverCompletion(id, 'xapi');

    // Assess
    const [request] = lrs.requests;
    expect(request).toMatchObject({ method: 'PUT', url: LRS_URL, timeoutMs: 10_000 });
    expect(request?.headers).toStrictEqual({
      'content-type': 'application/json',
      authorization: `Basic ${btoa('attest-key:attest-secret')}`,
      'x-experience-api-version': '1.0.3',
    });
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({
      id: STATEMENT_ID,
      actor: { account: { homePage: 'https://hr.example.org', name: 'E1001' } },
      verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
      object: { id: `https://policies.example.org/activities/${policy.policyId}/versions/${policy.version}` },
      timestamp: evidence.acknowledgedAt,
    });
  });

  it.each<[DeliveryKind, DeliveryKind, Answer[], Answer[]]>([
    ['webhook', 'xapi', [{ status: 400, body: 'bad' }], [204]],
    ['xapi', 'webhook', [200], [{ status: 400, body: 'bad' }]],
  ])(
    'dead-letters the %s lane alone, leaving the %s lane to be delivered',
    async (dead, alive, hook, lrsScript) => {
      // Prepare
      const { store, deliverCompletion, id } = await setup(hook, undefined, { ...BOTH, lrs: lrsScript });

      // Act
      const outcomes = [await deliverCompletion(id, dead), await deliverCompletion(id, alive)];

      // Assess
      expect(outcomes).toEqual(['dead-lettered', 'delivered']);
      const stored = store.peek(id);
      expect(stored?.[dead]).toMatchObject({
        state: 'dead',
        deadLetter: { reason: 'rejected', status: 400, body: 'bad' },
      });
      expect(stored?.dead?.[dead]).toBe(true);
      expect(stored?.[alive]).toMatchObject({ state: 'delivered', attempts: 1 });
      expect(stored?.dead?.[alive]).toBeUndefined();
      expect(stored?.[`${alive}DueAt`]).toBeUndefined();
      expect(await store.deadLetters(10)).toEqual([
        { assignmentId: id, kind: dead, deadAt: '2026-11-24T10:00:00.000Z' },
      ]);
      expect(store.destinations).toEqual({
        webhook: { state: 'enabled' },
        xapi: { state: 'enabled' },
        moodle: { state: 'enabled' },
      });
    },
  );

  it('keeps the other lane owed while one is dead-lettered', async () => {
    // Prepare
    const { store, lrs, deliverCompletion, id } = await setup([422], undefined, BOTH);

    // Act
    await deliverCompletion(id, 'webhook');

    // Assess
    expect(store.peek(id)).toMatchObject({
      xapiDueAt: '2026-11-24T10:00:00.000Z',
      xapi: { state: 'pending', attempts: 0, statementId: STATEMENT_ID },
    });
    expect(lrs.requests).toEqual([]);
    const due = await store.queryDue(new Date('2030-01-01T00:00:00Z'), 10);
    expect(due.filter((d) => d.dueKind === 'webhook' || d.dueKind === 'xapi').map((d) => d.dueKind)).toEqual([
      'xapi',
    ]);
  });

  it('takes a 409 from the LRS as the statement stored already: delivered', async () => {
    // Prepare
    const { store, deliverCompletion, id, logger } = await setup([200], undefined, { ...BOTH, lrs: [409] });

    // Act
    const outcome = await deliverCompletion(id, 'xapi');

    // Assess
    expect(outcome).toBe('delivered');
    expect(store.peek(id)?.xapi).toEqual({
      ...LOGGED,
      state: 'delivered',
      statementId: STATEMENT_ID,
      attempts: 1,
      lastStatus: 409,
      deliveredAt: '2026-11-24T10:00:00.000Z',
    });
    expect(store.peek(id)?.dead?.xapi).toBeUndefined();
    expect(store.audit.map((e) => [e.kind, e.detail])).toEqual([
      ['delivered', { destination: 'xapi', statementId: STATEMENT_ID }],
    ]);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('still takes a 409 from the webhook’s receiver as a rejection', async () => {
    // Prepare
    const { store, deliver, id } = await setup([409]);

    // Act
    const outcome = await deliver(id);

    // Assess
    expect(outcome).toBe('dead-lettered');
    expect(store.peek(id)?.webhook?.deadLetter).toMatchObject({ reason: 'rejected', status: 409 });
  });

  it.each<[DeliveryKind, DeliveryKind, string]>([
    ['xapi', 'webhook', 'xapi'],
    ['webhook', 'xapi', 'webhook'],
  ])(
    'retries a %s lane owed to a destination not configured on the schedule, sending nothing, then dead-letters it',
    async (kind, configured, destination) => {
      // Prepare (mid-deploy, say: the agreement owes a destination this function does not know yet)
      const { store, http, lrs, deliverCompletion, id, logger, clock } = await setup([200], undefined, {
        ...BOTH,
        channels: [configured],
      });

      // Act: the first attempt, then one per wait of the schedule
      const first = await deliverCompletion(id, kind);
      const outcomes: string[] = [];
      for (const wait of SCHEDULE) {
        clock.advance(wait * 1.2);
        outcomes.push(await deliverCompletion(id, kind));
      }

      // Assess
      expect(first).toBe('retrying');
      expect(outcomes.at(-1)).toBe('dead-lettered');
      expect(outcomes.slice(0, -1).every((o) => o === 'retrying')).toBe(true);
      expect(http.requests).toEqual([]);
      expect(lrs.requests).toEqual([]);
      const stored = store.peek(id);
      expect(stored?.[kind]).toMatchObject({
        state: 'dead',
        attempts: SCHEDULE.length + 1,
        lastStatus: null,
        deadLetter: { reason: 'unconfigured', status: null },
      });
      expect(stored?.[kind]?.deadLetter).not.toHaveProperty('body');
      // The configured lane is left as it was, and the destinations both stay enabled.
      expect(stored?.[configured]).toMatchObject({ state: 'pending', attempts: 0 });
      expect(store.destinations).toEqual({
        webhook: { state: 'enabled' },
        xapi: { state: 'enabled' },
        moodle: { state: 'enabled' },
      });
      expect(store.audit.map((e) => [e.kind, e.detail?.destination, e.detail?.reason])).toEqual([
        ['delivery-dead-lettered', destination, 'unconfigured'],
      ]);
      expect(logger.error).toHaveBeenCalledWith(expect.stringContaining(destination), { assignmentId: id });
    },
  );

  it('delivers a lane that was unconfigured once its destination is configured (after the deploy)', async () => {
    // Prepare
    const { store, deliverCompletion, id, clock, logger } = await setup([200], undefined, {
      ...BOTH,
      channels: ['webhook'],
    });
    expect(await deliverCompletion(id, 'xapi')).toBe('retrying');
    const lrs = new ScriptedLms([204]);
    const deployed = makeDeliverCompletion({
      metrics: new FakeMetrics(),
      store,
      http: new Network(new ScriptedLms([204]), lrs),
      clock,
      logger,
      channels: {
        webhook: makeWebhookChannel(LMS_URL, makeWebhookSigner(SECRET)),
        xapi: makeXapiChannel(XAPI),
      },
      leaseMs: 60_000,
      timeoutMs: 10_000,
      retryScheduleMs: SCHEDULE,
    });
    clock.advance((SCHEDULE[0] as number) * 1.2);

    // Act
    const outcome = await deployed(id, 'xapi');

    // Assess
    expect(outcome).toBe('delivered');
    expect(lrs.requests).toHaveLength(1);
    expect(store.peek(id)?.xapi).toMatchObject({ state: 'delivered', attempts: 2 });
  });

  it('disables only the xAPI destination on a 410 from the LRS', async () => {
    // Prepare
    const { store, http, lrs, deliverCompletion, id, clock, logger } = await setup([200], undefined, {
      ...BOTH,
      lrs: [{ status: 410, body: 'no such LRS' }],
    });
    await acknowledgeAnother(store, 'second', clock.now(), {
      webhook: { webhookId: 'msg_2' },
      xapi: { statementId: STATEMENT_ID },
    });

    // Act
    const gone = await deliverCompletion(id, 'xapi');
    clock.advance(60_000);
    const next = await deliverCompletion('second', 'xapi');
    const webhooks = [await deliverCompletion(id, 'webhook'), await deliverCompletion('second', 'webhook')];

    // Assess
    expect(gone).toBe('dead-lettered');
    expect(store.destinations).toEqual({
      webhook: { state: 'enabled' },
      xapi: { state: 'disabled', reason: 'answered 410 Gone', at: '2026-11-24T10:00:00.000Z' },
      moodle: { state: 'enabled' },
    });
    expect(logger.error).toHaveBeenCalledOnce();
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('--destination xapi'),
      expect.objectContaining({ destination: 'xapi' }),
    );
    expect(store.peek(id)?.xapi).toMatchObject({
      state: 'dead',
      deadLetter: { reason: 'gone', status: 410, body: 'no such LRS' },
    });
    expect(next).toBe('dead-lettered');
    expect(store.peek('second')?.xapi?.deadLetter).toMatchObject({ reason: 'disabled', status: null });
    expect(lrs.requests).toHaveLength(1);
    // The webhook goes on as before.
    expect(webhooks).toEqual(['delivered', 'delivered']);
    expect(http.requests.map((r) => r.headers['webhook-id'])).toEqual(['msg_1', 'msg_2']);
  });

  it('hints a short retry of the statement to the LMS queue as an xapi message', async () => {
    // Prepare
    const lmsQueue = new FakeQueue();
    const { store, deliverCompletion, id } = await setup([200], undefined, { ...BOTH, lrs: [503], lmsQueue });

    // Act
    await deliverCompletion(id, 'xapi');

    // Assess
    const dueAt = store.peek(id)?.xapiDueAt;
    expect(dueAt).toBe(iso(T0 + (SCHEDULE[0] as number)));
    expect(lmsQueue.sent).toEqual([
      { message: { assignmentId: id, kind: 'xapi', dueAt }, delaySeconds: (SCHEDULE[0] as number) / 1000 },
    ]);
  });

  it('ignores a message naming a due time the xAPI lane has moved on from', async () => {
    // Prepare
    const { lrs, store, deliverCompletion, id } = await setup([200], undefined, BOTH);

    // Act
    const outcome = await deliverCompletion(id, 'xapi', '2026-11-24T09:00:00.000Z');

    // Assess
    expect(outcome).toBe('not-owed');
    expect(lrs.requests).toEqual([]);
    expect(store.peek(id)?.xapi).toMatchObject({ state: 'pending', attempts: 0 });
  });

  it('sends nothing on a lane the acknowledgement did not owe', async () => {
    // Prepare: only the webhook owed, both destinations configured
    const { store, lrs, deliverCompletion, id } = await setup([200], undefined, {
      channels: ['webhook', 'xapi'],
    });

    // Act
    const outcome = await deliverCompletion(id, 'xapi');

    // Assess
    expect(outcome).toBe('not-owed');
    expect(lrs.requests).toEqual([]);
    expect(store.peek(id)).not.toHaveProperty('xapi');
  });

  it('delivers a replayed xAPI dead letter under the same statement id', async () => {
    // Prepare
    const { store, lrs, deliverCompletion, id, clock } = await setup([200], undefined, {
      ...BOTH,
      lrs: [400, 204],
    });
    await deliverCompletion(id, 'xapi');
    clock.advance(3600_000);
    expect(await store.replayDelivery(id, 'xapi', clock.now())).toBe(true);

    // Act
    const outcome = await deliverCompletion(id, 'xapi');

    // Assess
    expect(outcome).toBe('delivered');
    expect(store.peek(id)?.xapi).toMatchObject({
      state: 'delivered',
      attempts: 1,
      statementId: STATEMENT_ID,
    });
    expect(lrs.requests.map((r) => r.url)).toEqual([LRS_URL, LRS_URL]);
    expect(store.peek(id)?.webhook).toMatchObject({ state: 'pending', attempts: 0 });
  });
});

describe('classify', () => {
  /** The rules, written out independently of the implementation. */
  function expected(status: number | null) {
    if (status === null) return 'retry';
    if (status >= 200 && status <= 299) return 'delivered';
    if (status === 410) return 'gone';
    if (status === 408 || status === 429 || (status >= 300 && status <= 399) || status >= 500) return 'retry';
    // Other 4xx; 1xx is never a final answer, and is not taken as one.
    return 'rejected';
  }

  it('puts every status and no answer in exactly the class the rules give', () => {
    fc.assert(
      fc.property(fc.option(fc.integer({ min: 100, max: 599 }), { nil: null }), (status) => {
        // Act
        const verdict = classify(status);

        // Assess
        expect(['delivered', 'retry', 'gone', 'rejected']).toContain(verdict);
        expect(verdict).toBe(expected(status));
      }),
    );
  });

  it.each<[number | null, ReturnType<typeof classify>]>([
    [null, 'retry'],
    [200, 'delivered'],
    [299, 'delivered'],
    [301, 'retry'],
    [399, 'retry'],
    [400, 'rejected'],
    [404, 'rejected'],
    [408, 'retry'],
    [410, 'gone'],
    [429, 'retry'],
    [499, 'rejected'],
    [500, 'retry'],
    [599, 'retry'],
  ])('classifies %s as %s', (status, verdict) => {
    // Act and assess
    expect(classify(status)).toBe(verdict);
  });
});

describe('retryAfterMs', () => {
  const now = fc.date({ min: new Date('1990-01-01Z'), max: new Date('2100-01-01Z'), noInvalidDate: true });
  const header = fc.oneof(
    fc.string(),
    fc.nat().map(String),
    fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String),
    fc.integer().map(String),
    fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
    fc.constant(undefined),
  );

  it('never answers a negative wait or one over 24 hours', () => {
    fc.assert(
      fc.property(header, now, (value, at) => {
        // Act
        const ms = retryAfterMs(value, at);

        // Assess
        if (ms !== undefined) {
          expect(ms).toBeGreaterThanOrEqual(0);
          expect(ms).toBeLessThanOrEqual(DAY_MS);
        }
      }),
    );
  });

  it('reads an HTTP date up to 24 hours ahead of now', () => {
    fc.assert(
      fc.property(now, fc.integer({ min: 0, max: DAY_MS / 1000 }), (at, seconds) => {
        // Prepare
        const whole = new Date(Math.floor(at.getTime() / 1000) * 1000);
        const date = new Date(whole.getTime() + seconds * 1000).toUTCString();

        // Act and assess
        expect(retryAfterMs(date, whole)).toBe(seconds * 1000);
        expect(retryAfterMs(String(seconds), whole)).toBe(seconds * 1000);
      }),
    );
  });
});

// Delivering a completion to the LMS: signed per Standard Webhooks, the same id on every attempt, owed until a 2xx.
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeDeliverCompletion } from '#shared/core/deliver.ts';
import { RetryableError } from '#shared/core/errors.ts';
import { makeWebhookSigner } from '#shared/core/webhooks.ts';
import {
  anEvidence,
  aPolicy,
  FakeClock,
  FakeHttp,
  seededStore,
  silentLogger,
} from '../../../support/fakes.ts';

const SECRET = 'whsec_dW5pdC10ZXN0LWxtcy1zZWNyZXQtdW5pdC10ZXN0';
const LMS_URL = 'https://lms.example.org/hooks/attest';
const policy = aPolicy();

const evidence = anEvidence(policy, { userAgent: 'UA' });

async function setup(script: Array<number | Error>) {
  const clock = new FakeClock('2026-11-24T10:00:00.000Z');
  const seeded = await seededStore({ status: 'invited', dueAt: undefined, dueKind: undefined });
  await seeded.store.recordAcknowledgement(seeded.assignment.assignmentId, evidence, 'msg_1', clock.now());
  seeded.store.writes.length = 0;
  const http = new FakeHttp(script);
  const deliver = makeDeliverCompletion({
    store: seeded.store,
    http,
    clock,
    logger: silentLogger,
    sign: makeWebhookSigner(SECRET),
    lmsWebhookUrl: LMS_URL,
    leaseMs: 60_000,
    timeoutMs: 10_000,
  });
  return { ...seeded, clock, http, deliver, id: seeded.assignment.assignmentId };
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
    expect(stored?.lms).toEqual({
      state: 'delivered',
      webhookId: 'msg_1',
      attempts: 1,
      lastStatus: status,
      deliveredAt: '2026-11-24T10:00:00.000Z',
    });
    expect(stored?.lmsDueAt).toBeUndefined();
    expect(stored?.lmsLeaseUntil).toBeUndefined();
    // The mail lane is left to the receipt.
    expect(stored?.dueKind).toBe('receipt');
    expect(store.audit.map((e) => [e.kind, e.detail])).toEqual([['delivered', { webhookId: 'msg_1' }]]);
  });

  it('POSTs JSON to the LMS with a signature the LMS verifies with its secret', async () => {
    // Prepare
    const { http, deliver, id, clock } = await setup([204]);

    // Act
    await deliver(id);

    // Assess
    const [request] = http.requests;
    expect(request).toMatchObject({ url: LMS_URL, timeoutMs: 10_000 });
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
      },
    });
  });

  it.each<[string, number | Error, number | null]>([
    ['a 500', 500, 500],
    ['a 503', 503, 503],
    ['a redirect', 302, 302],
    ['a network error', new TypeError('fetch failed'), null],
    ['a timeout', Object.assign(new Error('aborted'), { name: 'TimeoutError' }), null],
  ])('records %s, keeps the delivery owed and throws RetryableError', async (_, answer, lastStatus) => {
    // Prepare
    const { store, deliver, id } = await setup([answer]);

    // Act
    const attempt = deliver(id);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(RetryableError);
    const stored = store.peek(id);
    expect(stored).toMatchObject({ lmsDueAt: '2026-11-24T10:00:00.000Z', status: 'acknowledged' });
    expect(stored?.lms).toMatchObject({ state: 'pending', attempts: 1, lastStatus });
    expect(stored?.leaseUntil).toBeUndefined();
    expect(store.audit).toEqual([]);
  });

  it('sends the same webhook id with a fresh, verifiable timestamp on every attempt', async () => {
    // Prepare
    const { store, http, deliver, id, clock } = await setup([503, new TypeError('fetch failed'), 200]);
    await deliver(id).catch(() => undefined);
    clock.advance(30_000);
    await deliver(id).catch(() => undefined);
    clock.advance(120_000);

    // Act
    await deliver(id);

    // Assess
    expect(http.requests.map((r) => r.headers['webhook-id'])).toEqual(['msg_1', 'msg_1', 'msg_1']);
    expect(http.requests.map((r) => r.headers['webhook-timestamp'])).toEqual([
      String(Date.parse('2026-11-24T10:00:00Z') / 1000),
      String(Date.parse('2026-11-24T10:00:30Z') / 1000),
      String(Date.parse('2026-11-24T10:02:30Z') / 1000),
    ]);
    expect(() => verifyAsLms(http.requests[2], clock.now())).not.toThrow();
    expect(store.peek(id)?.lms).toMatchObject({ state: 'delivered', attempts: 3, lastStatus: 200 });
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
    await store.claimWork(id, 'lms', clock.now(), new Date(clock.now().getTime() + 60_000));

    // Act
    const outcome = await deliver(id);

    // Assess
    expect(outcome).toBe('busy');
    expect(http.requests).toEqual([]);
  });
});

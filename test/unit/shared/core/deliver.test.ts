// Delivering a completion to the LMS: signed per Standard Webhooks, the same id on every attempt, retried until 2xx.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it, vi } from 'vitest';
import { makeDeliverCompletion } from '#shared/core/deliver.ts';
import { RetryableError } from '#shared/core/errors.ts';
import { makeWebhookSigner } from '#shared/core/webhooks.ts';
import { ScriptedHttp, silentLogger } from '../../../support/memory-store.ts';
import { policy, scenario } from '../../../support/scenario.ts';

const secret = 'whsec_dW5pdC10ZXN0LWxtcy1zZWNyZXQtdW5pdC10ZXN0';

async function setup(script: Array<number | Error>) {
  const s = await scenario({ status: 'invited', dueAt: undefined, dueKind: undefined });
  await s.store.recordAcknowledgement(
    s.assignment.assignmentId,
    {
      evidenceId: 'ev_1',
      acknowledgedAt: '2026-11-24T09:59:00.000Z',
      policyId: policy.policyId,
      policyVersion: policy.version,
      policyTitle: policy.title,
      policySha256: policy.sha256,
      statement: policy.statement,
      typedName: 'Ada Lovelace',
      ipAddress: '203.0.113.7',
      userAgent: 'UA',
      tokenId: 'AAAAAAAAAAA',
      messageId: 'ses-1',
    },
    'msg_1',
    s.clock.now(),
  );
  const http = new ScriptedHttp(script);
  const deliver = makeDeliverCompletion({
    store: s.store,
    http,
    clock: s.clock,
    logger: silentLogger,
    sign: makeWebhookSigner(secret),
    lmsWebhookUrl: 'https://lms.example.org/hook',
    leaseMs: 60_000,
    timeoutMs: 10_000,
  });
  return { ...s, http, deliver };
}

describe('deliverCompletion', () => {
  it('POSTs the contract payload with a signature the LMS can verify, and records it delivered', async () => {
    // Prepare
    const { store, http, deliver, assignment } = await setup([204]);

    // Act
    const outcome = await deliver(assignment.assignmentId);

    // Assess
    expect(outcome).toBe('delivered');
    const [request] = http.requests;
    expect(request?.url).toBe('https://lms.example.org/hook');
    expect(request?.headers['webhook-id']).toBe('msg_1');
    // The receiver checks the timestamp against its own clock: give it the test's.
    vi.useFakeTimers({ now: new Date('2026-11-24T10:00:30Z'), toFake: ['Date'] });
    const payload = new Webhook(secret).verify(
      request?.body as string,
      request?.headers as Record<string, string>,
    );
    vi.useRealTimers();
    expect(payload).toEqual({
      type: 'policy.acknowledged',
      timestamp: '2026-11-24T10:00:00.000Z',
      data: {
        assignmentId: assignment.assignmentId,
        employeeId: 'E1001',
        email: 'ada@example.org',
        givenName: 'Ada',
        familyName: 'Lovelace',
        policy: { id: policy.policyId, version: policy.version, title: policy.title, sha256: policy.sha256 },
        acknowledgedAt: '2026-11-24T09:59:00.000Z',
        evidenceId: 'ev_1',
      },
    });
    expect(store.assignments.get(assignment.assignmentId)).toMatchObject({
      lms: { state: 'delivered', attempts: 1, lastStatus: 204 },
    });
    expect(store.assignments.get(assignment.assignmentId)?.dueKind).toBeUndefined();
  });

  it.each([
    ['a 503', 503],
    ['a network error', new TypeError('fetch failed')],
  ])('records %s, keeps the delivery owed and throws for a retry', async (_, answer) => {
    // Prepare
    const { store, deliver, assignment } = await setup([answer]);

    // Act
    const attempt = deliver(assignment.assignmentId);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(RetryableError);
    const stored = store.assignments.get(assignment.assignmentId);
    expect(stored).toMatchObject({ dueKind: 'lms', lms: { state: 'pending', attempts: 1 } });
    expect(stored?.leaseUntil).toBeUndefined();
  });

  it('sends the same webhook id with a fresh timestamp on every attempt', async () => {
    // Prepare
    const { http, deliver, assignment, clock } = await setup([500, 200]);
    await deliver(assignment.assignmentId).catch(() => undefined);
    clock.advance(5000);

    // Act
    await deliver(assignment.assignmentId);

    // Assess
    expect(http.requests.map((r) => r.headers['webhook-id'])).toEqual(['msg_1', 'msg_1']);
    expect(
      Number(http.requests[1]?.headers['webhook-timestamp']) -
        Number(http.requests[0]?.headers['webhook-timestamp']),
    ).toBe(5);
  });

  it('sends nothing once delivered', async () => {
    // Prepare
    const { http, deliver, assignment } = await setup([200]);
    await deliver(assignment.assignmentId);

    // Act
    const again = await deliver(assignment.assignmentId);

    // Assess
    expect(again).toBe('not-owed');
    expect(http.requests).toHaveLength(1);
  });
});

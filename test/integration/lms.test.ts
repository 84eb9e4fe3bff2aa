// The LMS, whatever it does, on a stack of its own: outages retried, rejections dead-lettered and replayed, 410 Gone disabling it.
import { describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import pkg from '../../package.json' with { type: 'json' };
import {
  attestOn,
  evidenceOn,
  outageOn,
  QUICK_LMS,
  receiverOf,
  signsOn,
  usePrivateStack,
  waitFor,
} from '../support/local.ts';

let stack: LocalStack;

// Three quick retries, then dead letters.
usePrivateStack({ ...QUICK_LMS, REDRIVE_AFTER: 'PT5S' }, (s) => {
  stack = s;
});

const cli = (...argv: string[]) => attestOn(stack, argv);
const lmsMode = (status?: number) => outageOn(stack, status);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A starter who signs; answers the assignment id. */
const signs = async () => (await signsOn(stack)).id;

const lmsState = async (id: string) =>
  (await evidenceOn<{ webhook: Record<string, unknown> & { state: string } }>(stack, id)).webhook;

const deliveredTo = async (id: string) =>
  (await receiverOf(stack)).received.filter((c) => c.payload.data.assignmentId === id);

describe('the LMS answering 5xx', () => {
  it('is retried on the schedule and delivered once with the webhook id fixed at signing', async () => {
    // Prepare
    await lmsMode(500);
    try {
      const id = await signs();
      await waitFor('two refused attempts', async () => {
        const lms = await lmsState(id);
        return (lms.attempts as number) >= 2 ? lms : undefined;
      });

      // Act: the LMS recovers
      await lmsMode();

      // Assess
      const [delivery] = await waitFor('the delivery', async () => {
        const found = await deliveredTo(id);
        return found.length ? found : undefined;
      });
      // The receiver holds it a moment before lms-push records the answer it gave.
      const lms = await waitFor('the delivery recorded', async () => {
        const state = await lmsState(id);
        return state.state === 'delivered' ? state : undefined;
      });
      expect(lms).toMatchObject({ state: 'delivered' });
      expect(delivery?.webhookId).toBe(lms.webhookId);
      await sleep(2_000);
      expect(await deliveredTo(id)).toHaveLength(1);
      const status = (await cli('lms', 'status', id)).out.split('\n');
      const attempts = status.filter((line) => line.startsWith('  '));
      expect(attempts.length).toBe(lms.attempts);
      expect(attempts[0]).toMatch(/^ {2}\S+Z {2}status 500 {2}\d+ ms {2}"simulated refusal"$/);
      expect(attempts.at(-1)).toMatch(/^ {2}\S+Z {2}status 204 {2}\d+ ms$/);
    } finally {
      await lmsMode();
    }
  });

  it('goes to the dead letters when the retries run out', async () => {
    // Prepare
    await lmsMode(500);
    try {
      // Act
      const id = await signs();

      // Assess: the first attempt and three retries, then dead
      const lms = await waitFor('the dead letter', async () => {
        const found = await lmsState(id);
        return found.state === 'dead' ? found : undefined;
      });
      expect(lms).toMatchObject({ attempts: 4, deadLetter: { reason: 'exhausted', status: 500 } });
    } finally {
      await lmsMode();
    }
  });
});

describe('the LMS answering too slowly', () => {
  it('is retried after the timeout, and the LMS de-duplicates what it took each time by webhook id', async () => {
    // Prepare: the LMS takes each delivery but answers after 2.5 s, beyond attest's 1 s timeout
    await fetch(`${stack.urls.lms}/slow?ms=2500`, { method: 'PUT' });
    let id: string;
    try {
      id = await signs();
      await waitFor('an attempt that timed out', async () => {
        const lms = await lmsState(id);
        return (lms.attempts as number) >= 1 && lms.lastStatus === null ? lms : undefined;
      });
    } finally {
      // Act: the LMS is quick again
      await fetch(`${stack.urls.lms}/slow`, { method: 'DELETE' });
    }

    // Assess
    const lms = await waitFor('the delivery recorded', async () => {
      const found = await lmsState(id);
      return found.state === 'delivered' ? found : undefined;
    });
    expect(lms.attempts as number).toBeGreaterThanOrEqual(2);
    const arrived = await deliveredTo(id);
    expect(arrived).toHaveLength(1);
    expect(arrived[0]?.attempts).toBeGreaterThanOrEqual(2);
    expect(arrived[0]?.webhookId).toBe(lms.webhookId);
  });
});

describe('the LMS rejecting a delivery', () => {
  it('dead-letters it with the reason, lists it, and replays it once the LMS is fixed', async () => {
    // Prepare
    await lmsMode(400);
    let id: string;
    try {
      id = await signs();

      // Assess: dead at once, with the status and the LMS's answer
      const lms = await waitFor('the dead letter', async () => {
        const found = await lmsState(id);
        return found.state === 'dead' ? found : undefined;
      });
      expect(lms).toMatchObject({
        attempts: 1,
        deadLetter: { reason: 'rejected', status: 400, body: 'simulated refusal' },
      });
      const listed = await cli('lms', 'dead-letters');
      expect(listed.out).toContain(id);
      expect(listed.out).toContain(`${id}  webhook  dead  attempts 1  last status 400  rejected at`);
    } finally {
      await lmsMode();
    }

    // Act: the LMS is fixed; replay
    const replay = await cli('lms', 'replay', '--assignment', id);

    // Assess
    expect(replay).toMatchObject({
      code: 0,
      out: 'Replaying 1 deliveries; the sweeper sends them on its next run.',
    });
    const [delivery] = await waitFor('the replayed delivery', async () => {
      const found = await deliveredTo(id);
      return found.length ? found : undefined;
    });
    const recorded = await waitFor('the replay recorded', async () => {
      const state = await lmsState(id);
      return state.state === 'delivered' ? state : undefined;
    });
    expect(delivery?.webhookId).toBe(recorded.webhookId);
    expect(recorded).toMatchObject({ state: 'delivered', attempts: 1 });
    expect((await cli('lms', 'dead-letters')).out).not.toContain(id);
    expect((await cli('lms', 'replay', '--assignment', id)).code).toBe(1);
  });
});

describe('the LMS answering 410 Gone', () => {
  it('disables the destination: nothing more is sent until it is enabled and replayed', async () => {
    // Prepare
    await lmsMode(410);
    try {
      const first = await signs();
      await waitFor('the first dead letter', async () => {
        const found = await lmsState(first);
        return found.state === 'dead' ? found : undefined;
      });
      await lmsMode();

      // Act: another completion while disabled
      const second = await signs();

      // Assess: dead-lettered without a request
      const lms = await waitFor('the second dead letter', async () => {
        const found = await lmsState(second);
        return found.state === 'dead' ? found : undefined;
      });
      // Nothing was sent to it: no attempt counted.
      expect(lms).toMatchObject({ attempts: 0, deadLetter: { reason: 'disabled', status: null } });
      expect((await lmsState(first)).deadLetter).toMatchObject({ reason: 'gone', status: 410 });
      const refused = await cli('lms', 'replay', '--all');
      expect(refused.code).toBe(1);
      expect(refused.err).toContain('disabled');

      // Act: enable, replay everything
      expect((await cli('lms', 'enable')).code).toBe(0);
      expect((await cli('lms', 'replay', '--all')).code).toBe(0);

      // Assess
      await waitFor('both delivered', async () => {
        const [a, b] = await Promise.all([deliveredTo(first), deliveredTo(second)]);
        return a.length && b.length ? true : undefined;
      });
    } finally {
      await lmsMode();
    }
  });
});

describe('attest lms test', () => {
  it('sends the webhook a signed policy.test event, which the receiver takes and does not count as a completion', async () => {
    // Prepare
    const before = await receiverOf(stack);

    // Act
    const { code, out } = await cli('lms', 'test', '--destination', 'webhook');

    // Assess
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^POST ${stack.urls.lms}/webhook {2}204 {2}\\d+ ms$`, 'm'));
    expect(out).toMatch(/^ok: the receiver took the signed policy\.test event/m);
    const after = (await receiverOf(stack)) as Awaited<ReturnType<typeof receiverOf>> & {
      tests: Array<{ type: string; userAgent: string; payload: { data: Record<string, unknown> } }>;
    };
    expect(after.received).toHaveLength(before.received.length);
    expect(after.tests.at(-1)).toMatchObject({
      type: 'policy.test',
      userAgent: `attest/${pkg.version}`,
      payload: { data: { test: true, employeeId: 'attest-test', email: 'attest-test@invalid' } },
    });
  });

  it("sends the LRS an `experienced` statement about a signer and the test activity, never a policy's", async () => {
    // Prepare
    const { employeeId } = await signsOn(stack);

    // Act
    const { code, out } = await cli('lms', 'test', '--destination', 'xapi', '--employee', employeeId);

    // Assess
    expect(code).toBe(0);
    expect(out).toMatch(
      /^PUT http:\/\/127\.0\.0\.1:\d+\/xapi\/statements\?statementId=[0-9a-f-]{36} {2}204 /m,
    );
    const stored = (await receiverOf(stack)).statements.at(-1)?.statement;
    expect(stored).toMatchObject({
      actor: { account: { name: employeeId } },
      verb: { id: 'http://adlnet.gov/expapi/verbs/experienced' },
      object: { id: 'urn:attest:policies/attest-test' },
    });
  });

  it('fails, showing the status and the start of the answer, when the receiver is down', async () => {
    // Prepare
    await lmsMode(503);

    // Act
    const { code, out } = await cli('lms', 'test', '--destination', 'webhook').finally(() => lmsMode());

    // Assess
    expect(code).toBe(1);
    expect(out).toMatch(
      / {2}503 {2}\d+ ms\n {2}answer: "simulated outage"\nFAILED: answered 503: not a 2xx$/,
    );
  });

  it('names a starter the table does not have, and a setting the destination lacks', async () => {
    // Act
    const nobody = await cli('lms', 'test', '--destination', 'webhook', '--employee', 'no-such-employee');
    const unset = await attestOn({ ...stack, env: { ...stack.env, LRS_ENDPOINT: '' } }, [
      'lms',
      'test',
      '--destination',
      'xapi',
    ]);

    // Assess
    expect(nobody).toMatchObject({ code: 1, err: 'attest: no starter with employee id no-such-employee' });
    expect(unset.code).toBe(1);
    expect(unset.err).toContain('LRS_ENDPOINT');
  });
});

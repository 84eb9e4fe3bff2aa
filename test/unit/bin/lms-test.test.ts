// `attest lms test`: the destination named, the person the test is about, what is printed and the exit code; nothing written.
import { describe, expect, it } from 'vitest';
import { makeWebhookChannel } from '#shared/core/destinations/webhook.ts';
import { ConfigError } from '#shared/core/errors.ts';
import { makeWebhookSigner } from '#shared/core/webhooks.ts';
import type { HttpRequest, HttpResponse } from '#shared/ports.ts';
import { runCli } from '../../../bin/attest.ts';
import { aStarter, FakeStore } from '../../support/fakes.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** Runs `attest lms test …` with a webhook receiver answering `answer`; collects what is printed and sent. */
async function lmsTest(argv: string[], answer: HttpResponse, store = new FakeStore()) {
  const out: string[] = [];
  const err: string[] = [];
  const sent: HttpRequest[] = [];
  const code = await runCli(['lms', 'test', ...argv], {
    store,
    io: { out: (t) => out.push(t), err: (t) => err.push(t) },
    // A clock that stands still: every request takes 0 ms.
    now: () => new Date('2026-11-26T10:00:00.000Z'),
    lms: {
      http: {
        async send(request) {
          sent.push(request);
          return answer;
        },
      },
      timeoutMs: 1000,
      async channel(kind) {
        if (kind !== 'webhook')
          throw new ConfigError(`the ${kind} destination needs LRS_ENDPOINT: set it in the environment`);
        return makeWebhookChannel('https://lms.example.org/hooks', makeWebhookSigner(SECRET));
      },
    },
  });
  return { code, out: out.join('\n'), err: err.join('\n'), sent, store };
}

describe('attest lms test', () => {
  it('prints the request, the status, the answer and ok, exiting 0, writing nothing', async () => {
    // Act
    const { code, out, store } = await lmsTest(['--destination', 'webhook'], {
      status: 200,
      body: '{"ok":true}',
    });

    // Assess
    expect(code).toBe(0);
    expect(out).toBe(
      [
        'webhook test, about the test person attest-test@invalid',
        'POST https://lms.example.org/hooks  200  0 ms',
        '  answer: "{\\"ok\\":true}"',
        'ok: the receiver took the signed policy.test event (2xx)',
      ].join('\n'),
    );
    expect(store.writes).toEqual([]);
  });

  it("is about the starter named by --employee, and exits 1 when the destination's answer is not healthy", async () => {
    // Prepare
    const store = new FakeStore();
    await store.putStarter(aStarter({ employeeId: 'E1001', email: 'ada@example.org' }));

    // Act
    const { code, out, sent } = await lmsTest(
      ['--destination', 'webhook', '--employee', 'E1001'],
      { status: 500, body: 'down' },
      store,
    );

    // Assess
    expect(code).toBe(1);
    expect(out).toMatch(/^webhook test, about E1001 <ada@example.org>\n/);
    expect(out).toMatch(/\nFAILED: answered 500: not a 2xx$/);
    expect(JSON.parse(sent[0]?.body ?? '{}').data).toMatchObject({ employeeId: 'E1001', test: true });
  });

  it('exits 2 without a destination, and 1 naming a missing setting or an unknown starter', async () => {
    // Act
    const none = await lmsTest([], { status: 204, body: '' });
    const unset = await lmsTest(['--destination', 'xapi'], { status: 204, body: '' });
    const nobody = await lmsTest(['--destination', 'webhook', '--employee', 'E404'], {
      status: 204,
      body: '',
    });

    // Assess
    expect(none.code).toBe(2);
    expect(none.err).toContain('lms test needs --destination webhook|xapi|moodle');
    expect(unset).toMatchObject({
      code: 1,
      err: 'attest: the xapi destination needs LRS_ENDPOINT: set it in the environment',
    });
    expect(nobody).toMatchObject({ code: 1, err: 'attest: no starter with employee id E404', sent: [] });
  });
});

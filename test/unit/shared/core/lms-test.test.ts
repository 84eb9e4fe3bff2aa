// `attest lms test`'s use case and each destination's test: what is sent (nothing that records an agreement), and how the answers read.
import { describe, expect, it } from 'vitest';
import {
  answerStart,
  type Channel,
  TEST_PERSON,
  type TestSubject,
} from '#shared/core/destinations/destination.ts';
import { LOOKUP, makeMoodleChannel } from '#shared/core/destinations/moodle.ts';
import { makeWebhookChannel, TEST_EVENT_TYPE } from '#shared/core/destinations/webhook.ts';
import { EXPERIENCED, makeXapiChannel } from '#shared/core/destinations/xapi.ts';
import { makeTestDestination, shownUrl } from '#shared/core/lms-test.ts';
import { makeWebhookSigner, makeWebhookVerifier } from '#shared/core/webhooks.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '#shared/ports.ts';
import { FakeClock } from '../../../support/fakes.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
// Now: the verifier refuses a timestamp more than five minutes off.
const AT = new Date();
const ADA: TestSubject = {
  employeeId: 'E1001',
  email: 'ada@example.org',
  givenName: 'Ada',
  familyName: 'Lovelace',
  real: true,
};

/** A receiver answering each request in turn (an Error: no answer at all), 25 ms later each time. */
function receiver(answers: Array<HttpResponse | Error>, clock: FakeClock) {
  const requests: HttpRequest[] = [];
  const http: HttpClient = {
    async send(request) {
      requests.push(request);
      clock.set(new Date(clock.now().getTime() + 25));
      const answer = answers.shift() ?? new Error('no more answers');
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { requests, http };
}

async function tested(channel: Channel, answers: Array<HttpResponse | Error>, subject = TEST_PERSON) {
  const clock = new FakeClock(AT);
  const { requests, http } = receiver(answers, clock);
  const report = await makeTestDestination({ http, clock, timeoutMs: 1000 })(channel, subject);
  return { requests, report };
}

const json = (data: unknown): HttpResponse => ({ status: 200, body: JSON.stringify(data) });

describe('the webhook test', () => {
  const channel = makeWebhookChannel('https://lms.example.org/hooks', makeWebhookSigner(SECRET));

  it('POSTs a policy.test event, signed as real ones are, marked a test in its data', async () => {
    // Act
    const { requests, report } = await tested(channel, [{ status: 204, body: '' }]);

    // Assess
    const [request] = requests as [HttpRequest];
    const verified = makeWebhookVerifier(SECRET)(request.body, request.headers) as {
      type: string;
      data: Record<string, unknown>;
    };
    expect(verified.type).toBe(TEST_EVENT_TYPE);
    expect(verified.data).toMatchObject({
      test: true,
      employeeId: 'attest-test',
      email: 'attest-test@invalid',
    });
    expect(verified.data).not.toHaveProperty('assignmentId');
    expect(request.headers['webhook-id']).toMatch(/^msg_test_[0-9a-f]{32}$/);
    expect(report.outcome.healthy).toBe(true);
    expect(report.exchanges).toEqual([
      { method: 'POST', url: 'https://lms.example.org/hooks', status: 204, durationMs: 25, answer: '' },
    ]);
  });

  it('is unhealthy on a refusal or no answer, keeping the status or the network error', async () => {
    // Act
    const refused = await tested(channel, [{ status: 401, body: 'bad signature' }]);
    const down = await tested(channel, [
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
    ]);

    // Assess
    expect(refused.report.outcome).toEqual({ healthy: false, verdict: 'answered 401: not a 2xx' });
    expect(refused.report.exchanges[0]).toMatchObject({ status: 401, answer: 'bad signature' });
    expect(down.report.outcome.healthy).toBe(false);
    expect(down.report.exchanges[0]).toMatchObject({ status: null, error: 'ECONNREFUSED' });
  });
});

describe('the xAPI test', () => {
  const channel = makeXapiChannel({
    endpoint: 'https://lrs.example.org/xapi/',
    username: 'key',
    password: 'secret',
    accountHomePage: 'https://hr.example.org/',
    actor: 'account',
    activityBase: 'urn:attest:policies/',
  });

  it('PUTs an `experienced` statement about the test activity, never a policy version, with no result', async () => {
    // Act
    const { requests, report } = await tested(channel, [{ status: 204, body: '' }], ADA);

    // Assess
    const [request] = requests as [HttpRequest];
    const statement = JSON.parse(request.body) as Record<string, unknown> & { id: string };
    expect(statement).toMatchObject({
      actor: { account: { homePage: 'https://hr.example.org/', name: 'E1001' } },
      verb: { id: EXPERIENCED },
      object: { id: 'urn:attest:policies/attest-test' },
    });
    expect(statement).not.toHaveProperty('result');
    expect(request.url).toBe(`https://lrs.example.org/xapi/statements?statementId=${statement.id}`);
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from('key:secret').toString('base64')}`);
    expect(report.outcome).toMatchObject({ healthy: true });
  });
});

describe('the Moodle test', () => {
  const channel = makeMoodleChannel({
    url: 'https://moodle.example.org/',
    token: 'a1b2c3d4',
    userField: 'email',
    activities: new Map([['safe-internet-use', 123]]),
  });

  it('looks the starter up, and only that: one user is healthy, naming the id', async () => {
    // Act
    const { requests, report } = await tested(channel, [json([{ id: 42, email: 'ada@example.org' }])], ADA);

    // Assess
    expect(requests.map((r) => new URLSearchParams(r.body).get('wsfunction'))).toEqual([LOOKUP]);
    expect(report.outcome).toEqual({ healthy: true, verdict: 'Moodle user 42 has email ada@example.org' });
    expect(report.exchanges[0]?.url).toBe('https://moodle.example.org/webservice/rest/server.php');
  });

  it('is unhealthy for a starter Moodle does not know, or several, or a refused token', async () => {
    // Act
    const none = await tested(channel, [json([])], ADA);
    const two = await tested(channel, [json([{ id: 1 }, { id: 2 }])], ADA);
    const token = await tested(
      channel,
      [json({ exception: 'moodle_exception', errorcode: 'invalidtoken', message: 'Invalid token' })],
      ADA,
    );

    // Assess
    expect(none.report.outcome.verdict).toMatch(/^no Moodle user with email ada@example.org/);
    expect(two.report.outcome).toEqual({
      healthy: false,
      verdict: '2 Moodle users with email ada@example.org',
    });
    expect(token.report.outcome).toEqual({
      healthy: false,
      verdict: `${LOOKUP}: invalidtoken: Invalid token`,
    });
  });

  it('counts finding nobody healthy for the test person: the lookup itself worked', async () => {
    // Act
    const { report } = await tested(channel, [json([])]);

    // Assess
    expect(report.outcome.healthy).toBe(true);
    expect(report.outcome.verdict).toContain('no Moodle user with email attest-test@invalid');
  });
});

describe('answerStart', () => {
  it('keeps the first 200 bytes, never splitting a character', () => {
    // Assess
    expect(answerStart('a'.repeat(300))).toHaveLength(200);
    expect(answerStart(`${'a'.repeat(199)}é`)).toBe('a'.repeat(199));
    expect(answerStart('short')).toBe('short');
  });
});

describe('shownUrl', () => {
  it('drops credentials and hides secret-looking query values', () => {
    // Assess
    expect(shownUrl('https://u:p@lms.example.org/hook?token=abc&x=1')).toBe(
      'https://lms.example.org/hook?token=%E2%80%A6&x=1',
    );
  });
});

// The HttpClient on Node's http and https: the request as given (method included), redirects answered not followed, a hard timeout.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeHttpClient } from '#shared/adapters/http-client.ts';
import { TEST_PERSON } from '#shared/core/destinations/destination.ts';
import { makeMoodleChannel } from '#shared/core/destinations/moodle.ts';
import { makeWebhookChannel } from '#shared/core/destinations/webhook.ts';
import { makeXapiChannel } from '#shared/core/destinations/xapi.ts';
import { makeTestDestination } from '#shared/core/lms-test.ts';
import { makeWebhookSigner } from '#shared/core/webhooks.ts';
import type { HttpRequest } from '#shared/ports.ts';
import { anAssignment, anEvidence, aPolicy, aStarter, XAPI_SETTINGS } from '../../../support/fakes.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver on this machine: records each request and answers as `answer` says. */
let server: Server;
let base: string;
let received: Received[];
let answer: (res: ServerResponse) => void;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received = [];
  answer = (res) => res.writeHead(204).end();
});

describe('makeHttpClient', () => {
  it('sends a PUT as given: its url, headers and body', async () => {
    // Prepare
    answer = (res) => res.writeHead(204).end();

    // Act
    const response = await makeHttpClient().send(
      {
        method: 'PUT',
        url: `${base}/xapi/statements?statementId=st_1`,
        headers: { 'content-type': 'application/json', 'x-experience-api-version': '1.0.3' },
        body: '{"id":"st_1"}',
      },
      2000,
    );

    // Assess
    expect(response).toEqual({ status: 204, body: '', retryAfter: undefined });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      method: 'PUT',
      url: '/xapi/statements?statementId=st_1',
      headers: { 'content-type': 'application/json', 'x-experience-api-version': '1.0.3' },
      body: '{"id":"st_1"}',
    });
  });

  it('sends a POST as given, answering the status, the body and Retry-After', async () => {
    // Prepare
    answer = (res) => res.writeHead(503, { 'retry-after': '120' }).end('busy');

    // Act
    const response = await makeHttpClient().send(
      { method: 'POST', url: `${base}/hook`, headers: { 'webhook-id': 'msg_1' }, body: 'signed' },
      2000,
    );

    // Assess
    expect(response).toEqual({ status: 503, body: 'busy', retryAfter: '120' });
    expect(received[0]).toMatchObject({ method: 'POST', url: '/hook', body: 'signed' });
    expect(received[0]?.headers['webhook-id']).toBe('msg_1');
  });

  it('keeps only the start of a long answer', async () => {
    // Prepare
    answer = (res) => res.writeHead(422).end('x'.repeat(10_000));

    // Act
    const response = await makeHttpClient().send({ method: 'PUT', url: base, headers: {}, body: '' }, 2000);

    // Assess
    expect(response.status).toBe(422);
    expect(response.body).toBe('x'.repeat(4096));
  });

  it('answers a redirect rather than following it, so nothing goes elsewhere', async () => {
    // Prepare
    answer = (res) => res.writeHead(307, { location: `${base}/elsewhere` }).end();

    // Act
    const response = await makeHttpClient().send(
      { method: 'PUT', url: `${base}/statements`, headers: {}, body: '{}' },
      2000,
    );

    // Assess
    expect(response.status).toBe(307);
    expect(received.map((r) => r.url)).toEqual(['/statements']);
  });

  it('rejects when the receiver does not answer in time, as a TimeoutError', async () => {
    // Prepare
    answer = () => {};

    // Act
    const send = makeHttpClient().send({ method: 'PUT', url: base, headers: {}, body: '' }, 100);

    // Assess: the deliveries record a timeout by that name (shared/core/deliver.ts)
    await expect(send).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('rejects as a TimeoutError when the answer starts in time but its body does not end', async () => {
    // Prepare
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('part of it');
    };

    // Act
    const send = makeHttpClient().send({ method: 'PUT', url: base, headers: {}, body: '' }, 150);

    // Assess
    await expect(send).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('rejects with the network error code as its cause when nothing listens', async () => {
    // Prepare: a port just closed
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));

    // Act
    const send = makeHttpClient().send(
      { method: 'POST', url: `http://127.0.0.1:${port}/hook`, headers: {}, body: '{}' },
      2000,
    );

    // Assess: what the deliveries record for it (e.cause.code)
    await expect(send).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
  });

  it('refuses a url that is not http: or https:, sending nothing', async () => {
    // Act
    const send = makeHttpClient().send(
      { method: 'POST', url: 'ftp://127.0.0.1/hook', headers: {}, body: '' },
      2000,
    );

    // Assess
    await expect(send).rejects.toThrow(/ftp: is not http: or https:/);
    expect(received).toEqual([]);
  });

  it('sends the body with its length in bytes, not chunked', async () => {
    // Act
    const body = '{"name":"Zoë Ångström"}';
    await makeHttpClient().send(
      { method: 'POST', url: `${base}/hook`, headers: { 'content-type': 'application/json' }, body },
      2000,
    );

    // Assess
    expect(received[0]?.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(received[0]?.headers['transfer-encoding']).toBeUndefined();
    expect(received[0]?.body).toBe(body);
  });

  it('names attest and its version in User-Agent on every request (webhooks and statements alike)', async () => {
    // Prepare
    const { version } = JSON.parse(
      readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8'),
    );

    // Act
    await makeHttpClient().send({ method: 'POST', url: `${base}/hook`, headers: {}, body: '{}' }, 2000);
    await makeHttpClient().send({ method: 'PUT', url: `${base}/statements`, headers: {}, body: '{}' }, 2000);

    // Assess
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    expect(received.map((r) => r.headers['user-agent'])).toEqual([`attest/${version}`, `attest/${version}`]);
  });

  it("names attest on every destination's requests: deliveries and tests, webhook, xAPI and Moodle, whatever headers they set", async () => {
    // Prepare: each destination's channel pointed at this receiver
    const { version } = JSON.parse(
      readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8'),
    );
    answer = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    const channels = [
      makeWebhookChannel(`${base}/hook`, makeWebhookSigner(SECRET)),
      makeXapiChannel({ ...XAPI_SETTINGS, endpoint: `${base}/xapi/` }),
      makeMoodleChannel({
        url: `${base}/moodle/`,
        token: 'abc123',
        userField: 'email',
        activities: new Map([[aPolicy().policyId, 7]]),
      }),
    ];
    const http = makeHttpClient();
    const testDestination = makeTestDestination({ http, clock: { now: () => new Date() }, timeoutMs: 2000 });

    // Act
    for (const channel of channels) {
      await testDestination(channel, TEST_PERSON);
      // Owing each delivery, as an acknowledged assignment does, under its id.
      const assignment = anAssignment(aStarter(), aPolicy(), {
        webhook: { state: 'pending', attempts: 0, webhookId: 'wh_1' },
      });
      const [starter, evidence] = [aStarter(), anEvidence(aPolicy())];
      if ('request' in channel) {
        const request = channel.request(assignment, starter, evidence, new Date());
        await http.send({ ...request, headers: { ...request.headers, 'user-agent': 'other/1.0' } }, 2000);
      } else {
        const call = (request: HttpRequest) => http.send(request, 2000);
        await channel.send({
          assignment,
          starter,
          evidence,
          delivery: { state: 'pending', attempts: 0 },
          at: new Date(),
          call,
        });
      }
    }

    // Assess
    expect(received.map((r) => r.url)).toEqual([
      '/hook',
      '/hook',
      expect.stringMatching(/^\/xapi\/statements\?statementId=/),
      expect.stringMatching(/^\/xapi\/statements\?statementId=/),
      '/moodle/webservice/rest/server.php',
      '/moodle/webservice/rest/server.php',
    ]);
    expect(new Set(received.map((r) => r.headers['user-agent']))).toEqual(new Set([`attest/${version}`]));
  });
});

// The local gateway: requests become API Gateway v2 events; routing, limits and handler failures answer like API Gateway.
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { createGateway, type HttpHandler } from '../../../local/gateway.ts';

describe('createGateway', () => {
  let close: (() => void) | undefined;

  afterEach(() => close?.());

  async function serve(
    handler: HttpHandler,
    onError: (e: unknown) => void = () => undefined,
    extra: Parameters<typeof createGateway>[1] = {},
  ) {
    const server = createGateway(
      [
        { method: 'GET', path: '/ack/{token}', handler },
        { method: 'POST', path: '/ack/{token}', handler },
        { method: 'POST', path: '/v1/starters', handler },
      ],
      extra,
      onError,
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () => server.close();
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('hands the handler a payload 2.0 event with path parameters, headers and body', async () => {
    // Prepare
    let seen: APIGatewayProxyEventV2 | undefined;
    const base = await serve(async (event) => {
      seen = event;
      return { statusCode: 201, headers: { 'x-out': 'yes' }, body: 'done' };
    });

    // Act
    const response = await fetch(`${base}/ack/k1.abc%2Ddef?x=1`, {
      method: 'POST',
      headers: { 'X-Custom': 'Value', 'user-agent': 'tester' },
      body: 'fullName=Ada',
    });

    // Assess
    expect(response.status).toBe(201);
    expect(response.headers.get('x-out')).toBe('yes');
    expect(await response.text()).toBe('done');
    expect(seen?.version).toBe('2.0');
    expect(seen?.routeKey).toBe('POST /ack/{token}');
    expect(seen?.pathParameters).toEqual({ token: 'k1.abc-def' });
    expect(seen?.rawQueryString).toBe('x=1');
    expect(seen?.headers['x-custom']).toBe('Value');
    expect(seen?.requestContext.http).toMatchObject({
      method: 'POST',
      sourceIp: '127.0.0.1',
      userAgent: 'tester',
    });
    expect(Buffer.from(seen?.body ?? '', 'base64').toString()).toBe('fullName=Ada');
    expect(seen?.isBase64Encoded).toBe(true);
  });

  it('answers 404 and 405 as problem documents without calling a handler', async () => {
    // Prepare
    let calls = 0;
    const base = await serve(async () => {
      calls++;
      return { statusCode: 200 };
    });

    // Act
    const missing = await fetch(`${base}/nowhere`);
    const wrongMethod = await fetch(`${base}/ack/x`, { method: 'DELETE' });

    // Assess
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect(wrongMethod.status).toBe(405);
    expect(calls).toBe(0);
  });

  it('answers 500 and reports the error when a handler throws', async () => {
    // Prepare
    const errors: unknown[] = [];
    const base = await serve(
      async () => {
        throw new Error('boom');
      },
      (e) => errors.push(e),
    );

    // Act
    const response = await fetch(`${base}/ack/x`);

    // Assess
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('boom');
    expect(errors).toHaveLength(1);
  });

  it('refuses a body over the limit with 413', async () => {
    // Prepare
    const base = await serve(async () => ({ statusCode: 200 }));

    // Act
    const response = await fetch(`${base}/ack/x`, { method: 'POST', body: 'x'.repeat(2 * 1024 * 1024) });

    // Assess
    expect(response.status).toBe(413);
  });

  it.each(['/ack/%zz', '/ack/%', '/ack/%E0%A4%A', '/v1/%starters'])(
    'answers %s, a malformed percent-escape, 400 as API Gateway does, reporting no error',
    async (path) => {
      // Prepare
      let calls = 0;
      const errors: unknown[] = [];
      const base = await serve(
        async () => {
          calls++;
          return { statusCode: 200 };
        },
        (e) => errors.push(e),
      );

      // Act
      const response = await rawRequest(base, 'GET', path);

      // Assess
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(JSON.parse(response.body)).toMatchObject({ status: 400, title: 'Bad Request' });
      expect(calls).toBe(0);
      expect(errors).toEqual([]);
    },
  );

  it('says in Allow which methods a path has when it answers 405', async () => {
    // Prepare
    const base = await serve(async () => ({ statusCode: 200 }), undefined, {
      'GET /healthz': async (_req, res) => void res.writeHead(200).end('ok'),
    });

    // Act
    const ack = await fetch(`${base}/ack/x`, { method: 'DELETE' });
    const starters = await fetch(`${base}/v1/starters`);
    const health = await fetch(`${base}/healthz`, { method: 'POST' });

    // Assess
    expect([ack.status, starters.status, health.status]).toEqual([405, 405, 405]);
    expect(ack.headers.get('allow')).toBe('GET, POST');
    expect(starters.headers.get('allow')).toBe('POST');
    expect(health.headers.get('allow')).toBe('GET');
    expect(health.headers.get('content-type')).toBe('application/problem+json');
  });

  it('keeps a connection usable after refusing a body over the limit', async () => {
    // Prepare
    const base = await serve(async () => ({ statusCode: 200, body: 'handled' }));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });

    try {
      // Act: the same socket carries the refused request and the next
      const refused = await rawRequest(base, 'POST', '/ack/x', 'x'.repeat(3 * 1024 * 1024), agent);
      const next = await rawRequest(base, 'POST', '/ack/x', 'fullName=Ada', agent);

      // Assess
      expect(refused.status).toBe(413);
      expect(next.status).toBe(200);
      expect(next.body).toBe('handled');
      expect(next.socket).toBe(refused.socket);
    } finally {
      agent.destroy();
    }
  });
});

/** A request with its path sent exactly as written (fetch would not send every malformed path). */
function rawRequest(
  base: string,
  method: string,
  path: string,
  body?: string,
  agent?: Agent,
): Promise<{ status: number; headers: Record<string, unknown>; body: string; socket: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, agent: agent ?? false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, socket: req.socket }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

// The local HTTP gateway: turns requests into API Gateway v2 (payload 2.0) events for the same handlers.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export interface Route {
  method: string;
  /** An API Gateway route path such as `/ack/{token}`. */
  path: string;
  handler: HttpHandler;
}

/** Like API Gateway's payload limit, scaled down: nothing legitimate comes near it. */
const MAX_BODY_BYTES = 1024 * 1024;

/** A route path's parameters in `path`; a last `{name+}` takes the rest of the path (API Gateway's greedy variable). */
function match(routePath: string, path: string): Record<string, string> | undefined {
  const want = routePath.split('/');
  const got = path.split('/');
  const greedy = /^\{(\w+)\+\}$/.exec(want.at(-1) ?? '')?.[1];
  if (greedy ? got.length < want.length : want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  if (greedy) {
    const rest = got.slice(want.length - 1).join('/');
    if (!rest) return undefined;
    params[greedy] = decodeURIComponent(rest);
  }
  for (const [i, part] of (greedy ? want.slice(0, -1) : want).entries()) {
    const value = got[i] as string;
    if (part.startsWith('{') && part.endsWith('}')) {
      if (!value) return undefined;
      params[part.slice(1, -1)] = decodeURIComponent(value);
    } else if (part !== value) return undefined;
  }
  return params;
}

/**
 * The body, or undefined when it is over the limit. A refused body is still read to its end (and
 * dropped): leaving the loop early destroys the request, and with it the keep-alive connection
 * the client is about to send its next request on.
 */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks);
}

/** Whether every percent-escape in the path is well formed UTF-8; API Gateway answers 400 otherwise. */
function wellEncoded(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  route: Route,
  params: Record<string, string>,
  body: Buffer,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  // Payload 2.0 hands cookies over as a list of `name=value`, not as a header.
  const cookies = headers.cookie?.split(/;\s*/).filter(Boolean);
  delete headers.cookie;
  const now = new Date();
  const routeKey = `${route.method} ${route.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies?.length && { cookies }),
    headers,
    pathParameters: params,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: {
        method: route.method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    // API Gateway base64-encodes bodies that are not text; the handlers accept both.
    body: body.length ? body.toString('base64') : undefined,
    isBase64Encoded: body.length > 0,
  };
}

function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  // Each of the result's cookies is a Set-Cookie header of its own, as API Gateway sends them.
  const cookies = result.cookies?.length ? { 'set-cookie': result.cookies } : {};
  res.writeHead(result.statusCode ?? 200, { ...(result.headers as Record<string, string>), ...cookies });
  res.end(result.body && result.isBase64Encoded ? Buffer.from(result.body, 'base64') : (result.body ?? ''));
}

function problem(
  res: ServerResponse,
  status: number,
  title: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/problem+json', ...headers });
  res.end(JSON.stringify({ type: 'about:blank', title, status }));
}

/** Serves `routes`, plus any `extra` handlers (health) that are not Lambda routes. */
export function createGateway(
  routes: Route[],
  extra: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>>,
  onError: (error: unknown) => void,
): Server {
  return createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (!wellEncoded(url.pathname)) return problem(res, 400, 'Bad Request');
      const own = extra[`${req.method} ${url.pathname}`];
      if (own) return await own(req, res);
      let candidates = routes
        .map((r) => ({ route: r, params: match(r.path, url.pathname) }))
        .filter((c) => c.params);
      // `/console/` is `/console`'s page, as API Gateway serves a route with or without its last slash.
      if (!candidates.length && url.pathname.length > 1 && url.pathname.endsWith('/')) {
        const trimmed = url.pathname.slice(0, -1);
        candidates = routes
          .map((r) => ({ route: r, params: match(r.path, trimmed) }))
          .filter((c) => c.params);
      }
      const methods = [
        ...candidates.map((c) => c.route.method),
        ...Object.keys(extra)
          .filter((key) => key.endsWith(` ${url.pathname}`))
          .map((key) => key.slice(0, key.indexOf(' '))),
      ];
      if (methods.length === 0) return problem(res, 404, 'Not Found');
      const hit = candidates.find((c) => c.route.method === req.method);
      if (!hit?.params) {
        return problem(res, 405, 'Method Not Allowed', { allow: [...new Set(methods)].join(', ') });
      }
      const body = await readBody(req);
      if (body === undefined) return problem(res, 413, 'Payload Too Large');
      send(res, await hit.route.handler(toEvent(req, url, hit.route, hit.params, body)));
    } catch (error) {
      // A handler that throws is a 500 on API Gateway too.
      onError(error);
      if (!res.headersSent) problem(res, 500, 'Internal Server Error');
    }
  });
}

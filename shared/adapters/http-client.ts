// The HttpClient port on Node's http and https: a hard timeout, redirects returned rather than followed, and a User-Agent naming attest and its version.
import type { IncomingMessage } from 'node:http';
import pkg from '../../package.json' with { type: 'json' };
import type { HttpClient, HttpResponse } from '../ports.ts';

/** The most of a response body kept, for diagnosing a rejecting receiver. */
const MAX_BODY = 4096;

/**
 * Who is calling, for a receiver's logs and support desk (RFC 9110 10.1.5). The version is read
 * from package.json at load; esbuild inlines the JSON into the Lambda bundle, so it is the built one.
 */
export const USER_AGENT = `attest/${pkg.version}`;

/**
 * Node's client for `url`'s scheme, taken as the built-in's own object: the SDK has loaded both at
 * the function's start. Not `fetch`: on Node 22 its first call loads undici (about 30 ms of the
 * first delivery of every new LMS push container, measured here), and an ES import of node:http
 * reads `WebSocket`, which loads it too (shared/adapters/secrets.ts).
 */
function transportFor(url: URL) {
  if (url.protocol === 'https:') return process.getBuiltinModule('node:https');
  if (url.protocol === 'http:') return process.getBuiltinModule('node:http');
  throw new TypeError(`${url.protocol} is not http: or https:`);
}

/** A header as sent: Node gives a repeated header as an array; Retry-After is never one. */
const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(', ') : value);

/**
 * Rejections as the deliveries read them (shared/core/deliver.ts): a timeout named `TimeoutError`,
 * a network error with its code (`ECONNREFUSED`, `ENOTFOUND`…) as the cause's, as fetch gave them.
 */
function failure(error: Error & { code?: string }, timedOut: boolean): Error {
  if (timedOut)
    return Object.assign(new Error('no answer in time', { cause: error }), { name: 'TimeoutError' });
  return new Error(`request failed${error.code ? ` (${error.code})` : ''}`, { cause: error });
}

export function makeHttpClient(): HttpClient {
  return {
    send({ method, url, headers, body }, timeoutMs) {
      return new Promise<HttpResponse>((resolve, reject) => {
        const target = new URL(url);
        const timeout = AbortSignal.timeout(timeoutMs);
        let settled = false;
        const fail = (error: Error) => {
          if (settled) return;
          settled = true;
          reject(failure(error, timeout.aborted));
        };
        // A redirect is the receiver's misconfiguration; following it would send signed data
        // elsewhere (Node's client never follows one). The timeout covers the answer's body too.
        const request = transportFor(target).request(
          target,
          {
            method,
            // Last, so no channel's headers can hide who is calling; the length as fetch sent it.
            headers: {
              ...headers,
              'content-length': String(Buffer.byteLength(body)),
              'user-agent': USER_AGENT,
            },
            signal: timeout,
          },
          (response: IncomingMessage) => {
            let text = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => {
              // Read to the end (the connection is then reused), keeping only the start.
              if (text.length < MAX_BODY) text += chunk;
            });
            response.on('error', fail);
            // Cut off before its end (the timeout, or the receiver closing mid-answer).
            response.on('close', () => {
              if (!response.complete) fail(new Error('the answer was cut off'));
            });
            response.on('end', () => {
              if (settled) return;
              settled = true;
              resolve({
                status: response.statusCode ?? 0,
                body: text.slice(0, MAX_BODY),
                retryAfter: single(response.headers['retry-after']),
              });
            });
          },
        );
        request.on('error', fail);
        request.end(body);
      });
    },
  };
}

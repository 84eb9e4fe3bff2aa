// The HttpClient port on fetch: a hard timeout, redirects returned rather than followed, and a User-Agent naming attest and its version.
import pkg from '../../package.json' with { type: 'json' };
import type { HttpClient } from '../ports.ts';

/** The most of a response body kept, for diagnosing a rejecting receiver. */
const MAX_BODY = 4096;

/**
 * Who is calling, for a receiver's logs and support desk (RFC 9110 10.1.5). The version is read
 * from package.json at load; esbuild inlines the JSON into the Lambda bundle, so it is the built one.
 */
export const USER_AGENT = `attest/${pkg.version}`;

export function makeHttpClient(): HttpClient {
  return {
    async send({ method, url, headers, body }, timeoutMs) {
      // A redirect is the receiver's misconfiguration; following it would send signed data elsewhere.
      const response = await fetch(url, {
        method,
        // Last, so no channel's headers can hide who is calling.
        headers: { ...headers, 'user-agent': USER_AGENT },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      return {
        status: response.status,
        body: text.slice(0, MAX_BODY),
        retryAfter: response.headers.get('retry-after') ?? undefined,
      };
    },
  };
}

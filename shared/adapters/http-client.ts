// The HttpClient port on fetch: a hard timeout, and redirects returned rather than followed.
import type { HttpClient } from '../ports.ts';

/** The most of a response body kept, for diagnosing a rejecting receiver. */
const MAX_BODY = 4096;

export function makeHttpClient(): HttpClient {
  return {
    async send({ method, url, headers, body }, timeoutMs) {
      // A redirect is the receiver's misconfiguration; following it would send signed data elsewhere.
      const response = await fetch(url, {
        method,
        headers,
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

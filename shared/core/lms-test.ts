// Use case: test a destination's settings (`attest lms test`) with requests that record nothing, and report each exchange and the verdict.
import type { Clock, HttpClient, HttpRequest, HttpResponse } from '../ports.ts';
import { answerStart, type Channel, type TestOutcome, type TestSubject } from './destinations/destination.ts';

/** One request of a test and what came back, as the operator is shown it (no secret in it). */
export interface TestExchange {
  method: string;
  /** The URL without credentials or secret-looking query values (the secrets travel in headers and bodies). */
  url: string;
  /** The HTTP status; null when there was none. */
  status: number | null;
  /** Why there was no answer (`TimeoutError`, `ECONNREFUSED`). */
  error?: string;
  durationMs: number;
  /** The first 200 bytes of the answer. */
  answer: string;
}

export interface TestReport {
  exchanges: TestExchange[];
  outcome: TestOutcome;
}

export interface TestDeps {
  http: HttpClient;
  clock: Clock;
  /** LMS_TIMEOUT: each request's, as for deliveries. */
  timeoutMs: number;
}

const SECRET_PARAMETER = /token|key|secret|password|sig/i;

/** A URL safe to print: no user info, secret-looking query values hidden. */
export function shownUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMETER.test(name)) parsed.searchParams.set(name, '…');
  }
  return parsed.toString();
}

/** Why a request had no answer, in a word: the network error's code, or the error's name. */
function reasonOf(error: unknown): string {
  const e = error as { name?: string; cause?: { code?: string } };
  return e?.cause?.code ?? e?.name ?? 'Error';
}

/**
 * Tests one destination's channel for `subject`:
 * 1. The channel's own test sends its requests (none records an agreement), each under LMS_TIMEOUT
 *    and with attest's User-Agent, as deliveries are sent.
 * 2. Each exchange is kept: method, URL, status or network error, duration, the answer's start.
 * 3. The channel reads the answers: healthy or not, and why.
 * Nothing is written to the table; nothing is logged (answers may hold a person's address).
 */
export function makeTestDestination(deps: TestDeps) {
  return async function testDestination(channel: Channel, subject: TestSubject): Promise<TestReport> {
    if (!channel.test) throw new RangeError('this destination has no test');
    const exchanges: TestExchange[] = [];
    const call = async (request: HttpRequest): Promise<HttpResponse | null> => {
      const started = deps.clock.now().getTime();
      const shown = { method: request.method, url: shownUrl(request.url) };
      try {
        const response = await deps.http.send(request, deps.timeoutMs);
        const durationMs = deps.clock.now().getTime() - started;
        exchanges.push({ ...shown, status: response.status, durationMs, answer: answerStart(response.body) });
        return response;
      } catch (error) {
        const durationMs = deps.clock.now().getTime() - started;
        exchanges.push({ ...shown, status: null, error: reasonOf(error), durationMs, answer: '' });
        return null;
      }
    };
    const outcome = await channel.test(subject, call, deps.clock.now());
    return { exchanges, outcome };
  };
}

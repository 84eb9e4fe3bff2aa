// The HTTP edge: reading API Gateway v2 events and writing JSON, problem documents and pages.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { errorLocation } from '../adapters/stack-map.ts';
import { AttestError, ErasedError, SignatureError, ValidationError } from '../core/errors.ts';
import type { Logger } from '../ports.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export function rawBody(event: HttpEvent): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** API Gateway v2 lower-cases header names; the local gateway does the same. */
export function headers(event: HttpEvent): Record<string, string | undefined> {
  return event.headers ?? {};
}

/**
 * Whether a form POST came from `origin`'s own pages, as a browser tells it — the cross-site check
 * of Go's `http.CrossOriginProtection` (Fetch Metadata, then Origin): a browser that sends
 * `Sec-Fetch-Site` is believed (`same-origin`, or `none` for one the person made themselves, say
 * from a bookmark); one that sends only `Origin` must name `origin`; a request with neither is not
 * a browser's, so no one's browser was made to send it (a forged cross-site request needs one).
 */
export function fromOwnPages(requestHeaders: Record<string, string | undefined>, origin: string): boolean {
  const site = requestHeaders['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const from = requestHeaders.origin;
  return from === undefined || from === origin;
}

/** `application/json`, with at most `charset=utf-8` (JSON exchanged between systems is UTF-8: RFC 8259). */
const JSON_MEDIA_TYPE = /^application\/json[ \t]*(;[ \t]*charset[ \t]*=[ \t]*(utf-8|"utf-8")[ \t]*)?$/i;

/** Refuses a request whose body is not declared JSON (415), before its signature or content is looked at. */
export function requireJson(event: HttpEvent): void {
  const type = headers(event)['content-type']?.trim();
  if (type === undefined || !JSON_MEDIA_TYPE.test(type)) {
    throw new AttestError(
      'request.unsupported_media_type',
      'The body must be JSON, sent with Content-Type: application/json.',
    );
  }
}

export function json(statusCode: number, body: unknown): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extension: string]: unknown;
}

function problem(p: Problem): HttpResult {
  return {
    statusCode: p.status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify(p),
  };
}

const typeOf = (code: string) => `urn:attest:problem:${code}`;

/** RFC 6901: `data.email` → `/data/email`; the whole body → the empty pointer. */
function jsonPointer(field: string): string {
  if (field === '(root)') return '';
  return field
    .split('.')
    .map((segment) => `/${segment.replace(/~/g, '~0').replace(/\//g, '~1')}`)
    .join('');
}

/** The problem document of an error that is safe to show (the request was refused), if it is one. */
function refusal(error: unknown): Problem | undefined {
  if (error instanceof ValidationError) {
    return {
      type: typeOf(error.code),
      title: 'The request is invalid',
      status: 400,
      detail: `${error.issues.length} field(s) are invalid: ${error.issues.map((i) => i.field).join(', ')}.`,
      errors: error.issues.map((i) => ({
        field: i.field,
        pointer: jsonPointer(i.field),
        detail: i.message,
      })),
    };
  }
  if (error instanceof SignatureError) {
    return {
      type: typeOf(error.code),
      title: 'Unauthorized',
      status: 401,
      detail: 'The webhook signature is missing, invalid or too old.',
    };
  }
  if (error instanceof ErasedError) {
    return { type: typeOf(error.code), title: 'Erased', status: 409, detail: error.message };
  }
  if (error instanceof AttestError && error.code === 'request.too_large') {
    return { type: typeOf(error.code), title: 'Payload too large', status: 413, detail: error.message };
  }
  if (error instanceof AttestError && error.code === 'request.unsupported_media_type') {
    return { type: typeOf(error.code), title: 'Unsupported Media Type', status: 415, detail: error.message };
  }
  return undefined;
}

/**
 * Maps an error to an RFC 9457 problem document. Only AttestErrors say anything specific, and each
 * refusal leaves a log line (its status, problem type and the fields named; never the body); any
 * other error is logged once (with no personal data) and answered with a generic 500.
 */
export function toProblem(error: unknown, logger: Pick<Logger, 'warn' | 'error'>): HttpResult {
  const refused = refusal(error);
  if (refused) {
    logger.warn('request refused', {
      status: refused.status,
      type: refused.type,
      ...(error instanceof ValidationError && { fields: error.issues.map((i) => i.field) }),
    });
    return problem(refused);
  }
  logger.error('unhandled error', {
    error: error instanceof Error ? error.name : typeof error,
    code: (error as AttestError)?.code,
    at: errorLocation(error),
  });
  return problem({
    type: 'about:blank',
    title: 'Internal Server Error',
    status: 500,
    detail: 'Something went wrong; try again later.',
  });
}

/**
 * Headers for every page: nothing cached, nothing framed, and the address (an acknowledgement
 * page's holds its token) sent as a Referer to the page's own origin alone — `same-origin`, not
 * `no-referrer`, under which a browser's form POST says `Origin: null` and the cross-site check
 * (fromOwnPages) could not tell the page's own forms from another site's.
 */
export function pageHeaders(csp: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': csp,
    'referrer-policy': 'same-origin',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'strict-transport-security': 'max-age=63072000; includeSubDomains',
  };
}

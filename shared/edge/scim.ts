// The SCIM edge: the identity provider's bearer token, SCIM's media type, and RFC 7644 error documents for what never reaches the service.
import { createHash, timingSafeEqual } from 'node:crypto';
import { errorLocation } from '../adapters/stack-map.ts';
import { errorBody, type ScimRequest, type ScimResponse } from '../core/scim/service.ts';
import type { Logger } from '../ports.ts';
import { type HttpEvent, type HttpResult, headers, rawBody } from './http.ts';

/** Where the SCIM service is below the API's base. */
export const SCIM_PREFIX = '/scim/v2';
/** No user comes near this; a larger body is refused whole (413). */
const MAX_BODY_BYTES = 256 * 1024;
/** No user or PatchOp nests past a handful of levels; a deeper body is refused (400) before any code walks it. */
const MAX_BODY_DEPTH = 32;
/** SCIM's own media type (RFC 7644 §3.1); plain JSON is accepted too, as Okta and Entra ID may send either. */
const SCIM_MEDIA_TYPE = /^application\/(scim\+)?json[ \t]*(;[ \t]*charset[ \t]*=[ \t]*("?utf-8"?)[ \t]*)?$/i;

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Whether `authorization` is `Bearer <token>`, compared in constant time (over digests, so lengths too). */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const given = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '')?.[1];
  return given !== undefined && timingSafeEqual(digest(given), digest(token));
}

export function scimResult(status: number, body?: unknown, extra: Record<string, string> = {}): HttpResult {
  return {
    statusCode: status,
    headers: { ...(body !== undefined && { 'content-type': 'application/scim+json' }), ...extra },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  };
}

const refuse = (
  status: number,
  scimType: string | undefined,
  detail: string,
  extra?: Record<string, string>,
) => scimResult(status, errorBody(status, scimType, detail), extra);

const refused = (...args: Parameters<typeof refuse>) => ({ refused: refuse(...args) });

/**
 * The SCIM request an API event carries, or the error document answering it: 401 without the
 * token, 415 for a body not JSON, 413 for one too large, 400 (invalidSyntax) for one not parsed.
 */
export function readScimRequest(
  event: HttpEvent,
  token: string,
): { request: ScimRequest } | { refused: HttpResult } {
  const h = headers(event);
  if (!bearerMatches(h.authorization, token)) {
    return refused(401, undefined, 'Send the SCIM token as Authorization: Bearer <token>.', {
      'www-authenticate': 'Bearer realm="attest SCIM"',
    });
  }
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath.startsWith(SCIM_PREFIX)
    ? event.rawPath.slice(SCIM_PREFIX.length)
    : event.rawPath;
  const request: ScimRequest = {
    method,
    path: path.replace(/\/+$/, '') || '/',
    query: new URLSearchParams(event.rawQueryString ?? ''),
    ...(h['if-match'] !== undefined && { ifMatch: h['if-match'] }),
  };
  if (!['POST', 'PUT', 'PATCH'].includes(method)) return { request };
  const type = h['content-type']?.trim();
  if (type === undefined || !SCIM_MEDIA_TYPE.test(type)) {
    return refused(415, undefined, 'Send the body as application/scim+json (or application/json), UTF-8.');
  }
  const body = rawBody(event);
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
    return refused(413, undefined, `The body must be at most ${MAX_BODY_BYTES} bytes.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return refused(400, 'invalidSyntax', 'The body is not JSON.');
  }
  // The service walks a body recursively: one nested thousands deep would end in a RangeError (500).
  if (deeperThan(parsed, MAX_BODY_DEPTH)) {
    return refused(400, 'invalidSyntax', `The body nests deeper than ${MAX_BODY_DEPTH} levels.`);
  }
  return { request: { ...request, body: parsed } };
}

/** Whether `value` holds arrays or objects nested more than `limit` deep (walked without recursion). */
function deeperThan(value: unknown, limit: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [node, depth] = next;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return false;
}

/** The service's answer as the API's, with the user's ETag and, when created, its Location. */
export function toScimResult(response: ScimResponse): HttpResult {
  return scimResult(response.status, response.body, {
    ...(response.etag && { etag: response.etag }),
    ...(response.location && { location: response.location }),
  });
}

/** A failure the service did not answer: logged without personal data, answered 500 (the provider retries). */
export function scimFailure(error: unknown, logger: Pick<Logger, 'error'>): HttpResult {
  logger.error('unhandled error', {
    error: error instanceof Error ? error.name : typeof error,
    at: errorLocation(error),
  });
  return refuse(500, undefined, 'Something went wrong; the request may be sent again.');
}

/** The base of the service as the provider reaches it: PUBLIC_BASE_URL's, else the API's own host. */
export function scimBase(event: HttpEvent, publicBaseUrl: string | undefined): string {
  const origin = publicBaseUrl || `https://${event.requestContext.domainName}`;
  return `${origin.replace(/\/$/, '')}${SCIM_PREFIX}`;
}

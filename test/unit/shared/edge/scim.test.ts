// The SCIM edge: the bearer token compared whole, SCIM's media types, and requests refused before the service as RFC 7644 errors.
import { describe, expect, it } from 'vitest';
import type { HttpEvent } from '#shared/edge/http.ts';
import { bearerMatches, readScimRequest, scimBase } from '#shared/edge/scim.ts';

const TOKEN = 'a-scim-token-of-at-least-thirty-two-chars';

function event(method: string, path: string, headers: Record<string, string> = {}, body?: string): HttpEvent {
  return {
    rawPath: path,
    rawQueryString: 'filter=userName+eq+%22a%40b.example%22',
    headers: { authorization: `Bearer ${TOKEN}`, ...headers },
    requestContext: { http: { method }, domainName: 'abc.execute-api.eu-west-2.amazonaws.com' },
    ...(body !== undefined && { body, isBase64Encoded: false }),
  } as unknown as HttpEvent;
}

describe('bearerMatches', () => {
  it.each([
    [`Bearer ${TOKEN}`, true],
    [`bearer   ${TOKEN} `, true],
    [`Bearer ${TOKEN}x`, false],
    [`Bearer ${TOKEN.slice(0, -1)}`, false],
    [`Basic ${TOKEN}`, false],
    [TOKEN, false],
    ['', false],
  ])('%j → %s', (header, expected) => {
    expect(bearerMatches(header, TOKEN)).toBe(expected);
  });
});

describe('readScimRequest', () => {
  it('reads the path below /scim/v2, the query with + as a space, and If-Match', () => {
    // Act
    const read = readScimRequest(event('GET', '/scim/v2/Users/', { 'if-match': 'W/"2"' }), TOKEN);

    // Assess
    expect('request' in read && read.request).toMatchObject({
      method: 'GET',
      path: '/Users',
      ifMatch: 'W/"2"',
    });
    expect('request' in read && read.request.query.get('filter')).toBe('userName eq "a@b.example"');
  });

  it.each([
    ['application/scim+json; charset=utf-8', 'request'],
    ['application/json', 'request'],
    ['Application/SCIM+JSON', 'request'],
    ['text/plain', 415],
    ['application/scim+json; charset=latin1', 415],
  ])('a body sent as %s → %s', (type, outcome) => {
    // Act
    const read = readScimRequest(
      event('POST', '/scim/v2/Users', { 'content-type': type }, '{"userName":"a"}'),
      TOKEN,
    );

    // Assess
    if (outcome === 'request') expect('request' in read && read.request.body).toEqual({ userName: 'a' });
    else expect('refused' in read && read.refused.statusCode).toBe(outcome);
  });

  it('refuses a missing token with 401, a Bearer challenge and an error document', () => {
    // Act
    const read = readScimRequest(event('GET', '/scim/v2/Users', { authorization: '' }), TOKEN);

    // Assess
    expect('refused' in read && read.refused).toMatchObject({
      statusCode: 401,
      headers: { 'content-type': 'application/scim+json', 'www-authenticate': 'Bearer realm="attest SCIM"' },
    });
    expect(JSON.parse(('refused' in read && (read.refused.body as string)) || '{}')).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '401',
    });
  });

  it('refuses a body that is not JSON (400 invalidSyntax) or too large (413)', () => {
    // Act
    const broken = readScimRequest(
      event('PUT', '/scim/v2/Users/1', { 'content-type': 'application/json' }, '{'),
      TOKEN,
    );
    const large = readScimRequest(
      event('PUT', '/scim/v2/Users/1', { 'content-type': 'application/json' }, `"${'x'.repeat(300_000)}"`),
      TOKEN,
    );

    // Assess
    expect('refused' in broken && JSON.parse(broken.refused.body as string)).toMatchObject({
      status: '400',
      scimType: 'invalidSyntax',
    });
    expect('refused' in large && large.refused.statusCode).toBe(413);
  });
});

describe('scimBase', () => {
  it('refuses a body nested deeper than 32 levels (400 invalidSyntax) and takes one 32 deep', () => {
    // Prepare
    const nested = (depth: number) => `{"userName":"a","x":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    const type = { 'content-type': 'application/scim+json' };

    // Act
    const deep = readScimRequest(event('POST', '/scim/v2/Users', type, nested(33)), TOKEN);
    const deepest = readScimRequest(event('POST', '/scim/v2/Users', type, nested(32)), TOKEN);
    const thousands = readScimRequest(event('POST', '/scim/v2/Users', type, nested(50_000)), TOKEN);

    // Assess
    for (const read of [deep, thousands]) {
      expect('refused' in read && read.refused.statusCode).toBe(400);
      expect(JSON.parse(('refused' in read && (read.refused.body as string)) || '{}')).toMatchObject({
        scimType: 'invalidSyntax',
      });
    }
    expect('request' in deepest && deepest.request.body).toMatchObject({ userName: 'a' });
  });

  it('is below PUBLIC_BASE_URL when set, else the API host the request came to', () => {
    expect(scimBase(event('GET', '/scim/v2/Users'), 'https://onboarding.example.org/')).toBe(
      'https://onboarding.example.org/scim/v2',
    );
    expect(scimBase(event('GET', '/scim/v2/Users'), undefined)).toBe(
      'https://abc.execute-api.eu-west-2.amazonaws.com/scim/v2',
    );
  });
});

// Problem documents (RFC 9457) at the HTTP edge: specific for errors safe to show, generic for the rest.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttestError, SignatureError, TokenError, ValidationError } from '#shared/core/errors.ts';
import type { HttpEvent } from '#shared/edge/http.ts';
import {
  fromOwnPages,
  headers,
  json,
  pageHeaders,
  rawBody,
  requireJson,
  toProblem,
} from '#shared/edge/http.ts';

/** Records errors in `logged` and warnings in `warned`. */
function recordingLogger() {
  const logged: Array<[string, Record<string, unknown> | undefined]> = [];
  const warned: Array<[string, Record<string, unknown> | undefined]> = [];
  return {
    logged,
    warned,
    error: (message: string, extra?: Record<string, unknown>) => logged.push([message, extra]),
    warn: (message: string, extra?: Record<string, unknown>) => warned.push([message, extra]),
  };
}

const bodyOf = (result: { body?: string }) => JSON.parse(result.body ?? 'null');

describe('toProblem', () => {
  it('answers a validation error with a 400 listing each bad field with a JSON pointer', () => {
    // Prepare
    const logger = recordingLogger();
    const error = new ValidationError('starter.invalid', [
      { field: 'data.email', message: 'Not an email address.' },
      { field: 'data.manager.email', message: 'Not an email address.' },
      { field: 'type', message: 'Expected starter.created, starter.updated or starter.cancelled.' },
    ]);

    // Act
    const result = toProblem(error, logger);

    // Assess
    expect(result.statusCode).toBe(400);
    expect(result.headers).toEqual({ 'content-type': 'application/problem+json' });
    expect(bodyOf(result)).toEqual({
      type: 'urn:attest:problem:starter.invalid',
      title: 'The request is invalid',
      status: 400,
      detail: '3 field(s) are invalid: data.email, data.manager.email, type.',
      errors: [
        { field: 'data.email', pointer: '/data/email', detail: 'Not an email address.' },
        { field: 'data.manager.email', pointer: '/data/manager/email', detail: 'Not an email address.' },
        {
          field: 'type',
          pointer: '/type',
          detail: 'Expected starter.created, starter.updated or starter.cancelled.',
        },
      ],
    });
    expect(logger.logged).toEqual([]);
  });

  it('points at the whole document when the body itself is wrong', () => {
    // Act: toFieldIssues names an issue at the root "(root)"
    const result = toProblem(
      new ValidationError('starter.invalid', [{ field: '(root)', message: 'Expected object.' }]),
      recordingLogger(),
    );

    // Assess: RFC 6901's pointer to the whole document is the empty string
    expect(bodyOf(result).errors).toEqual([{ field: '(root)', pointer: '', detail: 'Expected object.' }]);
  });

  it('answers a signature failure with a 401 that says nothing of why', () => {
    // Prepare
    const logger = recordingLogger();

    // Act
    const result = toProblem(
      new SignatureError({ cause: new Error('timestamp too old: 1700000000') }),
      logger,
    );

    // Assess
    expect(result.statusCode).toBe(401);
    expect(bodyOf(result)).toEqual({
      type: 'urn:attest:problem:signature.invalid',
      title: 'Unauthorized',
      status: 401,
      detail: 'The webhook signature is missing, invalid or too old.',
    });
    expect(result.body).not.toContain('1700000000');
  });

  it('answers a request that is too large with a 413', () => {
    // Act
    const result = toProblem(
      new AttestError('request.too_large', 'The body exceeds 64 KiB.'),
      recordingLogger(),
    );

    // Assess
    expect(result.statusCode).toBe(413);
    expect(bodyOf(result)).toMatchObject({
      type: 'urn:attest:problem:request.too_large',
      detail: 'The body exceeds 64 KiB.',
    });
  });

  it.each([
    ['an unknown error', new Error('ConditionalCheckFailed on table attest-prod for ada@example.org')],
    ['a domain error it has no mapping for', new TokenError('token.invalid', { cause: 'ada@example.org' })],
    ['a thrown string', 'ada@example.org broke it'],
    ['undefined', undefined],
  ])('answers %s with a generic 500 that never leaks the message', (_, error) => {
    // Prepare
    const logger = recordingLogger();

    // Act
    const result = toProblem(error, logger);

    // Assess
    expect(result.statusCode).toBe(500);
    expect(result.headers).toEqual({ 'content-type': 'application/problem+json' });
    expect(bodyOf(result)).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'Something went wrong; try again later.',
    });
    expect(logger.logged).toHaveLength(1);
    expect(JSON.stringify(logger.logged)).not.toContain('ada@example.org');
  });

  it.each([
    [
      'an invalid event, naming its fields',
      new ValidationError('starter.invalid', [
        { field: 'data.givenName', message: 'Holds a control character.' },
      ]),
      { status: 400, type: 'urn:attest:problem:starter.invalid', fields: ['data.givenName'] },
    ],
    [
      'a bad signature',
      new SignatureError({ cause: new Error('ada@example.org') }),
      { status: 401, type: 'urn:attest:problem:signature.invalid' },
    ],
    [
      'a body too large',
      new AttestError('request.too_large', 'The body exceeds 64 KiB.'),
      { status: 413, type: 'urn:attest:problem:request.too_large' },
    ],
  ])('leaves one log line for %s: status and problem type, never the body', (_, error, line) => {
    // Prepare
    const logger = recordingLogger();

    // Act
    toProblem(error, logger);

    // Assess
    expect(logger.warned).toEqual([['request refused', line]]);
    expect(JSON.stringify(logger.warned)).not.toContain('ada@example.org');
  });

  it('logs an unknown error by its name only', () => {
    // Prepare
    const logger = recordingLogger();
    const error = Object.assign(new Error('secret detail'), {
      name: 'ProvisionedThroughputExceededException',
    });

    // Act
    toProblem(error, logger);

    // Assess
    expect(logger.logged).toEqual([
      [
        'unhandled error',
        {
          error: 'ProvisionedThroughputExceededException',
          code: undefined,
          // Where it was thrown (this test), never its message
          at: expect.stringMatching(/^test\/unit\/shared\/edge\/http\.test\.ts:\d+:\d+$/),
        },
      ],
    ]);
  });
});

describe('rawBody and headers', () => {
  const event = (body: string | undefined, isBase64Encoded: boolean) =>
    ({ body, isBase64Encoded, headers: { 'webhook-id': 'msg_1' } }) as unknown as HttpEvent;

  it('decodes a base64 body and passes a plain one through', () => {
    // Assess
    expect(rawBody(event(Buffer.from('{"a":"é"}').toString('base64'), true))).toBe('{"a":"é"}');
    expect(rawBody(event('{"a":1}', false))).toBe('{"a":1}');
    expect(rawBody(event(undefined, false))).toBe('');
    expect(headers(event('', false))).toEqual({ 'webhook-id': 'msg_1' });
  });
});

describe('json and pageHeaders', () => {
  it('writes JSON, and pages that are never cached or framed, sent as a Referer to their own origin alone', () => {
    // Act
    const result = json(202, { ok: true });
    const page = pageHeaders("default-src 'none'");

    // Assess
    expect(result).toEqual({
      statusCode: 202,
      headers: { 'content-type': 'application/json' },
      body: '{"ok":true}',
    });
    expect(page).toMatchObject({
      'content-security-policy': "default-src 'none'",
      'referrer-policy': 'same-origin',
      'cache-control': 'no-store',
      'x-frame-options': 'DENY',
    });
  });
});

describe('fromOwnPages', () => {
  const ORIGIN = 'https://attest.example.org';

  it('takes a browser’s word from Sec-Fetch-Site, then from Origin', () => {
    // Assess: Fetch Metadata first (a bookmark or a typed address is `none`)
    expect(fromOwnPages({ 'sec-fetch-site': 'same-origin', origin: 'https://evil.example' }, ORIGIN)).toBe(
      true,
    );
    expect(fromOwnPages({ 'sec-fetch-site': 'none' }, ORIGIN)).toBe(true);
    expect(fromOwnPages({ 'sec-fetch-site': 'same-site', origin: ORIGIN }, ORIGIN)).toBe(false);
    expect(fromOwnPages({ 'sec-fetch-site': 'cross-site', origin: ORIGIN }, ORIGIN)).toBe(false);
    expect(fromOwnPages({ 'sec-fetch-site': '' }, ORIGIN)).toBe(false);
    // Then Origin, exactly: no other scheme, host, port or `null`
    expect(fromOwnPages({ origin: ORIGIN }, ORIGIN)).toBe(true);
    for (const other of [
      'http://attest.example.org',
      'https://attest.example.org:8443',
      'https://evil.example',
      'null',
    ]) {
      expect(fromOwnPages({ origin: other }, ORIGIN), other).toBe(false);
    }
  });

  it('lets a request through that no browser sent (neither header: no one’s browser was made to send it)', () => {
    // Assess
    expect(fromOwnPages({}, ORIGIN)).toBe(true);
    expect(fromOwnPages({ 'user-agent': 'curl/8.5.0' }, ORIGIN)).toBe(true);
  });
});

describe('requireJson', () => {
  const withType = (type: string | undefined) =>
    ({ headers: type === undefined ? {} : { 'content-type': type } }) as unknown as HttpEvent;

  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON;charset=UTF-8',
    'application/json ; charset="utf-8"',
  ])('takes %s', (type) => {
    // Assess
    expect(() => requireJson(withType(type))).not.toThrow();
  });

  it.each([
    ['no content type', undefined],
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['another charset', 'application/json; charset=latin1'],
    ['a JSON-like type', 'application/json-patch+json'],
    ['extra parameters', 'application/json; charset=utf-8; boundary=x'],
    ['an empty value', ''],
  ])('refuses %s with a 415 problem document', (_why, type) => {
    // Act
    let thrown: unknown;
    try {
      requireJson(withType(type));
    } catch (error) {
      thrown = error;
    }
    const result = toProblem(thrown, recordingLogger());

    // Assess
    expect(result.statusCode).toBe(415);
    expect(result.headers).toEqual({ 'content-type': 'application/problem+json' });
    expect(bodyOf(result)).toMatchObject({
      type: 'urn:attest:problem:request.unsupported_media_type',
      title: 'Unsupported Media Type',
      status: 415,
    });
  });

  it('answers any content type with either nothing or a 415, never another error', () => {
    fc.assert(
      fc.property(fc.string(), (type) => {
        // Act
        let thrown: unknown;
        try {
          requireJson(withType(type));
        } catch (error) {
          thrown = error;
        }

        // Assess
        if (thrown !== undefined) expect(toProblem(thrown, recordingLogger()).statusCode).toBe(415);
      }),
    );
  });
});

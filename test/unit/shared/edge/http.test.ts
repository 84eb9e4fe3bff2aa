// Problem documents (RFC 9457) at the HTTP edge: specific for errors safe to show, generic otherwise.
import { describe, expect, it } from 'vitest';
import { SignatureError, ValidationError } from '#shared/core/errors.ts';
import { toProblem } from '#shared/edge/http.ts';

const logged: unknown[] = [];
const logger = { error: (...args: unknown[]) => logged.push(args) };

describe('toProblem', () => {
  it('lists each bad field with a JSON pointer in a 400', () => {
    // Act
    const result = toProblem(
      new ValidationError('starter.invalid', [
        { field: 'data.email', message: 'Not an email address.' },
        { field: 'type', message: 'Unknown type.' },
      ]),
      logger,
    );

    // Assess
    expect(result.statusCode).toBe(400);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(result.body as string)).toMatchObject({
      type: 'urn:attest:problem:starter.invalid',
      status: 400,
      errors: [
        { field: 'data.email', pointer: '/data/email', detail: 'Not an email address.' },
        { field: 'type', pointer: '/type', detail: 'Unknown type.' },
      ],
    });
  });

  it('answers a signature failure with 401', () => {
    // Assess
    expect(toProblem(new SignatureError(), logger).statusCode).toBe(401);
  });

  it('answers anything else with a generic 500 that never carries the error’s message', () => {
    // Act
    const result = toProblem(new Error('secret table name and ada@example.org'), logger);

    // Assess
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('ada@example.org');
    expect(result.body).not.toContain('secret');
    expect(JSON.stringify(logged)).not.toContain('ada@example.org');
  });
});

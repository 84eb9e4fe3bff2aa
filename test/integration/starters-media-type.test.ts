// POST /v1/starters takes JSON only: any other content type is 415, before anything is verified or stored.
import { describe, expect, it } from 'vitest';
import { assignmentIdFor } from '#shared/core/ids.ts';
import { postStarter, signedHeaders, stack, table, uniqueStarter } from '../support/local.ts';

describe('POST /v1/starters', () => {
  it.each([
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['no content type', undefined],
  ])('answers %s, correctly signed, with 415 and stores nothing', async (_why, type) => {
    // Prepare
    const event = uniqueStarter();
    const body = JSON.stringify(event);
    const { 'content-type': _json, ...signed } = signedHeaders(body);
    const headers = type === undefined ? signed : { ...signed, 'content-type': type };

    // Act: bytes, so that fetch adds no content type of its own
    const response = await fetch(`${stack().urls.api}/v1/starters`, {
      method: 'POST',
      headers,
      body: Buffer.from(body),
    });

    // Assess
    expect(response.status).toBe(415);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 415, title: 'Unsupported Media Type' });
    const id = assignmentIdFor(event.data.employeeId as string, 'safe-internet-use');
    expect(await table().partition(`ASSIGN#${id}`)).toEqual([]);
  });

  it('takes application/json with a charset', async () => {
    // Prepare
    const event = uniqueStarter();
    const body = JSON.stringify(event);

    // Act
    const response = await postStarter(event, {
      ...signedHeaders(body),
      'content-type': 'application/json; charset=UTF-8',
    });

    // Assess
    expect(response.status).toBe(202);
  });
});

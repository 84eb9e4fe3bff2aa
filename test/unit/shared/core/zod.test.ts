// zod as every schema uses it (shared/core/zod.ts): the functional API, wording its issues in English as the classic API did.
import { describe, expect, it } from 'vitest';
import { common, parseEnv } from '#shared/config.ts';
import { parseStarterEvent, starterEventSchema } from '#shared/core/starter-event.ts';
import * as z from '#shared/core/zod.ts';

describe('zod', () => {
  it('words the issues a schema leaves to zod in English, not "Invalid input" alone', () => {
    // Act
    const missing = z.string().safeParse(undefined);
    const empty = z.string().check(z.minLength(1)).safeParse('');
    const url = z.url().safeParse('nope');

    // Assess
    expect(missing.error?.issues[0]?.message).toBe('Invalid input: expected string, received undefined');
    expect(empty.error?.issues[0]?.message).toBe('Too small: expected string to have >=1 characters');
    expect(url.error?.issues[0]?.message).toBe('Invalid URL');
  });

  it('names each bad setting in the words an operator read before', () => {
    // Prepare
    const schema = z.object({ TABLE_NAME: common.TABLE_NAME, DUE_SHARDS: common.DUE_SHARDS });

    // Act and assess
    expect(() => parseEnv(schema, { TABLE_NAME: '', DUE_SHARDS: '99' })).toThrow(
      'invalid configuration: TABLE_NAME: Too small: expected string to have >=1 characters; DUE_SHARDS: Too big: expected number to be <=64',
    );
  });

  it('tells an HR sender what is wrong with a field its schema words no message for', () => {
    // Prepare
    const schema = starterEventSchema(new Set(['safe-internet-use']));
    const event = {
      type: 'starter.created',
      id: 'evt-1',
      data: {
        employeeId: 'E1',
        givenName: 'Ada',
        familyName: 'Lovelace',
        email: 'ada@example.org',
        startDate: '2026-01-05',
        policies: [],
      },
    };

    // Act and assess
    expect(() => parseStarterEvent(schema, event)).toThrow(
      expect.objectContaining({
        issues: [{ field: 'data.policies', message: 'Too small: expected array to have >=1 items' }],
      }),
    );
  });
});

// Handlers called as Lambda calls them: a context naming the function, counting down its time as Lambda's does.
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { invoked } from '../../../local/invocation.ts';

describe('invoked', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts down the time left from each call’s start, as Lambda’s context does', async () => {
    // Prepare
    vi.useFakeTimers({ now: new Date('2026-11-24T10:00:00.000Z') });
    const seen: number[] = [];
    const call = invoked(
      'sweeper',
      async (_event: unknown, context?: Context) => {
        seen.push(context?.getRemainingTimeInMillis() ?? -1);
        vi.advanceTimersByTime(45_000);
        seen.push(context?.getRemainingTimeInMillis() ?? -1);
        vi.advanceTimersByTime(30_000);
        seen.push(context?.getRemainingTimeInMillis() ?? -1);
        return context?.functionName;
      },
      60_000,
    );

    // Act
    const name = await call(undefined);

    // Assess
    expect(name).toBe('sweeper');
    expect(seen).toEqual([60_000, 15_000, 0]);
  });

  it('says no time is left when given no timeout', async () => {
    // Prepare
    const call = invoked('mailer', async (_event: unknown, context?: Context) =>
      context?.getRemainingTimeInMillis(),
    );

    // Act
    const left = await call(undefined);

    // Assess
    expect(left).toBe(0);
  });
});

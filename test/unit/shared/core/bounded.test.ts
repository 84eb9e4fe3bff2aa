// Work over many items with a bound on how many are in flight.
import { describe, expect, it } from 'vitest';
import { mapBounded } from '#shared/core/bounded.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('mapBounded', () => {
  it('answers in the items’ order with no more than `width` calls in flight', async () => {
    // Prepare
    let inFlight = 0;
    let most = 0;

    // Act
    const out = await mapBounded([5, 1, 4, 2, 3, 6, 7], 3, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      for (let i = 0; i < n; i++) await tick();
      inFlight--;
      return n * 10;
    });

    // Assess
    expect(out).toEqual([50, 10, 40, 20, 30, 60, 70]);
    expect(most).toBe(3);
  });

  it('starts nothing after a call fails, and rejects with its error', async () => {
    // Prepare
    const started: number[] = [];

    // Act
    const run = mapBounded([1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      await tick();
      if (n === 2) throw new Error('two failed');
      return n;
    });

    // Assess
    await expect(run).rejects.toThrow('two failed');
    expect(started).toEqual([1, 2, 3]);
  });

  it('answers nothing for no items, and refuses a width below one', async () => {
    // Assess
    expect(await mapBounded([], 4, async () => 1)).toEqual([]);
    await expect(mapBounded([1], 0, async () => 1)).rejects.toThrow(RangeError);
  });
});

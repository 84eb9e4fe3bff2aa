// Work on many items with at most a given number in flight at once: the sweeper's claims and reads, and the direct dispatch of bulk commands.

/**
 * `fn` over every item, at most `width` calls running at once, the results in the items' order.
 * The first rejection rejects the whole (calls already started run on; none is started after it).
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  width: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(width) || width < 1)
    throw new RangeError(`width must be a whole number ≥ 1, not ${width}`);
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T, i);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

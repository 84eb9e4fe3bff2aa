// The contract of an HR event's receipt: none until stored, then the first response stored is every copy's answer.
import { describe, expect, it } from 'vitest';
import { at, type MakeStore } from './support.ts';

export type EventReceiptsStore = MakeStore<'getEventReceipt' | 'putEventReceipt'>;

export function describeEventReceiptsContract(name: string, make: EventReceiptsStore): void {
  const forgetAt = at(60 * 24 * 7);

  describe(`${name}: EventReceipts`, () => {
    it('answers no receipt for an event never answered', async () => {
      // Prepare
      const store = await make();

      // Act
      const receipt = await store.getEventReceipt('hr', 'evt_1');

      // Assess
      expect(receipt).toBeUndefined();
    });

    it('stores a response and reads it back at once, as a retry right after it would', async () => {
      // Prepare
      const store = await make();

      // Act
      const stored = await store.putEventReceipt('hr', 'evt_1', { starterId: 's1' }, forgetAt);
      const read = await store.getEventReceipt('hr', 'evt_1');

      // Assess
      expect(stored).toEqual({ starterId: 's1' });
      expect(read).toEqual({ starterId: 's1' });
    });

    it('keeps the first response stored, answering it to a copy that stores another', async () => {
      // Prepare
      const store = await make();
      await store.putEventReceipt('hr', 'evt_1', { starterId: 'first' }, forgetAt);

      // Act
      const second = await store.putEventReceipt('hr', 'evt_1', { starterId: 'second' }, forgetAt);

      // Assess
      expect(second).toEqual({ starterId: 'first' });
      expect(await store.getEventReceipt('hr', 'evt_1')).toEqual({ starterId: 'first' });
    });

    it('answers every one of copies storing at once the same response', async () => {
      // Prepare
      const store = await make();

      // Act
      const answers = await Promise.all(
        Array.from({ length: 5 }, (_, n) => store.putEventReceipt('hr', 'evt_1', { copy: n }, forgetAt)),
      );

      // Assess: one of them, the one stored
      const stored = await store.getEventReceipt('hr', 'evt_1');
      expect(answers.map((a) => JSON.stringify(a))).toEqual(Array(5).fill(JSON.stringify(stored)));
      expect([0, 1, 2, 3, 4].map((n) => ({ copy: n }))).toContainEqual(stored);
    });

    it('keeps the receipts of events and sources apart', async () => {
      // Prepare
      const store = await make();
      await store.putEventReceipt('hr', 'evt_1', { n: 1 }, forgetAt);

      // Act
      const otherEvent = await store.getEventReceipt('hr', 'evt_2');
      const otherSource = await store.putEventReceipt('scim', 'evt_1', { n: 2 }, forgetAt);

      // Assess
      expect(otherEvent).toBeUndefined();
      expect(otherSource).toEqual({ n: 2 });
      expect(await store.getEventReceipt('hr', 'evt_1')).toEqual({ n: 1 });
    });
  });
}

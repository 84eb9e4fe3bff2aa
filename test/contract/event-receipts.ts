// The contract of an HR event's receipt: one copy claims it, the first response stored is every copy's answer.
import { describe, expect, it } from 'vitest';
import { at, type MakeStore } from './support.ts';

export type EventReceiptsStore = MakeStore<'getEventReceipt' | 'claimEvent' | 'putEventReceipt'>;

export function describeEventReceiptsContract(name: string, make: EventReceiptsStore): void {
  const forgetAt = at(60 * 24 * 7);

  describe(`${name}: EventReceipts`, () => {
    it('claims an event no copy has seen, storing no response for it', async () => {
      // Prepare
      const store = await make();

      // Act
      const claim = await store.claimEvent('hr', 'evt_1', at(0), at(5), forgetAt);

      // Assess
      expect(claim).toEqual({ state: 'claimed' });
      expect(await store.getEventReceipt('hr', 'evt_1')).toBeUndefined();
    });

    it('answers busy while another copy holds a claim not yet expired, up to its last instant', async () => {
      // Prepare
      const store = await make();
      await store.claimEvent('hr', 'evt_1', at(0), at(5), forgetAt);

      // Act
      const meanwhile = await store.claimEvent('hr', 'evt_1', at(1), at(6), forgetAt);
      const atTheEnd = await store.claimEvent('hr', 'evt_1', at(5), at(10), forgetAt);

      // Assess
      expect([meanwhile, atTheEnd]).toEqual([{ state: 'busy' }, { state: 'busy' }]);
    });

    it('claims an event again once the earlier claim has expired, as a crashed copy leaves it', async () => {
      // Prepare
      const store = await make();
      await store.claimEvent('hr', 'evt_1', at(0), at(5), forgetAt);

      // Act
      const claim = await store.claimEvent('hr', 'evt_1', at(6), at(11), forgetAt);
      const meanwhile = await store.claimEvent('hr', 'evt_1', at(7), at(12), forgetAt);

      // Assess: the new claim holds in turn
      expect(claim).toEqual({ state: 'claimed' });
      expect(meanwhile).toEqual({ state: 'busy' });
    });

    it('replaces the claim with the response, which every later copy is answered', async () => {
      // Prepare
      const store = await make();
      await store.claimEvent('hr', 'evt_1', at(0), at(5), forgetAt);

      // Act
      const stored = await store.putEventReceipt('hr', 'evt_1', { starterId: 's1' }, forgetAt);
      const claim = await store.claimEvent('hr', 'evt_1', at(1), at(6), forgetAt);

      // Assess
      expect(stored).toEqual({ starterId: 's1' });
      expect(claim).toEqual({ state: 'answered', response: { starterId: 's1' } });
      expect(await store.getEventReceipt('hr', 'evt_1')).toEqual({ starterId: 's1' });
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

    it('keeps the receipts of events and sources apart', async () => {
      // Prepare
      const store = await make();
      await store.putEventReceipt('hr', 'evt_1', { n: 1 }, forgetAt);

      // Act
      const otherEvent = await store.claimEvent('hr', 'evt_2', at(0), at(5), forgetAt);
      const otherSource = await store.putEventReceipt('scim', 'evt_1', { n: 2 }, forgetAt);

      // Assess
      expect(otherEvent).toEqual({ state: 'claimed' });
      expect(otherSource).toEqual({ n: 2 });
      expect(await store.getEventReceipt('hr', 'evt_1')).toEqual({ n: 1 });
    });
  });
}

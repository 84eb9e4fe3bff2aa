// The contract of starters: stored as HR last described them, read one at a time or many at once.
import { describe, expect, it } from 'vitest';
import { starterIdFor } from '#shared/core/ids.ts';
import { aStarter } from '../support/fakes.ts';
import type { MakeStore } from './support.ts';

export type StartersStore = MakeStore<'getStarter' | 'putStarter' | 'getStarters'>;

export function describeStartersContract(name: string, make: StartersStore): void {
  describe(`${name}: Starters`, () => {
    it('reads a starter back as it was stored', async () => {
      // Prepare
      const store = await make();
      const starter = aStarter({ manager: { name: 'Mia', email: 'mia@example.org' }, department: 'IT' });

      // Act
      await store.putStarter(starter);

      // Assess
      expect(await store.getStarter(starter.starterId)).toEqual(starter);
    });

    it('replaces a starter stored again', async () => {
      // Prepare
      const store = await make();
      await store.putStarter(aStarter());
      const moved = aStarter({ email: 'ada.l@example.org', status: 'cancelled' });

      // Act
      await store.putStarter(moved);

      // Assess
      expect(await store.getStarter(moved.starterId)).toEqual(moved);
    });

    it('answers undefined for a starter never stored', async () => {
      // Prepare
      const store = await make();

      // Act
      const starter = await store.getStarter(starterIdFor('E404'));

      // Assess
      expect(starter).toBeUndefined();
    });

    it('reads more than a hundred starters at once by id, each once, leaving out those not stored', async () => {
      // Prepare
      const store = await make();
      const starters = Array.from({ length: 150 }, (_, i) => aStarter({ employeeId: `E${i}` }));
      for (const starter of starters) await store.putStarter(starter);
      const ids = starters.map((s) => s.starterId);
      const missing = [starterIdFor('E-gone-1'), starterIdFor('E-gone-2')];

      // Act
      const found = await store.getStarters([...missing, ...ids, ids[0] as string, ids[149] as string]);

      // Assess
      expect(found.size).toBe(150);
      expect([...found.keys()].sort()).toEqual([...ids].sort());
      for (const starter of starters) expect(found.get(starter.starterId)).toEqual(starter);
    });

    it('answers no ids with an empty map', async () => {
      // Prepare
      const store = await make();
      await store.putStarter(aStarter());

      // Act
      const found = await store.getStarters([]);

      // Assess
      expect(found.size).toBe(0);
    });
  });
}

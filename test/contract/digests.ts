// The contract of a manager's digest of a day: the first to join owns it, the first to close it sends it.
import { describe, expect, it } from 'vitest';
import type { DigestKey } from '#shared/core/model.ts';
import { at, CONDITION_FAILED, iso, type MakeStore, refusal } from './support.ts';

export type DigestsStore = MakeStore<'joinDigest' | 'closeDigest' | 'recordDigestSent'>;

const key: DigestKey = { managerEmail: 'mia.manager@example.org', day: '2026-11-24' };

export function describeDigestsContract(name: string, make: DigestsStore): void {
  describe(`${name}: Digests`, () => {
    it('answers owner to the first to join and member to the rest, the owner again if it joins again', async () => {
      // Prepare
      const store = await make();

      // Act
      const roles = [
        await store.joinDigest(key, 'Mia', 'a1'),
        await store.joinDigest(key, 'Mia', 'a2'),
        await store.joinDigest(key, 'Mia', 'a1'),
      ];

      // Assess
      expect(roles).toEqual(['owner', 'member', 'owner']);
    });

    it("files one digest a manager and day, whatever the address's case", async () => {
      // Prepare
      const store = await make();
      await store.joinDigest(key, 'Mia', 'a1');

      // Act
      const sameDay = await store.joinDigest(
        { ...key, managerEmail: 'Mia.Manager@Example.ORG' },
        'Mia',
        'a2',
      );
      const nextDay = await store.joinDigest({ ...key, day: '2026-11-25' }, 'Mia', 'a3');

      // Assess
      expect([sameDay, nextDay]).toEqual(['member', 'owner']);
    });

    it('answers the digest closed, with its members once each and its first name, keeping the first closer', async () => {
      // Prepare
      const store = await make();
      await store.joinDigest(key, 'Mia', 'a1');
      await store.joinDigest(key, 'Mia M.', 'a2');
      await store.joinDigest(key, 'Mia', 'a2');

      // Act
      const first = await store.closeDigest(key, 'a2', at(1));
      const second = await store.closeDigest(key, 'a1', at(2));

      // Assess
      const closed = { ...key, managerName: 'Mia', owner: 'a1', closedAt: iso(1), closedBy: 'a2' };
      for (const digest of [first, second]) {
        expect(digest).toMatchObject(closed);
        expect([...(digest?.members ?? [])].sort()).toEqual(['a1', 'a2']);
      }
    });

    it('answers closed to a late joiner, who joins the next day’s', async () => {
      // Prepare
      const store = await make();
      await store.joinDigest(key, 'Mia', 'a1');
      await store.closeDigest(key, 'a1', at(1));

      // Act
      const late = await store.joinDigest(key, 'Mia', 'a2');

      // Assess
      expect(late).toBe('closed');
      expect((await store.closeDigest(key, 'a1', at(2)))?.members).toEqual(['a1']);
    });

    it('answers undefined when closing a digest nobody joined', async () => {
      // Prepare
      const store = await make();
      await store.joinDigest({ ...key, day: '2026-11-23' }, 'Mia', 'a1');

      // Act
      const digest = await store.closeDigest(key, 'a1', at(1));

      // Assess
      expect(digest).toBeUndefined();
    });

    it('records when the digest email went', async () => {
      // Prepare
      const store = await make();
      await store.joinDigest(key, 'Mia', 'a1');
      await store.closeDigest(key, 'a1', at(1));

      // Act
      await store.recordDigestSent(key, at(2), 'ses-9');

      // Assess
      expect(await store.closeDigest(key, 'a1', at(3))).toMatchObject({ closedAt: iso(1), sentAt: iso(2) });
    });

    it('refuses to record the sending of a digest nobody joined, leaving no digest behind', async () => {
      // Prepare
      const store = await make();

      // Act
      const refused = await refusal(store.recordDigestSent(key, at(2), 'ses-9'));

      // Assess
      expect(refused).toMatchObject(CONDITION_FAILED);
      expect(await store.closeDigest(key, 'a1', at(3))).toBeUndefined();
    });
  });
}

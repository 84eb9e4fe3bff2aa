// The contract of SCIM users: written only over the version read, found by user name, external id, email and employee id while they hold them, listed in id order.
import { describe, expect, it } from 'vitest';
import type { ScimUser } from '#shared/core/model.ts';
import { iso, type MakeStore } from './support.ts';

export type ScimUsersStore = MakeStore<
  'getScimUser' | 'findScimUsers' | 'listScimUsers' | 'putScimUser' | 'deleteScimUser'
>;

function aScimUser(id: string, overrides: Partial<ScimUser> = {}): ScimUser {
  return {
    id,
    resource: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `${id}@Example.org`,
      emails: [{ type: 'work', value: `${id}@example.org` }],
      name: { givenName: 'Ada', familyName: 'Lovelace' },
    },
    lookup: { userName: `${id}@example.org`, externalId: `X-${id}`, emails: [`${id}@example.org`] },
    employeeId: `E-${id}`,
    startDate: '2026-12-01',
    created: iso(0),
    lastModified: iso(0),
    version: 1,
    ...overrides,
  };
}

export function describeScimUsersContract(name: string, make: ScimUsersStore): void {
  describe(`${name}: ScimUsers`, () => {
    it('stores a new user once: a second create of its id is refused', async () => {
      // Prepare
      const store = await make();
      const user = aScimUser('u1');

      // Act
      const first = await store.putScimUser(user);
      const second = await store.putScimUser({ ...user, employeeId: 'E-other' });

      // Assess
      expect([first, second]).toEqual([true, false]);
      expect(await store.getScimUser('u1')).toEqual(user);
    });

    it('replaces a user only over the version read', async () => {
      // Prepare
      const store = await make();
      const v1 = aScimUser('u1');
      await store.putScimUser(v1);
      const v2 = { ...v1, version: 2, lastModified: iso(5), resource: { ...v1.resource, title: 'Nurse' } };

      // Act
      const written = await store.putScimUser(v2, v1);
      const stale = await store.putScimUser({ ...v1, version: 2, employeeId: 'E-late' }, v1);

      // Assess
      expect([written, stale]).toEqual([true, false]);
      expect(await store.getScimUser('u1')).toEqual(v2);
    });

    it('finds users by each lookup value they hold, and no longer by one they gave up', async () => {
      // Prepare
      const store = await make();
      const v1 = aScimUser('u1', {
        lookup: {
          userName: 'ada@example.org',
          externalId: 'X1',
          emails: ['ada@example.org', 'a@home.example'],
        },
      });
      const other = aScimUser('u2', { lookup: { userName: 'bob@example.org', emails: ['ada@example.org'] } });
      await store.putScimUser(v1);
      await store.putScimUser(other);
      const v2 = {
        ...v1,
        version: 2,
        lookup: { userName: 'ada.l@example.org', externalId: 'X1', emails: ['ada.l@example.org'] },
      };
      await store.putScimUser(v2, v1);

      // Act
      const byOldName = await store.findScimUsers('userName', 'ada@example.org');
      const byNewName = await store.findScimUsers('userName', 'ada.l@example.org');
      const byEmail = await store.findScimUsers('email', 'ada@example.org');
      const byExternalId = await store.findScimUsers('externalId', 'X1');
      const byEmployeeId = await store.findScimUsers('employeeId', 'E-u1');
      const byNothing = await store.findScimUsers('externalId', 'x1');

      // Assess
      expect(byOldName).toEqual([]);
      expect(byNewName).toEqual([v2]);
      expect(byEmail.map((u) => u.id)).toEqual(['u2']);
      expect(byExternalId).toEqual([v2]);
      expect(byEmployeeId).toEqual([v2]);
      expect(byNothing).toEqual([]);
    });

    it('does not find a user by a value of a write that lost its race', async () => {
      // Prepare
      const store = await make();
      const v1 = aScimUser('u1');
      await store.putScimUser(v1);
      await store.putScimUser({ ...v1, version: 2 }, v1);

      // Act
      const lost = await store.putScimUser(
        { ...v1, version: 2, lookup: { ...v1.lookup, userName: 'late@example.org' } },
        v1,
      );

      // Assess
      expect(lost).toBe(false);
      expect(await store.findScimUsers('userName', 'late@example.org')).toEqual([]);
    });

    it('lists every user in id order, past a page of the table', async () => {
      // Prepare
      const store = await make();
      const ids = Array.from({ length: 30 }, (_, i) => `u${String(29 - i).padStart(2, '0')}`);
      // Large enough that a list reads more than one 1 MB page.
      const padding = 'x'.repeat(40_000);
      for (const id of ids) await store.putScimUser(aScimUser(id, { resource: { userName: id, padding } }));

      // Act
      const users = await store.listScimUsers();

      // Assess
      expect(users.map((u) => u.id)).toEqual([...ids].sort());
    });

    it('deletes a user at the version read, with its lookups; not one changed since', async () => {
      // Prepare
      const store = await make();
      const v1 = aScimUser('u1');
      const w1 = aScimUser('u2');
      await store.putScimUser(v1);
      await store.putScimUser(w1);
      await store.putScimUser({ ...w1, version: 2 }, w1);

      // Act
      const deleted = await store.deleteScimUser(v1);
      const stale = await store.deleteScimUser(w1);

      // Assess
      expect([deleted, stale]).toEqual([true, false]);
      expect(await store.getScimUser('u1')).toBeUndefined();
      expect(await store.findScimUsers('userName', 'u1@example.org')).toEqual([]);
      expect((await store.listScimUsers()).map((u) => u.id)).toEqual(['u2']);
    });
  });
}

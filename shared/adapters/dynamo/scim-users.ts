// SCIM users on the table: one item each in a shared partition, and lookup entries by user name, external id and email.
import { holdsLookup, type ScimLookupKey, type ScimUser } from '#shared/core/model.ts';
import type { ScimUsers } from '#shared/ports.ts';
import { conditionally, key, strip } from './table.ts';
import type { TableFor } from './table-access.ts';

/** Each lookup value a user holds, as `key#value`. */
function entriesOf(user: ScimUser | undefined): Map<string, [ScimLookupKey, string]> {
  const entries = new Map<string, [ScimLookupKey, string]>();
  if (!user) return entries;
  const add = (name: ScimLookupKey, value: string | undefined) => {
    if (value !== undefined) entries.set(`${name}#${value}`, [name, value]);
  };
  add('userName', user.lookup.userName);
  add('externalId', user.lookup.externalId);
  add('employeeId', user.employeeId);
  for (const email of user.lookup.emails) add('email', email);
  return entries;
}

const byId = (a: ScimUser, b: ScimUser) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function makeScimUsers(table: TableFor<'scimUsers'>): ScimUsers {
  return {
    async getScimUser(id) {
      return strip<ScimUser>(await table.get(key.scimUser(id)));
    },

    async findScimUsers(name, value) {
      const ids: string[] = [];
      const probe = key.scimLookup(name, value, '');
      for await (const page of table.paginate({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': probe.pk },
      })) {
        for (const item of page) ids.push(item.id as string);
      }
      // An entry outlives its value when a write stopped between the entry and the user (see ports.ts).
      const users = (await table.batchGet(ids.map(key.scimUser))).map(
        (item) => strip<ScimUser>(item) as ScimUser,
      );
      return users.filter((user) => holdsLookup(user, name, value)).sort(byId);
    },

    async listScimUsers() {
      const users: ScimUser[] = [];
      for await (const page of table.paginate({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': key.scimUser('').pk },
      })) {
        for (const item of page) users.push(strip<ScimUser>(item) as ScimUser);
      }
      return users.sort(byId);
    },

    async putScimUser(user, previous) {
      const before = entriesOf(previous);
      const after = entriesOf(user);
      // Entries first: a user is never stored where its lookups cannot find it.
      for (const [k, [name, value]] of after) {
        if (!before.has(k))
          await table.put({ Item: { ...key.scimLookup(name, value, user.id), id: user.id } });
      }
      const written = await conditionally(
        table.put({
          Item: { ...key.scimUser(user.id), ...user },
          ...(previous
            ? {
                ConditionExpression: 'version = :version',
                ExpressionAttributeValues: { ':version': previous.version },
              }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        }),
      );
      if (!written) return false;
      for (const [k, [name, value]] of before) {
        if (!after.has(k)) await table.delete({ Key: key.scimLookup(name, value, user.id) });
      }
      return true;
    },

    async deleteScimUser(user) {
      const deleted = await conditionally(
        table.delete({
          Key: key.scimUser(user.id),
          ConditionExpression: 'version = :version',
          ExpressionAttributeValues: { ':version': user.version },
        }),
      );
      if (!deleted) return false;
      for (const [name, value] of entriesOf(user).values()) {
        await table.delete({ Key: key.scimLookup(name, value, user.id) });
      }
      return true;
    },
  };
}

// Starters on the table: one profile item each, written whole as HR last described them.

import { ErasedError } from '#shared/core/errors.ts';
import type { Starter } from '#shared/core/model.ts';
import type { Starters } from '#shared/ports.ts';
import { conditionally, key, strip } from './table.ts';
import type { TableFor } from './table-access.ts';

export function makeStarters(table: TableFor<'starters'>): Starters {
  return {
    async getStarter(starterId, consistency) {
      return strip<Starter>(await table.get(key.starter(starterId), consistency));
    },

    async putStarter(starter) {
      const written = await conditionally(
        table.put({
          Item: { ...key.starter(starter.starterId), ...starter },
          ConditionExpression: 'attribute_not_exists(erased)',
        }),
      );
      if (!written) throw new ErasedError();
    },

    async getStarters(starterIds) {
      const items = await table.batchGet(starterIds.map(key.starter));
      return new Map(items.map((item) => [item.starterId as string, strip<Starter>(item) as Starter]));
    },
  };
}

// Policy versions on the table: one item per version, under its policy, written once and never changed — so each is read once per warm function.
import { versionText } from '#shared/core/language.ts';
import type { PolicyVersion } from '#shared/core/model.ts';
import type { Policies } from '#shared/ports.ts';
import { PolicyVersionCache } from './policy-cache.ts';
import { key, strip } from './table.ts';
import type { TableFor } from './table-access.ts';

/**
 * `cache`: the versions this store has read, kept for the store's life (a function's, warm): a
 * published version is immutable, so it is read from the table once. A version not yet found is
 * read strongly consistently each time it is asked for, so one published a moment ago is found
 * (and a new assignment's version is never "missing"). The newest version is always read.
 */
export function makePolicies(table: TableFor<'policies'>, cache = new PolicyVersionCache()): Policies {
  return {
    async putPolicyVersion(policy) {
      const k = key.policy(policy.policyId, policy.version);
      if (await table.putIfAbsent({ ...k, ...policy })) return 'created';
      // A version is immutable: evidence names it, so its text may never change under it.
      const stored = strip<PolicyVersion>(await table.get(k));
      return stored && versionText(stored) === versionText(policy) ? 'same' : 'conflict';
    },

    async getPolicyVersion(policyId, version) {
      const kept = cache.get(policyId, version);
      if (kept) return kept;
      const found = strip<PolicyVersion>(await table.get(key.policy(policyId, version)));
      if (found) cache.set(found);
      return found;
    },

    async getLatestPolicyVersion(policyId) {
      const [latest] = await table.query({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
        ExpressionAttributeValues: { ':pk': key.policy(policyId, 0).pk, ':v': 'V#' },
        ScanIndexForward: false,
        Limit: 1,
        // Strong: "the newest" changes with each publication, and a new assignment takes it.
        ConsistentRead: true,
      });
      const found = strip<PolicyVersion>(latest);
      if (found) cache.set(found);
      return found;
    },
  };
}

// Policy versions on the table: one item per version, under its policy, written once and never changed.
import { versionText } from '#shared/core/language.ts';
import type { PolicyVersion } from '#shared/core/model.ts';
import type { Policies } from '#shared/ports.ts';
import { key, strip, type Table } from './table.ts';

export function makePolicies(table: Table): Policies {
  return {
    async putPolicyVersion(policy) {
      const k = key.policy(policy.policyId, policy.version);
      if (await table.putIfAbsent({ ...k, ...policy })) return 'created';
      // A version is immutable: evidence names it, so its text may never change under it.
      const stored = strip<PolicyVersion>(await table.get(k));
      return stored && versionText(stored) === versionText(policy) ? 'same' : 'conflict';
    },

    async getPolicyVersion(policyId, version) {
      return strip<PolicyVersion>(await table.get(key.policy(policyId, version)));
    },

    async getLatestPolicyVersion(policyId) {
      const [latest] = await table.query({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
        ExpressionAttributeValues: { ':pk': key.policy(policyId, 0).pk, ':v': 'V#' },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      });
      return strip<PolicyVersion>(latest);
    },
  };
}

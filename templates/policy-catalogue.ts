// The policies this build carries as ingest assigns them: their ids at once, each text loaded only when a policy's first version is published (not at a cold start).
import type { PolicyCatalogue } from '#shared/core/ingest.ts';
import { policySettings } from './generated/policy-settings.ts';

export const bundledCatalogue: PolicyCatalogue = {
  ids: new Set(policySettings.keys()),
  async text(policyId) {
    const { bundledPolicies } = await import('./policies.ts');
    return bundledPolicies.get(policyId);
  },
};

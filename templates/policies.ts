// The policies this build carries, parsed once from templates/policies/*.md (bundled at build).
import type { PolicyText } from '#shared/core/model.ts';
import { parsePolicy } from '#shared/core/policy.ts';
import { policySources } from './generated/policies.ts';

export const bundledPolicies: ReadonlyMap<string, PolicyText> = new Map(
  Object.entries(policySources).map(([file, source]) => {
    const policy = parsePolicy(source);
    // The file name is the id, so a policy cannot be published under another's name by mistake.
    if (`${policy.policyId}.md` !== file) throw new Error(`${file} declares id ${policy.policyId}`);
    return [policy.policyId, policy];
  }),
);

export function getBundledPolicy(id: string): PolicyText | undefined {
  return bundledPolicies.get(id);
}

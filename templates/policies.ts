// The policies this build carries, parsed once from templates/policies/*.md (bundled at build), each with its translations (NAME.cy.md).
import type { PolicyText } from '#shared/core/model.ts';
import { parsePolicyFiles } from '#shared/core/policy.ts';
import { policySources } from './generated/policies.ts';

export const bundledPolicies: ReadonlyMap<string, PolicyText> = parsePolicyFiles(policySources);

export function getBundledPolicy(id: string): PolicyText | undefined {
  return bundledPolicies.get(id);
}

// The policies this build carries (templates/policies/*.md), each with its translations (NAME.cy.md): parsed and checked by the build (templates/build.ts), so no function parses YAML or Markdown.
import type { PolicyText } from '#shared/core/model.ts';
import { policyTexts } from './generated/policies.ts';

export const bundledPolicies: ReadonlyMap<string, PolicyText> = new Map(policyTexts);

export function getBundledPolicy(id: string): PolicyText | undefined {
  return bundledPolicies.get(id);
}

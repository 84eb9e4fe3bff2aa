// The audience rules this build carries (templates/policies/audience.yaml, bundled at build), checked against its policies when first imported: a bad file stops the start-up, naming the rule.
import { type AudienceRules, parseAudienceRules } from '#shared/core/audience.ts';
import { audienceSource } from './generated/audience.ts';
import { bundledPolicies } from './policies.ts';

export const bundledAudience: AudienceRules = parseAudienceRules(
  audienceSource,
  new Set(bundledPolicies.keys()),
);

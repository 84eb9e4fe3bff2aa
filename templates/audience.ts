// The audience rules this build carries (templates/policies/audience.yaml), read and checked against its policies by the build (templates/build.ts): a bad file stops the build, naming the rule.
import type { AudienceRules } from '#shared/core/audience.ts';
import { audienceRules } from './generated/audience.ts';

export const bundledAudience: AudienceRules = audienceRules;

// The audience rules this build carries: checked against its policies, and leaving the default set to DEFAULT_POLICIES.
import { describe, expect, it } from 'vitest';
import { decideAudience } from '#shared/core/audience.ts';
import { bundledAudience } from '#templates/audience.ts';
import { bundledPolicies } from '#templates/policies.ts';

describe('bundledAudience', () => {
  it('names only policies this build carries, and gives no default set of its own', () => {
    // Assess
    const named = bundledAudience.rules.flatMap((rule) => rule.policies);
    expect(named.every((id) => bundledPolicies.has(id))).toBe(true);
    expect(bundledAudience).not.toHaveProperty('default');
  });

  it('matches a starter in children’s services by its one rule, whatever the apostrophe', () => {
    // Act
    const decision = decideAudience(bundledAudience, ['safe-internet-use'], {
      department: 'Children’s Services',
    });

    // Assess
    expect(decision).toMatchObject({
      matched: ["children's services staff"],
      policies: ['safe-internet-use'],
    });
  });
});

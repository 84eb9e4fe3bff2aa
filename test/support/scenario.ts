// A starter with one assignment in a MemoryStore, as ingest leaves it, for the use-case tests.
import { assignmentIdFor, starterIdFor } from '#shared/core/ids.ts';
import type { Assignment, Starter } from '#shared/core/model.ts';
import { parseTokenKeys } from '#shared/core/tokens.ts';
import { bundledPolicies } from '#templates/policies.ts';
import { MemoryStore, TestClock } from './memory-store.ts';

export const tokenKeys = parseTokenKeys('k1:unit-test-token-key-unit-test-token-key');
export const policy = bundledPolicies.get('safe-internet-use') ?? (undefined as never);

export async function scenario(overrides: Partial<Assignment> = {}) {
  const store = new MemoryStore();
  const clock = new TestClock();
  const starter: Starter = {
    starterId: starterIdFor('E1001'),
    employeeId: 'E1001',
    givenName: 'Ada',
    familyName: 'Lovelace',
    email: 'ada@example.org',
    startDate: '2026-12-01',
    locale: 'en-GB',
    timeZone: 'Europe/London',
    policies: [policy.policyId],
    status: 'active',
    updatedAt: clock.now().toISOString(),
  };
  await store.putStarter(starter);
  await store.putPolicyVersion(policy);
  const assignment = await store.createAssignment({
    assignmentId: assignmentIdFor('E1001', policy.policyId),
    starterId: starter.starterId,
    policyId: policy.policyId,
    policyVersion: policy.version,
    policySha256: policy.sha256,
    status: 'pending',
    createdAt: clock.now().toISOString(),
    dueAt: '2026-11-24T10:15:00.000Z',
    dueKind: 'invite',
    sends: [],
    ...overrides,
  });
  return { store, clock, starter, assignment };
}

// Identifiers: deterministic ones for records an HR retry must converge on, random ones for events.
import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** Length in bytes of a derived record id; 128 bits keeps collisions out of reach. */
export const ID_BYTES = 16;

function derive(kind: string, ...parts: string[]): string {
  // NUL separators make ("a", "bc") and ("ab", "c") different inputs.
  const digest = createHash('sha256')
    .update([`attest/${kind}`, ...parts].join('\0'))
    .digest();
  return digest.subarray(0, ID_BYTES).toString('base64url');
}

/**
 * The starter's id, derived from the HR employee id so that a retried or duplicated event
 * lands on the same record. It is pseudonymous, never the employee id itself, so it may appear
 * in logs and (inside a token) in links.
 */
export function starterIdFor(employeeId: string): string {
  return derive('starter', employeeId);
}

/**
 * One assignment per (employee, policy): a retried event converges on it. A re-acknowledgement
 * of a later version is another assignment, one per (employee, policy, version).
 */
export function assignmentIdFor(employeeId: string, policyId: string, reackVersion?: number): string {
  return reackVersion === undefined
    ? derive('assignment', employeeId, policyId)
    : derive('assignment', employeeId, policyId, `v${reackVersion}`);
}

/** Every assignment an employee can have for a policy whose newest version is `latestVersion`. */
export function assignmentIdsFor(employeeId: string, policyId: string, latestVersion: number): string[] {
  const ids = [assignmentIdFor(employeeId, policyId)];
  for (let v = 2; v <= latestVersion; v++) ids.push(assignmentIdFor(employeeId, policyId, v));
  return ids;
}

/**
 * The assignment asking again for an agreement made under `assignmentId` once it is as old as the
 * policy's `reattest` period: one per agreement, so a renewal step done twice (a crash, a
 * redelivered message) converges on it, and a renewal's own renewal is the next link of a chain
 * that `withRenewals` (lifecycle.ts) follows from the ids above.
 */
export function renewalIdFor(assignmentId: string): string {
  return derive('renewal', assignmentId);
}

/** A manager's digests are filed under a pseudonym of their address, not the address itself. */
export function digestIdFor(managerEmail: string): string {
  return derive('digest', managerEmail.toLowerCase());
}

/** A random id for a token, so evidence can name the exact link that was used. */
export function newTokenId(): string {
  return randomBytes(8).toString('base64url');
}

export function newEvidenceId(): string {
  return `ev_${randomUUID()}`;
}

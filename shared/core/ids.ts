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

/** One assignment per (employee, policy): a retried event converges on it. */
export function assignmentIdFor(employeeId: string, policyId: string): string {
  return derive('assignment', employeeId, policyId);
}

/** A random id for a token, so evidence can name the exact link that was used. */
export function newTokenId(): string {
  return randomBytes(8).toString('base64url');
}

export function newEvidenceId(): string {
  return `ev_${randomUUID()}`;
}

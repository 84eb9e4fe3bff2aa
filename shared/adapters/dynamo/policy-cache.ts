// The published policy versions a warm function has read, kept for its life: a version never changes once published, so a copy is as good as the item.
import type { PolicyVersion } from '#shared/core/model.ts';

/**
 * How many versions a function keeps: a deployment has a few policies, each a few versions in
 * use at once, each about 8–20 KB with its translations; the least recently used goes first.
 */
export const POLICY_CACHE_SIZE = 32;

/**
 * Published policy versions by (policy id, version), at most `size` of them, the least recently
 * used dropped first. Only versions found are kept: a version not found may be published a moment
 * later. "The newest version" is not kept here, as it changes with every publication.
 */
export class PolicyVersionCache {
  readonly #versions = new Map<string, PolicyVersion>();

  constructor(readonly size = POLICY_CACHE_SIZE) {
    if (!Number.isInteger(size) || size < 1)
      throw new Error(`a policy cache keeps at least 1 version, not ${size}`);
  }

  get(policyId: string, version: number): PolicyVersion | undefined {
    const id = keyOf(policyId, version);
    const found = this.#versions.get(id);
    if (found) {
      // A Map keeps insertion order: re-inserting makes this the most recently used.
      this.#versions.delete(id);
      this.#versions.set(id, found);
    }
    return found;
  }

  set(policy: PolicyVersion): void {
    const id = keyOf(policy.policyId, policy.version);
    this.#versions.delete(id);
    this.#versions.set(id, policy);
    while (this.#versions.size > this.size) {
      const oldest = this.#versions.keys().next().value as string;
      this.#versions.delete(oldest);
    }
  }

  get count(): number {
    return this.#versions.size;
  }
}

const keyOf = (policyId: string, version: number) => `${policyId}\0${version}`;

// The contract of policy versions, immutable once stored, and of the indexes reading a policy's assignments.
import { describe, expect, it } from 'vitest';
import type { Assignment, PolicyVersion } from '#shared/core/model.ts';
import type { PolicyAssignment } from '#shared/ports.ts';
import { anEvidence, aPolicy } from '../support/fakes.ts';
import { ask, at, collect, iso, type MakeStore } from './support.ts';

export type PoliciesStore = MakeStore<
  | 'putPolicyVersion'
  | 'getPolicyVersion'
  | 'getLatestPolicyVersion'
  | 'signers'
  | 'assignmentsOf'
  | 'createAssignment'
  | 'recordAcknowledgement'
  | 'cancelAssignment'
>;

/** What the policy index holds of an assignment. */
const indexed = ({
  assignmentId,
  starterId,
  policyVersion,
  status,
  createdAt,
}: Assignment): PolicyAssignment => ({
  assignmentId,
  starterId,
  policyVersion,
  status,
  createdAt,
});

export function describePoliciesContract(name: string, make: PoliciesStore): void {
  const version = (n: number, overrides: Partial<PolicyVersion> = {}) =>
    aPolicy({ version: n, sha256: String(n).repeat(64).slice(0, 64), ...overrides });
  /** A store holding these assignments of version `v` of the sample policy, each signed if `signed`. */
  const holding = async (...asks: Array<{ id: string; v: number; signed?: boolean; policyId?: string }>) => {
    const store = await make();
    for (const { id, v, signed, policyId } of asks) {
      const policy = version(v, policyId ? { policyId } : {});
      await store.createAssignment(ask(id, {}, policy));
      if (signed)
        await store.recordAcknowledgement(
          id,
          anEvidence(policy),
          { webhook: { webhookId: `msg_${id}` } },
          at(1),
        );
    }
    return store;
  };

  describe(`${name}: Policies`, () => {
    describe('putPolicyVersion', () => {
      it('stores a version not stored yet, answering created', async () => {
        // Prepare
        const store = await make();
        const policy = version(3, { chase: { reminderOffsets: 'P3D' } });

        // Act
        const outcome = await store.putPolicyVersion(policy);

        // Assess
        expect(outcome).toBe('created');
        expect(await store.getPolicyVersion(policy.policyId, 3)).toEqual(policy);
      });

      it('answers same for a version stored with this text, and conflict for other text, never changing it', async () => {
        // Prepare
        const store = await make();
        const policy = version(3);
        await store.putPolicyVersion(policy);

        // Act
        const same = await store.putPolicyVersion({ ...policy, publishedAt: iso(5) });
        const conflict = await store.putPolicyVersion({ ...policy, body: 'Other', sha256: 'f'.repeat(64) });

        // Assess
        expect([same, conflict]).toEqual(['same', 'conflict']);
        expect(await store.getPolicyVersion(policy.policyId, 3)).toEqual(policy);
      });

      it('answers undefined for a version never stored', async () => {
        // Prepare
        const store = await make();
        await store.putPolicyVersion(version(3));

        // Act
        const missing = [
          await store.getPolicyVersion('safe-internet-use', 4),
          await store.getPolicyVersion('other', 3),
        ];

        // Assess
        expect(missing).toEqual([undefined, undefined]);
      });
    });

    describe('getLatestPolicyVersion', () => {
      it('answers the highest version of the policy by number, whatever the order stored', async () => {
        // Prepare
        const store = await make();
        for (const n of [2, 10, 9]) await store.putPolicyVersion(version(n));
        await store.putPolicyVersion(version(11, { policyId: 'safe-internet-use-2' }));

        // Act
        const latest = await store.getLatestPolicyVersion('safe-internet-use');

        // Assess
        expect(latest).toEqual(version(10));
      });

      it('answers undefined for a policy never published', async () => {
        // Prepare
        const store = await make();
        await store.putPolicyVersion(version(1, { policyId: 'other' }));

        // Act
        const latest = await store.getLatestPolicyVersion('safe-internet-use');

        // Assess
        expect(latest).toBeUndefined();
      });
    });

    describe('signers', () => {
      it('yields those who signed a version below the one given, newest version first', async () => {
        // Prepare
        const store = await holding(
          { id: 'v1a', v: 1, signed: true },
          { id: 'v2a', v: 2, signed: true },
          { id: 'v1b', v: 1, signed: true },
          { id: 'v2b', v: 2, signed: true },
          { id: 'v3', v: 3, signed: true },
          { id: 'unsigned', v: 2 },
          { id: 'other', v: 1, signed: true, policyId: 'other' },
        );

        // Act
        const signers = await collect(store.signers('safe-internet-use', 3));

        // Assess: newest first; within a version in no particular order
        expect(signers.map((s) => s.policyVersion)).toEqual([2, 2, 1, 1]);
        expect(signers).toEqual(
          expect.arrayContaining(
            ['v2a', 'v2b', 'v1a', 'v1b'].map((id) => ({
              assignmentId: id,
              starterId: ask(id).starterId,
              policyVersion: Number(id[1]),
            })),
          ),
        );
      });

      it('yields nobody when nobody signed an earlier version', async () => {
        // Prepare
        const store = await holding({ id: 'v1', v: 1 }, { id: 'v2', v: 2, signed: true });

        // Act
        const signers = await collect(store.signers('safe-internet-use', 2));

        // Assess
        expect(signers).toEqual([]);
      });
    });

    describe('assignmentsOf', () => {
      /** Assignments of the sample policy made a minute apart from 10:00, in an order other than made. */
      const made = [3, 0, 2, 1, 4].map((minute) => ask(`m${minute}`, { createdAt: iso(minute) }));

      it('yields every assignment of the policy, of every version and status, oldest first', async () => {
        // Prepare
        const store = await make();
        for (const assignment of made) await store.createAssignment(assignment);
        await store.createAssignment(ask('v4', { createdAt: iso(5), policyVersion: 4 }));
        await store.createAssignment(ask('other', { createdAt: iso(2) }, aPolicy({ policyId: 'other' })));
        await store.cancelAssignment('m2', at(6));

        // Act
        const pages = await collect(store.assignmentsOf('safe-internet-use'));

        // Assess: what the index holds, not the whole assignment
        expect(pages.flat()).toEqual([
          indexed(ask('m0', { createdAt: iso(0) })),
          indexed(ask('m1', { createdAt: iso(1) })),
          { ...indexed(ask('m2', { createdAt: iso(2) })), status: 'cancelled' },
          indexed(ask('m3', { createdAt: iso(3) })),
          indexed(ask('m4', { createdAt: iso(4) })),
          indexed(ask('v4', { createdAt: iso(5), policyVersion: 4 })),
        ]);
      });

      it('yields those made from `since`, inclusive, until `until`, exclusive', async () => {
        // Prepare
        const store = await make();
        for (const assignment of made) await store.createAssignment(assignment);

        // Act
        const bounded = await collect(
          store.assignmentsOf('safe-internet-use', { since: at(1), until: at(3) }),
        );
        const since = await collect(store.assignmentsOf('safe-internet-use', { since: at(3) }));
        const until = await collect(store.assignmentsOf('safe-internet-use', { until: at(1) }));
        const empty = await collect(store.assignmentsOf('safe-internet-use', { since: at(2), until: at(2) }));

        // Assess
        const ids = (pages: PolicyAssignment[][]) => pages.flat().map((a) => a.assignmentId);
        expect(ids(bounded)).toEqual(['m1', 'm2']);
        expect(ids(since)).toEqual(['m3', 'm4']);
        expect(ids(until)).toEqual(['m0']);
        expect(empty).toEqual([]);
      });

      it('yields page after page past a megabyte of index, none of them empty', async () => {
        // Prepare: 120 assignments, each with ten kilobytes of starter id in the index
        const store = await make();
        const many = Array.from({ length: 120 }, (_, i) =>
          ask(`a${String(i).padStart(3, '0')}`, { createdAt: iso(i), starterId: `${i}`.padEnd(10_000, '.') }),
        );
        for (const assignment of many) await store.createAssignment(assignment);

        // Act
        const pages = await collect(store.assignmentsOf('safe-internet-use'));

        // Assess
        expect(pages.length).toBeGreaterThan(1);
        expect(pages.every((page) => page.length > 0)).toBe(true);
        expect(pages.flat()).toEqual(many.map(indexed));
      });
    });
  });
}

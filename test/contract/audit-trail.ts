// The contract of an assignment's audit trail: append-only, each event once, read in time order.
import { describe, expect, it } from 'vitest';
import { ask, at, iso, type MakeStore } from './support.ts';

export type AuditTrailStore = MakeStore<
  'appendAudit' | 'appendAudits' | 'getAuditTrail' | 'createAssignment' | 'recordSentAttempt'
>;

export function describeAuditTrailContract(name: string, make: AuditTrailStore): void {
  describe(`${name}: AuditTrail`, () => {
    it('reads the events in time order, each with its kind and detail', async () => {
      // Prepare
      const store = await make();

      // Act
      await store.appendAudit('a1', 'acknowledged', at(9), { evidenceId: 'ev_1' });
      await store.appendAudit('a1', 'invited', at(1), { messageId: 'ses-1' });
      await store.appendAudit('a1', 'created', at(0));

      // Assess
      expect(await store.getAuditTrail('a1')).toEqual([
        { kind: 'created', at: iso(0), detail: {} },
        { kind: 'invited', at: iso(1), detail: { messageId: 'ses-1' } },
        { kind: 'acknowledged', at: iso(9), detail: { evidenceId: 'ev_1' } },
      ]);
    });

    it('appends several new events at once, each in the trail with its detail', async () => {
      // Prepare
      const store = await make();
      await store.appendAudit('a1', 'invited', at(1), { messageId: 'ses-1' });

      // Act
      await store.appendAudits('a1', [
        { kind: 'opened', at: at(5), detail: { tokenId: 't1' } },
        { kind: 'acknowledged', at: at(6), detail: { evidenceId: 'ev_1', tokenId: 't1' } },
      ]);

      // Assess
      expect(await store.getAuditTrail('a1')).toEqual([
        { kind: 'invited', at: iso(1), detail: { messageId: 'ses-1' } },
        { kind: 'opened', at: iso(5), detail: { tokenId: 't1' } },
        { kind: 'acknowledged', at: iso(6), detail: { evidenceId: 'ev_1', tokenId: 't1' } },
      ]);
    });

    it('stores an event of the same time and kind once, the first detail standing', async () => {
      // Prepare
      const store = await make();
      await store.appendAudit('a1', 'invited', at(1), { messageId: 'ses-1' });

      // Act
      await store.appendAudit('a1', 'invited', at(1), { messageId: 'ses-retried' });
      await store.appendAudit('a1', 'reminded', at(1), { messageId: 'ses-2' });

      // Assess: another kind at the same time is another event
      expect(await store.getAuditTrail('a1')).toEqual([
        { kind: 'invited', at: iso(1), detail: { messageId: 'ses-1' } },
        { kind: 'reminded', at: iso(1), detail: { messageId: 'ses-2' } },
      ]);
    });

    it('keeps one event a destination of the same time and kind, in the order of their names', async () => {
      // Prepare
      const store = await make();

      // Act
      await store.appendAudit('a1', 'delivered', at(3), { destination: 'xapi', status: '200' });
      await store.appendAudit('a1', 'delivered', at(3), { destination: 'webhook', status: '204' });
      await store.appendAudit('a1', 'delivered', at(3), { destination: 'xapi', status: '204' });

      // Assess
      expect(await store.getAuditTrail('a1')).toEqual([
        { kind: 'delivered', at: iso(3), detail: { destination: 'webhook', status: '204' } },
        { kind: 'delivered', at: iso(3), detail: { destination: 'xapi', status: '200' } },
      ]);
    });

    it("reads only the assignment's own events, not the assignment, its attempts or others' events", async () => {
      // Prepare
      const store = await make();
      await store.createAssignment(ask('a1'));
      await store.recordSentAttempt('a1', 't1', 'ses-1', at(1));
      await store.appendAudit('a2', 'invited', at(1));

      // Act
      const trails = [await store.getAuditTrail('a1'), await store.getAuditTrail('a2')];

      // Assess
      expect(trails).toEqual([[], [{ kind: 'invited', at: iso(1), detail: {} }]]);
    });
  });
}

// Audit trails on the table: one item per event, under its assignment's partition in the `EVT#` range, each written once.
import type { AuditEvent, AuditTrail } from '#shared/ports.ts';
import { key } from './table.ts';
import type { TableFor } from './table-access.ts';

export function makeAuditTrail(table: TableFor<'auditTrail'>): AuditTrail {
  return {
    async appendAudit(assignmentId, kind, at, detail) {
      // Append-only: a key is written once; a retried append of the same event is a no-op.
      await table.putIfAbsent({
        // Detail first: it can never overwrite the key, the kind or the time.
        ...detail,
        ...key.auditEvent(assignmentId, at.toISOString(), kind, detail?.destination),
        kind,
        at: at.toISOString(),
      });
    },

    async appendAudits(assignmentId, events) {
      const items = events.map(({ kind, at, detail }) => ({
        ...detail,
        ...key.auditEvent(assignmentId, at.toISOString(), kind, detail?.destination),
        kind,
        at: at.toISOString(),
      }));
      // One event keeps its write-once condition; several are new by construction (the port says so).
      if (items.length === 1) await table.putIfAbsent(items[0] as (typeof items)[number]);
      else if (items.length) await table.batchPut(items);
    },

    async getAuditTrail(assignmentId) {
      const events: AuditEvent[] = [];
      const pages = table.paginate({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :evt)',
        ExpressionAttributeValues: { ':pk': key.assignment(assignmentId).pk, ':evt': 'EVT#' },
        ConsistentRead: true,
      });
      for await (const items of pages) {
        for (const { pk: _pk, sk: _sk, erasedAt: _erased, kind, at, ...detail } of items) {
          events.push({ kind: kind as string, at: at as string, detail: detail as Record<string, string> });
        }
      }
      return events;
    },
  };
}

// Assignments read by policy from the table's two indexes: the signers' (acknowledged, by version) and the policy's (every assignment, by when it was made).
import type { PolicyAssignment, PolicyIndex, Signer } from '#shared/ports.ts';
import type { TableFor } from './table-access.ts';
import { POLICY_INDEX, SIGNED_INDEX } from './table-schema.ts';

export function makePolicyIndex(table: TableFor<'policyIndex'>): PolicyIndex {
  return {
    async *signers(policyId, belowVersion) {
      const pages = table.paginateIndex(SIGNED_INDEX, {
        KeyConditionExpression: 'signedPolicy = :policy AND signedVersion < :below',
        ExpressionAttributeValues: { ':policy': policyId, ':below': belowVersion },
        ScanIndexForward: false,
      });
      for await (const items of pages) {
        for (const item of items) {
          yield {
            assignmentId: item.assignmentId as string,
            starterId: item.starterId as string,
            policyVersion: item.signedVersion as number,
          } satisfies Signer;
        }
      }
    },

    async *assignmentsOf(policyId, range = {}) {
      const { since, until } = range;
      if (since && until && until <= since) return; // an empty range: nothing (BETWEEN would refuse it)
      // Only assignments carry both of the index's keys; the sort key check keeps it so.
      const bounds =
        since && until
          ? ' AND createdAt BETWEEN :since AND :until'
          : since
            ? ' AND createdAt >= :since'
            : until
              ? ' AND createdAt <= :until'
              : '';
      const pages = table.paginateIndex(POLICY_INDEX, {
        KeyConditionExpression: `policyId = :policy${bounds}`,
        ExpressionAttributeValues: {
          ':policy': policyId,
          ...(since && { ':since': since.toISOString() }),
          // BETWEEN and <= include the bound; `until` is exclusive, so stop a millisecond short.
          ...(until && { ':until': new Date(until.getTime() - 1).toISOString() }),
        },
      });
      for await (const items of pages) {
        const assignments = items
          .filter((item) => item.sk === 'ASSIGNMENT')
          .map(
            (item) =>
              ({
                assignmentId: item.assignmentId as string,
                starterId: item.starterId as string,
                policyVersion: item.policyVersion as number,
                status: item.status as PolicyAssignment['status'],
                createdAt: item.createdAt as string,
              }) satisfies PolicyAssignment,
          );
        if (assignments.length) yield assignments;
      }
    },
  };
}

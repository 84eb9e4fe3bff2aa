// The ingest use case as SCIM's writes reach it, loaded at the first write that makes a starter event: a search, a read or a refused request never needs it (issue 18).
import { ingestAggregates } from '#functions/ingest/store.ts';
import type { Table } from '#shared/adapters/dynamo/table.ts';
import { makeMetrics } from '#shared/adapters/metrics.ts';
import { makeSqsQueue } from '#shared/adapters/sqs-queue.ts';
import { makeIngestStarterEvent } from '#shared/core/ingest.ts';
import { SCIM_SOURCE } from '#shared/core/scim/service.ts';
import type { Clock, Logger } from '#shared/ports.ts';
import { bundledAudience } from '#templates/audience.ts';
import { bundledCatalogue } from '#templates/policy-catalogue.ts';
import type { config } from './config.ts';

/** The function's settings the use case needs: given, not imported, so this module reads nothing as it loads. */
type IngestSettings = Pick<
  typeof config,
  | 'DUE_SHARDS'
  | 'MAIL_QUEUE_URL'
  | 'DEFAULT_POLICIES'
  | 'REDRIVE_AFTER'
  | 'RETAIN_UNSIGNED_AFTER_LEAVING'
  | 'RETAIN_EVIDENCE'
>;

/**
 * Each SCIM user a starter: the ingest use case with source `scim`, on the function's table and
 * settings, with its aggregates (an HR event's receipt, its starter and assignments, the policies and their index,
 * the audit trail, retention steps and erasures): its store type names what it needs, so one left
 * out fails the typecheck.
 */
export function makeScimIngest(table: Table, config: IngestSettings, clock: Clock, logger: Logger) {
  return makeIngestStarterEvent({
    store: ingestAggregates(table, config.DUE_SHARDS),
    mailQueue: makeSqsQueue(config.MAIL_QUEUE_URL),
    clock,
    logger,
    metrics: makeMetrics(),
    policies: bundledCatalogue,
    defaultPolicies: config.DEFAULT_POLICIES,
    audience: bundledAudience,
    redriveAfterMs: config.REDRIVE_AFTER,
    retention: {
      unsignedAfterLeaving: config.RETAIN_UNSIGNED_AFTER_LEAVING,
      evidence: config.RETAIN_EVIDENCE,
    },
    source: SCIM_SOURCE,
  });
}

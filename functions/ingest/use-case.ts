// The ingest use case as the functions that take starters compose it: the ingest function (HR's signed webhook) and SCIM (at its first write that makes a starter).
import type { Table } from '#shared/adapters/dynamo/table.ts';
import { makeMetrics } from '#shared/adapters/metrics.ts';
import { makeSqsQueue } from '#shared/adapters/sqs-queue.ts';
import { makeIngestStarterEvent } from '#shared/core/ingest.ts';
import type { Clock, Logger } from '#shared/ports.ts';
import { bundledAudience } from '#templates/audience.ts';
import { bundledCatalogue } from '#templates/policy-catalogue.ts';
import type { config } from './config.ts';
import { ingestAggregates } from './store.ts';

/** The settings the use case needs: given, not imported, so a module composing it reads nothing as it loads. */
export type IngestSettings = Pick<
  typeof config,
  | 'DUE_SHARDS'
  | 'MAIL_QUEUE_URL'
  | 'DEFAULT_POLICIES'
  | 'REDRIVE_AFTER'
  | 'RETAIN_UNSIGNED_AFTER_LEAVING'
  | 'RETAIN_EVIDENCE'
>;

/**
 * Starter events ingested on `table` with its aggregates (an HR event's receipt, its starter and
 * assignments, the policies and their index, the audit trail, retention steps and erasures), the
 * invites queued on the mail queue, the bundled policies and audience rules; events from `source`
 * (the signed webhook's unless given).
 */
export function makeIngestUseCase(
  table: Table,
  settings: IngestSettings,
  clock: Clock,
  logger: Logger,
  source?: string,
) {
  return makeIngestStarterEvent({
    store: ingestAggregates(table, settings.DUE_SHARDS),
    mailQueue: makeSqsQueue(settings.MAIL_QUEUE_URL),
    clock,
    logger,
    metrics: makeMetrics(),
    policies: bundledCatalogue,
    defaultPolicies: settings.DEFAULT_POLICIES,
    audience: bundledAudience,
    redriveAfterMs: settings.REDRIVE_AFTER,
    retention: {
      unsignedAfterLeaving: settings.RETAIN_UNSIGNED_AFTER_LEAVING,
      evidence: settings.RETAIN_EVIDENCE,
    },
    ...(source !== undefined && { source }),
  });
}

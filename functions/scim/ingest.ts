// The ingest use case as SCIM's writes reach it, loaded at the first write that makes a starter event: a search, a read or a refused request never needs it (issue 18).
import { type IngestSettings, makeIngestUseCase } from '#functions/ingest/use-case.ts';
import type { Table } from '#shared/adapters/dynamo/table.ts';
import { SCIM_SOURCE } from '#shared/core/scim/service.ts';
import type { Clock, Logger } from '#shared/ports.ts';

/** Each SCIM user a starter: the ingest use case with source `scim`, on the function's table and settings. */
export function makeScimIngest(table: Table, config: IngestSettings, clock: Clock, logger: Logger) {
  return makeIngestUseCase(table, config, clock, logger, SCIM_SOURCE);
}

// /scim/v2/…: the identity provider's SCIM 2.0 requests (RFC 7644), each user a starter through the ingest use case.
import { randomUUID } from 'node:crypto';
import { makeLogger, withLambdaContext } from '#shared/adapters/logger.ts';
import type { IngestResult } from '#shared/core/ingest.ts';
import { makeScimService } from '#shared/core/scim/service.ts';
import { type StarterEvent, starterEventSchema } from '#shared/core/starter-event.ts';
import type { HttpEvent, HttpResult } from '#shared/edge/http.ts';
import { readScimRequest, scimBase, scimFailure, toScimResult } from '#shared/edge/scim.ts';
import { bundledCatalogue } from '#templates/policy-catalogue.ts';
import { config } from './config.ts';
import { makeScimStore } from './store.ts';

const logger = makeLogger();
const { table, users } = makeScimStore(config.TABLE_NAME);
const clock = { now: () => new Date() };
/**
 * The ingest use case, loaded (with the mail queue's SQS client, metrics and the ingest aggregates'
 * code) at the first write that makes a starter event: a search, an identity provider's first
 * request, never needs it, nor does a read, a discovery request or a refusal.
 */
let ingest: ((event: StarterEvent) => Promise<IngestResult>) | undefined;
const service = makeScimService({
  store: users,
  ingest: async (event) => {
    ingest ??= (await import('./ingest.ts')).makeScimIngest(table, config, clock, logger);
    return ingest(event);
  },
  schema: starterEventSchema(bundledCatalogue.ids),
  clock,
  logger,
  newId: randomUUID,
  timeZone: config.DEFAULT_TIME_ZONE,
});

export const handler = withLambdaContext(logger, async (event: HttpEvent): Promise<HttpResult> => {
  try {
    const read = readScimRequest(event, await config.scimToken());
    if ('refused' in read) {
      logger.warn('request refused', { status: read.refused.statusCode });
      return read.refused;
    }
    const response = await service.handle(read.request, scimBase(event, config.PUBLIC_BASE_URL));
    if (response.status >= 400) logger.warn('request refused', { status: response.status });
    return toScimResult(response);
  } catch (error) {
    return scimFailure(error, logger);
  }
});

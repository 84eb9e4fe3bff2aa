// /scim/v2/…: the identity provider's SCIM 2.0 requests (RFC 7644), each user a starter through the ingest use case.
import { randomUUID } from 'node:crypto';
import { makeLogger, withLambdaContext } from '#shared/adapters/logger.ts';
import { makeMetrics } from '#shared/adapters/metrics.ts';
import { makeSqsQueue } from '#shared/adapters/sqs-queue.ts';
import { makeIngestStarterEvent } from '#shared/core/ingest.ts';
import { makeScimService, SCIM_SOURCE } from '#shared/core/scim/service.ts';
import { starterEventSchema } from '#shared/core/starter-event.ts';
import type { HttpEvent, HttpResult } from '#shared/edge/http.ts';
import { readScimRequest, scimBase, scimFailure, toScimResult } from '#shared/edge/scim.ts';
import { bundledAudience } from '#templates/audience.ts';
import { bundledCatalogue } from '#templates/policy-catalogue.ts';
import { config } from './config.ts';
import { makeScimStore } from './store.ts';

const logger = makeLogger();
const store = makeScimStore(config.TABLE_NAME, config.DUE_SHARDS);
const clock = { now: () => new Date() };
const schema = starterEventSchema(bundledCatalogue.ids);
const service = makeScimService({
  store,
  ingest: makeIngestStarterEvent({
    store,
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
  }),
  schema,
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

// POST /v1/starters: verify the HR system's signature, validate, ingest, answer 202 or a problem.
import { makeLogger, withLambdaContext } from '#shared/adapters/logger.ts';
import { rebuiltWhenChanged } from '#shared/adapters/secrets.ts';
import { AttestError } from '#shared/core/errors.ts';
import { parseStarterEvent, starterEventSchema } from '#shared/core/starter-event.ts';
import { makeWebhookVerifier } from '#shared/core/webhooks.ts';
import {
  type HttpEvent,
  type HttpResult,
  headers,
  json,
  rawBody,
  requireJson,
  toProblem,
} from '#shared/edge/http.ts';
import { bundledCatalogue } from '#templates/policy-catalogue.ts';
import { config } from './config.ts';
import { makeIngestTable } from './store.ts';
import { makeIngestUseCase } from './use-case.ts';

const MAX_BODY_BYTES = 64 * 1024;
const logger = makeLogger();
const schema = starterEventSchema(bundledCatalogue.ids);
const verifier = rebuiltWhenChanged(config.hrWebhookSecret, makeWebhookVerifier);
const ingest = makeIngestUseCase(
  makeIngestTable(config.TABLE_NAME),
  config,
  { now: () => new Date() },
  logger,
);

export const handler = withLambdaContext(logger, async (event: HttpEvent): Promise<HttpResult> => {
  try {
    requireJson(event);
    const body = rawBody(event);
    if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
      throw new AttestError('request.too_large', `The body must be at most ${MAX_BODY_BYTES} bytes.`);
    }
    const verify = await verifier();
    const starterEvent = parseStarterEvent(schema, verify(body, headers(event)));
    return json(202, await ingest(starterEvent));
  } catch (error) {
    return toProblem(error, logger);
  }
});

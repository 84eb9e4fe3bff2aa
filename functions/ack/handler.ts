// GET and POST /ack/{token}: the policy page and the recording of an agreement; POST /ack/resend/{token}: a fresh link; GET /assets/{file}: the logo. A POST from another site's page is refused.
import { makeLogger, withLambdaContext } from '#shared/adapters/logger.ts';
import { makeMetrics } from '#shared/adapters/metrics.ts';
import { rebuiltWhenChanged } from '#shared/adapters/secrets.ts';
import { makeSqsQueue } from '#shared/adapters/sqs-queue.ts';
import { makeAcknowledgement } from '#shared/core/acknowledge.ts';
import { preferredLanguage } from '#shared/core/language.ts';
import { fromOwnPages, type HttpEvent, type HttpResult, headers, rawBody } from '#shared/edge/http.ts';
import { ASSET_ROUTE, serveAsset } from './assets.ts';
import { config } from './config.ts';
import { crossSitePage, errorPage, viewPage } from './pages.ts';
import { makeAckStore } from './store.ts';

/** The route of the expired-link page's "email me a fresh link" button. */
export const RESEND_ROUTE = 'POST /ack/resend/{token}';
const logger = makeLogger();
const metrics = makeMetrics();
const store = makeAckStore(config.TABLE_NAME, config.DUE_SHARDS);
const lmsQueue = makeSqsQueue(config.LMS_QUEUE_URL);
const mailQueue = makeSqsQueue(config.MAIL_QUEUE_URL);
const brand = { organisationName: config.ORGANISATION_NAME };

/** The use case for the link keys of the moment (`attest keys`), rebuilt only when they change. */
const acknowledgement = rebuiltWhenChanged(config.tokenKeys, (tokenKeys) =>
  makeAcknowledgement({
    store,
    lmsQueue,
    mailQueue,
    clock: { now: () => new Date() },
    logger,
    metrics,
    tokenKeys,
    deliveries: config.LMS_MODE,
    redriveAfterMs: config.REDRIVE_AFTER,
    freshLinkIntervalMs: config.FRESH_LINK_INTERVAL,
    retention: { auditIp: config.RETAIN_AUDIT_IP },
  }),
);

export const handler = withLambdaContext(logger, async (event: HttpEvent): Promise<HttpResult> => {
  if (event.routeKey === ASSET_ROUTE) return serveAsset(event.pathParameters?.file);
  const token = event.pathParameters?.token ?? '';
  const formAction = `/ack/${encodeURIComponent(token)}`;
  if (event.requestContext.http.method === 'POST' && !fromOwnPages(headers(event), config.pagesOrigin)) {
    // Another site's form, posted by the person's browser: refused before anything is read.
    logger.warn('ack.cross_site_post', { route: event.routeKey });
    return crossSitePage(brand, preferredLanguage(headers(event)['accept-language']));
  }
  try {
    const ack = await acknowledgement();
    if (event.routeKey === RESEND_ROUTE)
      return await viewPage(await ack.requestFreshLink(token), formAction, brand);
    if (event.requestContext.http.method === 'POST') {
      const form = new URLSearchParams(rawBody(event));
      const request = {
        token,
        fullName: form.get('fullName') ?? undefined,
        shown: form.get('shown') ?? undefined,
        ipAddress: event.requestContext.http.sourceIp,
        userAgent: event.requestContext.http.userAgent ?? '',
      };
      // The "I do not agree" form says so; any other POST is the agree form.
      const reason = form.get('reason') ?? undefined;
      const view =
        form.get('decision') === 'decline'
          ? await ack.recordDecline({ ...request, reason })
          : await ack.recordAcknowledgement({ ...request, agree: form.get('agree') ?? undefined });
      return await viewPage(view, formAction, brand);
    }
    // Awaited here, so a page that cannot be made (its Markdown not loading) meets the catch below.
    return await viewPage(await ack.showAcknowledgement(token), formAction, brand);
  } catch (error) {
    // Whose link it was is not known here: the browser's language says what to answer in.
    return errorPage(error, logger, brand, preferredLanguage(headers(event)['accept-language']));
  }
});

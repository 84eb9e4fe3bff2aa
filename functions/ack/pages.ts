// The page edge of the acknowledgement function: views to HTML responses, errors to friendly pages, in the starter's language.

import { errorLocation } from '#shared/adapters/stack-map.ts';
import type { AckView } from '#shared/core/acknowledge.ts';
import { type AttestError, NotFoundError, TokenError } from '#shared/core/errors.ts';
import type { Language } from '#shared/core/language.ts';
import { type HttpResult, pageHeaders } from '#shared/edge/http.ts';
import type { Logger } from '#shared/ports.ts';
import {
  type Brand,
  PAGE_CSP,
  renderAckPage,
  renderErrorPage,
  renderExpiredPage,
  renderReceiptPage,
} from '#templates/ack-page.ts';
import { preparePolicyHtml } from '#templates/policy-html.ts';

const page = (statusCode: number, body: string): HttpResult => ({
  statusCode,
  headers: pageHeaders(PAGE_CSP),
  body,
});

export async function viewPage(view: AckView, formAction: string, brand: Brand): Promise<HttpResult> {
  switch (view.kind) {
    case 'form': {
      // The build compiled this build's policy texts; an older version's is rendered once, now.
      await preparePolicyHtml(view.policy.body);
      const errors = view.errors && { name: view.errors.fullName, agree: view.errors.agree };
      const refused = Boolean(errors || view.decline?.errors || view.declineRefused);
      // A re-shown form answers 422 so tools can tell it from a fresh page; browsers show it alike.
      return page(
        refused ? 422 : 200,
        renderAckPage({
          policy: view.policy,
          brand,
          formAction,
          shown: view.shown,
          values: { name: view.values?.fullName },
          errors,
          decline: view.decline && {
            values: view.decline.values && {
              name: view.decline.values.fullName,
              reason: view.decline.values.reason,
            },
            errors: view.decline.errors && {
              name: view.decline.errors.fullName,
              reason: view.decline.errors.reason,
            },
          },
          declinedAt: view.declinedAt,
          timeZone: view.timeZone,
          justDeclined: view.justDeclined,
          declineRefused: view.declineRefused,
        }),
      );
    }
    case 'receipt':
      return page(
        200,
        renderReceiptPage({
          policy: view.policy,
          brand,
          acknowledgedAt: view.evidence.acknowledgedAt,
          typedName: view.evidence.typedName,
          evidenceId: view.evidence.evidenceId,
          already: view.already,
          method: view.evidence.method,
          timeZone: view.timeZone,
        }),
      );
    case 'expired':
      return page(
        410,
        renderExpiredPage({
          resendAction: `/ack/resend/${encodeURIComponent(view.resendToken)}`,
          language: view.language,
          brand,
        }),
      );
    case 'fresh-link-sent':
      return page(
        200,
        renderErrorPage({
          title: 'freshLinkPage.title',
          message: 'freshLinkPage.message',
          language: view.language,
          brand,
        }),
      );
    case 'withdrawn':
      return page(
        410,
        view.newerVersion
          ? renderErrorPage({
              title: 'updatedPage.title',
              message: 'updatedPage.message',
              vars: { version: view.newerVersion },
              language: view.language,
              brand,
            })
          : renderErrorPage({
              title: 'withdrawnPage.title',
              message: 'withdrawnPage.message',
              language: view.language,
              brand,
            }),
      );
  }
}

/**
 * A form posted to the pages from another site's page (fromOwnPages): 403, nothing recorded, in the
 * browser's language (the token is not looked at, so whose link it was is not known).
 */
export function crossSitePage(brand: Brand, language: Language): HttpResult {
  return page(
    403,
    renderErrorPage({ title: 'otherSitePage.title', message: 'otherSitePage.message', language, brand }),
  );
}

/**
 * Token and lookup failures get a page that reveals nothing (in the browser's language: whose
 * link it was is not known); anything else is a logged 500 page.
 */
export function errorPage(
  error: unknown,
  logger: Pick<Logger, 'error'>,
  brand: Brand,
  language: Language,
): HttpResult {
  if (error instanceof TokenError && error.code === 'token.expired') {
    // Only an expired fresh-link button lands here; an expired signing link gets renderExpiredPage.
    return page(
      410,
      renderErrorPage({
        title: 'staleButtonPage.title',
        message: 'staleButtonPage.message',
        language,
        brand,
      }),
    );
  }
  if (error instanceof TokenError || error instanceof NotFoundError) {
    return page(
      404,
      renderErrorPage({ title: 'invalidPage.title', message: 'invalidPage.message', language, brand }),
    );
  }
  logger.error('unhandled error', {
    error: error instanceof Error ? error.name : typeof error,
    code: (error as AttestError)?.code,
    at: errorLocation(error),
  });
  return page(
    500,
    renderErrorPage({ title: 'failurePage.title', message: 'failurePage.message', language, brand }),
  );
}

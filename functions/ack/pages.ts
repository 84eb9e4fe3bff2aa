// The page edge of the acknowledgement function: views to HTML responses, errors to friendly pages.

import type { AckView } from '#shared/core/acknowledge.ts';
import { type AttestError, NotFoundError, TokenError } from '#shared/core/errors.ts';
import { type HttpResult, pageHeaders } from '#shared/edge/http.ts';
import type { Logger } from '#shared/ports.ts';
import {
  PAGE_CSP,
  renderAckPage,
  renderErrorPage,
  renderExpiredPage,
  renderReceiptPage,
} from '#templates/ack-page.ts';

const page = (statusCode: number, body: string): HttpResult => ({
  statusCode,
  headers: pageHeaders(PAGE_CSP),
  body,
});

export function viewPage(view: AckView, formAction: string): HttpResult {
  switch (view.kind) {
    case 'form': {
      const errors = view.errors && { name: view.errors.fullName, agree: view.errors.agree };
      const refused = Boolean(errors || view.decline?.errors || view.declineRefused);
      // A re-shown form answers 422 so tools can tell it from a fresh page; browsers show it alike.
      return page(
        refused ? 422 : 200,
        renderAckPage({
          policy: view.policy,
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
          acknowledgedAt: view.evidence.acknowledgedAt,
          typedName: view.evidence.typedName,
          evidenceId: view.evidence.evidenceId,
          already: view.already,
          method: view.evidence.method,
        }),
      );
    case 'expired':
      return page(
        410,
        renderExpiredPage({ resendAction: `/ack/resend/${encodeURIComponent(view.resendToken)}` }),
      );
    case 'fresh-link-sent':
      return page(
        200,
        renderErrorPage({
          title: 'Check your email',
          message:
            'We have sent a fresh link to the email address your employer gave us. It can take a few minutes to arrive; if it does not, ask your HR team.',
        }),
      );
    case 'withdrawn':
      return page(
        410,
        view.newerVersion
          ? renderErrorPage({
              title: 'This policy has been updated',
              message: `This link was for an earlier version. Please read and sign version ${view.newerVersion} instead, from the email asking you to sign it. If you cannot find that email, ask your HR team.`,
            })
          : renderErrorPage({
              title: 'This request has been withdrawn',
              message:
                'You no longer need to sign this policy. If you think that is wrong, contact your HR team.',
            }),
      );
  }
}

/** Token and lookup failures get a page that reveals nothing; anything else is a logged 500 page. */
export function errorPage(error: unknown, logger: Pick<Logger, 'error'>): HttpResult {
  if (error instanceof TokenError && error.code === 'token.expired') {
    // Only an expired fresh-link button lands here; an expired signing link gets renderExpiredPage.
    return page(
      410,
      renderErrorPage({
        title: 'This page has expired',
        message: 'Open the link in your email again to ask for a fresh one, or ask your HR team.',
      }),
    );
  }
  if (error instanceof TokenError || error instanceof NotFoundError) {
    return page(
      404,
      renderErrorPage({
        title: 'This link is not valid',
        message:
          'Check that you opened the whole link from your email, or ask your HR team to send you a new one.',
      }),
    );
  }
  logger.error('unhandled error', {
    error: error instanceof Error ? error.name : typeof error,
    code: (error as AttestError)?.code,
  });
  return page(
    500,
    renderErrorPage({ title: 'Something went wrong', message: 'Please try again in a few minutes.' }),
  );
}

// The console's pages as its edge takes them: each view rendered to a whole HTML document under one CSP.
import type { ConsolePages } from '#shared/edge/console/app.ts';
import { consoleCsp, renderConsoleError, renderNoAccess, renderSignedOut } from './layout.ts';
import { renderOverview } from './overview.ts';
import { renderConfirm, renderDeliveries, renderExports, renderPolicies, renderPolicyDiff } from './pages.ts';
import { renderPeople, renderPerson } from './people.ts';

/**
 * The pages, their CSP letting a form end at `signOutOrigin` — the provider's, where sign-out's
 * redirects lead (browsers hold a form's whole redirect chain to form-action).
 */
export const consolePagesFor = (signOutOrigin: string): ConsolePages => ({
  ...consolePages,
  csp: consoleCsp([signOutOrigin]),
});

export const consolePages: ConsolePages = {
  csp: consoleCsp(),
  overview: renderOverview,
  people: renderPeople,
  person: renderPerson,
  policies: renderPolicies,
  policyDiff: renderPolicyDiff,
  deliveries: renderDeliveries,
  exports: renderExports,
  confirm: renderConfirm,
  error: (error, frame) => renderConsoleError(error, frame),
  signedOut: renderSignedOut,
  noAccess: (email) => renderNoAccess(email),
};

// The console's pages as its edge takes them: each view rendered to a whole HTML document under one CSP.
import type { ConsolePages } from '#shared/edge/console/app.ts';
import { CONSOLE_CSP, renderConsoleError, renderNoAccess, renderSignedOut } from './layout.ts';
import { renderOverview } from './overview.ts';
import { renderConfirm, renderDeliveries, renderExports, renderPolicies, renderPolicyDiff } from './pages.ts';
import { renderPeople, renderPerson } from './people.ts';

export const consolePages: ConsolePages = {
  csp: CONSOLE_CSP,
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

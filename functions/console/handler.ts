// /console/…: the HR and compliance console — sign-in through the organisation's OpenID provider, the pages, exports and admin actions.
import { makeLogger, withLambdaContext } from '#shared/adapters/logger.ts';
import type { OidcSettings, SignInProvider } from '#shared/adapters/oidc.ts';
import { makeSqsQueue } from '#shared/adapters/sqs-queue.ts';
import { makeConsoleActions } from '#shared/core/console/actions.ts';
import { makeConsoleQueries } from '#shared/core/console/queries.ts';
import { type ConsoleSubjectAccess, makeConsoleApp } from '#shared/edge/console/app.ts';
import { makeSealer } from '#shared/edge/console/session.ts';
import type { HttpEvent, HttpResult } from '#shared/edge/http.ts';
import { consolePagesFor } from '#templates/console/index.ts';
import { policySettings } from '#templates/generated/policy-settings.ts';
import pkg from '../../package.json' with { type: 'json' };
import { config } from './config.ts';
import { makeConsoleStore } from './store.ts';

const logger = makeLogger();
const store = makeConsoleStore(config.TABLE_NAME, config.DUE_SHARDS);
const clock = { now: () => new Date() };
/** The policies this build carries, by id: their settings, not their texts (the console shows published versions, from the table). */
const policies = [...policySettings.keys()];
/** Sign-out ends at the provider: Cognito's logout address, or the issuer's own end-session endpoint. */
const pages = consolePagesFor(new URL(config.OIDC_LOGOUT_URL ?? config.OIDC_ISSUER).origin);

/**
 * The subject access export (its LMS payloads' destinations among it) and its page load with the
 * first export, not at every cold start: few requests ask for one (issue 18).
 */
function subjectAccessOnFirstUse(): ConsoleSubjectAccess {
  let exportOf: Promise<ConsoleSubjectAccess['export']> | undefined;
  const loaded = () =>
    (exportOf ??= Promise.all([import('#shared/core/privacy/export.ts'), config.payloads()]).then(
      ([{ makeSubjectAccessByStarter }, payloads]) =>
        makeSubjectAccessByStarter({ store, clock, version: pkg.version, payloads }),
    ));
  return {
    export: async (starterId) => (await loaded())(starterId),
    html: async (data) => {
      const { renderSubjectAccessHtml, SUBJECT_ACCESS_CSP } = await import('#templates/privacy-export.ts');
      return { html: renderSubjectAccessHtml(data), csp: SUBJECT_ACCESS_CSP };
    },
  };
}
const subjectAccess = subjectAccessOnFirstUse();

/**
 * The OpenID client (openid-client, oauth4webapi) loads with the first sign-in or sign-out, not at
 * every cold start: a signed-in person's requests need only the session cookie (issue 18).
 */
function signInOnFirstUse(settings: OidcSettings): SignInProvider {
  let provider: Promise<SignInProvider> | undefined;
  const loaded = () =>
    (provider ??= import('#shared/adapters/oidc.ts').then((oidc) => oidc.makeOidcProvider(settings)));
  return {
    start: async (returnTo, now) => (await loaded()).start(returnTo, now),
    finish: async (callbackUrl, pending) => (await loaded()).finish(callbackUrl, pending),
    endSessionUrl: async () => (await loaded()).endSessionUrl(),
  };
}

/** The provider's redirects come back to the console's own address: PUBLIC_BASE_URL's, on AWS the API's. */
const apps = new Map<string, ReturnType<typeof makeConsoleApp>>();
function appFor(baseUrl: string, sessionKey: string) {
  let app = apps.get(baseUrl);
  if (!app) {
    app = makeConsoleApp({
      queries: makeConsoleQueries({
        store,
        clock,
        policies,
        timeZone: config.DEFAULT_TIME_ZONE,
        deliveries: config.LMS_MODE,
        lifecycleFor: config.lifecycleFor,
      }),
      actions: makeConsoleActions({
        store,
        mailQueue: makeSqsQueue(config.MAIL_QUEUE_URL),
        clock,
        logger,
        freshLinkIntervalMs: config.FRESH_LINK_INTERVAL,
        deliveries: config.LMS_MODE,
      }),
      signIn: signInOnFirstUse({
        issuer: config.OIDC_ISSUER,
        clientId: config.OIDC_CLIENT_ID,
        redirectUri: `${baseUrl}/console/auth/callback`,
        postLogoutRedirectUri: `${baseUrl}/console/signed-out`,
        logoutUrl: config.OIDC_LOGOUT_URL,
      }),
      sealer: makeSealer(sessionKey),
      pages,
      subjectAccess,
      clock,
      logger,
      settings: {
        baseUrl,
        groupsClaim: config.OIDC_GROUPS_CLAIM,
        adminGroup: config.CONSOLE_ADMIN_GROUP,
        auditorGroup: config.CONSOLE_AUDITOR_GROUP,
        idleMs: config.CONSOLE_IDLE_TIMEOUT,
        lifetimeMs: config.CONSOLE_SESSION_LIFETIME,
        policies,
      },
    });
    // PUBLIC_BASE_URL, or the API's own domain (and a custom one): a few at most, never one per request.
    if (apps.size < 4) apps.set(baseUrl, app);
  }
  return app;
}

export const handler = withLambdaContext(logger, async (event: HttpEvent): Promise<HttpResult> => {
  const baseUrl = config.PUBLIC_BASE_URL ?? `https://${event.requestContext.domainName}`;
  return appFor(baseUrl, await config.sessionKey())(event);
});

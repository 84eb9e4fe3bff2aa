// The OpenID provider `npm start` runs for the console: oidc-provider with the two demo users, its own sign-in form, and sign-out.
import { createHash, generateKeyPair, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import type { Configuration, JWK, KoaContextWithOIDC } from 'oidc-provider';
import {
  pageHeaders,
  renderErrorPage,
  renderSignedOutPage,
  renderSignInPage,
  renderSignOutPage,
} from './oidc-pages.ts';
import { memoryStore } from './oidc-store.ts';

/** The console's client at this provider (OIDC_CLIENT_ID). */
export const LOCAL_OIDC_CLIENT_ID = 'attest-console';

/** The demo users: one in each of the console's groups, both with the local console password. */
export const DEMO_USERS = [
  {
    sub: 'local-hr',
    email: 'hr@attest.example',
    name: 'Harriet Roe (HR)',
    groups: ['attest-admins'],
    role: 'admin',
  },
  {
    sub: 'local-auditor',
    email: 'auditor@attest.example',
    name: 'Aled Auditor',
    groups: ['attest-auditors'],
    role: 'auditor',
  },
] as const;

export interface LocalOidcProviderOptions {
  /** 0 lets the OS choose. */
  port: number;
  /** Where the console is served: its callback and signed-out pages are below `/console/`. */
  consoleBaseUrl: string;
  /** The demo users' password. */
  password: string;
  /** Where an unexpected error is reported (a bug here, not a failed sign-in). */
  onError?: (error: unknown) => void;
  /** Logs each refused request (a bad PKCE verifier, a stale code) to stderr, to see why a sign-in fails. */
  debug?: boolean;
}

export interface LocalOidcProvider {
  issuer: string;
  server: Server;
  stop(): Promise<void>;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Whether `given` is the password: compared as sha256 digests with timingSafeEqual, so the time
 * taken says nothing of how much of it matched (nor of its length).
 */
function passwordMatches(given: string, expected: Buffer): boolean {
  return timingSafeEqual(digest(given), expected);
}

/** A form body, read up to a small limit: the sign-in form has two short fields. */
async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 8192) throw new Error('form body too large');
  }
  return new URLSearchParams(body);
}

export async function startLocalOidcProvider(options: LocalOidcProviderOptions): Promise<LocalOidcProvider> {
  const onError = options.onError ?? ((error) => console.error(error));
  const consoleBaseUrl = options.consoleBaseUrl.replace(/\/$/, '');
  const consoleUrl = `${consoleBaseUrl}/console/`;
  const headers = pageHeaders(new URL(consoleBaseUrl).origin);
  const expected = digest(options.password);

  // The issuer names the port, so the server listens before the provider exists.
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503).end();
  };
  const server = createServer((req, res) => handle(req, res));
  server.listen(options.port, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  try {
    const provider = await createProvider(
      issuer,
      consoleBaseUrl,
      consoleUrl,
      headers,
      options.debug ?? false,
    );
    provider.on('server_error', (_ctx: unknown, error: unknown) => onError(error));
    const callback = provider.callback();

    /** GET shows the form; POST checks it and, if right, hands the account to the provider. */
    async function interaction(req: IncomingMessage, res: ServerResponse): Promise<void> {
      let details: Awaited<ReturnType<typeof provider.interactionDetails>>;
      try {
        details = await provider.interactionDetails(req, res);
      } catch (error) {
        // No interaction cookie or an expired interaction: the person must start again from the console.
        if ((error as Error).name !== 'SessionNotFound') throw error;
        res
          .writeHead(400, headers)
          .end(
            renderErrorPage(consoleUrl, 'This sign-in page has expired or was opened in another browser.'),
          );
        return;
      }
      if (details.prompt.name !== 'login') {
        // Consent is granted by loadExistingGrant, so only the login prompt ever reaches here.
        throw new Error(`unexpected interaction prompt ${details.prompt.name}`);
      }
      const formAction = `/interaction/${details.uid}`;
      const page = (email?: string, failed?: boolean) =>
        renderSignInPage({ formAction, users: DEMO_USERS, email, failed });
      if (req.method === 'GET') {
        res.writeHead(200, headers).end(page());
        return;
      }
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'GET, POST' }).end();
        return;
      }
      const form = await formBody(req);
      const email = (form.get('email') ?? '').trim();
      const user = DEMO_USERS.find((u) => u.email === email.toLowerCase());
      // The password is checked even for an unknown email, so both refusals take the same time.
      const rightPassword = passwordMatches(form.get('password') ?? '', expected);
      if (!user || !rightPassword) {
        // 200, not 401: a form shown again is not an HTTP authentication challenge (401 needs WWW-Authenticate).
        res.writeHead(200, headers).end(page(email, true));
        return;
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: user.sub } },
        { mergeWithLastSubmission: false },
      );
    }

    handle = (req, res) => {
      if (/^\/interaction\/[^/?]+(\?|$)/.test(req.url ?? '')) {
        interaction(req, res).catch((error: unknown) => {
          onError(error);
          if (!res.headersSent)
            res.writeHead(500, headers).end(renderErrorPage(consoleUrl, 'Something went wrong.'));
        });
        return;
      }
      callback(req, res);
    };
  } catch (error) {
    server.close();
    throw error;
  }

  return {
    issuer,
    server,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * oidc-provider, imported without its one notice on Node 20 ("Unsupported runtime. Use Node.js
 * v22.x LTS"): `npm start` supports Node 20.19 and newer (package.json engines), this provider runs
 * only there, on a developer's machine, and the tests drive it on Node 20. Only that notice is
 * dropped, and only while the module loads; every other warning of the library still shows.
 */
async function importProvider() {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes('oidc-provider WARNING: Unsupported runtime')) warn(...args);
  };
  try {
    return (await import('oidc-provider')).default;
  } finally {
    console.warn = warn;
  }
}

/** An RS256 signing key made at start: ID tokens from before a restart no longer verify, which is fine locally. */
async function signingKey(): Promise<JWK> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  return { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

async function createProvider(
  issuer: string,
  consoleBaseUrl: string,
  consoleUrl: string,
  headers: Record<string, string>,
  debug: boolean,
) {
  const Provider = await importProvider();
  const page = (ctx: KoaContextWithOIDC, status: number, html: string) => {
    ctx.status = status;
    ctx.set(headers);
    ctx.body = html;
  };
  const configuration: Configuration = {
    clients: [
      {
        client_id: LOCAL_OIDC_CLIENT_ID,
        // A public client, as on Cognito: no secret, so PKCE (S256) is what binds the code to the browser.
        token_endpoint_auth_method: 'none',
        redirect_uris: [`${consoleBaseUrl}/console/auth/callback`],
        post_logout_redirect_uris: [`${consoleBaseUrl}/console/signed-out`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    adapter: memoryStore(),
    responseTypes: ['code'],
    pkce: { required: () => true },
    jwks: { keys: [await signingKey()] },
    cookies: {
      // Cookies are shared by host across ports: these must not collide with the console's (attest_console*).
      names: {
        session: 'attest_oidc_session',
        interaction: 'attest_oidc_interaction',
        resume: 'attest_oidc_resume',
      },
      keys: [randomBytes(32).toString('base64url')],
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'groups'],
    },
    // The console reads email and groups from the ID token itself (as Cognito puts them there), not from userinfo.
    conformIdTokenClaims: false,
    findAccount(_ctx, sub) {
      const user = DEMO_USERS.find((u) => u.sub === sub);
      if (!user) return undefined;
      return {
        accountId: user.sub,
        claims: () => ({
          sub: user.sub,
          email: user.email,
          email_verified: true,
          name: user.name,
          groups: [...user.groups],
        }),
      };
    },
    // The console is this provider's own (first-party) client: what it asks for is granted without a consent page.
    async loadExistingGrant(ctx) {
      const { oidc } = ctx;
      const clientId = oidc.client?.clientId as string;
      const accountId = oidc.session?.accountId as string;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(clientId);
      const grant =
        (grantId ? await oidc.provider.Grant.find(grantId) : undefined) ??
        new oidc.provider.Grant({ clientId, accountId });
      grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
      if (oidc.requestParamClaims.size) grant.addOIDCClaims([...oidc.requestParamClaims]);
      await grant.save();
      return grant;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      // Its own form instead: devInteractions accepts any password.
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => page(ctx, 200, renderSignOutPage(form)),
        postLogoutSuccessSource: (ctx) => page(ctx, 200, renderSignedOutPage(consoleUrl)),
      },
    },
    renderError: (ctx, out) =>
      page(ctx, Math.max(ctx.status, 400), renderErrorPage(consoleUrl, out.error_description ?? out.error)),
    ttl: {
      AccessToken: 10 * 60,
      AuthorizationCode: 60,
      IdToken: 10 * 60,
      Interaction: 10 * 60,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
  };
  const provider = new Provider(issuer, configuration);
  if (debug) {
    const log = (event: string) => (_ctx: unknown, error: { message: string; error_description?: string }) =>
      console.error(`oidc-provider ${event}: ${error.message} ${error.error_description ?? ''}`);
    provider.on('authorization.error', log('authorization.error'));
    provider.on('grant.error', log('grant.error'));
    provider.on('end_session.error', log('end_session.error'));
    provider.on('userinfo.error', log('userinfo.error'));
  }
  return provider;
}

// Signing in to the console with OpenID Connect (authorization code with PKCE) through openid-client: Cognito on AWS, the local provider under `npm start`.
import * as client from 'openid-client';
import type { PendingSignIn } from '../edge/console/session.ts';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  /** `${console}/auth/callback`: where the provider sends the browser back with a code. */
  redirectUri: string;
  /** `${console}/signed-out`: where the provider sends the browser after ending its session. */
  postLogoutRedirectUri: string;
  /** The end-session address when the provider's discovery names none (Cognito's /logout). */
  logoutUrl?: string | undefined;
}

/** Who the provider says signed in, from the ID token's verified claims. */
export interface SignedIn {
  subject: string;
  email: string;
  claims: Record<string, unknown>;
}

/** The console's view of its identity provider. */
export interface SignInProvider {
  /** Where to send the browser to sign in, and what its answer must match. */
  start(returnTo: string, now: number): Promise<{ url: string; pending: PendingSignIn }>;
  /** Redeems the code in `callbackUrl` (state, nonce and PKCE checked); rejects on any mismatch. */
  finish(callbackUrl: URL, pending: PendingSignIn): Promise<SignedIn>;
  /** Where to send the browser to end its session at the provider too. */
  endSessionUrl(): Promise<string>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The provider, discovered on first use (and again after a failed discovery). Plain http is
 * allowed only for an issuer on this machine's loopback — the local stack's — never elsewhere.
 */
export function makeOidcProvider(settings: OidcSettings): SignInProvider {
  const issuer = new URL(settings.issuer);
  const insecure = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);
  let discovered: Promise<client.Configuration> | undefined;
  const configuration = () => {
    discovered ??= client
      .discovery(issuer, settings.clientId, undefined, client.None(), {
        ...(insecure && { execute: [client.allowInsecureRequests] }),
        timeout: 10,
      })
      .catch((error) => {
        discovered = undefined;
        throw error;
      });
    return discovered;
  };

  return {
    async start(returnTo, now) {
      const config = await configuration();
      const codeVerifier = client.randomPKCECodeVerifier();
      const pending: PendingSignIn = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        codeVerifier,
        returnTo,
        startedAt: now,
      };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUri,
        scope: 'openid email profile',
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
      });
      return { url: url.href, pending };
    },

    async finish(callbackUrl, pending) {
      const config = await configuration();
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims() as Record<string, unknown> | undefined;
      if (!claims || typeof claims.sub !== 'string') throw new Error('the ID token has no subject');
      return {
        subject: claims.sub,
        email: typeof claims.email === 'string' ? claims.email : '',
        claims,
      };
    },

    async endSessionUrl() {
      const config = await configuration();
      if (config.serverMetadata().end_session_endpoint) {
        return client.buildEndSessionUrl(config, {
          client_id: settings.clientId,
          post_logout_redirect_uri: settings.postLogoutRedirectUri,
        }).href;
      }
      if (settings.logoutUrl) {
        const url = new URL(settings.logoutUrl);
        url.searchParams.set('client_id', settings.clientId);
        url.searchParams.set('logout_uri', settings.postLogoutRedirectUri);
        return url.href;
      }
      return settings.postLogoutRedirectUri;
    },
  };
}

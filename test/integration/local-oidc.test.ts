// The local OpenID provider alone, driven as the console drives it (openid-client, code flow with PKCE) and as a browser fills its form.
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, type LocalOidcProvider, startLocalOidcProvider } from '../../local/oidc-provider.ts';
import { discover, formOf, post, startSignIn, submitSignIn } from '../support/oidc.ts';

// Nothing listens here: the flow stops at the console's URLs, where a browser would hand over.
const CONSOLE = 'http://127.0.0.1:9';
const CALLBACK = `${CONSOLE}/console/auth/callback`;
const SIGNED_OUT = `${CONSOLE}/console/signed-out`;
const PASSWORD = 'the-test-password-of-this-file';

describe('the local OpenID provider', () => {
  let provider: LocalOidcProvider;
  let config: client.Configuration;
  const signIn = (b?: Parameters<typeof startSignIn>[2]) => startSignIn(config, CONSOLE, b);

  beforeAll(async () => {
    provider = await startLocalOidcProvider({ port: 0, consoleBaseUrl: CONSOLE, password: PASSWORD });
    config = await discover(provider.issuer);
  });

  afterAll(async () => {
    await provider?.stop();
  });

  it('publishes its discovery document, with PKCE S256 and an end_session endpoint', () => {
    // Act
    const meta = config.serverMetadata();

    // Assess
    expect(meta.issuer).toBe(provider.issuer);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.end_session_endpoint).toBe(`${provider.issuer}/session/end`);
    expect(meta.response_types_supported).toEqual(['code']);
  });

  it('shows its own sign-in form: in British English, labelled fields, no script', async () => {
    // Act
    const { status, headers, html } = await signIn();

    // Assess
    expect(status).toBe(200);
    expect(headers?.get('content-security-policy')).toMatch(/^default-src 'none';/);
    expect(headers?.get('cache-control')).toBe('no-store');
    expect(html).toContain('<html lang="en-GB">');
    expect(html).toMatch(/<main>[\s\S]*<h1>Sign in to attest<\/h1>/);
    expect(html).toContain('<label for="email">Email address</label>');
    expect(html).toContain('<label for="password">Password</label>');
    expect(html).not.toContain('<script');
  });

  for (const user of DEMO_USERS) {
    it(`signs ${user.email} in with the password, and the ID token names them and their groups`, async () => {
      // Prepare
      const shown = await signIn();

      // Act: the email as a person might type it
      const back = await submitSignIn(shown, ` ${user.email.toUpperCase()} `, PASSWORD);
      const tokens = await client.authorizationCodeGrant(config, new URL(back.at), {
        pkceCodeVerifier: shown.verifier,
        expectedState: shown.state,
      });

      // Assess
      expect(back.at.startsWith(`${CALLBACK}?`)).toBe(true);
      expect(tokens.claims()).toMatchObject({
        iss: provider.issuer,
        aud: 'attest-console',
        sub: user.sub,
        email: user.email,
        email_verified: true,
        name: user.name,
        groups: [...user.groups],
      });
    });
  }

  it('refuses a wrong password or an unknown email alike, showing the form again with the error tied to the fields', async () => {
    // Act
    const refusals = [
      await submitSignIn(await signIn(), 'hr@attest.example', `${PASSWORD}x`),
      await submitSignIn(await signIn(), 'nobody@attest.example', PASSWORD),
    ];

    // Assess: no code, the same message, the fields marked and described by it
    for (const { at, status, html } of refusals) {
      expect(at.startsWith(CONSOLE)).toBe(false);
      expect(status).toBe(200);
      expect(html).toContain('<title>Error: Sign in to attest</title>');
      expect(html).toContain(
        '<p class="error" id="signin-error">The email address or password is not right.',
      );
      expect(html).toMatch(/id="password"[^>]*aria-invalid="true" aria-describedby="signin-error"/);
      expect(html).toMatch(/id="email"[^>]*aria-invalid="true" aria-describedby="signin-error"/);
    }
    expect(refusals[0]?.html).toContain('value="hr@attest.example"');
  });

  // The console may name itself by the ID token or, keeping no token in its cookie, by its client_id alone.
  for (const hint of ['id_token_hint', 'client_id'] as const) {
    it(`ends its session at sign-out (given ${hint}), after a confirmation without script, and returns to the console`, async () => {
      // Prepare: signed in, so a second sign-in goes straight back to the console
      const first = await signIn();
      const back = await submitSignIn(first, 'auditor@attest.example', PASSWORD);
      const tokens = await client.authorizationCodeGrant(config, new URL(back.at), {
        pkceCodeVerifier: first.verifier,
        expectedState: first.state,
      });
      const again = await signIn(first.b);

      // Act
      const endSession = client.buildEndSessionUrl(config, {
        ...(hint === 'id_token_hint' ? { id_token_hint: tokens.id_token as string } : {}),
        post_logout_redirect_uri: SIGNED_OUT,
      });
      const confirm = await first.b.follow(endSession.href);
      const confirmHtml = (await confirm.page?.text()) ?? '';
      const { action, fields } = formOf(confirmHtml, confirm.at);
      const out = await first.b.follow(action, post({ ...fields, logout: 'yes' }));
      const afterwards = await signIn(first.b);

      // Assess
      expect(again.at.startsWith(`${CALLBACK}?`)).toBe(true);
      expect(endSession.searchParams.get('client_id')).toBe('attest-console');
      expect(confirm.page?.status).toBe(200);
      expect(confirmHtml).toContain('<h1>Sign out of attest?</h1>');
      expect(confirmHtml).toMatch(
        /<button type="submit" name="logout" value="yes">Yes, sign me out<\/button>[\s\S]*<\/form>/,
      );
      expect(confirmHtml).not.toContain('<script');
      expect(out.at).toBe(SIGNED_OUT);
      expect(afterwards.status).toBe(200);
      expect(afterwards.html).toContain('<h1>Sign in to attest</h1>');
    });
  }

  it('names its cookies apart from the console’s, which share the host', async () => {
    // Act
    const { b } = await signIn();

    // Assess
    expect(b.jar.size).toBeGreaterThan(0);
    for (const name of b.jar.keys()) expect(name).toMatch(/^attest_oidc_/);
  });
});

// The local OpenID provider alone, driven as the console drives it (openid-client, code flow with PKCE) and as a browser fills its form.
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, type LocalOidcProvider, startLocalOidcProvider } from '../../local/oidc-provider.ts';

// Nothing listens here: the flow stops at the console's callback URL, as a browser's would hand it over.
const CONSOLE = 'http://127.0.0.1:9';
const CALLBACK = `${CONSOLE}/console/auth/callback`;
const SIGNED_OUT = `${CONSOLE}/console/signed-out`;
const PASSWORD = 'the-test-password-of-this-file';

/**
 * A browser without script: keeps the provider's cookies (all on one host, so by name) and follows
 * its redirects by hand, stopping at the console or at a page.
 */
function browser() {
  const jar = new Map<string, string>();
  async function request(url: string, init: RequestInit = {}): Promise<Response> {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, cookie } });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      if (value && !/expires=Thu, 01 Jan 1970/i.test(line)) jar.set(name, value);
      else jar.delete(name);
    }
    return res;
  }
  /** Follows redirects from `url` until one leaves for the console, or a page is shown. */
  async function follow(url: string, init?: RequestInit): Promise<{ at: string; page?: Response }> {
    let res = await request(url, init);
    let at = url;
    while (res.status >= 300 && res.status < 400) {
      at = new URL(res.headers.get('location') as string, at).href;
      if (at.startsWith(CONSOLE)) return { at };
      res = await request(at);
    }
    return { at, page: res };
  }
  return { jar, request, follow };
}

/** The form's action and hidden fields, as a browser would submit them. */
function formOf(html: string, base: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no form in ${html}`);
  const fields = Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
  );
  return { action: new URL(action.replaceAll('&amp;', '&'), base).href, fields };
}

const post = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

describe('the local OpenID provider', () => {
  let provider: LocalOidcProvider;
  let config: client.Configuration;

  beforeAll(async () => {
    provider = await startLocalOidcProvider({ port: 0, consoleBaseUrl: CONSOLE, password: PASSWORD });
    config = await client.discovery(new URL(provider.issuer), 'attest-console', undefined, client.None(), {
      execute: [client.allowInsecureRequests],
    });
  });

  afterAll(async () => {
    await provider?.stop();
  });

  /** Starts a sign-in as the console does, and follows it to the provider's form (or straight back). */
  async function startSignIn(b = browser()) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid email profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const shown = await b.follow(url.href);
    return { b, verifier, state, ...shown };
  }

  /** Fills the form shown at `at` and sends it. */
  async function submit(
    b: ReturnType<typeof browser>,
    at: string,
    html: string,
    email: string,
    password: string,
  ) {
    const { action } = formOf(html, at);
    return b.follow(action, post({ email, password }));
  }

  it('publishes its discovery document, with PKCE S256 and an end_session endpoint', () => {
    // Assess
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(provider.issuer);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.end_session_endpoint).toBe(`${provider.issuer}/session/end`);
    expect(meta.response_types_supported).toEqual(['code']);
  });

  it('shows its own sign-in form: in British English, labelled fields, no script', async () => {
    // Act
    const { page } = await startSignIn();
    const html = (await page?.text()) ?? '';

    // Assess
    expect(page?.status).toBe(200);
    expect(page?.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(page?.headers.get('cache-control')).toBe('no-store');
    expect(html).toContain('<html lang="en-GB">');
    expect(html).toMatch(/<main>[\s\S]*<h1>Sign in to attest<\/h1>/);
    expect(html).toContain('<label for="email">Email address</label>');
    expect(html).toContain('<label for="password">Password</label>');
    expect(html).not.toContain('<script');
  });

  for (const user of DEMO_USERS) {
    it(`signs ${user.email} in with the password, and the ID token names them and their groups`, async () => {
      // Prepare
      const { b, at, page, verifier, state } = await startSignIn();

      // Act: the email as a person might type it
      const back = await submit(b, at, (await page?.text()) ?? '', ` ${user.email.toUpperCase()} `, PASSWORD);
      const tokens = await client.authorizationCodeGrant(config, new URL(back.at), {
        pkceCodeVerifier: verifier,
        expectedState: state,
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
    // Prepare
    const wrongPassword = await startSignIn();
    const unknownEmail = await startSignIn();

    // Act
    const refusals = [
      await submit(
        wrongPassword.b,
        wrongPassword.at,
        (await wrongPassword.page?.text()) ?? '',
        'hr@attest.example',
        `${PASSWORD}x`,
      ),
      await submit(
        unknownEmail.b,
        unknownEmail.at,
        (await unknownEmail.page?.text()) ?? '',
        'nobody@attest.example',
        PASSWORD,
      ),
    ];
    const pages = await Promise.all(
      refusals.map(async (r) => ({ at: r.at, status: r.page?.status, html: (await r.page?.text()) ?? '' })),
    );

    // Assess: no code, the same message, the fields marked and described by it
    for (const { at, status, html } of pages) {
      expect(at.startsWith(CONSOLE)).toBe(false);
      expect(status).toBe(200);
      expect(html).toContain('<title>Error: Sign in to attest</title>');
      expect(html).toContain(
        '<p class="error" id="signin-error">The email address or password is not right.',
      );
      expect(html).toMatch(/id="password"[^>]*aria-invalid="true" aria-describedby="signin-error"/);
      expect(html).toMatch(/id="email"[^>]*aria-invalid="true" aria-describedby="signin-error"/);
    }
    expect(pages[0]?.html).toContain('value="hr@attest.example"');
  });

  it('ends its session at sign-out, after a confirmation without script, and returns to the console', async () => {
    // Prepare: signed in, so a second sign-in goes straight back to the console
    const first = await startSignIn();
    const back = await submit(
      first.b,
      first.at,
      (await first.page?.text()) ?? '',
      'auditor@attest.example',
      PASSWORD,
    );
    const tokens = await client.authorizationCodeGrant(config, new URL(back.at), {
      pkceCodeVerifier: first.verifier,
      expectedState: first.state,
    });
    const again = await startSignIn(first.b);

    // Act
    const endSession = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token as string,
      post_logout_redirect_uri: SIGNED_OUT,
    });
    const confirm = await first.b.follow(endSession.href);
    const confirmHtml = (await confirm.page?.text()) ?? '';
    const { action, fields } = formOf(confirmHtml, confirm.at);
    const out = await first.b.follow(action, post({ ...fields, logout: 'yes' }));
    const afterwards = await startSignIn(first.b);

    // Assess
    expect(again.at.startsWith(`${CALLBACK}?`)).toBe(true);
    expect(confirm.page?.status).toBe(200);
    expect(confirmHtml).toContain('<h1>Sign out of attest?</h1>');
    expect(confirmHtml).toMatch(
      /<button type="submit" name="logout" value="yes">Yes, sign me out<\/button>[\s\S]*<\/form>/,
    );
    expect(confirmHtml).not.toContain('<script');
    expect(out.at).toBe(SIGNED_OUT);
    expect(afterwards.page?.status).toBe(200);
    expect(await afterwards.page?.text()).toContain('<h1>Sign in to attest</h1>');
  });

  it('names its cookies apart from the console’s, which share the host', async () => {
    // Act
    const { b } = await startSignIn();

    // Assess
    expect([...b.jar.keys()].length).toBeGreaterThan(0);
    for (const name of b.jar.keys()) expect(name).toMatch(/^attest_oidc_/);
  });
});

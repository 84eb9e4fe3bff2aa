// Signing in at an OpenID provider as the console and a browser without script would: openid-client for the protocol, fetch for the pages.
import * as client from 'openid-client';

/** The provider's discovery, as the console reads it (plain http is allowed: it is on this machine). */
export function discover(issuer: string): Promise<client.Configuration> {
  return client.discovery(new URL(issuer), 'attest-console', undefined, client.None(), {
    execute: [client.allowInsecureRequests],
  });
}

/**
 * A browser without script: keeps the provider's cookies (all on one host, so by name) and follows
 * its redirects by hand, stopping at `consoleBaseUrl` (nothing need listen there) or at a page.
 */
export function browser(consoleBaseUrl: string) {
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
      if (at.startsWith(consoleBaseUrl)) return { at };
      res = await request(at);
    }
    return { at, page: res };
  }
  return { jar, follow };
}
export type Browser = ReturnType<typeof browser>;

/** The form's action and hidden fields, as a browser would submit them. */
export function formOf(html: string, base: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no form in ${html}`);
  const fields = Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
  );
  return { action: new URL(action.replaceAll('&amp;', '&'), base).href, fields };
}

export const post = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

/**
 * Starts a sign-in as the console does (code flow, PKCE S256, a state) and follows it to the
 * provider's form, or straight back to the console when the provider's session is still open.
 */
export async function startSignIn(
  config: client.Configuration,
  consoleBaseUrl: string,
  b = browser(consoleBaseUrl),
) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: `${consoleBaseUrl}/console/auth/callback`,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const shown = await b.follow(url.href);
  const { page } = shown;
  return {
    b,
    verifier,
    state,
    at: shown.at,
    html: (await page?.text()) ?? '',
    status: page?.status,
    headers: page?.headers,
  };
}

/** Fills the sign-in form shown at `at` and sends it: where it ends, and the page if one is shown. */
export async function submitSignIn(
  shown: { b: Browser; at: string; html: string },
  email: string,
  password: string,
): Promise<{ at: string; html: string; status: number | undefined }> {
  const { action } = formOf(shown.html, shown.at);
  const { at, page } = await shown.b.follow(action, post({ email, password }));
  return { at, html: (await page?.text()) ?? '', status: page?.status };
}

// The local OpenID provider's own pages: its sign-in form, its sign-out confirmation, and its error page.
import { createHash } from 'node:crypto';
import { escapeHtml, simplePage } from '#shared/core/html.ts';

// One inline stylesheet, allowed by its hash: no external asset and no script, as on the console's pages.
const CSS = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font:1.0625rem/1.6 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1b;background:#fff}
main{max-width:30rem;margin:0 auto;padding:1.5rem 1.25rem 3rem}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem}
.note{color:#4a4a4a;font-size:.95rem}
label{display:block;font-weight:700;margin:1rem 0 .35rem}
input{width:100%;font:inherit;padding:.65rem .75rem;border:2px solid #4a4a4a;border-radius:4px}
button{margin:1.5rem .75rem 0 0;font:inherit;font-weight:700;padding:.75rem 1.5rem;color:#fff;background:#0b4f8a;border:0;border-radius:6px;cursor:pointer}
button:hover{background:#083a66}
button.secondary{color:#0b4f8a;background:#fff;border:2px solid #0b4f8a}
:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}
input:focus-visible{box-shadow:0 0 0 2px #1b1b1b}
.error{border-left:5px solid #b00020;padding:.25rem 0 .25rem .75rem;color:#b00020;font-weight:700}
input[aria-invalid=true]{border-color:#b00020}
a{color:#0b4f8a}
`.trim();

const cssHash = createHash('sha256').update(CSS).digest('base64');

/**
 * The Content-Security-Policy of these pages. Forms may post here and be redirected on to the console
 * (Chromium checks form-action on each redirect after a form is sent, so the console's origin is listed).
 */
function csp(consoleOrigin: string): string {
  return `default-src 'none'; style-src 'sha256-${cssHash}'; img-src 'none'; form-action 'self' ${consoleOrigin}; frame-ancestors 'none'; base-uri 'none'`;
}

/** Headers for every page: nothing cached, nothing framed, nothing sent on as a Referer. */
export function pageHeaders(consoleOrigin: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': csp(consoleOrigin),
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
  };
}

const layout = (title: string, content: string): string => simplePage(title, CSS, content);

export interface SignInPageInput {
  formAction: string;
  /** The demo users, named on the page: this provider exists only on a developer's machine. */
  users: ReadonlyArray<{ email: string; role: string }>;
  email?: string;
  /** Set when the last attempt failed: it never says whether the email or the password was wrong. */
  failed?: boolean;
}

export function renderSignInPage({ formAction, users, email = '', failed = false }: SignInPageInput): string {
  const invalid = failed ? ' aria-invalid="true" aria-describedby="signin-error"' : '';
  const content = `<h1>Sign in to attest</h1>
<p class="note">The local demo identity provider. Sign in as ${users
    .map((u) => `<strong>${escapeHtml(u.email)}</strong> (${escapeHtml(u.role)})`)
    .join(' or ')}; the password is the LOCAL_CONSOLE_PASSWORD that <code>npm start</code> printed.</p>
<form method="post" action="${escapeHtml(formAction)}" novalidate>
${failed ? '<p class="error" id="signin-error">The email address or password is not right. Check both and try again.</p>\n' : ''}<label for="email">Email address</label>
<input type="email" id="email" name="email" autocomplete="username" spellcheck="false" autocapitalize="none" required value="${escapeHtml(email)}"${invalid}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${invalid}>
<button type="submit">Sign in</button>
</form>`;
  return layout(`${failed ? 'Error: ' : ''}Sign in to attest`, content);
}

/**
 * The sign-out confirmation, from oidc-provider's `form` (its action and CSRF field, in markup of
 * its own) rebuilt with the two choices inside it: it works without script, and each button is
 * plainly part of the form.
 */
export function renderSignOutPage(form: string): string {
  const action = /action="([^"]+)"/.exec(form)?.[1];
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(form)?.[1];
  if (!action || !xsrf) throw new Error('oidc-provider’s sign-out form has no action or xsrf field');
  const content = `<h1>Sign out of attest?</h1>
<p>This ends your session with the local demo identity provider too.</p>
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="xsrf" value="${escapeHtml(xsrf)}">
<button type="submit" name="logout" value="yes">Yes, sign me out</button>
<button type="submit" class="secondary">No, stay signed in</button>
</form>`;
  return layout('Sign out of attest?', content);
}

export function renderSignedOutPage(consoleUrl: string): string {
  return layout(
    'You have signed out',
    `<h1>You have signed out</h1>
<p><a href="${escapeHtml(consoleUrl)}">Go to the console</a></p>`,
  );
}

/** A failure a person can act on: what went wrong, in words, and the way back to the console. */
export function renderErrorPage(consoleUrl: string, message: string): string {
  return layout(
    'Sign-in problem',
    `<h1>Sign-in problem</h1>
<p>${escapeHtml(message)}</p>
<p><a href="${escapeHtml(consoleUrl)}">Go back to the console and sign in again</a></p>`,
  );
}

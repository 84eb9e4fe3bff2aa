// The local OpenID provider's pages: valid HTML with no script, the sign-in error tied to its fields, values escaped.
import { describe, expect, it } from 'vitest';
import {
  pageHeaders,
  renderErrorPage,
  renderSignedOutPage,
  renderSignInPage,
  renderSignOutPage,
} from '../../../local/oidc-pages.ts';
import { pageProblems } from '../../support/html.ts';

const USERS = [
  { email: 'hr@attest.example', role: 'admin' },
  { email: 'auditor@attest.example', role: 'auditor' },
];
/** oidc-provider's own sign-out form, as it hands it to logoutSource. */
const PROVIDER_FORM =
  '<form id="op.logoutForm" method="post" action="http://127.0.0.1:3200/session/end/confirm"><input type="hidden" name="xsrf" value="abc123"/></form>';

describe('renderSignInPage', () => {
  it('renders a valid page with labelled fields and no script', async () => {
    // Act
    const html = renderSignInPage({ formAction: '/interaction/uid1', users: USERS });

    // Assess
    expect(await pageProblems(html)).toEqual([]);
    expect(html).toContain('<html lang="en-GB">');
    expect(html).toContain('<title>Sign in to attest</title>');
    expect(html).toContain('<form method="post" action="/interaction/uid1" novalidate>');
    expect(html).toContain('autocomplete="current-password"');
    expect(html).not.toContain('aria-invalid="true"');
    expect(html).not.toMatch(/<script|\son[a-z]+=/);
  });

  it('after a refusal, says so once without saying which part was wrong, and keeps the email escaped', async () => {
    // Act
    const html = renderSignInPage({
      formAction: '/interaction/uid1',
      users: USERS,
      email: '"><b>hr@attest.example',
      failed: true,
    });

    // Assess
    expect(await pageProblems(html)).toEqual([]);
    expect(html).toContain('<title>Error: Sign in to attest</title>');
    expect(html.match(/id="signin-error"/g)).toHaveLength(1);
    expect(html.match(/aria-invalid="true" aria-describedby="signin-error"/g)).toHaveLength(2);
    expect(html).toContain('value="&quot;&gt;&lt;b&gt;hr@attest.example"');
    expect(html).not.toMatch(/password is wrong|no such|unknown/i);
  });
});

describe('renderSignOutPage', () => {
  it('rebuilds the provider’s form with both choices inside it, as valid HTML', async () => {
    // Act
    const html = renderSignOutPage(PROVIDER_FORM);

    // Assess
    expect(await pageProblems(html)).toEqual([]);
    expect(html).toMatch(
      /<form method="post" action="http:\/\/127\.0\.0\.1:3200\/session\/end\/confirm">\s*<input type="hidden" name="xsrf" value="abc123">\s*<button type="submit" name="logout" value="yes">Yes, sign me out<\/button>\s*<button type="submit" class="secondary">No, stay signed in<\/button>\s*<\/form>/,
    );
  });

  it('refuses a form it cannot read rather than render a page that cannot sign out', () => {
    // Act and assess
    expect(() => renderSignOutPage('<form></form>')).toThrow(/no action or xsrf/);
  });
});

describe('the other pages', () => {
  it('are valid HTML, with the way back to the console', async () => {
    // Act
    const pages = [
      renderSignedOutPage('http://127.0.0.1:3000/console/'),
      renderErrorPage('http://127.0.0.1:3000/console/', 'This sign-in page has expired <soon>.'),
    ];

    // Assess
    for (const html of pages) {
      expect(await pageProblems(html)).toEqual([]);
      expect(html).toContain('href="http://127.0.0.1:3000/console/"');
    }
    expect(pages[1]).toContain('expired &lt;soon&gt;.');
  });
});

describe('pageHeaders', () => {
  it('allows forms to post here and on to the console, and nothing to run', () => {
    // Act
    const headers = pageHeaders('http://127.0.0.1:3000');

    // Assess
    expect(headers['content-security-policy']).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src 'none'; form-action 'self' http:\/\/127\.0\.0\.1:3000; frame-ancestors 'none'; base-uri 'none'$/,
    );
    expect(headers['cache-control']).toBe('no-store');
  });
});

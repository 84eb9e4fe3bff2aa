// The console's frame, stylesheet and CSP, and the pages seen outside a session.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { trustedHtml } from '#shared/core/html.ts';
import {
  CONSOLE_CSP,
  consoleCsp,
  renderConsoleError,
  renderFrame,
  renderNoAccess,
  renderSignedOut,
} from '#templates/console/layout.ts';
import { html, toSafeHtml } from '#templates/console/markup.ts';
import { pageProblems } from '../../../support/html.ts';
import { frameOf, HOSTILE, HOSTILE_TEXT } from './fixtures.ts';

const body = trustedHtml('<p>Body</p>');

describe('renderFrame', () => {
  it('renders a valid English page with the title, a skip link, the navigation and who is signed in', async () => {
    // Act
    const page = renderFrame(frameOf('admin', 'overview', 'Overview'), body);

    // Assess
    expect(page).toContain('<html lang="en-GB">');
    expect(page).toContain('<title>Overview — attest console</title>');
    expect(page).toMatch(/<a class="skip" href="#main">/);
    expect(page).toContain('<nav aria-label="Console">');
    expect(page).toContain('<main id="main" tabindex="-1">');
    expect(page).toContain('<h1>Overview</h1>');
    expect(page).toContain('<strong>hr@attest.example</strong> (Admin)');
    expect(page).toContain('<p>Body</p>');
    expect(page).not.toMatch(/<script|<link|<img|style="/);
    expect(await pageProblems(page)).toEqual([]);
  });

  it.each([
    ['overview', '/console/'],
    ['people', '/console/people'],
    ['policies', '/console/policies'],
    ['deliveries', '/console/deliveries'],
    ['exports', '/console/exports'],
  ] as const)('marks %s, and only it, as the current page', (section, href) => {
    // Act
    const page = renderFrame(frameOf('auditor', section, 'T'), body);

    // Assess
    expect(page.match(/aria-current="page"/g)).toHaveLength(1);
    expect(page).toContain(`<a href="${href}" aria-current="page">`);
  });

  it('signs out by a POST carrying the session CSRF token', () => {
    // Act
    const page = renderFrame(frameOf('auditor', 'people', 'People'), body);

    // Assess
    expect(page).toMatch(
      /<form method="post" action="\/console\/auth\/logout"><input type="hidden" name="csrf" value="csrf-token-123"><button type="submit"[^>]*>Sign out<\/button><\/form>/,
    );
    expect(page).toContain('(Auditor)');
  });

  it('says a success as a status and an error as an alert', async () => {
    // Act
    const ok = renderFrame(
      { ...frameOf('admin', 'people', 'P'), notice: { kind: 'success', text: 'Invite sent.' } },
      body,
    );
    const bad = renderFrame(
      { ...frameOf('admin', 'people', 'P'), notice: { kind: 'error', text: HOSTILE } },
      body,
    );

    // Assess
    expect(ok).toMatch(/role="status"><p>Invite sent.<\/p>/);
    expect(bad).toMatch(/role="alert"><p>&lt;script&gt;/);
    expect(await pageProblems(bad)).toEqual([]);
  });

  it('escapes the title, the email and the token', () => {
    // Prepare
    const frame = { ...frameOf('admin', 'people', HOSTILE), csrf: '"><b>' };
    frame.user.email = HOSTILE;

    // Act
    const page = renderFrame(frame, body);

    // Assess
    expect(page).not.toContain('<script>');
    expect(page).toContain(`<h1>${HOSTILE_TEXT}</h1>`);
    expect(page).toContain('value="&quot;&gt;&lt;b&gt;"');
  });
});

describe('CONSOLE_CSP', () => {
  it('allows the stylesheet actually inlined by its hash, and no script, frame or base', () => {
    // Prepare
    const page = renderFrame(frameOf('admin', 'overview', 'Overview'), body);
    const css = /<style>([\s\S]*?)<\/style>/.exec(page)?.[1] ?? '';

    // Assess
    expect(css.length).toBeGreaterThan(100);
    expect(CONSOLE_CSP).toContain(`style-src 'sha256-${createHash('sha256').update(css).digest('base64')}'`);
    expect(CONSOLE_CSP).toContain("default-src 'none'");
    expect(CONSOLE_CSP).toContain("form-action 'self'");
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
    expect(CONSOLE_CSP).toContain("base-uri 'none'");
    expect(CONSOLE_CSP).not.toMatch(/script-src|unsafe/);
  });

  it('lets a form end at the provider when sign-out redirects there', () => {
    // Act
    const csp = consoleCsp(['https://auth.example.com']);

    // Assess
    expect(csp).toContain("form-action 'self' https://auth.example.com;");
  });
});

describe('the html tag', () => {
  it('escapes text and inserts only markup it made', () => {
    // Act
    const out = toSafeHtml(
      html`<p title="${'"x"'}">${HOSTILE}${html`<b>${'&'}</b>`}${[1, ' & ', null, false]}</p>`,
    );

    // Assess
    expect(out).toBe(`<p title="&quot;x&quot;">${HOSTILE_TEXT}<b>&amp;</b>1 &amp; </p>`);
  });
});

describe('renderConsoleError', () => {
  it('renders a bare page when no one is signed in', async () => {
    // Act
    const page = renderConsoleError({ status: 404, title: 'Page not found', message: HOSTILE });

    // Assess
    expect(page).toContain('<h1>Page not found</h1>');
    expect(page).toContain(HOSTILE_TEXT);
    expect(page).toContain('Error 404.');
    expect(page).not.toContain('<nav');
    expect(await pageProblems(page)).toEqual([]);
  });

  it('renders inside the frame when someone is', async () => {
    // Act
    const page = renderConsoleError(
      { status: 403, title: 'Not allowed', message: 'Only admins may do that.' },
      frameOf('auditor', 'people', 'People'),
    );

    // Assess
    expect(page).toContain('<nav aria-label="Console">');
    expect(page).toContain('<title>Not allowed — attest console</title>');
    expect(await pageProblems(page)).toEqual([]);
  });
});

describe('renderSignedOut', () => {
  it('says so and links to sign in again', async () => {
    // Act
    const page = renderSignedOut();

    // Assess
    expect(page).toContain('<h1>You have signed out</h1>');
    expect(page).toContain('<a href="/console/">Sign in again</a>');
    expect(await pageProblems(page)).toEqual([]);
  });
});

describe('renderNoAccess', () => {
  it('names the groups to ask for and offers sign-out at the provider (the end-session step) without a session token', async () => {
    // Act
    const page = renderNoAccess(HOSTILE);

    // Assess
    expect(page).toContain(HOSTILE_TEXT);
    expect(page).toContain('<code>attest-admins</code> or <code>attest-auditors</code>');
    expect(page).toContain('<a href="/console/auth/end-session">Sign out</a>');
    expect(await pageProblems(page)).toEqual([]);
  });

  it('offers a sign-out button with the token and the configured groups', async () => {
    // Act
    const page = renderNoAccess('a@attest.example', {
      csrf: 't1',
      groups: { admin: 'hr', auditor: 'audit' },
    });

    // Assess
    expect(page).toContain('name="csrf" value="t1"');
    expect(page).toContain('<code>hr</code> or <code>audit</code>');
    expect(await pageProblems(page)).toEqual([]);
  });
});

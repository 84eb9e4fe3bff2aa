// The console's document: its one stylesheet and CSP, the frame of every signed-in page, and the pages seen outside a session.
import { createHash } from 'node:crypto';
import type { Frame, Section } from '#shared/core/console/views.ts';
import { type SafeHtml, trustedHtml } from '#shared/core/html.ts';
import { type Html, html, raw, toSafeHtml } from './markup.ts';

// One inline stylesheet, allowed by its hash: no external asset and no script. Charts are inline
// SVG coloured by presentation attributes, since a style attribute would need 'unsafe-inline'.
// Colours: text #1b1b1b, links and bars #0b4f8a, muted #4a4a4a, error #b00020 — each ≥ 4.5:1 on
// white and on the pale header; the focus ring is near-black (≥ 3:1 on every background used).
const CSS = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1b;background:#fff}
a{color:#0b4f8a;text-decoration:underline;text-underline-offset:.15em}
a:hover{color:#083a66;text-decoration-thickness:2px}
:focus-visible{outline:3px solid #1b1b1b;outline-offset:2px}
.skip{position:absolute;left:.5rem;top:-10rem;padding:.5rem 1rem;background:#fff;z-index:1}
.skip:focus{top:.5rem}
.vh{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.top{background:#f3f6f9;border-bottom:4px solid #0b4f8a}
.top-bar,.top nav ul,main{max-width:72rem;margin:0 auto;padding-left:1.25rem;padding-right:1.25rem}
.top-bar{display:flex;flex-wrap:wrap;gap:.25rem 1.5rem;align-items:center;justify-content:space-between;padding-top:.5rem;padding-bottom:.25rem}
.brand{margin:0;font-weight:700;font-size:1.2rem}
.brand a{color:#1b1b1b;text-decoration:none;display:inline-block;padding:.25rem 0}
.who{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center}
.who p,.who form{margin:0}
.top nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:0 .5rem}
.top nav a{display:inline-block;padding:.6rem .5rem;min-height:2.75rem}
.top nav a[aria-current=page]{font-weight:700;color:#1b1b1b;text-decoration-thickness:3px}
main{padding-top:.5rem;padding-bottom:3rem}
h1{font-size:1.75rem;line-height:1.25;margin:1rem 0}
h2{font-size:1.35rem;line-height:1.3;margin:2.5rem 0 .75rem}
h3{font-size:1.1rem;line-height:1.3;margin:1.75rem 0 .5rem}
.meta,.hint{color:#4a4a4a}
.hint{margin:0 0 .35rem}
.notice{padding:.75rem 1rem;border-left:6px solid #00703c;background:#f3faf6;margin:1rem 0}
.notice-error{border-color:#b00020;background:#fdf3f4}
.button,button{display:inline-block;font:inherit;font-weight:700;line-height:1.5;padding:.5rem 1rem;min-height:2.75rem;border:2px solid #0b4f8a;border-radius:4px;background:#0b4f8a;color:#fff;text-decoration:none;cursor:pointer}
.button:hover,button:hover{background:#083a66;border-color:#083a66;color:#fff}
.button-secondary{background:#fff;color:#0b4f8a}
.button-secondary:hover{background:#eef3f8;color:#083a66}
button.link{background:none;border:0;padding:.25rem;min-height:1.5rem;color:#0b4f8a;font-weight:400;text-decoration:underline}
button.link:hover{background:none;color:#083a66}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin:1rem 0}
.table-wrap{position:relative;overflow-x:auto;margin:.5rem 0 1.5rem;max-width:100%}
table{border-collapse:collapse;min-width:100%;font-size:.95rem}
caption{text-align:left;font-weight:700;padding:.25rem 0 .5rem}
th,td{text-align:left;vertical-align:top;padding:.45rem .75rem .45rem 0;border-bottom:1px solid #6f777b}
thead th{border-bottom:2px solid #1b1b1b}
.num{text-align:right;font-variant-numeric:tabular-nums}
td a,td button{display:inline-block;min-height:1.5rem}
dl.details{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem}
dt{font-weight:700}
dd{margin:0;overflow-wrap:anywhere}
dl.kv{margin:0}
dl.kv dt,dl.kv dd{display:inline;margin:0}
dl.kv dd::after{content:"";display:block}
.stats{display:grid;grid-template-columns:repeat(auto-fill,minmax(9.5rem,1fr));gap:.75rem;margin:0}
.stats div{border:1px solid #6f777b;border-left:6px solid #0b4f8a;padding:.5rem .75rem}
.stats dt{font-weight:400}
.stats dd{font-size:1.5rem;font-weight:700}
.chart{display:block;width:100%;max-width:30rem;height:auto}
@media (min-width:64rem){.pair{display:grid;grid-template-columns:minmax(0,30rem) minmax(0,1fr);gap:2rem;align-items:start}}
label{display:block;font-weight:700;margin:1rem 0 .35rem}
input[type=search],input[type=date],select,textarea{font:inherit;padding:.45rem .6rem;min-height:2.75rem;max-width:100%;border:2px solid #4a4a4a;border-radius:4px;background:#fff;color:#1b1b1b}
input[type=search],textarea{width:100%;max-width:36rem}
[aria-invalid=true]{border-color:#b00020}
.error{color:#b00020;font-weight:700;margin:.25rem 0}
.bad{color:#b00020}
.ok{color:#00703c}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
.diff{white-space:pre-wrap;border:1px solid #6f777b;padding:.75rem 1rem;max-width:48rem;overflow-wrap:anywhere}
ul.diff{list-style:none;white-space:normal}
ul.diff li{margin:.35rem 0}
del{background:#fde8ea;color:#7a0016;text-decoration:line-through}
ins{background:#e6f4ea;color:#00502a;text-decoration:underline}
@media (max-width:30rem){dl.details{grid-template-columns:1fr;gap:0}dl.details dd{margin-bottom:.6rem}h1{font-size:1.5rem}}
@media (prefers-reduced-motion:reduce){*,*::before,*::after{animation:none!important;transition:none!important;scroll-behavior:auto!important}}
`.trim();

const cssHash = createHash('sha256').update(CSS).digest('base64');

/**
 * The Content-Security-Policy of a console page, allowing its stylesheet by hash and nothing else
 * to load or run. `formTargets` adds origins a form may end at: browsers apply form-action to a
 * form's redirects too, so a sign-out POST answered by a redirect to the provider's logout
 * endpoint needs that origin here.
 */
export function consoleCsp(formTargets: readonly string[] = []): string {
  const forms = ["'self'", ...formTargets].join(' ');
  return `default-src 'none'; style-src 'sha256-${cssHash}'; img-src 'none'; form-action ${forms}; frame-ancestors 'none'; base-uri 'none'`;
}

/** The CSP every console page is served with, when sign-out's redirect stays on this origin. */
export const CONSOLE_CSP = consoleCsp();

const SECTIONS: ReadonlyArray<{ section: Section; label: string; href: string }> = [
  { section: 'overview', label: 'Overview', href: '/console/' },
  { section: 'people', label: 'People', href: '/console/people' },
  { section: 'policies', label: 'Policies', href: '/console/policies' },
  { section: 'deliveries', label: 'Deliveries', href: '/console/deliveries' },
  { section: 'exports', label: 'Exports', href: '/console/exports' },
];

const ROLE_LABELS = { admin: 'Admin', auditor: 'Auditor' } as const;

// main takes focus (tabindex -1, out of the Tab order) so the skip link moves focus there, not only
// the point Tab starts from: without script, nothing else can, and a screen reader reads on from it.
function documentOf(title: string, header: Html, main: Html): string {
  return toSafeHtml(html`<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${title} — attest console</title>
<style>${raw(trustedHtml(CSS))}</style>
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<header class="top">
${header}
</header>
<main id="main" tabindex="-1">
${main}
</main>
</body>
</html>
`);
}

const brand = html`<p class="brand"><a href="/console/">attest console</a></p>`;

/** The sign-out button: a POST, so a link elsewhere cannot sign someone out. */
export const signOutForm = (csrf: string): Html =>
  html`<form method="post" action="/console/auth/logout"><input type="hidden" name="csrf" value="${csrf}"><button type="submit" class="link">Sign out</button></form>`;

/** A signed-in page: the header with who is signed in and the navigation, any notice, the h1 and `main`. */
export function renderFrame(frame: Frame, main: SafeHtml): string {
  const nav = SECTIONS.map(
    (s) =>
      html`<li><a href="${s.href}"${s.section === frame.section ? html` aria-current="page"` : ''}>${s.label}</a></li>`,
  );
  const header = html`<div class="top-bar">
${brand}
<div class="who"><p>Signed in as <strong>${frame.user.email}</strong> (${ROLE_LABELS[frame.user.role]})</p>
${signOutForm(frame.csrf)}</div>
</div>
<nav aria-label="Console"><ul>${nav}</ul></nav>`;
  const notice = frame.notice
    ? frame.notice.kind === 'error'
      ? html`<div class="notice notice-error" role="alert"><p>${frame.notice.text}</p></div>\n`
      : html`<div class="notice" role="status"><p>${frame.notice.text}</p></div>\n`
    : '';
  return documentOf(frame.title, header, html`${notice}<h1>${frame.title}</h1>\n${raw(main)}`);
}

function barePage(title: string, body: Html): string {
  return documentOf(title, html`<div class="top-bar">\n${brand}\n</div>`, html`<h1>${title}</h1>\n${body}`);
}

export interface ConsoleErrorInput {
  status: number;
  title: string;
  message: string;
}

/** A friendly error: inside the frame when someone is signed in, a bare page otherwise. */
export function renderConsoleError({ status, title, message }: ConsoleErrorInput, frame?: Frame): string {
  const body = html`<p>${message}</p>
<p class="meta">Error ${status}.</p>
<p><a href="/console/">Go to the console overview</a></p>`;
  return frame ? renderFrame({ ...frame, title }, toSafeHtml(body)) : barePage(title, body);
}

export function renderSignedOut(): string {
  return barePage(
    'You have signed out',
    html`<p>Your console session has ended.</p>
<p><a href="/console/">Sign in again</a></p>`,
  );
}

export interface NoAccessOptions {
  /** The session's CSRF token, when there is a session to end. */
  csrf?: string;
  /** The groups that give access (CONSOLE_ADMIN_GROUP and CONSOLE_AUDITOR_GROUP). */
  groups?: { admin: string; auditor: string };
}

/**
 * Signed in at the provider but in neither console group. With the session's `csrf` it offers a
 * sign-out button; without one, a link to the signed-out page.
 */
export function renderNoAccess(
  email: string,
  { csrf, groups = { admin: 'attest-admins', auditor: 'attest-auditors' } }: NoAccessOptions = {},
): string {
  return barePage(
    'You have no access to the console',
    html`<p>You are signed in as <strong>${email}</strong>, but your account has no access to the console.</p>
<p>Ask an attest admin to add you to the <code>${groups.admin}</code> or <code>${groups.auditor}</code> group.</p>
${csrf ? signOutForm(csrf) : html`<p><a href="/console/auth/end-session">Sign out</a></p>`}`,
  );
}

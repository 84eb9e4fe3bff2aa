// The organisation's name and logo at the top of the signing pages and the emails: the logo is ORGANISATION_LOGO, bundled at build and served from the pages' own origin.
import { escapeHtml, type SafeHtml, trustedHtml } from '#shared/core/html.ts';
import { logoFile } from './generated/logo.ts';

/** Where the logo is served, below the public base URL: `/assets/logo-{hash}.png`; null without one. */
export const LOGO_PATH: string | null = logoFile ? `/assets/${logoFile}` : null;

/**
 * The name, with the logo before it when there is one: its alt text the name, the name's own text
 * then hidden from screen readers, so it is read once. `base` makes the logo's URL absolute (an
 * email's images need it); a page's is relative, so the CSP's `img-src 'self'` allows it.
 */
export function brandHtml(
  organisationName: string,
  base = '',
  imgStyle = '',
  logoPath = LOGO_PATH,
): SafeHtml {
  const name = escapeHtml(organisationName);
  if (!logoPath) return trustedHtml(name);
  const style = imgStyle ? ` style="${escapeHtml(imgStyle)}"` : '';
  return trustedHtml(
    `<img src="${escapeHtml(`${base}${logoPath}`)}" alt="${name}" height="40"${style}> <span aria-hidden="true">${name}</span>`,
  );
}

/** The logo on an email's blue band: on white, so a dark logo still shows. */
export const EMAIL_LOGO_STYLE = 'vertical-align:middle;background:#ffffff;border-radius:4px;padding:2px';

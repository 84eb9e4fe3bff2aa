// HTML escaping, and the brand that marks a string as already-safe markup.

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for use in element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

/** Markup built from escaped parts by the template that owns it; only such code creates one. */
export type SafeHtml = string & { readonly __safeHtml: true };

export function trustedHtml(markup: string): SafeHtml {
  return markup as SafeHtml;
}

/**
 * A whole page, in British English unless `lang` says otherwise, its stylesheet inline (allowed by
 * its hash in the page's CSP), kept out of search engines, with `content` as its main landmark and
 * `header` (the organisation's name and logo) above it.
 */
export function simplePage(title: string, css: string, content: string, lang = 'en-GB', header = ''): string {
  return `<!DOCTYPE html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
</head>
<body>
${header ? `<header>\n${header}\n</header>\n` : ''}<main>
${content}
</main>
</body>
</html>
`;
}

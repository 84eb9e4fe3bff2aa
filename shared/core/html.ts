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

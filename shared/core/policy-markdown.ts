// A policy's Markdown body as the page's HTML: run by the build for the policies it carries, and by the ack function only for a version it did not (loaded then: infra/bundle.ts).
import { Marked } from 'marked';
import { escapeHtml } from './html.ts';

// Raw HTML in a policy is shown as text: the page's markup is ours alone.
const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html: ({ text }) => escapeHtml(text),
  },
});
const rendered = new Map<string, string>();

/** The policy body as HTML, rendered once per distinct body. */
export function renderPolicyHtml(body: string): string {
  let html = rendered.get(body);
  if (html === undefined) {
    html = marked.parse(body, { async: false });
    rendered.set(body, html);
  }
  return html;
}

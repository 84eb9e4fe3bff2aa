// A policy text's HTML for the page: the texts this build carries compiled by the build, any other (a version published from other files) rendered from its Markdown, loaded at the first such page.
import { createHash } from 'node:crypto';
import { compiledPolicyHtml } from './generated/policy-html.ts';

/** A body's key among the compiled: its sha256 (hex), shorter than the text it stands for. */
export const bodyKey = (body: string) => createHash('sha256').update(body, 'utf8').digest('hex');

/** Each body's HTML by its key: the build's, and those rendered since (a version's text never changes). */
const html = new Map<string, string>(compiledPolicyHtml);

/** The HTML of `body`, made ready by `preparePolicyHtml` unless the build compiled it. */
export function policyHtml(body: string): string {
  const found = html.get(bodyKey(body));
  if (found === undefined)
    throw new Error('No HTML for this policy text: await preparePolicyHtml(body) first.');
  return found;
}

/**
 * Makes `body`'s HTML ready for `policyHtml`. Markdown (marked) is loaded only for a text the build
 * did not compile — in a Lambda bundle a file of its own beside it (infra/bundle.ts LAZY_MODULES).
 */
export async function preparePolicyHtml(body: string): Promise<void> {
  const key = bodyKey(body);
  if (html.has(key)) return;
  const { renderPolicyHtml } = await import('#shared/core/policy-markdown.ts');
  html.set(key, renderPolicyHtml(body));
}

// What scimmy carries for SCIM requests attest never answers, replaced in the bundle by stand-ins that say so if ever reached (infra/bundle.ts adds this plugin).
import { readFileSync } from 'node:fs';
import type { Plugin } from 'esbuild';

/**
 * The messages of scimmy's `messages.js` left out, in the order the file defines them. scimmy's
 * exports are static members of one class each (`SCIMMY.Messages.BulkRequest`), which a bundler
 * keeps whole once any is used: so the bulk and search messages (about 9 KB minified) came with
 * every cold start. attest answers neither: its ServiceProviderConfig says `bulk: false` and the
 * service answers a `/Bulk` or `.search` request 404 or 405 (shared/core/scim/service.ts).
 */
export const LEFT_OUT_MESSAGES = ['BulkResponse', 'BulkRequest', 'SearchRequest'] as const;

/** A message's stand-in: its schema id, as scimmy's own has, and a constructor that says why it is left out. */
const standIn = (name: string) => `class ${name} {
  static get id() { return ${JSON.stringify(`urn:ietf:params:scim:api:messages:2.0:${name}`)}; }
  constructor() {
    throw new Error(${JSON.stringify(
      `attest bundles leave out scimmy’s ${name} (infra/bundle-scimmy.ts): attest supports no bulk or search request.`,
    )});
  }
}
`;

/**
 * `messages.js` with LEFT_OUT_MESSAGES replaced by their stand-ins; it throws, failing the build,
 * when the file does not define them as expected (another scimmy version): nothing is cut blindly.
 */
export function withoutBulkAndSearch(source: string): string {
  const start = source.indexOf('\nclass BulkResponse {');
  const end = source.indexOf('\nclass Messages {');
  const classes = start < 0 || end < start ? [] : [...source.slice(start, end).matchAll(/^class (\w+)/gm)];
  if (classes.map((match) => match[1]).join() !== LEFT_OUT_MESSAGES.join()) {
    throw new Error(
      `infra/bundle-scimmy.ts: scimmy's messages.js does not define ${LEFT_OUT_MESSAGES.join(', ')} before Messages as 1.3.5 does; check what it now holds before leaving any out`,
    );
  }
  return `${source.slice(0, start)}\n${LEFT_OUT_MESSAGES.map(standIn).join('\n')}${source.slice(end)}`;
}

/** Replaces scimmy's bulk and search messages, wherever a bundle reaches them, with their stand-ins. */
export const scimmyWithoutBulkAndSearch: Plugin = {
  name: 'scimmy-without-bulk-and-search',
  setup(esbuild) {
    esbuild.onLoad({ filter: /[\\/]scimmy[\\/]dist[\\/]lib[\\/]messages\.js$/ }, (args) => ({
      contents: withoutBulkAndSearch(readFileSync(args.path, 'utf8')),
      loader: 'js',
    }));
  },
};

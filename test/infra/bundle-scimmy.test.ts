// scimmy's messages infra/bundle-scimmy.ts leaves out of the SCIM bundle: only the bulk and search ones, each stand-in saying so if reached, the rest of scimmy working bundled; and a scimmy defining them otherwise fails the build.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type SCIMMY from 'scimmy';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_SETTINGS } from '../../infra/bundle.ts';
import { LEFT_OUT_MESSAGES, withoutBulkAndSearch } from '../../infra/bundle-scimmy.ts';

const root = new URL('../../', import.meta.url).pathname;
/** The file the plugin rewrites, as installed. */
const messagesJs = join(root, 'node_modules/scimmy/dist/lib/messages.js');

/** scimmy as the SCIM function's bundle has it, and the bundle's code. */
let bundled: typeof SCIMMY;
let code: string;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'attest-bundle-scimmy-'));
  const result = await build({
    ...BUNDLE_SETTINGS,
    stdin: { contents: "export { default } from 'scimmy';", resolveDir: root, loader: 'ts' },
    outfile: join(dir, 'index.mjs'),
    write: false,
    logLevel: 'error',
  });
  for (const file of result.outputFiles) writeFileSync(file.path, file.contents);
  code = result.outputFiles.find((file) => file.path.endsWith('index.mjs'))?.text ?? '';
  bundled = ((await import(pathToFileURL(join(dir, 'index.mjs')).href)) as { default: typeof SCIMMY })
    .default;
}, 60_000);

describe('scimmy without its bulk and search messages', () => {
  it('replaces each with a stand-in that keeps its schema id and says why it is left out', () => {
    for (const name of LEFT_OUT_MESSAGES) {
      // Assess
      const message = bundled.Messages[name] as unknown as { id: string; new (): unknown };
      expect(message.id).toBe(`urn:ietf:params:scim:api:messages:2.0:${name}`);
      expect(() => new message()).toThrow(/infra\/bundle-scimmy\.ts.*no bulk or search request/);
    }
    expect(code).not.toContain('failOnErrors');
    expect(code).not.toContain('in BulkRequest operation');
  });

  it('keeps the messages attest answers with: errors, lists and patches', () => {
    // Act
    const list = new bundled.Messages.ListResponse([{ id: 'a' }] as never, {
      startIndex: 1,
      count: 1,
      totalResults: 1,
    });
    const patch = new bundled.Messages.PatchOp({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'displayName', value: 'Sam' }],
    });
    const error = new bundled.Messages.ErrorResponse(new bundled.Types.Error(409, 'uniqueness', 'taken'));

    // Assess
    expect(list).toEqual(expect.objectContaining({ Resources: [{ id: 'a' }], totalResults: 1 }));
    expect(patch.Operations).toHaveLength(1);
    expect(error).toEqual(
      expect.objectContaining({ status: '409', scimType: 'uniqueness', detail: 'taken' }),
    );
  });

  it('changes nothing of messages.js but the three classes', () => {
    // Prepare
    const source = readFileSync(messagesJs, 'utf8');

    // Act
    const trimmed = withoutBulkAndSearch(source);

    // Assess: what precedes the bulk response and what follows the search request is as it was,
    // and between them are the stand-ins alone
    const start = source.indexOf('\nclass BulkResponse {');
    const end = source.indexOf('\nclass Messages {');
    expect(trimmed.startsWith(source.slice(0, start))).toBe(true);
    expect(trimmed.endsWith(source.slice(end))).toBe(true);
    const between = trimmed.slice(start, trimmed.length - (source.length - end));
    expect([...between.matchAll(/^class (\w+)/gm)].map((match) => match[1])).toEqual([...LEFT_OUT_MESSAGES]);
    expect(between).not.toMatch(/\b(?:apply|prepare)\(/);
  });

  it('fails the build for a scimmy that defines them otherwise, rather than cut what it does not know', () => {
    // Prepare: a message added among them, and one of them gone
    const source = readFileSync(messagesJs, 'utf8');
    const added = source.replace('\nclass SearchRequest {', '\nclass Other {}\nclass SearchRequest {');
    const gone = source.replace('\nclass BulkResponse {', '\nconst BulkResponse = class {');

    // Act / Assess
    expect(() => withoutBulkAndSearch(added)).toThrow(
      /does not define BulkResponse, BulkRequest, SearchRequest/,
    );
    expect(() => withoutBulkAndSearch(gone)).toThrow(/does not define/);
    expect(() => withoutBulkAndSearch('export {};')).toThrow(/does not define/);
  });
});

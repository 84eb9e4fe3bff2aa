// What each function's bundle loads at a cold start, from esbuild's metafile with the settings `cdk synth` uses: no YAML or Markdown parser, no PDF library or font engine, and zod's functional API only.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import {
  BUNDLE_SETTINGS,
  bundleFunction,
  type FunctionName,
  LAZY_MODULES,
  lazyModuleSource,
} from '../../infra/bundle.ts';

const root = new URL('../../', import.meta.url);
const names = readdirSync(new URL('functions/', root), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name as FunctionName);

/** Packages that must not load at a cold start: policies are parsed and rendered at build, the PDF made at the first receipt. */
const NOT_AT_COLD_START = /node_modules\/(yaml|marked|pdf-lib|@pdf-lib\/[^/]+|fontkit|pako)\//;

/**
 * zod's classic API (method chains) and its locales but English: schemas are written with its
 * functional API through shared/core/zod.ts, about a third of the bytes (issue 18).
 */
const NOT_LEAN_ZOD = /node_modules\/(zod\/v4\/(?:classic\/|locales\/(?!en\.js|index\.js))[^/]+)/;

/** The metafile of `entry` (a file, or a module's text) bundled as infra/bundle.ts bundles it, leaving `external` out. */
async function metafileOf(entry: string | { contents: string }, external: string[]): Promise<Metafile> {
  const result = await build({
    ...BUNDLE_SETTINGS,
    ...(typeof entry === 'string'
      ? { entryPoints: [entry] }
      : { stdin: { ...entry, resolveDir: root.pathname, loader: 'ts' as const } }),
    external,
    write: false,
    metafile: true,
    outfile: 'index.mjs',
    logLevel: 'error',
  });
  return result.metafile;
}

/** Each function's metafile, built once for all the tests below. */
const built = new Map<FunctionName, Promise<Metafile>>();
const metafileOfFunction = (name: FunctionName) => {
  let meta = built.get(name);
  if (!meta) {
    meta = metafileOf(
      new URL(`functions/${name}/handler.ts`, root).pathname,
      Object.keys(LAZY_MODULES[name] ?? {}),
    );
    built.set(name, meta);
  }
  return meta;
};

/** How each input of a bundle imports `target` (a file of the project), by importer. */
const importsOf = (meta: Metafile, target: string) =>
  Object.entries(meta.inputs).flatMap(([file, input]) =>
    input.imports.filter((i) => i.path === target).map((i) => ({ file, kind: i.kind })),
  );

/** The packages among a bundle's inputs, once each. */
const packagesIn = (meta: Metafile) =>
  [...new Set(Object.keys(meta.inputs).flatMap((file) => NOT_AT_COLD_START.exec(file)?.[1] ?? []))].sort();

/**
 * The parts of zod a bundle carries but should not, once each (`zod/v4/classic/schemas.js`): by
 * the bytes each file gives the output, since zod's locales index is read but tree-shaken away.
 */
const notLeanZodIn = (meta: Metafile) =>
  [
    ...new Set(
      Object.values(meta.outputs)
        .flatMap((output) => Object.entries(output.inputs))
        .flatMap(([file, { bytesInOutput }]) => (bytesInOutput ? (NOT_LEAN_ZOD.exec(file)?.[1] ?? []) : [])),
    ),
  ].sort();

describe('the functions’ cold-start bundles', () => {
  it('are the eight functions', () => {
    // Assess
    expect(names.sort()).toEqual(
      ['ack', 'console', 'ingest', 'lms-push', 'mailer', 'scim', 'ses-events', 'sweeper'].sort(),
    );
  });

  it.each(names)(
    '%s loads no YAML, Markdown or PDF code, nor zod’s classic API, at a cold start',
    async (name) => {
      // Prepare
      const lazy = Object.keys(LAZY_MODULES[name] ?? {});

      // Act
      const meta = await metafileOfFunction(name);

      // Assess: and each lazily loaded module is imported by its specifier, left to load when asked
      expect(packagesIn(meta)).toEqual([]);
      expect(notLeanZodIn(meta)).toEqual([]);
      const imports = Object.values(meta.outputs).flatMap((output) => output.imports);
      for (const specifier of lazy) {
        expect(imports).toContainEqual({ path: specifier, kind: 'dynamic-import', external: true });
      }
    },
    120_000,
  );

  it.each(names)(
    '%s calls no operation that streams events, so the SDK’s support for them is left out',
    async (name) => {
      // Act
      const meta = await metafileOfFunction(name);

      // Assess: the protocols import it only when an operation streams events; a client with such
      // an operation imports it statically, and would then get the stand-in that throws at load
      const stub = Object.keys(meta.inputs).find((file) =>
        file.endsWith('shared/adapters/no-event-streams.ts'),
      );
      expect(stub).toBeDefined();
      const importers = importsOf(meta, stub ?? '');
      expect(importers.length).toBeGreaterThan(0);
      expect(importers.filter((i) => i.kind !== 'dynamic-import')).toEqual([]);
      expect(
        Object.keys(meta.inputs).filter((file) =>
          file.includes('@smithy/core/dist-es/submodules/event-streams/'),
        ),
      ).toEqual([]);
    },
    120_000,
  );

  it('keeps the schemas of the SES operations the mailer sends, and none of the others', async () => {
    // Act
    const result = await build({
      ...BUNDLE_SETTINGS,
      entryPoints: [new URL('functions/mailer/handler.ts', root).pathname],
      external: Object.keys(LAZY_MODULES.mailer ?? {}),
      write: false,
      outfile: 'index.mjs',
      logLevel: 'error',
    });
    const code = result.outputFiles.find((file) => file.path.endsWith('index.mjs'))?.text ?? '';

    // Assess: each operation's name is a string of its schema; SESv2 has about a hundred more
    // (infra/bundle.ts sdkSchemasWithLiteralKeys: without it, esbuild kept them all)
    const named = (operations: string[]) => operations.filter((name) => code.includes(`"${name}"`));
    expect(named(['SendEmail', 'GetAccount'])).toEqual(['SendEmail', 'GetAccount']);
    expect(named(['CreateContactList', 'PutAccountDetails', 'SendBulkEmail', 'DeleteEmailIdentity'])).toEqual(
      [],
    );
  }, 120_000);

  it('would notice: the lazily loaded modules are where that code went', async () => {
    // Act
    const certificate = await metafileOf(lazyModuleSource('#shared/core/certificate.ts'), []);
    const markdown = await metafileOf(lazyModuleSource('#shared/core/policy-markdown.ts'), []);

    // Assess
    expect(packagesIn(certificate)).toEqual(expect.arrayContaining(['pdf-lib', '@pdf-lib/fontkit']));
    expect(packagesIn(markdown)).toEqual(['marked']);
  }, 120_000);

  it.each(
    Object.entries(LAZY_MODULES).flatMap(([name, modules]) =>
      Object.keys(modules ?? {}).map((specifier) => [name as FunctionName, specifier] as const),
    ),
  )(
    'builds %s’s asset whose lazily loaded %s loads',
    async (name, specifier) => {
      // Prepare: the asset as cdk synth makes it
      const dir = mkdtempSync(join(tmpdir(), `attest-bundle-${name}-`));
      await bundleFunction(name, dir);

      // Act: imported by its specifier from the asset, as the bundle imports it on Lambda
      const loaded = await import(pathToFileURL(join(dir, LAZY_MODULES[name]?.[specifier] ?? '')).href);

      // Assess: it loaded, exporting what the function calls
      expect(Object.keys(loaded).length).toBeGreaterThan(0);
      expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).imports[specifier]).toBe(
        `./${LAZY_MODULES[name]?.[specifier]}`,
      );
    },
    120_000,
  );

  it('would notice zod’s classic API, or all its locales, in a bundle', async () => {
    // Act
    const classic = await metafileOf(
      { contents: "import * as z from 'zod'; export const s = z.string();" },
      [],
    );
    const locales = await metafileOf(
      {
        contents:
          "import * as z from '#shared/core/zod.ts'; z.config(z.locales.fr()); export const s = z.string();",
      },
      [],
    );
    const lean = await metafileOf(
      { contents: "import * as z from '#shared/core/zod.ts'; export const s = z.string();" },
      [],
    );

    // Assess
    expect(notLeanZodIn(classic)).toContain('zod/v4/classic/schemas.js');
    expect(notLeanZodIn(locales)).toContain('zod/v4/locales/fr.js');
    expect(notLeanZodIn(lean)).toEqual([]);
  }, 120_000);
});

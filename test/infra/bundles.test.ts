// What each function's bundle loads at a cold start, from esbuild's metafile with the settings `cdk synth` uses: no YAML or Markdown parser, no PDF library or font engine, and zod's functional API only; and that every file of each asset, as `cdk synth` builds it, loads and has its map.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { mappedStack } from '#shared/adapters/stack-map.ts';
import {
  BUNDLE_SETTINGS,
  bundleFunction,
  coldStartFiles,
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

/** Each function's asset, built as cdk synth builds it, once for all the tests below. */
const assets = new Map<FunctionName, Promise<string>>();
const assetOf = (name: FunctionName) => {
  let dir = assets.get(name);
  if (!dir) {
    const into = mkdtempSync(join(tmpdir(), `attest-bundle-${name}-`));
    dir = bundleFunction(name, into).then(() => into);
    assets.set(name, dir);
  }
  return dir;
};

/** The JavaScript files of an asset (its maps and package files left out). */
const jsFiles = (dir: string) =>
  readdirSync(dir)
    .filter((file) => file.endsWith('.mjs'))
    .map((file) => join(dir, file));

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
    '%s carries no table-access data: the grants’ actions are the stack’s, the aggregates import their types alone',
    async (name) => {
      // Act
      const meta = await metafileOfFunction(name);

      // Assess
      expect(Object.keys(meta.inputs).filter((file) => file.endsWith('table-access.ts'))).toEqual([]);
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

  it.each(names)(
    '%s imports node:http, node:util, node:process and node:fs by no static ES import (their namespaces load more of Node)',
    async (name) => {
      // Act
      const meta = await metafileOfFunction(name);

      // Assess: Node reads every export to make a built-in's ES namespace: on Node 22 node:http's
      // WebSocket, which loads undici (≈ 20 ms of a cold start); node:util's parseArgs, styleText,
      // diff (worker_threads with it); node:process's report and finalization; node:fs's promises
      // (watchers, readline). `process.getBuiltinModule` and the objects themselves do not
      // (infra/bundle.ts builtinsAsValues).
      // (The SDK imports node:http when first asked to send to an http: endpoint — never on AWS.)
      const imports = Object.values(meta.outputs).flatMap((output) => output.imports);
      const namespaced = (i: { path: string; kind: string }) =>
        /^(node:)?(http|util|process|fs)$/.test(i.path) && i.kind !== 'dynamic-import';
      expect(imports.filter(namespaced)).toEqual([]);
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

  it.each(names)(
    'builds %s’s asset, each of whose files loads, with its map beside it',
    async (name) => {
      // Prepare: the asset as cdk synth makes it
      const dir = await assetOf(name);
      const later = jsFiles(dir).filter((file) => !file.endsWith('/index.mjs'));

      // Act: each file but index.mjs (which reads its settings as it loads: the bundles bench
      // imports it with them) imported from the asset, as the function imports it when first needed
      const loaded = await Promise.all(
        later.map((file) => import(pathToFileURL(file).href).then(Object.keys, (error: Error) => error)),
      );

      // Assess: each loads, but the SDK's event streams' stand-in, which says why it is left out;
      // each lazily loaded module is mapped from its specifier; each file has its map
      for (const [i, file] of later.entries()) {
        if (/\/no-event-streams-\w+\.mjs$/.test(file)) {
          expect(loaded[i]).toEqual(
            expect.objectContaining({ message: expect.stringMatching(/event-stream/) }),
          );
        } else {
          expect(loaded[i], file).toBeInstanceOf(Array);
        }
      }
      const lazy = LAZY_MODULES[name] ?? {};
      for (const [specifier, file] of Object.entries(lazy)) {
        expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).imports[specifier]).toBe(
          `./${file}`,
        );
      }
      for (const file of jsFiles(dir)) expect(existsSync(`${file}.map`), file).toBe(true);
    },
    120_000,
  );

  it('leaves the emails only some sends need out of the mailer’s cold start', async () => {
    // Prepare
    const dir = await assetOf('mailer');

    // Act: the sources of the files a cold start reads, and of the rest
    const cold = new Set(await coldStartFiles(dir));
    const sourcesOf = (files: string[]) =>
      files.flatMap((file) =>
        (JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] }).sources.flatMap(
          (source) => /templates\/(?:generated\/)?[\w-]+\.(?:html\.)?ts$/.exec(source)?.[0] ?? [],
        ),
      );
    const atColdStart = sourcesOf([...cold]);
    const later = sourcesOf(jsFiles(dir).filter((file) => !cold.has(file)));

    // Assess: invites and reminders are rendered at every cold start; the others when first sent
    const others = ['receipt', 'manager', 'decline-notice'];
    expect(atColdStart).toEqual(
      expect.arrayContaining(['templates/invite.ts', 'templates/generated/invite.html.ts']),
    );
    for (const kind of others) {
      expect(atColdStart).not.toContain(`templates/${kind}.ts`);
      expect(atColdStart).not.toContain(`templates/generated/${kind}.html.ts`);
      expect(later).toEqual(
        expect.arrayContaining([`templates/${kind}.ts`, `templates/generated/${kind}.html.ts`]),
      );
    }
  }, 120_000);

  it.each(['ingest', 'ack', 'console'] as const)(
    '%s reads its secrets through the extension: no Secrets Manager client or Powertools parameters anywhere in its asset',
    async (name) => {
      // Prepare
      const dir = await assetOf(name);

      // Act: every source of every file of the asset, by its map
      const sources = jsFiles(dir).flatMap(
        (file) => (JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] }).sources,
      );

      // Assess: the reader is there, the SDK's way only as its stand-in, which refuses
      expect(sources.some((source) => source.endsWith('shared/adapters/secrets.ts'))).toBe(true);
      const text = jsFiles(dir)
        .map((file) => readFileSync(file, 'utf8'))
        .join('\n');
      expect(text).toContain('its bundle has no SDK for Secrets Manager');
      expect(
        sources.filter((source) =>
          /node_modules\/(@aws-sdk\/client-secrets-manager|@aws-lambda-powertools\/parameters)\//.test(
            source,
          ),
        ),
      ).toEqual([]);
    },
    120_000,
  );

  it('loads the mailer’s SQS client at the first send SES throttles, not at a cold start', async () => {
    // Prepare
    const dir = await assetOf('mailer');

    // Act: the packages of the files a cold start reads, and of the rest
    const cold = new Set(await coldStartFiles(dir));
    const sqsIn = (files: string[]) =>
      files.some((file) =>
        (JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] }).sources.some((source) =>
          source.includes('node_modules/@aws-sdk/client-sqs/'),
        ),
      );

    // Assess
    expect(sqsIn([...cold])).toBe(false);
    expect(sqsIn(jsFiles(dir).filter((file) => !cold.has(file)))).toBe(true);
  }, 120_000);

  /** The project's sources of `files` (by their maps), the project-relative paths `pattern` matches. */
  const projectSourcesOf = (files: readonly string[], pattern: RegExp) =>
    files.flatMap((file) =>
      (JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] }).sources.flatMap(
        (source) => pattern.exec(source)?.[0] ?? [],
      ),
    );

  it('loads SCIM’s ingest use case at the first write that makes a starter, not at a cold start', async () => {
    // Prepare: what only a write needs — the use case, its aggregates, the mail queue's client, metrics
    const dir = await assetOf('scim');
    const pattern =
      /(?:shared\/core\/ingest|shared\/adapters\/(?:sqs-queue|metrics|dynamo\/assignments)|functions\/scim\/ingest)\.ts$|node_modules\/(?:@aws-sdk\/client-sqs|@aws-lambda-powertools\/metrics)\//;

    // Act
    const cold = new Set(await coldStartFiles(dir));
    const atColdStart = new Set(projectSourcesOf([...cold], pattern));
    const later = new Set(
      projectSourcesOf(
        jsFiles(dir).filter((file) => !cold.has(file)),
        pattern,
      ),
    );

    // Assess: a search (an identity provider's first request) reads SCIM's users alone
    const writeOnly = [
      'shared/core/ingest.ts',
      'shared/adapters/sqs-queue.ts',
      'shared/adapters/metrics.ts',
      'shared/adapters/dynamo/assignments.ts',
      'functions/scim/ingest.ts',
      'node_modules/@aws-sdk/client-sqs/',
      'node_modules/@aws-lambda-powertools/metrics/',
    ];
    expect([...atColdStart]).toEqual([]);
    expect([...later].sort()).toEqual(writeOnly.sort());
  }, 120_000);

  it.each(['scim', 'ingest', 'console'] as const)(
    '%s carries no policy text at a cold start (ingest loads one, with publishing, to publish a first version)',
    async (name) => {
      // Prepare
      const dir = await assetOf(name);
      const pattern = /(?:templates\/generated\/[\w-]+|shared\/core\/publish)\.ts$/;

      // Act
      const cold = new Set(await coldStartFiles(dir));
      const atColdStart = projectSourcesOf([...cold], pattern);
      const later = projectSourcesOf(
        jsFiles(dir).filter((file) => !cold.has(file)),
        pattern,
      );

      // Assess: the ids and settings come without the texts
      expect(atColdStart).toContain('templates/generated/policy-settings.ts');
      expect(atColdStart).not.toContain('templates/generated/policies.ts');
      expect(atColdStart).not.toContain('shared/core/publish.ts');
      if (name !== 'console') {
        expect(later).toEqual(
          expect.arrayContaining(['templates/generated/policies.ts', 'shared/core/publish.ts']),
        );
      }
    },
    120_000,
  );

  it('loads the console’s subject access export, its LMS destinations and its page with the first export', async () => {
    // Prepare
    const dir = await assetOf('console');
    const pattern =
      /(?:shared\/core\/(?:privacy\/export|destinations\/[\w-]+)|templates\/privacy-export)\.ts$/;

    // Act
    const cold = new Set(await coldStartFiles(dir));
    const atColdStart = projectSourcesOf([...cold], pattern);
    const later = projectSourcesOf(
      jsFiles(dir).filter((file) => !cold.has(file)),
      pattern,
    );

    // Assess: the destinations' names and delivery ids stay (the deliveries page and its actions use them)
    const firstExport = [
      'shared/core/privacy/export.ts',
      'shared/core/destinations/registry.ts',
      'shared/core/destinations/webhook.ts',
      'shared/core/destinations/xapi.ts',
      'shared/core/destinations/moodle.ts',
      'templates/privacy-export.ts',
    ];
    for (const source of firstExport) expect(atColdStart).not.toContain(source);
    expect(later).toEqual(expect.arrayContaining(firstExport));
  }, 120_000);

  it('carries the project’s package.json as its name and version only', async () => {
    // Prepare
    const dir = await assetOf('console');
    const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
      version: string;
    };

    // Act
    const code = (await coldStartFiles(dir)).map((file) => readFileSync(file, 'utf8')).join('\n');

    // Assess
    expect(code).toContain(`name:"attest",version:${JSON.stringify(version)}`);
    expect(code).not.toMatch(/devDependencies|"build:templates"/);
  }, 120_000);

  it('maps a stack thrown in a file the mailer loads when first needed to the TypeScript', async () => {
    // Prepare: the decline notice's renderer, as the mailer imports it at its first decline notice
    const dir = await assetOf('mailer');
    const file = jsFiles(dir).find((f) => /\/decline-notice-\w+\.mjs$/.test(f)) ?? '';
    const notice = {
      organisationName: 'Org',
      greeting: 'Sam',
      starterName: 'Alex Doe',
      employeeId: 'E1',
      policyTitle: 'Code of conduct',
      policyVersion: 1,
      declines: [],
    };

    // Act: a notice with no decline, which its schema refuses, in a Node not asked to read maps
    const stack = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { renderDeclineNotice } = await import(${JSON.stringify(pathToFileURL(file).href)}); try { renderDeclineNotice(${JSON.stringify(notice)}); } catch (e) { process.stdout.write(e.stack); }`,
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH } },
    );

    // Assess: the frame in the lazily loaded file is read through the map beside it
    expect(stack).toMatch(/decline-notice-\w+\.mjs:\d+:\d+/);
    expect(mappedStack(stack)).toMatch(/templates\/decline-notice\.ts:\d+:\d+/);
  }, 120_000);

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

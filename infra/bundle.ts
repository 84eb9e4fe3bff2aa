// How each function's asset is built, with esbuild's API (a plugin needs it): by the CDK app's local bundling, in a process of its own (`tsx infra/bundle.ts <name> <dir>`), and by the bundles' test and bench with the same settings.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, type OnLoadResult, type Plugin } from 'esbuild';
import { scimmyWithoutBulkAndSearch } from './bundle-scimmy.ts';
import { sdkFilesReadWithoutFsPromises, sdkLambdaStandIns } from './bundle-sdk.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

export type FunctionName =
  | 'ingest'
  | 'mailer'
  | 'ack'
  | 'lms-push'
  | 'sweeper'
  | 'ses-events'
  | 'scim'
  | 'console';

/**
 * Modules a function imports only when first needed (`await import('#shared/…')`), by specifier,
 * each with the file it is built to beside the function's `index.mjs`. The bundle leaves the
 * specifier as it is, and a package.json in the asset maps it to that file, as the project's own
 * package.json maps it to the source under `npm start` and in tests: so their code (pdf-lib and its
 * fonts, marked) is neither read nor compiled at a cold start.
 */
export const LAZY_MODULES: Readonly<Partial<Record<FunctionName, Readonly<Record<string, string>>>>> = {
  // The receipt's PDF certificate, made at the first receipt a warm function sends.
  mailer: { '#shared/core/certificate.ts': 'certificate.mjs' },
  // Markdown, for a policy version whose text this build did not compile (an older one).
  ack: { '#shared/core/policy-markdown.ts': 'policy-markdown.mjs' },
  // SES's quota and the mailers' event source, read and sized once a sweep.
  sweeper: { '#shared/adapters/mailer-scaling.ts': 'mailer-scaling.mjs' },
  // The console's OpenID client, at its first sign-in or sign-out; the diff library and the CSV
  // writer, at the first policy diff and report export.
  console: {
    '#shared/adapters/oidc.ts': 'oidc.mjs',
    '#shared/core/console/policy-diff.ts': 'policy-diff.mjs',
    '#shared/core/report-csv.ts': 'report-csv.mjs',
  },
};

/** The source file of a lazily loaded module's specifier (`#shared/x.ts` → `<root>shared/x.ts`). */
export function lazyModuleSource(specifier: string): string {
  const match = /^#shared\/([\w/-]+\.ts)$/.exec(specifier);
  if (!match) throw new Error(`LAZY_MODULES: ${specifier} is not a #shared/… module`);
  return `${root}shared/${match[1]}`;
}

/**
 * The AWS SDK's generated schemas (`@aws-sdk/client-*`, one module per client holding every
 * operation's shapes) written so that esbuild can drop the operations a bundle never sends.
 * They spell trait keys as computed keys over the module's string constants (`{ [_h]: [...] }`
 * with `const _h = "http"`), and esbuild keeps any object with a computed key, since the key's
 * conversion to a string might run code (evanw/esbuild#4373); each operation's schema has one, and
 * reaches all its shapes, so all of them were kept (SESv2: 48 KB for two operations). This writes
 * each such key as the string literal its constant holds — the same object — and leaves any other
 * computed key alone. Upstream: aws/aws-sdk-js-v3#7607, smithy-lang/smithy-typescript#1889.
 */
export const sdkSchemasWithLiteralKeys: Plugin = {
  name: 'sdk-schemas-with-literal-keys',
  setup(esbuild) {
    esbuild.onLoad(
      { filter: /[\\/]@aws-sdk[\\/]client-[\w-]+[\\/]dist-es[\\/]schemas[\\/][\w-]+\.js$/ },
      (args) => {
        const source = readFileSync(args.path, 'utf8');
        const strings = new Map<string, string>();
        for (const [, name, value] of source.matchAll(/^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm)) {
          strings.set(name as string, value as string);
        }
        const contents = source.replace(/([{,]\s*)\[(_\w+)\]:/g, (whole, before: string, name: string) => {
          const literal = strings.get(name);
          return literal === undefined ? whole : `${before}${literal}:`;
        });
        return { contents, loader: 'js' };
      },
    );
  },
};

/**
 * A client's package.json as its runtime configuration reads it: `import packageInfo from
 * "../package.json"` for `packageInfo.version` (its user agent), which bundles the whole file
 * (about 2.3 KB a client: scripts, dependencies, descriptions), since esbuild cannot tell which
 * fields a default import of JSON is used for. Its name and version are what is kept.
 */
/** A package.json as a bundle carries it: its name and version, all a user agent or version line reads. */
function nameAndVersionOf(path: string): OnLoadResult {
  const { name, version } = JSON.parse(readFileSync(path, 'utf8')) as { name: string; version: string };
  return { contents: JSON.stringify({ name, version }), loader: 'json' };
}

export const sdkPackageVersionsOnly: Plugin = {
  name: 'sdk-package-versions-only',
  setup(esbuild) {
    esbuild.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[\w-]+[\\/]package\.json$/ }, (args) =>
      nameAndVersionOf(args.path),
    );
  },
};

/**
 * The project's own package.json as the functions read it: `import pkg from '../../package.json'`
 * for `pkg.version` (the console's subject access export, the HTTP client's user agent), which would
 * bundle the whole file (about 2.5 KB: scripts, dependencies), as for the SDK's clients above. Its
 * name and version are what is kept; tests and `npm start` read the file itself.
 */
export const ownPackageVersionOnly: Plugin = {
  name: 'own-package-version-only',
  setup(esbuild) {
    const own = join(root, 'package.json');
    const filter = new RegExp(`^${own.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    esbuild.onLoad({ filter }, (args) => nameAndVersionOf(args.path));
  },
};

/**
 * The SDK's way to Secrets Manager (`shared/adapters/secrets-manager.ts`, which
 * `shared/adapters/secrets.ts` imports when first needed, outside Lambda) left out of a function's
 * bundle: on Lambda secrets are read through the Parameters and Secrets extension, and a function
 * without SECRETS_FROM refuses before it would load the SDK. Left in, its dynamic import split the
 * SDK code it shares with the function into chunks of their own, one to three more files that a cold
 * start reads (and about 60 KB of asset). Its stand-in refuses by the setting, should it ever be reached.
 */
export const secretsSdkLeftOut: Plugin = {
  name: 'secrets-sdk-left-out',
  setup(esbuild) {
    esbuild.onLoad({ filter: /[\\/]shared[\\/]adapters[\\/]secrets-manager\.ts$/ }, () => ({
      // Importing nothing: code shared with the function would be split into a chunk of its own again.
      contents: `export async function readSecretWithSdk(setting) {
  throw new Error(setting + ': a function reads its secrets through the Parameters and Secrets extension (SECRETS_FROM=lambda-extension); its bundle has no SDK for Secrets Manager');
}`,
      loader: 'js',
    }));
  },
};

/**
 * Node's `process` and `fs` modules as the objects they are, not as ES modules. To make a
 * built-in's ES namespace (what `import { env } from 'node:process'` binds to — the SDK's config
 * and Powertools import it so) Node reads every one of its exports: reading `process.report` and
 * `process.finalization` loads their modules (about 1.5 ms of every cold start), and reading
 * `fs.promises` loads Node's promise file API with its watchers, directory handles and readline
 * interface (about 1–1.8 ms; the SDK's body-length check and the stack-trace mapper import
 * `node:fs`) — bench/bundles.ts, Node 20 and 22. Taken as the object itself in CommonJS form,
 * esbuild reads each export where the code uses it, as for any CommonJS module. (`node:util` is
 * read the same way, and worse — its namespace loads parseArgs, styleText, diff and worker_threads
 * — but so does esbuild's copy of a CommonJS module's exports: the project's two uses take it with
 * `process.getBuiltinModule`.) The other built-ins the functions import load little or nothing
 * more as namespaces (`node:crypto`'s Web Crypto, which the SDK's first request loads all the same).
 */
export const builtinsAsValues: Plugin = {
  name: 'builtins-as-values',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^(node:)?(process|fs)$/ }, (args) => ({
      path: args.path.replace(/^node:/, ''),
      namespace: 'builtins-as-values',
    }));
    esbuild.onLoad({ filter: /.*/, namespace: 'builtins-as-values' }, (args) => ({
      contents:
        args.path === 'process'
          ? 'module.exports = process;'
          : `module.exports = process.getBuiltinModule(${JSON.stringify(`node:${args.path}`)});`,
      loader: 'js',
    }));
  },
};

/**
 * What esbuild is told for every bundle, the lazily loaded ones included. On Lambda the SDK's
 * credentials are always the function's role's, in the environment (AWS_ACCESS_KEY_ID…), which the
 * SDK's own chain tries first: the chain's other providers (SSO, profiles, web identity, the
 * container and instance endpoints) and the clients they bring (about 90 KB) are replaced by that one.
 * And no function calls an operation that streams events: the SDK's support for them (about 15 KB,
 * which its protocols import dynamically, and esbuild inlines) is replaced by a module saying so.
 */
export const BUNDLE_SETTINGS = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  minify: true,
  // The maps ship in the asset, but Node does not read them at start (no --enable-source-maps):
  // a logged error's stack is mapped to the TypeScript then (shared/adapters/stack-map.ts).
  sourcemap: true,
  // Line mapping is all a stack trace needs; embedding the sources would triple each asset.
  sourcesContent: false,
  mainFields: ['module', 'main'],
  // Some dependencies are CommonJS and call require(); an ESM bundle has to provide it.
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  alias: {
    '@aws-sdk/credential-provider-node': `${root}shared/adapters/lambda-credentials.ts`,
    '@smithy/core/event-streams': `${root}shared/adapters/no-event-streams.ts`,
  },
  plugins: [
    sdkSchemasWithLiteralKeys,
    sdkPackageVersionsOnly,
    ownPackageVersionOnly,
    sdkLambdaStandIns,
    sdkFilesReadWithoutFsPromises,
    scimmyWithoutBulkAndSearch,
    builtinsAsValues,
  ],
  logLevel: 'warning',
} satisfies BuildOptions;

/** Copies each package file into the asset's node_modules, with its package's licence. */
function copyPackageFiles(files: readonly string[], outDir: string): void {
  for (const file of files) {
    if (!/^[a-z0-9@][\w@./-]*$/i.test(file) || file.includes('..')) {
      throw new Error(`packageFiles: ${file} is not a plain path inside a package`);
    }
    const pkg = file.startsWith('@') ? file.split('/').slice(0, 2).join('/') : (file.split('/')[0] ?? file);
    const to = join(outDir, 'node_modules', file);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(root, 'node_modules', file), to);
    copyFileSync(join(root, 'node_modules', pkg, 'LICENSE'), join(outDir, 'node_modules', pkg, 'LICENSE'));
  }
}

/**
 * How the function's own code is split: each module it imports with `await import(…)` (the
 * mailer's renderers of the emails only some sends need) is a file of its own beside `index.mjs`,
 * read when first imported, and code both need is in chunks `index.mjs` imports. esbuild writes
 * a chunk for every dynamic import it meets, one in code it then drops included (the SDK's
 * browser user agent's `import("bowser")`): only the files `index.mjs` can reach are kept.
 * (LAZY_MODULES are built apart, each a bundle of its own, with settings of its own.)
 */
const SPLITTING = {
  splitting: true,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  outExtension: { '.js': '.mjs' },
} satisfies BuildOptions;

type Imports = readonly { path: string; kind: string; external?: boolean }[];

/** `from` and the files it imports, and theirs, by the imports `follow` takes (each path as the metafile names it). */
function importedFrom(from: string, importsOf: (file: string) => Imports, follow: (kind: string) => boolean) {
  const found = new Set([from]);
  for (const file of found) {
    for (const i of importsOf(file)) if (!i.external && follow(i.kind)) found.add(i.path);
  }
  return found;
}

/**
 * Builds function `name`'s asset into `outDir`: `index.mjs`, the chunks it imports and those it
 * loads when first needed, each with its map; each lazily loaded module beside them with the
 * package.json mapping its specifier there; and the package files it reads.
 */
export async function bundleFunction(
  name: FunctionName,
  outDir: string,
  packageFiles: readonly string[] = [],
): Promise<void> {
  const lazy = LAZY_MODULES[name] ?? {};
  const result = await build({
    ...BUNDLE_SETTINGS,
    ...SPLITTING,
    plugins: [...BUNDLE_SETTINGS.plugins, secretsSdkLeftOut],
    entryPoints: { index: `${root}functions/${name}/handler.ts` },
    absWorkingDir: root,
    outdir: resolve(outDir),
    external: Object.keys(lazy),
    metafile: true,
    write: false,
  });
  const { outputs } = result.metafile;
  const kept = importedFrom(
    relativeToRoot(join(resolve(outDir), 'index.mjs')),
    (file) => outputs[file]?.imports ?? [],
    () => true,
  );
  mkdirSync(outDir, { recursive: true });
  for (const file of result.outputFiles) {
    const js = relativeToRoot(file.path).replace(/\.map$/, '');
    if (kept.has(js)) writeFileSync(file.path, file.contents);
  }
  // A lazily loaded module keeps the SDK's event-stream support: it loads when first needed, and
  // a client it brings may import that support as it loads (Lambda's, for the sweeper's sizing).
  const { '@smithy/core/event-streams': _streams, ...lazyAlias } = BUNDLE_SETTINGS.alias;
  for (const [specifier, file] of Object.entries(lazy)) {
    await build({
      ...BUNDLE_SETTINGS,
      plugins: [...BUNDLE_SETTINGS.plugins, secretsSdkLeftOut],
      alias: lazyAlias,
      entryPoints: [lazyModuleSource(specifier)],
      outfile: join(outDir, file),
    });
  }
  if (Object.keys(lazy).length) {
    const imports = Object.fromEntries(
      Object.entries(lazy).map(([specifier, file]) => [specifier, `./${file}`]),
    );
    writeFileSync(join(outDir, 'package.json'), JSON.stringify({ type: 'module', imports }));
  }
  copyPackageFiles(packageFiles, outDir);
}

/** A path as esbuild's metafile names it: relative to the working directory it was given (the project). */
const relativeToRoot = (path: string) => relative(root, path).split(sep).join('/');

/**
 * The JavaScript files of a built asset that a cold start reads: `index.mjs` and the chunks it
 * imports, transitively, found by esbuild reading the asset as it is (not what a build meant it to
 * be); the rest of the asset loads when first needed.
 */
export async function coldStartFiles(dir: string): Promise<string[]> {
  const { metafile } = await build({
    entryPoints: [join(dir, 'index.mjs')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    absWorkingDir: resolve(dir),
    // A lazily loaded module's specifier (package.json "imports") is left as it is: it loads when asked.
    external: ['#*'],
    metafile: true,
    write: false,
    logLevel: 'error',
  });
  const atStart = importedFrom(
    'index.mjs',
    (file) => metafile.inputs[file]?.imports ?? [],
    (kind) => kind === 'import-statement',
  );
  return [...atStart].map((file) => join(dir, file));
}

// `tsx infra/bundle.ts <name> <outDir> [package file…]`: what infra/functions.ts runs for each function.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [name, outDir, ...files] = process.argv.slice(2);
  if (!name || !outDir) throw new Error('usage: tsx infra/bundle.ts <function> <outDir> [package file…]');
  await bundleFunction(name as FunctionName, outDir, files);
}

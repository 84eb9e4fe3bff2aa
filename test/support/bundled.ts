// The AWS adapters as a Lambda bundle carries them: built with infra/bundle.ts's settings (its esbuild plugin, its aliases), so tests can call the SDK as the functions will.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { BUNDLE_SETTINGS } from '../../infra/bundle.ts';

export type BundledAdapters = typeof import('./bundled-adapters.ts');

let bundled: Promise<BundledAdapters> | undefined;

const errors = fileURLToPath(new URL('../../shared/core/errors.ts', import.meta.url));

/** Leaves shared/core/errors.ts out of the bundle, imported from the source by its path. */
const sourceErrors: Plugin = {
  name: 'source-errors',
  setup(esbuild) {
    esbuild.onResolve({ filter: /core\/errors\.ts$/ }, (args) => {
      const path = args.path.startsWith('#shared/')
        ? fileURLToPath(new URL(`../../${args.path.slice(1)}`, import.meta.url))
        : join(args.resolveDir, args.path);
      return path === errors ? { path: pathToFileURL(errors).href, external: true } : undefined;
    });
  },
};

/** test/support/bundled-adapters.ts bundled as infra/bundle.ts bundles a function, and imported; once per file. */
export function bundledAdapters(): Promise<BundledAdapters> {
  bundled ??= (async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'attest-bundled-')), 'index.mjs');
    await build({
      ...BUNDLE_SETTINGS,
      entryPoints: [fileURLToPath(new URL('./bundled-adapters.ts', import.meta.url))],
      outfile: file,
      // The errors the adapters throw are the source's, so a test can ask `instanceof` of them.
      plugins: [...BUNDLE_SETTINGS.plugins, sourceErrors],
    });
    return (await import(pathToFileURL(file).href)) as BundledAdapters;
  })();
  return bundled;
}

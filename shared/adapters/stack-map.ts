// Stack traces of a Lambda bundle in the TypeScript's terms: each frame in a bundled file mapped through the `.map` beside it, read at the first error that needs it (Node's --enable-source-maps would read every map at every cold start).
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Each bundled file's map, parsed when first needed; null for a file without one (the source tree). */
const maps = new Map<string, SourceMap | null>();

function mapOf(file: string): SourceMap | null {
  let map = maps.get(file);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      map = null;
    }
    maps.set(file, map);
  }
  return map;
}

/**
 * A map's source as a person looks for it: from `node_modules/` for a dependency, else from the
 * project's own top folder (esbuild writes each relative to the bundle, `../../…/shared/core/x.ts`).
 */
function shortSource(source: string): string {
  const path = source.replace(/^file:\/\//, '');
  const dependency = path.lastIndexOf('node_modules/');
  if (dependency >= 0) return path.slice(dependency);
  return /(?:^|\/)((?:functions|shared|templates|infra|local|bin|bench|test)\/.*)$/.exec(path)?.[1] ?? path;
}

/** A frame's place in a JavaScript file: `(file:///var/task/index.mjs:1:2345)` or `at /path/x.mjs:1:2`. */
const FRAME = /((?:file:\/\/)?\/[^\s():]+\.m?js):(\d+):(\d+)/;

/** `location` (`file:line:column` in a bundle) as the TypeScript's `source:line:column`, or as it was. */
function mappedLocation(file: string, line: number, column: number): string | undefined {
  const path = file.startsWith('file://') ? fileURLToPath(file) : file;
  const entry = mapOf(path)?.findEntry(line - 1, column - 1);
  if (!entry || !('originalSource' in entry)) return undefined;
  return `${shortSource(entry.originalSource)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
}

/** `stack` with each frame in a bundled file that has a map pointed at the TypeScript; other frames as they are. */
export function mappedStack(stack: string): string {
  return stack
    .split('\n')
    .map((line) =>
      line.replace(
        FRAME,
        (whole, file: string, row: string, column: string) =>
          mappedLocation(file, Number(row), Number(column)) ?? whole,
      ),
    )
    .join('\n');
}

/**
 * Where `error` was thrown, as `shared/core/x.ts:12:5` (mapped when thrown in a bundle): a place in
 * the code, never the message (which may hold personal data), for an "unhandled error" log line.
 */
export function errorLocation(error: unknown): string | undefined {
  if (!(error instanceof Error) || !error.stack) return undefined;
  const frame = error.stack.split('\n').find((line) => FRAME.test(line) || /\.ts:\d+:\d+/.test(line));
  const place = frame && /([^\s()]+):(\d+:\d+)\)?$/.exec(mappedStack(frame).trim());
  return place ? `${shortSource(place[1] as string)}:${place[2]}` : undefined;
}

// Stack traces mapped to the TypeScript through a real esbuild bundle's map (built here as the functions' are), with Node not asked to read maps.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorLocation, mappedStack } from '#shared/adapters/stack-map.ts';
import { BUNDLE_SETTINGS } from '../../../../infra/bundle.ts';

const THROWER = `export function check(value: number): number {
  if (value > 1) {
    throw new RangeError('too big');
  }
  return value;
}
`;
const HANDLER = `import { check } from './thrower.ts';

export const handler = (value: number) => {
  return check(value) + 1;
};
`;

describe('mappedStack', () => {
  let dir: string;
  let stack: string;
  let bundle: string;

  beforeAll(async () => {
    // Prepare: two modules bundled into one minified file with its map, as infra/bundle.ts does
    dir = mkdtempSync(join(tmpdir(), 'attest-stack-map-'));
    mkdirSync(join(dir, 'shared'));
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'shared', 'thrower.ts'), THROWER);
    writeFileSync(join(dir, 'shared', 'handler.ts'), HANDLER);
    bundle = join(dir, 'out', 'index.mjs');
    const { alias: _alias, ...settings } = BUNDLE_SETTINGS;
    await build({
      ...settings,
      entryPoints: [join(dir, 'shared', 'handler.ts')],
      outfile: bundle,
      logLevel: 'error',
    });
    // The error as a function's Node meets it: no --enable-source-maps, so the stack is the bundle's
    stack = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { handler } = await import(${JSON.stringify(`file://${bundle}`)}); try { handler(5); } catch (e) { process.stdout.write(e.stack); }`,
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH } },
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('points each frame of the bundle at the TypeScript line and column', () => {
    // Act
    const mapped = mappedStack(stack);

    // Assess: the bundle is the banner and one minified line; the throw is line 3, the call line 4
    expect(stack).toMatch(/index\.mjs:2:\d+/);
    expect(mapped).toMatch(/^RangeError: too big\n/);
    expect(mapped).toContain('shared/thrower.ts:3:11');
    expect(mapped).toContain('shared/handler.ts:4:10');
    expect(mapped).not.toContain('index.mjs');
  });

  it('leaves a frame in a file without a map as it is', () => {
    // Prepare
    const frame = '    at run (file:///nowhere/else.mjs:1:2)';

    // Act, Assess
    expect(mappedStack(`Error: x\n${frame}`)).toBe(`Error: x\n${frame}`);
  });
});

describe('errorLocation', () => {
  it('names where an error was thrown, never its message', () => {
    // Prepare
    const error = new Error('ada@example.org');

    // Act
    const at = errorLocation(error);

    // Assess
    expect(at).toMatch(/^test\/unit\/shared\/adapters\/stack-map\.test\.ts:\d+:\d+$/);
    expect(errorLocation('not an error')).toBeUndefined();
  });
});

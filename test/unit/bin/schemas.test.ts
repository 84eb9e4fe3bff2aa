// `npm run schemas` as a developer runs it: the published files it writes are the ones committed, as `npm run check` formats them.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PUBLISHED } from '../../../bin/schemas.ts';

describe('npm run schemas', () => {
  it('leaves the published files byte for byte as committed, so npm run check passes after it', () => {
    // Prepare
    const before = PUBLISHED.map(({ file }) => readFileSync(file, 'utf8'));

    try {
      // Act
      const run = spawnSync('npm', ['run', '-s', 'schemas'], {
        cwd: new URL('../../../', import.meta.url).pathname,
        encoding: 'utf8',
        timeout: 60_000,
      });

      // Assess
      expect(run.status).toBe(0);
      expect(PUBLISHED.map(({ file }) => readFileSync(file, 'utf8'))).toEqual(before);
    } finally {
      PUBLISHED.forEach(({ file }, i) => {
        writeFileSync(file, before[i] as string);
      });
    }
  }, 90_000);
});

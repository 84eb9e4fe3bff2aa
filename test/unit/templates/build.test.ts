// The build's sources: each must be UTF-8, or the build stops naming it and writes nothing.
import { cpSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotUtf8Error } from '#shared/core/utf8.ts';
import { buildTemplates } from '#templates/build.ts';

const templates = new URL('../../../templates/', import.meta.url).pathname;

/** A copy of the build's sources (the locales, the emails' MJML, the policies) to spoil one of. */
function sources(): string {
  const dir = mkdtempSync(join(tmpdir(), 'attest-build-'));
  cpSync(join(templates, 'locales'), join(dir, 'locales'), { recursive: true });
  cpSync(join(templates, 'policies'), join(dir, 'policies'), { recursive: true });
  for (const file of readdirSync(templates).filter((f) => f.endsWith('.mjml')))
    cpSync(join(templates, file), join(dir, file));
  return dir;
}

describe('buildTemplates', () => {
  it.each([
    [
      'a policy',
      'policies/safe-internet-use.md',
      Buffer.from('---\ntitle: Staff\x92s guide\n', 'latin1'),
      2,
      13,
    ],
    ['an email template', 'invite.mjml', Buffer.from('<mjml>\n  <mj-body>Caf\xe9', 'latin1'), 2, 15],
  ])(
    'refuses %s that is not UTF-8, naming it, its line and column, writing nothing',
    async (_, path, bytes, line, column) => {
      // Prepare
      const dir = sources();
      writeFileSync(join(dir, path), bytes);
      const before = statSync(join(templates, 'generated/policies.ts')).mtimeMs;

      // Act
      const built = buildTemplates({ sources: dir });

      // Assess
      await expect(built).rejects.toThrow(NotUtf8Error);
      await expect(built).rejects.toMatchObject({ line, column });
      await expect(built).rejects.toThrow(`${path} is not UTF-8 text`);
      expect(statSync(join(templates, 'generated/policies.ts')).mtimeMs).toBe(before);
    },
  );
});

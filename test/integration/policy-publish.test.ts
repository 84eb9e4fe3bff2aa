// `npx attest policy publish --dry-run` as a user runs it, in a shell on the local stack's table: it shows what would change and writes nothing.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aPolicySource, aWelshPolicySource } from '../support/fakes.ts';
import { shell } from '../support/local.ts';

// Each call starts npm and compiles the CLI: seconds, on a busy machine many.
describe('npx attest policy publish --dry-run', { timeout: 120_000 }, () => {
  it('prints the next version and its difference, publishes nothing, and a script is not asked', async () => {
    // Prepare: a policy of its own, version 1 published by a script (stdin is no terminal)
    const id = `dry-run-${randomUUID().slice(0, 8)}`;
    const file = join(mkdtempSync(join(tmpdir(), 'attest-policy-')), `${id}.md`);
    writeFileSync(file, aPolicySource().replace('id: sample', `id: ${id}`));
    const first = await shell('npx attest policy publish "$FILE"', { FILE: file });
    writeFileSync(
      file,
      aPolicySource('Para one, changed.\n\n## Heading\n\n1. Step\n')
        .replace('id: sample', `id: ${id}`)
        .replace('keyPoints:\n', 'changes:\n  - Paragraph one changed.\nkeyPoints:\n'),
    );

    // Act
    const dry = await shell('npx attest policy publish "$FILE" --dry-run --reacknowledge', { FILE: file });
    const versions = await shell('npx attest policy versions "$ID"', { ID: id });

    // Assess
    expect([first.code, first.err]).toEqual([0, '']);
    expect(first.out).toMatch(new RegExp(`^${id}: published version 1 `));
    expect([dry.code, dry.err]).toEqual([0, '']);
    expect(dry.out).toMatch(new RegExp(`^${id}: would publish version 2 `));
    expect(dry.out).toContain('    Para one{+, changed+}.\n');
    expect(dry.out).toContain('  * Paragraph one changed.\n');
    expect(dry.out).toContain('would email 0: 0 who signed an earlier version');
    expect(dry.out).toMatch(/dry run: nothing was written\n$/);
    expect(versions.out.trim().split('\n')).toHaveLength(1);
  });

  it('shows a change to the Welsh alone as a change, and says when a script’s publish drops it', async () => {
    // Prepare: version 1 published with its Welsh beside it; then only the Welsh changes
    const id = `welsh-${randomUUID().slice(0, 8)}`;
    const dir = mkdtempSync(join(tmpdir(), 'attest-policy-'));
    const file = join(dir, `${id}.md`);
    const welsh = join(dir, `${id}.cy.md`);
    writeFileSync(file, aPolicySource().replace('id: sample', `id: ${id}`));
    writeFileSync(welsh, aWelshPolicySource().replace('id: sample', `id: ${id}`));
    const first = await shell('npx attest policy publish "$FILE"', { FILE: file });
    writeFileSync(
      welsh,
      aWelshPolicySource('Paragraff un, newydd.\n\n## Pennawd\n\n1. Cam\n').replace(
        'id: sample',
        `id: ${id}`,
      ),
    );

    // Act
    const dry = await shell('npx attest policy publish "$FILE" --dry-run', { FILE: file });
    rmSync(welsh);
    const dropped = await shell('npx attest policy publish "$FILE" --yes', { FILE: file });
    const versions = await shell('npx attest policy versions "$ID"', { ID: id });

    // Assess
    expect([first.code, first.err]).toEqual([0, '']);
    expect(first.out).toMatch(
      new RegExp(`\n${id}: with its Welsh \\(cy\\) translation \\(sha256 [0-9a-f]{64}\\)\n`),
    );
    expect([dry.code, dry.err]).toEqual([0, '']);
    expect(dry.out).toMatch(new RegExp(`^${id}: would publish version 2 `));
    expect(dry.out).toContain('  (the English text is unchanged)\n');
    expect(dry.out).toMatch(
      /\nchanges to the Welsh \(cy\) translation from version 1 \(was sha256 [0-9a-f]{64}\):\n/,
    );
    expect(dry.out).toContain('    Paragraff un{+, newydd+}.\n');
    expect([dropped.code, dropped.err]).toEqual([0, '']);
    expect(dropped.out).toMatch(new RegExp(`^${id}: published version 2 `));
    expect(dropped.out).toContain(
      `${id}: version 2 has no Welsh translation, dropping version 1's: starters whose locale is Welsh read it in English`,
    );
    const [v1, v2] = versions.out.trim().split('\n');
    expect(v1).toMatch(/ sha256 [0-9a-f]{64} {2}cy sha256 [0-9a-f]{64} {2}Sample – Policy$/);
    expect(v2).toMatch(/ sha256 [0-9a-f]{64} {2}Sample – Policy$/);
  });

  it('asks on a terminal before publishing, and publishes nothing when the answer is no', async () => {
    // Prepare: version 1 published by a script; the file changed since. `script` gives the CLI a
    // terminal (a pty) as a person's shell would, and types the answer into it.
    const id = `confirm-${randomUUID().slice(0, 8)}`;
    const file = join(mkdtempSync(join(tmpdir(), 'attest-policy-')), `${id}.md`);
    writeFileSync(file, aPolicySource().replace('id: sample', `id: ${id}`));
    await shell('npx attest policy publish "$FILE"', { FILE: file });
    writeFileSync(file, aPolicySource('Para one, changed.\n').replace('id: sample', `id: ${id}`));
    const onTerminal = 'script -qec \'npx attest policy publish "$FILE"\' /dev/null';

    // Act
    const no = await shell(onTerminal, { FILE: file }, 'n\n');
    const afterNo = await shell('npx attest policy versions "$ID"', { ID: id });
    const yes = await shell(onTerminal, { FILE: file }, 'y\n');
    const afterYes = await shell('npx attest policy versions "$ID"', { ID: id });

    // Assess
    expect(no.code).toBe(1);
    expect(no.out).toContain(`${id}: would publish version 2 `);
    expect(no.out).toContain('Publish version 2 and email 0 people? [y/N]');
    expect(no.out).toContain('attest: nothing published, nobody asked');
    expect(afterNo.out.trim().split('\n')).toHaveLength(1);
    expect(yes.code).toBe(0);
    expect(yes.out).toMatch(new RegExp(`${id}: published version 2 `));
    expect(afterYes.out.trim().split('\n')).toHaveLength(2);
  });
});

describe('npx attest policy preview', { timeout: 120_000 }, () => {
  it('writes the Welsh page and invites beside the English ones for a policy with a Welsh translation', async () => {
    // Prepare: a policy with its Welsh beside it, and no Chromium to draw screenshots
    const dir = mkdtempSync(join(tmpdir(), 'attest-preview-'));
    const file = join(dir, 'sample.md');
    writeFileSync(file, aPolicySource());
    writeFileSync(join(dir, 'sample.cy.md'), aWelshPolicySource());
    const out = join(dir, 'out');

    // Act
    const preview = await shell(
      'CHROMIUM_PATH="$OUT/none" npx attest policy preview "$FILE" --out "$OUT" --as-version 1',
      { FILE: file, OUT: out },
    );

    // Assess
    expect(preview.code).toBe(0);
    expect(preview.out.trim().split('\n')).toEqual(
      ['page', 'invite', 'invite-reacknowledge', 'page.cy', 'invite.cy', 'invite-reacknowledge.cy'].map((n) =>
        join(out, `${n}.html`),
      ),
    );
    const welsh = readFileSync(join(out, 'page.cy.html'), 'utf8');
    expect(welsh).toContain('<html lang="cy"');
    expect(welsh).toContain('Enghraifft – Polisi');
    expect(readFileSync(join(out, 'page.html'), 'utf8')).toContain('Sample – Policy');
  });
});

// `attest policy publish --dry-run` and the question on a terminal: the difference, who would be emailed, and nothing written unless a person says yes.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policyDiff } from '#shared/core/console/policy-diff.ts';
import { assignmentIdFor } from '#shared/core/ids.ts';
import { parsePolicy, parsePolicyTranslation, withTranslation } from '#shared/core/policy.ts';
import { makePublishPolicy } from '#shared/core/publish.ts';
import { renderAckPage } from '#templates/ack-page.ts';
import { type CliDeps, runCli } from '../../../bin/attest.ts';
import { diffText } from '../../../bin/policy.ts';
import { CHROMIUM } from '../../support/browser.ts';
import {
  anAssignment,
  anEvidence,
  aPolicySource,
  aStarter,
  aWelshPolicySource,
  FakeClock,
  FakeStore,
  seedSigned,
  silentLogger,
} from '../../support/fakes.ts';

const NOW = '2026-11-26T10:00:00.000Z';

/** The sample policy with its first paragraph and key point reworded, and what changed said. */
const V2 = aPolicySource('Para one, changed.\n\n## Heading\n\n1. Step\n')
  .replace('  - One point\n', '  - One new point\n')
  .replace('keyPoints:\n', 'changes:\n  - Paragraph one now says changed.\nkeyPoints:\n');

/** Runs the CLI on `store` with p.md as `source`; `more` adds a terminal's question. */
async function cli(argv: string[], store: FakeStore, source: string, more: Partial<CliDeps> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    store,
    io: { out: (t) => out.push(t), err: (t) => err.push(t) },
    now: () => new Date(NOW),
    readFile: () => source,
    ...more,
  });
  return { code, out, err };
}

/**
 * Version 1 published; E1 signed it, E2 was asked and has not signed, E3 was asked and their
 * address bounced. Writes are counted from here.
 */
async function publishedStore() {
  const store = new FakeStore();
  const publisher = makePublishPolicy({ store, clock: new FakeClock(NOW), logger: silentLogger });
  const { policy } = await publisher.publish(parsePolicy(aPolicySource()));
  await store.putStarter(aStarter({ employeeId: 'E1' }));
  await seedSigned(
    store,
    'E1',
    { webhook: { webhookId: 'wh_1' } },
    { policy, evidence: anEvidence(policy, { evidenceId: 'ev_1' }) },
  );
  for (const [employeeId, status] of [
    ['E2', 'invited'],
    ['E3', 'bounced'],
  ] as const) {
    const starter = aStarter({ employeeId, email: `${employeeId.toLowerCase()}@example.org` });
    await store.putStarter(starter);
    store.seed(
      anAssignment(starter, policy, {
        status,
        dueAt: undefined,
        dueKind: undefined,
        ...(status === 'bounced' && {
          bounce: { reason: 'bounced' as const, email: starter.email, at: '2026-11-21T09:00:00.000Z' },
        }),
      }),
    );
  }
  store.writes.length = 0;
  return store;
}

/** A terminal's question that answers `answer`, keeping what it was asked. */
function terminal(answer: boolean) {
  const asked: string[] = [];
  return {
    asked,
    confirm: async (question: string) => {
      asked.push(question);
      return answer;
    },
  };
}

describe('attest policy publish --dry-run', () => {
  it('shows the difference, what changed and who would be emailed, and writes nothing', async () => {
    // Prepare
    const store = await publishedStore();

    // Act
    const { code, out, err } = await cli(
      ['policy', 'publish', 'p.md', '--dry-run', '--reacknowledge'],
      store,
      V2,
    );

    // Assess
    expect([code, err, store.writes]).toEqual([0, [], []]);
    expect(out[0]).toMatch(/^sample: would publish version 2 \(sha256 [0-9a-f]{64}\)$/);
    expect(out).toContain('changes from version 1 ([-removed-] {+added+}):');
    expect(out).toContain('    Para one{+, changed+}.');
    expect(out).toContain('    - One point');
    expect(out).toContain('    + One new point');
    expect(out.slice(out.indexOf('  changes:'), out.indexOf('  changes:') + 2)).toEqual([
      '  changes:',
      '    + Paragraph one now says changed.',
    ]);
    expect(out).toContain('  * Paragraph one now says changed.');
    expect(out).toContain(
      'would email 2: 1 who signed an earlier version, asked again; 1 who had not yet signed, asked for version 2' +
        ' instead (not emailed: 1 whose address bounced, 0 left or gone; asked before: 0)',
    );
    expect(out.at(-1)).toBe('dry run: nothing was written');
    expect(await store.getLatestPolicyVersion('sample')).toMatchObject({ version: 1 });
  });

  it('emails nobody without --reacknowledge, and says how many it would', async () => {
    // Prepare
    const store = await publishedStore();

    // Act
    const { code, out } = await cli(['policy', 'publish', 'p.md', '--dry-run'], store, V2);

    // Assess
    expect(code).toBe(0);
    expect(out.find((l) => l.startsWith('would email'))).toMatch(
      /^would email 0 \(with --reacknowledge: 2, /,
    );
    expect(store.writes).toEqual([]);
  });

  it('says the text is unchanged when it is the newest version, and counts who a rerun would still ask', async () => {
    // Prepare
    const store = await publishedStore();
    await cli(['policy', 'publish', 'p.md', '--reacknowledge'], store, V2);
    store.writes.length = 0;

    // Act
    const { code, out } = await cli(['policy', 'publish', 'p.md', '--dry-run', '--reacknowledge'], store, V2);

    // Assess
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^sample: unchanged, version 2 is this text /);
    expect(out).toContain(
      'would email 0: 0 who signed an earlier version, asked again; 0 who had not yet signed, asked for version 2' +
        ' instead (not emailed: 0 whose address bounced, 0 left or gone; asked before: 1)',
    );
    expect(store.writes).toEqual([]);
  });

  it('asks nothing of a terminal on a dry run', async () => {
    // Prepare
    const store = await publishedStore();
    const { asked, confirm } = terminal(true);

    // Act
    await cli(['policy', 'publish', 'p.md', '--dry-run'], store, V2, { confirm });

    // Assess
    expect(asked).toEqual([]);
    expect(store.writes).toEqual([]);
  });
});

describe('attest policy publish on a terminal', () => {
  it('publishes and asks once the person says yes', async () => {
    // Prepare
    const store = await publishedStore();
    const { asked, confirm } = terminal(true);

    // Act
    const { code, out } = await cli(['policy', 'publish', 'p.md', '--reacknowledge'], store, V2, { confirm });

    // Assess
    expect(code).toBe(0);
    expect(asked).toEqual(['Publish version 2 and email 2 people?']);
    expect(out).toContain('  * Paragraph one now says changed.');
    expect(out).toContainEqual(expect.stringMatching(/^sample: published version 2 /));
    expect(store.peek(assignmentIdFor('E1', 'sample', 2))).toMatchObject({ reason: 'reacknowledge' });
  });

  it('writes nothing and exits 1 when the person says no', async () => {
    // Prepare
    const store = await publishedStore();
    const { asked, confirm } = terminal(false);

    // Act
    const { code, out, err } = await cli(['policy', 'publish', 'p.md', '--reacknowledge'], store, V2, {
      confirm,
    });

    // Assess
    expect(code).toBe(1);
    expect(asked).toHaveLength(1);
    expect(err).toEqual(['attest: nothing published, nobody asked']);
    expect(out).not.toContainEqual(expect.stringMatching(/published version/));
    expect(store.writes).toEqual([]);
  });

  it('asks before emailing about unchanged text when --reacknowledge would still ask someone', async () => {
    // Prepare: version 2 published without --reacknowledge
    const store = await publishedStore();
    await cli(['policy', 'publish', 'p.md'], store, V2);
    store.writes.length = 0;
    const { asked, confirm } = terminal(false);

    // Act
    const { code } = await cli(['policy', 'publish', 'p.md', '--reacknowledge'], store, V2, { confirm });

    // Assess
    expect(code).toBe(1);
    expect(asked).toEqual(['Email 2 people about version 2?']);
    expect(store.writes).toEqual([]);
  });

  it('asks nothing with --yes', async () => {
    // Prepare
    const store = await publishedStore();
    const { asked, confirm } = terminal(false);

    // Act
    const { code, out } = await cli(['policy', 'publish', 'p.md', '--yes'], store, V2, { confirm });

    // Assess
    expect(code).toBe(0);
    expect(asked).toEqual([]);
    expect(out).toEqual([expect.stringMatching(/^sample: published version 2 /)]);
  });

  it('asks nothing when not on a terminal, publishing as scripts expect', async () => {
    // Prepare
    const store = await publishedStore();

    // Act
    const { code, out } = await cli(['policy', 'publish', 'p.md'], store, V2);

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual([expect.stringMatching(/^sample: published version 2 /)]);
    expect(store.writes).toEqual(['putPolicyVersion']);
  });

  it('asks nothing when there is nothing to publish and nobody to email', async () => {
    // Prepare
    const store = await publishedStore();
    const { asked, confirm } = terminal(false);

    // Act
    const { code, out } = await cli(['policy', 'publish', 'p.md'], store, aPolicySource(), { confirm });

    // Assess
    expect(code).toBe(0);
    expect(asked).toEqual([]);
    expect(out).toEqual([expect.stringMatching(/^sample: unchanged, version 1 /)]);
  });
});

/** Runs the CLI with the files `files` holds (p.md, and p.cy.md beside it when given). */
async function cliFiles(
  argv: string[],
  store: FakeStore,
  files: Record<string, string>,
  more: Partial<CliDeps> = {},
) {
  return cli(argv, store, '', {
    readFile: (path) => files[path] ?? '',
    fileExists: (path) => path in files,
    ...more,
  });
}

/** Version 1 of `sample` published with its Welsh translation; writes are counted from here. */
async function welshStore() {
  const store = new FakeStore();
  const english = parsePolicy(aPolicySource());
  const text = withTranslation(english, 'cy', parsePolicyTranslation(aWelshPolicySource(), english, 'cy'));
  await makePublishPolicy({ store, clock: new FakeClock(NOW), logger: silentLogger }).publish(text);
  store.writes.length = 0;
  return store;
}

describe('attest policy publish with a Welsh translation', () => {
  it('shows a change to the Welsh alone as a change, under its own heading, with each hash', async () => {
    // Prepare
    const store = await welshStore();
    const files = {
      'p.md': aPolicySource(),
      'p.cy.md': aWelshPolicySource('Paragraff un, newydd.\n\n## Pennawd\n\n1. Cam\n'),
    };

    // Act
    const { code, out, err } = await cliFiles(['policy', 'publish', 'p.md', '--dry-run'], store, files);

    // Assess
    expect([code, err, store.writes]).toEqual([0, [], []]);
    const v1 = await store.getLatestPolicyVersion('sample');
    expect(out[0]).toBe(`sample: would publish version 2 (sha256 ${v1?.sha256})`);
    expect(out[1]).toMatch(/^sample: with its Welsh \(cy\) translation \(sha256 [0-9a-f]{64}\)$/);
    expect(out[1]).not.toContain(v1?.translations?.cy?.sha256);
    expect(out.slice(2, 8)).toEqual([
      'changes from version 1 ([-removed-] {+added+}):',
      '  (the English text is unchanged)',
      `changes to the Welsh (cy) translation from version 1 (was sha256 ${v1?.translations?.cy?.sha256}):`,
      '  body:',
      '    (paragraph 1)',
      '    Paragraff un{+, newydd+}.',
    ]);
    expect(out.at(-1)).toBe('dry run: nothing was written');
  });

  it('lists each version with its Welsh hash after the English one', async () => {
    // Prepare
    const store = await welshStore();
    const v1 = await store.getLatestPolicyVersion('sample');

    // Act
    const { code, out } = await cli(['policy', 'versions', 'sample'], store, '');

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual([
      `sample v1  ${NOW}  sha256 ${v1?.sha256}  cy sha256 ${v1?.translations?.cy?.sha256}  Sample – Policy`,
    ]);
  });

  it('says the Welsh is unchanged, and adds its hash to an unchanged version', async () => {
    // Prepare
    const store = await welshStore();
    const v1 = await store.getLatestPolicyVersion('sample');
    const same = { 'p.md': aPolicySource(), 'p.cy.md': aWelshPolicySource() };
    const english = { ...same, 'p.md': aPolicySource('Para one, changed.\n\n## Heading\n\n1. Step\n') };

    // Act
    const unchanged = await cliFiles(['policy', 'publish', 'p.md', '--dry-run'], store, same);
    const englishOnly = await cliFiles(['policy', 'publish', 'p.md', '--dry-run'], store, english);

    // Assess
    expect(unchanged.out.slice(0, 2)).toEqual([
      `sample: unchanged, version 1 is this text (sha256 ${v1?.sha256})`,
      `sample: with its Welsh (cy) translation (sha256 ${v1?.translations?.cy?.sha256})`,
    ]);
    expect(englishOnly.out).toContain('    Para one{+, changed+}.');
    expect(englishOnly.out).toContain('the Welsh (cy) translation is unchanged');
  });

  it('says a publish without --yes’s question drops the Welsh, on a dry run, a terminal and in a script', async () => {
    // Prepare: the Welsh file is not beside the English any more
    const files = { 'p.md': aPolicySource() };
    const dropped =
      "sample: version 2 has no Welsh translation, dropping version 1's: starters whose locale is Welsh read it in English" +
      " (to keep one, publish with its .cy.md file beside the policy's)";
    const { asked, confirm } = terminal(false);

    // Act
    const dry = await cliFiles(['policy', 'publish', 'p.md', '--dry-run'], await welshStore(), files);
    const onTerminal = await cliFiles(['policy', 'publish', 'p.md'], await welshStore(), files, { confirm });
    const store = await welshStore();
    const script = await cliFiles(['policy', 'publish', 'p.md', '--yes'], store, files);

    // Assess
    expect(dry.out).toContain(dropped);
    expect(asked).toEqual(["Publish version 2, dropping version 1's Welsh translation, and email 0 people?"]);
    expect(onTerminal.out).toContain(dropped);
    expect(script.code).toBe(0);
    expect(script.out).toEqual([expect.stringMatching(/^sample: published version 2 /), dropped]);
    expect((await store.getLatestPolicyVersion('sample'))?.translations).toBeUndefined();
  });
});

describe('attest policy with an unknown policy id', () => {
  it('lists the known policies, each with its newest version, exits 1 and changes nothing', async () => {
    // Prepare
    const store = await welshStore();

    // Act
    const { code, out, err } = await cli(['policy', 'versions', 'sampel'], store, '', {
      knownPolicies: ['sample'],
      defaultPolicies: ['code-of-conduct'],
    });

    // Assess
    expect([code, out, store.writes]).toEqual([1, [], []]);
    expect(err).toEqual([
      'attest: no published versions of sampel. Known policies: code-of-conduct (not yet published), sample (version 1).',
    ]);
  });

  it('tells publish and preview given an id rather than a file to give the file, exit 2', async () => {
    // Prepare
    const store = await welshStore();
    const files = { 'p.md': aPolicySource() };

    // Act
    const publish = await cliFiles(['policy', 'publish', 'sample'], store, files, {
      knownPolicies: ['sample'],
    });
    const preview = await cliFiles(['policy', 'preview', 'nosuch', '--as-version', '2'], store, files, {
      knownPolicies: ['sample'],
    });

    const offline = new FakeStore();
    offline.getLatestPolicyVersion = async () => {
      throw new Error('unreachable');
    };
    const unreachable = await cliFiles(['policy', 'preview', 'sample', '--as-version', '2'], offline, files, {
      knownPolicies: ['sample'],
    });

    // Assess
    expect([publish.code, publish.out, store.writes]).toEqual([2, [], []]);
    expect(publish.err).toEqual([
      "attest: sample is not a file: give the policy's file, e.g. templates/policies/sample.md, and its translations beside it come with it." +
        ' Known policies: sample (version 1)\nTry `attest policy publish --help`.',
    ]);
    expect(preview.code).toBe(2);
    expect(unreachable.code).toBe(2);
    expect(unreachable.err[0]).toContain('Known policies: sample\nTry');
    expect(preview.err[0]).toMatch(
      /^attest: nosuch is not a file: .* Known policies: sample \(version 1\)\nTry `attest policy preview --help`\.$/,
    );
  });
});

describe('diffText', () => {
  it('marks removed and added words, and shows key points a line each, leaving out what is unchanged', () => {
    // Act
    const lines = diffText([
      { field: 'title', changed: false, parts: [{ change: 'same', text: 'T' }] },
      {
        field: 'statement',
        changed: true,
        parts: [
          { change: 'same', text: 'I ' },
          { change: 'removed', text: 'agree' },
          { change: 'added', text: 'accept' },
        ],
      },
      {
        field: 'keyPoints',
        changed: true,
        parts: [
          { change: 'same', text: 'Kept' },
          { change: 'added', text: 'New' },
        ],
      },
    ]);

    // Assess
    expect(lines).toEqual([
      '  statement:',
      '    I [-agree-]{+accept+}',
      '  keyPoints:',
      '      Kept',
      '    + New',
    ]);
  });

  it("shows only the body's changed paragraphs, numbered, with the unchanged ones counted between", () => {
    // Prepare: one word changed in the third of five paragraphs, the fifth removed, a new one added first
    const older = { ...parsePolicy(aPolicySource()), version: 1, publishedAt: NOW };
    const body = ['One.', 'Two.', 'Three words here.', 'Four.', 'Five.'];
    const newer = { ...older, version: 2 };

    // Act
    const lines = diffText(
      policyDiff(
        { ...older, body: body.join('\n\n') },
        { ...newer, body: ['Zero.', 'One.', 'Two.', 'Three new words here.', 'Four.'].join('\n\n') },
      ),
    );

    // Assess
    expect(lines).toEqual([
      '  body:',
      '    (paragraph 1)',
      '    {+Zero.+}',
      '    … 2 unchanged paragraphs …',
      '    (paragraph 4)',
      '    Three {+new +}words here.',
      '    … 1 unchanged paragraph …',
      '    (removed after paragraph 5)',
      '    [-Five.-]',
    ]);
  });
});

describe('attest policy preview', () => {
  /** A fresh directory for one test's files. */
  const outDir = () => mkdtempSync(join(tmpdir(), 'attest-preview-'));

  it('writes the page and both invites as they render for the next version, publishing nothing', async () => {
    // Prepare
    const store = await publishedStore();
    const out = outDir();

    // Act
    const {
      code,
      out: lines,
      err,
    } = await cli(['policy', 'preview', 'p.md', '--out', out], store, V2, {
      chromiumPath: join(out, 'no-chromium'),
      organisationName: 'Wirral Council',
      tokenTtlMs: 2 * 86_400_000,
    });

    // Assess
    expect(code).toBe(0);
    expect(lines).toEqual(['page', 'invite', 'invite-reacknowledge'].map((n) => join(out, `${n}.html`)));
    expect(err).toEqual([
      `attest: no screenshots: no Chromium at ${join(out, 'no-chromium')} (set CHROMIUM_PATH)`,
    ]);
    expect(store.writes).toEqual([]);
    const page = readFileSync(join(out, 'page.html'), 'utf8');
    const policy = { ...parsePolicy(V2), version: 2, publishedAt: NOW };
    expect(page).toBe(renderAckPage({ policy, formAction: '/ack/preview', shown: 'preview' }));
    expect(page).toContain('What changed in version 2');
    const invite = readFileSync(join(out, 'invite.html'), 'utf8');
    expect(invite).toContain('Hello Sam,');
    expect(invite).toContain('Wirral Council');
    expect(invite).toContain('works until 28 November 2026.');
    expect(invite).not.toContain('What changed');
    const reack = readFileSync(join(out, 'invite-reacknowledge.html'), 'utf8');
    expect(reack).toContain('<li>Paragraph one now says changed.</li>');
    expect(reack).toContain('(version 2)');
  });

  it('writes the Welsh page and invites beside the English when the policy has a Welsh translation', async () => {
    // Prepare
    const out = outDir();
    const files = { 'p.md': aPolicySource(), 'p.cy.md': aWelshPolicySource() };

    // Act
    const { code, out: lines } = await cliFiles(
      ['policy', 'preview', 'p.md', '--out', out, '--as-version', '2'],
      new FakeStore(),
      files,
      { chromiumPath: join(out, 'no-chromium') },
    );

    // Assess
    expect(code).toBe(0);
    expect(lines).toEqual(
      ['page', 'invite', 'invite-reacknowledge', 'page.cy', 'invite.cy', 'invite-reacknowledge.cy'].map((n) =>
        join(out, `${n}.html`),
      ),
    );
    const english = readFileSync(join(out, 'page.html'), 'utf8');
    const page = readFileSync(join(out, 'page.cy.html'), 'utf8');
    expect(english).toContain('<html lang="en-GB"');
    expect(english).not.toContain('Enghraifft');
    expect(page).toContain('<html lang="cy"');
    expect(page).toContain('Enghraifft – Polisi');
    expect(page).toContain('Paragraff un.');
    const invite = readFileSync(join(out, 'invite.cy.html'), 'utf8');
    expect(invite).toContain('lang="cy"');
    expect(invite).toContain('Un pwynt');
    expect(invite).toContain('Rhagfyr 2026');
  });

  it('refuses a translation’s own file, pointing to the help of the command called', async () => {
    // Act
    const publish = await cli(
      ['policy', 'publish', 'templates/policies/p.cy.md', '--dry-run'],
      new FakeStore(),
      V2,
    );

    // Assess
    expect(publish.code).toBe(2);
    expect(publish.err[0]).toMatch(
      /^attest: templates\/policies\/p\.cy\.md is a translation: publish its policy's own file, p\.md/,
    );
    expect(publish.err[0]).toMatch(/\nTry `attest policy publish --help`\.$/);
  });

  it('numbers the preview --as-version says without reading the table, and refuses a bad number', async () => {
    // Prepare: a table that cannot be reached
    const store = new FakeStore();
    store.getLatestPolicyVersion = async () => {
      throw new Error('unreachable');
    };
    const out = outDir();
    const more = { chromiumPath: join(out, 'no-chromium') };

    // Act
    const good = await cli(['policy', 'preview', 'p.md', '--out', out, '--as-version', '7'], store, V2, more);
    const bad = await cli(['policy', 'preview', 'p.md', '--out', out, '--as-version', '0'], store, V2, more);

    // Assess
    expect(good.code).toBe(0);
    expect(readFileSync(join(out, 'page.html'), 'utf8')).toContain('What changed in version 7');
    expect(bad.code).toBe(2);
    expect(bad.err[0]).toBe(
      'attest: --as-version needs a version number such as 2, not 0\nTry `attest policy preview --help`.',
    );
  });

  it.runIf(existsSync(CHROMIUM))(
    'takes a PNG screenshot of each with Chromium',
    { timeout: 60_000 },
    async () => {
      // Prepare
      const out = outDir();

      // Act
      const {
        code,
        out: lines,
        err,
      } = await cli(['policy', 'preview', 'p.md', '--out', out], new FakeStore(), V2, {
        chromiumPath: CHROMIUM,
      });

      // Assess
      expect([code, err]).toEqual([0, []]);
      for (const name of ['page', 'invite', 'invite-reacknowledge']) {
        const path = join(out, `${name}.png`);
        expect(lines).toContain(path);
        // The PNG signature: a picture was drawn, not an empty file.
        expect(readFileSync(path).subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
      }
    },
  );
});

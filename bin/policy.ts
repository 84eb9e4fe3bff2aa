// `attest policy`: publishing a policy file's text as its next version (optionally asking earlier signers again; shown first on a dry run or a terminal), previewing it, and listing the versions.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import {
  type DiffPart,
  type FieldDiff,
  policyDiff,
  type TranslationDiff,
  translationDiffs,
} from '#shared/core/console/policy-diff.ts';
import { formatDate, formatDay } from '#shared/core/dates.ts';
import { NotFoundError } from '#shared/core/errors.ts';
import {
  DEFAULT_LANGUAGE,
  htmlLang,
  languageName,
  shownIn,
  TRANSLATION_LANGUAGES,
} from '#shared/core/language.ts';
import { DEFAULT_TOKEN_TTL_MS } from '#shared/core/link-keys.ts';
import type { PolicyText, PolicyVersion } from '#shared/core/model.ts';
import { parsePolicy, parsePolicyTranslation, policyFileName, withTranslation } from '#shared/core/policy.ts';
import { makeListPolicyVersions, makePublishPolicy, type PublishPlan } from '#shared/core/publish.ts';
import type { Logger } from '#shared/ports.ts';
import { cliDispatch, oneOf, readTextFile, type Shell, UsageError } from './cli.ts';

/** The publisher's log lines are for the functions' logs; here its outcome is the answer. */
const quietLogger: Pick<Logger, 'info' | 'warn'> = { info() {}, warn() {} };

/**
 * A policy file with the translations beside it (`NAME.md` and `NAME.cy.md`): one version's text
 * in each language. A translation's own file is refused: it is published with its policy's.
 */
export function readPolicyFiles(
  file: string,
  readFile: (path: string) => string,
  exists: (path: string) => boolean = existsSync,
): PolicyText {
  const name = policyFileName(basename(file));
  if (name && name.language !== DEFAULT_LANGUAGE) {
    throw new UsageError(
      `${file} is a translation: publish its policy's own file, ${name.policyId}.md, and the translations beside it come with it`,
    );
  }
  let text = parsePolicy(readFile(file));
  const stem = join(dirname(file), basename(file).replace(/\.md$/i, ''));
  for (const language of TRANSLATION_LANGUAGES) {
    const path = `${stem}.${language}.md`;
    if (exists(path))
      text = withTranslation(text, language, parsePolicyTranslation(readFile(path), text, language));
  }
  return text;
}

export function addPolicyCommands(program: Command, shell: Shell): void {
  const { deps, io, clock } = shell;
  // A test's readFile answers for any path: the translations it has are those fileExists says.
  const readFiles = (file: string) =>
    deps.readFile
      ? readPolicyFiles(file, deps.readFile, deps.fileExists ?? (() => false))
      : readPolicyFiles(file, readTextFile, deps.fileExists ?? existsSync);
  /**
   * The policies attest knows (those this build carries, and DEFAULT_POLICIES), each with its
   * newest version or "not yet published": what an unknown id is told to choose from.
   */
  const knownPolicies = async () => {
    const bundled = deps.knownPolicies ?? [
      ...(await import('#templates/policies.ts')).bundledPolicies.keys(),
    ];
    const ids = [...new Set([...bundled, ...(deps.defaultPolicies ?? [])])].sort();
    // A table out of reach (a preview needs none) leaves the names, without their versions.
    const latest = await Promise.all(
      ids.map((id) => deps.store.getLatestPolicyVersion(id).catch(() => null)),
    );
    return ids
      .map((id, i) => {
        const newest = latest[i];
        if (newest === null) return id;
        return `${id} (${newest ? `version ${newest.version}` : 'not yet published'})`;
      })
      .join(', ');
  };
  /** The file's text; a word that is no file but reads as a policy's id is a usage mistake, told the files. */
  const readText = async (file: string, command: Command) => {
    const exists = deps.fileExists ?? (deps.readFile ? () => true : existsSync);
    if (!exists(file) && POLICY_ID.test(file)) {
      throw new UsageError(
        `${file} is not a file: give the policy's file, e.g. templates/policies/${file}.md, and its translations beside it come with it. Known policies: ${await knownPolicies()}`,
        command,
      );
    }
    return readFiles(file);
  };
  const publisher = () => {
    // The invites a re-acknowledgement owes go to the mail queue as they are made, when it is reachable.
    const dispatch = cliDispatch(shell, 'mail');
    return makePublishPolicy({
      store: deps.store,
      clock,
      logger: quietLogger,
      ...(dispatch && { dispatch }),
    });
  };
  const policy = program
    .command('policy')
    .description('Publish a policy file as its next version, or preview it; list the versions.');

  policy
    .command('publish')
    .summary("Publish the policy file's text as its next version.")
    .description(
      "Publish the policy file's text as its next version; unchanged text publishes nothing. " +
        'The emails --reacknowledge asks for go to the mail queue as they are owed (MAIL_QUEUE_URL ' +
        'with TABLE_NAME, or the local stack’s); without it the sweeper sends them. On a terminal, ' +
        'what would change and how many would be emailed is shown first, and publishing waits for ' +
        'a yes (--yes answers it; in a script or a pipe nothing is asked).',
    )
    .argument(
      '<file.md>',
      'the policy file, e.g. templates/policies/safe-internet-use.md; its translations beside it (safe-internet-use.cy.md) are published with it',
    )
    .option(
      '--reacknowledge',
      'ask everyone who signed an earlier version to sign this one, and everyone still asked ' +
        'for an earlier version to sign this one instead (safe to run again: nobody is asked twice)',
    )
    .option(
      '--dry-run',
      'show the difference from the newest version and who would be emailed; write nothing',
    )
    .option('--yes', 'publish without asking first on a terminal')
    .action(async (file: string, options: PublishOptions, command: Command) => {
      const text = await readText(file, command);
      const { planPublish, publish, reacknowledge: askAgain } = publisher();
      const reacknowledge = Boolean(options.reacknowledge);
      if (options.dryRun) {
        // Counted with --reacknowledge whether given or not: what it would add is worth knowing.
        const plan = await planPublish(text, true);
        for (const line of planText(plan, reacknowledge)) io.out(line);
        io.out('dry run: nothing was written');
        return;
      }
      if (deps.confirm && !options.yes) {
        const plan = await planPublish(text, reacknowledge);
        if (plan.created || plan.emailed) {
          for (const line of planText(plan, reacknowledge)) io.out(line);
          const people = plan.emailed === 1 ? '1 person' : `${plan.emailed} people`;
          const dropping = plan.latest ? droppedTranslations(plan.latest, plan.policy) : [];
          const without = dropping.length
            ? `, dropping version ${plan.latest?.version}'s ${oneOf(dropping.map(languageName))} translation,`
            : '';
          const question = plan.created
            ? `Publish version ${plan.policy.version}${without} and email ${people}?`
            : `Email ${people} about version ${plan.policy.version}?`;
          if (!(await deps.confirm(question))) {
            io.err('attest: nothing published, nobody asked');
            shell.failed();
            return;
          }
        }
      }
      const { policy, created, previous } = await publish(text);
      io.out(
        created
          ? `${policy.policyId}: published version ${policy.version} (sha256 ${policy.sha256})`
          : `${policy.policyId}: unchanged, version ${policy.version} is this text (sha256 ${policy.sha256})`,
      );
      // Each translation published with it: its own text, its own hash.
      for (const line of translationHashes(policy)) io.out(line);
      // Said whether asked first or not (--yes, a script): a translation left behind is not dropped in silence.
      for (const language of previous ? droppedTranslations(previous, policy) : []) {
        io.out(droppedText(policy, language, previous?.version ?? 0));
      }
      if (!reacknowledge) return;
      const outcome = await askAgain(policy);
      io.out(
        `${policy.policyId}: asked ${outcome.asked} who signed an earlier version to sign version ${policy.version}` +
          ` (${outcome.alreadyAsked} asked before, ${outcome.skipped} left or gone); ${sentText(outcome.enqueued, outcome.asked + outcome.moved)}`,
      );
      io.out(
        `${policy.policyId}: asked ${outcome.moved} who had not yet signed an earlier version to sign version ${policy.version}` +
          ` instead (${outcome.alreadyMoved} asked before); their earlier links now say so`,
      );
    });

  policy
    .command('preview')
    .description(
      "Render the signing page and the invites (a new starter's and a re-acknowledgement) of the " +
        'policy file as publishing would number it, to HTML files for review, and PNG screenshots ' +
        'when Chromium is present: in English, and in each translation beside the file as a starter ' +
        'with its locale reads them (page.cy.html…). Publishes nothing.',
    )
    .argument(
      '<file.md>',
      'the policy file, e.g. templates/policies/safe-internet-use.md; its translations beside it (safe-internet-use.cy.md) are previewed with it',
    )
    .option('--out <dir>', 'the directory to write to', 'policy-preview')
    .option('--as-version <n>', 'number the preview n rather than reading the table (no stack needed)')
    .action(async (file: string, options: { out: string; asVersion?: string }, command: Command) => {
      if (options.asVersion !== undefined && !/^[1-9]\d{0,5}$/.test(options.asVersion))
        throw new UsageError(
          `--as-version needs a version number such as 2, not ${options.asVersion}`,
          command,
        );
      const text = await readText(file, command);
      const policy: PolicyVersion = options.asVersion
        ? { ...text, version: Number(options.asVersion), publishedAt: clock.now().toISOString() }
        : (await publisher().planPublish(text, false)).policy;
      const pages = await previewPages(policy, {
        organisationName: deps.organisationName ?? 'Your organisation',
        expiresAt: new Date(clock.now().getTime() + (deps.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS)),
      });
      mkdirSync(options.out, { recursive: true });
      for (const [name, html] of Object.entries(pages)) {
        const path = join(options.out, `${name}.html`);
        writeFileSync(path, html);
        io.out(path);
      }
      const shots = await screenshots(pages, options.out, deps.chromiumPath ?? CHROMIUM);
      if (typeof shots === 'string') io.err(`attest: no screenshots: ${shots}`);
      else for (const path of shots) io.out(path);
    });

  policy
    .command('versions')
    .description("List the published versions with their sha256 (and each translation's, e.g. cy sha256 …).")
    .argument('<policy-id>', 'a policy id, e.g. safe-internet-use')
    .action(async (policyId: string) => {
      let versions: PolicyVersion[];
      try {
        versions = await makeListPolicyVersions({ store: deps.store })(policyId);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        io.err(`attest: no published versions of ${policyId}. Known policies: ${await knownPolicies()}.`);
        shell.failed();
        return;
      }
      for (const p of versions) {
        // Each translation's hash after the English one: a version that changed only its Welsh differs there.
        const translated = Object.entries(p.translations ?? {}).map(([l, t]) => `  ${l} sha256 ${t?.sha256}`);
        io.out(
          `${p.policyId} v${p.version}  ${p.publishedAt}  sha256 ${p.sha256}${translated.join('')}  ${p.title}`,
        );
      }
    });
}

/** `policy publish`'s options. */
type PublishOptions = { reacknowledge?: boolean; dryRun?: boolean; yes?: boolean };

/** A word that reads as a policy's id (`safe-internet-use`), not a file's path. */
const POLICY_ID = /^[a-z0-9][a-z0-9-]*$/i;

/**
 * Where a re-acknowledgement's emails went: `enqueued` of the `owed` invites sent to the mail queue
 * at once (undefined: no queue here), the rest left for the sweeper.
 */
export function sentText(enqueued: number | undefined, owed: number): string {
  if (enqueued === undefined) return 'the sweeper sends the emails on its next run';
  const rest = owed - enqueued;
  return `${enqueued} emails queued now${rest > 0 ? `, the sweeper sends the rest (${rest}) on its next run` : ''}`;
}

/**
 * What publishing would do, for a person to read before it does: the version, the difference
 * from the newest version, the file's `changes:`, and who would be emailed. `plan` was counted
 * with --reacknowledge; `reacknowledge` says whether it was given.
 */
export function planText(plan: PublishPlan, reacknowledge: boolean): string[] {
  const { policy, latest, count } = plan;
  const id = policy.policyId;
  const lines = !plan.created
    ? [
        `${id}: unchanged, version ${policy.version} is this text (sha256 ${policy.sha256})`,
        ...translationHashes(policy),
      ]
    : latest
      ? [
          `${id}: would publish version ${policy.version} (sha256 ${policy.sha256})`,
          ...translationHashes(policy),
          `changes from version ${latest.version} ([-removed-] {+added+}):`,
          ...orUnchanged(diffText(policyDiff(latest, policy)), '  (the English text is unchanged)'),
          ...translationDiffs(latest, policy).flatMap((t) => translationText(t, policy, latest.version)),
        ]
      : [`${id}: would publish version 1, its first (sha256 ${policy.sha256})`, ...translationHashes(policy)];
  if (plan.created && policy.changes?.length) {
    lines.push(`what changed, as the page and the re-acknowledgement email say:`);
    lines.push(...policy.changes.map((c) => `  * ${c}`));
  }
  if (!count) return lines;
  const emailed = count.asked + count.moved - count.stillBounced;
  const who =
    `${count.asked} who signed an earlier version, asked again; ` +
    `${count.moved - count.stillBounced} who had not yet signed, asked for version ${policy.version} instead` +
    ` (not emailed: ${count.stillBounced} whose address bounced, ${count.skipped} left or gone;` +
    ` asked before: ${count.alreadyAsked + count.alreadyMoved})`;
  lines.push(
    reacknowledge
      ? `would email ${emailed}: ${who}`
      : `would email 0 (with --reacknowledge: ${emailed}, ${who})`,
  );
  return lines;
}

/** Each translation of `policy` with its own hash: the hashes a version's text is known by. */
function translationHashes(policy: PolicyVersion): string[] {
  return Object.entries(policy.translations ?? {}).map(
    ([language, t]) =>
      `${policy.policyId}: with its ${languageName(language)} (${language}) translation (sha256 ${t?.sha256})`,
  );
}

/** The languages `older` was translated into that `newer` is not. */
export function droppedTranslations(
  older: PolicyVersion,
  newer: Pick<PolicyVersion, 'translations'>,
): string[] {
  return Object.keys(older.translations ?? {}).filter(
    (language) => older.translations?.[language] && !newer.translations?.[language],
  );
}

function droppedText(policy: PolicyVersion, language: string, from: number): string {
  const name = languageName(language);
  return (
    `${policy.policyId}: version ${policy.version} has no ${name} translation, dropping version ${from}'s: ` +
    `starters whose locale is ${name} read it in English (to keep one, publish with its .${language}.md file beside the policy's)`
  );
}

const orUnchanged = (lines: string[], none: string) => (lines.length ? lines : [none]);

/** One translation's part of a dry run: its own heading, and its difference when it changed. */
function translationText(t: TranslationDiff, policy: PolicyVersion, from: number): string[] {
  const name = `${languageName(t.language)} (${t.language})`;
  switch (t.change) {
    case 'same':
      return [`the ${name} translation is unchanged`];
    case 'added':
      return [
        `adds a ${name} translation: starters whose locale is ${languageName(t.language)} will read it`,
      ];
    case 'removed':
      return [droppedText(policy, t.language, from)];
    case 'changed':
      return [
        `changes to the ${name} translation from version ${from} (was sha256 ${t.olderSha256}):`,
        ...orUnchanged(diffText(t.diff), '  (no word changed: only spacing or markup)'),
      ];
  }
}

/**
 * The changed fields of a diff as plain text for a terminal, marked as `git diff --word-diff`
 * marks words: `[-removed-]` and `{+added+}`; key points and changes a line each, `-`, `+` or unchanged.
 */
export function diffText(fields: FieldDiff[]): string[] {
  const lines: string[] = [];
  for (const field of fields) {
    if (!field.changed) continue;
    if (field.field === 'keyPoints' || field.field === 'changes') {
      lines.push(`  ${field.field}:`);
      for (const part of field.parts) {
        lines.push(
          `    ${part.change === 'added' ? '+' : part.change === 'removed' ? '-' : ' '} ${part.text}`,
        );
      }
      continue;
    }
    if (field.field === 'body') {
      lines.push(`  ${field.field}:`, ...bodyText(field.parts));
      continue;
    }
    lines.push(`  ${field.field}:`, ...indented(marked(field.parts)));
  }
  return lines;
}

/** Parts as one text, removed and added words marked. */
function marked(parts: DiffPart[]): string {
  return parts
    .map((part) =>
      part.change === 'added'
        ? `{+${part.text}+}`
        : part.change === 'removed'
          ? `[-${part.text}-]`
          : part.text,
    )
    .join('');
}

const indented = (text: string) => text.split('\n').map((line) => (line ? `    ${line}` : ''));

/**
 * The body's changed paragraphs only, each numbered as the new text counts them (a removed one by
 * where it was), with a line saying how many unchanged paragraphs lie between: a one-word edit in
 * a long policy is a few lines to read, not the whole policy again.
 */
function bodyText(parts: DiffPart[]): string[] {
  // policyDiff puts a same-change `\n\n` between paragraphs; split the parts there.
  const paragraphs: DiffPart[][] = [[]];
  for (const part of parts) {
    if (part.change === 'same' && part.text === '\n\n') paragraphs.push([]);
    else paragraphs[paragraphs.length - 1]?.push(part);
  }
  const lines: string[] = [];
  let unchanged = 0;
  let number = 0;
  const flush = () => {
    if (unchanged)
      lines.push(
        `    … ${unchanged === 1 ? '1 unchanged paragraph' : `${unchanged} unchanged paragraphs`} …`,
      );
    unchanged = 0;
  };
  for (const paragraph of paragraphs) {
    if (!paragraph.length) continue;
    const removedWhole = paragraph.every((p) => p.change === 'removed');
    if (!removedWhole) number++;
    if (paragraph.every((p) => p.change === 'same')) {
      unchanged++;
      continue;
    }
    flush();
    const where = !removedWhole
      ? `paragraph ${number}`
      : number
        ? `removed after paragraph ${number}`
        : 'removed before paragraph 1';
    lines.push(`    (${where})`, ...indented(marked(paragraph)));
  }
  flush();
  return lines;
}

/** The sample starter a preview is addressed to: no real person's data goes into a preview. */
const SAMPLE = { givenName: 'Sam', startDate: '2026-12-01', timeZone: 'Europe/London' };

/**
 * The page and the invites as the ack and mailer functions render them for `policy`, addressed
 * to a sample starter, with links that lead nowhere, expiring at `expiresAt` (TOKEN_TTL from now):
 * in English (`page`, `invite`, `invite-reacknowledge`), and in each language the policy is
 * translated into as a starter with that locale reads them (`page.cy`, `invite.cy`…).
 */
export async function previewPages(
  policy: PolicyVersion,
  { organisationName, expiresAt }: { organisationName: string; expiresAt: Date },
) {
  // Loaded when asked for: the invite is compiled by npm run build:templates, which no other
  // command needs.
  const [{ renderAckPage }, { renderInvite }, { preparePolicyHtml }] = await Promise.all([
    import('#templates/ack-page.ts'),
    import('#templates/invite.ts'),
    import('#templates/policy-html.ts'),
  ]);
  const pages: Record<string, string> = {};
  const languages = [
    DEFAULT_LANGUAGE,
    ...TRANSLATION_LANGUAGES.filter((language) => policy.translations?.[language]),
  ];
  for (const language of languages) {
    // The text as a starter whose locale is `language` is shown it (mail.ts and acknowledge.ts do the same).
    const shown = shownIn(policy, language);
    // Dates as the mailer writes them in `language` (mail.ts dateLocale).
    const locale = htmlLang(language);
    await preparePolicyHtml(shown.body);
    const invite = {
      language,
      organisationName,
      givenName: SAMPLE.givenName,
      policyTitle: shown.title,
      policyVersion: policy.version,
      keyPoints: shown.keyPoints,
      ackUrl: 'https://attest.example/ack/preview',
      expiresOn: formatDate(expiresAt, SAMPLE.timeZone, locale),
      startDate: formatDay(SAMPLE.startDate, locale),
      ...(shown.changes && { changes: shown.changes }),
    };
    const suffix = language === DEFAULT_LANGUAGE ? '' : `.${language}`;
    pages[`page${suffix}`] = renderAckPage({ policy: shown, formAction: '/ack/preview', shown: 'preview' });
    pages[`invite${suffix}`] = renderInvite({ ...invite, reacknowledge: false }).html;
    pages[`invite-reacknowledge${suffix}`] = renderInvite({ ...invite, reacknowledge: true }).html;
  }
  return pages;
}

/** Where Chromium usually is (CHROMIUM_PATH overrides it, as for the browser tests). */
const CHROMIUM = '/usr/bin/chromium';

/**
 * Each page as `<name>.png` in `dir`, drawn by a headless Chromium, or why there are none:
 * playwright-core is a development dependency and Chromium a system package, and a preview's
 * HTML is useful without either.
 */
async function screenshots(pages: Record<string, string>, dir: string, chromiumPath: string) {
  if (!existsSync(chromiumPath)) return `no Chromium at ${chromiumPath} (set CHROMIUM_PATH)`;
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    return 'playwright-core is not installed (npm install playwright-core)';
  }
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const written: string[] = [];
    const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
    for (const [name, html] of Object.entries(pages)) {
      // Nothing to fetch: the page's one stylesheet is inline, and emails carry no images.
      await page.setContent(html, { waitUntil: 'load' });
      const path = join(dir, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      written.push(path);
    }
    return written;
  } finally {
    await browser.close();
  }
}

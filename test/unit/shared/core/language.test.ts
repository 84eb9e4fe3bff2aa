// The language a starter is shown, a policy's translations (parsed, published, hashed) and the language carried to evidence checks and the LMS.
import { describe, expect, it } from 'vitest';
import { completionPayload } from '#shared/core/destinations/webhook.ts';
import { completionStatement } from '#shared/core/destinations/xapi.ts';
import { integrity } from '#shared/core/evidence.ts';
import { languageFor, preferredLanguage, shownIn, versionText } from '#shared/core/language.ts';
import { lmsWebhookSchema } from '#shared/core/lms-payload.ts';
import { agreedTo } from '#shared/core/model.ts';
import {
  parsePolicy,
  parsePolicyFiles,
  parsePolicyTranslation,
  policyFileName,
  policySha256,
} from '#shared/core/policy.ts';
import { makePublishPolicy } from '#shared/core/publish.ts';
import { bundledPolicies } from '#templates/policies.ts';
import {
  anAssignment,
  aPolicy,
  aStarter,
  aWelshTranslation,
  FakeClock,
  FakeStore,
  silentLogger,
  XAPI_SETTINGS,
} from '../../../support/fakes.ts';

const english = `---
id: sample
title: Sample
effectiveDate: 2026-01-31
statement: I agree.
keyPoints:
  - One.
chase:
  reminderOffsets: P2D
---
Body.
`;
const welsh = (frontMatter = '') => `---
id: sample
title: Enghraifft
statement: Rwy’n cytuno.
keyPoints:
  - Un.
${frontMatter}---
Corff.
`;

describe('languageFor', () => {
  const translated = { translations: { cy: aWelshTranslation() } };

  it.each([
    ['cy-GB', translated, 'cy'],
    ['cy', translated, 'cy'],
    ['CY-gb', translated, 'cy'],
    ['en-GB', translated, 'en'],
    ['fr-FR', translated, 'en'],
    ['cy-GB', {}, 'en'],
    ['not a locale!', translated, 'en'],
    [undefined, translated, 'en'],
  ])('reads %s as %s for a policy with %o', (locale, policy, language) => {
    // Assess
    expect(languageFor(locale, policy)).toBe(language);
  });
});

describe('preferredLanguage', () => {
  it.each([
    ['cy-GB,cy;q=0.9,en;q=0.8', 'cy'],
    ['en-GB,cy;q=0.9', 'en'],
    ['fr;q=1,cy;q=0.5', 'cy'],
    ['cy;q=0,en;q=0.1', 'en'],
    ['', 'en'],
    [undefined, 'en'],
  ])('answers %s in %s', (header, language) => {
    // Assess
    expect(preferredLanguage(header)).toBe(language);
  });
});

describe('policy translations', () => {
  it('names files: NAME.md the policy, NAME.cy.md its Welsh text, and refuses a language attest does not speak', () => {
    // Assess
    expect(policyFileName('safe-internet-use.md')).toEqual({ policyId: 'safe-internet-use', language: 'en' });
    expect(policyFileName('safe-internet-use.cy.md')).toEqual({
      policyId: 'safe-internet-use',
      language: 'cy',
    });
    expect(policyFileName('audience.yaml')).toBeUndefined();
    expect(() => policyFileName('safe-internet-use.fr.md')).toThrow(/may be translated into cy/);
  });

  it('hashes a translation over its own text, and keeps the policy’s settings', () => {
    // Prepare
    const policy = parsePolicy(english);

    // Act
    const translation = parsePolicyTranslation(welsh('effectiveDate: 2026-01-31\n'), policy, 'cy');
    const shown = shownIn(
      { ...policy, version: 1, publishedAt: '', translations: { cy: translation } },
      'cy',
    );

    // Assess
    expect(translation.sha256).toBe(policySha256(translation));
    expect(translation.sha256).not.toBe(policy.sha256);
    expect(shown).toMatchObject({
      title: 'Enghraifft',
      body: 'Corff.\n',
      chase: { reminderOffsets: 'P2D' },
      language: 'cy',
    });
  });

  it.each([
    ['another id', welsh().replace('id: sample', 'id: other'), /cy: id/],
    ['a different chase', welsh('chase:\n  reminderOffsets: P9D\n'), /takes chase from sample\.md/],
    ['a different effective date', welsh('effectiveDate: 2027-01-01\n'), /takes effectiveDate/],
    ['a Moodle activity the policy lacks', welsh('moodle:\n  cmid: 7\n'), /takes moodle/],
    ['changes the policy lacks', welsh('changes:\n  - Newydd.\n'), /has no changes/],
    ['no statement', welsh().replace('statement: Rwy’n cytuno.\n', ''), /cy: statement/],
  ])('refuses a translation with %s, saying why', (_, source, why) => {
    // Act & Assess
    expect(() => parsePolicyTranslation(source, parsePolicy(english), 'cy')).toThrow(
      expect.objectContaining({ issues: expect.arrayContaining([expect.anything()]) }),
    );
    try {
      parsePolicyTranslation(source, parsePolicy(english), 'cy');
    } catch (error) {
      const issues = (error as { issues: Array<{ field: string; message: string }> }).issues;
      expect(issues.map((i) => `${i.field}: ${i.message}`).join('\n')).toMatch(why);
    }
  });

  it('takes NAME.cy.md as NAME’s translation, not a policy of its own, and refuses one without its policy', () => {
    // Act
    const policies = parsePolicyFiles({ 'sample.md': english, 'sample.cy.md': welsh() });

    // Assess
    expect([...policies.keys()]).toEqual(['sample']);
    expect(policies.get('sample')?.translations?.cy?.title).toBe('Enghraifft');
    expect(() => parsePolicyFiles({ 'sample.cy.md': welsh() })).toThrow(
      /translates sample\.md, which is not there/,
    );
  });

  it('bundles the Welsh Safe Internet Use beside the English, with its own sha256', () => {
    // Act
    const policy = bundledPolicies.get('safe-internet-use');

    // Assess
    expect(policy?.translations?.cy?.title).toBe('Defnyddio’r Rhyngrwyd yn Ddiogel – Canllawiau i Staff');
    expect(policy?.translations?.cy?.keyPoints).toHaveLength(policy?.keyPoints.length ?? 0);
    expect(policy?.translations?.cy?.sha256).toBe(policySha256(policy?.translations?.cy as never));
  });
});

describe('publishing with translations', () => {
  const publisher = (store: FakeStore) =>
    makePublishPolicy({ store, clock: new FakeClock('2026-11-24T10:00:00.000Z'), logger: silentLogger });

  it('publishes the policy and its translations as one version; a changed translation is the next', async () => {
    // Prepare
    const store = new FakeStore();
    const policy = parsePolicy(english);
    const withWelsh = { ...policy, translations: { cy: parsePolicyTranslation(welsh(), policy, 'cy') } };
    const changed = {
      ...policy,
      translations: { cy: parsePolicyTranslation(welsh().replace('Corff.', 'Corff newydd.'), policy, 'cy') },
    };

    // Act
    const first = await publisher(store).publish(withWelsh);
    const again = await publisher(store).publish(withWelsh);
    const second = await publisher(store).publish(changed);

    // Assess
    expect(first).toMatchObject({ created: true, policy: { version: 1 } });
    expect(first.policy.translations?.cy?.title).toBe('Enghraifft');
    expect(again).toMatchObject({ created: false, policy: { version: 1 } });
    expect(second).toMatchObject({ created: true, policy: { version: 2, sha256: policy.sha256 } });
    expect(versionText(second.policy)).not.toBe(versionText(first.policy));
  });
});

describe('evidence of a Welsh agreement', () => {
  const policy = aPolicy({ translations: { cy: aWelshTranslation() } });
  const evidence = {
    evidenceId: 'ev_1',
    acknowledgedAt: '2026-11-24T10:00:00.000Z',
    ...agreedTo(shownIn(policy, 'cy')),
    typedName: 'Siân Jones',
    method: 'link' as const,
    ipAddress: '203.0.113.7',
    userAgent: 'test',
    tokenId: 'AAAAAAAAAAA',
    messageId: null,
  };

  it('is checked against the Welsh text it names', () => {
    // Act
    const checked = integrity(policy, evidence);
    const asEnglish = integrity(policy, { ...evidence, locale: undefined });

    // Assess
    expect(evidence.locale).toBe('cy');
    expect(checked).toEqual({ recomputedSha256: aWelshTranslation().sha256, matches: true });
    expect(asEnglish.matches).toBe(false);
  });

  it('tells the LMS the language: the webhook’s data.locale, xAPI’s context.language', () => {
    // Prepare
    const starter = aStarter({ locale: 'cy-GB' });
    const assignment = anAssignment(starter, policy);

    // Act
    const body = completionPayload(assignment, starter, evidence, new Date('2026-11-24T10:00:01.000Z'));
    const statement = completionStatement(XAPI_SETTINGS, 'id', starter, evidence) as {
      context: { language: string };
      object: { definition: { name: Record<string, string> } };
    };
    const older = completionPayload(assignment, starter, { ...evidence, locale: undefined }, new Date());

    // Assess
    expect(lmsWebhookSchema.parse(body).data).toMatchObject({
      locale: 'cy',
      policy: { sha256: aWelshTranslation().sha256 },
    });
    expect(statement.context.language).toBe('cy');
    expect(Object.keys(statement.object.definition.name)).toEqual(['cy']);
    expect(older.data.locale).toBe('en');
  });
});

// A policy's versions compared: a paragraph edited shown word by word, one added or removed whole, key points item by item.
import { describe, expect, it } from 'vitest';
import { policyDiff, translationDiffs } from '#shared/core/console/policy-diff.ts';
import { policySha256 } from '#shared/core/policy.ts';
import { aPolicy, aWelshTranslation } from '../../../../support/fakes.ts';

const v1 = aPolicy({
  version: 1,
  effectiveDate: '2026-01-01',
  keyPoints: ['Lock your screen', 'Report phishing'],
  body: '# Safe internet use\n\nUse strong passwords.\n\nNever share them.',
});
const v2 = aPolicy({
  version: 2,
  effectiveDate: '2027-01-01',
  keyPoints: ['Lock your screen', 'Report phishing at once', 'Use a password manager'],
  body: '# Safe internet use\n\nUse long, strong passwords.\n\nNever share them.\n\nReport a lost device the same day.',
});

describe('policyDiff', () => {
  it('shows an edited paragraph word by word and an added one whole, keeping the rest as it was', () => {
    // Act
    const body = policyDiff(v1, v2).find((d) => d.field === 'body');

    // Assess
    expect(body?.changed).toBe(true);
    expect(body?.parts.filter((p) => p.change !== 'same')).toEqual([
      { change: 'added', text: 'long, ' },
      { change: 'added', text: 'Report a lost device the same day.' },
    ]);
    expect(body?.parts.map((p) => (p.change === 'removed' ? '' : p.text)).join('')).toBe(v2.body);
  });

  it('compares key points item by item and the effective date as text; an unchanged field says so', () => {
    // Act
    const diff = policyDiff(v1, v2);

    // Assess
    expect(diff.find((d) => d.field === 'keyPoints')?.parts).toEqual([
      { change: 'same', text: 'Lock your screen' },
      { change: 'removed', text: 'Report phishing' },
      { change: 'added', text: 'Report phishing at once' },
      { change: 'added', text: 'Use a password manager' },
    ]);
    expect(diff.find((d) => d.field === 'effectiveDate')?.changed).toBe(true);
    expect(diff.find((d) => d.field === 'title')).toMatchObject({ changed: false });
    expect(policyDiff(v1, v1).every((d) => !d.changed)).toBe(true);
  });

  it('shows a removed paragraph whole', () => {
    // Act
    const body = policyDiff(v2, v1).find((d) => d.field === 'body');

    // Assess
    expect(body?.parts).toContainEqual({ change: 'removed', text: 'Report a lost device the same day.' });
  });

  it('compares what changed item by item, and leaves it out when neither version says', () => {
    // Act
    const diff = policyDiff({ ...v1, changes: ['Old note'] }, { ...v2, changes: ['Old note', 'New note'] });

    // Assess
    expect(diff.find((d) => d.field === 'changes')).toEqual({
      field: 'changes',
      changed: true,
      parts: [
        { change: 'same', text: 'Old note' },
        { change: 'added', text: 'New note' },
      ],
    });
    expect(policyDiff(v1, v2).map((d) => d.field)).not.toContain('changes');
  });
});

describe('translationDiffs', () => {
  const welsh = aWelshTranslation();
  const edited = (() => {
    const { sha256: _, ...text } = { ...welsh, body: 'Paragraff un, newydd.\n\n## Pennawd\n\n1. Cam\n' };
    return { ...text, sha256: policySha256(text) };
  })();

  it('shows a change to a translation alone word by word, without the effective date it shares', () => {
    // Act
    const [cy] = translationDiffs(
      { ...v1, translations: { cy: welsh } },
      { ...v1, version: 2, effectiveDate: '2027-01-01', translations: { cy: edited } },
    );

    // Assess
    expect(cy).toMatchObject({
      language: 'cy',
      change: 'changed',
      olderSha256: welsh.sha256,
      newerSha256: edited.sha256,
    });
    expect(cy?.diff.map((d) => d.field)).not.toContain('effectiveDate');
    expect(cy?.diff.find((d) => d.field === 'body')?.parts).toContainEqual({
      change: 'added',
      text: ', newydd',
    });
    expect(cy?.diff.find((d) => d.field === 'title')?.changed).toBe(false);
  });

  it('says a translation is the same, added or removed, by its hash', () => {
    // Act
    const same = translationDiffs(
      { ...v1, translations: { cy: welsh } },
      { ...v2, translations: { cy: welsh } },
    );
    const added = translationDiffs(v1, { ...v2, translations: { cy: welsh } });
    const removed = translationDiffs({ ...v1, translations: { cy: welsh } }, v2);

    // Assess
    expect(same).toEqual([
      { language: 'cy', change: 'same', olderSha256: welsh.sha256, newerSha256: welsh.sha256, diff: [] },
    ]);
    expect(added).toEqual([{ language: 'cy', change: 'added', newerSha256: welsh.sha256, diff: [] }]);
    expect(removed).toEqual([{ language: 'cy', change: 'removed', olderSha256: welsh.sha256, diff: [] }]);
    expect(translationDiffs(v1, v2)).toEqual([]);
  });
});

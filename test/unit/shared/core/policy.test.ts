// Policy parsing, the canonical text and the sha256 that names a version.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/core/errors.ts';
import { canonicalPolicyText, parsePolicy, renderPolicyHtml } from '#shared/core/policy.ts';
import { hasUnseen } from '#shared/core/visible.ts';
import { aPolicySource } from '../../../support/fakes.ts';

const source = aPolicySource;

describe('parsePolicy', () => {
  it('reads the front matter and body and names the text by its sha256', () => {
    // Act
    const p = parsePolicy(source());

    // Assess
    expect(p).toMatchObject({
      policyId: 'sample',
      title: 'Sample – Policy',
      effectiveDate: '2026-01-31',
    });
    expect(p.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives the same sha256 to the same words whatever the line endings and trailing spaces', () => {
    // Act
    const a = parsePolicy(source('Para one.\n\n## Heading\n'));
    const b = parsePolicy(source('Para one.   \n\n\n\n## Heading\n').replace(/\n/g, '\r\n'));

    // Assess
    expect(b.sha256).toBe(a.sha256);
  });

  it('changes the sha256 when a word changes', () => {
    // Act
    const a = parsePolicy(source('You must not.\n'));
    const b = parsePolicy(source('You must.\n'));

    // Assess
    expect(b.sha256).not.toBe(a.sha256);
  });

  it('covers the title, body and statement in the canonical text', () => {
    // Act
    const text = canonicalPolicyText({ title: 'T', body: 'B', statement: 'I agree.' });

    // Assess
    expect(text).toBe('T\n\nB\n\nI agree.\n');
  });

  it('names a malformed field', () => {
    // Act
    let error: unknown;
    try {
      parsePolicy(source().replace('effectiveDate: 2026-01-31\n', 'effectiveDate: 31/01/2026\n'));
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.field)).toEqual(['effectiveDate']);
  });

  it('refuses a version number in the file: publishing gives the numbers', () => {
    // Act
    const attempt = () => parsePolicy(source().replace('title:', 'version: 2\ntitle:'));

    // Assess
    expect(attempt).toThrow(ValidationError);
    try {
      attempt();
    } catch (error) {
      expect((error as ValidationError).issues).toEqual([
        { field: 'version', message: expect.stringMatching(/publishing numbers the versions/) },
      ]);
    }
  });

  it('carries a policy’s own chase settings, outside the text its sha256 names', () => {
    // Act
    const plain = parsePolicy(source());
    const chased = parsePolicy(
      source().replace(
        'title:',
        'chase:\n  reminderOffsets: P2D,P5D\n  sendWindow: Mon-Fri 08:00-18:00\ntitle:',
      ),
    );

    // Assess
    expect(chased.chase).toEqual({ reminderOffsets: 'P2D,P5D', sendWindow: 'Mon-Fri 08:00-18:00' });
    expect(chased.sha256).toBe(plain.sha256);
  });

  it('refuses a malformed chase setting, naming it', () => {
    // Act
    let error: unknown;
    try {
      parsePolicy(source().replace('title:', 'chase:\n  sendWindow: weekdays\ntitle:'));
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.field)).toEqual(['chase.sendWindow']);
  });

  it('carries declinable: true, outside the text its sha256 names, and nothing when false or absent', () => {
    // Act
    const plain = parsePolicy(source());
    const declinable = parsePolicy(source().replace('title:', 'declinable: true\ntitle:'));
    const not = parsePolicy(source().replace('title:', 'declinable: false\ntitle:'));

    // Assess
    expect(declinable.declinable).toBe(true);
    expect(declinable.sha256).toBe(plain.sha256);
    expect(plain).not.toHaveProperty('declinable');
    expect(not).not.toHaveProperty('declinable');
  });

  it('refuses a declinable that is not true or false, naming the field', () => {
    // Act
    let error: unknown;
    try {
      parsePolicy(source().replace('title:', 'declinable: sometimes\ntitle:'));
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.field)).toEqual(['declinable']);
  });

  it('carries the Moodle activity a policy completes, outside the text its sha256 names', () => {
    // Act
    const plain = parsePolicy(source());
    const linked = parsePolicy(source().replace('title:', 'moodle: { cmid: 123 }\ntitle:'));

    // Assess
    expect(linked.moodle).toEqual({ cmid: 123 });
    expect(linked.sha256).toBe(plain.sha256);
    expect(plain).not.toHaveProperty('moodle');
  });

  it.each(['moodle: { cmid: 0 }', 'moodle: { cmid: abc }', 'moodle: { course: 2, cmid: 3 }'])(
    'refuses %s, naming the field',
    (line) => {
      // Act
      let error: unknown;
      try {
        parsePolicy(source().replace('title:', `${line}\ntitle:`));
      } catch (e) {
        error = e;
      }

      // Assess
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((i) => i.field)[0]).toMatch(/^moodle/);
    },
  );

  it('refuses a file without front matter', () => {
    // Assess
    expect(() => parsePolicy('just text')).toThrow(ValidationError);
  });
});

describe('renderPolicyHtml', () => {
  it('renders headings and numbered lists', () => {
    // Act
    const html = renderPolicyHtml('## Steps\n\n1. One\n2. Two\n');

    // Assess
    expect(html).toContain('<h2>Steps</h2>');
    expect(html).toMatch(/<ol>\s*<li>One<\/li>/);
  });

  it('shows raw HTML in a policy as text, never as markup', () => {
    // Assess
    fc.assert(
      fc.property(fc.string(), (s) => {
        const html = renderPolicyHtml(`<script>${s}</script>\n\n<img src=x onerror=alert(1)>`);
        expect(html).not.toMatch(/<script|<img/i);
      }),
      { numRuns: 200 },
    );
  });
});

describe('parsePolicy with changes', () => {
  const withChanges = (lines: string) => source().replace('keyPoints:\n', `changes:\n${lines}keyPoints:\n`);

  it('carries the changes and names them in the sha256, as the page shows them', () => {
    // Act
    const plain = parsePolicy(source());
    const changed = parsePolicy(withChanges('  - Reporting now goes to the DSL.\n'));

    // Assess
    expect(changed.changes).toEqual(['Reporting now goes to the DSL.']);
    expect(changed.sha256).not.toBe(plain.sha256);
    expect(plain).not.toHaveProperty('changes');
  });

  it('hashes a policy without changes as before, so published versions keep their sha256', () => {
    // Act
    const text = canonicalPolicyText({ title: 'T', body: 'B', statement: 'I agree.', changes: ['C'] });
    const without = canonicalPolicyText({ title: 'T', body: 'B', statement: 'I agree.' });

    // Assess
    expect(text).toBe('T\n\nWhat changed:\n- C\n\nB\n\nI agree.\n');
    expect(without).toBe('T\n\nB\n\nI agree.\n');
  });

  it.each([
    ['an empty list', 'changes: []\n', /at least 1|>=1/i],
    ['eleven items', `changes:\n${'  - x\n'.repeat(11)}`, /at most 10|<=10/i],
    ['an item of 201 characters', `changes:\n  - ${'a'.repeat(201)}\n`, /^At most 200 characters\.$/],
    ['a direction override', 'changes:\n  - "evil \\u202E txt"\n', /invisible/],
    ['a line break', 'changes:\n  - "one\\ntwo"\n', /invisible/],
    ['an empty item', 'changes:\n  - " "\n', /at least 1|>=1/i],
  ])('refuses %s, naming the field', (_, yaml, message) => {
    // Act
    let error: unknown;
    try {
      parsePolicy(source().replace('keyPoints:\n', `${yaml}keyPoints:\n`));
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    const issues = (error as ValidationError).issues;
    expect(issues.map((i) => i.field)).toEqual(['changes']);
    expect(issues[0]?.message).toMatch(message);
  });

  it('keeps only lines a person can see whole, or refuses the file, whatever the items hold', () => {
    // Assess: each item travels as a JSON string, which YAML reads as it is
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 240 }), { maxLength: 12 }), (items) => {
        let changes: string[] | undefined;
        try {
          changes = parsePolicy(withChanges(items.map((i) => `  - ${JSON.stringify(i)}\n`).join(''))).changes;
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          return;
        }
        expect(changes?.length).toBeGreaterThanOrEqual(1);
        expect(changes?.length).toBeLessThanOrEqual(10);
        for (const change of changes ?? []) {
          expect(hasUnseen(change)).toBe(false);
          expect([...change].length).toBeLessThanOrEqual(200);
          expect(change.trim()).toBe(change);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('accepts ten items of 200 characters, counting characters rather than UTF-16 units', () => {
    // Prepare: an emoji is two UTF-16 units but one character
    const item = `${'é'.repeat(198)}🙂!`;

    // Act
    const p = parsePolicy(withChanges(`  - "${item}"\n`.repeat(10)));

    // Assess
    expect(p.changes).toHaveLength(10);
    expect(p.changes?.[0]).toBe(item);
  });
});

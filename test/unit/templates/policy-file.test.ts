// The customer's policy as carried: their wording kept, the web page's debris gone.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getBundledPolicy } from '#templates/policies.ts';

const seed = readFileSync(
  new URL('../../../../shared/policies/safe-internet-use.seed.txt', import.meta.url),
  'utf8',
);
const policy = getBundledPolicy('safe-internet-use');

describe('the safe-internet-use policy', () => {
  it('is bundled with its title and statement, and no version number (publishing gives one)', () => {
    // Assess
    expect(policy).not.toHaveProperty('version');
    expect(policy).toMatchObject({
      policyId: 'safe-internet-use',
      title: 'Safe Internet Use – Guidance for Staff',
      statement: 'I understand and agree to adhere to the Policy on the Use of Social Networking Websites',
    });
  });

  it('has none of the scrape debris', () => {
    // Assess
    const body = policy?.body ?? '';
    expect(body).not.toContain('Translate');
    expect(body).not.toContain('\u00a0');
    expect(body).not.toMatch(/ {2,}/);
    expect(body).not.toContain('dismissal.I understand');
    expect(body).not.toContain(policy?.statement);
    expect(body.trimEnd().endsWith('may result in your dismissal.')).toBe(true);
    // A sentence pointing at a link the scrape lost ("… on the WSCB website here:") before a heading.
    expect(body).not.toMatch(/:\n+#/);
    expect(body).not.toContain('here:');
  });

  it('keeps every sentence of the customer’s wording', () => {
    // Prepare: the seed's prose, debris removed, as whitespace-normalised sentences
    const clean = seed
      .replace(/\u00a0/g, ' ')
      .replace('Translate »', '')
      .replace('dismissal.I', 'dismissal. I')
      // The link after "here:" was lost in the scrape: the sentence ends at the website's name.
      .replace('on the WSCB website here:', 'on the WSCB website.');
    const sentences = clean
      .split(/\n+/)
      .map((l) =>
        l
          .replace(/^\s*(\d+\.|•)\s*/, '')
          .replace(/\s+/g, ' ')
          .trim(),
      )
      .filter((l) => l.length > 0 && !l.startsWith('Safe Internet Use'));
    const shown = `${policy?.body}\n${policy?.statement}`.replace(/\s+/g, ' ');

    // Assess
    for (const sentence of sentences) {
      for (const part of sentence.split(/(?<=\.) (?=I understand)/)) expect(shown).toContain(part);
    }
  });

  it('keeps the structure: headings, the ten numbered steps, the should and must-not lists', () => {
    // Assess
    const body = policy?.body ?? '';
    expect(body).toContain('## Ten Steps to Minimise Professional Risk');
    expect(body).toContain('## Guidance for Acceptable Use');
    for (let n = 1; n <= 10; n++) expect(body).toMatch(new RegExp(`^${n}\\. `, 'm'));
    expect(body).toMatch(/All staff should:\n\n(- .+\n){4}/);
    expect(body).toMatch(/Staff must not\n\n(- .+\n?){2}/);
  });

  it('has key points for the invite', () => {
    // Assess
    expect(policy?.keyPoints.length).toBeGreaterThanOrEqual(3);
  });
});

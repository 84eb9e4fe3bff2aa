// The message catalogues and the Welsh emails and pages: every key in every language with the same placeholders, and a Welsh starter's mail said in Welsh.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '#shared/core/language.ts';
import { renderAckPage } from '#templates/ack-page.ts';
import { type Catalogue, catalogueProblems, compileCatalogues, placeholders } from '#templates/catalogue.ts';
import { renderInvite } from '#templates/invite.ts';
import { preparePolicyHtml } from '#templates/policy-html.ts';
import { renderReceipt } from '#templates/receipt.ts';
import { aPolicy, aWelshTranslation } from '../../support/fakes.ts';
import { emailProblems } from '../../support/html.ts';

const locales = new URL('../../../templates/locales/', import.meta.url);
const shipped: Record<string, Catalogue> = Object.fromEntries(
  readdirSync(locales).map((file) => [
    file.replace(/\.json$/, ''),
    JSON.parse(readFileSync(new URL(file, locales), 'utf8')) as Catalogue,
  ]),
);

describe('the message catalogues', () => {
  it('ship one per language attest speaks, English and Welsh', () => {
    // Assess
    expect(Object.keys(shipped).sort()).toEqual([...LANGUAGES].sort());
  });

  it('have every key in every language, with the same placeholders, and no markup', () => {
    // Act
    const problems = catalogueProblems(shipped);

    // Assess
    expect(problems).toEqual([]);
    for (const key of Object.keys(shipped.en as Catalogue)) {
      expect([...placeholders(shipped.cy?.[key] as string)].sort(), key).toEqual(
        [...placeholders(shipped.en?.[key] as string)].sort(),
      );
    }
  });

  it('name a missing key, an extra one, a changed placeholder and markup', () => {
    // Prepare
    const en = { a: 'Hello {name}', b: 'Bye', c: 'Sign by {date}' };
    const cy = { a: 'Helo {enw}', c: 'Llofnodwch <b>erbyn</b> {date}', d: 'Extra' };

    // Act
    const problems = catalogueProblems({ en, cy });

    // Assess
    expect(problems).toEqual(
      expect.arrayContaining([
        'cy: b is missing',
        'cy: d is not in en.json',
        'cy: a has placeholders {enw}, en has {name}',
        'cy: c holds < or &, which messages may not',
      ]),
    );
  });

  it('compile to one module per namespace, exported by its name, each language under the full keys', () => {
    // Prepare
    const en = {
      'page.submit': 'Sign',
      'page.meta': 'Version {version}',
      'email.greeting': 'Hello {givenName}',
    };
    const cy = {
      'page.submit': 'Llofnodi',
      'page.meta': 'Fersiwn {version}',
      'email.greeting': 'Helo {givenName}',
    };

    // Act
    const compiled = compileCatalogues({ cy, en }, '// banner\n');

    // Assess
    expect(Object.keys(compiled)).toEqual(['page', 'email']);
    const page = compiled.page as string;
    expect(page).toMatch(/^\/\/ @ts-nocheck\n\/\/ banner\n/);
    expect(page).toContain('export const page = {');
    expect(page).not.toContain('export default');
    expect(page).toContain('"page.meta": (d) => "Fersiwn " + d.version');
    expect(page).not.toContain('email.greeting');
    // The languages in LANGUAGES' order, whatever order the catalogues came in.
    expect(page.indexOf('en: {')).toBeLessThan(page.indexOf('cy: {'));
    expect(compileCatalogues({ en, cy }, '// banner\n')).toEqual(compiled);
  });

  it('refuse a key outside a namespace, as they refuse catalogues that disagree', () => {
    // Prepare
    const en = { submit: 'Sign', 'page.meta': 'Version {version}' };
    const cy = { submit: 'Llofnodi', 'page.meta': 'Fersiwn {version}' };

    // Act
    const compile = () => compileCatalogues({ en, cy }, '');

    // Assess
    expect(compile).toThrow(/en: submit is not namespace\.name/);
    expect(() => compileCatalogues({ en, cy: { 'page.meta': 'Fersiwn' } }, '')).toThrow(
      /cy: submit is missing/,
    );
  });

  it('reads placeholders inside plural cases', () => {
    // Assess
    expect([...placeholders('{days, plural, one {# day to {when}} other {# days}}')].sort()).toEqual([
      'days',
      'when',
    ]);
  });
});

const invite = {
  language: 'cy' as const,
  organisationName: 'Gwasanaethau Plant Cilgwri',
  givenName: 'Siân',
  policyTitle: 'Defnyddio’r Rhyngrwyd yn Ddiogel',
  policyVersion: 1,
  keyPoints: ['Rhowch wybod am unrhyw ddigwyddiad ar unwaith.'],
  ackUrl: 'https://attest.example.org/ack/k1.AAAA',
  expiresOn: '24 Rhagfyr 2026',
  startDate: '1 Rhagfyr 2026',
};

describe('a Welsh starter’s emails', () => {
  it('invite in Welsh: subject, both parts, and an email marked as Welsh', async () => {
    // Act
    const { subject, html, text } = renderInvite(invite);

    // Assess
    expect(subject).toBe('Darllenwch a llofnodwch: Defnyddio’r Rhyngrwyd yn Ddiogel');
    expect(html).toContain('lang="cy"');
    expect(html).toContain('Helo Siân,');
    expect(html).toContain('Darllen a llofnodi’r polisi');
    expect(html).toContain('ein polisi <strong>Defnyddio’r Rhyngrwyd yn Ddiogel</strong>');
    expect(text).toContain('Mae’r ddolen yn bersonol i chi ac mae’n gweithio tan 24 Rhagfyr 2026.');
    expect(text).not.toMatch(/Please|Hello|The link/);
    expect(await emailProblems(html)).toEqual([]);
  });

  it.each([
    [2, 'Mae gennych 2 ddiwrnod ar ôl'],
    [3, 'Mae gennych 3 diwrnod ar ôl'],
    [1, 'Mae gennych 1 diwrnod ar ôl'],
  ])('counts %i days left by Welsh plural rules', (daysLeft, said) => {
    // Act
    const { subject, text } = renderInvite({
      ...invite,
      reminder: { number: 1, last: false, daysLeft, dueOn: '1 Rhagfyr 2026' },
    });

    // Assess
    expect(subject).toBe('Nodyn atgoffa: llofnodwch Defnyddio’r Rhyngrwyd yn Ddiogel');
    expect(text).toContain(said);
  });

  it('asks again in Welsh for a new version, with what changed', () => {
    // Act
    const { subject, text } = renderInvite({ ...invite, reacknowledge: true, changes: ['Adran newydd.'] });

    // Assess
    expect(subject).toBe('Polisi wedi’i ddiweddaru i’w lofnodi: Defnyddio’r Rhyngrwyd yn Ddiogel');
    expect(text).toContain('Beth sydd wedi newid yn fersiwn 1:');
  });

  it('gives the receipt in Welsh', async () => {
    // Act
    const { subject, html, text } = renderReceipt({
      language: 'cy',
      organisationName: 'Gwasanaethau Plant Cilgwri',
      givenName: 'Siân',
      certificateFileName: 'agreement-safe-internet-use-v1.pdf',
      typedName: 'Siân Jones',
      policyTitle: 'Defnyddio’r Rhyngrwyd yn Ddiogel',
      policyVersion: 1,
      effectiveDate: '24 Tachwedd 2026',
      statement: 'Rwy’n cytuno.',
      acknowledgedAt: '26 Tachwedd 2026 am 09:14 (Europe/London)',
      acknowledgedAtUtc: '2026-11-26T09:14:03.123Z',
      evidenceId: 'ev_1',
      policySha256: 'a'.repeat(64),
    });

    // Assess
    expect(subject).toBe('Derbynneb: fe wnaethoch lofnodi Defnyddio’r Rhyngrwyd yn Ddiogel (fersiwn 1)');
    expect(html).toContain('lang="cy"');
    expect(text).toContain('Llofnodwyd fel: Siân Jones');
    expect(text).toContain('Pryd: 26 Tachwedd 2026 am 09:14 (Europe/London), wedi’i gofnodi fel');
    expect(await emailProblems(html)).toEqual([]);
  });

  it('shows the organisation’s name and no image when no logo is bundled', () => {
    // Act
    const { html } = renderInvite({ ...invite, publicBaseUrl: 'https://attest.example.org' });

    // Assess
    expect(html).toContain('Gwasanaethau Plant Cilgwri');
    expect(html).not.toContain('/assets/logo');
  });
});

describe('the Welsh signing page', () => {
  it('shows the Welsh text and form in a page marked as Welsh, under the organisation’s name', async () => {
    // Prepare: a text the build did not compile, so its HTML is made first, as the ack function does
    const welsh = aWelshTranslation();
    const policy = { ...aPolicy(), ...welsh, language: 'cy' as const };
    await preparePolicyHtml(policy.body);

    // Act
    const html = renderAckPage({
      policy,
      brand: { organisationName: 'Gwasanaethau Plant Cilgwri' },
      formAction: '/ack/x',
      shown: 'k1.1.cy.AAAAAAAAAAAAAAAAAAAAAA',
      errors: { name: 'form.nameTooLong' },
    });

    // Assess
    expect(html).toContain('<html lang="cy">');
    expect(html).toContain(`<h1>${welsh.title}</h1>`);
    expect(html).toContain('Eich enw llawn');
    expect(html).toContain('Rhaid i’ch enw fod yn 200 nod neu lai.');
    expect(html).toContain('<title>Gwall: ');
    expect(html).toContain('<header>\nGwasanaethau Plant Cilgwri\n</header>');
  });
});

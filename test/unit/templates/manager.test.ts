// The manager's emails: the digest and the bounce notice, every value in both parts, escaped, valid HTML, bad vars refused.
import { describe, expect, it } from 'vitest';
import { escapeHtml } from '#shared/core/html.ts';
import type { BounceNoticeContent, DigestContent } from '#shared/core/mail-content.ts';
import { renderBounceNotice, renderDigest } from '#templates/manager.ts';
import { emailProblems } from '../../support/html.ts';

const sian: DigestContent['people'][number] = {
  name: 'Siân Angharad Jones',
  email: 'sian.jones@example.org',
  policyTitle: 'Safe Internet Use – Guidance for Staff',
  policyVersion: 3,
  invitedOn: '26 November 2026',
  reminders: 2,
};
const tom: DigestContent['people'][number] = {
  name: 'Tom O’Neill',
  email: 'tom.oneill@example.org',
  policyTitle: 'Lone Working',
  policyVersion: 1,
  invitedOn: '27 November 2026',
  reminders: 3,
};
const digest: DigestContent = {
  organisationName: 'Wirral Children’s Services',
  managerName: 'Dawn Pritchard',
  people: [sian],
};
const bounce: BounceNoticeContent = {
  organisationName: 'Wirral Children’s Services',
  managerName: 'Dawn Pritchard',
  starterName: 'Siân Angharad Jones',
  email: 'sian.jones@example.org',
  policyTitle: 'Safe Internet Use – Guidance for Staff',
  reason: 'bounced',
};

const FOOTER =
  'You are receiving this because you are named as the manager of new staff at Wirral Children’s Services.';
const ASK = 'Please ask them to open the email from us and sign, or contact HR if anything here is wrong.';
const CHECK =
  'Please check the address with HR. HR can send us an updated address, and we will send a fresh link to it.';

const values = (people: DigestContent['people']) => people.flatMap((p) => Object.values(p).map(String));

describe('renderDigest', () => {
  it('counts one starter in the subject', () => {
    // Act
    const { subject } = renderDigest(digest);

    // Assess
    expect(subject).toBe('Not yet signed: 1 of your new starters');
  });

  it('counts several starters in the subject, each once however many policies they owe', () => {
    // Prepare
    const people = [sian, tom, { ...sian, policyTitle: 'Lone Working', policyVersion: 1 }];

    // Act
    const { subject, text } = renderDigest({ ...digest, people });

    // Assess
    expect(subject).toBe('Not yet signed: 2 of your new starters');
    expect(text).toContain('These new starters have not yet signed the policies below');
  });

  it('carries every value in the HTML part, in its sentences and list', () => {
    // Act
    const { html } = renderDigest({ ...digest, people: [sian, tom] });

    // Assess
    expect(html).toContain('lang="en-GB"');
    expect(html).toContain('Hello Dawn Pritchard,');
    expect(html).toContain(
      'These new starters have not yet signed the policies below, although we have sent reminders.',
    );
    expect(html).toMatch(
      /<li[^>]*><strong>Siân Angharad Jones<\/strong><br \/>sian\.jones@example\.org<br \/>Policy: <strong>Safe Internet Use – Guidance for Staff<\/strong> \(version 3\)<br \/>Invited on: 26 November 2026<br \/>Reminders sent: 2<\/li>/,
    );
    expect(html).toContain(`<strong>${escapeHtml('Tom O’Neill')}</strong>`);
    expect(html).toContain(ASK);
    expect(html).toContain(FOOTER);
    for (const value of [digest.organisationName, digest.managerName, ...values([sian, tom])]) {
      expect(html).toContain(escapeHtml(value));
    }
  });

  it('speaks of one starter and one policy when there is one', () => {
    // Act
    const { html, text } = renderDigest(digest);

    // Assess
    const intro = 'This new starter has not yet signed the policy below, although we have sent reminders.';
    expect(html).toContain(intro);
    expect(text).toContain(intro);
  });

  it('does not mention reminders when none were sent', () => {
    // Act
    const { text } = renderDigest({ ...digest, people: [{ ...sian, reminders: 0 }] });

    // Assess
    expect(text).toContain('This new starter has not yet signed the policy below.');
    expect(text).toContain('Reminders sent: 0');
  });

  it('has a plain-text part with every value and no markup', () => {
    // Act
    const { text } = renderDigest({ ...digest, people: [sian, tom] });

    // Assess
    expect(text).toContain('Hello Dawn Pritchard,');
    expect(text).toContain(
      [
        '  * Siân Angharad Jones',
        '    sian.jones@example.org',
        '    Policy: "Safe Internet Use – Guidance for Staff" (version 3)',
        '    Invited on: 26 November 2026',
        '    Reminders sent: 2',
      ].join('\n'),
    );
    expect(text).toContain(ASK);
    expect(text).toContain(FOOTER);
    for (const value of [digest.organisationName, digest.managerName, ...values([sian, tom])]) {
      expect(text).toContain(value);
    }
    expect(text).not.toMatch(/<[a-z/]/i);
  });

  it('has no links, images or external assets', () => {
    // Act
    const { html } = renderDigest(digest);

    // Assess
    expect(html).not.toMatch(/<a[\s>]|<img|<link|<script|src=|href=|url\(/i);
  });

  it('escapes hostile values in every slot', () => {
    // Act
    const { html } = renderDigest({
      organisationName: '"><img src=y>',
      managerName: '<script>alert(1)</script>',
      people: [
        {
          name: '<script>alert(2)</script>',
          email: '"><img src=x onerror=alert(3)>@example.org',
          policyTitle: '</li></ul><b>title</b>',
          policyVersion: 1,
          invitedOn: '<i>today</i> & "then"',
          reminders: 1,
        },
      ],
    });

    // Assess
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('<i>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(html).toContain('&lt;i&gt;today&lt;/i&gt; &amp; &quot;then&quot;');
    expect(html.match(/<\/li>/g)).toHaveLength(1);
    expect(html.match(/<\/ul>/g)).toHaveLength(1);
  });

  it.each([
    ['no people', { people: [] }],
    ['a person with an empty name', { people: [{ ...sian, name: '' }] }],
    ['version 0', { people: [{ ...sian, policyVersion: 0 }] }],
    ['a negative reminder count', { people: [{ ...sian, reminders: -1 }] }],
    ['a fractional reminder count', { people: [{ ...sian, reminders: 1.5 }] }],
    ['an empty manager name', { managerName: '' }],
  ])('refuses %s', (_, bad) => {
    // Assess
    expect(() => renderDigest({ ...digest, ...bad } as DigestContent)).toThrow();
  });

  it('produces HTML that validates, bar the rules email markup breaks by design', async () => {
    // Assess
    expect(await emailProblems(renderDigest({ ...digest, people: [sian, tom] }).html)).toEqual([]);
  });
});

describe('renderBounceNotice', () => {
  it('names the starter and the policy in the subject', () => {
    // Act
    const { subject } = renderBounceNotice(bounce);

    // Assess
    expect(subject).toBe('Could not reach Siân Angharad Jones about Safe Internet Use – Guidance for Staff');
  });

  it('carries every value in the HTML part, with the reason for a bounce', () => {
    // Act
    const { html } = renderBounceNotice(bounce);

    // Assess
    expect(html).toContain('lang="en-GB"');
    expect(html).toContain('Hello Dawn Pritchard,');
    expect(html).toContain(
      'We could not deliver the email asking <strong>Siân Angharad Jones</strong> to sign <strong>Safe Internet Use – Guidance for Staff</strong> to sian.jones@example.org: the address does not accept mail, so we have stopped sending to it.',
    );
    expect(html).toContain(CHECK);
    expect(html).toContain(FOOTER);
    for (const [key, value] of Object.entries(bounce)) {
      if (key !== 'reason') expect(html).toContain(escapeHtml(value));
    }
  });

  it('gives the reason for a complaint', () => {
    // Act
    const { html, text } = renderBounceNotice({ ...bounce, reason: 'complained' });

    // Assess
    expect(html).toContain(': the message was reported as unwanted, so we have stopped sending to it.');
    expect(text).toContain(': the message was reported as unwanted, so we have stopped sending to it.');
    expect(text).not.toContain('does not accept mail');
  });

  it('has a plain-text part with every value and no markup', () => {
    // Act
    const { text } = renderBounceNotice(bounce);

    // Assess
    expect(text).toContain('Hello Dawn Pritchard,');
    expect(text).toContain(
      'We could not deliver the email asking Siân Angharad Jones to sign "Safe Internet Use – Guidance for Staff" to sian.jones@example.org: the address does not accept mail, so we have stopped sending to it.',
    );
    expect(text).toContain(CHECK);
    expect(text).toContain(FOOTER);
    for (const [key, value] of Object.entries(bounce)) {
      if (key !== 'reason') expect(text).toContain(value);
    }
    expect(text).not.toMatch(/<[a-z/]/i);
  });

  it('has no links, images or external assets', () => {
    // Act
    const { html } = renderBounceNotice(bounce);

    // Assess
    expect(html).not.toMatch(/<a[\s>]|<img|<link|<script|src=|href=|url\(/i);
  });

  it('escapes hostile values in every slot', () => {
    // Act
    const { html } = renderBounceNotice({
      ...bounce,
      organisationName: '"><img src=y>',
      managerName: '<b>boss</b>',
      starterName: '<script>alert(1)</script>',
      email: '"><img src=x onerror=alert(2)>',
      policyTitle: '</p><i>title</i> & "more"',
    });

    // Assess
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('<i>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;/p&gt;&lt;i&gt;title&lt;/i&gt; &amp; &quot;more&quot;');
  });

  it.each([
    ['an unknown reason', { reason: 'blocked' }],
    ['an empty starter name', { starterName: '' }],
    ['an empty address', { email: '' }],
    ['an empty policy title', { policyTitle: '' }],
  ])('refuses %s', (_, bad) => {
    // Assess
    expect(() => renderBounceNotice({ ...bounce, ...bad } as BounceNoticeContent)).toThrow();
  });

  it.each(['bounced', 'complained'] as const)(
    'produces HTML that validates for a %s address, bar the rules email markup breaks by design',
    async (reason) => {
      // Assess
      expect(await emailProblems(renderBounceNotice({ ...bounce, reason }).html)).toEqual([]);
    },
  );
});

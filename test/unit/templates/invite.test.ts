// The invite email: escaped values in fixed slots, both parts, valid HTML.
import { describe, expect, it } from 'vitest';
import { type InviteVars, renderInvite } from '#templates/invite.ts';
import { emailProblems } from '../../support/html.ts';

const vars: InviteVars = {
  organisationName: 'Wirral Children’s Services',
  givenName: 'Siân',
  policyTitle: 'Safe Internet Use – Guidance for Staff',
  policyVersion: 1,
  keyPoints: ['Report any incident immediately.', 'Do not give personal information to service users.'],
  ackUrl: 'https://attest.example.org/ack/k1.AAAA',
  expiresOn: '24 December 2026',
  startDate: '1 December 2026',
};

describe('renderInvite', () => {
  it('greets the starter and carries the policy, its key points, the link and its expiry', () => {
    // Act
    const { subject, html } = renderInvite(vars);

    // Assess
    expect(subject).toBe('Please read and sign: Safe Internet Use – Guidance for Staff');
    expect(html).toContain('lang="en-GB"');
    expect(html).toContain('Hello Siân,');
    expect(html).toContain('<li>Report any incident immediately.</li>');
    expect(html).toContain('href="https://attest.example.org/ack/k1.AAAA"');
    expect(html).toContain('24 December 2026');
    expect(html).toContain('(version 1)');
  });

  it('has a plain-text part with the link and no markup', () => {
    // Act
    const { text } = renderInvite(vars);

    // Assess
    expect(text).toContain('https://attest.example.org/ack/k1.AAAA');
    expect(text).toContain('  * Report any incident immediately.');
    expect(text).not.toMatch(/<[a-z/]/i);
  });

  it('escapes hostile values in every slot', () => {
    // Act
    const { html } = renderInvite({
      ...vars,
      givenName: '<script>alert(1)</script>',
      organisationName: '"><img src=x>',
      keyPoints: ['<b>bold</b>'],
    });

    // Assess
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<img src=x>');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('refuses a link that is not https', () => {
    // Assess
    expect(() => renderInvite({ ...vars, ackUrl: 'javascript:alert(1)' })).toThrow(/https/);
  });

  it('produces HTML that validates, bar the rules email markup breaks by design', async () => {
    // Assess
    expect(await emailProblems(renderInvite(vars).html)).toEqual([]);
  });
});

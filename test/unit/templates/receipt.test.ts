// The receipt email: every value in both parts, escaped in fixed slots, valid HTML, bad vars refused.
import { describe, expect, it } from 'vitest';
import { escapeHtml } from '#shared/core/html.ts';
import { type ReceiptVars, renderReceipt } from '#templates/receipt.ts';
import { emailProblems } from '../../support/html.ts';

const vars: ReceiptVars = {
  organisationName: 'Wirral Children’s Services',
  givenName: 'Siân',
  typedName: 'Siân Angharad Jones',
  policyTitle: 'Safe Internet Use – Guidance for Staff',
  policyVersion: 3,
  effectiveDate: '2026-11-24',
  statement: 'I understand and agree to adhere to the Policy on the Use of Social Networking Websites',
  acknowledgedAt: '26 November 2026 at 09:14 (Europe/London)',
  acknowledgedAtUtc: '2026-11-26T09:14:03.123Z',
  evidenceId: 'ev_01JD5K8Q2X',
  policySha256: 'a3f1c2d4e5b6a7980112233445566778899aabbccddeeff00112233445566778',
  certificateFileName: 'agreement-safe-internet-use-v3.pdf',
};

describe('renderReceipt', () => {
  it('names the policy and its version in the subject', () => {
    // Act
    const { subject } = renderReceipt(vars);

    // Assess
    expect(subject).toBe('Receipt: you signed Safe Internet Use – Guidance for Staff (version 3)');
  });

  it('carries every value in the HTML part, in its sentences', () => {
    // Act
    const { html } = renderReceipt(vars);

    // Assess
    expect(html).toContain('lang="en-GB"');
    expect(html).toContain('Hello Siân,');
    expect(html).toContain(
      'This confirms that you read and agreed to our policy <strong>Safe Internet Use – Guidance for Staff</strong> (version 3, effective from 2026-11-24).',
    );
    expect(html).toMatch(
      /<blockquote[^>]*>I understand and agree to adhere to the Policy[^<]*<\/blockquote>/,
    );
    expect(html).toContain('<strong>Signed as:</strong> Siân Angharad Jones');
    expect(html).toContain(
      '<strong>When:</strong> 26 November 2026 at 09:14 (Europe/London), recorded as 2026-11-26T09:14:03.123Z (UTC)',
    );
    expect(html).toContain('<strong>Evidence reference:</strong> ev_01JD5K8Q2X');
    expect(html).toMatch(
      new RegExp(`<code style="[^"]*monospace[^"]*break-all[^"]*">${vars.policySha256}</code>`),
    );
    expect(html).toContain(
      'Keep this email for your records. If you did not sign this, tell your HR team at once.',
    );
    for (const value of Object.values(vars)) expect(html).toContain(escapeHtml(String(value)));
  });

  it('has no links, images or external assets', () => {
    // Act
    const { html } = renderReceipt(vars);

    // Assess
    expect(html).not.toMatch(/<a[\s>]|<img|<link|<script|src=|href=|url\(/i);
  });

  it('has a plain-text part with every value and no markup', () => {
    // Act
    const { text } = renderReceipt(vars);

    // Assess
    expect(text).toContain('Hello Siân,');
    expect(text).toContain(
      'This confirms that you read and agreed to our policy "Safe Internet Use – Guidance for Staff" (version 3, effective from 2026-11-24).',
    );
    expect(text).toContain(`> ${vars.statement}`);
    expect(text).toContain('Signed as: Siân Angharad Jones');
    expect(text).toContain(
      'When: 26 November 2026 at 09:14 (Europe/London), recorded as 2026-11-26T09:14:03.123Z (UTC)',
    );
    expect(text).toContain('Evidence reference: ev_01JD5K8Q2X');
    expect(text).toContain(`Text fingerprint (SHA-256): ${vars.policySha256}`);
    expect(text).toContain(
      'Keep this email for your records. If you did not sign this, tell your HR team at once.',
    );
    for (const value of Object.values(vars)) expect(text).toContain(String(value));
    expect(text).not.toMatch(/<[a-z/]/i);
  });

  it('escapes hostile values in every slot', () => {
    // Act
    const { html } = renderReceipt({
      ...vars,
      typedName: '<script>alert(1)</script>',
      statement: 'I agree</blockquote><img src=x onerror=alert(1)> & "more"',
      organisationName: '"><img src=y>',
      evidenceId: '<b>ev</b>',
    });

    // Assess
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>ev</b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain(
      'I agree&lt;/blockquote&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &quot;more&quot;',
    );
    expect(html.match(/<\/blockquote>/g)).toHaveLength(1);
  });

  it.each([
    ['a fingerprint that is not 64 lowercase hex digits', { policySha256: 'abc123' }],
    ['an upper-case fingerprint', { policySha256: vars.policySha256.toUpperCase() }],
    ['version 0', { policyVersion: 0 }],
    ['a fractional version', { policyVersion: 1.5 }],
    ['an empty typed name', { typedName: '' }],
    ['an empty statement', { statement: '' }],
    ['a certificate file name that is not a plain .pdf name', { certificateFileName: 'a b/c.pdf' }],
  ])('refuses %s', (_, bad) => {
    // Assess
    expect(() => renderReceipt({ ...vars, ...bad } as ReceiptVars)).toThrow();
  });

  it('names the attached certificate in both parts', () => {
    // Act
    const { html, text } = renderReceipt(vars);

    // Assess
    const line =
      'The attached PDF, agreement-safe-internet-use-v3.pdf, is the certificate of this agreement: keep it with this email.';
    expect(html).toContain(line);
    expect(text).toContain(line);
  });

  it('says HR recorded an agreement made on the person’s behalf, never that they signed', () => {
    // Act
    const { subject, html, text } = renderReceipt({ ...vars, onBehalf: { recordedOn: '3 December 2026' } });

    // Assess
    expect(subject).toBe('Receipt: agreed to Safe Internet Use – Guidance for Staff (version 3)');
    expect(html).toContain(
      'This confirms that HR recorded your agreement to our policy <strong>Safe Internet Use – Guidance for Staff</strong> (version 3, effective from 2026-11-24) on your behalf on 3 December 2026.',
    );
    expect(text).toContain(
      'This confirms that HR recorded your agreement to our policy "Safe Internet Use – Guidance for Staff" (version 3, effective from 2026-11-24) on your behalf on 3 December 2026.',
    );
    expect(text).toContain('Your name as recorded: Siân Angharad Jones');
    expect(text).toContain('If you did not agree to this, tell your HR team at once.');
    for (const part of [subject, html, text]) {
      expect(part).not.toMatch(/you signed|Signed as|signed in your name|did not sign/);
    }
  });

  it('produces valid HTML for an agreement made on the person’s behalf', async () => {
    // Assess
    const { html } = renderReceipt({ ...vars, onBehalf: { recordedOn: '3 December 2026' } });
    expect(await emailProblems(html)).toEqual([]);
  });

  it('produces HTML that validates, bar the rules email markup breaks by design', async () => {
    // Assess
    expect(await emailProblems(renderReceipt(vars).html)).toEqual([]);
  });
});

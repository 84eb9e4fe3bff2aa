// The acknowledgement pages: the policy and its form, the receipt, the error page.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  PAGE_CSP,
  renderAckPage,
  renderErrorPage,
  renderExpiredPage,
  renderReceiptPage,
} from '#templates/ack-page.ts';
import { getBundledPolicy } from '#templates/policies.ts';
import { pageProblems } from '../../support/html.ts';

const policy = {
  ...(getBundledPolicy('safe-internet-use') ?? (undefined as never)),
  version: 1,
  publishedAt: '2026-11-24T09:00:00.000Z',
};
const shown = 'k1.1795000000000.AAAAAAAAAAAAAAAAAAAAAA';

describe('renderAckPage', () => {
  it('shows the whole policy, its version, the statement and a labelled form', async () => {
    // Act
    const html = renderAckPage({ policy, formAction: '/ack/k1.abc', shown });

    // Assess
    expect(html).toContain('<html lang="en-GB">');
    expect(html).toContain('<h1>Safe Internet Use – Guidance for Staff</h1>');
    expect(html).toContain('Version 1');
    expect(html).toContain('<h2>Ten Steps to Minimise Professional Risk</h2>');
    expect(html).toContain(policy.statement);
    expect(html).toMatch(/<form[^>]*method="post"[^>]*action="\/ack\/k1.abc"/);
    expect(html).toMatch(/<label for="fullName">/);
    expect(html).toMatch(/<input type="text" id="fullName" name="fullName" autocomplete="name"/);
    expect(html).toMatch(/<input type="checkbox" id="agree" name="agree" value="yes"/);
    expect(html).toMatch(/<label for="agree">/);
    expect(html).toMatch(/<button type="submit">/);
    expect(html).not.toMatch(/<script|<link|src=/);
    expect(await pageProblems(html)).toEqual([]);
  });

  it('ties each error to its field and keeps what was typed', async () => {
    // Act
    const html = renderAckPage({
      policy,
      formAction: '/ack/x',
      shown,
      values: { name: 'Ada "the" <Countess>' },
      errors: { name: 'form.nameMissing', agree: 'form.agreeMissing' },
    });

    // Assess
    expect(html).toContain('aria-describedby="fullName-error"');
    expect(html).toContain('<p class="error" id="fullName-error">Enter your full name.</p>');
    expect(html).toContain('aria-describedby="agree-error statement"');
    expect(html).toContain('value="Ada &quot;the&quot; &lt;Countess&gt;"');
    expect(html).toContain('<title>Error: ');
    expect(await pageProblems(html)).toEqual([]);
  });

  it('is allowed its one stylesheet by the CSP hash and nothing else', () => {
    // Prepare
    const html = renderAckPage({ policy, formAction: '/ack/x', shown });
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';

    // Assess
    expect(PAGE_CSP).toContain(`'sha256-${createHash('sha256').update(css).digest('base64')}'`);
    expect(PAGE_CSP).toContain("default-src 'none'");
    expect(PAGE_CSP).toContain("frame-ancestors 'none'");
  });
});

describe('renderReceiptPage', () => {
  it('says what was agreed, when, as whom, with the reference', async () => {
    // Act
    const html = renderReceiptPage({
      policy,
      acknowledgedAt: '2026-11-24T10:15:00.000Z',
      typedName: 'Ada <Lovelace>',
      evidenceId: 'ev_123',
      already: false,
    });

    // Assess
    expect(html).toContain('you have signed the policy');
    expect(html).toContain('24 November 2026, 10:15 UTC');
    expect(html).toContain('Ada &lt;Lovelace&gt;');
    expect(html).toContain('ev_123');
    expect(html).toContain(policy.sha256);
    expect(await pageProblems(html)).toEqual([]);
  });

  it('says so when the policy was already signed', () => {
    // Act
    const html = renderReceiptPage({
      policy,
      acknowledgedAt: '2026-11-24T10:15:00Z',
      typedName: 'A',
      evidenceId: 'e',
      already: true,
    });

    // Assess
    expect(html).toContain('You have already signed this policy');
  });
});

describe('renderErrorPage', () => {
  it('renders a valid page with the message said in its language', async () => {
    // Act
    const html = renderErrorPage({
      title: 'updatedPage.title',
      message: 'updatedPage.message',
      vars: { version: 3 },
      language: 'en',
    });

    // Assess
    expect(html).toContain('<h1>This policy has been updated</h1>');
    expect(html).toContain('Please read and sign version 3 instead');
    expect(await pageProblems(html)).toEqual([]);
  });

  it('says it in Welsh, in a page marked as Welsh', async () => {
    // Act
    const html = renderErrorPage({
      title: 'invalidPage.title',
      message: 'invalidPage.message',
      language: 'cy',
    });

    // Assess
    expect(html).toContain('<html lang="cy">');
    expect(html).toContain('<h1>Nid yw’r ddolen hon yn ddilys</h1>');
    expect(await pageProblems(html)).toEqual([]);
  });
});

describe('renderExpiredPage', () => {
  it('offers one button that posts to the fresh-link action, and asks for nothing', async () => {
    // Act
    const html = renderExpiredPage({ resendAction: '/ack/resend/k1.abc', language: 'en' });

    // Assess
    expect(html).toContain('<form method="post" action="/ack/resend/k1.abc">');
    expect(html).toContain('<button type="submit">Email me a fresh link</button>');
    expect(html).not.toContain('<input');
    expect(await pageProblems(html)).toEqual([]);
  });
});

describe('renderAckPage with what changed', () => {
  it('shows the changes, escaped, under "What changed in version N" before the text', async () => {
    // Prepare
    const v2 = { ...policy, version: 2, changes: ['Report to the <DSL> first.', 'Phones & tablets.'] };

    // Act
    const html = renderAckPage({ policy: v2, formAction: '/ack/k1.abc', shown });

    // Assess
    expect(html).toContain('<h2 id="changes-title">What changed in version 2</h2>');
    expect(html).toContain('<li>Report to the &lt;DSL&gt; first.</li><li>Phones &amp; tablets.</li>');
    expect(html.indexOf('What changed')).toBeLessThan(html.indexOf('<article'));
    expect(await pageProblems(html)).toEqual([]);
  });

  it('says nothing of changes when the version lists none', () => {
    // Act
    const html = renderAckPage({ policy, formAction: '/ack/k1.abc', shown });

    // Assess
    expect(html).not.toContain('What changed');
  });
});

// The acknowledgement pages: the policy and its form, the receipt, the error page.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  PAGE_CSP,
  renderAckPage,
  renderErrorPage,
  renderExpiredPage,
  renderReceiptPage,
  whenSaidIn,
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

describe('whenSaidIn', () => {
  it('says the time in the person’s zone, then in UTC', () => {
    // Act
    const said = whenSaidIn('en', '2026-12-03T09:15:00.000Z', 'Europe/London');

    // Assess
    expect(said).toBe('3 December 2026, 09:15 (Europe/London) — 09:15 UTC');
  });

  it('follows the zone across a clock change (Europe/London, 29 March 2026 at 01:00 UTC)', () => {
    // Act
    const before = whenSaidIn('en', '2026-03-29T00:59:00.000Z', 'Europe/London');
    const after = whenSaidIn('en', '2026-03-29T01:00:00.000Z', 'Europe/London');

    // Assess: GMT, then BST an hour ahead
    expect(before).toBe('29 March 2026, 00:59 (Europe/London) — 00:59 UTC');
    expect(after).toBe('29 March 2026, 02:00 (Europe/London) — 01:00 UTC');
  });

  it('says the UTC day too when it is not the local one', () => {
    // Act
    const ahead = whenSaidIn('en', '2026-12-02T17:30:00.000Z', 'Asia/Tokyo');
    const behind = whenSaidIn('en', '2026-12-03T03:00:00.000Z', 'America/Los_Angeles');

    // Assess
    expect(ahead).toBe('3 December 2026, 02:30 (Asia/Tokyo) — 2 December 2026, 17:30 UTC');
    expect(behind).toBe('2 December 2026, 19:00 (America/Los_Angeles) — 3 December 2026, 03:00 UTC');
  });

  it('says it in Welsh', () => {
    // Act
    const said = whenSaidIn('cy', '2026-07-01T08:05:00.000Z', 'Europe/London');

    // Assess: summer time, the month in Welsh
    expect(said).toBe('1 Gorffennaf 2026, 09:05 (Europe/London) — 08:05 UTC');
  });

  it('says UTC alone without a zone (an ask made before zones were kept), or with one not known', () => {
    // Act
    const none = whenSaidIn('en', '2026-12-03T09:15:00.000Z', undefined);
    const unknown = whenSaidIn('en', '2026-12-03T09:15:00.000Z', 'Mars/Olympus_Mons');

    // Assess
    expect(none).toBe('3 December 2026, 09:15 UTC');
    expect(unknown).toBe('3 December 2026, 09:15 UTC');
  });
});

describe('renderReceiptPage in the person’s time zone', () => {
  it('says when they signed in their zone and in UTC, escaped, in a valid page', async () => {
    // Act
    const html = renderReceiptPage({
      policy,
      acknowledgedAt: '2026-06-24T10:15:00.000Z',
      typedName: 'Ada Lovelace',
      evidenceId: 'ev_123',
      already: false,
      timeZone: 'Europe/London',
    });

    // Assess
    expect(html).toContain('<dd>24 June 2026, 11:15 (Europe/London) — 10:15 UTC</dd>');
    expect(await pageProblems(html)).toEqual([]);
  });

  it('says it in Welsh on a Welsh receipt', () => {
    // Act
    const html = renderReceiptPage({
      policy: { ...policy, language: 'cy' },
      acknowledgedAt: '2026-12-03T09:15:00.000Z',
      typedName: 'Ada Lovelace',
      evidenceId: 'ev_123',
      already: true,
      timeZone: 'Europe/London',
    });

    // Assess
    expect(html).toContain('<dd>3 Rhagfyr 2026, 09:15 (Europe/London) — 09:15 UTC</dd>');
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

describe('renderAckPage with "I do not agree"', () => {
  const declinable = { ...policy, declinable: true };

  it('offers a second form, labelled, with a required reason, beside the agree form', async () => {
    // Act
    const html = renderAckPage({ policy: declinable, formAction: '/ack/k1.abc', shown, decline: {} });

    // Assess
    expect(html.match(/<form /g)).toHaveLength(2);
    expect(html).toMatch(/<input type="checkbox" id="agree"/);
    expect(html).toContain('<input type="hidden" name="decision" value="decline">');
    expect(html).toMatch(/<fieldset[^>]*>\n<legend>If you do not agree<\/legend>/);
    expect(html).toContain('<label for="declineName">');
    expect(html).toContain('<label for="reason">Why you do not agree</label>');
    expect(html).toMatch(
      /<textarea id="reason" name="reason" rows="5" maxlength="1000" required aria-describedby="reason-hint">/,
    );
    expect(html).toContain('<button type="submit" class="secondary">I do not agree</button>');
    expect(html).not.toMatch(/<script/);
    expect(await pageProblems(html)).toEqual([]);
  });

  it('offers no second form unless asked to', () => {
    // Act
    const html = renderAckPage({ policy: declinable, formAction: '/ack/x', shown });

    // Assess
    expect(html.match(/<form /g)).toHaveLength(1);
    expect(html).not.toContain('I do not agree');
  });

  it('ties the decline’s errors to its fields, listed in the summary, and keeps what was typed, escaped', async () => {
    // Act
    const html = renderAckPage({
      policy: declinable,
      formAction: '/ack/x',
      shown,
      decline: {
        values: { name: 'Ada', reason: '<b>No</b> & "never"' },
        errors: { name: 'form.nameLetters', reason: 'decline.reasonEmpty' },
      },
    });

    // Assess
    expect(html).toContain('<li><a href="#declineName">Enter your full name, as letters.</a></li>');
    expect(html).toContain('<li><a href="#reason">Tell us why you do not agree.</a></li>');
    expect(html).toContain('aria-invalid="true" aria-describedby="declineName-error"');
    expect(html).toContain('aria-describedby="reason-hint reason-error" aria-invalid="true"');
    expect(html).toContain('&lt;b&gt;No&lt;/b&gt; &amp; &quot;never&quot;</textarea>');
    expect(html).toContain('<title>Error: ');
    expect(await pageProblems(html)).toEqual([]);
  });

  it('says a decline was recorded, and that they can still sign, with the agree form kept', async () => {
    // Act
    const html = renderAckPage({
      policy: declinable,
      formAction: '/ack/x',
      shown,
      decline: {},
      declinedAt: '2026-11-24T10:00:00.000Z',
      justDeclined: true,
    });

    // Assess
    expect(html).toContain('<div class="declined" role="status">');
    expect(html).toContain('We have recorded that you do not agree');
    expect(html).toContain('you can still sign the policy below');
    expect(html).toMatch(/<input type="checkbox" id="agree"/);
    expect(await pageProblems(html)).toEqual([]);
  });

  it('reminds them when they declined, on a later visit', () => {
    // Act
    const html = renderAckPage({
      policy: declinable,
      formAction: '/ack/x',
      shown,
      declinedAt: '2026-11-24T10:00:00.000Z',
    });

    // Assess
    expect(html).toContain('You told us on 24 November 2026');
    expect(html).toContain('you can still sign it below');
  });

  it('says when they declined in their time zone too, when known', () => {
    // Act
    const html = renderAckPage({
      policy: declinable,
      formAction: '/ack/x',
      shown,
      declinedAt: '2026-11-24T23:30:00.000Z',
      timeZone: 'Asia/Tokyo',
    });

    // Assess
    expect(html).toContain(
      'You told us on 25 November 2026, 08:30 (Asia/Tokyo) — 24 November 2026, 23:30 UTC that you do not agree',
    );
  });

  it('lists a decline refused outright in the summary', () => {
    // Act
    const html = renderAckPage({ policy, formAction: '/ack/x', shown, declineRefused: 'decline.tooMany' });

    // Assess
    expect(html).toContain(
      '<li>You have already told us several times that you do not agree. Contact your HR team to discuss it.</li>',
    );
    expect(html).toContain('<title>Error: ');
  });
});

describe('renderReceiptPage after an agreement recorded on the person’s behalf', () => {
  it('says HR recorded it on their behalf, and when, with no note and no recorder', async () => {
    // Act
    const html = renderReceiptPage({
      policy,
      acknowledgedAt: '2026-11-24T10:00:00.000Z',
      typedName: 'Ada Lovelace',
      evidenceId: 'ev_1',
      already: true,
      method: 'on-behalf',
    });

    // Assess
    expect(html).toContain('<h1>Your agreement has already been recorded</h1>');
    expect(html).toContain('HR recorded your agreement to this policy on your behalf on 24 November 2026');
    expect(html).toContain('<dt>Recorded for</dt><dd>Ada Lovelace</dd>');
    expect(html).not.toContain('Signed as');
    expect(html).not.toContain('You have already signed');
    expect(await pageProblems(html)).toEqual([]);
  });
});

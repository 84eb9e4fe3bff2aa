// The invite email: escaped values in fixed slots, both parts, valid HTML, and the re-acknowledgement wording.
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

  it('wraps the long link by a style on the link itself, which survives clients that drop <style>', () => {
    // Prepare: as Gmail and others do, keep the markup but drop the head's style sheet
    const { html } = renderInvite(vars);
    const stripped = html.replace(/<style[^>]*>[\s\S]*?<\/style>/g, '');

    // Act
    const links = [...stripped.matchAll(/<a\b[^>]*>https:\/\/attest\.example\.org\/ack\/k1\.AAAA<\/a>/g)];

    // Assess
    expect(links).toHaveLength(1);
    const style = /style="([^"]*)"/.exec(links[0]?.[0] ?? '')?.[1] ?? '';
    expect(style).toMatch(/(^|;)\s*word-break:\s*break-all/);
    expect(style).toMatch(/(^|;)\s*overflow-wrap:\s*anywhere/);
    expect(html).not.toMatch(/\.link a\s*\{/);
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

describe('renderInvite for a re-acknowledgement', () => {
  const reack: InviteVars = { ...vars, policyVersion: 2, reacknowledge: true };

  it('says the policy was updated in the subject', () => {
    // Act
    const { subject } = renderInvite(reack);

    // Assess
    expect(subject).toBe('Updated policy to sign: Safe Internet Use – Guidance for Staff');
    expect(subject.startsWith('Updated policy')).toBe(true);
  });

  it('tells the signer they signed an earlier version, in both parts, without welcoming them', () => {
    // Act
    const { html, text } = renderInvite(reack);

    // Assess
    expect(html).toContain('You signed an earlier version');
    expect(text).toContain('You signed an earlier version');
    expect(html).toContain('(version 2)');
    expect(text).toContain('"Safe Internet Use – Guidance for Staff" (version 2)');
    expect(html).not.toContain('Welcome');
    expect(text).not.toContain('Welcome');
    expect(html).not.toContain('1 December 2026');
    expect(text).not.toContain('1 December 2026');
  });

  it('gives a different reason in the footer from a new starter’s', () => {
    // Act
    const updated = renderInvite(reack);
    const first = renderInvite(vars);

    // Assess
    const reason =
      'You are receiving this email because you signed an earlier version of this policy for Wirral Children’s Services.';
    expect(updated.text).toContain(reason);
    expect(updated.html).toContain(reason);
    expect(updated.text).not.toContain('new member of staff');
    expect(updated.html).not.toContain('new member of staff');
    expect(first.text).not.toContain(reason);
  });

  it('escapes the policy title and sets it in bold', () => {
    // Act
    const { subject, html, text } = renderInvite({ ...reack, policyTitle: 'Rules <i>new</i> & "old"' });

    // Assess
    expect(html).toContain('<strong>Rules &lt;i&gt;new&lt;/i&gt; &amp; &quot;old&quot;</strong>');
    expect(html).not.toContain('<i>new</i>');
    expect(subject).toBe('Updated policy to sign: Rules <i>new</i> & "old"');
    expect(text).toContain('"Rules <i>new</i> & "old""');
  });

  it('produces HTML that validates, bar the rules email markup breaks by design', async () => {
    // Assess: with the real policy's title, the subject (also the <title>) fits in 70 characters
    expect(await emailProblems(renderInvite(reack).html)).toEqual([]);
  });
});

describe('renderInvite for a new starter (reacknowledge omitted)', () => {
  it('welcomes the starter with their start date in both parts', () => {
    // Act
    const { subject, html, text } = renderInvite(vars);

    // Assess
    expect(subject.startsWith('Please read and sign:')).toBe(true);
    expect(html).toContain(
      'Welcome. Before you start on 1 December 2026, please read and sign our policy <strong>Safe Internet Use – Guidance for Staff</strong> (version 1).',
    );
    expect(text).toContain(
      'Welcome. Before you start on 1 December 2026, please read and sign our policy "Safe Internet Use – Guidance for Staff" (version 1).',
    );
    expect(text).toContain(
      'You are receiving this email because Wirral Children’s Services has you down as a new member of staff.',
    );
    expect(html).not.toContain('You signed an earlier version');
    expect(text).not.toContain('You signed an earlier version');
  });

  it('reads the same when reacknowledge is false', () => {
    // Act
    const omitted = renderInvite(vars);
    const explicit = renderInvite({ ...vars, reacknowledge: false });

    // Assess
    expect(explicit).toEqual(omitted);
  });

  it('escapes the start date in the HTML', () => {
    // Act
    const { html } = renderInvite({ ...vars, startDate: '<b>Monday</b>' });

    // Assess
    expect(html).toContain('Before you start on &lt;b&gt;Monday&lt;/b&gt;,');
    expect(html).not.toContain('<b>Monday</b>');
  });
});

describe('renderInvite with what changed', () => {
  const changes = ['Reporting now goes to the <DSL> & deputy.', 'Personal phones are covered.'];

  it('lists the changes, escaped, in both parts of a re-acknowledgement', async () => {
    // Act
    const { html, text } = renderInvite({ ...vars, policyVersion: 2, reacknowledge: true, changes });

    // Assess
    expect(html).toContain('What changed in version 2</p>');
    expect(html).toContain('<li>Reporting now goes to the &lt;DSL&gt; &amp; deputy.</li>');
    expect(html).not.toContain('<DSL>');
    expect(text).toContain(
      'What changed in version 2:\n  * Reporting now goes to the <DSL> & deputy.\n  * Personal phones are covered.\n',
    );
    expect(await emailProblems(html)).toEqual([]);
  });

  it('keeps them from a new starter, who never saw the version before', () => {
    // Act
    const { html, text } = renderInvite({ ...vars, policyVersion: 2, changes });

    // Assess
    expect(html).not.toContain('What changed');
    expect(text).not.toContain('What changed');
  });
});

describe('renderInvite: renewal and sign-by date', () => {
  it('says "Please sign it by …" after the opening, in both parts, only with a sign-by date', () => {
    // Act
    const dated = renderInvite({ ...vars, signBy: '15 December 2026' });
    const undated = renderInvite(vars);

    // Assess
    expect(dated.html).toContain('Please sign it by 15 December 2026.');
    expect(dated.text).toContain('Please sign it by 15 December 2026.');
    expect(undated.text).not.toContain('Please sign it by');
  });

  it('asks a signer to sign again when their agreement is renewed, escaping the title', async () => {
    // Act
    const { subject, html, text } = renderInvite({
      ...vars,
      policyTitle: 'A <b> policy',
      policyVersion: 2,
      renewal: true,
      signBy: '15 December 2026',
    });

    // Assess
    expect(subject).toBe('Time to sign again: A <b> policy');
    expect(text).toContain('Some time has passed since you signed our policy "A <b> policy".');
    expect(text).toContain('please read version 2 and sign it again. Please sign it by 15 December 2026.');
    expect(html).toContain('<strong>A &lt;b&gt; policy</strong>');
    expect(html).not.toContain('A <b> policy');
    expect(await emailProblems(html)).toEqual([]);
  });
});

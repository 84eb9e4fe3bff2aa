// The decline notice to the manager and HR: who declined what, and every reason, escaped in HTML and plain in text.
import { describe, expect, it } from 'vitest';
import type { DeclineNoticeContent } from '#shared/core/mail-content.ts';
import { renderDeclineNotice } from '#templates/decline-notice.ts';
import { emailProblems } from '../../support/html.ts';

const notice: DeclineNoticeContent = {
  organisationName: 'Wirral Children’s Services',
  greeting: 'Dawn Pritchard',
  starterName: 'Siân Angharad Jones',
  employeeId: 'E1001',
  policyTitle: 'Safe Internet Use – Guidance for Staff',
  policyVersion: 3,
  declines: [{ on: '24 November 2026 at 10:00 GMT', reason: 'Clause 4 asks me to <script> & "more".' }],
};

describe('renderDeclineNotice', () => {
  it('names the person and the policy in the subject', () => {
    // Act
    const { subject } = renderDeclineNotice(notice);

    // Assess
    expect(subject).toBe('Siân Angharad Jones does not agree with Safe Internet Use – Guidance for Staff');
  });

  it('carries the person, the policy, its version, and the reason escaped, in the HTML part', async () => {
    // Act
    const { html } = renderDeclineNotice(notice);

    // Assess
    expect(html).toContain('Hello Dawn Pritchard,');
    expect(html).toContain(
      '<strong>Siân Angharad Jones</strong> (employee E1001) has told us they do not agree with <strong>Safe Internet Use – Guidance for Staff</strong> (version 3), and why.',
    );
    expect(html).toContain(
      '24 November 2026 at 10:00 GMT: “Clause 4 asks me to &lt;script&gt; &amp; &quot;more&quot;.”',
    );
    expect(html).not.toContain('<script>');
    expect(html).toContain('We have stopped sending them reminders.');
    expect(await emailProblems(html)).toEqual([]);
  });

  it('lists every decline, oldest first, in the text part', () => {
    // Act
    const { text } = renderDeclineNotice({
      ...notice,
      greeting: 'HR team',
      declines: [
        { on: '24 November 2026 at 10:00 GMT', reason: 'First reason.' },
        { on: '25 November 2026 at 09:00 GMT', reason: 'Second reason.' },
      ],
    });

    // Assess
    expect(text).toContain('Hello HR team,');
    expect(text).toContain(
      'Each time they declined, and why:\n  * 24 November 2026 at 10:00 GMT: "First reason."\n  * 25 November 2026 at 09:00 GMT: "Second reason."',
    );
  });

  it('refuses content without a decline', () => {
    // Assess
    expect(() => renderDeclineNotice({ ...notice, declines: [] })).toThrow();
  });
});

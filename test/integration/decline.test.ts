// Declining with a reason on the local stack: the manager and HR told by email, no LMS completion; agreeing later from the same link gives the receipt and the webhook.
import { describe, expect, it } from 'vitest';
import { assignmentIdFor } from '#shared/core/ids.ts';
import {
  ackLink,
  attest,
  emailsTo,
  postStarter,
  received,
  type StoredEmail,
  shownStamp,
  table,
  uniqueStarter,
  waitFor,
} from '../support/local.ts';

/** The local stack's HR_NOTIFY_EMAIL (local/stack.ts). */
const HR = 'hr@attest.example';

const post = (link: string, fields: Record<string, string>) =>
  fetch(link, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });

describe('declining with a reason', () => {
  it('tells the manager and HR, sends nothing to the LMS, and lets the person agree later from the same link', async () => {
    // Prepare: a starter with a manager of their own, invited to the (declinable) bundled policy
    const base = uniqueStarter();
    const suffix = String(base.data.employeeId).split('-').at(-1);
    const manager = { name: 'Grace Hopper', email: `manager.${suffix}@example.org` };
    const event = { ...base, data: { ...base.data, manager } };
    const employeeId = event.data.employeeId as string;
    const assignmentId = assignmentIdFor(employeeId, 'safe-internet-use');
    expect((await postStarter(event)).status).toBe(202);
    const invite = await waitFor('the invite', async () => (await emailsTo(event.data.email as string))[0]);
    const link = ackLink(invite);
    const page = await (await fetch(link)).text();
    expect(page).toContain('I do not agree');

    // Act: decline, empty-handed first (refused), then with a reason
    const refused = await post(link, {
      decision: 'decline',
      fullName: 'Ada Lovelace',
      reason: ' ',
      shown: shownStamp(page),
    });
    const declined = await post(link, {
      decision: 'decline',
      fullName: 'Ada Lovelace',
      reason: 'I cannot agree to clause 4\r\nwithout talking to HR first.',
      shown: shownStamp(page),
    });
    const declinedPage = await declined.text();
    const notice = await waitFor('the decline notice', async () =>
      (await emailsTo(manager.email)).find((e) => /does not agree/.test(e.subject)),
    );

    // Assess: the refusal wrote nothing; the decline is kept, the notice went to both, in one email
    expect(refused.status).toBe(422);
    expect(declined.status).toBe(200);
    expect(declinedPage).toContain('We have recorded that you do not agree');
    expect(declinedPage).toContain('Sign the policy');
    expect(notice.destination.to).toEqual([manager.email, HR]);
    const toHr = (await emailsTo(HR)).filter((e: StoredEmail) =>
      e.body.text?.includes(`employee ${employeeId}`),
    );
    expect(toHr.map((e) => e.messageId)).toEqual([notice.messageId]);
    expect(notice.body.text).toContain('I cannot agree to clause 4 without talking to HR first.');
    expect(notice.subject).toBe('Ada Lovelace does not agree with Safe Internet Use – Guidance for Staff');
    const stored = await table().store.getAssignment(assignmentId);
    expect(stored).toMatchObject({ status: 'declined' });
    expect(stored?.declines).toHaveLength(1);
    expect(stored?.declines?.[0]).toMatchObject({
      typedName: 'Ada Lovelace',
      reason: 'I cannot agree to clause 4 without talking to HR first.',
      messageId: invite.messageId,
    });
    expect(stored?.dueKind).toBeUndefined();
    expect((await received()).some((c) => c.payload.data.assignmentId === assignmentId)).toBe(false);
    // Read until listed: in one loaded CI run (3 December) the first report did not list it,
    // though the assignment read just before was declined. The report reads the policy's index,
    // which dynalite writes apart from the item; the cause was not found.
    const line = await waitFor('the decline in the report', async () => {
      const report = await attest('report', '--policy', 'safe-internet-use', '--status', 'declined', '--csv');
      expect(report.code, report.err).toBe(0);
      return report.out.split('\n').find((l) => l.startsWith(`${assignmentId},`));
    });
    // The latest decline's reason, then sign_by, renews_at and renewal (empty: no due: or reattest:)
    expect(line).toMatch(/,I cannot agree to clause 4 without talking to HR first\.,,,$/);

    // Act: later, from the same link
    const again = await (await fetch(link)).text();
    const agreed = await post(link, { fullName: 'Ada Lovelace', agree: 'yes', shown: shownStamp(again) });

    // Assess: the ordinary receipt, email and webhook; the decline kept
    expect(again).toContain('You told us on');
    expect(await agreed.text()).toContain('you have signed the policy');
    const completion = await waitFor('the webhook', async () =>
      (await received()).find((c) => c.payload.data.assignmentId === assignmentId),
    );
    expect(completion.payload.type).toBe('policy.acknowledged');
    await waitFor('the receipt', async () =>
      (await emailsTo(event.data.email as string)).find((e) => /receipt/i.test(e.subject)),
    );
    const evidence = JSON.parse((await attest('evidence', assignmentId)).out) as {
      status: string;
      declines: Array<{ reason: string }>;
      evidence: { typedName: string };
    };
    expect(evidence.status).toBe('acknowledged');
    expect(evidence.declines.map((d) => d.reason)).toEqual([
      'I cannot agree to clause 4 without talking to HR first.',
    ]);
    expect(evidence.evidence.typedName).toBe('Ada Lovelace');
  });
});

// The page's receipt in the starter's time zone, end to end on the local stack: the zone the ask keeps from the profile, moved with it while unsigned, kept once signed.
import { describe, expect, it } from 'vitest';
import { assignmentIdFor } from '#shared/core/ids.ts';
import { whenSaidIn } from '#templates/ack-page.ts';
import {
  ackLink,
  emailsTo,
  postStarter,
  shownStamp,
  table,
  uniqueStarter,
  waitFor,
} from '../support/local.ts';

/** What the receipt page says under "When". */
const whenOnPage = (html: string) => /<dt>When<\/dt><dd>([^<]*)<\/dd>/.exec(html)?.[1];

describe('the receipt page’s time', () => {
  it('is said in the zone HR moved the starter to before they signed, and in UTC; kept once signed', async () => {
    // Prepare: a starter in London, invited
    const event = uniqueStarter();
    const email = event.data.email as string;
    const assignmentId = assignmentIdFor(event.data.employeeId as string, 'safe-internet-use');
    const starter = (data: Record<string, unknown>, type = 'starter.updated') => ({
      ...event,
      type,
      id: `${event.id}_${String(data.timeZone)}`,
      data: { ...event.data, ...data },
    });
    expect((await postStarter(starter({ timeZone: 'Europe/London' }, 'starter.created'))).status).toBe(202);
    const invite = await waitFor('the invite', async () => (await emailsTo(email))[0]);
    const asked = await table().get(`ASSIGN#${assignmentId}`, 'ASSIGNMENT');

    // Act: HR moves them to Tokyo, then they sign from the invite
    expect((await postStarter(starter({ timeZone: 'Asia/Tokyo' }))).status).toBe(202);
    const link = ackLink(invite);
    const page = await (await fetch(link)).text();
    const signed = await fetch(link, {
      method: 'POST',
      body: new URLSearchParams({ fullName: 'Ada Lovelace', agree: 'yes', shown: shownStamp(page) }),
    });
    const receipt = await signed.text();

    // Assess: the ask took the zone with the profile; the receipt says the time in it, and in UTC
    expect(asked?.timeZone).toBe('Europe/London');
    const stored = await table().get(`ASSIGN#${assignmentId}`, 'ASSIGNMENT');
    expect(stored?.timeZone).toBe('Asia/Tokyo');
    const at = stored?.ack?.acknowledgedAt as string;
    expect(signed.status).toBe(200);
    expect(whenOnPage(receipt)).toBe(whenSaidIn('en', at, 'Asia/Tokyo'));
    expect(whenOnPage(receipt)).toMatch(/^\d{1,2} \w+ \d{4}, \d\d:\d\d \(Asia\/Tokyo\) — .*\d\d:\d\d UTC$/);

    // Act: the receipt email goes, its certificate recorded (made in Tokyo); HR then moves them to New York
    await waitFor(
      'the receipt’s certificate',
      async () => (await table().get(`ASSIGN#${assignmentId}`, 'ASSIGNMENT'))?.certificate,
    );
    expect((await postStarter(starter({ timeZone: 'America/New_York' }))).status).toBe(202);
    const later = await (await fetch(link)).text();

    // Assess: the signed ask keeps the zone it was signed in, and a later visit says the time in it
    const after = await table().get(`ASSIGN#${assignmentId}`, 'ASSIGNMENT');
    expect(after?.timeZone).toBe('Asia/Tokyo');
    expect(after?.certificate?.timeZone).toBe('Asia/Tokyo');
    expect(later).toContain('You have already signed this policy');
    expect(whenOnPage(later)).toBe(whenSaidIn('en', at, 'Asia/Tokyo'));
  });
});

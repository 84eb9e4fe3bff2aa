// Input that is not what it looks like, refused at the local stack's HTTP edge with nothing recorded: invisible typed names, control and bidi characters from HR, and forms posted from another site's page.
import { describe, expect, it } from 'vitest';
import { starterIdFor } from '#shared/core/ids.ts';
import { emailsTo, invitedStarter, postStarter, stack, table, uniqueStarter } from '../support/local.ts';

describe('a typed name', () => {
  it('made of a zero-width space answers 422 with the field error, and records nothing', async () => {
    // Prepare: a starter invited, their link at hand
    const { assignmentId, link } = await invitedStarter();

    // Act: the form posted exactly as the probe did
    const response = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'fullName=%E2%80%8B&agree=yes',
    });

    // Assess: the form again, saying why; no evidence, no trail entry
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain('Your name can only contain letters, spaces and punctuation you can see.');
    expect(html).not.toContain('\u200B');
    const stored = await table().get(`ASSIGN#${assignmentId}`, 'ASSIGNMENT');
    expect(stored?.ack).toBeUndefined();
    expect(stored?.status).not.toBe('acknowledged');
    const trail = await table().partition(`ASSIGN#${assignmentId}`);
    expect(trail.filter((i) => i.kind === 'acknowledged')).toEqual([]);
  });
});

describe('a form posted from another site’s page', () => {
  it.each([
    ['Sec-Fetch-Site says cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Origin names another site', { origin: 'https://evil.example' }],
    ['Origin is null (a sandboxed or privacy-stripped page)', { origin: 'null' }],
  ])('answers 403 when %s, records nothing, and asks for no fresh link', async (_, from) => {
    // Prepare: a starter invited, their link at hand
    const { email, assignmentId, link } = await invitedStarter();
    const form = { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'cy' };

    // Act: the agree form, the decline form and the fresh-link button, each posted from elsewhere
    const agreed = await fetch(link, {
      method: 'POST',
      headers: { ...form, ...from },
      body: 'fullName=Ada+Lovelace&agree=yes',
    });
    const declined = await fetch(link, {
      method: 'POST',
      headers: { ...form, ...from },
      body: 'decision=decline&fullName=Ada+Lovelace&reason=No',
    });
    const fresh = await fetch(link.replace('/ack/', '/ack/resend/'), {
      method: 'POST',
      headers: { ...form, ...from },
    });

    // Assess: the page saying so, in the browser's language; nothing recorded, nothing more sent
    for (const response of [agreed, declined, fresh]) {
      expect(response.status).toBe(403);
      expect(response.headers.get('referrer-policy')).toBe('same-origin');
      expect(await response.text()).toContain('Anfonwyd y ffurflen hon o wefan arall');
    }
    const stored = await table().get(`ASSIGN#${assignmentId}`, 'ASSIGNMENT');
    expect(stored?.ack).toBeUndefined();
    expect(stored?.decline).toBeUndefined();
    const trail = await table().partition(`ASSIGN#${assignmentId}`);
    expect(trail.filter((i) => ['acknowledged', 'declined', 'opened'].includes(i.kind as string))).toEqual(
      [],
    );
    expect(await emailsTo(email)).toHaveLength(1);
  });

  it('is taken from the pages’ own origin, as a browser posts it', async () => {
    // Prepare
    const { link } = await invitedStarter();

    // Act: the form posted with the Origin and Fetch Metadata a browser sends from the page
    const signed = await fetch(link, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: new URL(stack().urls.api).origin,
        'sec-fetch-site': 'same-origin',
      },
      body: 'fullName=Ada+Lovelace&agree=yes',
    });

    // Assess: the receipt
    expect(signed.status).toBe(200);
    expect(await signed.text()).toContain('Ada Lovelace');
  });
});

describe('an HR event', () => {
  it.each([
    ['data.givenName', { givenName: 'Eve\r\nBcc: attacker@evil.example' }],
    ['data.familyName', { familyName: 'Lovelace\u0000' }],
    ['data.manager.name', { manager: { name: 'Grace \u202EreppoH', email: 'grace@example.org' } }],
    ['data.department', { department: 'Children’s\tServices' }],
    ['data.givenName', { givenName: '\u3164' }],
    ['data.employeeId', { employeeId: 'E1001\u2066' }],
  ])(
    'answers 400 naming %s for a value that is not what it looks like, and stores nothing',
    async (field, data) => {
      // Prepare
      const event = uniqueStarter();
      const sent = { ...event, data: { ...event.data, ...data } };

      // Act
      const response = await postStarter(sent);

      // Assess: the problem document names the one field; no starter, no receipt, no invite
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      const problem = (await response.json()) as { status: number; errors: Array<{ field: string }> };
      expect(problem.status).toBe(400);
      expect(problem.errors.map((e) => e.field)).toEqual([field]);
      for (const employeeId of [event.data.employeeId, sent.data.employeeId] as string[]) {
        expect(await table().get(`STARTER#${starterIdFor(employeeId)}`, 'PROFILE')).toBeUndefined();
      }
      expect(await table().get(`EVENT#hr#${event.id}`, 'RECEIPT')).toBeUndefined();
      expect(await emailsTo(event.data.email as string)).toEqual([]);
    },
  );
});

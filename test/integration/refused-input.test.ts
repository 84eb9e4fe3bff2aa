// Input that is not what it looks like, refused at the local stack's HTTP edge with nothing recorded: invisible typed names, control and bidi characters from HR.
import { describe, expect, it } from 'vitest';
import { assignmentIdFor, starterIdFor } from '#shared/core/ids.ts';
import { ackLink, emailsTo, postStarter, table, uniqueStarter, waitFor } from '../support/local.ts';

describe('a typed name', () => {
  it('made of a zero-width space answers 422 with the field error, and records nothing', async () => {
    // Prepare: a starter invited, their link at hand
    const event = uniqueStarter();
    const email = event.data.email as string;
    const assignmentId = assignmentIdFor(event.data.employeeId as string, 'safe-internet-use');
    expect((await postStarter(event)).status).toBe(202);
    const invite = await waitFor('the invite email', async () => (await emailsTo(email))[0]);

    // Act: the form posted exactly as the probe did
    const response = await fetch(ackLink(invite), {
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

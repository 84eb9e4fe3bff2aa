// Input that is not what it looks like, refused at the local stack's HTTP edge with nothing recorded: invisible typed names, control and bidi characters from HR.
import { describe, expect, it } from 'vitest';
import { assignmentIdFor } from '#shared/core/ids.ts';
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

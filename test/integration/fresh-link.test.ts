// An expired link on the local stack: a friendly page whose one button emails a fresh link to the address on file.
import { describe, expect, it } from 'vitest';
import { assignmentIdFor, newTokenId } from '#shared/core/ids.ts';
import { parseTokenKeys, signToken } from '#shared/core/tokens.ts';
import { ackLink, emailsTo, postStarter, stack, table, uniqueStarter, waitFor } from '../support/local.ts';

describe('an expired link', () => {
  it('offers a fresh link, sends it once to the address on file, and the new link works', async () => {
    // Prepare: a starter invited, holding a link that expired yesterday
    const event = uniqueStarter();
    const email = event.data.email as string;
    await postStarter(event);
    await waitFor('the invite', async () => ((await emailsTo(email)).length ? true : undefined));
    const assignmentId = assignmentIdFor(event.data.employeeId as string, 'safe-internet-use');
    const expired = signToken(parseTokenKeys(stack().env.ACK_TOKEN_KEYS as string), {
      assignmentId,
      purpose: 'ack',
      expiresAt: new Date(Date.now() - 86400_000),
      tokenId: newTokenId(),
    });

    // Act: open it
    const page = await fetch(`${stack().urls.api}/ack/${expired}`);

    // Assess: 410, no form to sign, one button, no address typed in
    expect(page.status).toBe(410);
    const html = await page.text();
    expect(html).toContain('This link has expired');
    expect(html).not.toContain('name="fullName"');
    expect(html).not.toMatch(/type="email"|name="email"/);
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] as string;
    expect(action).toMatch(/^\/ack\/resend\/k1\./);

    // Act: press the button twice
    const first = await fetch(`${stack().urls.api}${action}`, { method: 'POST' });
    const second = await fetch(`${stack().urls.api}${action}`, { method: 'POST' });

    // Assess: the same answer both times; one fresh email, to the address on file
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(await first.text()).toContain('Check your email');
    const emails = await waitFor('the fresh link', async () => {
      const found = await emailsTo(email);
      return found.length >= 2 ? found : undefined;
    });
    await waitFor('the fresh invite recorded', async () => {
      const a = await table().get(`ASSIGN#${assignmentId}`, 'ASSIGNMENT');
      return a?.sends?.length === 2 && a.dueKind !== 'invite' ? a : undefined;
    });
    expect(await emailsTo(email)).toHaveLength(2);
    const fresh = ackLink(emails[1] as never);

    // Assess: the fresh link opens the form
    const form = await fetch(fresh);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('name="fullName"');
  });
});

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

describe('a link emailed to an address HR has since corrected', () => {
  it('signs nothing, and its page’s button emails a fresh link to the corrected address', async () => {
    // Prepare: invited at a mistyped address, then HR corrects it
    const event = uniqueStarter();
    const wrong = event.data.email as string;
    const right = wrong.replace('@example.org', '@right.example.org');
    const assignmentId = assignmentIdFor(event.data.employeeId as string, 'safe-internet-use');
    await postStarter(event);
    const invite = await waitFor('the invite', async () => (await emailsTo(wrong))[0]);
    await waitFor('the invite recorded', async () => {
      const a = await table().get(`ASSIGN#${assignmentId}`, 'ASSIGNMENT');
      return a?.sends?.length === 1 ? a : undefined;
    });
    const corrected = await postStarter({
      ...event,
      type: 'starter.updated',
      id: `${event.id}_corrected`,
      data: { ...event.data, email: right },
    });
    expect(corrected.status).toBe(202);

    // Act: whoever holds the mistyped mailbox signs with its link
    const signed = await fetch(ackLink(invite as never), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'fullName=Someone+Else&agree=yes',
    });

    // Assess: the expired-link page, nothing recorded
    expect(signed.status).toBe(410);
    const html = await signed.text();
    expect(html).not.toContain('name="fullName"');
    expect((await table().get(`ASSIGN#${assignmentId}`, 'ASSIGNMENT'))?.ack).toBeUndefined();

    // Act: its one button
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] as string;
    const fresh = await fetch(`${stack().urls.api}${action}`, { method: 'POST' });

    // Assess: a fresh link, to the corrected address only
    expect(fresh.status).toBe(200);
    await waitFor('the fresh link', async () => ((await emailsTo(right)).length ? true : undefined));
    expect(await emailsTo(wrong)).toHaveLength(1);
  });
});

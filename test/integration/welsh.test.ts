// A Welsh-speaking starter end to end on the local stack: Welsh invite, Welsh page, evidence of the Welsh text, a Welsh receipt, and the language told to the LMS.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assignmentIdFor } from '#shared/core/ids.ts';
import { getBundledPolicy } from '#templates/policies.ts';
import {
  ackLink,
  attest,
  emailsTo,
  postStarter,
  received,
  shell,
  shownStamp,
  table,
  uniqueStarter,
  waitFor,
} from '../support/local.ts';

const welshStarter = (locale: string) => {
  const event = uniqueStarter();
  return { ...event, data: { ...event.data, locale } };
};

describe('a Welsh-speaking starter', () => {
  it('is invited, shown the policy and sent a receipt in Welsh, and the evidence and LMS say cy', async () => {
    // Prepare
    const welsh = getBundledPolicy('safe-internet-use')?.translations?.cy;
    const event = welshStarter('cy-GB');
    const email = event.data.email as string;
    const assignmentId = assignmentIdFor(event.data.employeeId as string, 'safe-internet-use');

    // Act: HR sends the event; the invite goes out
    expect((await postStarter(event)).status).toBe(202);
    const invite = await waitFor('the Welsh invite', async () => (await emailsTo(email))[0]);

    // Assess: the subject and both parts are Welsh
    expect(invite.subject).toBe(`Darllenwch a llofnodwch: ${welsh?.title}`);
    expect(invite.body.html).toContain('lang="cy"');
    expect(invite.body.text).toContain('Helo ');
    expect(invite.body.text).toContain(welsh?.keyPoints[0]);

    // Act: the starter opens the page
    const link = ackLink(invite);
    const page = await fetch(link);
    const html = await page.text();

    // Assess: the page is Welsh, the Welsh text and statement
    expect(page.status).toBe(200);
    expect(html).toContain('<html lang="cy">');
    expect(html).toContain(`<h1>${welsh?.title}</h1>`);
    expect(html).toContain('Eich enw llawn');

    // Act: and signs
    const signed = await fetch(link, {
      method: 'POST',
      body: new URLSearchParams({ fullName: 'Siân Jones', agree: 'yes', shown: shownStamp(html) }),
    });

    // Assess: the receipt page, the evidence of the Welsh text, the Welsh receipt email
    expect(await signed.text()).toContain('Diolch — rydych wedi llofnodi’r polisi');
    const stored = await table().get(`ASSIGN#${assignmentId}`, 'ASSIGNMENT');
    expect(stored?.ack).toMatchObject({
      locale: 'cy',
      policySha256: welsh?.sha256,
      policyTitle: welsh?.title,
      statement: welsh?.statement,
    });
    const receipt = await waitFor('the Welsh receipt', async () =>
      (await emailsTo(email)).find((e) => e.subject.startsWith('Derbynneb:')),
    );
    expect(receipt.body.text).toContain('Llofnodwyd fel: Siân Jones');

    // Assess: the LMS is told the language; the evidence checks against the Welsh text
    const completion = await waitFor('the webhook', async () =>
      (await received()).find((c) => c.payload.data.assignmentId === assignmentId),
    );
    expect(completion.payload.data).toMatchObject({ locale: 'cy', policy: { sha256: welsh?.sha256 } });
    const report = JSON.parse((await attest('evidence', assignmentId)).out);
    expect(report.integrity).toEqual({ recomputedSha256: welsh?.sha256, matches: true });
    const text = await attest('evidence', assignmentId, '--text');
    expect(createHash('sha256').update(`${text.out}\n`).digest('hex')).toBe(welsh?.sha256);
  });

  it('is shown English, and signs the English text, when their locale has no translation', async () => {
    // Prepare
    const english = getBundledPolicy('safe-internet-use');
    const event = welshStarter('fr-FR');
    const email = event.data.email as string;
    const assignmentId = assignmentIdFor(event.data.employeeId as string, 'safe-internet-use');
    expect((await postStarter(event)).status).toBe(202);
    const invite = await waitFor('the invite', async () => (await emailsTo(email))[0]);
    const link = ackLink(invite);
    const html = await (await fetch(link)).text();

    // Act
    await fetch(link, {
      method: 'POST',
      body: new URLSearchParams({ fullName: 'Marie Curie', agree: 'yes', shown: shownStamp(html) }),
    });

    // Assess
    expect(invite.subject).toBe(`Please read and sign: ${english?.title}`);
    expect(html).toContain('<html lang="en-GB">');
    expect((await table().get(`ASSIGN#${assignmentId}`, 'ASSIGNMENT'))?.ack).toMatchObject({
      locale: 'en',
      policySha256: english?.sha256,
    });
  });

  it('has an agreement recorded on their behalf in Welsh, its evidence and receipt too', async () => {
    // Prepare: a Welsh-speaking starter is invited, then agrees on a paper form
    const welsh = getBundledPolicy('safe-internet-use')?.translations?.cy;
    const event = welshStarter('cy-GB');
    const email = event.data.email as string;
    const assignmentId = assignmentIdFor(event.data.employeeId as string, 'safe-internet-use');
    expect((await postStarter(event)).status).toBe(202);
    await waitFor('the invite', async () => (await emailsTo(email))[0]);

    // Act
    const accepted = await shell(
      'npx attest accept-on-behalf --employee "$EMPLOYEE" --policy safe-internet-use --note "Paper form signed at induction" --by "Grace Hopper"',
      { EMPLOYEE: event.data.employeeId as string },
    );

    // Assess
    expect([accepted.code, accepted.err]).toEqual([0, '']);
    expect(accepted.out).toMatch(/: agreement recorded on behalf of .* in Welsh \(evidence /);
    expect((await table().get(`ASSIGN#${assignmentId}`, 'ASSIGNMENT'))?.ack).toMatchObject({
      method: 'on-behalf',
      locale: 'cy',
      policySha256: welsh?.sha256,
      statement: welsh?.statement,
    });
    const receipt = await waitFor('the Welsh receipt', async () =>
      (await emailsTo(email)).find((e) => e.subject.startsWith('Derbynneb:')),
    );
    expect(receipt.body.html).toContain('lang="cy"');
  });
});

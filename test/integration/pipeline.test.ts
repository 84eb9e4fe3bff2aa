// The whole path on the embedded local stack: signed HR event → email → link → agreement → signed LMS webhook.
import { createHash } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { assignmentIdFor, starterIdFor } from '#shared/core/ids.ts';
import { lmsWebhookSchema } from '#shared/core/lms-payload.ts';
import {
  ackLink,
  attest,
  emailsTo,
  fixture,
  invitedStarter,
  postStarter,
  received,
  shownStamp,
  signedHeaders,
  stack,
  table,
  uniqueStarter,
  waitFor,
} from '../support/local.ts';

const agree = (link: string, fullName: string, shown = '') =>
  fetch(link, {
    method: 'POST',
    body: new URLSearchParams({ fullName, agree: 'yes', shown }),
    redirect: 'manual',
  });

describe('the pipeline', () => {
  it('takes a signed starter event all the way to a verified LMS completion', async () => {
    // Prepare
    const event = uniqueStarter();
    const email = event.data.email as string;
    const employeeId = event.data.employeeId as string;

    // Act: HR sends the event
    const response = await postStarter(event);

    // Assess: 202 with the contract's body
    expect(response.status).toBe(202);
    const body = (await response.json()) as {
      starterId: string;
      assignments: Array<Record<string, unknown>>;
    };
    const assignmentId = assignmentIdFor(employeeId, 'safe-internet-use');
    expect(body).toEqual({
      starterId: starterIdFor(employeeId),
      assignments: [{ id: assignmentId, policyId: 'safe-internet-use', policyVersion: 1, status: 'pending' }],
    });

    // Act: the mailer sends the invite through SES
    const [invite] = await waitFor('the invite email', async () => {
      const found = await emailsTo(email);
      return found.length ? found : undefined;
    });

    // Assess: both parts, lang, a link without personal data, the configuration set's headers
    expect(invite?.subject).toContain('Safe Internet Use');
    expect(invite?.body.html).toContain('lang="en-GB"');
    const link = ackLink(invite as never);
    expect(invite?.body.html).toContain(link);
    expect(link.startsWith(`${stack().urls.api}/ack/`)).toBe(true);
    for (const personal of [email, employeeId, 'Ada', 'Lovelace', encodeURIComponent(email)]) {
      expect(link).not.toContain(personal);
    }

    // Act: the starter opens the page (twice, as a link scanner would first)
    const scanned = await fetch(link);
    const page = await fetch(link);

    // Assess: the form, its security headers, and nothing recorded by GET
    expect(scanned.status).toBe(200);
    expect(page.status).toBe(200);
    expect(page.headers.get('referrer-policy')).toBe('same-origin');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain('Ten Steps to Minimise Professional Risk');
    expect(html).toContain(
      'I understand and agree to adhere to the Policy on the Use of Social Networking Websites',
    );
    expect(html).toMatch(/<input[^>]*name="fullName"/);
    expect(html).toMatch(
      /<input[^>]*type="checkbox"[^>]*name="agree"|<input[^>]*name="agree"[^>]*type="checkbox"/,
    );
    expect((await table().get(`ASSIGN#${assignmentId}`, 'ASSIGNMENT'))?.ack).toBeUndefined();

    // Act: the starter agrees, the form sending back its stamp of when it was shown
    const receipt = await agree(link, 'Ada Lovelace', shownStamp(html));

    // Assess: a receipt, and the evidence in the table names the exact text and the email
    expect(receipt.status).toBe(200);
    const receiptHtml = await receipt.text();
    expect(receiptHtml).toContain('Ada Lovelace');
    const stored = await table().get(`ASSIGN#${assignmentId}`, 'ASSIGNMENT');
    expect(stored?.status).toBe('acknowledged');
    expect(stored?.ack).toMatchObject({
      policyId: 'safe-internet-use',
      policyVersion: 1,
      typedName: 'Ada Lovelace',
      messageId: invite?.messageId,
      statement: 'I understand and agree to adhere to the Policy on the Use of Social Networking Websites',
    });
    expect(stored?.ack.policySha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(stored?.ack.pageShownAt)).toBeLessThanOrEqual(Date.parse(stored?.ack.acknowledgedAt));
    expect(receiptHtml).toContain(stored?.ack.evidenceId);

    // Assess: the receipt email restates what was agreed, when, and the evidence reference
    const receiptEmail = await waitFor('the receipt email', async () =>
      (await emailsTo(email)).find((e) => e.subject.startsWith('Receipt')),
    );
    expect(receiptEmail.subject).toBe(`Receipt: you signed ${stored?.ack.policyTitle} (version 1)`);
    for (const part of [receiptEmail.body.text ?? '', receiptEmail.body.html ?? '']) {
      expect(part).toContain(stored?.ack.evidenceId);
      expect(part).toContain(stored?.ack.policySha256);
      expect(part).toContain('Ada Lovelace');
      expect(part).toContain(stored?.ack.acknowledgedAt);
    }
    expect(receiptEmail.body.text).toContain(stored?.ack.statement);
    expect(receiptEmail.body.html).not.toMatch(/<a\s|<img/);

    // Act: lms-push delivers the completion
    const completion = await waitFor('the LMS completion', async () =>
      (await received()).find((c) => c.payload.data.assignmentId === assignmentId),
    );

    // Assess: the signature verifies with the LMS secret, and the body is the contract's
    const verified = new Webhook(stack().env.LMS_WEBHOOK_SECRET as string).verify(
      completion.raw.body,
      completion.raw.headers,
    );
    // …and it matches the published schema
    expect(lmsWebhookSchema.safeParse(verified).success).toBe(true);
    expect(verified).toEqual({
      type: 'policy.acknowledged',
      timestamp: expect.any(String),
      data: {
        assignmentId,
        employeeId,
        email,
        givenName: 'Ada',
        familyName: 'Lovelace',
        policy: {
          id: 'safe-internet-use',
          version: 1,
          title: stored?.ack.policyTitle,
          sha256: stored?.ack.policySha256,
        },
        acknowledgedAt: stored?.ack.acknowledgedAt,
        evidenceId: stored?.ack.evidenceId,
        // Signed through the link (an agreement recorded on the person's behalf says `on-behalf`).
        method: 'link',
        locale: 'en',
      },
    });
    await waitFor('the delivery recorded', async () => {
      const a = await table().get(`ASSIGN#${assignmentId}`, 'ASSIGNMENT');
      return a?.lms?.state === 'delivered' ? a : undefined;
    });

    // Assess: the evidence, from the records alone, names the exact text and the trail of events
    const shown = await attest('evidence', assignmentId);
    expect(shown.code).toBe(0);
    const report = JSON.parse(shown.out);
    expect(report).toMatchObject({
      status: 'acknowledged',
      evidence: stored?.ack,
      integrity: { recomputedSha256: stored?.ack.policySha256, matches: true },
      webhook: { state: 'delivered', attempts: 1 },
    });
    expect(report.audit.map((e: { kind: string }) => e.kind)).toEqual([
      'invited',
      'opened',
      'acknowledged',
      ...(report.audit[3].kind === 'delivered'
        ? ['delivered', 'receipt-sent']
        : ['receipt-sent', 'delivered']),
    ]);
    const text = await attest('evidence', assignmentId, '--text');
    expect(createHash('sha256').update(`${text.out}\n`).digest('hex')).toBe(stored?.ack.policySha256);

    // Act: a second click
    const again = await agree(link, 'Someone Else');

    // Assess: the existing acknowledgement is shown; nothing changes, nothing more is delivered
    expect(again.status).toBe(200);
    const againHtml = await again.text();
    expect(againHtml).toContain(stored?.ack.evidenceId);
    expect(againHtml).not.toContain('Someone Else');
    expect((await table().get(`ASSIGN#${assignmentId}`, 'ASSIGNMENT'))?.ack).toEqual(stored?.ack);
    expect((await received()).filter((c) => c.payload.data.assignmentId === assignmentId)).toHaveLength(1);
  });

  it('answers 401 to a bad signature and stores nothing', async () => {
    // Prepare
    const event = uniqueStarter();
    const body = JSON.stringify(event);

    // Act
    const response = await postStarter(
      event,
      signedHeaders(body, 'whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldC13cm9uZw=='),
    );

    // Assess
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(
      await table().get(`STARTER#${starterIdFor(event.data.employeeId as string)}`, 'PROFILE'),
    ).toBeUndefined();
  });

  it('answers 401 to a signature older than five minutes', async () => {
    // Prepare
    const event = uniqueStarter();
    const body = JSON.stringify(event);

    // Act
    const response = await postStarter(
      event,
      signedHeaders(body, undefined, new Date(Date.now() - 6 * 60_000)),
    );

    // Assess
    expect(response.status).toBe(401);
  });

  it.each(
    fixture<{ cases: Array<{ fields: string[]; event: { id: string; data: { employeeId: string } } }> }>(
      'invalid-examples.json',
    ).cases,
  )('answers 400 naming $fields and stores nothing', async ({ fields, event }) => {
    // Act
    const response = await postStarter(event);

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await response.json()) as { status: number; errors: Array<{ field: string }> };
    expect(problem.status).toBe(400);
    expect(problem.errors.map((e) => e.field).sort()).toEqual([...fields].sort());
    expect(await table().get(`STARTER#${starterIdFor(event.data.employeeId)}`, 'PROFILE')).toBeUndefined();
    expect(await table().get(`EVENT#hr#${event.id}`, 'RECEIPT')).toBeUndefined();
  });

  it('sends one email when the same event arrives twice', async () => {
    // Prepare
    const event = uniqueStarter('created-minimal.json');
    const email = event.data.email as string;

    // Act
    const first = await postStarter(event);
    const second = await postStarter(event);

    // Assess: the same body, one invite (and still one after the sweeper has run)
    expect(second.status).toBe(202);
    expect(await second.json()).toEqual(await first.json());
    await waitFor('the invite email', async () => ((await emailsTo(email)).length ? true : undefined));
    await waitFor('the invite recorded', async () => {
      const a = await table().get(
        `ASSIGN#${assignmentIdFor(event.data.employeeId as string, 'safe-internet-use')}`,
        'ASSIGNMENT',
      );
      return a?.status === 'invited' ? a : undefined;
    });
    await new Promise((r) => setTimeout(r, 3000));
    expect(await emailsTo(email)).toHaveLength(1);
  });

  it('shows a friendly 404 page, not an error, for a tampered link', async () => {
    // Act
    const response = await fetch(`${stack().urls.api}/ack/k1.not-a-real-token`);

    // Assess
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('not valid');
  });

  it('reports every component up on /healthz', async () => {
    // Act
    const response = await fetch(`${stack().urls.api}/healthz`);

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ok: true,
      components: { dynamodb: 'up', sqs: 'up', ses: 'up', lms: 'up', oidc: 'up' },
    });
  });
});

describe('a completion while the LMS is down', () => {
  it('is retried until the LMS is back, then arrives once with its original webhook id', async () => {
    // Prepare: the LMS answers 503 from now on
    const lms = stack().urls.lms;
    await fetch(`${lms}/outage`, { method: 'PUT' });
    const event = uniqueStarter();
    const assignmentId = assignmentIdFor(event.data.employeeId as string, 'safe-internet-use');
    try {
      await postStarter(event);
      const [invite] = await waitFor('the invite email', async () => {
        const found = await emailsTo(event.data.email as string);
        return found.length ? found : undefined;
      });

      // Act: the starter agrees during the outage
      expect((await agree(ackLink(invite as never), 'Ada Lovelace')).status).toBe(200);

      // Assess: the delivery was attempted, refused, recorded, and is still owed
      const refused = await waitFor('a refused attempt', async () => {
        const a = await table().get(`ASSIGN#${assignmentId}`, 'ASSIGNMENT');
        return a?.lms?.attempts >= 1 ? a : undefined;
      });
      expect(refused).toMatchObject({
        lmsDueAt: expect.any(String),
        lms: { state: 'pending', lastStatus: 503 },
      });
      expect((await received()).some((c) => c.payload.data.assignmentId === assignmentId)).toBe(false);
    } finally {
      // Act: the LMS comes back
      await fetch(`${lms}/outage`, { method: 'DELETE' });
    }

    // Assess: a retry delivers it, once, with the webhook id fixed at acknowledgement
    const completion = await waitFor(
      'the delivery after the outage',
      async () => (await received()).find((c) => c.payload.data.assignmentId === assignmentId),
      40_000,
    );
    const stored = await waitFor('the delivery recorded', async () => {
      const a = await table().get(`ASSIGN#${assignmentId}`, 'ASSIGNMENT');
      return a?.lms?.state === 'delivered' ? a : undefined;
    });
    expect(completion.webhookId).toBe(stored.lms.webhookId);
    expect(completion.attempts).toBe(1);
    expect(stored.lms.attempts).toBeGreaterThanOrEqual(2);
  }, 60_000);
});

describe('many clicks at once', () => {
  it('records one agreement for 20 concurrent POSTs, shows each its receipt, and sends one receipt and one completion', async () => {
    // Prepare
    const { email, assignmentId, link } = await invitedStarter();

    // Act
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => agree(link, `Person ${i}`)));

    // Assess: every one is a receipt for the one agreement that was recorded
    const stored = await table().get(`ASSIGN#${assignmentId}`, 'ASSIGNMENT');
    const pages = await Promise.all(responses.map((r) => r.text()));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    for (const page of pages) expect(page).toContain(stored?.ack.evidenceId);
    expect(pages.filter((p) => p.includes('You have already signed'))).toHaveLength(19);
    const trail = await table().partition(`ASSIGN#${assignmentId}`);
    expect(trail.filter((i) => i.kind === 'acknowledged')).toHaveLength(1);
    await waitFor('the completion', async () =>
      (await received()).find((c) => c.payload.data.assignmentId === assignmentId),
    );
    await waitFor('the receipt email', async () =>
      (await emailsTo(email)).find((e) => e.subject.startsWith('Receipt')),
    );
    // Give any duplicate a chance to arrive before counting.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await received()).filter((c) => c.payload.data.assignmentId === assignmentId)).toHaveLength(1);
    expect((await emailsTo(email)).filter((e) => e.subject.startsWith('Receipt'))).toHaveLength(1);
  });
});

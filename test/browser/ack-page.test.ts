// The acknowledgement page in a real headless Chromium on a phone-sized screen: labels, errors, receipt, accessibility, and another site's form refused.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignmentIdFor } from '#shared/core/ids.ts';
import { renderAckPage } from '#templates/ack-page.ts';
import { getBundledPolicy } from '#templates/policies.ts';
import { ARTIFACTS, axeViolations, launchChromium } from '../support/browser.ts';
import { ackLink, emailsTo, postStarter, table, uniqueStarter, waitFor } from '../support/local.ts';

async function invitedLink(locale?: string): Promise<string> {
  const fixture = uniqueStarter();
  const event = locale ? { ...fixture, data: { ...fixture.data, locale } } : fixture;
  expect((await postStarter(event)).status).toBe(202);
  const [email] = await waitFor('the invite email', async () => {
    const found = await emailsTo(event.data.email as string);
    return found.length ? found : undefined;
  });
  return ackLink(email as never);
}

describe('the acknowledgement page in Chromium', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** JavaScript is off, as for a starter who has it off: the page must work without it. */
  async function openOnPhone(url: string, { forAxe = false } = {}): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      javaScriptEnabled: forAxe,
      // Only the checker's own script needs past the page's CSP.
      bypassCSP: forAxe,
    });
    page = await context.newPage();
    await page.goto(url);
    return page;
  }

  it('is signed by its labels on a phone and shows a receipt', async () => {
    // Prepare
    const page = await openOnPhone(await invitedLink());
    await page.screenshot({ path: `${ARTIFACTS}/ack-page-phone.png` });

    // Act
    await page.getByLabel('Your full name').fill('Ada Lovelace');
    await page.getByLabel(/I have read this policy/).check();
    await page.getByRole('button', { name: 'Sign the policy' }).click();

    // Assess
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(
      'you have signed the policy',
    );
    await expect(page.locator('dd').filter({ hasText: 'Ada Lovelace' }).count()).resolves.toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}/receipt-phone.png`, fullPage: true });
  });

  it('refuses the form when another site’s page posts it, and records nothing', async () => {
    // Prepare: a starter's link, and another site (localhost, not the stack's 127.0.0.1) whose page
    // posts the agree form to it when its button is pressed
    const event = uniqueStarter();
    expect((await postStarter(event)).status).toBe(202);
    const [email] = await waitFor('the invite email', async () => {
      const found = await emailsTo(event.data.email as string);
      return found.length ? found : undefined;
    });
    const link = ackLink(email as never);
    const other = createServer((_, response) => {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(
        `<!doctype html><title>Win a prize</title><form method="post" action="${link}"><input type="hidden" name="fullName" value="Ada Lovelace"><input type="hidden" name="agree" value="yes"><button>Claim</button></form>`,
      );
    });
    other.listen(0, '127.0.0.1');
    await once(other, 'listening');
    const page = await openOnPhone(`http://localhost:${(other.address() as AddressInfo).port}/`);

    try {
      // Act
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Claim' }).click(),
      ]);

      // Assess: refused with the page saying so; no agreement on the assignment
      expect(response.status()).toBe(403);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(
        'This form was sent from another website',
      );
      const assignmentId = assignmentIdFor(event.data.employeeId as string, 'safe-internet-use');
      expect((await table().get(`ASSIGN#${assignmentId}`, 'ASSIGNMENT'))?.ack).toBeUndefined();
    } finally {
      other.close();
    }
  });

  it('re-shows the form with errors tied to their fields when nothing is filled in', async () => {
    // Prepare
    const page = await openOnPhone(await invitedLink());

    // Act
    await page.getByRole('button', { name: 'Sign the policy' }).click();

    // Assess
    const name = page.getByLabel('Your full name');
    await expect(name.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#fullName-error').textContent()).resolves.toBe('Enter your full name.');
    await expect(
      page.getByLabel(/I have read this policy/).getAttribute('aria-describedby'),
    ).resolves.toContain('agree-error');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('There is a problem');
    await page.screenshot({ path: `${ARTIFACTS}/ack-page-errors-phone.png` });
  });

  it('has no accessibility violations, with or without errors', async () => {
    // Prepare
    const page = await openOnPhone(await invitedLink(), { forAxe: true });

    // Act
    const fresh = await axeViolations(page);
    await page.getByRole('button', { name: 'Sign the policy' }).click();
    const withErrors = await axeViolations(page);

    // Assess
    expect(fresh).toEqual([]);
    expect(withErrors).toEqual([]);
  });

  it('declines with a reason, then can still sign, with no accessibility violations', async () => {
    // Prepare: the bundled policy is declinable
    const page = await openOnPhone(await invitedLink(), { forAxe: true });

    // Act: first with no reason, then with one
    await page.getByLabel('Your name', { exact: true }).fill('Ada Lovelace');
    await page.getByRole('button', { name: 'I do not agree' }).click();
    const refused = await axeViolations(page);
    const reasonError = await page.locator('#reason-error').textContent();
    const describedBy = await page.getByLabel('Why you do not agree').getAttribute('aria-describedby');
    await page.getByLabel('Why you do not agree').fill('I cannot agree to clause 4 without\ntalking to HR.');
    await page.getByRole('button', { name: 'I do not agree' }).click();
    const declined = await axeViolations(page);
    await page.screenshot({ path: `${ARTIFACTS}/ack-page-declined-phone.png`, fullPage: true });
    const status = await page.getByRole('status').textContent();
    await page.getByLabel('Your full name').fill('Ada Lovelace');
    await page.getByLabel(/I have read this policy/).check();
    await page.getByRole('button', { name: 'Sign the policy' }).click();

    // Assess
    expect(reasonError).toBe('Tell us why you do not agree.');
    expect(describedBy).toBe('reason-hint reason-error');
    expect(refused).toEqual([]);
    expect(status).toContain('We have recorded that you do not agree');
    expect(declined).toEqual([]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(
      'you have signed the policy',
    );
  });

  it('shows what changed in a new version with no accessibility violations', async () => {
    // Prepare: the page as the ack function renders a version 2 that lists its changes
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
    const phone = await context.newPage();
    const policy = { ...(getBundledPolicy('safe-internet-use') ?? (undefined as never)), version: 2 };
    const changes = [
      'Incidents are now reported to the designated safeguarding lead.',
      'Phones are covered.',
    ];
    await phone.setContent(
      renderAckPage({
        policy: { ...policy, changes, publishedAt: '2026-11-24T09:00:00.000Z' },
        formAction: '/ack/x',
        shown: 's',
      }),
    );

    // Act
    const violations = await axeViolations(phone);

    // Assess
    const section = phone.getByRole('region', { name: 'What changed in version 2' });
    expect(await section.getByRole('listitem').allTextContents()).toEqual(changes);
    expect(violations).toEqual([]);
    await phone.screenshot({ path: `${ARTIFACTS}/ack-page-changes-phone.png` });
  });

  it('is Welsh for a Welsh starter: marked as Welsh, signed by its Welsh labels, with no accessibility violations', async () => {
    // Prepare
    const page = await openOnPhone(await invitedLink('cy-GB'), { forAxe: true });
    const violations = await axeViolations(page);
    await page.screenshot({ path: `${ARTIFACTS}/ack-page-welsh-phone.png` });

    // Act
    await page.getByLabel('Eich enw llawn').fill('Siân Jones');
    await page.getByLabel(/Rwyf wedi darllen y polisi hwn/).check();
    await page.getByRole('button', { name: 'Llofnodi’r polisi' }).click();

    // Assess
    expect(violations).toEqual([]);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('cy');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Diolch — rydych wedi llofnodi’r polisi',
    );
    await expect(
      page.locator('dd').filter({ hasText: 'Defnyddio’r Rhyngrwyd yn Ddiogel' }).count(),
    ).resolves.toBe(1);
    await expect(axeViolations(page)).resolves.toEqual([]);
  });
});

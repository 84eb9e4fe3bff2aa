// The HR console in headless Chromium as its users meet it: sign-in at the provider's own form, the report's numbers, an admin's resend, the auditor's limits, CSRF, axe and the keyboard.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignmentIdFor, starterIdFor } from '#shared/core/ids.ts';
import { LOCAL_CONSOLE_PASSWORD } from '../../local/settings.ts';
import type { LocalStack } from '../../local/stack.ts';
import { ARTIFACTS, axeViolations, launchChromium } from '../support/browser.ts';
import { REPORT_CSV_HEADER } from '../support/fakes.ts';
import {
  ackLink,
  attestOn,
  emailsTo,
  outageOn,
  postStarterTo,
  type StoredEmail,
  startPrivateStack,
  uniqueStarter,
  waitFor,
} from '../support/local.ts';

const POLICY = 'safe-internet-use';
const POLICY_FILE = new URL('../../templates/policies/safe-internet-use.md', import.meta.url);
const NEW_PARAGRAPH = 'Staff must complete online-safety refresher training every year.';
const ADMIN = 'hr@attest.example';
const AUDITOR = 'auditor@attest.example';
// Family names found by search; two departments, so the chart and its table have two groups.
const FAMILY_NAMES = ['Okonkwo', 'Nakamura', 'Fitzgerald', 'Abernathy', 'Lindqvist'] as const;
const DEPARTMENTS = ['Children’s Services', 'Adult Social Care'] as const;

interface Starter {
  event: unknown;
  familyName: string;
  email: string;
  employeeId: string;
  assignmentId: string;
}

/** `attest report`'s summary line, parsed: what the overview must show for the same data. */
interface ReportNumbers {
  title: string;
  asked: number;
  signed: number;
  percent: string;
  unsigned: number;
  byStatus: Record<'pending' | 'invited' | 'overdue' | 'bounced' | 'declined', number>;
  cancelled: number;
}

function parseReport(out: string): ReportNumbers {
  const [heading = '', summary = ''] = out.split('\n');
  const match =
    /People asked: (\d+)\. Signed: (\d+) \(([^)]+)\)\. Not signed: (\d+)(?: \(([^)]*)\))?\. Cancelled: (\d+)\./.exec(
      summary,
    );
  if (!match) throw new Error(`no summary line in the report: ${out.slice(0, 300)}`);
  const byStatus = { pending: 0, invited: 0, overdue: 0, bounced: 0, declined: 0 };
  for (const part of (match[5] ?? '').split(', ').filter(Boolean)) {
    const [count, ...words] = part.split(' ');
    const status = words.join(' ') === 'not yet invited' ? 'pending' : words.join(' ');
    byStatus[status as keyof typeof byStatus] = Number(count);
  }
  return {
    title: heading.replace(/ \(.*$/, ''),
    asked: Number(match[1]),
    signed: Number(match[2]),
    percent: match[3] as string,
    unsigned: Number(match[4]),
    byStatus,
    cancelled: Number(match[6]),
  };
}

/**
 * What a keyboard user lands on, in words a failure message can show; its place in the document
 * keeps two alike apart (tables whose captions start the same).
 */
const DESCRIBE_FOCUS = `(el) => {
  if (!el || el === document.body) return 'body';
  const name = el.getAttribute('href') ?? el.getAttribute('name') ?? el.getAttribute('aria-labelledby') ?? '';
  const at = [...document.querySelectorAll('*')].indexOf(el);
  return el.tagName.toLowerCase() + ' ' + name + ' ' + (el.textContent ?? '').trim().slice(0, 30) + ' @' + at;
}`;

// A test walks up to 18 pages in a browser: on two cores shared with other work that can take well
// over the default 30 s, which measures the machine, not the console.
describe('the HR console in Chromium', { timeout: 120_000 }, () => {
  let stack: LocalStack;
  let browser: Browser;
  let consoleUrl: string;
  let starters: Starter[];
  const report = async () => {
    const { code, out, err } = await attestOn(stack, ['report', '--policy', POLICY]);
    if (code !== 0) throw new Error(`attest report failed: ${err}`);
    return parseReport(out);
  };
  const opened: BrowserContext[] = [];

  /** A browser profile of its own. JavaScript off, as the console must work without it; on only for axe, which the driver runs past the CSP. */
  async function newContext({
    forAxe = false,
    viewport = { width: 1280, height: 900 },
  }: {
    forAxe?: boolean;
    viewport?: { width: number; height: number };
  } = {}) {
    const context = await browser.newContext({ viewport, javaScriptEnabled: forAxe, bypassCSP: forAxe });
    // A missing control fails in seconds, well inside the test's own timeout.
    context.setDefaultTimeout(5000);
    opened.push(context);
    return context;
  }

  /** Signs in at the provider's own form, as a person would: the console sends them there and back. */
  async function signIn(context: BrowserContext, email: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(consoleUrl);
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(LOCAL_CONSOLE_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(consoleUrl);
    return page;
  }

  let admin: Promise<Page> | undefined;
  /** The admin's tab, signed in by the first test that needs it and shared after: each sign-in costs a second or two. */
  const asAdmin = () => {
    admin ??= newContext().then((context) => signIn(context, ADMIN));
    return admin;
  };

  const personUrl = (s: Starter) => `${consoleUrl}people/${encodeURIComponent(starterIdFor(s.employeeId))}`;
  const auditRows = (page: Page) => page.locator('table:has(caption:text-matches("^Audit trail")) tbody tr');

  beforeAll(async () => {
    // A stack of this file's own: no other test file's starters change its numbers.
    [stack, browser] = await Promise.all([startPrivateStack({}), launchChromium()]);
    consoleUrl = stack.urls.console;
    starters = FAMILY_NAMES.map((familyName, i) => {
      const unique = uniqueStarter();
      const event = { ...unique, data: { ...unique.data, familyName, department: DEPARTMENTS[i % 2] } };
      const employeeId = event.data.employeeId as string;
      return {
        event,
        familyName,
        email: event.data.email as string,
        employeeId,
        assignmentId: assignmentIdFor(employeeId, POLICY),
      };
    });
    for (const { event } of starters) expect((await postStarterTo(stack, event)).status).toBe(202);
    const invites = await Promise.all(
      starters.map((s) =>
        waitFor(`${s.familyName}'s invite`, async () => (await emailsTo(s.email, stack.urls.mailbox))[0]),
      ),
    );

    // The first signs in Chromium while the LMS refuses (400), so the delivery is dead-lettered
    // at once and the deliveries page has a line to replay.
    await outageOn(stack, 400);
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(ackLink(invites[0] as StoredEmail));
    await page.getByLabel('Your full name').fill('Ada Okonkwo');
    await page.getByLabel(/I have read this policy/).check();
    await page.getByRole('button', { name: 'Sign the policy' }).click();
    await page.getByRole('heading', { level: 1, name: /you have signed the policy/ }).waitFor();
    await context.close();
    await waitFor('the dead letter', async () => {
      const { out } = await attestOn(stack, ['lms', 'dead-letters']);
      return out.includes(starters[0]?.assignmentId as string) || undefined;
    });
    await outageOn(stack);
    // The overview is read once every invite is sent: no one is pending any more.
    await waitFor('everyone invited or signed', async () => {
      const numbers = await report();
      return numbers.byStatus.pending === 0 && numbers.signed === 1 ? numbers : undefined;
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close().catch(() => undefined)));
    await browser?.close();
    await stack?.stop();
  });

  it('sends a signed-out request to the provider’s sign-in and refuses a signed-out action', async () => {
    // Act
    const page = await fetch(consoleUrl, { redirect: 'manual' });
    const action = await fetch(`${consoleUrl}actions/resend`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: new URL(consoleUrl).origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ assignment: starters[1]?.assignmentId as string, reason: 'signed out' }),
    });

    // Assess
    expect(page.status).toBe(302);
    expect(page.headers.get('location')?.startsWith(`${stack.urls.oidc}/auth`)).toBe(true);
    expect(action.status).toBe(403);
  });

  it('shows the admin, signed in at the provider, the numbers attest report gives', async () => {
    // Prepare
    const expected = await report();
    const page = await asAdmin();
    await page.goto(consoleUrl);

    // Act: each figure by its label, in the policy's own section
    const section = page.locator(
      `xpath=//h2[starts-with(normalize-space(.), "${expected.title}")]/following-sibling::dl[contains(@class, "stats")][1]`,
    );
    const figure = async (label: string) =>
      (
        await section
          .locator('div')
          .filter({ has: page.getByText(label, { exact: true }) })
          .locator('dd')
          .textContent()
      )?.trim();
    const shown = {
      asked: Number(await figure('Asked')),
      signed: await figure('Signed'),
      unsigned: Number(await figure('Not signed')),
      overdue: Number(await figure('Overdue')),
      bounced: Number(await figure('Bounced')),
      declined: Number(await figure('Declined')),
      invited: Number(await figure('Invited')),
      pending: Number(await figure('Pending (not yet invited)')),
      cancelled: Number(await figure('Cancelled')),
    };
    await page.screenshot({ path: `${ARTIFACTS}/console-overview.png`, fullPage: true });

    // Assess
    expect(expected).toMatchObject({ asked: 5, signed: 1 });
    expect(shown).toEqual({
      asked: expected.asked,
      signed: `${expected.signed} (${expected.percent})`,
      unsigned: expected.unsigned,
      ...expected.byStatus,
      cancelled: expected.cancelled,
    });
    await expect(page.getByText(`Signed in as ${ADMIN} (Admin)`).count()).resolves.toBe(1);
  });

  it('lets the admin find a person, resend their invite with a reason, and records it', async () => {
    // Prepare
    const starter = starters[1] as Starter;
    const page = await asAdmin();
    await page.goto(consoleUrl);
    await page.getByRole('link', { name: 'People' }).click();
    await page.getByLabel('Name, email or employee id').fill(starter.familyName);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: `Ada ${starter.familyName}` }).click();
    await page.getByRole('link', { name: /^Resend invite/ }).click();
    await page.screenshot({ path: `${ARTIFACTS}/console-confirm.png`, fullPage: true });

    // Act
    await page.getByLabel('Reason (recorded in the audit trail)').fill('Starter lost the first email');
    await page.getByRole('button', { name: 'Resend the invite' }).click();

    // Assess
    expect(page.url()).toBe(`${personUrl(starter)}?done=resend`);
    await expect(page.getByRole('status').textContent()).resolves.toContain('Invite resent');
    const entry = auditRows(page).filter({
      has: page.getByRole('rowheader', { name: 'Fresh link requested' }),
    });
    await expect(entry.count()).resolves.toBe(1);
    await expect(entry.textContent()).resolves.toMatch(/reason:\s*Starter lost the first email/);
    await expect(entry.textContent()).resolves.toContain(ADMIN);
    await page.screenshot({ path: `${ARTIFACTS}/console-person-resent.png`, fullPage: true });
    await waitFor('the second invite', async () => {
      const found = await emailsTo(starter.email, stack.urls.mailbox);
      return found.length === 2 ? found : undefined;
    });
    // The same form sent again (a double click): refused, naming the person and policy, not an id.
    const csrf = await page
      .locator('form[action="/console/auth/logout"] input[name="csrf"]')
      .getAttribute('value');
    const again = await page.context().request.post(`${consoleUrl}actions/resend`, {
      form: { csrf: csrf as string, assignment: starter.assignmentId, reason: 'Clicked twice' },
      headers: { origin: new URL(consoleUrl).origin },
      maxRedirects: 0,
    });
    expect(again.status()).toBe(409);
    const refusal = /<div class="notice notice-error" role="alert"><p>([^<]*)<\/p>/.exec(
      await again.text(),
    )?.[1];
    expect(refusal).toMatch(
      new RegExp(
        `^Ada ${starter.familyName} was not sent another invite to .+ \\(version 1\\): a fresh link`,
      ),
    );
  });

  it('re-shows the confirmation with the error tied to the reason when none is given, and does nothing', async () => {
    // Prepare
    const starter = starters[2] as Starter;
    const page = await asAdmin();
    await page.goto(personUrl(starter));
    const before = await auditRows(page).allTextContents();
    await page.getByRole('link', { name: /^Resend invite/ }).click();

    // Act
    const answer = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Resend the invite' }).click();
    const status = (await answer).status();

    // Assess
    expect(status).toBe(422);
    const reason = page.getByLabel('Reason (recorded in the audit trail)');
    await expect(reason.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(reason.getAttribute('aria-describedby')).resolves.toBe('reason-error');
    await expect(page.locator('#reason-error').textContent()).resolves.toContain('Say why');
    await page.screenshot({ path: `${ARTIFACTS}/console-confirm-error.png`, fullPage: true });
    await page.goto(personUrl(starter));
    await expect(auditRows(page).allTextContents()).resolves.toEqual(before);
  });

  it('downloads a person’s subject access export as JSON, and as a page with its own CSP', async () => {
    // Prepare
    const starter = starters[0] as Starter;
    const page = await asAdmin();
    const starterId = starterIdFor(starter.employeeId);

    // Act
    const json = await page.request.get(`${personUrl(starter)}/subject-access.json`);
    const html = await page.request.get(`${personUrl(starter)}/subject-access.html`);

    // Assess
    expect(json.status()).toBe(200);
    const data = (await json.json()) as {
      about: { starterId: string; employeeId: string };
      assignments: { policy: { id: string } }[];
    };
    expect(data.about).toMatchObject({ starterId, employeeId: starter.employeeId });
    expect(data.assignments.map((a) => a.policy.id)).toContain(POLICY);
    expect(html.status()).toBe(200);
    expect(html.headers()['content-disposition']).toContain(`attest-subject-access-${starterId}.html`);
    expect(html.headers()['content-security-policy']).toMatch(/^default-src 'none'; style-src 'sha256-/);
    await expect(html.text()).resolves.toContain('<title>Subject access export (attest)</title>');
  });

  it('shows the auditor no actions, refuses the auditor’s forged action, and exports the CSV', async () => {
    // Prepare: what the admin is offered on the same pages, so that none for the auditor means something
    const [signed, unsigned] = starters as [Starter, Starter];
    const admin = await asAdmin();
    await admin.goto(personUrl(signed));
    const adminPersonActions = await admin.locator('a[href*="/console/actions/"]').count();
    await admin.goto(`${consoleUrl}deliveries`);
    const adminReplays = await admin.getByRole('link', { name: /^Replay/ }).count();
    const context = await newContext();
    const page = await signIn(context, AUDITOR);
    await page.goto(personUrl(signed));
    const personActions = await page.locator('a[href*="/console/actions/"]').count();
    await page.goto(personUrl(unsigned));
    const unsignedActions = await page.locator('a[href*="/console/actions/"]').count();
    const before = await auditRows(page).allTextContents();
    const csrf = await page
      .locator('form[action="/console/auth/logout"] input[name="csrf"]')
      .getAttribute('value');
    await page.getByRole('link', { name: 'Deliveries' }).click();
    const deadLetters = await page.getByRole('rowheader', { name: `Ada ${signed.familyName}` }).count();
    const deliveryActions = await page.locator('a[href*="/console/actions/"]').count();
    const replays =
      (await page.getByRole('link', { name: /replay/i }).count()) +
      (await page.getByRole('button', { name: /replay/i }).count()) +
      (await page.getByRole('columnheader', { name: 'Replay' }).count());
    await page.screenshot({ path: `${ARTIFACTS}/console-deliveries-auditor.png`, fullPage: true });

    // Act
    const forged = await context.request.post(`${consoleUrl}actions/resend`, {
      form: { csrf: csrf as string, assignment: unsigned.assignmentId, reason: 'forged by test' },
      headers: { origin: new URL(consoleUrl).origin },
      maxRedirects: 0,
    });
    await page.goto(personUrl(unsigned));
    const after = await auditRows(page).allTextContents();
    /** The CSV through the Exports form, and `attest report --csv` read straight after it. */
    const exported = async () => {
      await page.getByRole('link', { name: 'Exports' }).click();
      await page.getByLabel('Policy').selectOption(POLICY);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download the CSV' }).click(),
      ]);
      const csv = (await readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, '');
      const cli = await attestOn(stack, ['report', '--policy', POLICY, '--csv']);
      return { csv, cli: cli.out };
    };
    // The resend before this test is still being recorded (its invite's send) for a moment after its
    // email arrives: the two exports are compared once the rows stop changing between them.
    const { csv, cli } = await waitFor('the CSV and the report to agree', async () => {
      const both = await exported();
      return both.csv.trim() === both.cli.trim() ? both : undefined;
    });

    // Assess
    expect({ adminPersonActions, adminReplays }).toEqual({ adminPersonActions: 1, adminReplays: 1 });
    expect({ personActions, unsignedActions, deliveryActions, replays }).toEqual({
      personActions: 0,
      unsignedActions: 0,
      deliveryActions: 0,
      replays: 0,
    });
    expect(deadLetters).toBe(1);
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain('Only admins can do this');
    expect(after).toEqual(before);
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toBe(REPORT_CSV_HEADER);
    // One row for each of the four not signed, found by their address, and no one else.
    const listed = lines.slice(1).map((line) => starters.find((s) => line.includes(s.email))?.familyName);
    expect(listed.sort()).toEqual(FAMILY_NAMES.slice(1).sort());
    // And the same rows as `attest report --csv` gives for the policy.
    expect(lines).toEqual(cli.trim().split(/\r?\n/));
  });

  it('shows the exports form again, as filled in, when its days are the wrong way round', async () => {
    // Prepare
    const page = await asAdmin();
    await page.goto(`${consoleUrl}exports`);
    await page.getByLabel('Policy').selectOption(POLICY);
    await page.getByLabel('Assigned from').fill('2026-12-10');
    await page.getByLabel('Assigned up to').fill('2026-12-01');

    // Act
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/console/exports/report.csv')),
      page.getByRole('button', { name: 'Download the CSV' }).click(),
    ]);

    // Assess: a page, not a download or a bare error; the days kept, the wrong one marked
    expect(answer.status()).toBe(422);
    expect(await page.getByRole('alert').textContent()).toMatch(
      /The CSV was not made: one answer needs correcting/,
    );
    const since = page.getByLabel('Assigned from');
    expect(await since.inputValue()).toBe('2026-12-10');
    expect(await since.getAttribute('aria-invalid')).toBe('true');
    const described = (await since.getAttribute('aria-describedby'))?.split(' ') ?? [];
    const said = await Promise.all(described.map((id) => page.locator(`#${id}`).textContent()));
    expect(said.join(' ')).toContain('The first day must not be after the last.');
    expect(await page.getByLabel('Assigned up to').inputValue()).toBe('2026-12-01');
    expect(await page.getByLabel('Policy').inputValue()).toBe(POLICY);
  });

  it('refuses a POST without the CSRF token, and one with it from a foreign Origin', async () => {
    // Prepare
    const starter = starters[3] as Starter;
    const page = await asAdmin();
    const context = page.context();
    await page.goto(personUrl(starter));
    const before = await auditRows(page).allTextContents();
    const csrf = (await page
      .locator('form[action="/console/auth/logout"] input[name="csrf"]')
      .getAttribute('value')) as string;
    const resend = (form: Record<string, string>, origin: string) =>
      context.request.post(`${consoleUrl}actions/resend`, { form, headers: { origin }, maxRedirects: 0 });
    const fields = { assignment: starter.assignmentId, reason: 'a request from elsewhere' };

    // Act
    const withoutToken = await resend(fields, new URL(consoleUrl).origin);
    const foreign = await resend({ ...fields, csrf }, 'https://attacker.example');

    // Assess
    expect([withoutToken.status(), foreign.status()]).toEqual([403, 403]);
    await expect(withoutToken.text()).resolves.toContain('This request was refused');
    await page.reload();
    await expect(auditRows(page).allTextContents()).resolves.toEqual(before);
  });

  it('has no accessibility violations on any page, signed in or not, on a desktop and a phone', async () => {
    // Prepare
    const [signed, unsigned] = starters as [Starter, Starter];
    const page = await signIn(await newContext({ forAxe: true }), ADMIN);
    const found: Record<string, string[]> = {};
    const check = async (name: string) => {
      found[name] = await axeViolations(page);
    };
    const visit = async (name: string, url: string) => {
      await page.goto(url);
      await check(name);
    };

    // Act
    await check('overview');
    await visit('people', `${consoleUrl}people`);
    await page.getByLabel('Name, email or employee id').fill('Ada');
    await page.getByRole('button', { name: 'Search' }).click();
    await check('people with results');
    await page.getByLabel('Name, email or employee id').fill('nobody-by-this-name');
    await page.getByRole('button', { name: 'Search' }).click();
    await check('people without results');
    await visit('person, signed, with a dead letter', personUrl(signed));
    await visit('person, invited', personUrl(unsigned));
    await visit('confirm', `${consoleUrl}actions/resend?assignment=${unsigned.assignmentId}`);
    await page.getByRole('button', { name: 'Resend the invite' }).click();
    await check('confirm with an error');
    await visit('policies', `${consoleUrl}policies`);
    await visit('deliveries', `${consoleUrl}deliveries`);
    await visit('exports', `${consoleUrl}exports`);
    await visit('not found', `${consoleUrl}no-such-page`);
    await page.setViewportSize({ width: 390, height: 844 });
    await visit('overview on a phone', consoleUrl);
    await visit('person on a phone', personUrl(signed));
    const outside = await (await newContext({ forAxe: true })).newPage();
    await outside.goto(consoleUrl);
    found['provider’s sign-in'] = await axeViolations(outside);
    await outside.getByLabel('Email address').fill(ADMIN);
    await outside.getByLabel('Password').fill('not the password');
    await outside.getByRole('button', { name: 'Sign in' }).click();
    await outside.getByText('The email address or password is not right').waitFor();
    found['provider’s sign-in, wrong password'] = await axeViolations(outside);
    await outside.goto(`${consoleUrl}signed-out`);
    found['signed out'] = await axeViolations(outside);

    // Assess
    expect(Object.keys(found)).toHaveLength(17);
    expect(Object.entries(found).filter(([, violations]) => violations.length)).toEqual([]);
  });

  it('reaches every control of each page by Tab alone, in document order, after a working skip link', async () => {
    // Prepare
    const [signed, unsigned] = starters as [Starter, Starter];
    const page = await asAdmin();
    const pages = {
      overview: consoleUrl,
      people: `${consoleUrl}people`,
      person: personUrl(signed),
      confirm: `${consoleUrl}actions/resend?assignment=${unsigned.assignmentId}`,
      policies: `${consoleUrl}policies`,
      deliveries: `${consoleUrl}deliveries`,
      exports: `${consoleUrl}exports`,
    };
    const reached: Record<string, string[]> = {};
    const controls: Record<string, string[]> = {};
    const skipped: Record<string, string> = {};

    // Act
    for (const [name, url] of Object.entries(pages)) {
      await page.goto(url);
      controls[name] =
        await page.evaluate(`[...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, [tabindex="0"]')]
        .filter((el) => el.checkVisibility({ visibilityProperty: true }))
        .map(${DESCRIBE_FOCUS})`);
      const order: string[] = [];
      // Until focus leaves the page or comes round again; at most three presses a control.
      for (let i = 0; i < 3 * (controls[name]?.length ?? 0) + 3; i++) {
        await page.keyboard.press('Tab');
        const at = (await page.evaluate(`(${DESCRIBE_FOCUS})(document.activeElement)`)) as string;
        if (at === 'body' || at === order[0]) break;
        // A date field takes a Tab for each of its day, month and year: one control all the same.
        if (at !== order[order.length - 1]) order.push(at);
      }
      reached[name] = order;
      // Back to the top: the skip link, Enter puts focus on main, and Tab goes on from there.
      await page.goto(url);
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      const onMain = await page.evaluate(`document.activeElement.id === 'main'`);
      await page.keyboard.press('Tab');
      const next = await page.evaluate(
        `document.activeElement.closest('main') ? 'in main' : (${DESCRIBE_FOCUS})(document.activeElement)`,
      );
      skipped[name] = `${onMain ? 'on main' : 'not on main'}, then ${next}`;
    }

    // Assess
    expect(reached).toEqual(controls);
    for (const order of Object.values(reached)) expect(order[0]).toMatch(/^a #main Skip to main content @/);
    expect(Object.values(skipped)).toEqual(Object.keys(pages).map(() => 'on main, then in main'));
  });

  it('signs in by keyboard alone at the provider’s form', async () => {
    // Prepare
    const page = await (await newContext()).newPage();
    await page.goto(consoleUrl);

    // Act
    await page.keyboard.press('Tab');
    await page.keyboard.type(AUDITOR);
    await page.keyboard.press('Tab');
    await page.keyboard.type(LOCAL_CONSOLE_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(consoleUrl);

    // Assess
    await expect(page.getByText(`Signed in as ${AUDITOR} (Auditor)`).count()).resolves.toBe(1);
  });

  it('signs out of the console and of the provider, which then asks for the password again', async () => {
    // Prepare
    const page = await signIn(await newContext(), ADMIN);

    // Act
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign out of attest?' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/console-provider-sign-out.png` });
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${consoleUrl}signed-out`);
    const heading = await page.getByRole('heading', { level: 1 }).textContent();
    await page.screenshot({ path: `${ARTIFACTS}/console-signed-out.png` });
    await page.goto(consoleUrl);

    // Assess
    expect(heading).toBe('You have signed out');
    expect(page.url().startsWith(`${stack.urls.oidc}/`)).toBe(true);
    await expect(page.getByLabel('Password').count()).resolves.toBe(1);
  });

  it('lists a newly published version and shows, accessibly, what changed in it', async () => {
    // Prepare: version 2 adds a paragraph (published last: it moves the unsigned to it)
    const changed = readFileSync(POLICY_FILE, 'utf8').replace(
      '## Safeguarding Children',
      `${NEW_PARAGRAPH}\n\n## Safeguarding Children`,
    );
    const file = join(mkdtempSync(join(tmpdir(), 'attest-console-policy-')), 'safe-internet-use.md');
    writeFileSync(file, changed);
    expect((await attestOn(stack, ['policy', 'publish', file])).code).toBe(0);
    const page = await signIn(await newContext({ forAxe: true }), AUDITOR);

    // Act
    await page.goto(`${consoleUrl}policies`);
    await page.getByRole('link', { name: /What changed from version 1/ }).click();
    const added = await page.locator('ins').allTextContents();
    const violations = await axeViolations(page);
    await page.screenshot({ path: `${ARTIFACTS}/console-policy-diff.png`, fullPage: true });

    // Assess
    expect(page.url()).toBe(`${consoleUrl}policies/${POLICY}/diff?from=1&to=2`);
    expect(added.join('')).toContain(NEW_PARAGRAPH);
    expect(violations).toEqual([]);
  });
});

// The subject access export's HTML: valid, self-contained, every value escaped.
import { describe, expect, it } from 'vitest';
import { makeSubjectAccessExport } from '#shared/core/privacy/export.ts';
import { renderSubjectAccessHtml, SUBJECT_ACCESS_CSP } from '#templates/privacy-export.ts';
import {
  aPolicy,
  aStarter,
  FakeClock,
  FakeStore,
  seedDeadLetter,
  seedSigned,
  XAPI_SETTINGS,
} from '../../support/fakes.ts';
import { pageProblems } from '../../support/html.ts';

async function exportOf(starter: Parameters<typeof aStarter>[0]) {
  const store = new FakeStore();
  await store.putPolicyVersion(aPolicy());
  const employeeId = starter?.employeeId ?? 'E1';
  const id = await seedSigned(store, employeeId, {
    webhook: { webhookId: 'wh_1' },
    xapi: { statementId: 'st_1' },
    moodle: { completionId: 'moodle_1' },
  });
  await seedDeadLetter(store, id, 'xapi', '2026-11-25T15:00:00.000Z', { body: '<b>nope</b>' });
  await store.putStarter(aStarter({ employeeId, ...starter }));
  return makeSubjectAccessExport({
    store,
    clock: new FakeClock(new Date('2026-12-01T10:00:00.000Z')),
    version: '1.2.3',
    payloads: { xapi: XAPI_SETTINGS },
  })(employeeId);
}

describe('renderSubjectAccessHtml', () => {
  it('renders a valid page in British English with the person, their evidence and deliveries', async () => {
    // Prepare
    const data = await exportOf({
      employeeId: 'E1',
      manager: { name: 'Mo Manager', email: 'mo@example.org' },
    });

    // Act
    const page = renderSubjectAccessHtml(data);

    // Assess
    expect(await pageProblems(page)).toEqual([]);
    expect(page).toContain('<html lang="en-GB">');
    expect(page).toContain('What attest holds about Ada Lovelace');
    expect(page).toContain('mo@example.org');
    expect(page).toContain('203.0.113.7'); // the IP address signed from
    expect(page).toContain('policy.acknowledged'); // the webhook body, rebuilt
    expect(page).toMatch(/moodle: the payload could not be rebuilt: the Moodle settings/);
    expect(page).toContain('Not included');
    expect(page).not.toMatch(/<script|<img|<link|https?:\/\/[^"<]*\.(css|js)/);
  });

  it('marks a Welsh speaker’s Welsh evidence and decline lang="cy", the page staying British English', async () => {
    // Prepare: they declined, then signed, on the Welsh page
    const data = await exportOf({ employeeId: 'E4', locale: 'cy-GB' });
    const [signed] = data.assignments;
    if (!signed?.evidence) throw new Error('seeded as signed');
    const welsh = {
      locale: 'cy',
      policyTitle: 'Defnyddio’r Rhyngrwyd yn Ddiogel',
      statement: 'Rwyf wedi darllen y polisi ac yn cytuno i’w ddilyn.',
      typedName: 'Siân Llewelyn',
    };
    signed.evidence = { ...signed.evidence, ...welsh };
    signed.declines = [
      {
        ...welsh,
        declineId: 'dc_1',
        declinedAt: '2026-11-04T10:00:00.000Z',
        policyId: signed.evidence.policyId,
        policyVersion: 1,
        policySha256: signed.evidence.policySha256,
        reason: 'Mae angen i mi ofyn i fy rheolwr yn gyntaf.',
        ipAddress: '203.0.113.7',
        userAgent: 'Mozilla/5.0',
        tokenId: 'tok_0',
        messageId: null,
      },
    ];

    // Act
    const page = renderSubjectAccessHtml(data);

    // Assess
    expect(page).toContain('<html lang="en-GB">');
    expect(page).toContain('<th scope="row">statement</th><td lang="cy">Rwyf wedi darllen');
    expect(page).toContain('<th scope="row">policyTitle</th><td lang="cy">Defnyddio’r Rhyngrwyd');
    expect(page).toContain('<th scope="row">reason</th><td lang="cy">Mae angen');
    expect(page).toContain('<th scope="row">locale</th><td>cy</td>');
    // Each text twice (the agreement, the decline), the reason once.
    expect(page.match(/ lang="cy"/g)).toHaveLength(7);
    expect(await pageProblems(page)).toEqual([]);
  });

  it('escapes every value, a name like <script> among them', async () => {
    // Prepare
    const data = await exportOf({
      employeeId: 'E<2>',
      givenName: '<script>alert(1)</script>',
      familyName: '"O\'Brien"&',
    });

    // Act
    const page = renderSubjectAccessHtml(data);

    // Assess
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<b>nope</b>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('E&lt;2&gt;');
    expect(await pageProblems(page)).toEqual([]);
  });

  it('carries a strict CSP allowing only its own stylesheet', async () => {
    // Prepare
    const data = await exportOf({ employeeId: 'E3' });

    // Act
    const page = renderSubjectAccessHtml(data);

    // Assess
    expect(SUBJECT_ACCESS_CSP).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(page).toContain(`content="${SUBJECT_ACCESS_CSP.replaceAll("'", '&#39;')}"`);
  });
});

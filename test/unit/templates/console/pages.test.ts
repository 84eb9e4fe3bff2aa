// The console's pages rendered from realistic views: valid, escaped, and acting only where the view allows.
import { describe, expect, it } from 'vitest';
import type { PersonAssignment } from '#shared/core/console/views.ts';
import { renderOverview } from '#templates/console/overview.ts';
import {
  renderConfirm,
  renderDeliveries,
  renderExports,
  renderPolicies,
  renderPolicyDiff,
} from '#templates/console/pages.ts';
import { auditKind, renderPeople, renderPerson } from '#templates/console/people.ts';
import { pageProblems } from '../../../support/html.ts';
import {
  confirm,
  deliveries,
  exportsView,
  frameOf,
  HOSTILE_TEXT,
  overview,
  people,
  person,
  personForAuditor,
  policies,
  policyDiffView,
  refusedExport,
  sameVersions,
  welshOnlyChange,
  welshPerson,
} from './fixtures.ts';

const admin = frameOf('admin', 'overview', 'Overview');
const auditor = frameOf('auditor', 'overview', 'Overview');

describe('every console page', () => {
  it.each([
    ['overview', () => renderOverview(admin, overview)],
    ['an empty overview', () => renderOverview(admin, { policies: [], timeZone: 'UTC' })],
    ['people', () => renderPeople(frameOf('admin', 'people', 'People'), people)],
    ['people before a search', () => renderPeople(frameOf('admin', 'people', 'People'), {})],
    [
      'people refused',
      () =>
        renderPeople(frameOf('admin', 'people', 'People'), {
          query: 'a',
          error: 'Type at least 2 characters.',
        }),
    ],
    ['a person', () => renderPerson(frameOf('admin', 'people', 'A person'), person)],
    [
      'a person with two assignments delivered',
      () =>
        renderPerson(frameOf('admin', 'people', 'A person'), {
          ...person,
          assignments: [1, 2].map((version) => ({
            ...(person.assignments[1] as PersonAssignment),
            policyVersion: version,
          })),
        }),
    ],
    [
      'a person, as an auditor',
      () => renderPerson(frameOf('auditor', 'people', 'A person'), personForAuditor),
    ],
    ['policies', () => renderPolicies(frameOf('admin', 'policies', 'Policies'), policies)],
    ['a diff', () => renderPolicyDiff(frameOf('admin', 'policies', 'What changed'), policyDiffView())],
    [
      'a diff of the same text',
      () => renderPolicyDiff(frameOf('admin', 'policies', 'What changed'), sameVersions()),
    ],
    [
      'a diff of the Welsh alone',
      () => renderPolicyDiff(frameOf('admin', 'policies', 'What changed'), welshOnlyChange()),
    ],
    ['deliveries', () => renderDeliveries(frameOf('admin', 'deliveries', 'Deliveries'), deliveries)],
    [
      'deliveries, as an auditor',
      () =>
        renderDeliveries(frameOf('auditor', 'deliveries', 'Deliveries'), { ...deliveries, canReplay: false }),
    ],
    [
      'no deliveries',
      () =>
        renderDeliveries(frameOf('admin', 'deliveries', 'Deliveries'), { deadLetters: [], canReplay: true }),
    ],
    ['exports', () => renderExports(frameOf('auditor', 'exports', 'Exports'), exportsView)],
    ['a refused export', () => renderExports(frameOf('auditor', 'exports', 'Exports'), refusedExport)],
    ['a confirmation', () => renderConfirm(frameOf('admin', 'people', 'Resend the invite'), confirm())],
    [
      'a refused confirmation',
      () =>
        renderConfirm(
          frameOf('admin', 'people', 'Replay'),
          confirm({ action: 'replay', destination: 'moodle', reason: '<b>', error: 'Give a reason.' }),
        ),
    ],
  ])('renders %s as valid HTML with names as text and no style attribute', async (_, render) => {
    // Act
    const page = render();

    // Assess
    expect(await pageProblems(page)).toEqual([]);
    expect(page).not.toMatch(/<script|style="/);
    const headings = [...page.matchAll(/<h([1-6])/g)].map((m) => Number(m[1]));
    // Headings never skip a level going down.
    headings.forEach((level, i) => {
      expect(level - (headings[i - 1] ?? 0)).toBeLessThanOrEqual(1);
    });
  });
});

describe('renderOverview', () => {
  it('gives each policy its numbers, who needs attention, and its charts with tables', () => {
    // Act
    const page = renderOverview(admin, overview);

    // Assess
    expect(page).toContain('<h2 id="p0">Safe Internet Use <span class="meta">version 2</span></h2>');
    expect(page).toContain('<div><dt>Asked</dt><dd>14</dd></div>');
    expect(page).toContain('<div><dt>Signed</dt><dd>6 <span class="meta">(46%)</span></dd></div>');
    expect(page).toContain('<div><dt>Not signed</dt><dd>7</dd></div>');
    expect(page).toContain('<div><dt>Overdue</dt><dd>2</dd></div>');
    expect(page).toContain('<div><dt>Cancelled</dt><dd>1</dd></div>');
    expect(page).toContain(`<a href="/console/people/st_1">${HOSTILE_TEXT}</a>`);
    expect(page).toContain('<a href="/console/people/st%2F3">Alan Turing</a>');
    expect(page).toContain(
      'And 4 more — <a href="/console/exports/report.csv?policy=safe-internet-use&amp;status=unsigned">export the full list (CSV)</a>.',
    );
    expect(page).toContain(
      '<caption id="p0-dept-caption">Safe Internet Use: completion by department</caption>',
    );
    expect(page).toContain('<caption id="p0-mgr-caption">');
    expect(page).toContain('<caption id="p0-week-caption">');
    expect(page).toContain('Weeks run Monday to Sunday in Europe/London.');
    expect(page).not.toContain('<script>');
  });

  it('counts those due for renewal and lapsed, and marks each in the attention list, only when there are any', () => {
    // Prepare
    const [first, ...others] = overview.policies;
    if (!first?.attention[0]) throw new Error('fixture changed');
    const renewing = {
      ...overview,
      policies: [
        {
          ...first,
          dueForRenewal: 3,
          lapsed: 1,
          attention: [{ ...first.attention[0], renewal: 'lapsed' as const }, ...first.attention.slice(1)],
        },
        ...others,
      ],
    };

    // Act
    const page = renderOverview(admin, renewing);
    const plain = renderOverview(admin, overview);

    // Assess
    expect(page).toContain('<div><dt>Due for renewal</dt><dd>3</dd></div>');
    expect(page).toContain('<div><dt>Lapsed</dt><dd>1</dd></div>');
    expect(page).toContain(' <span class="meta">(lapsed)</span></td>');
    expect(plain).not.toContain('Due for renewal');
    expect(plain).not.toContain('Lapsed');
  });

  it('says plainly when nobody has been asked to sign a policy', () => {
    // Act
    const page = renderOverview(auditor, overview);

    // Assess
    expect(page).toContain(
      '<h2 id="p1">Data Protection <span class="meta">version 1</span></h2>\n<p>No one has been asked to sign this policy yet.</p>',
    );
  });
});

describe('renderPeople', () => {
  it('searches by a POST with the CSRF token and a labelled field', () => {
    // Act
    const page = renderPeople(frameOf('admin', 'people', 'People'), {});

    // Assess
    expect(page).toMatch(/<form method="post" action="\/console\/people"/);
    expect(page).toContain('<input type="hidden" name="csrf" value="csrf-token-123">');
    expect(page).toContain('<label for="q">Name, email or employee id</label>');
    expect(page).toMatch(/<input type="search" id="q" name="q" required/);
    expect(page).not.toContain('<table');
  });

  it('ties a refusal to the field', () => {
    // Act
    const page = renderPeople(frameOf('admin', 'people', 'People'), {
      query: 'a',
      error: 'Type at least 2 characters.',
    });

    // Assess
    expect(page).toContain(
      '<p class="error" id="q-error"><span class="vh">Error: </span>Type at least 2 characters.</p>',
    );
    expect(page).toMatch(/id="q"[^>]*value="a" aria-invalid="true" aria-describedby="q-error">/);
  });

  it('lists the matches, linked, and says when there are more', () => {
    // Act
    const page = renderPeople(frameOf('admin', 'people', 'People'), people);

    // Assess
    expect(page).toContain('<a href="/console/people/st_2">Ada Lovelace</a>');
    expect(page).toContain(`<a href="/console/people/st_1">${HOSTILE_TEXT}</a>`);
    expect(page).toContain('<caption id="results">People matching “ada”</caption>');
    expect(page).toContain('Only the first 2 matches are shown');
  });

  it('says when no one matched', () => {
    // Act
    const page = renderPeople(frameOf('admin', 'people', 'People'), { query: '<zz>', results: [] });

    // Assess
    expect(page).toContain('No one matched “&lt;zz&gt;”.');
  });
});

describe('renderPerson', () => {
  it('says when a person was erased, and nothing of the kind for one who was not', () => {
    // Act
    const erased = renderPerson(frameOf('admin', 'people', 'A person'), {
      ...person,
      starter: { ...person.starter, erasedAt: '2026-12-02T09:30:00.000Z' },
    });
    const kept = renderPerson(frameOf('admin', 'people', 'A person'), person);

    // Assess
    expect(erased).toContain(
      '<dt>Erased</dt><dd><time datetime="2026-12-02T09:30:00.000Z">2026-12-02 09:30 UTC</time>: names, addresses, manager, IP and browser are keyed pseudonyms; each agreement is kept</dd>',
    );
    expect(kept).not.toContain('<dt>Erased</dt>');
  });

  it('marks a Welsh speaker’s Welsh text lang="cy", the page’s own words staying English', async () => {
    // Act
    const page = renderPerson(frameOf('admin', 'people', 'A person'), welshPerson);
    const english = renderPerson(frameOf('admin', 'people', 'A person'), person);

    // Assess
    expect(page).toMatch(/^<!DOCTYPE html>\n<html lang="en-GB">/);
    expect(page).toContain('<dt>Typed name</dt><dd lang="cy">Siân Llewelyn</dd>');
    expect(page).toContain(
      '<dt>Version</dt><dd><span lang="cy">Defnyddio’r Rhyngrwyd yn Ddiogel</span>, version 1</dd>',
    );
    expect(page).toContain(
      '<dt>Statement agreed</dt><dd lang="cy">Rwyf wedi darllen y polisi ac yn cytuno i’w ddilyn.</dd>',
    );
    expect(page).toContain(
      '<th scope="row" lang="cy">Siân Llewelyn</th><td lang="cy">Mae angen i mi ofyn i fy rheolwr yn gyntaf.</td>',
    );
    expect(page.match(/ lang="cy"/g)).toHaveLength(5);
    expect(english).not.toContain('lang="cy"');
    expect(await pageProblems(page)).toEqual([]);
  });

  it('shows the details, the evidence, the deliveries and a readable audit trail', () => {
    // Act
    const page = renderPerson(frameOf('admin', 'people', 'A person'), person);

    // Assess
    expect(page).toContain('<dt>Manager</dt><dd>Grace Hopper &lt;grace.hopper@attest.example&gt;</dd>');
    expect(page).toContain('<dt>Start date</dt><dd><time datetime="2026-11-02">2 November 2026</time></dd>');
    expect(page).toContain('<a href="/console/people/st_1/evidence.json">Download evidence (JSON)</a>');
    expect(page).toContain(`<dt>Typed name</dt><dd>${HOSTILE_TEXT}</dd>`);
    expect(page).toContain(
      '<dt>Signed at</dt><dd><time datetime="2026-11-05T14:03:27.000Z">2026-11-05 14:03 UTC</time></dd>',
    );
    expect(page).toContain('<dt>IP address</dt><dd>203.0.113.7</dd>');
    expect(page).toContain(
      '<dt>Browser (user agent)</dt><dd>Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0</dd>',
    );
    expect(page).toContain(`<code>${'a'.repeat(64)}</code>`);
    expect(page).toContain('<dt>Evidence id</dt><dd><code>ev_01JABCDEF</code></dd>');
    expect(page).toContain('<span class="ok">Matches</span>');
    expect(page).toContain('<p>Not signed yet.</p>');
    expect(page).toContain('<strong class="bad">Permanent: mailbox does not exist</strong>');
    expect(page).toContain(
      '<th scope="row">moodle</th><td><strong class="bad">Dead</strong></td><td class="num">8</td><td class="num">404</td>',
    );
    expect(page).toContain(
      '<th scope="row">Fresh link requested</th><td><dl class="kv"><dt>by:</dt> <dd>operator</dd></dl>',
    );
    expect(page).toContain(
      '<dt>by:</dt> <dd>sub-admin</dd><dt>email:</dt> <dd>hr@attest.example</dd><dt>reason:</dt> <dd>New address from HR</dd>',
    );
    expect(page).toContain('<dt>evidence id:</dt> <dd>ev_01JABCDEF</dd>');
    expect(page).not.toContain('<script>');
  });

  it('offers an admin the actions the view allows, each a link to its confirmation', () => {
    // Act
    const page = renderPerson(frameOf('admin', 'people', 'A person'), person);

    // Assess
    expect(page).toContain(
      '<a class="button" href="/console/actions/resend?assignment=as_open">Resend invite<span class="vh">',
    );
    expect(page).toContain('href="/console/actions/cancel?assignment=as_open">Cancel this assignment');
    expect(page).toContain(
      'href="/console/actions/replay?assignment=as_signed&amp;destination=moodle">Replay delivery to moodle',
    );
    expect(page).toContain(
      'href="/console/actions/accept?assignment=as_open">Record agreement on their behalf',
    );
    expect(page).not.toContain('/console/actions/resend?assignment=as_signed');
    expect(page).not.toContain('/console/actions/accept?assignment=as_signed');
    expect(page.match(/href="\/console\/actions\//g)).toHaveLength(4);
  });

  it('shows an agreement recorded on their behalf as such: who, the note, and no address or browser', async () => {
    // Prepare
    const signed = person.assignments[1] as (typeof person.assignments)[number];
    const onBehalf = {
      ...person,
      assignments: [
        {
          ...signed,
          evidence: {
            ...(signed.evidence as NonNullable<typeof signed.evidence>),
            method: 'on-behalf' as const,
            note: 'Paper form signed at induction',
            recordedBy: 'hr@attest.example',
            ipAddress: null,
            userAgent: null,
            tokenId: null,
            messageId: null,
            pageShownAt: undefined,
            reducedAt: undefined,
          },
        },
      ],
    };

    // Act
    const page = renderPerson(frameOf('admin', 'people', 'A person'), onBehalf);

    // Assess
    expect(page).toContain(
      '<dt>How</dt><dd>Agreed offline; recorded on their behalf by hr@attest.example</dd>',
    );
    expect(page).toContain('<dt>Note</dt><dd>Paper form signed at induction</dd>');
    expect(page).not.toContain('<dt>IP address</dt>');
    expect(page).not.toContain('<dt>Typed name</dt>');
    expect(await pageProblems(page)).toEqual([]);
  });

  it('lists each decline: when, the typed name, the reason (escaped), the address and the browser', async () => {
    // Prepare
    const unsigned = person.assignments[0] as (typeof person.assignments)[number];
    const declined = {
      ...person,
      assignments: [
        {
          ...unsigned,
          status: 'declined' as const,
          declines: [
            {
              declineId: 'ev_decline_1',
              declinedAt: '2026-11-24T10:00:00.000Z',
              policyId: unsigned.policyId,
              policyVersion: unsigned.policyVersion,
              policyTitle: unsigned.policyTitle,
              policySha256: 'a'.repeat(64),
              statement: 'I agree.',
              typedName: 'Ada Lovelace',
              reason: 'Clause <4> & "more"',
              ipAddress: '203.0.113.7',
              userAgent: 'Mozilla/5.0',
              tokenId: 'AAAAAAAAAAA',
              messageId: 'ses-1',
            },
          ],
        },
      ],
    };

    // Act
    const page = renderPerson(frameOf('admin', 'people', 'A person'), declined);

    // Assess
    expect(page).toContain('<h3>Declined</h3>');
    expect(page).toContain('<strong class="bad">Declined</strong>');
    expect(page).toContain('<td>Clause &lt;4&gt; &amp; &quot;more&quot;</td>');
    expect(page).toContain('<th scope="row">Ada Lovelace</th>');
    expect(page).toContain('<td>203.0.113.7</td>');
    expect(await pageProblems(page)).toEqual([]);
  });

  it('shows a request’s sign-by date, when its agreement falls due for renewal, and a lapsed renewal', async () => {
    // Prepare
    const [first, ...others] = person.assignments;
    if (!first) throw new Error('fixture changed');
    const renewing = {
      ...person,
      assignments: [
        {
          ...first,
          signBy: '2026-12-12T00:00:00.000Z',
          renewsAt: '2027-11-24T10:00:00.000Z',
          renewal: 'lapsed' as const,
        },
        ...others,
      ],
    };

    // Act
    const page = renderPerson(frameOf('admin', 'people', 'A person'), renewing);
    const plain = renderPerson(frameOf('admin', 'people', 'A person'), person);

    // Assess
    expect(page).toContain(
      '<dt>Sign by</dt><dd><time datetime="2026-12-12T00:00:00.000Z">2026-12-12 00:00 UTC</time></dd>',
    );
    expect(page).toContain(
      '<dt>Renewal due</dt><dd><time datetime="2027-11-24T10:00:00.000Z">2027-11-24 10:00 UTC</time></dd>',
    );
    expect(page).toContain('<dt>Renewal</dt><dd><strong class="bad">Lapsed</strong></dd>');
    expect(plain).not.toContain('<dt>Sign by</dt>');
    expect(plain).not.toContain('<dt>Renewal');
    expect(await pageProblems(page)).toEqual([]);
  });

  it('shows no declines section for a person who never declined', () => {
    // Act
    const page = renderPerson(frameOf('admin', 'people', 'A person'), person);

    // Assess
    expect(page).not.toContain('<h3>Declined</h3>');
  });

  it('offers an auditor no action', () => {
    // Act
    const page = renderPerson(frameOf('auditor', 'people', 'A person'), personForAuditor);

    // Assess
    expect(page).not.toContain('/console/actions/');
    expect(page).not.toContain('<h3>Actions</h3>');
    expect(page).not.toContain('class="button');
    expect(page.match(/<button/g)).toHaveLength(1); // sign-out only
  });

  it('offers an admin the subject access export as JSON and HTML, and an auditor not', () => {
    // Act
    const admin = renderPerson(frameOf('admin', 'people', 'A person'), person);
    const auditorPage = renderPerson(frameOf('auditor', 'people', 'A person'), personForAuditor);

    // Assess
    expect(admin).toContain(
      'Download everything attest holds about them (subject access request): <a href="/console/people/st_1/subject-access.json">JSON</a> · <a href="/console/people/st_1/subject-access.html">HTML</a>',
    );
    expect(auditorPage).not.toContain('subject-access');
  });

  it('says when the stored text no longer matches the evidence', () => {
    // Prepare
    const tampered = {
      ...person,
      assignments: person.assignments.map((a) => ({ ...a, integrityMatches: a.evidence ? false : null })),
    };

    // Act
    const page = renderPerson(frameOf('auditor', 'people', 'A person'), tampered);

    // Assess
    expect(page).toContain('<strong class="bad">Does not match</strong>');
  });
});

describe('auditKind', () => {
  it.each([
    ['fresh-link-requested', 'Fresh link requested'],
    ['delivery-dead-lettered', 'Delivery dead lettered'],
    ['acknowledged', 'Acknowledged'],
  ])('reads %s as %s', (kind, words) => {
    expect(auditKind(kind)).toBe(words);
  });
});

describe('renderPolicies', () => {
  it('lists each version with its dates, a shortened hash, its counts, and a link to what changed', () => {
    // Act
    const page = renderPolicies(frameOf('admin', 'policies', 'Policies'), policies);

    // Assess
    expect(page).toContain(`<code title="${'b'.repeat(64)}">bbbbbbbbbbbb…</code>`);
    expect(page).toContain('<time datetime="2026-12-01">1 December 2026</time>');
    expect(page).toContain('<td class="num">14</td><td class="num">6</td>');
    expect(page).toContain(
      '<a href="/console/policies/safe-internet-use/diff?from=1&amp;to=2">What changed from version 1<span class="vh"> of Safe Internet Use</span></a>',
    );
    expect(page).toContain('<td>First version</td>');
  });
});

describe('renderPolicyDiff', () => {
  it('shows a change to the Welsh alone as a change, under its own heading with both hashes', () => {
    // Act
    const page = renderPolicyDiff(frameOf('admin', 'policies', 'What changed'), welshOnlyChange());

    // Assess
    expect(page).not.toContain('Nothing changed');
    expect(page).toContain('<h2>English</h2>\n<p>The English text is the same in every field.</p>');
    expect(page).toContain(
      `<h2>Welsh translation</h2>\n<p>From sha256 <code>${'c'.repeat(64)}</code> to <code>${'d'.repeat(64)}</code>.</p>`,
    );
    expect(page).toContain('<h3>Policy text<span class="vh"> (Welsh)</span></h3>');
    expect(page).toContain('<ins><span class="vh">added: </span>Paragraff &lt;b&gt;newydd&lt;/b&gt;.</ins>');
  });

  it('lists each version’s Welsh hash beside its English one', () => {
    // Prepare
    const { from } = welshOnlyChange();

    // Act
    const page = renderPolicies(frameOf('admin', 'policies', 'Policies'), {
      policies: [{ policyId: 'p', title: 'P', versions: [from] }],
    });

    // Assess
    expect(page).toContain(`<br>Welsh <code title="${'c'.repeat(64)}">cccccccccccc…</code>`);
  });

  it('shows removed and added text, said in words too, and lists the fields unchanged', () => {
    // Act
    const page = renderPolicyDiff(frameOf('admin', 'policies', 'What changed'), policyDiffView());

    // Assess
    expect(page).toContain('<h2>Key points</h2>');
    expect(page).toContain('<li><ins><span class="vh">added: </span>&lt;b&gt;Use MFA&lt;/b&gt;</ins></li>');
    expect(page).toContain('<del><span class="vh">removed: </span>Report phishing</del>');
    expect(page).toContain(
      'passwords<ins><span class="vh">added: </span> or &lt;i&gt;codes&lt;/i&gt;</ins>.',
    );
    expect(page).toContain('<h2>Unchanged</h2>\n<ul><li>Title</li><li>Statement signed</li></ul>');
  });

  it('lists what changed item by item, as the page shows it above the text', () => {
    // Prepare
    const view = policyDiffView();

    // Act
    const page = renderPolicyDiff(frameOf('admin', 'policies', 'What changed'), {
      ...view,
      diff: [{ field: 'changes', changed: true, parts: [{ change: 'added', text: 'Phones <b>too</b>' }] }],
    });

    // Assess
    expect(page).toContain(
      '<h2>What changed (shown above the text)</h2>\n<ul class="diff"><li><ins><span class="vh">added: </span>Phones &lt;b&gt;too&lt;/b&gt;</ins></li></ul>',
    );
  });

  it('says when nothing changed', () => {
    // Act
    const page = renderPolicyDiff(frameOf('admin', 'policies', 'What changed'), sameVersions());

    // Assess
    expect(page).toContain('Nothing changed: the two versions are the same in every field.');
    expect(page).not.toMatch(/<ins|<del/);
  });
});

describe('renderDeliveries', () => {
  it('groups the dead letters by destination, with replay links for an admin', () => {
    // Act
    const page = renderDeliveries(frameOf('admin', 'deliveries', 'Deliveries'), deliveries);

    // Assess
    expect(page).toContain('<h2>moodle <span class="meta">(2)</span></h2>');
    expect(page).toContain('<h2>webhook <span class="meta">(1)</span></h2>');
    expect(page).toContain(`<a href="/console/people/st_1">${HOSTILE_TEXT}</a>`);
    expect(page).toContain('href="/console/actions/replay?assignment=as_y&amp;destination=webhook">Replay');
    expect(page.match(/\/console\/actions\/replay/g)).toHaveLength(3);
  });

  it('offers an auditor no replay', () => {
    // Act
    const page = renderDeliveries(frameOf('auditor', 'deliveries', 'Deliveries'), {
      ...deliveries,
      canReplay: false,
    });

    // Assess
    expect(page).not.toContain('/console/actions/');
    expect(page).not.toContain('>Replay<');
  });

  it('says when there are none', () => {
    // Act
    const page = renderDeliveries(frameOf('admin', 'deliveries', 'Deliveries'), {
      deadLetters: [],
      canReplay: true,
    });

    // Assess
    expect(page).toContain('No dead letters');
  });
});

describe('renderExports', () => {
  it('asks for the report by a GET form with the policy, status, department and dates', () => {
    // Act
    const page = renderExports(frameOf('auditor', 'exports', 'Exports'), exportsView);

    // Assess
    expect(page).toContain('<form method="get" action="/console/exports/report.csv">');
    expect(page).toContain(
      '<select id="policy" name="policy" required><option value="safe-internet-use">Safe Internet Use</option>',
    );
    expect(page).toContain('<option value="unsigned" selected>');
    expect(page).toContain('<option value="all">Everyone</option>');
    expect(page).toContain('<option value="overdue">Overdue</option>');
    expect(page).toContain('<option value="" selected>Any department</option>');
    expect(page).toContain(`<option value="${HOSTILE_TEXT}">${HOSTILE_TEXT}</option>`);
    expect(page).toMatch(/<input type="date" id="since" name="since"/);
    expect(page).toMatch(/<input type="date" id="until" name="until"/);
    expect(page).toContain('<code>attest report --csv</code>');
  });

  it('shows a refused export as it was filled in, each wrong field’s message above it and tied to it', () => {
    // Act
    const page = renderExports(frameOf('auditor', 'exports', 'Exports'), refusedExport);

    // Assess
    expect(page).toContain('<option value="data-protection" selected>Data Protection</option>');
    expect(page).toContain('<option value="overdue" selected>Overdue</option>');
    expect(page).not.toContain('<option value="unsigned" selected>');
    expect(page).toContain('<option value="Sales" selected>Sales</option>');
    expect(page).toContain(
      '<p class="error" id="since-error"><span class="vh">Error: </span>The since day must be a date (YYYY-MM-DD).</p>\n<input type="date" id="since" name="since" aria-describedby="since-hint since-error" aria-invalid="true" value="2026-02-30">',
    );
    expect(page).toContain(
      `<p class="error" id="until-error"><span class="vh">Error: </span>${HOSTILE_TEXT}</p>`,
    );
    expect(page).toContain(`value="${HOSTILE_TEXT}"`);
    expect(page).toContain('<select id="policy" name="policy" required>');
  });
});

describe('renderConfirm', () => {
  it('says what will happen to whom and posts the action with the token and a required reason', () => {
    // Act
    const page = renderConfirm(frameOf('admin', 'people', 'Resend the invite'), confirm());

    // Assess
    expect(page).toContain(`This emails ${HOSTILE_TEXT} the invitation again`);
    expect(page).toContain('<form method="post" action="/console/actions/resend" novalidate>');
    expect(page).toContain('<input type="hidden" name="csrf" value="csrf-token-123">');
    expect(page).toContain('<input type="hidden" name="assignment" value="as_open">');
    expect(page).not.toContain('name="destination"');
    expect(page).toContain('<label for="reason">Reason (recorded in the audit trail)</label>');
    expect(page).toMatch(/<textarea id="reason" name="reason"[^>]* required><\/textarea>/);
    expect(page).toContain('<button type="submit">Resend the invite</button>');
    expect(page).toContain('<a href="/console/people/st_1">Back</a>');
  });

  it('asks for a note to record an agreement on their behalf, saying what it records', () => {
    // Act
    const page = renderConfirm(
      frameOf('admin', 'people', 'Record agreement on their behalf'),
      confirm({ action: 'accept' }),
    );

    // Assess
    expect(page).toContain(`This records that ${HOSTILE_TEXT} agreed to`);
    expect(page).toContain('<form method="post" action="/console/actions/accept" novalidate>');
    expect(page).toContain('<input type="hidden" name="csrf" value="csrf-token-123">');
    expect(page).toContain(
      '<label for="reason">Note: how and when they agreed (recorded in the evidence and the audit trail)</label>',
    );
    expect(page).toMatch(/<textarea id="reason" name="reason"[^>]* required><\/textarea>/);
    expect(page).toContain('<button type="submit">Record agreement on their behalf</button>');
  });

  it('keeps the reason typed, ties the error to it, and carries a replay’s destination', () => {
    // Act
    const page = renderConfirm(
      frameOf('admin', 'people', 'Replay'),
      confirm({ action: 'replay', destination: 'moodle', reason: '</textarea><b>', error: 'Give a reason.' }),
    );

    // Assess
    expect(page).toContain('<form method="post" action="/console/actions/replay" novalidate>');
    expect(page).toContain('<input type="hidden" name="destination" value="moodle">');
    expect(page).toContain(
      '<p class="error" id="reason-error"><span class="vh">Error: </span>Give a reason.</p>',
    );
    expect(page).toContain(
      'aria-invalid="true" aria-describedby="reason-error">&lt;/textarea&gt;&lt;b&gt;</textarea>',
    );
    expect(page).toContain('<button type="submit">Replay the delivery</button>');
  });

  it('names the cancel button for what it does', () => {
    expect(renderConfirm(admin, confirm({ action: 'cancel' }))).toContain(
      '<button type="submit">Cancel the assignment</button>',
    );
  });
});

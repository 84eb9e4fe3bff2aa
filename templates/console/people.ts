// The console's people pages: the search, and one person's assignments with their evidence, deliveries, audit trail and actions.

import type { Frame, PeopleView, PersonAssignment, PersonView } from '#shared/core/console/views.ts';
import type { AuditEvent } from '#shared/ports.ts';
import { renderFrame } from './layout.ts';
import { day, type Html, html, langAttr, moment, seg, status, table, toSafeHtml } from './markup.ts';

/** The search: a POST with the session's CSRF token, so what was searched for never enters a URL or a log line. */
export function renderPeople(frame: Frame, view: PeopleView): string {
  const error = view.error;
  const form = html`<form method="post" action="/console/people" novalidate>
<input type="hidden" name="csrf" value="${frame.csrf}">
<label for="q">Name, email or employee id</label>
${error ? html`<p class="error" id="q-error"><span class="vh">Error: </span>${error}</p>\n` : ''}<input type="search" id="q" name="q" required maxlength="200" autocomplete="off" value="${view.query ?? ''}"${
    error ? html` aria-invalid="true" aria-describedby="q-error"` : ''
  }>
<div class="actions"><button type="submit">Search</button></div>
</form>`;
  return renderFrame(frame, toSafeHtml(html`${form}\n${results(view)}`));
}

function results(view: PeopleView): Html | string {
  if (view.error || view.results === undefined) return '';
  if (!view.results.length) return html`<h2>Results</h2>\n<p>No one matched “${view.query ?? ''}”.</p>`;
  const rows = view.results.map(
    (p) =>
      html`<tr><th scope="row"><a href="/console/people/${seg(p.starterId)}">${p.name}</a></th><td>${p.email}</td><td>${p.employeeId}</td><td>${p.department}</td><td>${p.status === 'active' ? 'Active' : 'Cancelled'}</td></tr>`,
  );
  return html`<h2>Results</h2>
${table('results', html`People matching “${view.query ?? ''}”`, ['Name', 'Email', 'Employee id', 'Department', 'Status'], rows)}
${view.truncated ? html`<p>Only the first ${view.results.length} matches are shown: search for more of the name, email or id to narrow them.</p>` : ''}`;
}

const REASONS: Record<string, string> = {
  starter: 'New starter',
  reacknowledge: 'A new version to re-acknowledge',
  reattest: 'Renewal: their agreement reached the policy’s re-attestation period',
};

/** An audit kind as words: `fresh-link-requested` → "Fresh link requested". */
export function auditKind(kind: string): string {
  const words = kind.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A detail key as words: `evidenceId` → "evidence id". */
const detailKey = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

function auditTrail(audit: readonly AuditEvent[], id: string, of: string): Html {
  if (!audit.length) return html`<p>Nothing recorded yet.</p>`;
  const rows = audit.map((e) => {
    const entries = Object.entries(e.detail);
    const detail = entries.length
      ? html`<dl class="kv">${entries.map(([k, v]) => html`<dt>${detailKey(k)}:</dt> <dd>${v}</dd>`)}</dl>`
      : '—';
    return html`<tr><td>${moment(e.at)}</td><th scope="row">${auditKind(e.kind)}</th><td>${detail}</td></tr>`;
  });
  return table(id, `Audit trail of ${of}, oldest first`, ['When', 'What', 'Detail'], rows);
}

function evidence(a: PersonAssignment): Html {
  const e = a.evidence;
  if (!e) return html`<p>Not signed yet.</p>`;
  const integrity =
    a.integrityMatches === null
      ? 'Not checked'
      : a.integrityMatches
        ? html`<span class="ok">Matches</span>: the stored policy text hashes to this sha256`
        : html`<strong class="bad">Does not match</strong>: the stored policy text no longer hashes to this sha256`;
  // The title as they were shown it, marked when in their language (the page's own words stay English).
  const lang = langAttr(e, 'policyTitle');
  const title = lang ? html`<span${lang}>${e.policyTitle}</span>` : e.policyTitle;
  // Recorded on their behalf: no link was used, so there is no typed name, address or browser to show.
  const how =
    e.method === 'on-behalf'
      ? html`<dt>How</dt><dd>Agreed offline; recorded on their behalf by ${e.recordedBy}</dd>
<dt>Note</dt><dd>${e.note}</dd>
<dt>Name (as HR holds it)</dt><dd>${e.typedName}</dd>
<dt>Recorded at</dt><dd>${moment(e.acknowledgedAt)}</dd>`
      : html`<dt>How</dt><dd>Signed through the emailed link</dd>
<dt>Typed name</dt><dd${langAttr(e, 'typedName')}>${e.typedName}</dd>
<dt>Signed at</dt><dd>${moment(e.acknowledgedAt)}</dd>
<dt>IP address</dt><dd>${e.ipAddress}</dd>
<dt>Browser (user agent)</dt><dd>${e.userAgent}</dd>`;
  return html`<dl class="details">
${how}
<dt>Version</dt><dd>${title}, version ${e.policyVersion}</dd>
<dt>Statement agreed</dt><dd${langAttr(e, 'statement')}>${e.statement}</dd>
<dt>Policy sha256</dt><dd><code>${e.policySha256}</code></dd>
<dt>Evidence id</dt><dd><code>${e.evidenceId}</code></dd>
<dt>Integrity check</dt><dd>${integrity}</dd>
</dl>`;
}

/** Each decline: when, the name typed, the reason, and what the page saw of the browser. */
function declines(a: PersonAssignment, id: string, of: string): Html | string {
  if (!a.declines.length) return '';
  const rows = a.declines.map(
    (d) =>
      html`<tr><td>${moment(d.declinedAt)}</td><th scope="row"${langAttr(d, 'typedName')}>${d.typedName}</th><td${langAttr(d, 'reason')}>${d.reason}</td><td>${d.ipAddress}</td><td>${d.userAgent}</td><td><code>${d.declineId}</code></td></tr>`,
  );
  return html`<h3>Declined</h3>
${table(id, `Declines of ${of}, oldest first`, ['When', 'Typed name', 'Reason', 'IP address', 'Browser', 'Decline id'], rows)}`;
}

function deliveries(a: PersonAssignment, id: string, of: string): Html {
  if (!a.deliveries.length) return html`<p>No LMS deliveries.</p>`;
  const rows = a.deliveries.map(
    (d) =>
      html`<tr><th scope="row">${d.destination}</th><td>${d.state === 'dead' ? html`<strong class="bad">Dead</strong>` : d.state === 'delivered' ? 'Delivered' : 'Pending'}</td><td class="num">${d.attempts}</td><td class="num">${d.lastStatus ?? '—'}</td><td>${moment(d.lastAttemptAt)}</td><td>${d.reason ?? '—'}</td></tr>`,
  );
  return table(
    id,
    `LMS deliveries of ${of}`,
    ['Destination', 'State', 'Attempts', 'Last status', 'Last attempt', 'Reason'],
    rows,
  );
}

/** The actions an admin may take now, each a link to its confirmation page (never the action itself). */
function actions(a: PersonAssignment): Html | string {
  const q = `assignment=${seg(a.assignmentId)}`;
  // Said for screen readers, whose links list loses the heading each button sits under.
  const which = html`<span class="vh"> (${a.policyTitle}, version ${a.policyVersion})</span>`;
  const links = [
    a.actions.resend && html`<a class="button" href="/console/actions/resend?${q}">Resend invite${which}</a>`,
    a.actions.cancel &&
      html`<a class="button button-secondary" href="/console/actions/cancel?${q}">Cancel this assignment${which}</a>`,
    a.actions.accept &&
      html`<a class="button button-secondary" href="/console/actions/accept?${q}">Record agreement on their behalf${which}</a>`,
    ...a.actions.replay.map(
      (d) =>
        html`<a class="button button-secondary" href="${`/console/actions/replay?${q}&destination=${seg(d)}`}">Replay delivery to ${d}${which}</a>`,
    ),
  ].filter((l): l is Html => Boolean(l));
  return links.length ? html`<h3>Actions</h3>\n<div class="actions">${links}</div>` : '';
}

function assignment(a: PersonAssignment, i: number): Html {
  const id = `a${i}`;
  // Each table's caption names its region, and regions on one page need different names.
  const of = `${a.policyTitle} version ${a.policyVersion}`;
  return html`<h2 id="${id}">${a.policyTitle} <span class="meta">version ${a.policyVersion}</span></h2>
<dl class="details">
<dt>Status</dt><dd>${status(a.status)}</dd>
<dt>Why asked</dt><dd>${REASONS[a.reason] ?? a.reason}</dd>
<dt>Asked</dt><dd>${moment(a.assignedAt)}</dd>
<dt>Invited</dt><dd>${moment(a.invitedAt, 'Not yet')}</dd>
<dt>Reminders sent</dt><dd>${a.remindersSent}</dd>
${a.signBy ? html`<dt>Sign by</dt><dd>${moment(a.signBy)}</dd>\n` : ''}${a.renewsAt ? html`<dt>Renewal due</dt><dd>${moment(a.renewsAt)}</dd>\n` : ''}${a.renewal ? html`<dt>Renewal</dt><dd>${a.renewal === 'lapsed' ? html`<strong class="bad">Lapsed</strong>` : 'Due for renewal'}</dd>\n` : ''}${a.bounce ? html`<dt>Bounce</dt><dd><strong class="bad">${a.bounce}</strong></dd>\n` : ''}<dt>Assignment id</dt><dd><code>${a.assignmentId}</code></dd>
</dl>
${actions(a)}
${declines(a, `${id}-declines`, of)}
<h3>Evidence</h3>
${evidence(a)}
<h3>LMS deliveries</h3>
${deliveries(a, `${id}-deliveries`, of)}
<h3>Audit trail</h3>
${auditTrail(a.audit, `${id}-audit`, of)}`;
}

export function renderPerson(frame: Frame, view: PersonView): string {
  const s = view.starter;
  const body = html`<dl class="details">
<dt>Name</dt><dd>${s.name}</dd>
<dt>Employee id</dt><dd>${s.employeeId}</dd>
<dt>Email</dt><dd>${s.email}</dd>
<dt>Department</dt><dd>${s.department || '—'}</dd>
<dt>Job title</dt><dd>${s.jobTitle || '—'}</dd>
<dt>Manager</dt><dd>${s.manager ? `${s.manager.name} <${s.manager.email}>` : 'None on file'}</dd>
<dt>Start date</dt><dd>${day(s.startDate)}</dd>
<dt>Status</dt><dd>${s.status === 'active' ? 'Active' : 'Cancelled'}</dd>
${s.erasedAt ? html`<dt>Erased</dt><dd>${moment(s.erasedAt)}: names, addresses, manager, IP and browser are keyed pseudonyms; each agreement is kept</dd>` : ''}
</dl>
<p><a href="/console/people/${seg(s.starterId)}/evidence.json">Download evidence (JSON)</a></p>
${subjectAccessLinks(frame, s.starterId)}
${view.assignments.length ? view.assignments.map((a, i) => html`${assignment(a, i)}\n`) : html`<p>No policy has been asked of this person.</p>`}`;
  return renderFrame(frame, toSafeHtml(body));
}

/**
 * An admin's links to the subject access export; an auditor gets none (and the routes refuse
 * them): answering a subject access request is the data protection officer's job, an admin's here.
 */
function subjectAccessLinks(frame: Frame, starterId: string): Html | undefined {
  if (frame.user.role !== 'admin') return undefined;
  const base = `/console/people/${seg(starterId)}/subject-access`;
  return html`<p>Download everything attest holds about them (subject access request): <a href="${base}.json">JSON</a> · <a href="${base}.html">HTML</a></p>`;
}

// The console's policies, diff, deliveries, exports and action-confirmation pages.

import type { DiffPart, FieldDiff, TranslationDiff } from '#shared/core/console/policy-diff.ts';
import type {
  ActionName,
  ConfirmView,
  DeadLetterLine,
  DeliveriesView,
  ExportField,
  ExportsView,
  Frame,
  PoliciesView,
  PolicyDiffView,
  PolicyVersionLine,
} from '#shared/core/console/views.ts';
import { languageName } from '#shared/core/language.ts';
import { ASSIGNMENT_STATUSES } from '#shared/core/model.ts';
import { renderFrame } from './layout.ts';
import { day, type Html, html, moment, seg, status, statusLabel, table, toSafeHtml } from './markup.ts';

const shortHash = (sha256: string) => html`<code title="${sha256}">${sha256.slice(0, 12)}…</code>`;

/** A version's hashes: the English text's, then each translation's, named by its language. */
const hashes = (v: PolicyVersionLine) =>
  v.translations.length
    ? html`${shortHash(v.sha256)}${v.translations.map((t) => html`<br>${languageName(t.language)} ${shortHash(t.sha256)}`)}`
    : shortHash(v.sha256);

export function renderPolicies(frame: Frame, view: PoliciesView): string {
  if (!view.policies.length)
    return renderFrame(frame, toSafeHtml(html`<p>No policy has been published yet.</p>`));
  const sections = view.policies.map((p, i) => {
    const rows = p.versions.map((v, j) => {
      const diff = `/console/policies/${seg(p.policyId)}/diff?from=${v.version - 1}&to=${v.version}`;
      const change =
        j === 0
          ? 'First version'
          : html`<a href="${diff}">What changed from version ${v.version - 1}<span class="vh"> of ${p.title}</span></a>`;
      return html`<tr><th scope="row">${v.version}</th><td>${v.title}</td><td>${day(v.effectiveDate)}</td><td>${moment(v.publishedAt)}</td><td>${hashes(v)}</td><td class="num">${v.asked}</td><td class="num">${v.signed}</td><td>${change}</td></tr>`;
    });
    return html`<h2>${p.title}</h2>
${table(`policy${i}`, html`Versions of ${p.title}`, ['Version', 'Title', 'Effective', 'Published', 'sha256', 'Asked', 'Signed', 'Changes'], rows)}`;
  });
  return renderFrame(
    frame,
    toSafeHtml(html`<p class="meta">Each version's text is fixed when it is published; its sha256 is what every signature records.</p>
${sections}`),
  );
}

const FIELDS: Record<FieldDiff['field'], string> = {
  title: 'Title',
  effectiveDate: 'Effective date',
  statement: 'Statement signed',
  keyPoints: 'Key points',
  changes: 'What changed (shown above the text)',
  body: 'Policy text',
};

/** A run of text, with its change said in words too, so it is not told by colour or strike-through alone. */
function part(p: DiffPart): Html {
  if (p.change === 'removed') return html`<del><span class="vh">removed: </span>${p.text}</del>`;
  if (p.change === 'added') return html`<ins><span class="vh">added: </span>${p.text}</ins>`;
  return html`${p.text}`;
}

function field(d: FieldDiff, within?: string): Html {
  // Key points and what changed are compared whole, one part per item; the rest is running text.
  const shown =
    d.field === 'keyPoints' || d.field === 'changes'
      ? html`<ul class="diff">${d.parts.map((p) => html`<li>${part(p)}</li>`)}</ul>`
      : html`<div class="diff">${d.parts.map(part)}</div>`;
  // A translation's fields sit under its own heading, a level down.
  return within
    ? html`<h3>${FIELDS[d.field]}<span class="vh"> (${within})</span></h3>\n${shown}`
    : html`<h2>${FIELDS[d.field]}</h2>\n${shown}`;
}

/** One translation's part of the comparison, under its own heading with its hashes. */
function translation(t: TranslationDiff): Html {
  const name = languageName(t.language);
  const heading = html`<h2>${name} translation</h2>\n`;
  if (t.change === 'added')
    return html`${heading}<p>Added in this version (sha256 <code>${t.newerSha256}</code>): starters whose locale is ${name} read it.</p>\n`;
  if (t.change === 'removed')
    return html`${heading}<p>Dropped in this version (it was sha256 <code>${t.olderSha256}</code>): starters whose locale is ${name} read the English.</p>\n`;
  if (t.change === 'same') return html`${heading}<p>Unchanged (sha256 <code>${t.newerSha256}</code>).</p>\n`;
  const changed = t.diff.filter((d) => d.changed);
  return html`${heading}<p>From sha256 <code>${t.olderSha256}</code> to <code>${t.newerSha256}</code>.</p>\n${
    changed.length
      ? changed.map((d) => html`${field(d, name)}\n`)
      : html`<p>No word changed: only spacing or markup.</p>\n`
  }`;
}

export function renderPolicyDiff(frame: Frame, view: PolicyDiffView): string {
  const changed = view.diff.filter((d) => d.changed);
  const same = view.diff.filter((d) => !d.changed).map((d) => FIELDS[d.field]);
  const translated = view.translations.some((t) => t.change !== 'same');
  // With translations, the English is one language among them: its own heading, its fields under it.
  const within = view.translations.length ? 'English' : undefined;
  const sub = (text: string) => (within ? html`<h3>${text}</h3>` : html`<h2>${text}</h2>`);
  const body = html`<p>${view.title}: from version ${view.from.version} (effective ${day(view.from.effectiveDate)}, sha256 <code>${view.from.sha256}</code>) to version ${view.to.version} (effective ${day(view.to.effectiveDate)}, sha256 <code>${view.to.sha256}</code>).</p>
${
  changed.length || translated
    ? html`<p class="meta">Removed text is struck through, added text underlined.</p>\n`
    : ''
}${within ? html`<h2>English</h2>\n` : ''}${
  changed.length
    ? changed.map((d) => html`${field(d, within)}\n`)
    : translated
      ? html`<p>The English text is the same in every field.</p>\n`
      : html`<p>Nothing changed: the two versions are the same in every field.</p>\n`
}${
  changed.length && same.length
    ? html`${sub('Unchanged')}\n<ul>${same.map((f) => html`<li>${f}</li>`)}</ul>\n`
    : ''
}${view.translations.map(translation)}<p><a href="/console/policies">Back to policies</a></p>`;
  return renderFrame(frame, toSafeHtml(body));
}

export function renderDeliveries(frame: Frame, view: DeliveriesView): string {
  if (!view.deadLetters.length) {
    return renderFrame(
      frame,
      toSafeHtml(
        html`<p>No dead letters: every delivery to the LMS has been made or is still being tried.</p>`,
      ),
    );
  }
  const byDestination = new Map<string, DeadLetterLine[]>();
  for (const line of view.deadLetters) {
    byDestination.set(line.destination, [...(byDestination.get(line.destination) ?? []), line]);
  }
  const head = [
    'Person',
    'Policy',
    'Dead since',
    'Reason',
    'Last status',
    'Attempts',
    ...(view.canReplay ? ['Replay'] : []),
  ];
  const sections = [...byDestination].map(([destination, lines], i) => {
    const rows = lines.map((l) => {
      const replay = `/console/actions/replay?assignment=${seg(l.assignmentId)}&destination=${seg(l.destination)}`;
      return html`<tr><th scope="row"><a href="/console/people/${seg(l.starterId)}">${l.name}</a></th><td>${l.policyId}, version ${l.policyVersion}</td><td>${moment(l.deadAt)}</td><td>${l.reason}</td><td class="num">${l.lastStatus ?? '—'}</td><td class="num">${l.attempts}</td>${
        view.canReplay
          ? html`<td><a href="${replay}">Replay<span class="vh"> ${l.name}’s delivery to ${destination}</span></a></td>`
          : ''
      }</tr>`;
    });
    return html`<h2>${destination} <span class="meta">(${lines.length})</span></h2>
${table(`dead${i}`, html`Dead letters to ${destination}, oldest first`, head, rows)}`;
  });
  const intro = view.canReplay
    ? 'Deliveries given up on, kept for replay. Replaying sends the same completion again, with the same id, after you confirm.'
    : 'Deliveries given up on, kept for replay by an admin.';
  return renderFrame(frame, toSafeHtml(html`<p>${intro}</p>\n${sections}`));
}

/**
 * A GET form, so the CSV downloads like any link; it carries filters only, no personal data. A
 * refused export shows it again as filled in, each field's problem above it (as the other forms do).
 */
export function renderExports(frame: Frame, view: ExportsView): string {
  const asked = view.asked ?? {};
  const errors = view.errors ?? {};
  const option = (value: string, label: string, selected = false) =>
    html`<option value="${value}"${selected ? html` selected` : ''}>${label}</option>`;
  const errorOf = (field: ExportField) =>
    errors[field]
      ? html`<p class="error" id="${field}-error"><span class="vh">Error: </span>${errors[field]}</p>\n`
      : '';
  /** The field's described-by ids (its hint, its error) and, when refused, aria-invalid. */
  const describe = (field: ExportField, hint?: string) => {
    const ids = [hint, errors[field] && `${field}-error`].filter(Boolean).join(' ');
    return html`${ids ? html` aria-describedby="${ids}"` : ''}${errors[field] ? html` aria-invalid="true"` : ''}`;
  };
  const chosen = asked.status || 'unsigned';
  const form = view.policies.length
    ? html`<form method="get" action="/console/exports/report.csv">
<label for="policy">Policy</label>
${errorOf('policy')}<select id="policy" name="policy" required${describe('policy')}>${view.policies.map((p) => option(p.policyId, p.title, p.policyId === asked.policy))}</select>
<label for="status">Status</label>
${errorOf('status')}<select id="status" name="status"${describe('status')}>${option('unsigned', 'Not signed (all unsigned statuses)', chosen === 'unsigned')}${option('all', 'Everyone', chosen === 'all')}${ASSIGNMENT_STATUSES.map((s) => option(s, statusLabel(s), chosen === s))}</select>
<label for="department">Department</label>
${errorOf('department')}<select id="department" name="department"${describe('department')}>${option('', 'Any department', !asked.department || !view.departments.includes(asked.department))}${view.departments.map((d) => option(d, d, d === asked.department))}</select>
<label for="since">Assigned from</label>
<p class="hint" id="since-hint">On or after this day (days in UTC); leave blank for any.</p>
${errorOf('since')}<input type="date" id="since" name="since"${describe('since', 'since-hint')}${asked.since ? html` value="${asked.since}"` : ''}>
<label for="until">Assigned up to</label>
<p class="hint" id="until-hint">On or before this day (it is included); leave blank for any.</p>
${errorOf('until')}<input type="date" id="until" name="until"${describe('until', 'until-hint')}${asked.until ? html` value="${asked.until}"` : ''}>
<div class="actions"><button type="submit">Download the CSV</button></div>
</form>`
    : html`<p>No policy has been published yet.</p>`;
  return renderFrame(
    frame,
    toSafeHtml(html`<h2>The report as CSV</h2>
<p>The same CSV as <code>attest report --csv</code>: one row per person asked, with their status and dates.</p>
${form}
<h2>One person’s evidence</h2>
<p>A person’s evidence, as JSON, is on their page: find them under <a href="/console/people">People</a>.</p>`),
  );
}

const ACTIONS: Record<ActionName, { button: string; does: (v: ConfirmView) => Html; label?: string }> = {
  resend: {
    button: 'Resend the invite',
    does: (v) =>
      html`This emails ${v.name} the invitation again, with a fresh link, to sign ${v.policyTitle} version ${v.policyVersion}.`,
  },
  cancel: {
    button: 'Cancel the assignment',
    does: (v) =>
      html`This cancels ${v.name}’s assignment to sign ${v.policyTitle} version ${v.policyVersion}: they will not be invited or reminded again, and the report counts them as cancelled.`,
  },
  replay: {
    button: 'Replay the delivery',
    does: (v) =>
      html`This sends ${v.name}’s agreement to ${v.policyTitle} version ${v.policyVersion} to ${v.destination ?? 'the LMS'} again, under the same id, so the LMS can recognise it as the same agreement.`,
  },
  accept: {
    button: 'Record agreement on their behalf',
    does: (v) =>
      html`This records that ${v.name} agreed to ${v.policyTitle} version ${v.policyVersion} offline (on paper, or assisted), on their behalf: the evidence says so, with your note and your name, and no link they used. They get the receipt, and the LMS is told, as after signing.`,
    label: 'Note: how and when they agreed (recorded in the evidence and the audit trail)',
  },
};

/** The step before an action: what it does, to whom, and a required reason for the audit trail. */
export function renderConfirm(frame: Frame, view: ConfirmView): string {
  const action = ACTIONS[view.action];
  const error = view.error;
  const body = html`<p>${action.does(view)}</p>
<dl class="details">
<dt>Person</dt><dd>${view.name}</dd>
<dt>Policy</dt><dd>${view.policyTitle}</dd>
<dt>Version</dt><dd>${view.policyVersion}</dd>
<dt>Status</dt><dd>${status(view.status)}</dd>
${view.destination ? html`<dt>Destination</dt><dd>${view.destination}</dd>\n` : ''}</dl>
<form method="post" action="/console/actions/${view.action}" novalidate>
<input type="hidden" name="csrf" value="${frame.csrf}">
<input type="hidden" name="assignment" value="${view.assignmentId}">
${view.destination ? html`<input type="hidden" name="destination" value="${view.destination}">\n` : ''}<label for="reason">${action.label ?? 'Reason (recorded in the audit trail)'}</label>
${error ? html`<p class="error" id="reason-error"><span class="vh">Error: </span>${error}</p>\n` : ''}<textarea id="reason" name="reason" rows="4" maxlength="500" required${
    error ? html` aria-invalid="true" aria-describedby="reason-error"` : ''
  }>${view.reason ?? ''}</textarea>
<div class="actions"><button type="submit">${action.button}</button>
<a href="/console/people/${seg(view.starterId)}">Back</a></div>
</form>`;
  return renderFrame(frame, toSafeHtml(body));
}

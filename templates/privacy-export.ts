// The subject access export as one self-contained, readable HTML page: no script, its stylesheet inline and allowed by hash.
import { createHash } from 'node:crypto';
import { trustedHtml } from '#shared/core/html.ts';
import { langOfField } from '#shared/core/language.ts';
import type { AssignmentExport, DeliveryExport, SubjectAccessExport } from '#shared/core/privacy/export.ts';
import { type Html, html, moment, type Part, raw, statusLabel, table, toSafeHtml } from './console/markup.ts';

const CSS = `body{font-family:system-ui,sans-serif;line-height:1.5;margin:0 auto;max-width:60rem;padding:1rem;color:#1a1a1a;background:#fff}
h1,h2,h3{line-height:1.25}h2{margin-top:2.5rem;border-top:2px solid #1a1a1a;padding-top:1rem}
table{border-collapse:collapse;width:100%;margin:0 0 1.5rem}caption{text-align:left;font-weight:700;padding:.5rem 0}
th,td{border:1px solid #767676;padding:.35rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f3f3f3}pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f3f3f3;padding:.75rem;border:1px solid #767676}
.table-wrap{overflow-x:auto}.table-wrap:focus{outline:3px solid #fd0}summary{cursor:pointer;font-weight:700}
dt{font-weight:700}dd{margin:0 0 .5rem}`;

/** The page's policy: nothing loads, nothing runs; only this stylesheet applies. */
export const SUBJECT_ACCESS_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'; img-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`;

/** A value as text: a list joined, an object as JSON, nothing as a dash. */
function text(value: unknown): string {
  if (value === null || value === undefined || (Array.isArray(value) && !value.length)) return '—';
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(', ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * Every field of a stored record as a row, so nothing held is left off the page; with `langOf`,
 * each value in the person's language is marked so (the page's own words stay English).
 */
function fields(
  id: string,
  caption: string,
  record: object,
  langOf?: (field: string) => string | undefined,
): Html {
  return table(
    id,
    caption,
    ['Field', 'Value'],
    Object.entries(record).map(([name, value]) => {
      const lang = langOf?.(name);
      return html`<tr><th scope="row">${name}</th><td${lang ? html` lang="${lang}"` : ''}>${text(value)}</td></tr>`;
    }),
  );
}

/** A table's rows, or one saying there are none: an empty table reads as a page that failed. */
const orNone = (rows: readonly Html[], columns: number): readonly Html[] =>
  rows.length ? rows : [html`<tr><td colspan="${columns}">None.</td></tr>`];

const json = (value: unknown): Html => html`<pre>${JSON.stringify(value, null, 2)}</pre>`;

function delivery(prefix: string, d: DeliveryExport): Html {
  const payload = d.payload.rebuilt
    ? html`<details><summary>${d.destination}: ${d.payload.what}</summary>${json(d.payload.payload)}</details>`
    : html`<p>${d.destination}: the payload could not be rebuilt: ${d.payload.why}.</p>`;
  const attempts = table(
    `${prefix}-${d.destination}-attempts`,
    `Attempts to deliver to ${d.destination}${d.attemptsDropped ? ` (${d.attemptsDropped} earlier not kept)` : ''}`,
    ['When', 'HTTP status', 'Took (ms)', 'Error', 'Start of the answer'],
    orNone(
      d.attemptLog.map(
        (a) =>
          html`<tr><td>${moment(a.at)}</td><td>${a.status ?? 'none'}</td><td>${a.durationMs}</td><td>${a.error ?? ''}</td><td>${a.answer ?? ''}</td></tr>`,
      ),
      5,
    ),
  );
  return html`${attempts}
${fields(`${prefix}-${d.destination}-record`, `The ${d.destination} delivery as stored`, d.record)}
${payload}`;
}

function assignment(a: AssignmentExport, index: number): Html {
  const id = `a${index}`;
  const agreed = a.evidence;
  const evidence = agreed
    ? html`${fields(`${id}-evidence`, 'The evidence of the agreement', agreed, (f) => langOfField(agreed, f))}
<p>Integrity: the stored text of version ${a.policy.version} ${a.integrity?.matches ? 'still hashes to' : 'does NOT hash to'} the sha256 the evidence names (recomputed: ${a.integrity?.recomputedSha256 ?? '—'}).</p>`
    : html`<p>Not signed: no evidence is held.</p>`;
  // Each time they said they do not agree: the same evidence, with their reason.
  const declines = (a.declines ?? []).map((d, i) =>
    fields(`${id}-decline-${i + 1}`, `Decline ${i + 1}: that they do not agree, and why`, d, (f) =>
      langOfField(d, f),
    ),
  );
  const emails = table(
    `${id}-emails`,
    'Emails sent (their bodies are not kept)',
    ['Kind', 'To', 'When', 'Subject', 'Message id', 'Attempt'],
    orNone(
      a.emails.map(
        (e) =>
          html`<tr><td>${e.kind}</td><td>${e.to}</td><td>${moment(e.at)}</td><td>${e.subject ?? '(not kept)'}</td><td>${e.messageId}</td><td>${e.attemptId ?? '—'}</td></tr>`,
      ),
      6,
    ),
  );
  const ses = table(
    `${id}-ses`,
    'What Amazon SES reported sending',
    ['When SES reported it', 'Attempt', 'Message id'],
    orNone(
      a.sesReports.map(
        (r) => html`<tr><td>${moment(r.at)}</td><td>${r.attemptId}</td><td>${r.messageId}</td></tr>`,
      ),
      3,
    ),
  );
  const audit = table(
    `${id}-audit`,
    'Audit trail',
    ['When', 'What', 'Detail'],
    orNone(
      a.audit.map(
        (e) =>
          html`<tr><td>${moment(e.at)}</td><td>${e.kind}</td><td>${text(Object.keys(e.detail).length ? e.detail : '')}</td></tr>`,
      ),
      3,
    ),
  );
  const deliveries: Part = a.deliveries.length
    ? html`<h3>Deliveries to learning systems</h3>
${a.deliveries.map((d) => delivery(id, d))}`
    : html`<p>No delivery to a learning system.</p>`;
  return html`<section aria-labelledby="${id}-h">
<h2 id="${id}-h">${a.policy.title}, version ${a.policy.version}: ${statusLabel(a.status)}</h2>
${evidence}
${declines}
${emails}
${ses}
${deliveries}
${audit}
${fields(`${id}-record`, 'The assignment as stored', a.record)}
</section>`;
}

/** The export as a page: who, when, what is not included, the personal details, then each assignment. */
export function renderSubjectAccessHtml(data: SubjectAccessExport): string {
  const name = `${data.starter.givenName} ${data.starter.familyName}`.trim();
  // The <title> is fixed: a long name would pass the 70 characters a title should keep to.
  const title = `What attest holds about ${name}`;
  const scim: Part = data.scimUsers.length
    ? data.scimUsers.map((u, i) =>
        fields(`scim${i}`, `Provisioned by the identity provider (SCIM user ${u.id})`, u),
      )
    : html`<p>No user was provisioned for them over SCIM.</p>`;
  const body = html`<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${SUBJECT_ACCESS_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>Subject access export (attest)</title>
<style>${raw(trustedHtml(CSS))}</style>
</head>
<body>
<main>
<h1>${title}</h1>
<p>A subject access export: everything attest’s records hold about this person, as of ${moment(data.about.exportedAt)}.</p>
<dl>
<dt>Employee id</dt><dd>${data.about.employeeId}</dd>
<dt>attest’s id for them</dt><dd>${data.about.starterId}</dd>
<dt>Exported</dt><dd>${moment(data.about.exportedAt)}</dd>
<dt>attest version</dt><dd>${data.about.attestVersion}</dd>
</dl>
<h2>Not included</h2>
<ul>
${data.about.notIncluded.map((line) => html`<li>${line}</li>\n`)}</ul>
<p>${data.about.payloadsNote}</p>
<h2>Personal details</h2>
${fields('starter', 'As HR last described them', data.starter)}
${scim}
${data.assignments.length ? data.assignments.map(assignment) : html`<p>They were never asked to sign a policy.</p>`}
</main>
</body>
</html>
`;
  return toSafeHtml(body);
}

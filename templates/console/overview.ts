// The console's overview page: per policy the report's numbers, who needs attention, and completion charts with their tables.
import type { Frame, OverviewView, PolicyOverview } from '#shared/core/console/views.ts';
import { completionChart, weeklyChart } from './charts.ts';
import { renderFrame } from './layout.ts';
import { type Html, html, seg, status, table, toSafeHtml } from './markup.ts';

const stat = (label: string, value: number, extra?: string): Html =>
  html`<div><dt>${label}</dt><dd>${value}${extra ? html` <span class="meta">${extra}</span>` : ''}</dd></div>`;

function numbers(p: PolicyOverview): Html {
  const open = p.signed + p.unsigned;
  return html`<dl class="stats">
${stat('Asked', p.total)}
${stat('Signed', p.signed, open ? `(${Math.floor((100 * p.signed) / open)}%)` : undefined)}
${stat('Not signed', p.unsigned)}
${stat('Declined', p.byStatus.declined)}
${stat('Overdue', p.byStatus.overdue)}
${stat('Bounced', p.byStatus.bounced)}
${stat('Invited', p.byStatus.invited)}
${stat('Pending (not yet invited)', p.byStatus.pending)}
${stat('Cancelled', p.cancelled)}${p.dueForRenewal ? html`\n${stat('Due for renewal', p.dueForRenewal)}` : ''}${p.lapsed ? html`\n${stat('Lapsed', p.lapsed)}` : ''}
</dl>
<p class="meta">Not signed counts the declined, overdue, bounced, invited and pending; each person counts once, by their newest ask.</p>`;
}

function attention(p: PolicyOverview, id: string): Html {
  if (!p.attention.length) return html`<p>No one is waiting to sign.</p>`;
  const rows = p.attention.map(
    (a) =>
      html`<tr><th scope="row"><a href="/console/people/${seg(a.starterId)}">${a.name}</a></th><td>${a.employeeId}</td><td>${a.department}</td><td>${status(a.status)}${a.renewal ? html` <span class="meta">(${a.renewal})</span>` : ''}</td><td class="num">${a.policyVersion}</td><td class="num">${a.daysWaiting ?? '—'}</td></tr>`,
  );
  const csv = `/console/exports/report.csv?policy=${seg(p.policyId)}&status=unsigned`;
  return html`${table(id, `Not signed yet: declined, overdue and bounced first, then the longest waiting`, ['Name', 'Employee id', 'Department', 'Status', 'Version', 'Days waiting'], rows)}
${p.attentionMore > 0 ? html`<p>And ${p.attentionMore} more — <a href="${csv}">export the full list (CSV)</a>.</p>` : ''}`;
}

function policy(p: PolicyOverview, i: number, timeZone: string): Html {
  const id = `p${i}`;
  const heading = html`<h2 id="${id}">${p.title} <span class="meta">version ${p.version}</span></h2>`;
  if (!p.total) return html`${heading}\n<p>No one has been asked to sign this policy yet.</p>`;
  return html`${heading}
<h3>Where everyone stands</h3>
${numbers(p)}
<h3>Needs attention</h3>
${attention(p, `${id}-attention`)}
<h3>Completion by department</h3>
${completionChart(p.byDepartment, `${p.title}: completion by department`, { id: `${id}-dept`, groupLabel: 'Department' })}
<h3>Completion by manager</h3>
${completionChart(p.byManager, `${p.title}: completion by manager`, { id: `${id}-mgr`, groupLabel: 'Manager' })}
<h3>Signed per week</h3>
<p class="meta">Weeks run Monday to Sunday in ${timeZone}.</p>
${weeklyChart(p.perWeek, `${p.title}: signed per week`, { id: `${id}-week` })}`;
}

export function renderOverview(frame: Frame, view: OverviewView): string {
  const body = view.policies.length
    ? view.policies.map((p, i) => html`${policy(p, i, view.timeZone)}\n`)
    : html`<p>No policy has been published yet.</p>`;
  return renderFrame(frame, toSafeHtml(html`${body}`));
}

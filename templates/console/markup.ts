// The console templates' one way to make HTML: a tagged template that escapes every value unless it is markup built the same way.
import { formatDay, isCalendarDay, utcMinute } from '#shared/core/dates.ts';
import { escapeHtml, type SafeHtml, trustedHtml } from '#shared/core/html.ts';
import { langOfField } from '#shared/core/language.ts';
import type { AssignmentStatus } from '#shared/core/model.ts';

// A SafeHtml is a plain string at run time, so a tag cannot tell it from a view's text; markup
// made here carries a private symbol instead, and anything without it is escaped.
const MARKUP = Symbol('markup');

/** Markup made by `html` (or admitted by `raw`): the only values the tag inserts unescaped. */
export interface Html {
  readonly [MARKUP]: string;
}

/** What may be interpolated: markup, text and numbers (escaped), lists of them; nullish and booleans print nothing. */
export type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function piece(part: Part): string {
  if (part === null || part === undefined || typeof part === 'boolean') return '';
  if (typeof part === 'string') return escapeHtml(part);
  if (typeof part === 'number') return String(part);
  if (Array.isArray(part)) return part.map(piece).join('');
  return (part as Html)[MARKUP];
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += piece(value) + (strings[i + 1] ?? '');
  });
  return { [MARKUP]: out };
}

/** Admits markup another template already escaped (a page's main, handed to the frame). */
export const raw = (markup: SafeHtml): Html => ({ [MARKUP]: markup });

export const toSafeHtml = (markup: Html): SafeHtml => trustedHtml(markup[MARKUP]);

/** An instant as `2026-12-01 14:03 UTC`, the machine value kept in `datetime`; `empty` when there is none. */
export function moment(iso: string | null | undefined, empty = '—'): Html {
  if (!iso) return html`${empty}`;
  if (Number.isNaN(Date.parse(iso))) return html`${iso}`;
  return html`<time datetime="${iso}">${utcMinute(iso)} UTC</time>`;
}

/** A calendar day (YYYY-MM-DD) as `24 December 2026`; anything else as it is, rather than throw mid-page. */
export const day = (text: string): Html =>
  isCalendarDay(text) ? html`<time datetime="${text}">${formatDay(text)}</time>` : html`${text}`;

const STATUS_LABELS: Record<AssignmentStatus, string> = {
  pending: 'Pending (not yet invited)',
  invited: 'Invited',
  overdue: 'Overdue',
  bounced: 'Bounced',
  declined: 'Declined',
  acknowledged: 'Signed',
  cancelled: 'Cancelled',
};

/** A status in words, marked (not only by colour) when it needs someone's attention. */
export function status(value: AssignmentStatus): Html {
  const label = STATUS_LABELS[value];
  return value === 'overdue' || value === 'bounced' || value === 'declined'
    ? html`<strong class="bad">${label}</strong>`
    : html`${label}`;
}

export const statusLabel = (value: AssignmentStatus): string => STATUS_LABELS[value];

/**
 * A data table in a labelled, focusable scroll region, so on a narrow screen keyboard users can
 * scroll it too; `id` names the caption, which labels the region.
 */
export function table(id: string, caption: Part, head: readonly Part[], rows: readonly Html[]): Html {
  return html`<section class="table-wrap" aria-labelledby="${id}" tabindex="0">
<table>
<caption id="${id}">${caption}</caption>
<thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>
${rows.map((row) => html`${row}\n`)}</tbody>
</table>
</section>`;
}

/** A path segment or query value, encoded for a URL (the tag then escapes it for the attribute). */
export const seg = (value: string): string => encodeURIComponent(value);

/**
 * ` lang="cy"` for the element holding `field` of a person's evidence when it is in their language,
 * not the page's English (language.ts `langOfField`); nothing otherwise.
 */
export function langAttr(
  evidence: { locale?: string | undefined; method?: string | undefined },
  field: string,
): Html | '' {
  const lang = langOfField(evidence, field);
  return lang ? html` lang="${lang}"` : '';
}

// The overview's charts as inline SVG drawn on the server (no script, no style attributes), each beside a table of every figure it draws.
import type { Completion, WeekCount } from '#shared/core/console/aggregates.ts';
import { formatDay } from '#shared/core/dates.ts';
import { type Html, html, table } from './markup.ts';

/** The most groups a completion chart draws; the rest are in its table, which lists all. */
export const MAX_BARS = 15;

// Colours as presentation attributes (CSP allows no style attribute): signed in solid blue,
// not signed hatched in dark orange, so the two differ by pattern as well as by hue; both ≥ 3:1
// on white, and the text beside each bar says the figures in words.
const SIGNED = '#0b4f8a';
const UNSIGNED = '#a63c00';
const TEXT = '#1b1b1b';

// Drawn at about its natural size beside its table (the stylesheet caps it at 30rem), so that on
// a 390 px screen its 13 px text shrinks by no more than a quarter.
const WIDTH = 480;
const LABEL_WIDTH = 140;
const BAR_X = 148;
const BAR_MAX = 200;
const ROW = 26;
const LEGEND = 30;

const shorten = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const percent = (value: number | null) => (value === null ? '—' : `${value}%`);

export interface CompletionChartOptions {
  /** Unique on the page: prefixes the chart's pattern and its table's caption ids. */
  id: string;
  /** What a group is, for the table's first column: "Department", "Manager". */
  groupLabel: string;
}

/** The figures of one group in words: the bar's tooltip, and what the tests compare with the table. */
export const completionTitle = (g: Completion): string =>
  `${g.label}: ${g.signed} signed, ${g.notSigned} not signed, ${g.cancelled} cancelled, of ${g.asked} asked`;

/**
 * Signed and not signed people per group as horizontal stacked bars, at most MAX_BARS of them
 * (the groups come with most not signed first, so those are the ones drawn), and a table of all.
 */
export function completionChart(
  groups: readonly Completion[],
  caption: string,
  options: CompletionChartOptions,
): Html {
  if (!groups.length) return html`<p>No one is in any group yet.</p>`;
  const drawn = groups.slice(0, MAX_BARS);
  const scale = Math.max(1, ...drawn.map((g) => g.signed + g.notSigned));
  const height = LEGEND + drawn.length * ROW + 6;
  const hatch = `${options.id}-hatch`;
  const signed = groups.reduce((n, g) => n + g.signed, 0);
  const notSigned = groups.reduce((n, g) => n + g.notSigned, 0);
  const summary = `${caption}: a bar chart of ${groups.length} ${groups.length === 1 ? 'group' : 'groups'}${
    groups.length > MAX_BARS ? `, the ${MAX_BARS} with most not signed drawn` : ''
  }; ${signed} signed and ${notSigned} not signed in all. The table that follows lists every group.`;
  const bars = drawn.map((g, i) => {
    const y = LEGEND + i * ROW;
    const signedWidth = (BAR_MAX * g.signed) / scale;
    const unsignedWidth = (BAR_MAX * g.notSigned) / scale;
    const words =
      g.percentSigned === null
        ? 'none asked now'
        : `${g.signed} of ${g.signed + g.notSigned} (${g.percentSigned}%)`;
    return html`<g class="bar"><title>${completionTitle(g)}</title>
<text x="${LABEL_WIDTH}" y="${y + 15}" text-anchor="end" fill="${TEXT}">${shorten(g.label, 18)}</text>
<rect x="${BAR_X}" y="${y + 3}" width="${signedWidth.toFixed(1)}" height="18" fill="${SIGNED}"/>
<rect x="${(BAR_X + signedWidth).toFixed(1)}" y="${y + 3}" width="${unsignedWidth.toFixed(1)}" height="18" fill="url(#${hatch})" stroke="${UNSIGNED}"/>
<text x="${(BAR_X + signedWidth + unsignedWidth + 6).toFixed(1)}" y="${y + 15}" fill="${TEXT}">${words}</text></g>
`;
  });
  const svg = html`<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${summary}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif" font-size="13">
<defs><pattern id="${hatch}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><rect width="3" height="6" fill="${UNSIGNED}"/></pattern></defs>
<rect x="${BAR_X}" y="4" width="14" height="14" fill="${SIGNED}"/><text x="${BAR_X + 20}" y="16" fill="${TEXT}">Signed</text>
<rect x="${BAR_X + 90}" y="4" width="14" height="14" fill="url(#${hatch})" stroke="${UNSIGNED}"/><text x="${BAR_X + 110}" y="16" fill="${TEXT}">Not signed</text>
${bars}</svg>`;
  const more = groups.length - drawn.length;
  const note =
    more > 0
      ? html`<p class="meta">${more} more ${more === 1 ? 'group is' : 'groups are'} in the table.</p>`
      : '';
  const rows = groups.map(
    (g) =>
      html`<tr><th scope="row">${g.label}</th><td class="num">${g.asked}</td><td class="num">${g.signed}</td><td class="num">${g.notSigned}</td><td class="num">${g.cancelled}</td><td class="num">${percent(g.percentSigned)}</td></tr>`,
  );
  return html`<div class="pair">
<div>${svg}
${note}</div>
${table(`${options.id}-caption`, caption, [options.groupLabel, 'Asked', 'Signed', 'Not signed', 'Cancelled', 'Signed (%)'], rows)}
</div>`;
}

const PLOT_LEFT = 44;
const PLOT_RIGHT = WIDTH - 10;
const PLOT_TOP = 16;
const PLOT_BOTTOM = 190;
const WEEK_HEIGHT = 220;

/** The figures of one week in words: the bar's tooltip. */
export const weekTitle = (w: WeekCount): string =>
  `${w.week} (from ${formatDay(w.monday)}): ${w.signed} signed`;

/** Agreements per ISO week as vertical bars, every week in the range (empty ones too), and a table of all. */
export function weeklyChart(weeks: readonly WeekCount[], caption: string, options: { id: string }): Html {
  if (!weeks.length) return html`<p>No one has signed yet.</p>`;
  const max = Math.max(1, ...weeks.map((w) => w.signed));
  const total = weeks.reduce((n, w) => n + w.signed, 0);
  const busiest = weeks.reduce((a, b) => (b.signed > a.signed ? b : a));
  const first = weeks[0] as WeekCount;
  const last = weeks[weeks.length - 1] as WeekCount;
  const slot = (PLOT_RIGHT - PLOT_LEFT) / weeks.length;
  const barWidth = Math.max(1, slot * 0.7);
  // Label about a dozen weeks at most, so the labels never overlap.
  const every = Math.ceil(weeks.length / 12);
  const summary = `${caption}: a bar chart of ${weeks.length} ${weeks.length === 1 ? 'week' : 'weeks'} from ${first.week} to ${last.week}; ${total} signed in all, most in ${busiest.week} (${busiest.signed}). The table that follows lists every week.`;
  const bars = weeks.map((w, i) => {
    const x = PLOT_LEFT + i * slot + (slot - barWidth) / 2;
    const h = ((PLOT_BOTTOM - PLOT_TOP) * w.signed) / max;
    const label =
      i % every === 0
        ? html`\n<text x="${(x + barWidth / 2).toFixed(1)}" y="${PLOT_BOTTOM + 18}" text-anchor="middle" fill="${TEXT}">${w.week.slice(5)}</text>`
        : '';
    return html`<g class="bar"><title>${weekTitle(w)}</title>
<rect x="${x.toFixed(1)}" y="${(PLOT_BOTTOM - h).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}" fill="${SIGNED}"/>${label}</g>
`;
  });
  const svg = html`<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${summary}" viewBox="0 0 ${WIDTH} ${WEEK_HEIGHT}" width="${WIDTH}" height="${WEEK_HEIGHT}" font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif" font-size="13">
<line x1="${PLOT_LEFT}" y1="${PLOT_BOTTOM}" x2="${PLOT_RIGHT}" y2="${PLOT_BOTTOM}" stroke="${TEXT}"/>
<text x="${PLOT_LEFT - 6}" y="${PLOT_TOP + 5}" text-anchor="end" fill="${TEXT}">${max}</text>
<text x="${PLOT_LEFT - 6}" y="${PLOT_BOTTOM + 4}" text-anchor="end" fill="${TEXT}">0</text>
${bars}</svg>`;
  const rows = weeks.map(
    (w) =>
      html`<tr><th scope="row">${w.week}</th><td><time datetime="${w.monday}">${formatDay(w.monday)}</time></td><td class="num">${w.signed}</td></tr>`,
  );
  return html`<div class="pair">
<div>${svg}</div>
${table(`${options.id}-caption`, caption, ['Week', 'Starting', 'Signed'], rows)}
</div>`;
}

// The overview's SVG charts and the tables beside them.
import { describe, expect, it } from 'vitest';
import { completionChart, MAX_BARS, weeklyChart } from '#templates/console/charts.ts';
import { renderFrame } from '#templates/console/layout.ts';
import { type Html, toSafeHtml } from '#templates/console/markup.ts';
import { pageProblems } from '../../../support/html.ts';
import { completions, frameOf, HOSTILE, weeks } from './fixtures.ts';

const text = (chart: Html) => toSafeHtml(chart) as string;
const titles = (svg: string) => [...svg.matchAll(/<g class="bar"><title>([^<]*)<\/title>/g)].map((m) => m[1]);
const svgOf = (out: string) => /<svg[\s\S]*<\/svg>/.exec(out)?.[0] ?? '';
const tableRows = (out: string) =>
  [...out.matchAll(/<tr><th scope="row">([^<]*)<\/th>((?:<td[^>]*>[\s\S]*?<\/td>)+)<\/tr>/g)].map((m) => ({
    label: m[1],
    cells: [...(m[2] as string).matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]),
  }));

describe('completionChart', () => {
  it('draws a titled bar per group, labelled as a whole, beside a table of the same figures', async () => {
    // Prepare
    const groups = completions(6);

    // Act
    const out = text(
      completionChart(groups, 'Completion by department', { id: 'dept', groupLabel: 'Department' }),
    );

    // Assess
    const svg = svgOf(out);
    expect(svg).toMatch(
      /role="img" aria-label="Completion by department: a bar chart of 6 groups; \d+ signed and \d+ not signed in all/,
    );
    expect(svg).not.toContain('style=');
    expect(titles(svg)).toHaveLength(6);
    const rows = tableRows(out);
    expect(rows.map((r) => r.label)).toEqual(groups.map((g) => g.label));
    // Each bar's title says the same numbers as its row: asked, signed, not signed, cancelled.
    titles(svg).forEach((title, i) => {
      const [asked, signed, notSigned, cancelled] = rows[i]?.cells ?? [];
      expect(title).toBe(
        `${rows[i]?.label}: ${signed} signed, ${notSigned} not signed, ${cancelled} cancelled, of ${asked} asked`,
      );
    });
    expect(out).toMatch(/<section class="table-wrap" aria-labelledby="dept-caption" tabindex="0">/);
    expect(out).toContain('<caption id="dept-caption">Completion by department</caption>');
    expect(out).toContain('<th scope="col">Department</th>');
    expect(
      await pageProblems(
        renderFrame(
          frameOf('admin', 'overview', 'O'),
          toSafeHtml(completionChart(groups, 'C', { id: 'c', groupLabel: 'G' })),
        ),
      ),
    ).toEqual([]);
  });

  it('draws at most fifteen bars, says how many more there are, and tables them all', () => {
    // Act
    const out = text(completionChart(completions(20), 'By manager', { id: 'm', groupLabel: 'Manager' }));

    // Assess
    expect(MAX_BARS).toBe(15);
    expect(titles(svgOf(out))).toHaveLength(15);
    expect(tableRows(out)).toHaveLength(20);
    expect(out).toContain('5 more groups are in the table.');
    expect(out).toContain('the 15 with most not signed drawn');
  });

  it('shows a label as text, in the bar and the table', () => {
    // Act
    const out = text(
      completionChart(
        [{ label: HOSTILE, asked: 1, signed: 1, notSigned: 0, cancelled: 0, percentSigned: 100 }],
        'C',
        {
          id: 'c',
          groupLabel: 'G',
        },
      ),
    );

    // Assess
    expect(out).not.toContain('<script>');
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;: 1 signed');
  });

  it('says so when there is no group', () => {
    expect(text(completionChart([], 'C', { id: 'c', groupLabel: 'G' }))).toBe(
      '<p>No one is in any group yet.</p>',
    );
  });
});

describe('weeklyChart', () => {
  it('draws a titled bar per week, empty weeks too, beside a table of every week', async () => {
    // Act
    const out = text(weeklyChart(weeks, 'Signed per week', { id: 'w' }));

    // Assess
    const svg = svgOf(out);
    expect(svg).toContain(
      'aria-label="Signed per week: a bar chart of 4 weeks from 2026-W46 to 2026-W49; 10 signed in all, most in 2026-W48 (5).',
    );
    expect(titles(svg)).toEqual([
      '2026-W46 (from 9 November 2026): 3 signed',
      '2026-W47 (from 16 November 2026): 0 signed',
      '2026-W48 (from 23 November 2026): 5 signed',
      '2026-W49 (from 30 November 2026): 2 signed',
    ]);
    const rows = tableRows(out);
    expect(rows.map((r) => [r.label, r.cells[1]])).toEqual(weeks.map((w) => [w.week, String(w.signed)]));
    expect(
      await pageProblems(
        renderFrame(frameOf('admin', 'overview', 'O'), toSafeHtml(weeklyChart(weeks, 'S', { id: 'w' }))),
      ),
    ).toEqual([]);
  });

  it('says so when no one has signed', () => {
    expect(text(weeklyChart([], 'S', { id: 'w' }))).toBe('<p>No one has signed yet.</p>');
  });
});

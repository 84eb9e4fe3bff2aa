// What the build made of the policy files, as the functions take it: the same as parsing and rendering the files now, and Markdown for any other text only when asked.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUDIENCE_FILE } from '#shared/core/audience.ts';
import { parseAudienceRules } from '#shared/core/audience-file.ts';
import { parsePolicyFiles, renderPolicyHtml } from '#shared/core/policy.ts';
import { bundledAudience } from '#templates/audience.ts';
import { bundledPolicies } from '#templates/policies.ts';
import { policyHtml, preparePolicyHtml } from '#templates/policy-html.ts';

const dir = new URL('../../../templates/policies/', import.meta.url);
const sources = Object.fromEntries(
  readdirSync(dir)
    .filter((file) => file.endsWith('.md'))
    .map((file) => [file, readFileSync(new URL(file, dir), 'utf8')]),
);

describe('the policies as the build made them', () => {
  it('equal the policy files parsed now, translations included', () => {
    // Assess
    expect(new Map(bundledPolicies)).toEqual(parsePolicyFiles(sources));
  });

  it('carry the audience rules as the rules file reads now', () => {
    // Act
    const rules = parseAudienceRules(
      readFileSync(new URL(AUDIENCE_FILE, dir), 'utf8'),
      new Set(bundledPolicies.keys()),
    );

    // Assess
    expect(bundledAudience).toEqual(rules);
  });

  it('give each text the HTML its Markdown renders to, with nothing to prepare', () => {
    // Prepare
    const bodies = [...bundledPolicies.values()].flatMap((p) => [
      p.body,
      ...Object.values(p.translations ?? {}).map((t) => t?.body ?? ''),
    ]);

    // Assess
    expect(bodies.length).toBe(
      bundledPolicies.size + [...bundledPolicies.values()].filter((p) => p.translations).length,
    );
    for (const body of bodies) expect(policyHtml(body)).toBe(renderPolicyHtml(body));
  });
});

describe('policyHtml for a text the build did not compile', () => {
  it('refuses until the text is prepared, then gives its rendered Markdown', async () => {
    // Prepare
    const body = '# An older version\n\nRaw <b>HTML</b> stays text.\n';
    expect(() => policyHtml(body)).toThrow(/preparePolicyHtml/);

    // Act
    await preparePolicyHtml(body);

    // Assess
    expect(policyHtml(body)).toBe(renderPolicyHtml(body));
    expect(policyHtml(body)).toContain('&lt;b&gt;HTML&lt;/b&gt;');
  });
});

// Figure: the invite's render throughput, compiled once vs mjml2html per recipient, in the same run.
import { readFileSync } from 'node:fs';
import mjml2html from 'mjml';
import { escapeHtml } from '#shared/core/html.ts';
import { type InviteVars, renderInvite } from '#templates/invite.ts';
import { measure, report } from './measure.ts';

const source = readFileSync(new URL('../templates/invite.mjml', import.meta.url), 'utf8');

const recipient = (i: number): InviteVars => ({
  organisationName: 'Wirral Children’s Services',
  givenName: `Starter ${i}`,
  policyTitle: 'Safe Internet Use – Guidance for Staff',
  policyVersion: 1,
  keyPoints: [
    'Distance yourself from any potentially inappropriate situation.',
    'Report any incident immediately.',
  ],
  ackUrl: `https://attest.example.org/ack/k1.${String(i).padStart(8, '0')}`,
  expiresOn: '24 December 2026',
  startDate: '1 December 2026',
});

/** The naive approach: fill the MJML with the recipient's (escaped) values, then compile it. */
async function naive(v: InviteVars): Promise<string> {
  const values: Record<string, string> = {
    ...Object.fromEntries(Object.entries(v).map(([k, val]) => [k, escapeHtml(String(val))])),
    keyPointsHtml: v.keyPoints.map((p) => `<li>${escapeHtml(p)}</li>`).join(''),
  };
  const filled = source.replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name] ?? '');
  return (await mjml2html(filled, { validationLevel: 'strict' })).html;
}

export async function run(): Promise<void> {
  let i = 0;
  const compiled = await measure(() => renderInvite(recipient(i++)), 3000);
  const perRecipient = await measure(() => naive(recipient(i++)), 5000);
  report(
    'Invite render throughput (HTML + text per recipient)',
    'emails/s',
    ['compiled once (renderInvite)', compiled.perSecond],
    ['mjml2html per recipient (baseline)', perRecipient.perSecond],
  );
}

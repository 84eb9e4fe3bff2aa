// The invite email: its variables' schema, the HTML from the MJML compiled at build, and the plain-text part.
import { z } from 'zod';
import { escapeHtml, trustedHtml } from '#shared/core/html.ts';
import { compileSlots } from '#shared/core/template.ts';
import { inviteHtml } from './generated/invite.html.ts';

export const inviteVarsSchema = z.object({
  organisationName: z.string().min(1),
  givenName: z.string().min(1),
  policyTitle: z.string().min(1),
  policyVersion: z.number().int().positive(),
  keyPoints: z.array(z.string().min(1)).min(1),
  ackUrl: z.string().min(1),
  expiresOn: z.string().min(1),
  startDate: z.string().min(1),
});

export type InviteVars = z.infer<typeof inviteVarsSchema>;

// Compiled once per cold start: per email, only escaped values are joined into fixed parts.
const renderHtml = compileSlots(inviteHtml, {
  organisationName: 'text',
  givenName: 'text',
  policyTitle: 'text',
  policyVersion: 'text',
  keyPointsHtml: 'html',
  ackUrl: 'url',
  expiresOn: 'text',
  startDate: 'text',
});

function renderText(v: InviteVars): string {
  return [
    `Hello ${v.givenName},`,
    '',
    `Welcome. Before you start on ${v.startDate}, please read and sign our policy "${v.policyTitle}" (version ${v.policyVersion}).`,
    'It protects the children and young people we work with, and it protects you.',
    '',
    'The key points:',
    ...v.keyPoints.map((p) => `  * ${p}`),
    '',
    'Read and sign the policy here:',
    v.ackUrl,
    '',
    `The link is personal to you and works until ${v.expiresOn}.`,
    '',
    '--',
    `You are receiving this email because ${v.organisationName} has you down as a new member of staff.`,
    'If you are not expecting it, tell your HR team and do not use the link.',
    '',
  ].join('\n');
}

export function renderInvite(vars: InviteVars): { subject: string; html: string; text: string } {
  const v = inviteVarsSchema.parse(vars);
  return {
    subject: `Please read and sign: ${v.policyTitle}`,
    html: renderHtml({
      ...v,
      policyVersion: String(v.policyVersion),
      keyPointsHtml: trustedHtml(v.keyPoints.map((p) => `<li>${escapeHtml(p)}</li>`).join('')),
    }),
    text: renderText(v),
  };
}

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
  /** A new version for someone who signed an earlier one, rather than a new starter's first ask. */
  reacknowledge: z.boolean().default(false),
});

export type InviteVars = z.input<typeof inviteVarsSchema>;
type Vars = z.output<typeof inviteVarsSchema>;

// Compiled once per cold start: per email, only escaped values are joined into fixed parts.
const renderHtml = compileSlots(inviteHtml, {
  subject: 'text',
  preview: 'text',
  organisationName: 'text',
  givenName: 'text',
  introHtml: 'html',
  keyPointsHtml: 'html',
  ackUrl: 'url',
  expiresOn: 'text',
  whyYou: 'text',
});

/** The opening and the reasons, which differ for a new starter and for a new policy version. */
function wording(v: Vars) {
  // `title` arrives formatted for the part (quoted in text, bold in HTML); `esc` escapes for it.
  type Intro = (title: string, esc: (s: string) => string) => string;
  if (v.reacknowledge) {
    return {
      subject: `Updated policy to sign: ${v.policyTitle}`,
      preview: `${v.organisationName} has updated ${v.policyTitle}; please read and sign the new version.`,
      intro: ((title) =>
        `We have updated our policy ${title} (version ${v.policyVersion}). You signed an earlier version, so please read this one and sign it again.`) as Intro,
      whyYou: `you signed an earlier version of this policy for ${v.organisationName}`,
    };
  }
  return {
    subject: `Please read and sign: ${v.policyTitle}`,
    preview: `${v.organisationName} asks you to read and sign ${v.policyTitle} before you start.`,
    intro: ((title, esc) =>
      `Welcome. Before you start on ${esc(v.startDate)}, please read and sign our policy ${title} (version ${v.policyVersion}).`) as Intro,
    whyYou: `${v.organisationName} has you down as a new member of staff`,
  };
}

function renderText(v: Vars): string {
  const w = wording(v);
  return [
    `Hello ${v.givenName},`,
    '',
    w.intro(`"${v.policyTitle}"`, (s) => s),
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
    `You are receiving this email because ${w.whyYou}.`,
    'If you are not expecting it, tell your HR team and do not use the link.',
    '',
  ].join('\n');
}

export function renderInvite(vars: InviteVars): { subject: string; html: string; text: string } {
  const v = inviteVarsSchema.parse(vars);
  const w = wording(v);
  const intro = w.intro(`<strong>${escapeHtml(v.policyTitle)}</strong>`, escapeHtml);
  return {
    subject: w.subject,
    html: renderHtml({
      subject: w.subject,
      preview: w.preview,
      organisationName: v.organisationName,
      givenName: v.givenName,
      introHtml: trustedHtml(intro),
      keyPointsHtml: trustedHtml(v.keyPoints.map((p) => `<li>${escapeHtml(p)}</li>`).join('')),
      ackUrl: v.ackUrl,
      expiresOn: v.expiresOn,
      whyYou: w.whyYou,
    }),
    text: renderText(v),
  };
}

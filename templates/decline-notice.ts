// The decline notice to the manager and HR: someone does not agree with a policy, and why — schema, HTML from the MJML compiled at build, plain text.
import { escapeHtml, trustedHtml } from '#shared/core/html.ts';
import type { DeclineNoticeContent, Rendered } from '#shared/core/mail-content.ts';
import { compileSlots } from '#shared/core/template.ts';
import * as z from '#shared/core/zod.ts';
import { declineNoticeHtml } from './generated/decline-notice.html.ts';

export const declineNoticeVarsSchema = z.object({
  organisationName: z.string().check(z.minLength(1)),
  greeting: z.string().check(z.minLength(1)),
  starterName: z.string().check(z.minLength(1)),
  employeeId: z.string().check(z.minLength(1)),
  policyTitle: z.string().check(z.minLength(1)),
  policyVersion: z.number().check(z.int(), z.positive()),
  declines: z
    .array(z.object({ on: z.string().check(z.minLength(1)), reason: z.string().check(z.minLength(1)) }))
    .check(z.minLength(1)),
});

type DeclineNotice = z.output<typeof declineNoticeVarsSchema>;

/** The email's words: one place, for the message catalogue to absorb. */
const TEXT = {
  subject: (name: string, title: string) => `${name} does not agree with ${title}`,
  preview: (name: string) => `${name} has declined a policy and said why.`,
  intro: (name: string, id: string, title: string, version: number) =>
    `${name} (employee ${id}) has told us they do not agree with ${title} (version ${version}), and why.`,
  reasonsOne: 'Their reason:',
  reasonsMany: 'Each time they declined, and why:',
  next: 'We have stopped sending them reminders. Please talk to them about it. They can still sign the policy from the link in their email, while it works; if they do, you will not hear from us again about it.',
} as const;

// Compiled once per cold start: per email, only escaped values are joined into fixed parts.
const renderHtml = compileSlots(declineNoticeHtml, {
  preview: 'text',
  organisationName: 'text',
  greeting: 'text',
  bodyHtml: 'html',
});

// Inline styles: many email clients drop <style>.
const P = '<p style="margin:0 0 16px 0">';

function lead(v: DeclineNotice): string {
  return v.declines.length === 1 ? TEXT.reasonsOne : TEXT.reasonsMany;
}

function bodyHtml(v: DeclineNotice): string {
  const intro = TEXT.intro(
    `<strong>${escapeHtml(v.starterName)}</strong>`,
    escapeHtml(v.employeeId),
    `<strong>${escapeHtml(v.policyTitle)}</strong>`,
    v.policyVersion,
  );
  const items = v.declines.map(
    (d) =>
      `<li style="margin:0 0 12px 0;overflow-wrap:anywhere;word-break:break-word">${escapeHtml(d.on)}: “${escapeHtml(d.reason)}”</li>`,
  );
  return [
    `${P}${intro}</p>`,
    `${P}${escapeHtml(lead(v))}</p>`,
    `<ul style="margin:0 0 16px 0;padding-left:20px">${items.join('')}</ul>`,
    `<p style="margin:0">${escapeHtml(TEXT.next)}</p>`,
  ].join('');
}

export function renderDeclineNotice(vars: DeclineNoticeContent): Rendered {
  const v = declineNoticeVarsSchema.parse(vars);
  return {
    subject: TEXT.subject(v.starterName, v.policyTitle),
    html: renderHtml({
      preview: TEXT.preview(v.starterName),
      organisationName: v.organisationName,
      greeting: v.greeting,
      bodyHtml: trustedHtml(bodyHtml(v)),
    }),
    text: [
      `Hello ${v.greeting},`,
      '',
      TEXT.intro(v.starterName, v.employeeId, `"${v.policyTitle}"`, v.policyVersion),
      '',
      lead(v),
      ...v.declines.map((d) => `  * ${d.on}: "${d.reason}"`),
      '',
      TEXT.next,
      '',
      '--',
      `You are receiving this because you are named as this person’s manager, or as the HR contact for policy declines, at ${v.organisationName}.`,
      '',
    ].join('\n'),
  };
}

// The manager's emails (the digest of starters yet to sign, and the bounce notice): schemas, HTML from the MJML compiled at build, plain text.
import { escapeHtml, trustedHtml } from '#shared/core/html.ts';
import type { BounceNoticeContent, DigestContent } from '#shared/core/mail-content.ts';
import { compileSlots } from '#shared/core/template.ts';
import * as z from '#shared/core/zod.ts';
import { managerHtml } from './generated/manager.html.ts';

export const digestVarsSchema = z.object({
  organisationName: z.string().check(z.minLength(1)),
  managerName: z.string().check(z.minLength(1)),
  people: z
    .array(
      z.object({
        name: z.string().check(z.minLength(1)),
        email: z.string().check(z.minLength(1)),
        policyTitle: z.string().check(z.minLength(1)),
        policyVersion: z.number().check(z.int(), z.positive()),
        invitedOn: z.string().check(z.minLength(1)),
        reminders: z.number().check(z.int(), z.nonnegative()),
      }),
    )
    .check(z.minLength(1)),
});

export const bounceNoticeVarsSchema = z.object({
  organisationName: z.string().check(z.minLength(1)),
  managerName: z.string().check(z.minLength(1)),
  starterName: z.string().check(z.minLength(1)),
  email: z.string().check(z.minLength(1)),
  policyTitle: z.string().check(z.minLength(1)),
  reason: z.enum(['bounced', 'complained']),
});

type Digest = z.output<typeof digestVarsSchema>;
type Person = Digest['people'][number];
type BounceNotice = z.output<typeof bounceNoticeVarsSchema>;
type Rendered = { subject: string; html: string; text: string };

// Compiled once per cold start: per email, only escaped values are joined into fixed parts.
// The <title> is fixed: a subject with a long name or title would pass the 70 characters a title should keep to.
const renderHtml = compileSlots(managerHtml, {
  preview: 'text',
  organisationName: 'text',
  managerName: 'text',
  bodyHtml: 'html',
});

const ASK = 'Please ask them to open the email from us and sign, or contact HR if anything here is wrong.';
const CHECK =
  'Please check the address with HR. HR can send us an updated address, and we will send a fresh link to it.';
const footer = (organisationName: string) =>
  `You are receiving this because you are named as the manager of new staff at ${organisationName}.`;

// Inline styles: many email clients drop <style>.
const P = '<p style="margin:0 0 16px 0">';

/** The digest's counts and sentences: one starter or several, one policy or several. */
function digestWording(v: Digest) {
  const starters = new Set(v.people.map((p) => p.email.trim().toLowerCase())).size;
  const policies = v.people.length === 1 ? 'policy' : 'policies';
  const reminded = v.people.some((p) => p.reminders > 0) ? ', although we have sent reminders' : '';
  return {
    subject: `Not yet signed: ${starters} of your new starters`,
    preview: `${starters === 1 ? 'A new starter has' : `${starters} new starters have`} not yet signed; please ask them to.`,
    intro: `${starters === 1 ? 'This new starter has' : 'These new starters have'} not yet signed the ${policies} below${reminded}.`,
  };
}

/**
 * One person's lines after their name and address, labelled, for a list that reads well on a phone;
 * `title` arrives formatted for the part (quoted in text, bold in HTML); `esc` escapes for it.
 */
const personLines = (p: Person, title: string, esc: (s: string) => string) => [
  `Policy: ${title} (version ${p.policyVersion})`,
  `Invited on: ${esc(p.invitedOn)}`,
  `Reminders sent: ${p.reminders}`,
];

function digestText(v: Digest): string {
  const w = digestWording(v);
  return [
    `Hello ${v.managerName},`,
    '',
    w.intro,
    '',
    ...v.people.flatMap((p) => [
      `  * ${p.name}`,
      ...[p.email, ...personLines(p, `"${p.policyTitle}"`, (s) => s)].map((line) => `    ${line}`),
      '',
    ]),
    ASK,
    '',
    '--',
    footer(v.organisationName),
    '',
  ].join('\n');
}

function digestBody(v: Digest, intro: string): string {
  const items = v.people.map((p) => {
    const lines = [
      `<strong>${escapeHtml(p.name)}</strong>`,
      escapeHtml(p.email),
      ...personLines(p, `<strong>${escapeHtml(p.policyTitle)}</strong>`, escapeHtml),
    ];
    return `<li style="margin:0 0 16px 0;overflow-wrap:anywhere;word-break:break-word">${lines.join('<br />')}</li>`;
  });
  return [
    `${P}${escapeHtml(intro)}</p>`,
    `<ul style="margin:0 0 16px 0;padding-left:20px">${items.join('')}</ul>`,
    `<p style="margin:0">${escapeHtml(ASK)}</p>`,
  ].join('');
}

export function renderDigest(vars: DigestContent): Rendered {
  const v = digestVarsSchema.parse(vars);
  const w = digestWording(v);
  return {
    subject: w.subject,
    html: renderHtml({
      preview: w.preview,
      organisationName: v.organisationName,
      managerName: v.managerName,
      bodyHtml: trustedHtml(digestBody(v, w.intro)),
    }),
    text: digestText(v),
  };
}

const REASONS: Record<BounceNotice['reason'], string> = {
  bounced: 'the address does not accept mail',
  complained: 'the message was reported as unwanted',
};

/** The bounce notice's sentence; `name`, `title` and `email` arrive formatted (and escaped) for the part. */
const bounceSentence = (v: BounceNotice, name: string, title: string, email: string) =>
  `We could not deliver the email asking ${name} to sign ${title} to ${email}: ${REASONS[v.reason]}, so we have stopped sending to it.`;

export function renderBounceNotice(vars: BounceNoticeContent): Rendered {
  const v = bounceNoticeVarsSchema.parse(vars);
  const subject = `Could not reach ${v.starterName} about ${v.policyTitle}`;
  const sentence = bounceSentence(
    v,
    `<strong>${escapeHtml(v.starterName)}</strong>`,
    `<strong>${escapeHtml(v.policyTitle)}</strong>`,
    escapeHtml(v.email),
  );
  return {
    subject,
    html: renderHtml({
      preview: `Please check the email address for ${v.starterName} with HR.`,
      organisationName: v.organisationName,
      managerName: v.managerName,
      bodyHtml: trustedHtml(`${P}${sentence}</p><p style="margin:0">${escapeHtml(CHECK)}</p>`),
    }),
    text: [
      `Hello ${v.managerName},`,
      '',
      bounceSentence(v, v.starterName, `"${v.policyTitle}"`, v.email),
      '',
      CHECK,
      '',
      '--',
      footer(v.organisationName),
      '',
    ].join('\n'),
  };
}

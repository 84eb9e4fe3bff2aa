// The invite email (and its reminders): its variables' schema, the HTML from the MJML compiled at build, and the plain-text part.
import { z } from 'zod';
import { escapeHtml, trustedHtml } from '#shared/core/html.ts';
import { compileSlots } from '#shared/core/template.ts';
import { inviteHtml } from './generated/invite.html.ts';

/** The wording re-attestation and due dates added (English; kept together for the message catalogue). */
const TEXT = {
  /** After an invite's opening, when the request has a sign-by date. */
  signBy: 'Please sign it by {date}.',
  renewalSubject: 'Time to sign again: {title}',
  renewalPreview: '{organisation} asks you to read {title} again and confirm you still agree.',
  /** `{title}` arrives formatted for the part. */
  renewalIntro:
    'Some time has passed since you signed our policy {title}. We ask everyone to read it again from time to time: please read version {version} and sign it again.',
  renewalWhyYou: 'you signed this policy for {organisation} and it is time to confirm it again',
} as const;

const fill = (text: string, values: Record<string, string | number>) =>
  text.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''));

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
  /** An agreement renewed (the policy's `reattest:` period passed): asked to sign again, same version or newer. */
  renewal: z.boolean().default(false),
  /** The sign-by date (the policy's `due:`), formatted in the starter's time zone; told in the invite. */
  signBy: z.string().min(1).optional(),
  /** What changed in this version (its front matter's `changes:`), told to those asked again. */
  changes: z.array(z.string().min(1)).default([]),
  /** A reminder: which, whether the last, and the days left before the manager is told (negative: overdue). */
  reminder: z
    .object({
      number: z.number().int().positive(),
      last: z.boolean(),
      daysLeft: z.number().int(),
      dueOn: z.string().min(1),
    })
    .optional(),
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
  changesHtml: 'html',
  keyPointsHtml: 'html',
  ackUrl: 'url',
  expiresOn: 'text',
  whyYou: 'text',
});

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/**
 * A reminder's subject and opening: how long is left, or how overdue; firmer as reminders go on,
 * never rude.
 */
function reminderWording(v: Vars, r: NonNullable<Vars['reminder']>) {
  type Intro = (title: string, esc: (s: string) => string) => string;
  const when =
    r.daysLeft > 0
      ? `You have ${plural(r.daysLeft, 'day')} left: please sign it by ${r.dueOn}.`
      : r.daysLeft === 0
        ? 'It is due today.'
        : `It is now ${plural(-r.daysLeft, 'day')} overdue.`;
  const subject =
    r.daysLeft < 0
      ? `Overdue: please sign ${v.policyTitle}`
      : r.last
        ? `Last reminder: please sign ${v.policyTitle}`
        : `Reminder: please sign ${v.policyTitle}`;
  const ask = r.last
    ? 'This is the last reminder. If it is not signed by then, we will let your manager know it is outstanding.'
    : r.number === 1
      ? 'Reading it takes about ten minutes.'
      : 'Please set aside ten minutes today to read and sign it.';
  return {
    subject,
    preview: `${when} ${v.policyTitle}`,
    intro: ((title, esc) =>
      `${r.number === 1 ? 'A reminder' : 'Another reminder'}: we still need you to read and sign our policy ${title} (version ${v.policyVersion}). ${esc(when)} ${esc(ask)}`) as Intro,
    whyYou: `${v.organisationName} asked you to sign this policy and has not yet received your signature`,
  };
}

/** The opening and the reasons: a new starter, a new policy version, or a reminder. */
function wording(v: Vars) {
  // `title` arrives formatted for the part (quoted in text, bold in HTML); `esc` escapes for it.
  type Intro = (title: string, esc: (s: string) => string) => string;
  if (v.reminder) return reminderWording(v, v.reminder);
  const withSignBy = (intro: Intro): Intro =>
    v.signBy
      ? (title, esc) => `${intro(title, esc)} ${esc(fill(TEXT.signBy, { date: v.signBy as string }))}`
      : intro;
  const first = firstWording(v);
  return { ...first, intro: withSignBy(first.intro) };
}

/** An invite's opening and reasons, before any sign-by date is added. */
function firstWording(v: Vars) {
  type Intro = (title: string, esc: (s: string) => string) => string;
  if (v.renewal) {
    const values = { organisation: v.organisationName, title: v.policyTitle, version: v.policyVersion };
    return {
      subject: fill(TEXT.renewalSubject, values),
      preview: fill(TEXT.renewalPreview, values),
      intro: ((title) => fill(TEXT.renewalIntro, { ...values, title })) as Intro,
      whyYou: fill(TEXT.renewalWhyYou, values),
    };
  }
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

/**
 * What changed, for someone who signed an earlier version (a re-acknowledgement and its
 * reminders): a new starter never saw the version before, so it would tell them nothing.
 */
const changesTold = (v: Vars): string[] => (v.reacknowledge ? v.changes : []);

const changesHeading = (v: Vars) => `What changed in version ${v.policyVersion}`;

function renderText(v: Vars): string {
  const w = wording(v);
  const changes = changesTold(v);
  return [
    `Hello ${v.givenName},`,
    '',
    w.intro(`"${v.policyTitle}"`, (s) => s),
    'It protects the children and young people we work with, and it protects you.',
    '',
    ...(changes.length ? [`${changesHeading(v)}:`, ...changes.map((c) => `  * ${c}`), ''] : []),
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
  const changes = changesTold(v);
  return {
    subject: w.subject,
    html: renderHtml({
      subject: w.subject,
      preview: w.preview,
      organisationName: v.organisationName,
      givenName: v.givenName,
      introHtml: trustedHtml(intro),
      // Empty without changes: the slot's block has no padding of its own, so it takes no space.
      changesHtml: trustedHtml(
        changes.length
          ? `<p style="margin:16px 0 0;font-weight:bold">${escapeHtml(changesHeading(v))}</p>` +
              `<ul style="margin:8px 0 0;padding-left:20px">${changes.map((c) => `<li>${escapeHtml(c)}</li>`).join('')}</ul>`
          : '',
      ),
      keyPointsHtml: trustedHtml(v.keyPoints.map((p) => `<li>${escapeHtml(p)}</li>`).join('')),
      ackUrl: v.ackUrl,
      expiresOn: v.expiresOn,
      whyYou: w.whyYou,
    }),
    text: renderText(v),
  };
}

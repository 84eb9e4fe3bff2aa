// The invite email (and its reminders): its variables' schema, the HTML from the MJML compiled at build, and the plain-text part, in the starter's language.
import { escapeHtml, type SafeHtml, trustedHtml } from '#shared/core/html.ts';
import { DEFAULT_LANGUAGE, LANGUAGES } from '#shared/core/language.ts';
import { compileSlots } from '#shared/core/template.ts';
import * as z from '#shared/core/zod.ts';
import { brandHtml, EMAIL_LOGO_STYLE } from './branding.ts';
import { inviteHtml } from './generated/invite.html.ts';
import { email } from './generated/messages/email.ts';
import { invite } from './generated/messages/invite.ts';
import { reack } from './generated/messages/reack.ts';
import { reminder } from './generated/messages/reminder.ts';
import { renewal } from './generated/messages/renewal.ts';
import { htmlLang, type KeyOf, messagesOf } from './messages.ts';

/** The invite's words, and its reminders', re-acknowledgement's and renewal's. */
const words = { email, invite, reack, renewal, reminder };
type MessageKey = KeyOf<typeof words>;
const { messageHtml, messagesIn } = messagesOf(words);

export const inviteVarsSchema = z.object({
  /** The language it is written in: the one the starter is shown the policy in (language.ts languageFor). */
  language: z._default(z.enum(LANGUAGES), DEFAULT_LANGUAGE),
  /** PUBLIC_BASE_URL: the logo (ORGANISATION_LOGO) is shown from it, as emails need absolute URLs. */
  publicBaseUrl: z._default(z.string(), ''),
  organisationName: z.string().check(z.minLength(1)),
  givenName: z.string().check(z.minLength(1)),
  policyTitle: z.string().check(z.minLength(1)),
  policyVersion: z.number().check(z.int(), z.positive()),
  keyPoints: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
  ackUrl: z.string().check(z.minLength(1)),
  expiresOn: z.string().check(z.minLength(1)),
  startDate: z.string().check(z.minLength(1)),
  /** A new version for someone who signed an earlier one, rather than a new starter's first ask. */
  reacknowledge: z._default(z.boolean(), false),
  /** An agreement renewed (the policy's `reattest:` period passed): asked to sign again, same version or newer. */
  renewal: z._default(z.boolean(), false),
  /** The sign-by date (the policy's `due:`), formatted in the starter's time zone; told in the invite. */
  signBy: z.optional(z.string().check(z.minLength(1))),
  /** What changed in this version (its front matter's `changes:`), told to those asked again. */
  changes: z._default(z.array(z.string().check(z.minLength(1))), []),
  /** A reminder: which, whether the last, and the days left before the manager is told (negative: overdue). */
  reminder: z.optional(
    z.object({
      number: z.number().check(z.int(), z.positive()),
      last: z.boolean(),
      daysLeft: z.number().check(z.int()),
      dueOn: z.string().check(z.minLength(1)),
    }),
  ),
});

export type InviteVars = z.input<typeof inviteVarsSchema>;
type Vars = z.output<typeof inviteVarsSchema>;

// Compiled once per cold start: per email, only escaped values are joined into fixed parts.
const renderHtml = compileSlots(inviteHtml, {
  lang: 'text',
  subject: 'text',
  preview: 'text',
  brandHtml: 'html',
  greeting: 'text',
  introHtml: 'html',
  protects: 'text',
  changesHtml: 'html',
  keyPointsHeading: 'text',
  keyPointsHtml: 'html',
  button: 'text',
  ackUrl: 'url',
  linkHelp: 'text',
  linkWorks: 'text',
  readingTime: 'text',
  footer: 'text',
  footerAlso: 'text',
});

/** A sentence about the policy, its title formatted for the part: quoted in text, bold in HTML. */
type Intro = { key: MessageKey; vars: Record<string, string | number> };

/** What an invite or reminder says besides the policy: its subject, opening and why it came. */
interface Wording {
  subject: string;
  preview: string;
  intro: Intro;
  whyYou: string;
  /** An invite's sign-by sentence, after the opening (a reminder counts down to the date instead). */
  signBy?: string;
}

/**
 * A reminder's subject and opening: how long is left, or how overdue; firmer as reminders go on,
 * never rude. Every word from the catalogue, in the starter's language.
 */
function reminderWording(v: Vars, r: NonNullable<Vars['reminder']>): Wording {
  const t = messagesIn(v.language);
  const when =
    r.daysLeft > 0
      ? t('reminder.daysLeft', { days: r.daysLeft, dueOn: r.dueOn })
      : r.daysLeft === 0
        ? t('reminder.dueToday')
        : t('reminder.overdue', { days: -r.daysLeft });
  const subjectKey: MessageKey =
    r.daysLeft < 0 ? 'reminder.subjectOverdue' : r.last ? 'reminder.subjectLast' : 'reminder.subject';
  const ask = t(r.last ? 'reminder.askLast' : r.number === 1 ? 'reminder.askFirst' : 'reminder.askAgain');
  return {
    subject: t(subjectKey, { policyTitle: v.policyTitle }),
    preview: t('reminder.preview', { when, policyTitle: v.policyTitle }),
    intro: {
      key: r.number === 1 ? 'reminder.introFirst' : 'reminder.introAgain',
      vars: { version: v.policyVersion, when, ask },
    } as Intro,
    whyYou: t('reminder.whyYou', { organisationName: v.organisationName }),
  };
}

/** The opening and the reasons: a new starter, a new policy version, or a reminder. */
function wording(v: Vars): Wording {
  if (v.reminder) return reminderWording(v, v.reminder);
  const t = messagesIn(v.language);
  // A renewal (the policy's `reattest:` period passed), a new version, or a new starter's first ask.
  const kind = v.renewal ? 'renewal' : v.reacknowledge ? 'reack' : 'invite';
  const names = { policyTitle: v.policyTitle, organisationName: v.organisationName };
  return {
    subject: t(`${kind}.subject`, names),
    preview: t(`${kind}.preview`, names),
    intro: {
      key: `${kind}.intro`,
      vars: { version: v.policyVersion, ...(kind === 'invite' && { startDate: v.startDate }) },
    } as Intro,
    whyYou: t(`${kind}.whyYou`, names),
    ...(v.signBy && { signBy: t('invite.signBy', { date: v.signBy }) }),
  };
}

/**
 * What changed, for someone who signed an earlier version (a re-acknowledgement and its
 * reminders): a new starter never saw the version before, so it would tell them nothing.
 */
const changesTold = (v: Vars): string[] => (v.reacknowledge ? v.changes : []);

const changesHeading = (v: Vars) =>
  messagesIn(v.language)('invite.changesHeading', { version: v.policyVersion });

function renderText(v: Vars): string {
  const t = messagesIn(v.language);
  const w = wording(v);
  const changes = changesTold(v);
  return [
    t('email.greeting', { givenName: v.givenName }),
    '',
    [t(w.intro.key, { ...w.intro.vars, title: `"${v.policyTitle}"` }), ...(w.signBy ? [w.signBy] : [])].join(
      ' ',
    ),
    t('invite.protects'),
    '',
    ...(changes.length ? [`${changesHeading(v)}:`, ...changes.map((c) => `  * ${c}`), ''] : []),
    `${t('invite.keyPoints')}:`,
    ...v.keyPoints.map((p) => `  * ${p}`),
    '',
    t('invite.linkHere'),
    v.ackUrl,
    '',
    t('invite.linkWorks', { expiresOn: v.expiresOn }),
    '',
    '--',
    t('invite.footer', { whyYou: w.whyYou }),
    t('email.footerAlso'),
    '',
  ].join('\n');
}

export function renderInvite(vars: InviteVars): { subject: string; html: string; text: string } {
  const v = inviteVarsSchema.parse(vars);
  const t = messagesIn(v.language);
  const w = wording(v);
  const title = trustedHtml(`<strong>${escapeHtml(v.policyTitle)}</strong>`) as SafeHtml;
  const changes = changesTold(v);
  return {
    subject: w.subject,
    html: renderHtml({
      lang: htmlLang(v.language),
      subject: w.subject,
      preview: w.preview,
      brandHtml: brandHtml(v.organisationName, v.publicBaseUrl, EMAIL_LOGO_STYLE),
      greeting: t('email.greeting', { givenName: v.givenName }),
      introHtml: trustedHtml(
        [
          messageHtml(v.language, w.intro.key, w.intro.vars, { title }),
          ...(w.signBy ? [escapeHtml(w.signBy)] : []),
        ].join(' '),
      ),
      protects: t('invite.protects'),
      // Empty without changes: the slot's block has no padding of its own, so it takes no space.
      changesHtml: trustedHtml(
        changes.length
          ? `<p style="margin:16px 0 0;font-weight:bold">${escapeHtml(changesHeading(v))}</p>` +
              `<ul style="margin:8px 0 0;padding-left:20px">${changes.map((c) => `<li>${escapeHtml(c)}</li>`).join('')}</ul>`
          : '',
      ),
      keyPointsHeading: t('invite.keyPoints'),
      keyPointsHtml: trustedHtml(v.keyPoints.map((p) => `<li>${escapeHtml(p)}</li>`).join('')),
      button: t('invite.button'),
      ackUrl: v.ackUrl,
      linkHelp: t('invite.linkHelp'),
      linkWorks: t('invite.linkWorks', { expiresOn: v.expiresOn }),
      readingTime: t('invite.readingTime'),
      footer: t('invite.footer', { whyYou: w.whyYou }),
      footerAlso: t('email.footerAlso'),
    }),
    text: renderText(v),
  };
}

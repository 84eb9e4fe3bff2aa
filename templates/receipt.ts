// The receipt email: its variables' schema, the HTML from the MJML compiled at build, and the plain-text part, in the language the policy was signed in; the certificate's PDF goes with it.
import { escapeHtml, trustedHtml } from '#shared/core/html.ts';
import { DEFAULT_LANGUAGE, LANGUAGES } from '#shared/core/language.ts';
import { compileSlots } from '#shared/core/template.ts';
import * as z from '#shared/core/zod.ts';
import { brandHtml, EMAIL_LOGO_STYLE } from './branding.ts';
import { email } from './generated/messages/email.ts';
import { receipt } from './generated/messages/receipt.ts';
import { receiptOnBehalf } from './generated/messages/receiptOnBehalf.ts';
import { receiptHtml } from './generated/receipt.html.ts';
import { htmlLang, type KeyOf, messagesOf } from './messages.ts';

/** The receipt's words, signed by link or recorded on the person's behalf. */
const words = { email, receipt, receiptOnBehalf };
type MessageKey = KeyOf<typeof words>;
const { messageHtml, messagesIn } = messagesOf(words);

export const receiptVarsSchema = z.object({
  /** The language the policy was signed in (the evidence's `locale`): the receipt says it in that language. */
  language: z._default(z.enum(LANGUAGES), DEFAULT_LANGUAGE),
  /** PUBLIC_BASE_URL: the logo (ORGANISATION_LOGO) is shown from it, as emails need absolute URLs. */
  publicBaseUrl: z._default(z.string(), ''),
  organisationName: z.string().check(z.minLength(1)),
  givenName: z.string().check(z.minLength(1)),
  typedName: z.string().check(z.minLength(1)),
  policyTitle: z.string().check(z.minLength(1)),
  policyVersion: z.number().check(z.int(), z.positive()),
  effectiveDate: z.string().check(z.minLength(1)),
  statement: z.string().check(z.minLength(1)),
  acknowledgedAt: z.string().check(z.minLength(1)),
  acknowledgedAtUtc: z.string().check(z.minLength(1)),
  evidenceId: z.string().check(z.minLength(1)),
  policySha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  /** The attached certificate's file name. */
  certificateFileName: z.string().check(z.regex(/^[A-Za-z0-9_.-]+\.pdf$/)),
  /** Present when HR recorded the agreement on the person's behalf: the day it was recorded, as read. */
  onBehalf: z.optional(z.object({ recordedOn: z.string().check(z.minLength(1)) })),
});

export type ReceiptVars = z.input<typeof receiptVarsSchema>;
type Vars = z.output<typeof receiptVarsSchema>;

// Compiled once per cold start: per email, only escaped values are joined into fixed parts.
const renderHtml = compileSlots(receiptHtml, {
  lang: 'text',
  title: 'text',
  preview: 'text',
  brandHtml: 'html',
  greeting: 'text',
  confirmsHtml: 'html',
  statementHeading: 'text',
  statement: 'text',
  signedAsLabel: 'text',
  typedName: 'text',
  whenLabel: 'text',
  when: 'text',
  evidenceIdLabel: 'text',
  evidenceId: 'text',
  fingerprintLabel: 'text',
  policySha256: 'text',
  certificateLine: 'text',
  keep: 'text',
  footer: 'text',
  footerFingerprint: 'text',
});

/**
 * Its words by how the agreement was made: by link the person signed; on behalf, HR recorded their
 * agreement for them — the email never says they signed, and names neither the note nor who
 * recorded it (the certificate names the method and the recorder).
 */
type Worded = 'subject' | 'preview' | 'confirms' | 'signedAs' | 'keep' | 'footer' | 'footerFingerprint';
const key = (v: Vars, word: Worded): MessageKey =>
  v.onBehalf ? `receiptOnBehalf.${word}` : `receipt.${word}`;

const confirmsVars = (v: Vars) => ({
  version: v.policyVersion,
  effectiveDate: v.effectiveDate,
  ...(v.onBehalf && { recordedOn: v.onBehalf.recordedOn }),
});
const when = (v: Vars) =>
  messagesIn(v.language)('receipt.whenValue', {
    acknowledgedAt: v.acknowledgedAt,
    acknowledgedAtUtc: v.acknowledgedAtUtc,
  });

function renderText(v: Vars): string {
  const t = messagesIn(v.language);
  return [
    t('email.greeting', { givenName: v.givenName }),
    '',
    t(key(v, 'confirms'), { ...confirmsVars(v), title: `"${v.policyTitle}"` }),
    '',
    `${t('receipt.statementHeading')}:`,
    ...v.statement.split(/\r?\n/).map((line) => `> ${line}`),
    '',
    `${t(key(v, 'signedAs'))} ${v.typedName}`,
    `${t('receipt.when')} ${when(v)}`,
    `${t('receipt.evidenceId')} ${v.evidenceId}`,
    `${t('receipt.fingerprint')} ${v.policySha256}`,
    '',
    t('receipt.certificate', { fileName: v.certificateFileName }),
    '',
    t(key(v, 'keep')),
    '',
    '--',
    t(key(v, 'footer'), { organisationName: v.organisationName }),
    t(key(v, 'footerFingerprint')),
    '',
  ].join('\n');
}

export function renderReceipt(vars: ReceiptVars): { subject: string; html: string; text: string } {
  const v = receiptVarsSchema.parse(vars);
  const t = messagesIn(v.language);
  const subject = t(key(v, 'subject'), { policyTitle: v.policyTitle, version: v.policyVersion });
  return {
    subject,
    html: renderHtml({
      lang: htmlLang(v.language),
      // The <title> is short and fixed: a subject with a long title passes the 70 characters a title should keep to.
      title: t('receipt.title'),
      preview: t(key(v, 'preview'), { organisationName: v.organisationName, policyTitle: v.policyTitle }),
      brandHtml: brandHtml(v.organisationName, v.publicBaseUrl, EMAIL_LOGO_STYLE),
      greeting: t('email.greeting', { givenName: v.givenName }),
      confirmsHtml: messageHtml(v.language, key(v, 'confirms'), confirmsVars(v), {
        title: trustedHtml(`<strong>${escapeHtml(v.policyTitle)}</strong>`),
      }),
      statementHeading: t('receipt.statementHeading'),
      statement: v.statement,
      signedAsLabel: t(key(v, 'signedAs')),
      typedName: v.typedName,
      whenLabel: t('receipt.when'),
      when: when(v),
      evidenceIdLabel: t('receipt.evidenceId'),
      evidenceId: v.evidenceId,
      fingerprintLabel: t('receipt.fingerprint'),
      policySha256: v.policySha256,
      certificateLine: t('receipt.certificate', { fileName: v.certificateFileName }),
      keep: t(key(v, 'keep')),
      footer: t(key(v, 'footer'), { organisationName: v.organisationName }),
      footerFingerprint: t(key(v, 'footerFingerprint')),
    }),
    text: renderText(v),
  };
}

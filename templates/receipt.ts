// The receipt email: its variables' schema, the HTML from the MJML compiled at build, and the plain-text part.
import { z } from 'zod';
import { escapeHtml, trustedHtml } from '#shared/core/html.ts';
import { compileSlots, fillText as fill } from '#shared/core/template.ts';
import { receiptHtml } from './generated/receipt.html.ts';

/**
 * The receipt's words (English; `{name}` marks a value), one object so a message catalogue can take
 * them over: by link the person signed; on behalf, HR recorded their agreement for them — the
 * email never says they signed, and names neither the note nor who recorded it (the certificate
 * names the method and the recorder).
 */
export const TEXT = {
  link: {
    subject: 'Receipt: you signed {policyTitle} (version {policyVersion})',
    preview: 'Your receipt from {organisationName}: you signed {policyTitle}.',
    intro:
      'This confirms that you read and agreed to our policy {title} (version {policyVersion}, effective from {effectiveDate}).',
    nameLabel: 'Signed as:',
    closing: 'Keep this email for your records. If you did not sign this, tell your HR team at once.',
    whyYou: 'a policy was signed in your name for {organisationName}',
  },
  onBehalf: {
    subject: 'Receipt: agreed to {policyTitle} (version {policyVersion})',
    preview: 'Your receipt from {organisationName}: HR recorded your agreement to {policyTitle}.',
    intro:
      'This confirms that HR recorded your agreement to our policy {title} (version {policyVersion}, effective from {effectiveDate}) on your behalf on {recordedOn}.',
    nameLabel: 'Your name as recorded:',
    closing: 'Keep this email for your records. If you did not agree to this, tell your HR team at once.',
    whyYou: 'your agreement to a policy was recorded in your name for {organisationName}',
  },
  certificate: 'The attached PDF, {fileName}, is the certificate of this agreement: keep it with this email.',
} as const;

export const receiptVarsSchema = z.object({
  organisationName: z.string().min(1),
  givenName: z.string().min(1),
  typedName: z.string().min(1),
  policyTitle: z.string().min(1),
  policyVersion: z.number().int().positive(),
  effectiveDate: z.string().min(1),
  statement: z.string().min(1),
  acknowledgedAt: z.string().min(1),
  acknowledgedAtUtc: z.string().min(1),
  evidenceId: z.string().min(1),
  policySha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The attached certificate's file name. */
  certificateFileName: z.string().regex(/^[A-Za-z0-9_.-]+\.pdf$/),
  /** Present when HR recorded the agreement on the person's behalf: the day it was recorded, as read. */
  onBehalf: z.object({ recordedOn: z.string().min(1) }).optional(),
});

export type ReceiptVars = z.input<typeof receiptVarsSchema>;
type Vars = z.output<typeof receiptVarsSchema>;

// Compiled once per cold start: per email, only escaped values are joined into fixed parts.
const renderHtml = compileSlots(receiptHtml, {
  subject: 'text',
  preview: 'text',
  organisationName: 'text',
  givenName: 'text',
  introHtml: 'html',
  statement: 'text',
  nameLabel: 'text',
  typedName: 'text',
  acknowledgedAt: 'text',
  acknowledgedAtUtc: 'text',
  evidenceId: 'text',
  policySha256: 'text',
  certificateLine: 'text',
  closing: 'text',
  whyYou: 'text',
});

/** The wording for how the agreement was made; `title` arrives formatted for the part. */
function wording(v: Vars, title: string, esc: (s: string) => string) {
  const words = v.onBehalf ? TEXT.onBehalf : TEXT.link;
  const values = {
    organisationName: v.organisationName,
    policyTitle: v.policyTitle,
    policyVersion: String(v.policyVersion),
  };
  return {
    subject: fill(words.subject, values),
    preview: fill(words.preview, values),
    intro: fill(words.intro, {
      title,
      policyVersion: String(v.policyVersion),
      effectiveDate: esc(v.effectiveDate),
      recordedOn: esc(v.onBehalf?.recordedOn ?? ''),
    }),
    nameLabel: words.nameLabel,
    closing: words.closing,
    whyYou: fill(words.whyYou, values),
    certificateLine: fill(TEXT.certificate, { fileName: v.certificateFileName }),
  };
}

function renderText(v: Vars): string {
  const w = wording(v, `"${v.policyTitle}"`, (s) => s);
  return [
    `Hello ${v.givenName},`,
    '',
    w.intro,
    '',
    'The statement you agreed to:',
    ...v.statement.split(/\r?\n/).map((line) => `> ${line}`),
    '',
    `${w.nameLabel} ${v.typedName}`,
    `When: ${v.acknowledgedAt}, recorded as ${v.acknowledgedAtUtc} (UTC)`,
    `Evidence reference: ${v.evidenceId}`,
    `Text fingerprint (SHA-256): ${v.policySha256}`,
    '',
    w.certificateLine,
    '',
    w.closing,
    '',
    '--',
    `You are receiving this email because ${w.whyYou}.`,
    'The fingerprint identifies the exact text of the policy you agreed to.',
    '',
  ].join('\n');
}

export function renderReceipt(vars: ReceiptVars): { subject: string; html: string; text: string } {
  const v = receiptVarsSchema.parse(vars);
  const w = wording(v, `<strong>${escapeHtml(v.policyTitle)}</strong>`, escapeHtml);
  return {
    subject: w.subject,
    html: renderHtml({
      subject: w.subject,
      preview: w.preview,
      organisationName: v.organisationName,
      givenName: v.givenName,
      introHtml: trustedHtml(w.intro),
      statement: v.statement,
      nameLabel: w.nameLabel,
      typedName: v.typedName,
      acknowledgedAt: v.acknowledgedAt,
      acknowledgedAtUtc: v.acknowledgedAtUtc,
      evidenceId: v.evidenceId,
      policySha256: v.policySha256,
      certificateLine: w.certificateLine,
      closing: w.closing,
      whyYou: w.whyYou,
    }),
    text: renderText(v),
  };
}

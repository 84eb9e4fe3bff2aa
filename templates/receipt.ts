// The receipt email: its variables' schema, the HTML from the MJML compiled at build, and the plain-text part.
import { z } from 'zod';
import { compileSlots } from '#shared/core/template.ts';
import { receiptHtml } from './generated/receipt.html.ts';

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
});

export type ReceiptVars = z.infer<typeof receiptVarsSchema>;

// Compiled once per cold start: per email, only escaped values are joined into fixed parts.
const renderHtml = compileSlots(receiptHtml, {
  organisationName: 'text',
  givenName: 'text',
  typedName: 'text',
  policyTitle: 'text',
  policyVersion: 'text',
  effectiveDate: 'text',
  statement: 'text',
  acknowledgedAt: 'text',
  acknowledgedAtUtc: 'text',
  evidenceId: 'text',
  policySha256: 'text',
});

function renderText(v: ReceiptVars): string {
  return [
    `Hello ${v.givenName},`,
    '',
    `This confirms that you read and agreed to our policy "${v.policyTitle}" (version ${v.policyVersion}, effective from ${v.effectiveDate}).`,
    '',
    'The statement you agreed to:',
    ...v.statement.split(/\r?\n/).map((line) => `> ${line}`),
    '',
    `Signed as: ${v.typedName}`,
    `When: ${v.acknowledgedAt}, recorded as ${v.acknowledgedAtUtc} (UTC)`,
    `Evidence reference: ${v.evidenceId}`,
    `Text fingerprint (SHA-256): ${v.policySha256}`,
    '',
    'Keep this email for your records. If you did not sign this, tell your HR team at once.',
    '',
    '--',
    `You are receiving this email because a policy was signed in your name for ${v.organisationName}.`,
    'The fingerprint identifies the exact text of the policy you signed.',
    '',
  ].join('\n');
}

export function renderReceipt(vars: ReceiptVars): { subject: string; html: string; text: string } {
  const v = receiptVarsSchema.parse(vars);
  return {
    subject: `Receipt: you signed ${v.policyTitle} (version ${v.policyVersion})`,
    html: renderHtml({ ...v, policyVersion: String(v.policyVersion) }),
    text: renderText(v),
  };
}

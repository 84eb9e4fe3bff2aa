// The acknowledgement pages: the policy with its form, the receipt, and the friendly error page.
import { createHash } from 'node:crypto';
import { formatDay, formatUtcMoment } from '#shared/core/dates.ts';
import { escapeHtml, simplePage } from '#shared/core/html.ts';
import type { AckMethod, PolicyVersion } from '#shared/core/model.ts';
import { renderPolicyHtml } from '#shared/core/policy.ts';

/** The page's words about declining and about an agreement recorded on the person's behalf. */
const TEXT = {
  declineLegend: 'If you do not agree',
  declineIntro:
    'Tell us why. Your answer and your reason are recorded and passed to your manager or HR team, who may contact you.',
  // Not "Your full name": the agree form's label, which must stay the one field so named.
  declineName: 'Your name',
  declineReason: 'Why you do not agree',
  declineReasonHint: 'Up to 1,000 characters.',
  declineButton: 'I do not agree',
  justDeclinedTitle: 'We have recorded that you do not agree',
  justDeclined:
    'Thank you for telling us. Your employer will see your reason. If you change your mind, you can still sign the policy below while this link works.',
  declinedBefore: (when: string) =>
    `You told us on ${when} that you do not agree with this policy. If you have changed your mind, you can still sign it below.`,
  onBehalfTitle: 'Your agreement has already been recorded',
  onBehalf: (when: string) =>
    `HR recorded your agreement to this policy on your behalf on ${when}. You do not need to do anything more. You can close this page.`,
  onBehalfName: 'Recorded for',
} as const;

// One inline stylesheet, allowed by its hash: no external asset, no script, nothing else may run.
const CSS = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:1.0625rem/1.6 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1b;background:#fff}
main{max-width:42rem;margin:0 auto;padding:1rem 1.25rem 3rem}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 .25rem}
h2{font-size:1.25rem;line-height:1.3;margin:2rem 0 .5rem}
.meta{color:#4a4a4a;margin:0 0 1.5rem;font-size:.95rem}
.changes{border-left:6px solid #0b4f8a;padding:.25rem 1rem;margin:0 0 1.5rem;background:#f5f9fd}
.changes h2{margin:.5rem 0}
.policy ol,.policy ul{padding-left:1.5rem}
.policy li{margin:.4rem 0}
.agree{margin-top:2.5rem;padding:1.25rem;border:2px solid #0b4f8a;border-radius:8px;background:#f5f9fd}
.statement{font-weight:700;font-size:1.1rem;margin:0 0 1rem}
label{display:block;font-weight:700;margin:1rem 0 .35rem}
input[type=text]{width:100%;font:inherit;padding:.65rem .75rem;border:2px solid #4a4a4a;border-radius:4px}
.check{display:flex;gap:.75rem;align-items:flex-start;margin-top:1rem}
.check input{width:1.6rem;height:1.6rem;margin:.15rem 0 0;flex:none}
.check label{margin:0;font-weight:400}
button{margin-top:1.5rem;width:100%;font:inherit;font-weight:700;font-size:1.1rem;padding:.85rem 1rem;color:#fff;background:#0b4f8a;border:0;border-radius:6px;cursor:pointer}
button:hover{background:#083a66}
:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}
input:focus-visible{box-shadow:0 0 0 2px #1b1b1b}
.error{color:#b00020;font-weight:700;margin:.25rem 0}
input[aria-invalid=true]{border-color:#b00020}
.summary{border:3px solid #b00020;padding:1rem;margin:1rem 0;border-radius:6px}
.summary h2,.agree h2{margin-top:0}
.summary h2{font-size:1.15rem}
.summary a{color:#b00020}
.receipt{border-left:6px solid #00703c;padding:.5rem 1rem;background:#f3faf6}
.declined{border-left:6px solid #8a4b00;padding:.5rem 1rem;margin:1rem 0;background:#fdf7f0}
.declined h2{margin:.25rem 0}
.decline{margin-top:2rem;padding:1.25rem;border:2px solid #4a4a4a;border-radius:8px}
fieldset{border:0;margin:0;padding:0;min-width:0}
legend{font-size:1.25rem;font-weight:700;padding:0;margin:0 0 .5rem}
.hint{color:#4a4a4a;margin:0 0 .35rem;font-size:.95rem}
textarea{display:block;width:100%;font:inherit;padding:.65rem .75rem;border:2px solid #4a4a4a;border-radius:4px}
textarea[aria-invalid=true]{border-color:#b00020}
button.secondary{color:#1b1b1b;background:#fff;border:2px solid #1b1b1b}
button.secondary:hover{background:#eee}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem}
dt{font-weight:700}dd{margin:0;overflow-wrap:anywhere}
@media (max-width:30rem){dl{grid-template-columns:1fr;gap:0}dd{margin-bottom:.6rem}}
@media (min-width:48rem){button{width:auto;padding:.85rem 2rem}}
`.trim();

const cssHash = createHash('sha256').update(CSS).digest('base64');

/** The Content-Security-Policy every page is served with. */
export const PAGE_CSP = `default-src 'none'; style-src 'sha256-${cssHash}'; img-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

const layout = (title: string, content: string): string => simplePage(title, CSS, content);

export interface AckPageInput {
  policy: PolicyVersion;
  formAction: string;
  /** The signed stamp of when the form was first shown, returned with the agreement. */
  shown: string;
  values?: { name?: string | undefined };
  errors?: { name?: string | undefined; agree?: string | undefined } | undefined;
  /** The "I do not agree" form, when offered: what was typed and what was wrong with it. */
  decline?:
    | {
        values?: { name?: string | undefined; reason?: string | undefined } | undefined;
        errors?: { name?: string | undefined; reason?: string | undefined } | undefined;
      }
    | undefined;
  /** When they last declined (ISO), if they have. */
  declinedAt?: string | undefined;
  /** This page answers the decline just recorded. */
  justDeclined?: boolean | undefined;
  /** A decline refused outright, in words. */
  declineRefused?: string | undefined;
}

/** The "I do not agree" form: its own name and reason fields (ids apart from the agree form's). */
function declineForm(
  formAction: string,
  shown: string,
  decline: NonNullable<AckPageInput['decline']>,
): string {
  const nameError = decline.errors?.name;
  const reasonError = decline.errors?.reason;
  return `<form class="decline" method="post" action="${escapeHtml(formAction)}" novalidate>
<input type="hidden" name="shown" value="${escapeHtml(shown)}">
<input type="hidden" name="decision" value="decline">
<fieldset aria-describedby="decline-intro">
<legend>${TEXT.declineLegend}</legend>
<p id="decline-intro">${TEXT.declineIntro}</p>
<label for="declineName">${TEXT.declineName}</label>
${nameError ? `<p class="error" id="declineName-error">${escapeHtml(nameError)}</p>` : ''}
<input type="text" id="declineName" name="fullName" autocomplete="name" maxlength="200" required value="${escapeHtml(decline.values?.name ?? '')}"${
    nameError ? ' aria-invalid="true" aria-describedby="declineName-error"' : ''
  }>
<label for="reason">${TEXT.declineReason}</label>
<p class="hint" id="reason-hint">${TEXT.declineReasonHint}</p>
${reasonError ? `<p class="error" id="reason-error">${escapeHtml(reasonError)}</p>` : ''}
<textarea id="reason" name="reason" rows="5" maxlength="1000" required aria-describedby="reason-hint${reasonError ? ' reason-error' : ''}"${
    reasonError ? ' aria-invalid="true"' : ''
  }>${escapeHtml(decline.values?.reason ?? '')}</textarea>
<button type="submit" class="secondary">${TEXT.declineButton}</button>
</fieldset>
</form>`;
}

/** After a decline: this answer's confirmation, or a reminder of an earlier one; the agree form stays. */
function declinedNote(declinedAt: string | undefined, justDeclined: boolean | undefined): string {
  if (justDeclined) {
    return `<div class="declined" role="status">
<h2>${TEXT.justDeclinedTitle}</h2>
<p>${TEXT.justDeclined}</p>
</div>
`;
  }
  if (!declinedAt) return '';
  return `<div class="declined">
<p>${escapeHtml(TEXT.declinedBefore(formatUtcMoment(new Date(declinedAt))))}</p>
</div>
`;
}

/** "What changed in version N", before the text: hashed with it, so shown to every signer alike. */
function changesSection(policy: PolicyVersion): string {
  if (!policy.changes?.length) return '';
  return `<section class="changes" aria-labelledby="changes-title">
<h2 id="changes-title">What changed in version ${policy.version}</h2>
<ul>${policy.changes.map((c) => `<li>${escapeHtml(c)}</li>`).join('')}</ul>
</section>
`;
}

export function renderAckPage({
  policy,
  formAction,
  shown,
  values,
  errors,
  decline,
  declinedAt,
  justDeclined,
  declineRefused,
}: AckPageInput): string {
  const nameError = errors?.name;
  const agreeError = errors?.agree;
  const declineNameError = decline?.errors?.name;
  const reasonError = decline?.errors?.reason;
  const problems = [
    nameError && `<li><a href="#fullName">${escapeHtml(nameError)}</a></li>`,
    agreeError && `<li><a href="#agree">${escapeHtml(agreeError)}</a></li>`,
    declineNameError && `<li><a href="#declineName">${escapeHtml(declineNameError)}</a></li>`,
    reasonError && `<li><a href="#reason">${escapeHtml(reasonError)}</a></li>`,
    declineRefused && `<li>${escapeHtml(declineRefused)}</li>`,
  ].filter(Boolean);
  const summary = problems.length
    ? `<div class="summary" role="alert" aria-labelledby="summary-title">
<h2 id="summary-title">There is a problem</h2>
<ul>${problems.join('')}</ul>
</div>`
    : '';
  const content = `${summary}
<h1>${escapeHtml(policy.title)}</h1>
<p class="meta">Version ${policy.version} · effective ${escapeHtml(formatDay(policy.effectiveDate))}</p>
${declinedNote(declinedAt, justDeclined)}${changesSection(policy)}<article class="policy">
${renderPolicyHtml(policy.body)}
</article>
<form class="agree" method="post" action="${escapeHtml(formAction)}" novalidate>
<input type="hidden" name="shown" value="${escapeHtml(shown)}">
<h2>Your agreement</h2>
<p class="statement" id="statement">${escapeHtml(policy.statement)}</p>
<label for="fullName">Your full name</label>
${nameError ? `<p class="error" id="fullName-error">${escapeHtml(nameError)}</p>` : ''}
<input type="text" id="fullName" name="fullName" autocomplete="name" maxlength="200" required value="${escapeHtml(values?.name ?? '')}"${
    nameError ? ' aria-invalid="true" aria-describedby="fullName-error"' : ''
  }>
${agreeError ? `<p class="error" id="agree-error">${escapeHtml(agreeError)}</p>` : ''}
<div class="check">
<input type="checkbox" id="agree" name="agree" value="yes" required${
    agreeError
      ? ' aria-invalid="true" aria-describedby="agree-error statement"'
      : ' aria-describedby="statement"'
  }>
<label for="agree">I have read this policy and I agree to the statement above</label>
</div>
<button type="submit">Sign the policy</button>
</form>${decline ? `\n${declineForm(formAction, shown, decline)}` : ''}`;
  return layout(`${problems.length ? 'Error: ' : ''}${policy.title}`, content);
}

export interface ReceiptPageInput {
  policy: PolicyVersion;
  acknowledgedAt: string;
  typedName: string;
  evidenceId: string;
  already: boolean;
  /** How the agreement was made: one HR recorded on the person's behalf is said so (no note, no recorder). */
  method?: AckMethod | undefined;
}

export function renderReceiptPage({
  policy,
  acknowledgedAt,
  typedName,
  evidenceId,
  already,
  method,
}: ReceiptPageInput): string {
  const onBehalf = method === 'on-behalf';
  const heading = onBehalf
    ? TEXT.onBehalfTitle
    : already
      ? 'You have already signed this policy'
      : 'Thank you — you have signed the policy';
  const said = onBehalf
    ? escapeHtml(TEXT.onBehalf(formatUtcMoment(new Date(acknowledgedAt))))
    : `${already ? 'Your agreement was recorded earlier; nothing has changed.' : 'Your agreement has been recorded, and a copy of this receipt is on its way to your email.'} You can close this page.`;
  const content = `<div class="receipt" role="status">
<h1>${heading}</h1>
<p>${said}</p>
</div>
<h2>Your receipt</h2>
<dl>
<dt>Policy</dt><dd>${escapeHtml(policy.title)}, version ${policy.version}</dd>
<dt>You agreed</dt><dd>${escapeHtml(policy.statement)}</dd>
<dt>${onBehalf ? TEXT.onBehalfName : 'Signed as'}</dt><dd>${escapeHtml(typedName)}</dd>
<dt>When</dt><dd>${escapeHtml(formatUtcMoment(new Date(acknowledgedAt)))}</dd>
<dt>Reference</dt><dd>${escapeHtml(evidenceId)}</dd>
<dt>Text fingerprint</dt><dd>sha256 ${escapeHtml(policy.sha256)}</dd>
</dl>`;
  return layout(heading, content);
}

export function renderErrorPage({ title, message }: { title: string; message: string }): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`);
}

/** An expired signing link: one button sends a fresh link to the address on file, never to one typed in. */
export function renderExpiredPage({ resendAction }: { resendAction: string }): string {
  const content = `<h1>This link has expired</h1>
<p>For your security, links to sign a policy only work for a while. We can email you a fresh one, to the address your employer gave us.</p>
<form method="post" action="${escapeHtml(resendAction)}">
<button type="submit">Email me a fresh link</button>
</form>`;
  return layout('This link has expired', content);
}

// The acknowledgement pages: the policy with its form, the receipt, and the friendly error page, in the starter's language, under the organisation's name.
import { createHash } from 'node:crypto';
import { MAX_NAME, MAX_REASON } from '#shared/core/acknowledge.ts';
import { formatDay, isoDay, isoMoment, isTimeZone } from '#shared/core/dates.ts';
import { escapeHtml, simplePage } from '#shared/core/html.ts';
import { DEFAULT_LANGUAGE, type Language } from '#shared/core/language.ts';
import type { AckMethod, PolicyVersion } from '#shared/core/model.ts';
import { brandHtml } from './branding.ts';
import { decline } from './generated/messages/decline.ts';
import { expiredPage } from './generated/messages/expiredPage.ts';
import { failurePage } from './generated/messages/failurePage.ts';
import { form } from './generated/messages/form.ts';
import { freshLinkPage } from './generated/messages/freshLinkPage.ts';
import { invalidPage } from './generated/messages/invalidPage.ts';
import { otherSitePage } from './generated/messages/otherSitePage.ts';
import { page } from './generated/messages/page.ts';
import { receiptPage } from './generated/messages/receiptPage.ts';
import { staleButtonPage } from './generated/messages/staleButtonPage.ts';
import { updatedPage } from './generated/messages/updatedPage.ts';
import { withdrawnPage } from './generated/messages/withdrawnPage.ts';
import { htmlLang, type KeyOf, messagesOf } from './messages.ts';
import { policyHtml } from './policy-html.ts';

/** The pages' words: the form, its errors, the receipt and each error page (none of the emails'). */
const pageWords = {
  page,
  form,
  decline,
  receiptPage,
  expiredPage,
  freshLinkPage,
  updatedPage,
  withdrawnPage,
  staleButtonPage,
  otherSitePage,
  invalidPage,
  failurePage,
};
/** A message the pages may say: a form's error, an error page's title or text. */
export type PageMessageKey = KeyOf<typeof pageWords>;
const { message, messagesIn } = messagesOf(pageWords);

// One inline stylesheet, allowed by its hash: no external asset, no script, nothing else may run.
const CSS = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:1.0625rem/1.6 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1b;background:#fff}
header{background:#0b4f8a;color:#fff;font-weight:700;font-size:1.1rem;padding:.75rem 1.25rem;display:flex;gap:.75rem;align-items:center}
header img{height:40px;width:auto;background:#fff;border-radius:4px;padding:2px}
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

/** The Content-Security-Policy every page is served with: images (the logo) from its own origin only. */
export const PAGE_CSP = `default-src 'none'; style-src 'sha256-${cssHash}'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

/** Who the pages are from: the organisation's name (ORGANISATION_NAME), shown with its logo at the top of each. */
export interface Brand {
  organisationName: string;
}

const layout = (title: string, content: string, language: Language, brand: Brand | undefined): string =>
  simplePage(title, CSS, content, htmlLang(language), brand ? brandHtml(brand.organisationName) : '');

/** A policy as a page shows it: in its `language` (language.ts shownIn), English when none is said. */
type PagePolicy = PolicyVersion & { language?: Language };
const languageOf = (policy: PagePolicy): Language => policy.language ?? DEFAULT_LANGUAGE;

export interface AckPageInput {
  /** The policy as shown in the starter's language (its text, and that text's sha256). */
  policy: PagePolicy;
  /** Who the page is from; a preview may leave it out. */
  brand?: Brand;
  formAction: string;
  /** The signed stamp of when the form was first shown, returned with the agreement. */
  shown: string;
  values?: { name?: string | undefined };
  /** The form's problems, as message keys (acknowledge.ts FormErrors): said in the page's language. */
  errors?: { name?: PageMessageKey | undefined; agree?: PageMessageKey | undefined } | undefined;
  /** The "I do not agree" form, when offered: what was typed and what was wrong with it (message keys). */
  decline?:
    | {
        values?: { name?: string | undefined; reason?: string | undefined } | undefined;
        errors?: { name?: PageMessageKey | undefined; reason?: PageMessageKey | undefined } | undefined;
      }
    | undefined;
  /** When they last declined (ISO), if they have. */
  declinedAt?: string | undefined;
  /** The person's time zone (IANA), when known: when they declined is said in it as well as in UTC. */
  timeZone?: string | undefined;
  /** This page answers the decline just recorded. */
  justDeclined?: boolean | undefined;
  /** A decline refused outright, as a message key. */
  declineRefused?: PageMessageKey | undefined;
}

/** A moment as the page says it: the day in the page's language, and the time in UTC. */
function whenSaid(language: Language, iso: string): string {
  return message(language, 'receiptPage.whenValue', {
    date: formatDay(isoDay(new Date(iso)), htmlLang(language)),
    time: iso.slice(11, 16),
  });
}

/**
 * A moment of the person's as the page says it (when they signed, or declined): in their time zone, then in UTC ("3 December 2026, 09:15
 * (Europe/London) — 09:15 UTC", the UTC day said too when it is another); in UTC alone without a
 * zone (an ask made before zones were kept) or with one this runtime does not know. The day and
 * time are read from numbers (isoMoment), the day's name from the page's language.
 */
export function whenSaidIn(language: Language, iso: string, timeZone: string | undefined): string {
  if (!timeZone || !isTimeZone(timeZone)) return whenSaid(language, iso);
  const at = new Date(iso);
  const local = isoMoment(at, timeZone).text;
  const utc = isoMoment(at, 'UTC').text;
  return message(language, 'receiptPage.whenLocalValue', {
    date: formatDay(local.slice(0, 10), htmlLang(language)),
    time: local.slice(11, 16),
    zone: timeZone,
    utc:
      local.slice(0, 10) === utc.slice(0, 10)
        ? message(language, 'receiptPage.whenUtcTime', { time: utc.slice(11, 16) })
        : whenSaid(language, iso),
  });
}

/** The "I do not agree" form: its own name and reason fields (ids apart from the agree form's). */
function declineForm(
  language: Language,
  formAction: string,
  shown: string,
  decline: NonNullable<AckPageInput['decline']>,
): string {
  const t = messagesIn(language);
  const nameError = decline.errors?.name && t(decline.errors.name, { max: MAX_NAME });
  const reasonError = decline.errors?.reason && t(decline.errors.reason, { max: MAX_REASON });
  return `<form class="decline" method="post" action="${escapeHtml(formAction)}" novalidate>
<input type="hidden" name="shown" value="${escapeHtml(shown)}">
<input type="hidden" name="decision" value="decline">
<fieldset aria-describedby="decline-intro">
<legend>${escapeHtml(t('page.declineLegend'))}</legend>
<p id="decline-intro">${escapeHtml(t('page.declineIntro'))}</p>
<label for="declineName">${escapeHtml(t('page.declineName'))}</label>
${nameError ? `<p class="error" id="declineName-error">${escapeHtml(nameError)}</p>` : ''}
<input type="text" id="declineName" name="fullName" autocomplete="name" maxlength="${MAX_NAME}" required value="${escapeHtml(decline.values?.name ?? '')}"${
    nameError ? ' aria-invalid="true" aria-describedby="declineName-error"' : ''
  }>
<label for="reason">${escapeHtml(t('page.declineReason'))}</label>
<p class="hint" id="reason-hint">${escapeHtml(t('page.declineReasonHint'))}</p>
${reasonError ? `<p class="error" id="reason-error">${escapeHtml(reasonError)}</p>` : ''}
<textarea id="reason" name="reason" rows="5" maxlength="${MAX_REASON}" required aria-describedby="reason-hint${reasonError ? ' reason-error' : ''}"${
    reasonError ? ' aria-invalid="true"' : ''
  }>${escapeHtml(decline.values?.reason ?? '')}</textarea>
<button type="submit" class="secondary">${escapeHtml(t('page.declineButton'))}</button>
</fieldset>
</form>`;
}

/** After a decline: this answer's confirmation, or a reminder of an earlier one; the agree form stays. */
function declinedNote(
  language: Language,
  declinedAt: string | undefined,
  justDeclined: boolean | undefined,
  timeZone: string | undefined,
): string {
  const t = messagesIn(language);
  if (justDeclined) {
    return `<div class="declined" role="status">
<h2>${escapeHtml(t('page.justDeclinedTitle'))}</h2>
<p>${escapeHtml(t('page.justDeclined'))}</p>
</div>
`;
  }
  if (!declinedAt) return '';
  return `<div class="declined">
<p>${escapeHtml(t('page.declinedBefore', { when: whenSaidIn(language, declinedAt, timeZone) }))}</p>
</div>
`;
}

/** "What changed in version N", before the text: hashed with it, so shown to every signer alike. */
function changesSection(policy: PagePolicy): string {
  if (!policy.changes?.length) return '';
  return `<section class="changes" aria-labelledby="changes-title">
<h2 id="changes-title">${escapeHtml(message(languageOf(policy), 'page.changesHeading', { version: policy.version }))}</h2>
<ul>${policy.changes.map((c) => `<li>${escapeHtml(c)}</li>`).join('')}</ul>
</section>
`;
}

export function renderAckPage({
  policy,
  brand,
  formAction,
  shown,
  values,
  errors,
  decline,
  declinedAt,
  justDeclined,
  declineRefused,
  timeZone,
}: AckPageInput): string {
  const language = languageOf(policy);
  const t = messagesIn(language);
  const nameError = errors?.name && t(errors.name, { max: MAX_NAME });
  const agreeError = errors?.agree && t(errors.agree);
  const declineNameError = decline?.errors?.name && t(decline.errors.name, { max: MAX_NAME });
  const reasonError = decline?.errors?.reason && t(decline.errors.reason, { max: MAX_REASON });
  const refused = declineRefused && t(declineRefused);
  const problems = [
    nameError && `<li><a href="#fullName">${escapeHtml(nameError)}</a></li>`,
    agreeError && `<li><a href="#agree">${escapeHtml(agreeError)}</a></li>`,
    declineNameError && `<li><a href="#declineName">${escapeHtml(declineNameError)}</a></li>`,
    reasonError && `<li><a href="#reason">${escapeHtml(reasonError)}</a></li>`,
    refused && `<li>${escapeHtml(refused)}</li>`,
  ].filter(Boolean);
  const summary = problems.length
    ? `<div class="summary" role="alert" aria-labelledby="summary-title">
<h2 id="summary-title">${escapeHtml(t('page.problem'))}</h2>
<ul>${problems.join('')}</ul>
</div>`
    : '';
  const content = `${summary}
<h1>${escapeHtml(policy.title)}</h1>
<p class="meta">${escapeHtml(t('page.meta', { version: policy.version, effectiveDate: formatDay(policy.effectiveDate, htmlLang(language)) }))}</p>
${declinedNote(language, declinedAt, justDeclined, timeZone)}${changesSection(policy)}<article class="policy">
${policyHtml(policy.body)}
</article>
<form class="agree" method="post" action="${escapeHtml(formAction)}" novalidate>
<input type="hidden" name="shown" value="${escapeHtml(shown)}">
<h2>${escapeHtml(t('page.agreementHeading'))}</h2>
<p class="statement" id="statement">${escapeHtml(policy.statement)}</p>
<label for="fullName">${escapeHtml(t('page.nameLabel'))}</label>
${nameError ? `<p class="error" id="fullName-error">${escapeHtml(nameError)}</p>` : ''}
<input type="text" id="fullName" name="fullName" autocomplete="name" maxlength="${MAX_NAME}" required value="${escapeHtml(values?.name ?? '')}"${
    nameError ? ' aria-invalid="true" aria-describedby="fullName-error"' : ''
  }>
${agreeError ? `<p class="error" id="agree-error">${escapeHtml(agreeError)}</p>` : ''}
<div class="check">
<input type="checkbox" id="agree" name="agree" value="yes" required${
    agreeError
      ? ' aria-invalid="true" aria-describedby="agree-error statement"'
      : ' aria-describedby="statement"'
  }>
<label for="agree">${escapeHtml(t('page.agreeLabel'))}</label>
</div>
<button type="submit">${escapeHtml(t('page.submit'))}</button>
</form>${decline ? `\n${declineForm(language, formAction, shown, decline)}` : ''}`;
  const title = problems.length ? t('page.errorTitle', { title: policy.title }) : policy.title;
  return layout(title, content, language, brand);
}

export interface ReceiptPageInput {
  /** The policy as shown when it was signed: in the evidence's language. */
  policy: PagePolicy;
  brand?: Brand;
  acknowledgedAt: string;
  typedName: string;
  evidenceId: string;
  already: boolean;
  /** How the agreement was made: one HR recorded on the person's behalf is said so (no note, no recorder). */
  method?: AckMethod | undefined;
  /** The person's time zone (IANA), when known: the time is said in it as well as in UTC. */
  timeZone?: string | undefined;
}

export function renderReceiptPage({
  policy,
  brand,
  acknowledgedAt,
  typedName,
  evidenceId,
  already,
  method,
  timeZone,
}: ReceiptPageInput): string {
  const language = languageOf(policy);
  const t = messagesIn(language);
  const onBehalf = method === 'on-behalf';
  const heading = t(
    onBehalf
      ? 'receiptPage.onBehalfHeading'
      : already
        ? 'receiptPage.alreadyHeading'
        : 'receiptPage.signedHeading',
  );
  const when = whenSaidIn(language, acknowledgedAt, timeZone);
  const said = onBehalf
    ? t('receiptPage.onBehalf', { when })
    : t(already ? 'receiptPage.recordedEarlier' : 'receiptPage.recordedNow');
  const content = `<div class="receipt" role="status">
<h1>${escapeHtml(heading)}</h1>
<p>${escapeHtml(said)}</p>
</div>
<h2>${escapeHtml(t('receiptPage.heading'))}</h2>
<dl>
<dt>${escapeHtml(t('receiptPage.policy'))}</dt><dd>${escapeHtml(t('receiptPage.policyValue', { title: policy.title, version: policy.version }))}</dd>
<dt>${escapeHtml(t('receiptPage.agreed'))}</dt><dd>${escapeHtml(policy.statement)}</dd>
<dt>${escapeHtml(t(onBehalf ? 'receiptPage.recordedFor' : 'receiptPage.signedAs'))}</dt><dd>${escapeHtml(typedName)}</dd>
<dt>${escapeHtml(t('receiptPage.when'))}</dt><dd>${escapeHtml(when)}</dd>
<dt>${escapeHtml(t('receiptPage.reference'))}</dt><dd>${escapeHtml(evidenceId)}</dd>
<dt>${escapeHtml(t('receiptPage.fingerprint'))}</dt><dd>sha256 ${escapeHtml(policy.sha256)}</dd>
</dl>`;
  return layout(heading, content, language, brand);
}

/** A page that only says something: `title` and `message` are catalogue keys, said in `language`. */
export function renderErrorPage({
  title,
  message: body,
  vars,
  language,
  brand,
}: {
  title: PageMessageKey;
  message: PageMessageKey;
  vars?: Record<string, string | number>;
  language: Language;
  brand?: Brand | undefined;
}): string {
  const heading = message(language, title);
  return layout(
    heading,
    `<h1>${escapeHtml(heading)}</h1>\n<p>${escapeHtml(message(language, body, vars))}</p>`,
    language,
    brand,
  );
}

/** An expired signing link: one button sends a fresh link to the address on file, never to one typed in. */
export function renderExpiredPage({
  resendAction,
  language,
  brand,
}: {
  resendAction: string;
  language: Language;
  brand?: Brand | undefined;
}): string {
  const t = messagesIn(language);
  const content = `<h1>${escapeHtml(t('expiredPage.title'))}</h1>
<p>${escapeHtml(t('expiredPage.body'))}</p>
<form method="post" action="${escapeHtml(resendAction)}">
<button type="submit">${escapeHtml(t('expiredPage.button'))}</button>
</form>`;
  return layout(t('expiredPage.title'), content, language, brand);
}

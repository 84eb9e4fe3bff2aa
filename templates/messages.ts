// The message catalogue at run time: every starter-facing string of the pages and emails, per language, compiled at build from templates/locales/.
import { escapeHtml, type SafeHtml, trustedHtml } from '#shared/core/html.ts';
import type { Language } from '#shared/core/language.ts';
import catalogue, { type MessageKey } from './generated/messages.ts';

export type { MessageKey };
export type MessageVars = Record<string, string | number>;

/** The message `key` in `language`, its placeholders filled with `vars` (ICU MessageFormat: plurals by the language's rules). */
export function message(language: Language, key: MessageKey, vars: MessageVars = {}): string {
  return catalogue[language][key](vars);
}

/**
 * The message as HTML: `vars` escaped, `html` (markup the caller built from escaped parts, such as
 * a bold title) placed as it is. The messages themselves hold no markup (the build refuses `<` and `&`).
 */
export function messageHtml(
  language: Language,
  key: MessageKey,
  vars: MessageVars = {},
  html: Record<string, SafeHtml> = {},
): SafeHtml {
  const escaped = Object.fromEntries(
    Object.entries(vars).map(([name, value]) => [
      name,
      typeof value === 'string' ? escapeHtml(value) : value,
    ]),
  );
  return trustedHtml(catalogue[language][key]({ ...escaped, ...html }));
}

/** One language's messages, for a template that says many: `t('invite.subject', { policyTitle })`. */
export function messagesIn(language: Language) {
  return (key: MessageKey, vars?: MessageVars) => message(language, key, vars);
}

export { htmlLang } from '#shared/core/language.ts';

// The message catalogue at run time: every starter-facing string of the pages and emails, per language, compiled at build from templates/locales/ into one module per namespace, which each template imports and names.
import { escapeHtml, type SafeHtml, trustedHtml } from '#shared/core/html.ts';
import { LANGUAGES, type Language } from '#shared/core/language.ts';

export type MessageVars = Record<string, string | number>;

/** One namespace's messages (templates/generated/messages/<namespace>.ts: `page`, `invite`…), per language, by full key. */
type Namespace = Readonly<Record<Language, Readonly<Record<string, (vars: MessageVars) => string>>>>;

/** The keys of the namespaces given (`page.submit`…): a key of another namespace, or none, is a compile error. */
export type KeyOf<Namespaces extends Readonly<Record<string, Namespace>>> = {
  [Name in keyof Namespaces]: keyof Namespaces[Name][Language] & string;
}[keyof Namespaces];

/**
 * The messages of the namespaces a template says, as `message`, `messageHtml` and `messagesIn`.
 * Each template names its own (`messagesOf({ page, form })`), each imported from its generated
 * module: a function's bundle carries the namespaces its templates name and no others (the
 * signing page none of the emails' words, the mailer none of the pages', and its cold start none
 * of the receipt's, whose renderer loads at the first receipt).
 */
export function messagesOf<Namespaces extends Readonly<Record<string, Namespace>>>(namespaces: Namespaces) {
  type Key = KeyOf<Namespaces>;
  const parts = Object.values(namespaces);
  const catalogue = Object.fromEntries(
    LANGUAGES.map((language) => [language, Object.assign({}, ...parts.map((part) => part[language]))]),
  ) as Record<Language, Record<Key, (vars: MessageVars) => string>>;

  /** The message `key` in `language`, its placeholders filled with `vars` (ICU MessageFormat: plurals by the language's rules). */
  function message(language: Language, key: Key, vars: MessageVars = {}): string {
    return catalogue[language][key](vars);
  }

  /**
   * The message as HTML: `vars` escaped, `html` (markup the caller built from escaped parts, such as
   * a bold title) placed as it is. The messages themselves hold no markup (the build refuses `<` and `&`).
   */
  function messageHtml(
    language: Language,
    key: Key,
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
  function messagesIn(language: Language) {
    return (key: Key, vars?: MessageVars) => message(language, key, vars);
  }

  return { message, messageHtml, messagesIn };
}

export { htmlLang } from '#shared/core/language.ts';

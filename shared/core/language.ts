// Which language a starter is shown a policy, its page and its emails in: their locale's, when the policy has that translation, else English.
import type { PolicyText, PolicyVersion } from './model.ts';

/**
 * The languages attest speaks to starters: English, the policies' own language, and each
 * language a policy may be translated into (`NAME.cy.md`) and the message catalogue carries
 * (templates/locales/{language}.json; the build refuses a catalogue or translation of another).
 */
export const LANGUAGES = ['en', 'cy'] as const;
export type Language = (typeof LANGUAGES)[number];
/** The language of a policy's own file, and of everything with no translation in a starter's language. */
export const DEFAULT_LANGUAGE: Language = 'en';
/** The languages a policy may be translated into. */
export const TRANSLATION_LANGUAGES = LANGUAGES.filter((l) => l !== DEFAULT_LANGUAGE);

export function isLanguage(value: unknown): value is Language {
  return (LANGUAGES as readonly unknown[]).includes(value);
}

/** The language subtag of a BCP 47 locale (`cy-GB` → `cy`), or undefined for one that is not a locale. */
function languageOf(locale: string | undefined): string | undefined {
  try {
    return locale ? new Intl.Locale(locale).language : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The language a starter with `locale` reads `policy` in: the locale's language when the policy
 * has a translation in it, else English — for the page, every email to them and its subject alike.
 */
export function languageFor(locale: string | undefined, policy: Pick<PolicyText, 'translations'>): Language {
  const language = languageOf(locale);
  return isLanguage(language) && language !== DEFAULT_LANGUAGE && policy.translations?.[language]
    ? language
    : DEFAULT_LANGUAGE;
}

/** A policy version as shown in `language`: its translated text and that text's sha256; the settings are the version's own. */
export type ShownPolicy = PolicyVersion & { language: Language };

/** `policy` in `language` (English when it has no such translation): what the page and emails show, and evidence names. */
export function shownIn(policy: PolicyVersion, language: Language): ShownPolicy {
  const { translations, ...english } = policy;
  const translation = language === DEFAULT_LANGUAGE ? undefined : translations?.[language];
  if (!translation) return { ...english, language: DEFAULT_LANGUAGE };
  const { changes, ...text } = translation;
  // The English `changes` must not survive under a translation that has none of its own.
  const { changes: _englishChanges, ...rest } = english;
  return { ...rest, ...text, ...(changes && { changes }), language };
}

/** The language evidence records being shown: evidence from before languages were recorded was all English. */
export function evidenceLanguage(evidence: { locale?: string | undefined }): Language {
  return isLanguage(evidence.locale) ? evidence.locale : DEFAULT_LANGUAGE;
}

/**
 * What makes two texts the same version: the policy's sha256 and each translation's. A changed
 * translation is a new version, as changed English is; one added or removed is too.
 */
export function versionText(policy: Pick<PolicyText, 'sha256' | 'translations'>): string {
  const translations = Object.entries(policy.translations ?? {})
    .filter(([, t]) => t)
    .map(([language, t]) => `${language}:${t?.sha256}`)
    .sort();
  return [policy.sha256, ...translations].join(' ');
}

/**
 * The language to say something in to someone not yet known (a link that is not valid): the
 * first language of the browser's Accept-Language (by its q weights) attest speaks, else English.
 */
export function preferredLanguage(acceptLanguage: string | undefined): Language {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = Number(
        params
          .find((p) => p.trim().startsWith('q='))
          ?.trim()
          .slice(2) ?? '1',
      );
      return { language: languageOf(tag?.trim()), q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((entry) => entry.language).find(isLanguage) ?? DEFAULT_LANGUAGE;
}

/** How a language is named in a page's, email's or PDF's `lang`: British English, or the language itself. */
export function htmlLang(language: Language): string {
  return language === 'en' ? 'en-GB' : language;
}

/** A language as staff read its name in English (`cy` → Welsh): the CLI's and console's headings. */
export function languageName(language: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(language) ?? language;
  } catch {
    return language;
  }
}

/**
 * The fields of an agreement's or a decline's evidence written in the language it records
 * (`locale`): the title and statement shown, and what the person typed on that page (their name, a
 * decline's reason). An on-behalf agreement's name and note come from HR and the recorder, in English.
 */
export function fieldsInShownLanguage(evidence: { method?: string | undefined }): readonly string[] {
  return evidence.method === 'on-behalf'
    ? ['policyTitle', 'statement']
    : ['policyTitle', 'statement', 'typedName', 'reason'];
}

/**
 * The `lang` to mark a field of `evidence` with on an English page (WCAG 3.1.2, so a screen reader
 * speaks it in its own language), or undefined when that field is English as the page is.
 */
export function langOfField(
  evidence: { locale?: string | undefined; method?: string | undefined },
  field: string,
): Language | undefined {
  const language = evidenceLanguage(evidence);
  return language !== DEFAULT_LANGUAGE && fieldsInShownLanguage(evidence).includes(field)
    ? language
    : undefined;
}

// Build-time checks of the message catalogues (templates/locales/{language}.json) and their compilation to modules of message functions, one per namespace.
import { createRequire } from 'node:module';
import { parse, type Token } from '@messageformat/parser';
import { ConfigError } from '#shared/core/errors.ts';
import { DEFAULT_LANGUAGE, LANGUAGES } from '#shared/core/language.ts';

// Both are CommonJS modules whose export is the function itself, which their types call `default`.
const require = createRequire(import.meta.url);
const MessageFormat: typeof import('@messageformat/core').default = require('@messageformat/core');
const compileModule: typeof import('@messageformat/core/lib/compile-module.js').default = require('@messageformat/core/compile-module');

export type Catalogue = Record<string, string>;

/** The names a message's placeholders use (`{title}`, `{days, plural, …}`), in and below its plural cases. */
export function placeholders(message: string): Set<string> {
  const names = new Set<string>();
  const walk = (tokens: Token[]) => {
    for (const token of tokens) {
      if (token.type === 'argument' || token.type === 'function') names.add(token.arg);
      if (token.type === 'plural' || token.type === 'select' || token.type === 'selectordinal') {
        names.add(token.arg);
        for (const c of token.cases) walk(c.tokens);
      }
    }
  };
  walk(parse(message, { strict: true }));
  return names;
}

/**
 * Checks every language's catalogue against the default's: the same keys, each message parsing
 * (ICU MessageFormat, strict), with the same placeholders, and no `<` or `&` — messages are text,
 * escaped where they are shown, so markup in one would show as markup's letters. Returns each
 * problem, named by language and key; none means the catalogues agree.
 */
export function catalogueProblems(catalogues: Record<string, Catalogue>): string[] {
  const problems: string[] = [];
  const base = catalogues[DEFAULT_LANGUAGE] ?? {};
  for (const language of LANGUAGES) {
    if (!catalogues[language])
      problems.push(`${language}: no catalogue (templates/locales/${language}.json)`);
  }
  for (const language of Object.keys(catalogues)) {
    if (!(LANGUAGES as readonly string[]).includes(language)) {
      problems.push(`${language}: attest does not speak it (shared/core/language.ts LANGUAGES)`);
    }
  }
  for (const [language, catalogue] of Object.entries(catalogues)) {
    for (const key of Object.keys(base)) {
      if (!(key in catalogue)) problems.push(`${language}: ${key} is missing`);
    }
    for (const [key, message] of Object.entries(catalogue)) {
      if (!(key in base)) {
        problems.push(`${language}: ${key} is not in ${DEFAULT_LANGUAGE}.json`);
        continue;
      }
      if (typeof message !== 'string' || !message.trim()) {
        problems.push(`${language}: ${key} is empty`);
        continue;
      }
      if (/[<&]/.test(message)) problems.push(`${language}: ${key} holds < or &, which messages may not`);
      try {
        const have = [...placeholders(message)].sort().join(', ');
        const want = [...placeholders(base[key] as string)].sort().join(', ');
        if (have !== want)
          problems.push(`${language}: ${key} has placeholders {${have}}, ${DEFAULT_LANGUAGE} has {${want}}`);
      } catch (error) {
        problems.push(`${language}: ${key} does not parse: ${(error as Error).message}`);
      }
    }
  }
  return problems;
}

/** A message's namespace (`page` of `page.submit`): what a template imports it by. */
export const namespaceOf = (key: string): string => key.slice(0, key.indexOf('.'));

/** A key is its namespace, an identifier, then a dot and the message's name. */
const NAMESPACED_KEY = /^[a-z][A-Za-z0-9]*\.[A-Za-z0-9.]+$/;

/**
 * The catalogues as TypeScript modules of compiled message functions, one per namespace
 * (`messages/<namespace>.ts`, by namespace), each exporting it by its name (`export const page`):
 * every language's messages of that namespace, under their full keys (`page.submit`). A template
 * imports the namespaces it says, each from its own module, so a function's bundle carries only
 * theirs (templates/messages.ts). There is no index of them: esbuild splits a bundle by the files
 * each entry can reach, so an index reaching every namespace would put all of them in the cold
 * start of a function whose templates load when first needed (the mailer's). Refused, with every
 * problem listed, unless catalogueProblems finds none. The output depends only on the catalogues:
 * the languages in LANGUAGES' order, the namespaces and keys in the default language's.
 */
export function compileCatalogues(
  catalogues: Record<string, Catalogue>,
  banner: string,
): Record<string, string> {
  const problems = catalogueProblems(catalogues);
  const keys = Object.keys(catalogues[DEFAULT_LANGUAGE] ?? {});
  for (const key of keys) {
    if (!NAMESPACED_KEY.test(key))
      problems.push(`${DEFAULT_LANGUAGE}: ${key} is not namespace.name (page.submit)`);
  }
  if (problems.length) {
    throw new ConfigError(`The message catalogues disagree:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  const mf = new MessageFormat([...LANGUAGES], { strict: true });
  const names = [...new Set(keys.map(namespaceOf))];
  return Object.fromEntries(
    names.map((name) => {
      const inNamespace = keys.filter((key) => namespaceOf(key) === name);
      const messages = Object.fromEntries(
        LANGUAGES.map((language) => [
          language,
          // Every language has every key: catalogueProblems found none missing.
          Object.fromEntries(
            inNamespace.map((key) => [key, (catalogues[language] as Catalogue)[key] as string]),
          ),
        ]),
      );
      // compileModule ends with `export default {…}`, the runtime's imports before it: the
      // namespace is exported by its name instead, as the project's modules export.
      const [runtime, object, ...more] = compileModule(mf, messages).split('\nexport default ');
      if (object === undefined || more.length) throw new Error('compileModule: not one `export default`');
      // The compiled functions are plain JavaScript: unchecked, as the checks above stand for them.
      return [name, `// @ts-nocheck\n${banner}${runtime}\nexport const ${name} = ${object};\n`];
    }),
  );
}

// Build-time checks of the message catalogues (templates/locales/{language}.json) and their compilation to one module of message functions.
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

/**
 * The catalogues as one TypeScript module of compiled message functions (per language, per key),
 * with the keys as a type. Refused, with every problem listed, unless catalogueProblems finds none.
 */
export function compileCatalogues(catalogues: Record<string, Catalogue>, banner: string): string {
  const problems = catalogueProblems(catalogues);
  if (problems.length) {
    throw new ConfigError(`The message catalogues disagree:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  const mf = new MessageFormat([...LANGUAGES], { strict: true });
  const compiled = compileModule(mf, catalogues);
  const keys = Object.keys(catalogues[DEFAULT_LANGUAGE] as Catalogue);
  // The compiled functions are plain JavaScript: unchecked, as the checks above stand for them.
  return `// @ts-nocheck\n${banner}${compiled}\nexport type MessageKey = ${keys.map((k) => JSON.stringify(k)).join(' | ')};\n`;
}

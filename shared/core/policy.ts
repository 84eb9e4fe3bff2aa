// Policies as published: front matter + Markdown, the canonical text, and its sha256 that names the version.
import { isDeepStrictEqual } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { isoDay } from './dates.ts';
import { parseCalendarDuration } from './duration.ts';
import { ConfigError, ValidationError } from './errors.ts';
import { DEFAULT_LANGUAGE, type Language, TRANSLATION_LANGUAGES } from './language.ts';
import type { PolicyText, PolicyTranslation } from './model.ts';
import { normalise, policySha256 } from './policy-text.ts';
import { chaseOverridesSchema, chasePlan } from './schedule.ts';
import { toFieldIssues } from './validation.ts';
import { hasUnseen } from './visible.ts';
import * as z from './zod.ts';

/** The canonical text and its hash live apart, so code that hashes need not bundle the parsers here. */
export { canonicalPolicyText, policySha256 } from './policy-text.ts';

/** The most a `changes:` item may hold, in characters: a line, not a paragraph. */
export const MAX_CHANGE_LENGTH = 200;

/**
 * What changed since the last version, one short line each: shown on the page and in the
 * re-acknowledgement email, so each must look like what it is (no control or direction marks).
 */
const changesSchema = z
  .array(
    z.string().check(
      z.trim(),
      z.minLength(1),
      z.refine((s) => !hasUnseen(s), 'Must not contain control, format or invisible characters.'),
      z.refine((s) => [...s].length <= MAX_CHANGE_LENGTH, `At most ${MAX_CHANGE_LENGTH} characters.`),
    ),
  )
  .check(z.minLength(1), z.maxLength(10));

/**
 * A lifecycle period (`reattest:`, `due:`): an ISO 8601 duration of years to seconds, more than
 * nothing, as retention's are read (a calendar matter: P1Y is the same date a year on). Kept as
 * written; its reading is `parseCalendarDuration`'s.
 */
const lifecycleDuration = z.string().check(
  z.superRefine((text, ctx) => {
    try {
      parseCalendarDuration(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  }),
);

export const policyFrontMatterSchema = z.object({
  id: z
    .string()
    .check(z.regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'Expected a lower-case id such as safe-internet-use.')),
  title: z.string().check(z.trim(), z.minLength(1)),
  effectiveDate: z.pipe(
    z.union([z.string(), z.date()]),
    z.transform((d: string | Date, ctx) => {
      const text = d instanceof Date ? isoDay(d) : d;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(text))
        ctx.issues.push({ code: 'custom', message: 'Expected YYYY-MM-DD.', input: d });
      return text;
    }),
  ),
  statement: z.string().check(z.trim(), z.minLength(1)),
  keyPoints: z.array(z.string().check(z.trim(), z.minLength(1))).check(z.minLength(1), z.maxLength(8)),
  changes: z.optional(changesSchema),
  /** Overrides of the chase (REMINDER_OFFSETS, ESCALATION_OFFSET, SEND_WINDOW) for this policy. */
  chase: z.optional(chaseOverridesSchema),
  /** The Moodle activity an agreement completes (LMS_MODE with moodle; MOODLE_ACTIVITIES overrides it). */
  moodle: z.optional(z.strictObject({ cmid: z.number().check(z.int(), z.positive()) })),
  /** Whether the page offers "I do not agree" with a reason; a setting of the version, not its text. */
  declinable: z.optional(z.boolean()),
  /** How old an agreement may grow before the person is asked again (ISO 8601: P1Y, P6M, PT40S). */
  reattest: z.optional(lifecycleDuration),
  /** How long a person has to sign, from their start date (or the invite, when that has passed). */
  due: z.optional(lifecycleDuration),
  version: z.optional(
    z.undefined({ error: 'Remove it: publishing numbers the versions (changed text becomes the next one).' }),
  ),
});

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/;

/**
 * Parses a policy file; a missing or malformed field is a ValidationError naming it. The version
 * number is not the file's to say: publishing gives the next one to text that changed.
 */
export function parsePolicy(source: string): PolicyText {
  const match = FRONT_MATTER.exec(source);
  if (!match)
    throw new ValidationError('policy.invalid', [
      { field: 'front matter', message: 'Missing --- front matter.' },
    ]);
  const result = policyFrontMatterSchema.safeParse(parseYaml(match[1] as string));
  if (!result.success) throw new ValidationError('policy.invalid', toFieldIssues(result.error));
  const fm = result.data;
  // A malformed override fails here, naming it, rather than when a reminder falls due.
  if (fm.chase) chasePlan(fm.chase, {}, 'chase.');
  const body = normalise(match[2] as string);
  const policy = {
    policyId: fm.id,
    title: fm.title,
    statement: fm.statement,
    effectiveDate: fm.effectiveDate,
    keyPoints: fm.keyPoints,
    ...(fm.changes && { changes: fm.changes }),
    body,
    ...(fm.chase && { chase: fm.chase }),
    ...(fm.moodle && { moodle: fm.moodle }),
    ...(fm.declinable && { declinable: true }),
    ...(fm.reattest && { reattest: fm.reattest }),
    ...(fm.due && { due: fm.due }),
  };
  return { ...policy, sha256: policySha256(policy) };
}

/** A policy file's name: `NAME.md` is the policy itself, `NAME.cy.md` its translation into Welsh. */
const POLICY_FILE = /^([a-z0-9]+(?:-[a-z0-9]+)*)(?:\.([a-z]{2,3}))?\.md$/;

/**
 * What a policy file is, by its name: the policy `NAME` itself (`NAME.md`, in English), or its
 * translation (`NAME.{language}.md`); undefined for a name that is neither. A translation into a
 * language attest does not speak is refused, naming the languages it does.
 */
export function policyFileName(file: string): { policyId: string; language: Language } | undefined {
  const match = POLICY_FILE.exec(file);
  if (!match) return undefined;
  const [, policyId, language] = match as unknown as [string, string, string | undefined];
  if (language === undefined) return { policyId, language: DEFAULT_LANGUAGE };
  if (!(TRANSLATION_LANGUAGES as readonly string[]).includes(language)) {
    throw new ConfigError(
      `${file}: no translations into "${language}"; a policy may be translated into ${TRANSLATION_LANGUAGES.join(', ')}.`,
    );
  }
  return { policyId, language: language as Language };
}

/**
 * A translation's front matter: the text in its language, and the policy's id. Its settings
 * (effective date, chase, Moodle activity) are the policy's own: a translation may repeat them,
 * and is refused if it says anything else.
 */
const translationFrontMatterSchema = z.extend(policyFrontMatterSchema, {
  effectiveDate: z.optional(policyFrontMatterSchema.shape.effectiveDate),
  chase: z.optional(z.unknown()),
  moodle: z.optional(z.unknown()),
});

/**
 * Parses `source` as the translation of `policy` into `language`: the same id, the policy's own
 * settings or none, and `changes:` exactly when the policy has them. Its sha256 is over its own
 * canonical text, as the policy's is over the English.
 */
export function parsePolicyTranslation(
  source: string,
  policy: PolicyText,
  language: Language,
): PolicyTranslation {
  const match = FRONT_MATTER.exec(source);
  const problem = (field: string, message: string) =>
    new ValidationError('policy.invalid', [{ field: `${language}: ${field}`, message }]);
  if (!match) throw problem('front matter', 'Missing --- front matter.');
  const result = translationFrontMatterSchema.safeParse(parseYaml(match[1] as string));
  if (!result.success) {
    throw new ValidationError(
      'policy.invalid',
      toFieldIssues(result.error).map((issue) => ({ ...issue, field: `${language}: ${issue.field}` })),
    );
  }
  const fm = result.data;
  if (fm.id !== policy.policyId)
    throw problem('id', `Expected ${policy.policyId}, the id of the policy it translates.`);
  // Settings come from the policy's own file: a translation that says otherwise would contradict it.
  const settings = { effectiveDate: policy.effectiveDate, chase: policy.chase, moodle: policy.moodle };
  for (const name of ['effectiveDate', 'chase', 'moodle'] as const) {
    if (fm[name] !== undefined && !isDeepStrictEqual(fm[name], settings[name])) {
      throw problem(
        name,
        `A translation takes ${name} from ${policy.policyId}.md: remove it, or make it the same.`,
      );
    }
  }
  if (Boolean(fm.changes) !== Boolean(policy.changes)) {
    throw problem(
      'changes',
      policy.changes
        ? 'The policy says what changed: translate its changes too.'
        : 'The policy has no changes: remove them.',
    );
  }
  const text = {
    title: fm.title,
    statement: fm.statement,
    keyPoints: fm.keyPoints,
    ...(fm.changes && { changes: fm.changes }),
    body: normalise(match[2] as string),
  };
  return { ...text, sha256: policySha256(text) };
}

/**
 * The policies in a set of files (name → source, as templates/policies/ holds them): each
 * `NAME.md` parsed, with its translations `NAME.{language}.md` beside it. A translation without
 * its policy, or a policy whose id is not its file's name, is refused.
 */
export function parsePolicyFiles(files: Record<string, string>): Map<string, PolicyText> {
  const policies = new Map<string, PolicyText>();
  const named = Object.keys(files)
    .sort()
    .map((file) => ({ file, name: policyFileName(file) }));
  for (const { file, name } of named) {
    if (!name || name.language !== DEFAULT_LANGUAGE) continue;
    const policy = parsePolicy(files[file] as string);
    // The file name is the id, so a policy cannot be published under another's name by mistake.
    if (policy.policyId !== name.policyId) throw new Error(`${file} declares id ${policy.policyId}`);
    policies.set(policy.policyId, policy);
  }
  for (const { file, name } of named) {
    if (!name || name.language === DEFAULT_LANGUAGE) continue;
    const policy = policies.get(name.policyId);
    if (!policy) throw new Error(`${file} translates ${name.policyId}.md, which is not there`);
    policies.set(
      name.policyId,
      withTranslation(
        policy,
        name.language,
        parsePolicyTranslation(files[file] as string, policy, name.language),
      ),
    );
  }
  return policies;
}

/** `policy` with `translation` as its text in `language`. */
export function withTranslation(
  policy: PolicyText,
  language: Language,
  translation: PolicyTranslation,
): PolicyText {
  return { ...policy, translations: { ...policy.translations, [language]: translation } };
}

/** The policy body as HTML (Markdown, loaded with this module: the functions take the build's HTML instead). */
export { renderPolicyHtml } from './policy-markdown.ts';

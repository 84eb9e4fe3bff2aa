// Audience rules: which policies a starter signs when their event names none — the rules file's schema and checks, matching, and the account of a match (reading the YAML is audience-file.ts's, the build's alone).
import type { Starters } from '../ports.ts';
import { ConfigError, NotFoundError } from './errors.ts';
import { starterIdFor } from './ids.ts';
import { STARTER_ATTRIBUTES, type Starter, type StarterAttribute } from './model.ts';
import * as z from './zod.ts';

/** The attributes a rule may match on: the starter's own (DESIGN §5), by the event's names. */
export const MATCH_KEYS = STARTER_ATTRIBUTES;

/** Where the rules are kept, as errors name it. */
export const AUDIENCE_FILE = 'audience.yaml';

export interface AudienceRule {
  name: string;
  /** Each key must match; a key's values are alternatives (any one matches). As written, trimmed. */
  when: Partial<Record<StarterAttribute, string[]>>;
  policies: string[];
}

export interface AudienceRules {
  /** The file's default set; absent, the deployment's DEFAULT_POLICIES is the default set. */
  default?: string[];
  rules: AudienceRule[];
}

/** No file, or a file without rules: everyone is asked the default set. */
export const NO_AUDIENCE_RULES: AudienceRules = Object.freeze({ rules: [] });

const text = z
  .string({ error: 'Expected text (quote a value YAML would read as a number, a date or yes/no).' })
  .check(z.trim(), z.minLength(1, 'Must not be empty.'));
const values = z.pipe(
  z.union([text, z.array(text).check(z.minLength(1, 'Must list at least one value.'))], {
    error: 'Expected text, or a list of texts any of which matches.',
  }),
  z.transform((v: string | string[]) => (Array.isArray(v) ? v : [v])),
);
const policyList = z.array(text, { error: 'Expected a list of policy ids.' });

const ruleSchema = z.strictObject(
  {
    name: text,
    when: z
      .strictObject(
        Object.fromEntries(MATCH_KEYS.map((key) => [key, z.optional(values)])) as Record<
          StarterAttribute,
          z.ZodMiniOptional<typeof values>
        >,
        { error: 'Expected the attributes to match, e.g. { department: "Libraries" }.' },
      )
      .check(
        z.refine((when) => Object.values(when).some((v) => v !== undefined), {
          message: `Must match on at least one of ${MATCH_KEYS.join(', ')}.`,
        }),
      ),
    policies: policyList.check(z.minLength(1, 'Must add at least one policy.')),
  },
  { error: 'Expected a rule with a name, when and policies.' },
);

const fileSchema = z.strictObject(
  { default: z.optional(policyList), rules: z._default(z.array(ruleSchema), []) },
  { error: 'Expected a mapping with rules (and an optional default).' },
);

/**
 * Checks the rules file as YAML read it (audience-file.ts reads it), throwing a ConfigError that
 * names each problem by its rule: `audience.yaml: rule "x": unknown policy "y"` — a match key not
 * among MATCH_KEYS, a rule adding no policy, a policy this build does not carry, two rules of one
 * name. The build and the CLI read it through here, so a bad file stops the build (the functions
 * and `npm start` take the rules the build checked). An empty file (or none) has no rules.
 */
export function audienceRulesFrom(
  raw: unknown,
  knownPolicies: ReadonlySet<string>,
  file = AUDIENCE_FILE,
): AudienceRules {
  if (raw === null || raw === undefined) return NO_AUDIENCE_RULES;
  const problems: string[] = [];
  /** `rule "name"` when the rule at `index` has a name to call it by, else its place. */
  const ruleAt = (index: number) => {
    const name = (raw as { rules?: Array<{ name?: unknown }> }).rules?.[index]?.name;
    return typeof name === 'string' && name.trim()
      ? `rule ${JSON.stringify(name.trim())}`
      : `rule ${index + 1}`;
  };
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const at = (path: readonly PropertyKey[]) => path.map(String).join('.');
    // A misspelt key is the problem to name, not the match on nothing it leaves behind.
    const misspelt = new Set(
      parsed.error.issues.filter((i) => i.code === 'unrecognized_keys').map((i) => at(i.path)),
    );
    for (const issue of parsed.error.issues) {
      if (issue.code === 'custom' && misspelt.has(at(issue.path))) continue;
      const [top, index, ...rest] = issue.path;
      const where = top === 'rules' && typeof index === 'number' ? [ruleAt(index)] : [];
      const field = (top === 'rules' ? rest : issue.path).filter((p) => typeof p === 'string').join('.');
      if (issue.code === 'unrecognized_keys') {
        const what = field === 'when' ? 'unknown match key' : 'unknown key';
        const known = field === 'when' ? ` (the keys are ${MATCH_KEYS.join(', ')})` : '';
        for (const key of issue.keys)
          problems.push([file, ...where, `${what} ${JSON.stringify(key)}${known}`].join(': '));
      } else problems.push([file, ...where, ...(field ? [field] : []), issue.message].join(': '));
    }
  }
  // What the shape allows a look at is checked too, so one run of the build names every problem.
  const loose = raw as { default?: unknown; rules?: unknown };
  const idsIn = (list: unknown) =>
    Array.isArray(list)
      ? list.filter((id): id is string => typeof id === 'string').map((id) => id.trim())
      : [];
  const unknown = (list: unknown) => idsIn(list).filter((id) => id && !knownPolicies.has(id));
  for (const id of unknown(loose.default))
    problems.push(`${file}: default: unknown policy ${JSON.stringify(id)}`);
  const seen = new Map<string, number>();
  for (const [i, rule] of (Array.isArray(loose.rules) ? loose.rules : []).entries()) {
    const { name, policies } = (rule ?? {}) as { name?: unknown; policies?: unknown };
    for (const id of unknown(policies))
      problems.push(`${file}: ${ruleAt(i)}: unknown policy ${JSON.stringify(id)}`);
    if (typeof name !== 'string' || !name.trim()) continue;
    const first = seen.get(normalise(name));
    if (first !== undefined)
      problems.push(`${file}: ${ruleAt(i)}: named twice (rules ${first + 1} and ${i + 1})`);
    else seen.set(normalise(name), i);
  }
  if (problems.length || !parsed.success) throw new ConfigError(problems.join('\n'));
  const rules = parsed.data;
  return {
    ...(rules.default && { default: rules.default }),
    rules: rules.rules.map((rule) => ({ name: rule.name, when: rule.when, policies: rule.policies })),
  };
}

/**
 * How values are compared: case aside, spaces around and runs of spaces within aside, and the
 * apostrophe's shape aside (HR systems write Children’s and Children's alike); NFKC first, so
 * a full-width or composed letter equals its plain form.
 */
export function normalise(value: string): string {
  return value
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u02BC\u0060\u00B4]/g, "'")
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** A starter's attributes as rules see them: any of MATCH_KEYS, absent when HR gave none. */
export type Attributes = Partial<Record<StarterAttribute, string | undefined>>;

/** Why a rule did not match: a key it names, the values it wants, and the starter's (absent: none given). */
export interface Miss {
  key: StarterAttribute;
  wanted: string[];
  actual?: string;
}

export interface RuleOutcome {
  rule: string;
  matched: boolean;
  /** Every key that differed: empty when the rule matched. */
  misses: Miss[];
  policies: string[];
}

/** The policies a starter is asked when their event names none, and which rules gave them. */
export interface AudienceDecision {
  /** The default set and then each matching rule's policies, in rule order, each once. */
  policies: string[];
  /** The names of the rules that matched, in file order. */
  matched: string[];
  default: string[];
  outcomes: RuleOutcome[];
}

/** The default set: the file's when it gives one, else the deployment's DEFAULT_POLICIES. */
export function defaultSet(rules: AudienceRules, defaultPolicies: readonly string[]): string[] {
  return [...(rules.default ?? defaultPolicies)];
}

/** Every rule tried on `attributes`: a rule matches when each key it names matches one of its values. */
export function decideAudience(
  rules: AudienceRules,
  defaultPolicies: readonly string[],
  attributes: Attributes,
): AudienceDecision {
  const outcomes = rules.rules.map((rule): RuleOutcome => {
    const misses: Miss[] = [];
    for (const key of MATCH_KEYS) {
      const wanted = rule.when[key];
      if (!wanted) continue;
      const actual = attributes[key];
      const hit = actual !== undefined && wanted.some((w) => normalise(w) === normalise(actual));
      if (!hit) misses.push({ key, wanted, ...(actual !== undefined && { actual }) });
    }
    return { rule: rule.name, matched: misses.length === 0, misses, policies: rule.policies };
  });
  const fallback = defaultSet(rules, defaultPolicies);
  const policies = [
    ...new Set([...fallback, ...outcomes.filter((o) => o.matched).flatMap((o) => o.policies)]),
  ];
  return {
    policies,
    matched: outcomes.filter((o) => o.matched).map((o) => o.rule),
    default: fallback,
    outcomes,
  };
}

/** A starter's attributes, just those the rules may match on. */
export function attributesOf(from: Attributes): Attributes {
  return Object.fromEntries(MATCH_KEYS.flatMap((key) => (from[key] ? [[key, from[key]]] : [])));
}

/** Where a starter's list came from, as `explain` tells it. */
export type PoliciesOrigin =
  /** An event named them: the rules were not consulted. */
  | 'event'
  /** The rules decided them. */
  | 'rules'
  /** Stored before the origin was recorded: kept until an event names others. */
  | 'kept'
  /** No starter: attributes given to try the rules on. */
  | 'trial';

/** What `attest audience explain` says: the attributes used, each rule's outcome, the default set, the answer. */
export interface AudienceExplanation {
  employeeId?: string;
  attributes: Attributes;
  default: string[];
  /** Whose default set: the rules file's, or the deployment's DEFAULT_POLICIES. */
  defaultFrom: typeof AUDIENCE_FILE | 'DEFAULT_POLICIES';
  outcomes: RuleOutcome[];
  /** What the rules give for these attributes now. */
  rulesGive: string[];
  /** The starter's list as stored (for a trial, what the rules give). */
  policies: string[];
  from: PoliciesOrigin;
  /** The rules matched when the starter's list was last decided, when it was. */
  matchedWhenDecided?: string[];
}

/** The rules tried on `attributes`, as a starter's (`starter`) or as a trial (none). */
export function explainAudience(
  rules: AudienceRules,
  defaultPolicies: readonly string[],
  attributes: Attributes,
  starter?: Pick<Starter, 'employeeId' | 'policies' | 'policiesFrom' | 'matchedRules'>,
): AudienceExplanation {
  const decision = decideAudience(rules, defaultPolicies, attributes);
  return {
    ...(starter && { employeeId: starter.employeeId }),
    attributes: attributesOf(attributes),
    default: decision.default,
    defaultFrom: rules.default ? AUDIENCE_FILE : 'DEFAULT_POLICIES',
    outcomes: decision.outcomes,
    rulesGive: decision.policies,
    policies: starter ? starter.policies : decision.policies,
    from: starter ? (starter.policiesFrom ?? 'kept') : 'trial',
    ...(starter?.matchedRules && { matchedWhenDecided: starter.matchedRules }),
  };
}

/** Reading a starter is all `explain` needs of the store. */
export type ExplainStore = Pick<Starters, 'getStarter'>;

/**
 * Use case: explain a starter's policies — the rules tried on their stored attributes. Throws a
 * NotFoundError (`starter.not_found`) for an employee id no starter has.
 */
export function makeExplainAudience(deps: {
  store: ExplainStore;
  audience: AudienceRules;
  defaultPolicies: readonly string[];
}) {
  return async function explainStarter(employeeId: string): Promise<AudienceExplanation> {
    const starter = await deps.store.getStarter(starterIdFor(employeeId));
    if (!starter) throw new NotFoundError('starter.not_found', `No starter with employee id ${employeeId}.`);
    return explainAudience(deps.audience, deps.defaultPolicies, starter, starter);
  };
}

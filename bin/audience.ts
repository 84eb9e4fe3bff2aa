// `attest audience explain`: which audience rules match a starter (or attributes to try), why the others do not, and the policies that follow.
import { type Command, Option } from 'commander';
import {
  type Attributes,
  type AudienceExplanation,
  type AudienceRules,
  explainAudience,
  MATCH_KEYS,
  type Miss,
  makeExplainAudience,
} from '#shared/core/audience.ts';
import type { StarterAttribute } from '#shared/core/model.ts';
import { type Shell, UsageError } from './cli.ts';

/** The options giving attributes to try, by the attribute each gives: as `starter add` names them. */
const ATTRIBUTE_OPTIONS = {
  department: '--department <name>',
  organization: '--organization <name>',
  division: '--division <name>',
  location: '--location <name>',
  employmentType: '--employment-type <type>',
  jobTitle: '--job-title <title>',
} as const satisfies Record<StarterAttribute, string>;

const HELP_AFTER = `
With --employee, the starter's attributes as stored are tried on the rules
this build carries (templates/policies/audience.yaml), and their policies are
said with where they came from: the event's own list (which overrides the
rules) or the rules. With attribute options instead, no table is read: the
rules are tried on those, as for a starter not yet hired.

A starter signs the default set (the rules file's, or DEFAULT_POLICIES) and
the policies of every rule that matches; a rule matches when each attribute it
names equals one of its values, ignoring case, spaces around and repeated
within, and the shape of an apostrophe. Exit codes: 0 explained, 1 no such
starter (or the rules file is not valid), 2 the command was called wrongly.`;

export function addAudienceCommands(program: Command, shell: Shell): void {
  const explain = program
    .command('audience')
    .description('The audience rules: which policies a starter signs when HR names none.')
    .command('explain')
    .summary('Say which audience rules match a starter, and the policies that follow.')
    .description(
      "Say which audience rules match a starter (or attributes to try), why each other does not, the default set, and the starter's policies.",
    )
    .usage('--employee <id> [--json] | [--department <name>] [--job-title <title>] … [--json]')
    .option('--employee <id>', "the HR system's employee id");
  for (const [key, flags] of Object.entries(ATTRIBUTE_OPTIONS)) {
    explain.addOption(new Option(flags, `try the rules on this ${label(key as StarterAttribute)}`));
  }
  explain
    .option('--json', 'the explanation as JSON')
    .addHelpText('after', HELP_AFTER)
    .action(async (options: Record<string, string | boolean | undefined>, command: Command) => {
      const { deps, io } = shell;
      const given: Attributes = {};
      for (const key of MATCH_KEYS) {
        const value = options[new Option(ATTRIBUTE_OPTIONS[key]).attributeName()];
        // Trimmed, as the event's attributes are.
        if (typeof value === 'string' && value.trim()) given[key] = value.trim();
      }
      const employee = typeof options.employee === 'string' ? options.employee : undefined;
      const tried = Object.keys(given).length > 0;
      if (employee !== undefined && tried) {
        throw new UsageError('give --employee or attributes to try, not both', command);
      }
      if (employee === undefined && !tried) {
        throw new UsageError('give --employee, or attributes to try (--department, --job-title…)', command);
      }
      const audience: AudienceRules =
        deps.audience ?? (await import('#templates/audience.ts')).bundledAudience;
      const defaultPolicies = deps.defaultPolicies ?? ['safe-internet-use'];
      const explanation =
        employee === undefined
          ? explainAudience(audience, defaultPolicies, given)
          : await makeExplainAudience({ store: deps.store, audience, defaultPolicies })(employee);
      if (options.json) io.out(JSON.stringify(explanation, null, 2));
      else for (const line of describeExplanation(explanation)) io.out(line);
    });
}

/** `employmentType` as a person reads it: "employment type". */
function label(key: StarterAttribute): string {
  return key.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}

const quoted = (values: readonly string[]) => values.map((v) => JSON.stringify(v)).join(' or ');
const list = (ids: readonly string[]) => (ids.length ? ids.join(', ') : 'none');

/** Why one key did not match: what the starter has, and what the rule wants. */
function describeMiss(miss: Miss): string {
  const has = miss.actual === undefined ? 'not given' : `is ${JSON.stringify(miss.actual)}`;
  return `${label(miss.key)} ${has} (the rule wants ${quoted(miss.wanted)})`;
}

/** The explanation as lines: attributes, the default set, each rule, then the policies and their origin. */
export function describeExplanation(e: AudienceExplanation): string[] {
  const attributes = MATCH_KEYS.flatMap((key) =>
    e.attributes[key] === undefined ? [] : [`${label(key)} ${JSON.stringify(e.attributes[key])}`],
  );
  const lines = [
    ...(e.employeeId === undefined ? [] : [`employee ${e.employeeId}`]),
    `attributes: ${attributes.length ? attributes.join('; ') : 'none given'}`,
    `default set: ${list(e.default)} (from ${e.defaultFrom})`,
  ];
  if (!e.outcomes.length) lines.push('rules: none');
  for (const o of e.outcomes) {
    lines.push(
      o.matched
        ? `rule ${JSON.stringify(o.rule)}: matched, adds ${list(o.policies)}`
        : `rule ${JSON.stringify(o.rule)}: not matched: ${o.misses.map(describeMiss).join('; ')}`,
    );
  }
  lines.push(`the rules give: ${list(e.rulesGive)}`);
  const same = e.policies.join('\n') === e.rulesGive.join('\n');
  switch (e.from) {
    case 'event':
      lines.push(`policies: ${list(e.policies)}, named by the event: its list overrides the rules`);
      break;
    case 'kept':
      lines.push(
        `policies: ${list(e.policies)}, stored before their origin was recorded: kept until an event names others`,
      );
      break;
    case 'rules':
      lines.push(
        `policies: ${list(e.policies)}, from the rules (matched: ${list(e.matchedWhenDecided ?? [])})${
          same
            ? ''
            : '; the rules have changed since: the next event naming no policies applies what they give now'
        }`,
      );
      break;
    case 'trial':
      lines.push(`policies: ${list(e.policies)}, for a starter whose event names none`);
      break;
  }
  return lines;
}

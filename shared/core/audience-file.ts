// The audience rules file read as YAML and checked: the build's and the CLI's, so no function bundles a YAML parser (they take the rules the build checked).
import { parse as parseYaml } from 'yaml';
import { AUDIENCE_FILE, type AudienceRules, audienceRulesFrom } from './audience.ts';
import { ConfigError } from './errors.ts';

/**
 * Reads and checks the rules file, throwing a ConfigError that names each problem by its rule
 * (audienceRulesFrom). An empty file (or none) has no rules.
 */
export function parseAudienceRules(
  source: string,
  knownPolicies: ReadonlySet<string>,
  file = AUDIENCE_FILE,
): AudienceRules {
  let raw: unknown;
  try {
    // Its warnings (an unknown tag) are not the start-up's to print: what it reads is checked after.
    raw = parseYaml(source, { logLevel: 'error' });
  } catch (error) {
    throw new ConfigError(`${file}: not YAML: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  return audienceRulesFrom(raw, knownPolicies, file);
}

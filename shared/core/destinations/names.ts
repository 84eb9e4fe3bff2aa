// The LMS destinations attest delivers completions to, by name: each is a module beside this one, listed in registry.ts.

/**
 * The names, as `LMS_MODE`, the CLI's `--destination` and the audit trail give them; each is also
 * a delivery lane of the assignment. Kept apart from the registry so the model can name the lanes
 * without importing the modules (which import the model).
 */
export const DESTINATION_NAMES = ['webhook', 'xapi', 'moodle'] as const;
export type DestinationName = (typeof DESTINATION_NAMES)[number];

export const isDestinationName = (name: string): name is DestinationName =>
  (DESTINATION_NAMES as readonly string[]).includes(name);

/** What LMS_MODE may be, as a reader would list it: `webhook, xapi or webhook,xapi`. */
export function modeChoices(names: readonly string[] = DESTINATION_NAMES): string {
  if (names.length < 2) return names.join('');
  if (names.length === 2) return `${names.join(', ')} or ${names.join(',')}`;
  return `one or more of ${names.join(', ')}, comma-separated`;
}

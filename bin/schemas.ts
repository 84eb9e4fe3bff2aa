// Writes the published schemas (shared/schemas/) from the code's own: the LMS webhook's and the HR event's JSON Schemas, and the HR API's OpenAPI description. `npm run schemas`.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lmsWebhookJsonSchema } from '#shared/core/lms-payload.ts';
import { starterEventJsonSchema } from '#shared/core/starter-event.ts';
import { hrApiDescription } from '#shared/edge/openapi.ts';
import { bundledPolicies } from '#templates/policies.ts';

const schemas = new URL('../shared/schemas/', import.meta.url);
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const version = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
const policies = new Set(bundledPolicies.keys());

/** Each published file and its text, as the code defines it now. */
export const PUBLISHED: ReadonlyArray<{ file: URL; text: () => string }> = [
  { file: new URL('policy-acknowledged.schema.json', schemas), text: () => json(lmsWebhookJsonSchema()) },
  { file: new URL('starter-event.schema.json', schemas), text: () => json(starterEventJsonSchema(policies)) },
  { file: new URL('hr-api.openapi.json', schemas), text: () => json(hrApiDescription(policies, version)) },
];

export const SCHEMA_FILE = PUBLISHED[0]?.file as URL;

export function schemaText(): string {
  return PUBLISHED[0]?.text() ?? '';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const { file, text } of PUBLISHED) {
    writeFileSync(file, text());
    console.log(`wrote ${file.pathname}`);
  }
  // In Biome's JSON style, as `npm run check` wants them: unchanged files stay byte for byte the same.
  const biome = fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url));
  const files = PUBLISHED.map(({ file }) => fileURLToPath(file));
  const formatted = spawnSync(biome, ['format', '--write', ...files], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (formatted.status !== 0) process.exitCode = formatted.status ?? 1;
}

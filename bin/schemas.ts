// Writes the published JSON Schemas (shared/schemas/) from the code's own schemas: `npm run schemas`.
import { writeFileSync } from 'node:fs';
import { lmsWebhookJsonSchema } from '#shared/core/lms-payload.ts';

export const SCHEMA_FILE = new URL('../shared/schemas/policy-acknowledged.schema.json', import.meta.url);

export function schemaText(): string {
  return `${JSON.stringify(lmsWebhookJsonSchema(), null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(SCHEMA_FILE, schemaText());
  console.log(`wrote ${SCHEMA_FILE.pathname}`);
}

// The HR API's OpenAPI description: published as the code builds it, its request the event's JSON Schema, every answer the edge gives described.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { starterEventJsonSchema } from '#shared/core/starter-event.ts';
import { hrApiDescription } from '#shared/edge/openapi.ts';
import { bundledPolicies } from '#templates/policies.ts';
import { PUBLISHED } from '../../../../bin/schemas.ts';

const POLICIES = new Set(bundledPolicies.keys());
const FILE = PUBLISHED.find((p) => p.file.pathname.endsWith('hr-api.openapi.json'));
const VERSION = (
  JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

type Doc = {
  openapi: string;
  paths: Record<
    string,
    {
      post: { responses: Record<string, unknown>; requestBody: unknown; parameters: Array<{ name: string }> };
    }
  >;
  components: { schemas: Record<string, unknown> };
};

describe('hrApiDescription', () => {
  it('is published exactly as the code builds it (regenerate with `npm run schemas`)', () => {
    // Assess
    expect(JSON.parse(readFileSync(FILE?.file as URL, 'utf8'))).toEqual(hrApiDescription(POLICIES, VERSION));
  });

  it('takes the starter event’s JSON Schema as its request, signed with the Standard Webhooks headers', () => {
    // Act
    const doc = hrApiDescription(POLICIES, VERSION) as Doc;
    const post = doc.paths['/v1/starters']?.post;

    // Assess
    expect(doc.openapi).toBe('3.1.0');
    const { $schema: _s, $id: _i, ...event } = starterEventJsonSchema(POLICIES);
    expect(doc.components.schemas.StarterEvent).toEqual(event);
    expect(post?.requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/StarterEvent' } } },
    });
    expect(post?.parameters.map((p) => p.name)).toEqual([
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
    ]);
  });

  it('describes every answer the edge gives, and every reference resolves', () => {
    // Act
    const doc = hrApiDescription(POLICIES, VERSION) as Doc;
    const text = JSON.stringify(doc);

    // Assess
    expect(Object.keys(doc.paths['/v1/starters']?.post.responses ?? {})).toEqual([
      '202',
      '400',
      '401',
      '405',
      '413',
      '415',
      '500',
    ]);
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/(\w+)"/g)) {
      expect(doc.components.schemas).toHaveProperty(name as string);
    }
  });
});

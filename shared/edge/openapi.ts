// The HR API as OpenAPI 3.1, built from the code's own schemas: the request is the starter event's JSON Schema, the answers the ingest result and RFC 9457 problem documents.
import { ASSIGNMENT_STATUSES } from '../core/model.ts';
import { starterEventJsonSchema } from '../core/starter-event.ts';

const problemJson = (schema: string, description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: `#/components/schemas/${schema}` } } },
});

/** Standard Webhooks' three headers: the HR system signs every request with HR_WEBHOOK_SECRET. */
const SIGNATURE_HEADERS = [
  ['webhook-id', 'The message id; the same on every retry of one message.'],
  ['webhook-timestamp', 'Seconds since the epoch; more than 5 minutes from the server’s time is refused.'],
  [
    'webhook-signature',
    'v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">, space-separated when several.',
  ],
].map(([name, description]) => ({
  name,
  in: 'header',
  required: true,
  description,
  schema: { type: 'string' },
}));

export function hrApiDescription(
  knownPolicies: ReadonlySet<string>,
  version: string,
): Record<string, unknown> {
  const { $schema: _schema, $id: _id, ...starterEvent } = starterEventJsonSchema(knownPolicies);
  return {
    openapi: '3.1.0',
    info: {
      title: 'attest HR API',
      version,
      description:
        'Starts, changes and cancels onboarding for a new member of staff. Each request is signed per Standard Webhooks (https://www.standardwebhooks.com).',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths: {
      '/v1/starters': {
        post: {
          operationId: 'postStarterEvent',
          summary: 'A starter created, updated or cancelled in the HR system',
          description:
            'The same event id again answers the same body and changes nothing. Unknown fields are ignored.',
          parameters: SIGNATURE_HEADERS,
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/StarterEvent' } } },
          },
          responses: {
            '202': {
              description: 'Taken: the starter and their assignments, as stored.',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/IngestResult' } } },
            },
            '400': problemJson('ValidationProblem', 'A field is invalid; nothing is stored.'),
            '401': problemJson('Problem', 'The signature is missing, invalid or too old.'),
            '405': problemJson('Problem', 'Only POST is allowed (the Allow header says so).'),
            '413': problemJson('Problem', 'The body is over 64 KiB.'),
            '415': problemJson('Problem', 'The body is not sent as application/json.'),
            '500': problemJson('Problem', 'Something went wrong; retry later (the event is idempotent).'),
          },
        },
      },
    },
    components: {
      schemas: {
        StarterEvent: starterEvent,
        IngestResult: {
          type: 'object',
          required: ['starterId', 'assignments'],
          properties: {
            starterId: { type: 'string' },
            assignments: {
              type: 'array',
              items: {
                type: 'object',
                required: ['id', 'policyId', 'policyVersion', 'status'],
                properties: {
                  id: { type: 'string' },
                  policyId: { type: 'string' },
                  policyVersion: { type: 'integer', minimum: 1 },
                  status: { type: 'string', enum: [...ASSIGNMENT_STATUSES] },
                },
              },
            },
          },
        },
        Problem: {
          description: 'An RFC 9457 problem document.',
          type: 'object',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string', description: 'urn:attest:problem:{code}, or about:blank for a 500.' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
          },
        },
        ValidationProblem: {
          allOf: [
            { $ref: '#/components/schemas/Problem' },
            {
              type: 'object',
              required: ['errors'],
              properties: {
                errors: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['field', 'pointer', 'detail'],
                    properties: {
                      field: { type: 'string', description: 'The field, dotted: data.email.' },
                      pointer: {
                        type: 'string',
                        description: 'The field as an RFC 6901 pointer: /data/email.',
                      },
                      detail: { type: 'string' },
                    },
                  },
                },
              },
            },
          ],
        },
      },
    },
  };
}

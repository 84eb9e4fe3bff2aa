// The demo LRS inside the demo LMS receiver: the Statement Resource of xAPI 1.0.3, enough to take attest's statements as a real LRS would.
import { timingSafeEqual } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import * as z from '#shared/core/zod.ts';

/** An IRI: a scheme and something after it (xAPI asks for IRIs; it does not ask LRSs to resolve them). */
const iri = z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/, 'must be an IRI'));
/** A language map: RFC 5646 tags to strings. */
const languageMap = z.record(
  z.string().check(z.regex(/^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/, 'a language tag')),
  z.string(),
);
const uuid = z
  .string()
  .check(z.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i, 'a UUID'));

const agent = z
  .strictObject({
    objectType: z.optional(z.literal('Agent')),
    name: z.optional(z.string()),
    mbox: z.optional(z.string().check(z.regex(/^mailto:[^@\s]+@[^@\s]+$/, 'a mailto: IRI'))),
    mbox_sha1sum: z.optional(z.string().check(z.regex(/^[0-9a-f]{40}$/))),
    openid: z.optional(iri),
    account: z.optional(z.strictObject({ homePage: z.url(), name: z.string().check(z.minLength(1)) })),
  })
  .check(
    // Data 2.4.2.1: exactly one inverse functional identifier.
    z.refine((a) => ['mbox', 'mbox_sha1sum', 'openid', 'account'].filter((k) => k in a).length === 1, {
      message: 'an Agent must have exactly one of mbox, mbox_sha1sum, openid, account',
    }),
  );

/**
 * The statement rules of xAPI 1.0.3 (Data 2.2–2.4) that apply to a statement with an Agent actor
 * and an Activity object — what attest sends. Properties the LRS sets (stored, authority) and
 * unknown ones are refused, as an LRS must.
 */
export const xapiStatementSchema = z.strictObject({
  id: z.optional(uuid),
  actor: agent,
  verb: z.strictObject({ id: iri, display: z.optional(languageMap) }),
  object: z.strictObject({
    objectType: z.optional(z.literal('Activity')),
    id: iri,
    definition: z.optional(
      z.strictObject({
        name: z.optional(languageMap),
        description: z.optional(languageMap),
        type: z.optional(iri),
        moreInfo: z.optional(iri),
        extensions: z.optional(z.record(iri, z.unknown())),
      }),
    ),
  }),
  result: z.optional(
    z.strictObject({
      completion: z.optional(z.boolean()),
      success: z.optional(z.boolean()),
      response: z.optional(z.string()),
      duration: z.optional(z.string()),
      extensions: z.optional(z.record(iri, z.unknown())),
    }),
  ),
  context: z.optional(
    z.strictObject({
      registration: z.optional(uuid),
      platform: z.optional(z.string()),
      language: z.optional(z.string().check(z.regex(/^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/))),
      extensions: z.optional(z.record(iri, z.unknown())),
    }),
  ),
  timestamp: z.optional(z.iso.datetime({ offset: true })),
  version: z.optional(z.string().check(z.regex(/^1\.0\.\d+$/))),
});

export type XapiStatement = z.infer<typeof xapiStatementSchema>;

export interface StoredStatement {
  statement: XapiStatement & { id: string; stored: string; version: string };
  /** PUTs of this statement id, the first included. */
  attempts: number;
}

export interface LrsAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/** The demo LRS's store and rules; the receiver's HTTP server hands it requests under /xapi/. */
export function createLrs(credentials: { username: string; password: string }) {
  const statements = new Map<string, StoredStatement>();
  const expected = Buffer.from(
    `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`,
  );
  const text = (status: number, message: string): LrsAnswer => ({
    status,
    body: message,
    headers: { 'content-type': 'text/plain', 'x-experience-api-version': '1.0.3' },
  });

  function authorised(header: string | undefined): boolean {
    const given = Buffer.from(header ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Handles one request to `/xapi/{path}`; `version` is the X-Experience-API-Version header. */
  function handle(request: {
    method: string;
    path: string;
    query: URLSearchParams;
    authorization: string | undefined;
    version: string | undefined;
    body: string;
  }): LrsAnswer {
    if (request.method === 'GET' && request.path === 'about') {
      return { status: 200, body: JSON.stringify({ version: ['1.0.3'] }), headers: json };
    }
    if (!authorised(request.authorization)) {
      return {
        ...text(401, 'Basic authentication with the LRS credentials is required'),
        headers: challenge,
      };
    }
    if (!/^1\.0(\.\d+)?$/.test(request.version ?? '')) {
      return text(400, 'X-Experience-API-Version: 1.0.3 is required');
    }
    if (request.path !== 'statements') return text(404, 'not found');
    const id = request.query.get('statementId');
    if (request.method === 'GET') {
      const found = id ? statements.get(id.toLowerCase()) : undefined;
      if (!found) return text(404, 'no such statement');
      return { status: 200, body: JSON.stringify(found.statement), headers: json };
    }
    if (request.method !== 'PUT') return text(405, 'this demo LRS takes statements by PUT only');
    if (!id || !uuid.safeParse(id).success) return text(400, 'statementId must be a UUID');
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.body);
    } catch {
      return text(400, 'the body is not JSON');
    }
    const checked = xapiStatementSchema.safeParse(parsed);
    if (!checked.success) {
      const problems = checked.error.issues.map((i) => `${i.path.join('.') || 'statement'}: ${i.message}`);
      return text(400, `not a valid xAPI 1.0.3 statement: ${problems.join('; ')}`);
    }
    const statement = checked.data;
    if (statement.id !== undefined && statement.id.toLowerCase() !== id.toLowerCase()) {
      return text(400, 'the statement id differs from statementId');
    }
    const key = id.toLowerCase();
    const seen = statements.get(key);
    if (seen) {
      seen.attempts++;
      // Communication 2.1.1: the same statement again is fine; another under the same id is a
      // conflict. Displays and activity definitions are not part of the comparison (Data 2.3.1).
      const { stored: _s, version: _v, ...kept } = seen.statement;
      const { version: _given, ...incoming } = statement;
      return isDeepStrictEqual(comparable(kept), comparable({ ...incoming, id: seen.statement.id }))
        ? { status: 204, headers: version }
        : text(409, 'a different statement has this id');
    }
    statements.set(key, {
      statement: {
        ...statement,
        id,
        stored: new Date().toISOString(),
        version: statement.version ?? '1.0.3',
      },
      attempts: 1,
    });
    return { status: 204, headers: version };
  }

  return { handle, statements: () => [...statements.values()] };
}

export type Lrs = ReturnType<typeof createLrs>;

/** A statement without what two equal statements may differ in: the verb's display, the activity's definition. */
function comparable(statement: XapiStatement): unknown {
  const { verb, object, ...rest } = statement;
  return { ...rest, verb: { id: verb.id }, object: { ...object, definition: undefined } };
}

const version = { 'x-experience-api-version': '1.0.3' };
const json = { 'content-type': 'application/json', ...version };
const challenge = { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="demo LRS"', ...version };

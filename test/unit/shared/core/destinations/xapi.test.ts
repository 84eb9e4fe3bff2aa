// The xAPI destination: a statement id derived from the evidence, a `completed` statement valid under xAPI 1.0.3, and the PUT that carries it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { statementIdFor } from '#shared/core/destinations/delivery-ids.ts';
import {
  activityIdFor,
  COMPLETED,
  completionStatement,
  EVIDENCE_EXTENSION,
  METHOD_EXTENSION,
  makeXapiChannel,
  SHA256_EXTENSION,
  XAPI_VERSION,
  type XapiSettings,
} from '#shared/core/destinations/xapi.ts';
import * as z from '#shared/core/zod.ts';
import { xapiStatementSchema } from '../../../../../local/lrs.ts';
import {
  anAssignment,
  anEvidence,
  anOnBehalfEvidence,
  aPolicy,
  aStarter,
  XAPI_SETTINGS,
} from '../../../../support/fakes.ts';

const policy = aPolicy();
const starter = aStarter();
const evidence = anEvidence(policy);
const SETTINGS = XAPI_SETTINGS;
const AT = new Date('2026-11-24T10:00:00.000Z');

/** A UUID of version 5 (name-based, SHA-1) and the RFC 4122 variant (10xx in the clock sequence's top bits). */
const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// xAPI 1.0.3's rules (Data 2.4), as the demo LRS enforces them, and what attest promises beyond
// the minimum: its own id, a timestamp, a displayed verb and an explicit Agent.
const IFIS = ['mbox', 'mbox_sha1sum', 'openid', 'account'] as const;
const iri = z.string().check(z.regex(/^[a-z][a-z0-9+.-]*:\S+$/i, 'an absolute IRI'));
const statementSchema = z.intersection(
  xapiStatementSchema,
  z.object({
    id: z.uuid(),
    timestamp: z.string(),
    verb: z.object({ display: z.record(z.string(), z.string()) }),
    actor: z.object({ objectType: z.literal('Agent') }),
  }),
);

const statementOf = (overrides: Partial<XapiSettings> = {}, id = statementIdFor(evidence.evidenceId)) =>
  completionStatement({ ...SETTINGS, ...overrides }, id, starter, evidence);

/** An acknowledged assignment owing its xAPI delivery. */
function owing(statementId = statementIdFor(evidence.evidenceId)) {
  return anAssignment(starter, policy, {
    status: 'acknowledged',
    ack: evidence,
    xapi: { state: 'pending', attempts: 0, statementId },
  });
}

describe('statementIdFor', () => {
  it('is a UUID v5 of the RFC 4122 variant', () => {
    fc.assert(
      fc.property(fc.string(), (evidenceId) => {
        // Act and assess
        expect(statementIdFor(evidenceId)).toMatch(UUID_V5);
      }),
    );
  });

  it('is the same for the same evidence id, every time', () => {
    fc.assert(
      fc.property(fc.string(), (evidenceId) => {
        // Act and assess
        expect(statementIdFor(evidenceId)).toBe(statementIdFor(`${evidenceId}`));
      }),
    );
  });

  it('differs for different evidence ids', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        fc.pre(a !== b);

        // Act and assess
        expect(statementIdFor(a)).not.toBe(statementIdFor(b));
      }),
    );
  });

  it('keeps its namespace: an evidence id maps to the statement id it always has', () => {
    // Computed independently (SHA-1 over the namespace and the name, per RFC 4122 section 4.3):
    // a change of namespace would give every acknowledgement a second statement in the LRS.
    expect(statementIdFor('ev_1')).toBe('794aef84-b15b-5abc-ad86-ffc4af621a86');
  });
});

describe('completionStatement', () => {
  it('is a valid xAPI 1.0.3 statement for either kind of actor', () => {
    for (const actor of ['account', 'mbox'] as const) {
      // Act
      const result = statementSchema.safeParse(statementOf({ actor }));

      // Assess
      expect(result.error?.issues).toBeUndefined();
      expect(result.success).toBe(true);
    }
  });

  it('is valid for any starter and evidence', () => {
    fc.assert(
      fc.property(
        fc.record({
          employeeId: fc.string({ minLength: 1 }),
          givenName: fc.string(),
          familyName: fc.string(),
          email: fc.emailAddress(),
        }),
        fc.record({
          evidenceId: fc.string(),
          policyId: fc.string({ minLength: 1 }),
          policyVersion: fc.integer({ min: 1, max: 10_000 }),
          policyTitle: fc.string(),
          statement: fc.string(),
          policySha256: fc.stringMatching(/^[0-9a-f]{64}$/),
          acknowledgedAt: fc
            .date({ min: new Date('2000-01-01Z'), max: new Date('2100-01-01Z'), noInvalidDate: true })
            .map((d) => d.toISOString()),
        }),
        fc.constantFrom('account' as const, 'mbox' as const),
        (who, what, actor) => {
          // Prepare
          const ev = anEvidence(policy, what);

          // Act
          const statement = completionStatement(
            { ...SETTINGS, actor },
            statementIdFor(ev.evidenceId),
            aStarter(who),
            ev,
          );

          // Assess
          expect(statementSchema.safeParse(statement).error?.issues).toBeUndefined();
        },
      ),
    );
  });

  it('identifies the actor by the HR account alone by default', () => {
    // Act
    const { actor } = statementOf();

    // Assess
    expect(actor).toStrictEqual({
      objectType: 'Agent',
      name: 'Ada Lovelace',
      account: { homePage: 'https://hr.example.org', name: 'E1001' },
    });
  });

  it('identifies the actor by the mailbox alone when asked to', () => {
    // Act
    const { actor } = statementOf({ actor: 'mbox' });

    // Assess
    expect(actor).toStrictEqual({
      objectType: 'Agent',
      name: 'Ada Lovelace',
      mbox: 'mailto:ada@example.org',
    });
  });

  it('lower-cases the mailbox’s domain, which is case-blind, but never its local part, which may not be', () => {
    // Prepare
    const mboxOf = (email: string) =>
      (
        completionStatement(
          { ...SETTINGS, actor: 'mbox' },
          statementIdFor(evidence.evidenceId),
          aStarter({ email }),
          evidence,
        ).actor as { mbox: string }
      ).mbox;

    // Assess
    expect(mboxOf('Ada.Lovelace@Example.ORG')).toBe('mailto:Ada.Lovelace@example.org');
    fc.assert(
      fc.property(fc.emailAddress(), fc.boolean(), (address, upper) => {
        const at = address.lastIndexOf('@');
        const [local, domain] = [address.slice(0, at), address.slice(at + 1)];
        const written = `${local}@${upper ? domain.toUpperCase() : domain}`;

        expect(mboxOf(written)).toBe(`mailto:${local}@${domain.toLowerCase()}`);
      }),
    );
  });

  it('never gives the actor two inverse functional identifiers', () => {
    for (const choice of ['account', 'mbox'] as const) {
      // Act
      const actor = statementOf({ actor: choice }).actor as Record<string, unknown>;

      // Assess
      expect(IFIS.filter((k) => k in actor)).toEqual([choice]);
    }
  });

  it('says the policy version was completed, with the verb’s display in a language map', () => {
    // Act
    const { verb, result } = statementOf();

    // Assess
    expect(verb).toStrictEqual({
      id: 'http://adlnet.gov/expapi/verbs/completed',
      display: { 'en-US': 'completed', 'en-GB': 'completed' },
    });
    expect(COMPLETED).toBe('http://adlnet.gov/expapi/verbs/completed');
    expect(result).toStrictEqual({ completion: true });
  });

  it('makes the object the activity of this policy version, named in the policy’s language', () => {
    // Act
    const { object } = statementOf();

    // Assess
    expect(object).toStrictEqual({
      objectType: 'Activity',
      id: 'https://policies.example.org/activities/safe-internet-use/versions/3',
      definition: {
        name: { 'en-GB': 'Safe internet use (version 3)' },
        description: { 'en-GB': 'I have read and will follow the Safe internet use policy.' },
      },
    });
  });

  it('escapes a policy id in the activity id', () => {
    // Act and assess
    expect(activityIdFor('https://p.example.org/', 'hr/leave policy?', 2)).toBe(
      'https://p.example.org/hr%2Fleave%20policy%3F/versions/2',
    );
  });

  it('dates the statement when the policy was agreed to, and carries the evidence id and text hash', () => {
    // Act
    const statement = statementOf();

    // Assess
    expect(statement.id).toBe(statementIdFor('ev_1'));
    expect(statement.timestamp).toBe('2026-11-24T09:59:00.000Z');
    expect(statement.context).toStrictEqual({
      platform: 'attest',
      language: 'en-GB',
      extensions: {
        [EVIDENCE_EXTENSION]: 'ev_1',
        [SHA256_EXTENSION]: 'a'.repeat(64),
        [METHOD_EXTENSION]: 'link',
      },
    });
    for (const key of [EVIDENCE_EXTENSION, SHA256_EXTENSION, METHOD_EXTENSION]) {
      expect(iri.safeParse(key).success).toBe(true);
    }
  });

  it('says in its context an agreement recorded on the person’s behalf, and keeps the statement valid', () => {
    // Prepare
    const onBehalf = anOnBehalfEvidence(policy);

    // Act
    const statement = completionStatement(SETTINGS, statementIdFor(onBehalf.evidenceId), starter, onBehalf);

    // Assess
    expect((statement.context as { extensions: Record<string, unknown> }).extensions).toStrictEqual({
      [EVIDENCE_EXTENSION]: 'ev_2',
      [SHA256_EXTENSION]: 'a'.repeat(64),
      [METHOD_EXTENSION]: 'on-behalf',
    });
    expect(xapiStatementSchema.safeParse(statement).error?.issues).toBeUndefined();
    expect(JSON.stringify(statement)).not.toMatch(/paper form|Grace Hopper/);
  });
});

describe('the statement schema of this test', () => {
  type Parts = Record<'actor' | 'verb' | 'object' | 'context', Record<string, unknown>> &
    Record<string, unknown>;
  const valid = () => structuredClone(statementOf()) as Parts;

  it.each<[string, (s: Parts) => void]>([
    ['an actor with two identifiers', (s) => Object.assign(s.actor, { mbox: 'mailto:ada@example.org' })],
    ['an actor with none', (s) => delete s.actor.account],
    [
      'an mbox that is not a mailto IRI',
      (s) => Object.assign(s.actor, { account: undefined, mbox: 'ada@x.org' }),
    ],
    ['an id that is no UUID', (s) => Object.assign(s, { id: 'ev_1' })],
    ['a verb id that is no IRI', (s) => Object.assign(s.verb, { id: 'completed' })],
    ['an object id that is no IRI', (s) => Object.assign(s.object, { id: 'safe-internet-use' })],
    ['a timestamp that is not ISO 8601', (s) => Object.assign(s, { timestamp: '24/11/2026 09:59' })],
    ['a language map keyed by no language tag', (s) => Object.assign(s.verb, { display: { en_GB: 'x' } })],
    [
      'an extension keyed by no IRI',
      (s) => Object.assign(s.context, { extensions: { 'evidence id': 'ev_1' } }),
    ],
  ])('rejects %s, so the checks above can fail', (_, spoil) => {
    // Prepare
    const statement = valid();
    spoil(statement);

    // Act and assess
    expect(statementSchema.safeParse(statement).success).toBe(false);
  });
});

describe('makeXapiChannel', () => {
  it('PUTs the statement to the LRS under its id, with Basic auth and the xAPI version', () => {
    // Prepare
    const channel = makeXapiChannel(SETTINGS);
    const assignment = owing();

    // Act
    const request = channel.request(assignment, starter, evidence, AT);

    // Assess
    const id = statementIdFor('ev_1');
    expect(request.method).toBe('PUT');
    expect(request.url).toBe(`https://lrs.example.org/xapi/statements?statementId=${id}`);
    expect(request.headers).toStrictEqual({
      'content-type': 'application/json',
      authorization: `Basic ${btoa('attest-key:attest-secret')}`,
      'x-experience-api-version': '1.0.3',
    });
    expect(XAPI_VERSION).toBe('1.0.3');
    const body = JSON.parse(request.body);
    expect(body).toStrictEqual(statementOf());
    expect(statementSchema.safeParse(body).success).toBe(true);
    // The id in the URL is the statement's own: an LRS refuses a PUT whose ids differ.
    expect(new URL(request.url).searchParams.get('statementId')).toBe(body.id);
    expect(channel.idOf(assignment)).toBe(id);
  });

  it('encodes the statement id in the query string', () => {
    // Prepare
    const channel = makeXapiChannel(SETTINGS);

    // Act
    const { url } = channel.request(owing('a b&c=d'), starter, evidence, AT);

    // Assess
    expect(url).toBe('https://lrs.example.org/xapi/statements?statementId=a%20b%26c%3Dd');
    expect(new URL(url).searchParams.get('statementId')).toBe('a b&c=d');
  });

  it('encodes the credentials as Basic auth does: base64 of user:password, in UTF-8', () => {
    // Prepare
    const channel = makeXapiChannel({ ...SETTINGS, username: 'key:1', password: 'pässwörd' });

    // Act
    const { headers } = channel.request(owing(), starter, evidence, AT);

    // Assess
    const [scheme, credentials] = (headers.authorization as string).split(' ');
    expect(scheme).toBe('Basic');
    expect(Buffer.from(credentials as string, 'base64').toString('utf8')).toBe('key:1:pässwörd');
  });

  it('sends the same statement on every attempt, whenever it is made', () => {
    // Prepare
    const channel = makeXapiChannel(SETTINGS);
    const assignment = owing();

    // Act
    const first = channel.request(assignment, starter, evidence, AT);
    const later = channel.request(assignment, starter, evidence, new Date('2026-11-27T08:00:00.000Z'));

    // Assess
    expect(later).toStrictEqual(first);
  });

  it('takes a 409 Conflict as the LRS having the statement already, and nothing else', () => {
    // Prepare
    const channel = makeXapiChannel(SETTINGS);

    // Act and assess
    expect(channel.alreadyStored?.(409)).toBe(true);
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }).filter((s) => s !== 409),
        (status) => {
          expect(channel.alreadyStored?.(status)).toBe(false);
        },
      ),
    );
  });
});

// xAPI 1.0.3: an acknowledgement as a `completed` statement, PUT to the organisation's LRS under an id derived from the evidence.
import { v4 as uuidv4 } from 'uuid';
import type { HttpRequest } from '../../ports.ts';
import { DEFAULT_LANGUAGE, evidenceLanguage } from '../language.ts';
import { type Assignment, type Evidence, methodOf, type Starter } from '../model.ts';
import { secureUrl } from '../validation.ts';
import * as z from '../zod.ts';
import { deliveryIds } from './delivery-ids.ts';
import { answeredByStatus, defineDestination, type RequestChannel, type TestSubject } from './destination.ts';

/** The xAPI version spoken (the `X-Experience-API-Version` header). */
export const XAPI_VERSION = '1.0.3';
/** ADL's verb for "finished the activity": here, read the policy version and agreed to it. */
export const COMPLETED = 'http://adlnet.gov/expapi/verbs/completed';
/** Context extensions: which evidence record the statement reports, the text's hash, and how it was agreed. */
export const EVIDENCE_EXTENSION = 'urn:attest:xapi:evidence-id';
export const SHA256_EXTENSION = 'urn:attest:xapi:policy-sha256';
export const METHOD_EXTENSION = 'urn:attest:xapi:method';
/** The sign-by date the person had (the policy's `due:`), when they had one. */
export const DUE_EXTENSION = 'urn:attest:xapi:due-at';
/** The policy's own language: the texts attest carries are written in British English. */
const POLICY_LANGUAGE = 'en-GB';

/** The RFC 5646 tag of the language the text was shown in: British English, or the translation's language (`cy`). */
const languageTag = (evidence: Evidence) => {
  const language = evidenceLanguage(evidence);
  return language === DEFAULT_LANGUAGE ? POLICY_LANGUAGE : language;
};

export interface XapiSettings {
  /** The LRS's xAPI base, ending in `/`: statements go to `{endpoint}statements`. */
  endpoint: string;
  username: string;
  password: string;
  /** The HR system's home page: the actor is the account (this, the employee id). */
  accountHomePage: string;
  /** `account` (the default) identifies the actor by HR account; `mbox` by email address instead. */
  actor: 'account' | 'mbox';
  /** Activity ids are `{activityBase}{policy id}/versions/{n}`. */
  activityBase: string;
}

/** The activity that is one version of a policy. */
export function activityIdFor(activityBase: string, policyId: string, version: number): string {
  return `${activityBase}${encodeURIComponent(policyId)}/versions/${version}`;
}

/**
 * An address as an mbox: the domain lower-cased (domains are case-blind, so one person is one
 * mbox however HR typed it), the local part as given (RFC 5321 lets it be case-sensitive).
 */
function mailboxAddress(email: string): string {
  const at = email.lastIndexOf('@');
  return `${email.slice(0, at)}@${email.slice(at + 1).toLowerCase()}`;
}

/**
 * The statement for an acknowledgement. An Agent carries exactly one inverse functional
 * identifier (xAPI 1.0.3, Data 2.4.2.1), so it is the HR account or, where wanted, the mailbox —
 * never both. Everything in it is fixed at acknowledgement except the names and address, so a
 * retry re-sends the same statement; an LRS that already has it answers 204 or 409.
 */
export function completionStatement(
  settings: Pick<XapiSettings, 'accountHomePage' | 'actor' | 'activityBase'>,
  statementId: string,
  starter: Starter,
  evidence: Evidence,
  /** The request's sign-by date (`Assignment.signBy`), when it had one. */
  dueAt?: string,
): Record<string, unknown> {
  // The title and statement are the evidence's: in the language shown, tagged as such.
  const language = languageTag(evidence);
  return {
    id: statementId,
    actor: actorOf(settings, starter),
    verb: { id: COMPLETED, display: { 'en-US': 'completed', 'en-GB': 'completed' } },
    object: {
      objectType: 'Activity',
      id: activityIdFor(settings.activityBase, evidence.policyId, evidence.policyVersion),
      definition: {
        name: { [language]: `${evidence.policyTitle} (version ${evidence.policyVersion})` },
        description: { [language]: evidence.statement },
      },
    },
    result: { completion: true },
    context: {
      platform: 'attest',
      // The language the policy was read in (Data 2.4.6), not the person's locale.
      language,
      extensions: {
        [EVIDENCE_EXTENSION]: evidence.evidenceId,
        [SHA256_EXTENSION]: evidence.policySha256,
        [METHOD_EXTENSION]: methodOf(evidence),
        ...(dueAt && { [DUE_EXTENSION]: dueAt }),
      },
    },
    timestamp: evidence.acknowledgedAt,
  };
}

/** ADL's verb for "encountered": what a test statement says, since it completes nothing. */
export const EXPERIENCED = 'http://adlnet.gov/expapi/verbs/experienced';
/** The test activity's id below XAPI_ACTIVITY_BASE: never a policy's (those end in /versions/{n}). */
export const TEST_ACTIVITY = 'attest-test';

/** The actor of a statement about this person: the HR account, or the mailbox (one identifier, never both). */
function actorOf(
  settings: Pick<XapiSettings, 'accountHomePage' | 'actor'>,
  person: Pick<Starter, 'employeeId' | 'email' | 'givenName' | 'familyName'>,
) {
  const identifier =
    settings.actor === 'mbox'
      ? { mbox: `mailto:${mailboxAddress(person.email)}` }
      : { account: { homePage: settings.accountHomePage, name: person.employeeId } };
  return { objectType: 'Agent', name: `${person.givenName} ${person.familyName}`, ...identifier };
}

/**
 * `attest lms test`'s statement: the person `experienced` the test activity `{base}attest-test`,
 * so the LRS records no completion of any policy. Its id is fresh each time (an LRS refuses a
 * reused id with other content).
 */
export function testStatement(
  settings: Pick<XapiSettings, 'accountHomePage' | 'actor' | 'activityBase'>,
  statementId: string,
  subject: TestSubject,
  at: Date,
): Record<string, unknown> {
  return {
    id: statementId,
    actor: actorOf(settings, subject),
    verb: { id: EXPERIENCED, display: { 'en-US': 'experienced', 'en-GB': 'experienced' } },
    object: {
      objectType: 'Activity',
      id: `${settings.activityBase}${TEST_ACTIVITY}`,
      definition: {
        name: { [POLICY_LANGUAGE]: 'attest test (not a policy)' },
        description: {
          [POLICY_LANGUAGE]: 'Sent by attest lms test to check the LRS settings; records nothing.',
        },
      },
    },
    context: { platform: 'attest', language: POLICY_LANGUAGE },
    timestamp: at.toISOString(),
  };
}

/** The xAPI destination: `PUT {endpoint}statements?statementId=…` with Basic auth. */
export function makeXapiChannel(settings: XapiSettings): RequestChannel {
  const authorization = `Basic ${Buffer.from(`${settings.username}:${settings.password}`).toString('base64')}`;
  const idOf = (assignment: Assignment) => assignment.xapi?.statementId as string;
  const put = (id: string, statement: Record<string, unknown>): HttpRequest => ({
    method: 'PUT',
    url: `${settings.endpoint}statements?statementId=${encodeURIComponent(id)}`,
    headers: {
      'content-type': 'application/json',
      authorization,
      'x-experience-api-version': XAPI_VERSION,
    },
    body: JSON.stringify(statement),
  });
  return {
    idOf,
    request(assignment, starter, evidence) {
      const id = idOf(assignment);
      return put(id, completionStatement(settings, id, starter, evidence, assignment.signBy));
    },
    async test(subject, call, at) {
      const id = uuidv4();
      const response = await call(put(id, testStatement(settings, id, subject, at)));
      return answeredByStatus(response, `the LRS stored the test statement ${id} (2xx)`);
    },
    // The LRS has a statement with this id already (xAPI 1.0.3, Communication 2.1.1): ids are
    // never reused, so it is this acknowledgement's, stored by an earlier attempt.
    alreadyStored: (status) => status === 409,
  };
}

export const xapi = defineDestination({
  ...deliveryIds.xapi,
  settings: z.object({
    /** The LRS's xAPI endpoint (statements are PUT to `{LRS_ENDPOINT}statements`). */
    LRS_ENDPOINT: z.optional(
      z.pipe(
        secureUrl,
        z.transform((u: string) => (u.endsWith('/') ? u : `${u}/`)),
      ),
    ),
    // Basic auth cannot carry a colon in the user name (RFC 7617).
    LRS_USERNAME: z.optional(
      z.string().check(
        z.minLength(1),
        z.refine((u) => !u.includes(':'), { message: 'must not contain ":"' }),
      ),
    ),
    /** The home page of the HR system whose employee ids name the xAPI actors' accounts. */
    XAPI_ACCOUNT_HOMEPAGE: z.pipe(
      z.transform((v) => (v === '' ? undefined : v)),
      z.optional(z.url()),
    ),
    XAPI_ACTOR: z._default(z.enum(['account', 'mbox']), 'account'),
    // Activity ids are stored for ever: the base must be an absolute IRI ending where an id can follow.
    XAPI_ACTIVITY_BASE: z._default(
      z.string().check(
        z.regex(/^[A-Za-z][A-Za-z0-9+.-]*:\S*[/:#]$/, {
          message: 'must be an absolute IRI ending in "/", ":" or "#", e.g. urn:attest:policies/',
        }),
      ),
      'urn:attest:policies/',
    ),
  }),
  missing: (settings) => [
    ...(settings.LRS_ENDPOINT === undefined ? [{ setting: 'LRS_ENDPOINT' }] : []),
    ...(settings.LRS_USERNAME === undefined ? [{ setting: 'LRS_USERNAME' }] : []),
    ...(settings.XAPI_ACTOR === 'account' && settings.XAPI_ACCOUNT_HOMEPAGE === undefined
      ? [{ setting: 'XAPI_ACCOUNT_HOMEPAGE', when: 'with XAPI_ACTOR=account' }]
      : []),
  ],
  secrets: [
    {
      name: 'LRS_PASSWORD',
      id: 'LrsPassword',
      description: 'attest: the password of the LRS credentials (set it to the value the LRS issued)',
      rotation: 'Issued by the LRS: it rotates when the LRS issues new credentials, set by the operator.',
    },
  ],
  parameters: [
    {
      id: 'LrsEndpoint',
      setting: 'LRS_ENDPOINT',
      description: 'The LRS’s xAPI endpoint, e.g. https://lrs.example.org/xapi/ (https only)',
      allowedPattern: '^https://.+',
    },
    {
      id: 'LrsUsername',
      setting: 'LRS_USERNAME',
      description: 'The user name (key) of the LRS credentials; the password goes in the LrsPassword secret',
      minLength: 1,
    },
    {
      id: 'XapiAccountHomePage',
      setting: 'XAPI_ACCOUNT_HOMEPAGE',
      description:
        'The HR system’s home page: xAPI actors are accounts there, named by employee id (needed unless XapiActor is mbox)',
      default: '',
      allowedPattern: '^(https?://.+)?$',
    },
    {
      id: 'XapiActor',
      setting: 'XAPI_ACTOR',
      description: 'How xAPI actors are identified: account (HR home page + employee id) or mbox (email)',
      default: 'account',
      allowedValues: ['account', 'mbox'],
    },
    {
      id: 'XapiActivityBase',
      setting: 'XAPI_ACTIVITY_BASE',
      description:
        'xAPI activity ids are this, then {policy id}/versions/{n}: an absolute IRI ending in / : or #',
      default: 'urn:attest:policies/',
      allowedPattern: '^[A-Za-z][A-Za-z0-9+.-]*:\\S*[/:#]$',
    },
  ],
  channel: (settings, secrets) =>
    makeXapiChannel({
      endpoint: settings.LRS_ENDPOINT as string,
      username: settings.LRS_USERNAME as string,
      password: secrets.LRS_PASSWORD as string,
      accountHomePage: settings.XAPI_ACCOUNT_HOMEPAGE ?? '',
      actor: settings.XAPI_ACTOR,
      activityBase: settings.XAPI_ACTIVITY_BASE,
    }),
});

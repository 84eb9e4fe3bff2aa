// xAPI 1.0.3: an acknowledgement as a `completed` statement, PUT to the organisation's LRS under an id derived from the evidence.
import { v5 as uuidv5 } from 'uuid';
import type { Channel } from './deliver.ts';
import type { Assignment, Evidence, Starter } from './model.ts';

/** The xAPI version spoken (the `X-Experience-API-Version` header). */
export const XAPI_VERSION = '1.0.3';
/** ADL's verb for "finished the activity": here, read the policy version and agreed to it. */
export const COMPLETED = 'http://adlnet.gov/expapi/verbs/completed';
/** Context extensions: which evidence record the statement reports, and the text's hash. */
export const EVIDENCE_EXTENSION = 'urn:attest:xapi:evidence-id';
export const SHA256_EXTENSION = 'urn:attest:xapi:policy-sha256';
/** Fixed for ever: changing it would give every acknowledgement a second statement id. */
const STATEMENT_NAMESPACE = '3d3c52a4-6f0e-4f38-9a57-2b1f7d8e6c15';
/** The policy's language: the texts attest carries are written in British English. */
const POLICY_LANGUAGE = 'en-GB';

/** The statement's id: a UUID v5 of the evidence id, so every retry (and replay) PUTs the same statement. */
export function statementIdFor(evidenceId: string): string {
  return uuidv5(evidenceId, STATEMENT_NAMESPACE);
}

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
): Record<string, unknown> {
  const identifier =
    settings.actor === 'mbox'
      ? { mbox: `mailto:${mailboxAddress(starter.email)}` }
      : { account: { homePage: settings.accountHomePage, name: starter.employeeId } };
  return {
    id: statementId,
    actor: { objectType: 'Agent', name: `${starter.givenName} ${starter.familyName}`, ...identifier },
    verb: { id: COMPLETED, display: { 'en-US': 'completed', 'en-GB': 'completed' } },
    object: {
      objectType: 'Activity',
      id: activityIdFor(settings.activityBase, evidence.policyId, evidence.policyVersion),
      definition: {
        name: { [POLICY_LANGUAGE]: `${evidence.policyTitle} (version ${evidence.policyVersion})` },
        description: { [POLICY_LANGUAGE]: evidence.statement },
      },
    },
    result: { completion: true },
    context: {
      platform: 'attest',
      // The language the policy was read in (Data 2.4.6), not the person's locale.
      language: POLICY_LANGUAGE,
      extensions: { [EVIDENCE_EXTENSION]: evidence.evidenceId, [SHA256_EXTENSION]: evidence.policySha256 },
    },
    timestamp: evidence.acknowledgedAt,
  };
}

/** The xAPI destination: `PUT {endpoint}statements?statementId=…` with Basic auth. */
export function makeXapiChannel(settings: XapiSettings): Channel {
  const authorization = `Basic ${Buffer.from(`${settings.username}:${settings.password}`).toString('base64')}`;
  const idOf = (assignment: Assignment) => (assignment.xapi as { statementId: string }).statementId;
  return {
    idOf,
    request(assignment, starter, evidence) {
      const id = idOf(assignment);
      return {
        method: 'PUT',
        url: `${settings.endpoint}statements?statementId=${encodeURIComponent(id)}`,
        headers: {
          'content-type': 'application/json',
          authorization,
          'x-experience-api-version': XAPI_VERSION,
        },
        body: JSON.stringify(completionStatement(settings, id, starter, evidence)),
      };
    },
    // The LRS has a statement with this id already (xAPI 1.0.3, Communication 2.1.1): ids are
    // never reused, so it is this acknowledgement's, stored by an earlier attempt.
    alreadyStored: (status) => status === 409,
  };
}

// Use case: a subject access export — everything attest's table holds about one person, with the LMS payloads rebuilt and what is not held said plainly.
import type {
  Assignments,
  AuditEvent,
  Clock,
  MailWork,
  Policies,
  ScimUsers,
  SentAttempt,
  Starters,
} from '../../ports.ts';
import { statementIdFor } from '../destinations/delivery-ids.ts';
import type { MoodleUserField } from '../destinations/moodle.ts';
import {
  LOOKUP,
  lookupParameters,
  OVERRIDE,
  overrideParameters,
  USER_ID_FIELD,
} from '../destinations/moodle.ts';
import { completionPayload } from '../destinations/webhook.ts';
import { completionStatement, type XapiSettings } from '../destinations/xapi.ts';
import { NotFoundError } from '../errors.ts';
import {
  assignmentsOfStarter,
  type EvidenceReport,
  type EvidenceStore,
  makeEvidenceReport,
} from '../evidence.ts';
import { starterIdFor } from '../ids.ts';
import {
  type Assignment,
  DELIVERY_KINDS,
  type Delivery,
  type DeliveryKind,
  type Evidence,
  type ScimUser,
  type SendRecord,
  type Starter,
} from '../model.ts';

/** The export only reads: the starter, their assignments and evidence, and any SCIM user of theirs. */
export type SubjectAccessStore = EvidenceStore &
  Pick<MailWork, 'getSentAttempts'> &
  Pick<Starters, 'getStarter'> &
  Pick<Assignments, 'getAssignments'> &
  Pick<Policies, 'getLatestPolicyVersion'> &
  Pick<ScimUsers, 'findScimUsers'>;

/**
 * The destinations' settings a payload is built from (as lms-push has them); a destination absent
 * here has its payloads reported as not rebuilt, saying why.
 */
export interface PayloadSettings {
  xapi?: Pick<XapiSettings, 'accountHomePage' | 'actor' | 'activityBase'>;
  /** The user field Moodle is searched by, and each policy's activity (front matter and MOODLE_ACTIVITIES). */
  moodle?: { userField: MoodleUserField; activities: ReadonlyMap<string, number> };
}

export interface SubjectAccessDeps {
  store: SubjectAccessStore;
  clock: Clock;
  /** attest's version (package.json), so a reader knows which build's records these are. */
  version: string;
  payloads?: PayloadSettings;
}

/** A destination's payload for one delivery: as built again now, or why it could not be. */
export type RebuiltPayload =
  | { rebuilt: true; what: string; payload: unknown }
  | { rebuilt: false; why: string };

export interface DeliveryExport {
  destination: DeliveryKind;
  state: Delivery['state'];
  attempts: number;
  attemptLog: NonNullable<Delivery['attemptLog']>;
  attemptsDropped: number;
  deadLetter: Delivery['deadLetter'] | null;
  /** The delivery exactly as stored (its id, remembered fields, times). */
  record: Delivery;
  payload: RebuiltPayload;
}

export interface EmailExport {
  kind: SendRecord['kind'];
  /** Who it went to: the starter, or (digest, bounce or decline notice) their manager (a decline notice: and HR) about them. */
  to: 'starter' | 'manager';
  at: string;
  /** The subject it was sent with; null for an email sent before subjects were kept. */
  subject: string | null;
  messageId: string;
  attemptId: string | null;
}

export interface AssignmentExport {
  assignmentId: string;
  policy: EvidenceReport['policy'];
  status: Assignment['status'];
  /** The assignment exactly as stored: every field, the evidence, sends and deliveries among them. */
  record: Assignment;
  evidence: Evidence | null;
  /** Each time they said they do not agree: the same evidence as an agreement's, and their reason. */
  declines: EvidenceReport['declines'];
  integrity: EvidenceReport['integrity'];
  signedFrom: EvidenceReport['signedFrom'];
  emails: EmailExport[];
  /** SES's reports of the emails sent under this assignment: each attempt's message id and when SES said so. */
  sesReports: SentAttempt[];
  deliveries: DeliveryExport[];
  audit: AuditEvent[];
}

export interface SubjectAccessExport {
  about: {
    employeeId: string;
    starterId: string;
    exportedAt: string;
    attestVersion: string;
    /** What attest holds elsewhere or not at all, in plain words, for the person answering the request. */
    notIncluded: string[];
    /** How the LMS payloads below were obtained. */
    payloadsNote: string;
  };
  /** The starter exactly as stored: every field HR gave and attest keeps. */
  starter: Starter;
  /** The SCIM users an identity provider provisioned as this person (usually none or one), as stored. */
  scimUsers: ScimUser[];
  /** Every assignment of every policy they were ever asked, newest first. */
  assignments: AssignmentExport[];
}

/** What the export says it does not hold, for the person answering the request to pass on. */
export const NOT_INCLUDED: readonly string[] = [
  'HR events: the receipts of the HR system’s events are kept by event id, not by person, until they expire, to answer a repeated event alike; they are not searchable by person and are not listed here.',
  'Email bodies: attest does not keep the body of any email it sent (Amazon SES sent them); what is kept is each send’s kind, time, subject and message id, listed under each assignment (the subject only for emails sent since it was kept).',
  'The LMS’s own copy: each learning system attest delivered to (webhook receiver, xAPI LRS, Moodle) keeps its own record, under its own operator; ask them for it. The payloads shown here are rebuilt from attest’s records.',
  'Logs: attest’s operational logs are written to name records by pseudonymous ids rather than names or addresses, and are kept for the log retention period; they are not searched for this export.',
  'Manager digests: a manager’s daily digest record belongs to the manager and lists this person’s assignment by id only.',
  'Backups: the table’s point-in-time recovery copies hold the same records as of earlier times, until they age out.',
];

const PAYLOADS_NOTE =
  'Each LMS payload is built again now by the destination’s own code from the assignment, its evidence and the starter as held today. Where HR has since changed the person’s name or address, the copy sent held the earlier values. A webhook’s timestamp is its last attempt’s (or this export’s when none was made); secrets (signatures, tokens, passwords) are never included.';

/** The mail lane's kinds that go to the manager about the starter, not to the starter. */
const TO_MANAGER: ReadonlySet<SendRecord['kind']> = new Set(['digest', 'bounce-notice', 'decline-notice']);

interface PayloadContext {
  assignment: Assignment;
  starter: Starter;
  evidence: Evidence;
  delivery: Delivery;
  exportedAt: Date;
  settings: PayloadSettings;
}

/**
 * Each destination's payload, built by its own module's functions (a destination added to the
 * registry fails to compile here until it says how its payload is shown).
 */
const payloadOf = {
  webhook: ({ assignment, starter, evidence, delivery, exportedAt }) => {
    const last = delivery.attemptLog?.at(-1)?.at ?? delivery.deliveredAt;
    return {
      rebuilt: true,
      what: 'the body POSTed to the LMS webhook (its signature headers left out)',
      payload: completionPayload(assignment, starter, evidence, last ? new Date(last) : exportedAt),
    };
  },
  xapi: ({ assignment, starter, evidence, delivery, settings }) => {
    const xapi = settings.xapi;
    if (!xapi) return { rebuilt: false, why: 'the xAPI settings are not available to this export' };
    if (xapi.actor === 'account' && !xapi.accountHomePage) {
      return { rebuilt: false, why: 'XAPI_ACCOUNT_HOMEPAGE is not set, and the statement’s actor needs it' };
    }
    const id =
      typeof delivery.statementId === 'string' ? delivery.statementId : statementIdFor(evidence.evidenceId);
    return {
      rebuilt: true,
      what: 'the xAPI statement PUT to the LRS',
      payload: completionStatement(xapi, id, starter, evidence, assignment.signBy),
    };
  },
  moodle: ({ starter, evidence, delivery, settings }) => {
    const moodle = settings.moodle;
    if (!moodle) return { rebuilt: false, why: 'the Moodle settings are not available to this export' };
    const cmid = moodle.activities.get(evidence.policyId);
    if (cmid === undefined) {
      return { rebuilt: false, why: `no Moodle activity is configured for policy ${evidence.policyId}` };
    }
    const userid =
      typeof delivery[USER_ID_FIELD] === 'number' ? (delivery[USER_ID_FIELD] as number) : undefined;
    return {
      rebuilt: true,
      what: 'the Moodle web-service calls, their parameters (the token left out)',
      payload: [
        // Once the user is found, their id is kept on the delivery and the lookup is not repeated.
        ...(userid === undefined
          ? [{ wsfunction: LOOKUP, parameters: lookupParameters(moodle.userField, starter) }]
          : []),
        {
          wsfunction: OVERRIDE,
          parameters:
            userid === undefined
              ? { ...overrideParameters(0, cmid), userid: '(the id the lookup finds)' }
              : overrideParameters(userid, cmid),
        },
      ],
    };
  },
} satisfies Record<DeliveryKind, (context: PayloadContext) => RebuiltPayload>;

/**
 * Everything attest holds about one person, for a subject access request (UK GDPR Art. 15), read
 * from the table alone; nothing is written.
 * 1. The starter, by the id derived from the employee id; none is a NotFoundError.
 * 2. Their SCIM users, by the employee id lookup.
 * 3. Every assignment of every policy they were ever asked (`assignmentsOfStarter`, as the
 *    console's person page finds them), each with `attest evidence`'s report: the policy version,
 *    the text's integrity, the email signed from and the audit trail.
 * 4. Per assignment, the emails sent (kind, time, message id), SES's reports of them, and each LMS delivery with its
 *    attempts, dead letter and the payload its destination's own code builds from the records.
 * 5. What the export does not hold, said in words.
 */
export function makeSubjectAccessExport(deps: SubjectAccessDeps) {
  const { store, clock } = deps;
  const evidence = makeEvidenceReport(store);
  const settings = deps.payloads ?? {};

  return async function subjectAccessExport(
    employeeId: string,
    /** The starter, when already read (an erased one is no longer found by its employee id, a pseudonym). */
    known?: Starter,
  ): Promise<SubjectAccessExport> {
    const starter = known ?? (await store.getStarter(starterIdFor(employeeId)));
    if (!starter) throw new NotFoundError('starter.not_found', `No starter with employee id ${employeeId}.`);
    const exportedAt = clock.now();
    const [scimUsers, assignments] = await Promise.all([
      store.findScimUsers('employeeId', employeeId),
      assignmentsOfStarter(store, starter),
    ]);
    const exported: AssignmentExport[] = [];
    for (const assignment of assignments) {
      const [{ report }, sesReports] = await Promise.all([
        evidence.report(assignment.assignmentId),
        store.getSentAttempts(assignment.assignmentId),
      ]);
      exported.push({
        assignmentId: assignment.assignmentId,
        policy: report.policy,
        status: assignment.status,
        record: assignment,
        evidence: report.evidence,
        declines: report.declines,
        integrity: report.integrity,
        signedFrom: report.signedFrom,
        emails: assignment.sends.map((send) => ({
          kind: send.kind,
          to: TO_MANAGER.has(send.kind) ? 'manager' : 'starter',
          at: send.at,
          subject: send.subject ?? null,
          messageId: send.messageId,
          attemptId: send.attemptId ?? send.tokenId ?? null,
        })),
        sesReports,
        deliveries: DELIVERY_KINDS.flatMap((kind) => {
          const delivery = assignment[kind];
          if (!delivery) return [];
          const payload: RebuiltPayload = assignment.ack
            ? payloadOf[kind]({
                assignment,
                starter,
                evidence: assignment.ack,
                delivery,
                exportedAt,
                settings,
              })
            : { rebuilt: false, why: 'the assignment holds no evidence to build it from' };
          return [
            {
              destination: kind,
              state: delivery.state,
              attempts: delivery.attempts,
              attemptLog: delivery.attemptLog ?? [],
              attemptsDropped: delivery.attemptsDropped ?? 0,
              deadLetter: delivery.deadLetter ?? null,
              record: delivery,
              payload,
            },
          ];
        }),
        audit: report.audit,
      });
    }
    return {
      about: {
        employeeId,
        starterId: starter.starterId,
        exportedAt: exportedAt.toISOString(),
        attestVersion: deps.version,
        notIncluded: [...NOT_INCLUDED],
        payloadsNote: PAYLOADS_NOTE,
      },
      starter,
      scimUsers,
      assignments: exported,
    };
  };
}

/**
 * The export for the console, which knows people by starter id: the starter read first for their
 * employee id; undefined when there is no such starter.
 */
export function makeSubjectAccessByStarter(deps: SubjectAccessDeps) {
  const subjectAccessExport = makeSubjectAccessExport(deps);
  return async function subjectAccessOf(starterId: string): Promise<SubjectAccessExport | undefined> {
    const starter = await deps.store.getStarter(starterId);
    return starter ? subjectAccessExport(starter.employeeId, starter) : undefined;
  };
}

// Use case: record an agreement made offline (on paper, or assisted) on the person's behalf, as evidence marked so, through the page's own single write.
import type { Assignments, AuditTrail, Clock, Logger, Policies, Queue, Starters } from '../ports.ts';
import { owedDeliveries } from './destinations/delivery-ids.ts';
import { type AskNamed, AttestError, NotFoundError, ValidationError } from './errors.ts';
import { makeFindAssignments } from './evidence.ts';
import { sendHint } from './hint.ts';
import { newEvidenceId } from './ids.ts';
import { DEFAULT_LANGUAGE, type Language, languageFor, languageName, shownIn } from './language.ts';
import type { Assignment, DeliveryKind, Evidence, OnBehalfEvidence } from './model.ts';
import { agreedTo } from './model.ts';
import { hasUnseen, visibleLetters } from './visible.ts';

/** The longest note, and the longest recorder's name, kept in the evidence. */
export const NOTE_MAX = 500;
const RECORDER_MAX = 200;

export type OnBehalfStore = Pick<Assignments, 'getAssignment' | 'getAssignments' | 'recordAcknowledgement'> &
  Pick<Policies, 'getPolicyVersion' | 'getLatestPolicyVersion'> &
  Pick<Starters, 'getStarter'> &
  Pick<AuditTrail, 'appendAudit'>;

export interface OnBehalfDeps {
  store: OnBehalfStore;
  /** The receipt's queue; absent (the CLI on AWS without MAIL_QUEUE_URL), the sweeper sends it. */
  mailQueue?: Queue;
  /** The LMS deliveries' queue; absent (the CLI), the sweeper sends them once due. */
  lmsQueue?: Queue;
  clock: Clock;
  logger: Pick<Logger, 'warn'>;
  /** The LMS destinations an agreement is delivered to (LMS_MODE), as for a signature by link. */
  deliveries: readonly DeliveryKind[];
  /** When the owed receipt and deliveries fall due for the sweeper: 0 where nothing is enqueued. */
  redriveAfterMs: number;
}

/** Who records the agreement and why: `recordedBy` goes into the evidence, `audit` names them in the trail. */
export interface OnBehalfRequest {
  note: string | undefined;
  recordedBy: string | undefined;
  /** The audit entry's account of who acted (the console's subject and email; the CLI's `by`). */
  audit: Record<string, string>;
  /**
   * The language the person read the policy in (the CLI's `--language`); absent, the one their
   * invite would have used: their locale's, when the policy has that translation, else English.
   */
  language?: Language;
  /** How a refusal names the person and policy ("This person" and the policy id when not given). */
  named?: Partial<AskNamed>;
}

export type OnBehalfOutcome =
  | { recorded: true; assignmentId: string; evidence: OnBehalfEvidence }
  /** Signed already (by link or on behalf): nothing was written. */
  | { recorded: false; assignmentId: string; evidence: Evidence };

/**
 * The note as recorded, held to an admin's reason's rules: line breaks become spaces; refused
 * when empty, holding a character that cannot be seen (controls, bidi overrides, zero-width), with
 * fewer than three visible letters, or over NOTE_MAX characters.
 */
export function checkNote(raw: string | undefined): string {
  const note = (raw ?? '')
    .normalize('NFC')
    .replace(/\r\n|\r|\n/g, ' ')
    .trim();
  const refuse = (message: string) => new ValidationError('on-behalf.note', [{ field: 'note', message }]);
  if (!note)
    throw refuse('A note is required: say how and when the person agreed (e.g. "paper form signed 3 Dec").');
  if (hasUnseen(note)) throw refuse('The note holds characters that cannot be seen; type it again.');
  if (visibleLetters(note) < 3) throw refuse('Say in a few words how the person agreed.');
  if (note.length > NOTE_MAX) throw refuse(`Keep the note to ${NOTE_MAX} characters or fewer.`);
  return note;
}

/** The recorder's name, held to the same visibility rules: it is evidence of who vouched. */
export function checkRecorder(raw: string | undefined): string {
  const by = (raw ?? '').normalize('NFC').trim().replace(/\s+/g, ' ');
  const refuse = (message: string) => new ValidationError('on-behalf.by', [{ field: 'by', message }]);
  if (!by) throw refuse('Say who records the agreement (your name).');
  if (hasUnseen(by)) throw refuse('The name holds characters that cannot be seen; type it again.');
  if (visibleLetters(by) < 2) throw refuse('Give your name, as letters.');
  if (by.length > RECORDER_MAX) throw refuse(`Keep the name to ${RECORDER_MAX} characters or fewer.`);
  return by;
}

export function makeAcceptOnBehalf(deps: OnBehalfDeps) {
  const { store, clock } = deps;
  const findAssignments = makeFindAssignments(deps);

  /**
   * Records the agreement of one assignment on the person's behalf.
   * 1. The note and the recorder are checked first: a refusal writes nothing.
   * 2. Only the current ask (its policy's newest version), unsigned and not withdrawn, can be
   *    accepted; one signed already answers with its evidence and changes nothing.
   * 3. The evidence (method `on-behalf`, the note, the recorder, the person's name as held, no IP
   *    address, browser, token or email) goes in through the page's own conditional write
   *    (attribute_not_exists(ack), not cancelled): the receipt and each LMS delivery are owed
   *    exactly as for a signature by link, and of concurrent recorders exactly one records.
   * 4. Audited (`acknowledged`, method on-behalf, who, and the note as its reason), then the receipt and the
   *    deliveries are enqueued; the sweeper re-drives them from the table if a message is lost.
   */
  async function acceptAssignment(assignmentId: string, request: OnBehalfRequest): Promise<OnBehalfOutcome> {
    const note = checkNote(request.note);
    const recordedBy = checkRecorder(request.recordedBy);
    const assignment = await store.getAssignment(assignmentId);
    if (!assignment) throw new NotFoundError('assignment.not_found', `No assignment ${assignmentId}.`);
    if (assignment.ack) return { recorded: false, assignmentId, evidence: assignment.ack };
    const named = { who: 'This person', policy: assignment.policyId, ...request.named };
    refuseWithdrawn(assignment, named);
    const latest = await store.getLatestPolicyVersion(assignment.policyId);
    if (latest && latest.version !== assignment.policyVersion) {
      throw new AttestError(
        'on-behalf.not_current',
        `${named.who}'s ask of ${named.policy} is for version ${assignment.policyVersion}; version ${latest.version} is current (${assignmentId}).`,
      );
    }
    const [starter, policy] = await Promise.all([
      store.getStarter(assignment.starterId),
      store.getPolicyVersion(assignment.policyId, assignment.policyVersion),
    ]);
    if (!starter) throw new NotFoundError('starter.not_found', `No starter for ${assignmentId}.`);
    if (!policy) {
      throw new NotFoundError(
        'policy.not_found',
        `Policy ${assignment.policyId} version ${assignment.policyVersion} is missing.`,
      );
    }

    const language = request.language ?? languageFor(starter.locale, policy);
    if (language !== DEFAULT_LANGUAGE && !policy.translations?.[language]) {
      throw new AttestError(
        'on-behalf.language',
        `Version ${policy.version} of ${policy.policyId} has no ${languageName(language)} translation: it can only have been read in English.`,
      );
    }
    const now = clock.now();
    const evidence: OnBehalfEvidence = {
      evidenceId: newEvidenceId(),
      acknowledgedAt: now.toISOString(),
      ...agreedTo(shownIn(policy, language)),
      typedName: `${starter.givenName} ${starter.familyName}`.trim(),
      method: 'on-behalf',
      note,
      recordedBy,
      ipAddress: null,
      userAgent: null,
      tokenId: null,
      messageId: null,
    };
    // No reduce-ip step: there is no IP address or browser to reduce.
    const outcome = await store.recordAcknowledgement(
      assignmentId,
      evidence,
      owedDeliveries(evidence.evidenceId, deps.deliveries),
      new Date(now.getTime() + deps.redriveAfterMs),
    );
    const recorded = outcome.assignment.ack;
    if (!outcome.recorded) {
      if (recorded) return { recorded: false, assignmentId, evidence: recorded };
      refuseWithdrawn(outcome.assignment, named);
      throw new AttestError(
        'on-behalf.refused',
        `${named.who}'s agreement to ${named.policy} could not be recorded: the ask was changed meanwhile (${assignmentId}).`,
      );
    }

    // The note goes as the entry's `reason`, as an admin's is: an erasure replaces it likewise.
    await store.appendAudit(assignmentId, 'acknowledged', now, {
      ...request.audit,
      evidenceId: evidence.evidenceId,
      method: 'on-behalf',
      reason: note,
    });
    const hint = (queue: Queue | undefined, kind: 'receipt' | DeliveryKind) =>
      queue ? sendHint(queue, { assignmentId, kind }, deps.logger) : Promise.resolve();
    await Promise.all([
      hint(deps.mailQueue, 'receipt'),
      ...deps.deliveries.map((kind) => hint(deps.lmsQueue, kind)),
    ]);
    return { recorded: true, assignmentId, evidence };
  }

  /** The same for an employee's current ask of a policy (their newest version's assignment). */
  async function acceptOnBehalf(
    employeeId: string,
    policyId: string,
    request: OnBehalfRequest,
  ): Promise<OnBehalfOutcome> {
    // Checked before any read, so a usage mistake is told as such whatever the table holds.
    checkNote(request.note);
    checkRecorder(request.recordedBy);
    const ids = await findAssignments(employeeId, policyId);
    return acceptAssignment(ids[ids.length - 1] as string, {
      named: { who: employeeId, policy: policyId },
      ...request,
    });
  }

  return { acceptOnBehalf, acceptAssignment };
}

function refuseWithdrawn(assignment: Assignment, named: AskNamed): void {
  if (assignment.status !== 'cancelled') return;
  const instead = assignment.supersededBy
    ? `; version ${assignment.supersededBy.version} is asked instead`
    : '';
  throw new AttestError(
    'on-behalf.withdrawn',
    `${named.who}'s ask of ${named.policy} was withdrawn${instead}: nothing to agree to (${assignment.assignmentId}).`,
  );
}

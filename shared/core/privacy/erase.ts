// Use case: erasure that keeps the proof — a person's names, addresses, manager, IP address and browser replaced by keyed pseudonyms in every record attest holds of them, while each agreement keeps its policy, version, hash, statement, times and ids.
import { createHmac } from 'node:crypto';
import type {
  Assignments,
  AuditEvent,
  AuditTrail,
  Clock,
  Erasures,
  Policies,
  Retention,
  ScimUsers,
  Starters,
} from '../../ports.ts';
import { checkReason } from '../console/actions.ts';
import { AttestError, NotFoundError, ValidationError } from '../errors.ts';
import { assignmentsOfStarter } from '../evidence.ts';
import { starterIdFor } from '../ids.ts';
import {
  type Assignment,
  DELIVERY_KINDS,
  type Delivery,
  type ErasureEntry,
  isUnsigned,
  type Starter,
} from '../model.ts';
import { folded } from '../visible.ts';
import { expiryAfterLeaving, type RetentionSettings } from './retention.ts';

/** An erased address's domain: `.invalid` (RFC 2606) can never be delivered to. */
export const ERASED_DOMAIN = 'erased.invalid';
/** Every pseudonym begins so: a reader knows an erased value when they see one. */
export const PSEUDONYM_PREFIX = 'erased-';

/**
 * Keyed pseudonyms (HMAC-SHA256 under PSEUDONYM_KEY, 80 bits shown): the same value always gives
 * the same pseudonym, so whoever holds the key and the original (an address, a name) can show
 * which erased record was that person's; without the key, nobody can. Each kind of value is
 * keyed apart, so a name and an address never share a pseudonym.
 */
export interface Pseudonyms {
  /** The person's pseudonym, from their employee id: their employee id and name since. */
  person(employeeId: string): string;
  name(name: string): string;
  /** An address's pseudonym as an address (`erased-…@erased.invalid`), found from any case of it. */
  email(address: string): string;
  ip(address: string): string;
  browser(userAgent: string): string;
  /** Free text that may name the person: a subject, an LMS's answer, an admin's reason. */
  text(text: string): string;
}

export function makePseudonyms(key: string): Pseudonyms {
  if (key.length < 32) throw new RangeError('PSEUDONYM_KEY must be at least 32 characters');
  const mac = (kind: string, value: string) =>
    `${PSEUDONYM_PREFIX}${createHmac('sha256', key).update(`attest/${kind}\0${value}`).digest('hex').slice(0, 20)}`;
  return {
    person: (employeeId) => mac('employee', employeeId),
    name: (name) => mac('name', name.normalize('NFC').trim()),
    email: (address) => `${mac('email', address.trim().toLowerCase())}@${ERASED_DOMAIN}`,
    ip: (address) => mac('ip', address.trim()),
    browser: (userAgent) => mac('browser', userAgent),
    text: (text) => mac('text', text),
  };
}

/**
 * The starter as erased: names, address, manager, location and job title replaced by pseudonyms;
 * kept are the pseudonymous id, start date, the organisation's own structure (department,
 * organization, division, employment type: what reports count by), language, time zone, the
 * policies asked and the rules matched. Cancelled, whatever it was: nobody is chased any more.
 */
export function erasedStarter(
  starter: Starter,
  pseudonyms: Pseudonyms,
  erasure: NonNullable<Starter['erased']>,
): Starter {
  const { manager, location, jobTitle, ...kept } = starter;
  return {
    ...kept,
    employeeId: erasure.pseudonym,
    givenName: erasure.pseudonym,
    familyName: '',
    email: pseudonyms.email(starter.email),
    ...(manager && {
      manager: { name: pseudonyms.name(manager.name), email: pseudonyms.email(manager.email) },
    }),
    ...(location && { location: pseudonyms.text(location) }),
    ...(jobTitle && { jobTitle: pseudonyms.text(jobTitle) }),
    status: 'cancelled',
    updatedAt: erasure.at,
    erased: erasure,
  };
}

/**
 * The assignment as erased: the typed name, IP address and browser (or on-behalf note) of the evidence
 * and of each decline (with its reason), the sha256 of the certificate that named them, a bounced
 * address, the manager's address of a digest, the emails' subjects, and what an LMS answered
 * (which may quote the person) replaced by pseudonyms; everything else byte for byte as it was
 * (the policy, version and hash, the statement, the times, the evidence, token and message ids).
 * A dead delivery leaves its lane: never replayed, as its payload would be pseudonyms.
 */
export function erasedAssignment(assignment: Assignment, pseudonyms: Pseudonyms, at: string): Assignment {
  const erased: Assignment = structuredClone(assignment);
  erased.erasedAt = at;
  if (erased.ack) {
    erased.ack.typedName = pseudonyms.name(erased.ack.typedName);
    if (erased.ack.method === 'on-behalf') {
      // No IP address or browser; the recorder's note may describe the person.
      erased.ack.note = pseudonyms.text(erased.ack.note);
    } else {
      erased.ack.ipAddress = pseudonyms.ip(erased.ack.ipAddress);
      erased.ack.userAgent = pseudonyms.browser(erased.ack.userAgent);
    }
  }
  // A decline's typed name, reason (it may say anything of them), IP address and browser.
  if (erased.declines) {
    erased.declines = erased.declines.map((d) => ({
      ...d,
      typedName: pseudonyms.name(d.typedName),
      reason: pseudonyms.text(d.reason),
      ipAddress: pseudonyms.ip(d.ipAddress),
      userAgent: pseudonyms.browser(d.userAgent),
    }));
  }
  if (erased.dueKind === 'renewal') {
    delete erased.dueAt;
    delete erased.dueKind;
    delete erased.leaseUntil;
  }
  // The certificate's hash is of a document naming the person: a guess at the name, made into a
  // certificate, would be confirmed by it. Keyed, it still proves a copy of the PDF (prove).
  if (erased.certificate) erased.certificate.sha256 = pseudonyms.text(erased.certificate.sha256);
  if (erased.bounce) erased.bounce.email = pseudonyms.email(erased.bounce.email);
  if (erased.digest) erased.digest.managerEmail = pseudonyms.email(erased.digest.managerEmail);
  erased.sends = erased.sends.map((send) =>
    send.subject === undefined ? send : { ...send, subject: pseudonyms.text(send.subject) },
  );
  for (const kind of DELIVERY_KINDS) {
    const delivery = erased[kind];
    if (!delivery) continue;
    erased[kind] = erasedDelivery(delivery, pseudonyms);
    if (delivery.state === 'dead') {
      delete erased[`${kind}DueAt`];
      delete erased[`${kind}LeaseUntil`];
    }
  }
  return erased;
}

function erasedDelivery(delivery: Delivery, pseudonyms: Pseudonyms): Delivery {
  const erased = { ...delivery };
  if (delivery.deadLetter) {
    const { body, detail, ...letter } = delivery.deadLetter;
    erased.deadLetter = {
      ...letter,
      ...(body !== undefined && { body: pseudonyms.text(body) }),
      ...(detail !== undefined && { detail: pseudonyms.text(detail) }),
    };
  }
  if (delivery.attemptLog) {
    erased.attemptLog = delivery.attemptLog.map((attempt) =>
      attempt.answer === undefined ? attempt : { ...attempt, answer: pseudonyms.text(attempt.answer) },
    );
  }
  // The person's id in Moodle would find them there.
  if (delivery.moodleUserId !== undefined)
    erased.moodleUserId = pseudonyms.text(String(delivery.moodleUserId));
  return erased;
}

/**
 * An audit event's detail as erased: a reason someone typed (an admin in the console, an operator)
 * may name the person, so it becomes a pseudonym; fixed texts and ids stay. Undefined when there
 * is nothing to erase.
 */
export function erasedAuditDetail(
  event: AuditEvent,
  pseudonyms: Pseudonyms,
): Record<string, string> | undefined {
  const { reason, by } = event.detail;
  if (reason === undefined || by === undefined || reason.startsWith(PSEUDONYM_PREFIX)) return undefined;
  return { ...event.detail, reason: pseudonyms.text(reason) };
}

export type EraseStore = Pick<Retention, 'noteLeaving'> &
  Pick<Starters, 'getStarter'> &
  Pick<Assignments, 'getAssignment' | 'getAssignments' | 'cancelAssignment'> &
  Pick<Policies, 'getLatestPolicyVersion'> &
  Pick<AuditTrail, 'getAuditTrail'> &
  Pick<ScimUsers, 'findScimUsers' | 'deleteScimUser'> &
  Erasures;

export interface ErasureResult {
  pseudonym: string;
  /** The log's entry: this erasure's, or the first's when the person was erased before. */
  entry: ErasureEntry;
  /** Whether the starter was erased by this run, or already. */
  starter: 'erased' | 'erased-before';
  /** Unsigned asks withdrawn first (the person is chased no more). */
  withdrawn: number;
  assignments: { erased: number; before: number };
  /** Audit entries whose typed reason was replaced. */
  auditEvents: number;
  /** SCIM users of theirs deleted (the identity provider's copy of the person). */
  scimUsers: number;
  /** Dead LMS deliveries taken off the replay list. */
  deadLetters: number;
}

export interface EraseDeps {
  store: EraseStore;
  clock: Clock;
  pseudonyms: Pseudonyms;
  /** Retention counts from the leaving: erasure makes a leaver of anyone not one yet. */
  retention: Pick<RetentionSettings, 'unsignedAfterLeaving' | 'evidence'>;
}

/** An erasure cannot be done now: something is in flight. Nothing was written; try again later. */
export class ErasureBusyError extends AttestError {
  constructor(message: string) {
    super('privacy.busy', message);
    this.name = 'ErasureBusyError';
  }
}

/**
 * Erases one person (`attest privacy erase`).
 * 1. Find the starter by employee id; refuse a reason that names them (it outlives their data).
 * 2. Refuse, writing nothing, while an LMS delivery of theirs is pending (its payload is built
 *    from their details when sent) or a receipt email is still owed: each is named.
 * 3. Log the erasure (first, so a restore's replay finds it; an entry already logged is kept).
 * 4. Withdraw every unsigned ask (the chase stops), then erase each assignment and its typed
 *    reasons, delete their SCIM user, and erase the starter last: until that write, the starter
 *    still holds the employee id and names a re-run needs.
 * Each write is conditional on the record not being erased yet, so a run interrupted part way is
 * finished by running it again, which changes nothing already changed (nothing is duplicated:
 * the log has one entry per person). Replaying over a restored table is the same run.
 */
export function makeErasePerson(deps: EraseDeps) {
  const { store, clock, pseudonyms } = deps;

  return async function erasePerson(
    employeeId: string,
    request: { by: string; reason: string },
    /** Replaying an entry of the log: it is kept as it was (its time, who and why). */
    replaying?: ErasureEntry,
  ): Promise<ErasureResult> {
    const starterId = starterIdFor(employeeId);
    const starter = await store.getStarter(starterId);
    if (!starter) throw new NotFoundError('starter.not_found', `No starter with employee id ${employeeId}.`);
    const pseudonym = pseudonyms.person(employeeId);
    if (starter.erased && starter.erased.pseudonym !== pseudonym) {
      throw new AttestError(
        'privacy.other_key',
        `${employeeId} was erased with another PSEUDONYM_KEY: set the key they were erased with.`,
      );
    }
    const reason = replaying ? replaying.reason : checkPrivacyReason(request.reason, starter);
    const now = clock.now();
    const at = now.toISOString();

    const assignments = starter.erased
      ? [...(await store.getAssignments(starter.erased.assignmentIds)).values()]
      : await assignmentsOfStarter(store, starter);
    const held = assignments.flatMap((a) => inFlight(a));
    if (held.length) {
      throw new ErasureBusyError(
        `Not erased, nothing changed: ${held.join('; ')}. Run it again once that is done ` +
          '(`attest lms status` shows a delivery’s next attempt).',
      );
    }

    const entry = await store.logErasure(replaying ?? { starterId, pseudonym, at, by: request.by, reason });
    let withdrawn = 0;
    for (const a of assignments) {
      if (isUnsigned(a.status) && !a.erasedAt && (await store.cancelAssignment(a.assignmentId, now)))
        withdrawn++;
      // Retention counts from their leaving: noted now unless it was (a leaving noted stands).
      await store.noteLeaving(a.assignmentId, now, expiryAfterLeaving(a, now, deps.retention));
    }

    const result: ErasureResult = {
      pseudonym,
      entry,
      starter: 'erased',
      withdrawn,
      assignments: { erased: 0, before: 0 },
      auditEvents: 0,
      scimUsers: 0,
      deadLetters: 0,
    };
    const busy: string[] = [];
    for (const { assignmentId } of assignments) {
      const read = await store.getAssignment(assignmentId);
      if (!read) continue;
      if (read.erasedAt) result.assignments.before++;
      else {
        const outcome = await store.eraseAssignment(read, erasedAssignment(read, pseudonyms, at));
        if (outcome === 'busy')
          busy.push(
            ...(inFlight(read).length ? inFlight(read) : [`${describe(read)} changed while being erased`]),
          );
        else if (outcome === 'erased') {
          result.assignments.erased++;
          result.deadLetters += DELIVERY_KINDS.filter((kind) => read[kind]?.state === 'dead').length;
        } else result.assignments.before++;
      }
      for (const event of await store.getAuditTrail(assignmentId)) {
        const detail = erasedAuditDetail(event, pseudonyms);
        if (detail && (await store.eraseAuditEvent(assignmentId, event, detail, now))) result.auditEvents++;
      }
    }
    if (!starter.erased) {
      for (const user of await store.findScimUsers('employeeId', employeeId)) {
        if (await store.deleteScimUser(user)) result.scimUsers++;
      }
    }
    if (busy.length) {
      throw new ErasureBusyError(
        `Erasure not finished: ${busy.join('; ')}. What was erased stays erased; run it again to finish.`,
      );
    }
    if (starter.erased) return { ...result, starter: 'erased-before' };
    const erasure = { at, pseudonym, assignmentIds: assignments.map((a) => a.assignmentId) };
    if (!(await store.eraseStarter(erasedStarter(starter, pseudonyms, erasure)))) {
      return { ...result, starter: 'erased-before' };
    }
    return result;
  };
}

/** What stops an assignment being erased now, in words; none when it can be. */
function inFlight(assignment: Assignment): string[] {
  if (assignment.erasedAt) return [];
  const held: string[] = [];
  for (const kind of DELIVERY_KINDS) {
    const delivery = assignment[kind];
    if (delivery?.state === 'pending') {
      const next = assignment[`${kind}DueAt`];
      held.push(
        `${describe(assignment)}: the ${kind} delivery is in flight (attempt ${delivery.attempts + 1}${next ? `, due ${next}` : ''})`,
      );
    }
  }
  // An unsigned ask's email is withdrawn with it; a signed one's receipt is still to go.
  // A renewal owed later is no email in flight: erasing drops it (no one erased is asked again).
  if (!isUnsigned(assignment.status) && assignment.dueKind && assignment.dueKind !== 'renewal') {
    held.push(`${describe(assignment)}: the ${assignment.dueKind} email is still to be sent`);
  }
  return held;
}

const describe = (a: Assignment) => `${a.policyId} version ${a.policyVersion} (${a.assignmentId})`;

/**
 * The erasure's reason as logged: checked as an admin's reason is, and refused when it names the
 * person (their names, address or employee id) — the log keeps it after their data is gone.
 */
export function checkPrivacyReason(raw: string, starter: Starter): string {
  let reason: string;
  try {
    reason = checkReason(raw);
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError('privacy.reason', error.issues);
    throw error;
  }
  const text = folded(reason);
  const named = [
    starter.givenName,
    starter.familyName,
    starter.email,
    starter.email.split('@')[0] ?? '',
    starter.employeeId,
  ]
    .map((value) => folded(value).trim())
    .filter((value) => value.length >= 2)
    .some((value) =>
      new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(value)}($|[^\\p{L}\\p{N}])`, 'u').test(text),
    );
  if (named) {
    throw new ValidationError('privacy.reason', [
      {
        field: 'reason',
        message:
          'The reason names the person; it is kept after their data is gone. Say why without naming them, e.g. "subject access request ref DPO-118".',
      },
    ]);
  }
  return reason;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface ErasedPerson {
  pseudonym: string;
  starterId: string;
  /** The log's entry: when, by whom and why. */
  entry: ErasureEntry | undefined;
  assignmentIds: string[];
}

/**
 * Proves who an erased record was (`attest privacy prove`): the pseudonyms of the employee id or
 * address given, under the key, compared with the erased starters'. Only someone holding the key
 * and the original can; each match is that person, and none is an answer too.
 */
export function makeProveErasure(deps: {
  store: Pick<Starters, 'getStarter' | 'getStarters'> & Pick<Erasures, 'erasureLog'>;
  pseudonyms: Pseudonyms;
}) {
  const { store, pseudonyms } = deps;
  return async function prove(given: { employeeId?: string; email?: string }): Promise<ErasedPerson[]> {
    const log = await store.erasureLog();
    const starters = given.employeeId
      ? [await store.getStarter(starterIdFor(given.employeeId))].filter((s) => s !== undefined)
      : [...(await store.getStarters(log.map((entry) => entry.starterId))).values()];
    return starters
      .filter(
        (s) =>
          s.erased &&
          (given.employeeId === undefined || s.erased.pseudonym === pseudonyms.person(given.employeeId)) &&
          (given.email === undefined || s.email === pseudonyms.email(given.email)),
      )
      .map((s) => erasedPerson(s, log));
  };
}

/** An erased person found by their pseudonym (as evidence and reports show them), through the log. */
export async function findErased(
  store: Pick<Starters, 'getStarter'> & Pick<Erasures, 'erasureLog'>,
  pseudonym: string,
): Promise<ErasedPerson | undefined> {
  const log = await store.erasureLog();
  for (const entry of log.filter((e) => e.pseudonym === pseudonym)) {
    const starter = await store.getStarter(entry.starterId);
    if (starter?.erased?.pseudonym === pseudonym) return erasedPerson(starter, log);
  }
  return undefined;
}

function erasedPerson(starter: Starter, log: readonly ErasureEntry[]): ErasedPerson {
  const erased = starter.erased as NonNullable<Starter['erased']>;
  return {
    pseudonym: erased.pseudonym,
    starterId: starter.starterId,
    entry: log.find((e) => e.starterId === starter.starterId),
    assignmentIds: erased.assignmentIds,
  };
}

export type ReplayOutcome = 'erased' | 'erased-before' | 'missing';

/**
 * Replays the erasure log over a table restored from a backup (`attest privacy replay`): each
 * entry's starter, if the restore brought back their data, is erased again as it was (the entry
 * kept, its time, who and why); one still erased, or not in the table at all, is left.
 */
export function makeReplayErasures(deps: EraseDeps) {
  const erase = makeErasePerson(deps);
  return async function replay(
    entries: readonly ErasureEntry[],
  ): Promise<Array<{ entry: ErasureEntry; outcome: ReplayOutcome }>> {
    const done: Array<{ entry: ErasureEntry; outcome: ReplayOutcome }> = [];
    for (const entry of entries) {
      const starter = await deps.store.getStarter(entry.starterId);
      if (!starter) {
        done.push({ entry, outcome: 'missing' });
        continue;
      }
      // The starter is erased last: one erased had all its records erased before it.
      if (starter.erased) {
        done.push({ entry, outcome: 'erased-before' });
        continue;
      }
      if (deps.pseudonyms.person(starter.employeeId) !== entry.pseudonym) {
        throw new AttestError(
          'privacy.other_key',
          `The erasure of ${entry.starterId} (${entry.pseudonym}) was made with another PSEUDONYM_KEY: set that key and replay again.`,
        );
      }
      await erase(starter.employeeId, entry, entry);
      done.push({ entry, outcome: 'erased' });
    }
    return done;
  };
}

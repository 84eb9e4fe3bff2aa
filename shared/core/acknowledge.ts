// Use cases behind the acknowledgement link: show the policy (records nothing) and record agreement once.
import type {
  Assignments,
  AuditTrail,
  Clock,
  Logger,
  MailWork,
  Metrics,
  Policies,
  Queue,
  ReadConsistency,
  Starters,
} from '../ports.ts';
import { owedDeliveries } from './destinations/delivery-ids.ts';
import { NotFoundError, TokenError } from './errors.ts';
import { sendHint } from './hint.ts';
import { newEvidenceId, newTokenId } from './ids.ts';
import {
  DEFAULT_LANGUAGE,
  evidenceLanguage,
  isLanguage,
  type Language,
  languageFor,
  type ShownPolicy,
  shownIn,
} from './language.ts';
import type {
  Assignment,
  DeclineEvidence,
  DeliveryKind,
  Evidence,
  PolicyVersion,
  WorkMessage,
} from './model.ts';
import { agreedTo, MAX_DECLINES } from './model.ts';
import { type RetentionSettings, reduceIpAt } from './privacy/retention.ts';
import {
  inspectToken,
  readShownStamp,
  signToken,
  stampShown,
  type TokenKeys,
  verifyToken,
} from './tokens.ts';
import { hasUnseen, visibleLetters, withoutUnseen } from './visible.ts';

/**
 * The page reads an assignment and its text (and, for a translated policy, the starter's locale),
 * records the agreement or a decline once, and asks for fresh links.
 */
export type AckStore = Pick<
  Assignments,
  'getAssignment' | 'recordAcknowledgement' | 'recordDecline' | 'requestFreshLink'
> &
  Pick<Policies, 'getPolicyVersion'> &
  Pick<Starters, 'getStarter'> &
  Pick<MailWork, 'getSentAttempt'> &
  Pick<AuditTrail, 'appendAudit' | 'appendAudits'>;

export interface AckDeps {
  store: AckStore;
  lmsQueue: Queue;
  mailQueue: Queue;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Counts the agreements recorded (`AcknowledgementRecorded`) and the declines (`DeclineRecorded`). */
  metrics: Metrics;
  tokenKeys: TokenKeys;
  /** The LMS destinations an agreement is delivered to (LMS_MODE): the webhook's lane, the xAPI's, or both. */
  deliveries: readonly DeliveryKind[];
  /** When the owed receipt and LMS delivery are re-driven by the sweeper if their messages are lost. */
  redriveAfterMs: number;
  /** The least time between two fresh links for one assignment. */
  freshLinkIntervalMs: number;
  /** RETAIN_AUDIT_IP: when the agreement's IP address and browser are reduced, owed in the same write. */
  retention: Pick<RetentionSettings, 'auditIp'>;
}

/** How long the "email me a fresh link" button on an expired-link page works. */
const RESEND_TOKEN_TTL_MS = 60 * 60_000;

/**
 * What the page shows. A policy is as shown in the starter's language (language.ts shownIn); a
 * view without one says its `language`.
 */
export type AckView =
  | {
      kind: 'form';
      policy: ShownPolicy;
      /** The signed stamp of when the form was first shown, for the hidden field. */
      shown: string;
      values?: { fullName: string };
      errors?: FormErrors;
      /** "I do not agree" is offered: the version is declinable and fewer than MAX_DECLINES are kept. */
      decline?: { values?: { fullName: string; reason: string }; errors?: DeclineErrors };
      /** When they last declined, if they have: the page says so, and that they can still agree. */
      declinedAt?: string;
      /** With `declinedAt`, the person's time zone when known (zoneOf): that time is said in it too. */
      timeZone?: string;
      /** This answer recorded their decline. */
      justDeclined?: boolean;
      /** A decline refused outright (not offered for this policy, or too many): said on the page. */
      declineRefused?: DeclineErrorCode;
    }
  /**
   * `policy` in the language the evidence says was signed; `timeZone`, the person's when known
   * (receiptZone), the time is said in it too.
   */
  | { kind: 'receipt'; policy: ShownPolicy; evidence: Evidence; already: boolean; timeZone?: string }
  /** No longer asked for; `newerVersion` when because a newer version is asked for instead. */
  | { kind: 'withdrawn'; newerVersion?: number; language: Language }
  | { kind: 'expired'; resendToken: string; language: Language }
  | { kind: 'fresh-link-sent'; language: Language };

/** A form's problem, as the key of its message in the catalogue (templates/locales/): said in the page's language. */
export type FormErrorCode =
  | 'form.nameUnseen'
  | 'form.nameMissing'
  | 'form.nameTooLong'
  | 'form.nameLetters'
  | 'form.agreeMissing';

export interface FormErrors {
  fullName?: FormErrorCode;
  agree?: FormErrorCode;
}

export interface DeclineErrors {
  fullName?: FormErrorCode;
  reason?: DeclineErrorCode;
}

/** What the "I do not agree" form sends: the typed name and the reason, with the page's stamp. */
export interface DeclineSubmission {
  token: string;
  fullName: string | undefined;
  reason: string | undefined;
  shown?: string | undefined;
  ipAddress: string;
  userAgent: string;
}

export interface AckSubmission {
  token: string;
  fullName: string | undefined;
  agree: string | undefined;
  /** The form's hidden stamp of when it was shown. */
  shown?: string | undefined;
  ipAddress: string;
  userAgent: string;
}

/** The longest typed name taken (the page says so, and its field stops there). */
export const MAX_NAME = 200;
/** How far a withdrawn link follows the asks that replaced it (one per version published since). */
const MAX_SUPERSEDED_HOPS = 20;
/** A typed name is evidence: at least this many letters a person can see. */
const MIN_LETTERS = 2;

/** The longest reason for a decline, in characters. */
export const MAX_REASON = 1000;

/** Words the page shows about declining: one place, for the message catalogue to absorb. */
/** A decline's problem, as the key of its message in the catalogue (templates/locales/): said in the page's language. */
export type DeclineErrorCode =
  | 'decline.reasonUnseen'
  | 'decline.reasonEmpty'
  | 'decline.reasonLong'
  | 'decline.reasonLetters'
  | 'decline.notDeclinable'
  | 'decline.tooMany';

/** Trims and collapses runs of whitespace (no-break and ideographic spaces too) to one space. */
const collapse = (text: string) => text.trim().replace(/\s+/g, ' ');

/**
 * Reads the typed name as it will be stored: NFC, trimmed, runs of spaces collapsed; nothing else
 * is rewritten. Refused, with the reason for the field: a name holding a character that cannot be
 * seen (control, format, private-use, an invisible filler: see visible.ts) — refused, not
 * stripped, for the evidence must be what was typed — and one of fewer than two visible letters.
 * A refused name is re-shown without its unseen characters, which the page could not show anyway.
 */
function readTypedName(raw: string | undefined): { fullName: string; error?: FormErrorCode } {
  const typed = (raw ?? '').normalize('NFC');
  if (hasUnseen(typed)) {
    return {
      fullName: collapse(withoutUnseen(typed)),
      error: 'form.nameUnseen',
    };
  }
  const fullName = collapse(typed);
  if (fullName.length === 0) return { fullName, error: 'form.nameMissing' };
  // The page says the limit (MAX_NAME there too) in the starter's language.
  if (fullName.length > MAX_NAME) return { fullName, error: 'form.nameTooLong' };
  if (visibleLetters(fullName) < MIN_LETTERS) return { fullName, error: 'form.nameLetters' };
  return { fullName };
}

/**
 * Reads a decline's reason as it will be stored: NFC, line breaks and tabs (a textarea's own) as
 * spaces, runs of spaces collapsed. Refused: empty, over MAX_REASON characters, fewer than two
 * visible letters, or holding any other character that cannot be seen (controls, bidi and format
 * characters: see visible.ts) — refused, not stripped, for the evidence must be what was typed.
 */
export function readReason(raw: string | undefined): { reason: string; error?: DeclineErrorCode } {
  const typed = (raw ?? '').normalize('NFC').replace(/\r\n|[\r\n\t]/g, ' ');
  if (hasUnseen(typed)) return { reason: collapse(withoutUnseen(typed)), error: 'decline.reasonUnseen' };
  const reason = collapse(typed);
  if (reason.length === 0) return { reason, error: 'decline.reasonEmpty' };
  if ([...reason].length > MAX_REASON) return { reason, error: 'decline.reasonLong' };
  if (visibleLetters(reason) < MIN_LETTERS) return { reason, error: 'decline.reasonLetters' };
  return { reason };
}

/**
 * The time zone the page says an ask's times in (a receipt's, a decline's), read from the ask
 * alone (no other item: the page's calls stay as they were): the zone its certificate was made in
 * — the receipt email's and the certificate's, recorded when the receipt went — else the zone the
 * ask kept from the starter (frozen once signed); none for an ask made before zones were kept.
 */
function zoneOf(ask: Assignment): { timeZone?: string } {
  const timeZone = ask.certificate?.timeZone ?? ask.timeZone;
  return timeZone ? { timeZone } : {};
}

function validate(nameError: FormErrorCode | undefined, agree: string | undefined): FormErrors | undefined {
  const errors: FormErrors = {};
  if (nameError) errors.fullName = nameError;
  if (agree !== 'yes') errors.agree = 'form.agreeMissing';
  return Object.keys(errors).length ? errors : undefined;
}

export function makeAcknowledgement(deps: AckDeps) {
  const { store, clock } = deps;

  const enqueue = (queue: Queue, message: WorkMessage) => sendHint(queue, message, deps.logger);

  /**
   * The language the assignment's starter reads `policy` in (language.ts languageFor): their
   * locale's when the policy has it, else English. The starter is read only for a translated policy.
   */
  async function languageOf(
    assignment: Assignment,
    policy?: PolicyVersion,
    consistency?: ReadConsistency,
  ): Promise<Language> {
    const text = policy ?? (await store.getPolicyVersion(assignment.policyId, assignment.policyVersion));
    if (!text?.translations || !Object.keys(text.translations).length) return DEFAULT_LANGUAGE;
    return languageFor((await store.getStarter(assignment.starterId, consistency))?.locale, text);
  }

  /**
   * The language a link's page speaks: the one its email was written in (kept with the send since
   * issue 18, so the starter need not be read), when the policy has it; else languageOf's.
   */
  async function linkLanguage(
    assignment: Assignment,
    policy: PolicyVersion,
    tokenId: string,
    consistency: ReadConsistency,
  ): Promise<Language> {
    const written = assignment.sends.find((s) => s.tokenId === tokenId)?.language;
    if (isLanguage(written) && (written === DEFAULT_LANGUAGE || policy.translations?.[written]))
      return written;
    return languageOf(assignment, policy, consistency);
  }

  /** A signed assignment's receipt: its text in the language the evidence says was signed. */
  const receiptOf = (policy: PolicyVersion, evidence: Evidence, signed: Assignment): AckView => ({
    kind: 'receipt',
    policy: shownIn(policy, evidenceLanguage(evidence)),
    evidence,
    already: true,
    ...zoneOf(signed),
  });

  async function load(
    token: string,
    consistency: ReadConsistency = 'strong',
  ): Promise<{ assignment: Assignment; policy: PolicyVersion; tokenId: string }> {
    const claims = verifyToken(deps.tokenKeys, token, 'ack', clock.now());
    const assignment = await store.getAssignment(claims.assignmentId, consistency);
    // A valid signature over a vanished assignment reads as a dead link, like any other.
    if (!assignment) throw new NotFoundError('assignment.not_found', 'The link is not valid.');
    const policy = await store.getPolicyVersion(assignment.policyId, assignment.policyVersion);
    if (!policy) throw new NotFoundError('policy.not_found', 'The policy version is missing.');
    return { assignment, policy, tokenId: claims.tokenId };
  }

  /**
   * A cancelled ask's page. One withdrawn for a newer version follows that ask (and any it led
   * to): its receipt if signed, else the version to sign instead; a leaver's says withdrawn.
   */
  async function withdrawn(assignment: Assignment, language: Language): Promise<AckView> {
    let by = assignment.supersededBy;
    for (let hops = 0; by && hops < MAX_SUPERSEDED_HOPS; hops++) {
      const newer = await store.getAssignment(by.assignmentId);
      if (!newer) break;
      if (newer.ack) {
        const policy = await store.getPolicyVersion(newer.policyId, newer.policyVersion);
        if (policy) return receiptOf(policy, newer.ack, newer);
      }
      if (newer.status !== 'cancelled')
        return { kind: 'withdrawn', newerVersion: newer.policyVersion, language };
      if (!newer.supersededBy) return { kind: 'withdrawn', language };
      by = newer.supersededBy;
    }
    return by ? { kind: 'withdrawn', newerVersion: by.version, language } : { kind: 'withdrawn', language };
  }

  /**
   * The SES message id of the email whose link was used: its token id is that email's attempt id.
   * The send record has it; if a crash lost the record, SES's own report of the attempt does.
   */
  async function emailThatCarried(assignment: Assignment, tokenId: string): Promise<string | null> {
    const recorded = assignment.sends.find((s) => s.tokenId === tokenId)?.messageId;
    return recorded ?? (await store.getSentAttempt(assignment.assignmentId, tokenId)) ?? null;
  }

  /**
   * The page with its forms: "I do not agree" offered while the version is declinable and fewer
   * than MAX_DECLINES are kept, and, after a decline, when it was (the agree form stays).
   */
  function formView(
    assignment: Assignment,
    policy: ShownPolicy,
    shown: string,
    extra: Partial<Extract<AckView, { kind: 'form' }>> = {},
  ): AckView {
    const declines = assignment.declines ?? [];
    const last = declines[declines.length - 1];
    const offered = policy.declinable === true && declines.length < MAX_DECLINES;
    const { decline, ...rest } = extra;
    return {
      kind: 'form',
      policy,
      shown,
      ...(offered && { decline: decline ?? {} }),
      ...(last && { declinedAt: last.declinedAt, ...zoneOf(assignment) }),
      ...rest,
    };
  }

  /** What the page saw of the person's answer, an agreement or a decline alike: their browser, the link, the email, the page. */
  async function traces(
    assignment: Assignment,
    submission: Pick<AckSubmission, 'ipAddress' | 'userAgent'>,
    tokenId: string,
    shownAt: Date | undefined,
  ) {
    return {
      ipAddress: submission.ipAddress,
      userAgent: submission.userAgent.slice(0, 512),
      tokenId,
      messageId: await emailThatCarried(assignment, tokenId),
      ...(shownAt && { pageShownAt: shownAt.toISOString() }),
    };
  }

  async function loadOrExpired(token: string, consistency?: ReadConsistency) {
    try {
      return await load(token, consistency);
    } catch (error) {
      return { view: await expired(token, error) };
    }
  }

  /**
   * An expired link still names its assignment (its MAC holds): offer a fresh link, unless the
   * policy was signed or the request withdrawn meanwhile. Any other token failure propagates.
   */
  async function expired(token: string, error: unknown): Promise<AckView> {
    if (!(error instanceof TokenError && error.code === 'token.expired')) throw error;
    const { assignmentId, tokenId } = inspectToken(deps.tokenKeys, token, 'ack');
    const assignment = await store.getAssignment(assignmentId);
    if (!assignment) throw new NotFoundError('assignment.not_found', 'The link is not valid.');
    const policy = await store.getPolicyVersion(assignment.policyId, assignment.policyVersion);
    if (assignment.ack && policy) return signedReceipt(assignment, assignment.ack, policy, tokenId);
    const language = await languageOf(assignment, policy);
    if (assignment.status === 'cancelled') return await withdrawn(assignment, language);
    return freshLinkOffer(assignmentId, language);
  }

  /** The expired-link page: its one button emails a fresh link to the address on file. */
  function freshLinkOffer(assignmentId: string, language: Language): AckView {
    const resendToken = signToken(deps.tokenKeys, {
      assignmentId,
      purpose: 'resend',
      expiresAt: new Date(clock.now().getTime() + RESEND_TOKEN_TTL_MS),
      tokenId: newTokenId(),
    });
    return { kind: 'expired', resendToken, language };
  }

  /**
   * Whether the link was emailed before the starter's address last changed (HR corrected a wrong
   * one; ingest dates it on each unsigned ask): whoever holds it read another's mailbox, so it
   * signs nothing. Read from the assignment, no other item. A link whose send record a crash lost
   * cannot be dated, and still signs.
   */
  function sentToAnOldAddress(assignment: Assignment, tokenId: string): boolean {
    const sentAt = assignment.sends.find((s) => s.tokenId === tokenId)?.at;
    const since = assignment.emailSince;
    return sentAt !== undefined && since !== undefined && Date.parse(sentAt) < Date.parse(since);
  }

  /**
   * A signed assignment's receipt, as its link shows it: not through a link emailed to an address
   * since replaced (the agreement was made from another, to the person's own address; the receipt
   * holds their typed name), which answers as any link that is not valid.
   */
  function signedReceipt(assignment: Assignment, evidence: Evidence, policy: PolicyVersion, tokenId: string) {
    if (sentToAnOldAddress(assignment, tokenId))
      throw new NotFoundError('assignment.not_found', 'The link is not valid.');
    return receiptOf(policy, evidence, assignment);
  }

  /**
   * GET: shows the policy version the assignment was issued for, or the receipt if already agreed.
   * Records nothing: mail scanners open links before people do.
   */
  async function showAcknowledgement(token: string): Promise<AckView> {
    // Eventually consistent: the page records nothing. Read in the second after an agreement it
    // shows the form again, and a POST from it records nothing twice (the conditional write) but
    // shows the receipt; a locale changed that second changes the page's language a second late,
    // and the form's stamp carries the language shown, so the agreement records what it showed.
    const loaded = await loadOrExpired(token, 'eventual');
    if ('view' in loaded) return loaded.view;
    const { assignment, policy, tokenId } = loaded;
    if (assignment.ack) return signedReceipt(assignment, assignment.ack, policy, tokenId);
    const language = await linkLanguage(assignment, policy, tokenId, 'eventual');
    if (assignment.status === 'cancelled') return await withdrawn(assignment, language);
    // The stamp signs the language shown, so the agreement records the text this page showed.
    const shown = stampShown(deps.tokenKeys, tokenId, clock.now(), language);
    return formView(assignment, shownIn(policy, language), shown);
  }

  /**
   * What an answer from the page (an agreement or a decline) starts from: the link's assignment,
   * unless a view answers it already (expired, signed, withdrawn), and the text it answers — in
   * the language the form's stamp says was shown (a locale changed since does not change what was
   * read); without a valid stamp, the starter's now.
   */
  async function answer(submission: Pick<AckSubmission, 'token' | 'shown'>): Promise<
    | { view: AckView }
    | {
        assignment: Assignment;
        text: PolicyVersion;
        policy: ShownPolicy;
        tokenId: string;
        now: Date;
        shownAt: Date | undefined;
        language: Language;
      }
  > {
    const loaded = await loadOrExpired(submission.token);
    if ('view' in loaded) return loaded;
    const { assignment, policy: text, tokenId } = loaded;
    if (assignment.ack) return { view: signedReceipt(assignment, assignment.ack, text, tokenId) };
    const now = clock.now();
    const stamp = readShownStamp(deps.tokenKeys, tokenId, submission.shown, now);
    const language = stamp?.language ?? (await languageOf(assignment, text));
    if (assignment.status === 'cancelled') return { view: await withdrawn(assignment, language) };
    // The page (GET) shows only the policy; an answer from a link sent to an old address gets the
    // expired-link page instead, whose button emails a fresh link to the address on file.
    if (sentToAnOldAddress(assignment, tokenId))
      return { view: freshLinkOffer(assignment.assignmentId, language) };
    return { assignment, text, policy: shownIn(text, language), tokenId, now, shownAt: stamp?.at, language };
  }

  /**
   * POST: records the agreement.
   * 1. Verify the token and re-read the assignment; an acknowledged one shows its receipt, and a
   *    link emailed before the starter's address changed the expired-link page (sentToAnOldAddress).
   * 2. Validate the form: a name refused by readTypedName or an unticked box re-shows it, storing
   *    nothing. The text agreed to is in the language the form's stamp says it was shown in (a
   *    locale changed since does not change what was read); without a valid stamp, the starter's now.
   * 3. Write the evidence, status, owed LMS deliveries and retention's reduce-ip step in one conditional update
   *    (attribute_not_exists(ack)): of any number of concurrent POSTs exactly one records, and
   *    every one of them gets the receipt of the one that did.
   * 4. Enqueue the LMS deliveries; if that fails the sweeper re-drives it from the table.
   */
  async function recordAcknowledgement(submission: AckSubmission): Promise<AckView> {
    const answering = await answer(submission);
    if ('view' in answering) return answering.view;
    const { assignment, text, policy, tokenId, now, shownAt, language } = answering;
    const { fullName, error: nameError } = readTypedName(submission.fullName);
    const errors = validate(nameError, submission.agree);
    if (errors) {
      // Re-shown, the form keeps the time it was first shown.
      const shown = shownAt
        ? (submission.shown as string)
        : stampShown(deps.tokenKeys, tokenId, now, language);
      return formView(assignment, policy, shown, { values: { fullName }, errors });
    }

    const evidence: Evidence = {
      evidenceId: newEvidenceId(),
      acknowledgedAt: now.toISOString(),
      ...agreedTo(policy),
      typedName: fullName,
      method: 'link',
      ...(await traces(assignment, submission, tokenId, shownAt)),
    };
    // Each destination's id is fixed now, so every retry and replay is recognisably the same.
    const outcome = await store.recordAcknowledgement(
      assignment.assignmentId,
      evidence,
      owedDeliveries(evidence.evidenceId, deps.deliveries),
      new Date(now.getTime() + deps.redriveAfterMs),
      reduceIpAt(now, deps.retention),
    );
    const recorded = outcome.assignment.ack;
    // Lost the race to a concurrent POST (show its receipt) or to a cancellation.
    if (!recorded) return await withdrawn(outcome.assignment, language);
    if (!outcome.recorded) return receiptOf(text, recorded, outcome.assignment);

    const { assignmentId } = assignment;
    // In one request: 'acknowledged' is new by construction (only the POST whose conditional write
    // recorded the agreement writes it), and so is 'opened', unless a decline from the same page
    // wrote it already — the same key and the same content, so putting it again changes nothing.
    await store.appendAudits(assignmentId, [
      ...(shownAt ? [{ kind: 'opened', at: shownAt, detail: { tokenId } }] : []),
      { kind: 'acknowledged', at: now, detail: { evidenceId: recorded.evidenceId, tokenId } },
    ]);
    await Promise.all([
      enqueue(deps.mailQueue, { assignmentId, kind: 'receipt' }),
      ...deps.deliveries.map((kind) => enqueue(deps.lmsQueue, { assignmentId, kind })),
    ]);
    deps.metrics.count('AcknowledgementRecorded');
    deps.logger.info('acknowledgement recorded', { assignmentId });
    return { kind: 'receipt', policy, evidence: recorded, already: false, ...zoneOf(outcome.assignment) };
  }

  /**
   * POST of "I do not agree": records a decline, with the reason.
   * 1. Verify the token and re-read the assignment: one signed shows its receipt, one withdrawn says
   *    so, a link emailed to an address since replaced gets the expired-link page.
   * 2. Refused, writing nothing, unless the version is declinable and fewer than MAX_DECLINES are
   *    kept; a name refused by readTypedName or a reason refused by readReason re-shows the form.
   * 3. One conditional write (not signed, not withdrawn, under the limit) appends the decline with
   *    the same evidence as an agreement and its reason, makes the status declined, stops the chase
   *    and owes the decline notice to the manager and HR; retention's reduce-ip step owed too.
   * 4. Audited (`declined`), the notice enqueued (the sweeper re-drives it if the message is lost).
   *    Nothing goes to the LMS. The page shows the agree form still: they can agree later.
   * Declining again is allowed (each is kept, each told) up to MAX_DECLINES.
   */
  async function recordDecline(submission: DeclineSubmission): Promise<AckView> {
    const answering = await answer(submission);
    if ('view' in answering) return answering.view;
    const { assignment, text, policy, tokenId, now, shownAt, language } = answering;
    const shown = shownAt ? (submission.shown as string) : stampShown(deps.tokenKeys, tokenId, now, language);
    if (policy.declinable !== true) {
      return formView(assignment, policy, shown, { declineRefused: 'decline.notDeclinable' });
    }
    if ((assignment.declines?.length ?? 0) >= MAX_DECLINES) {
      return formView(assignment, policy, shown, { declineRefused: 'decline.tooMany' });
    }
    const { fullName, error: nameError } = readTypedName(submission.fullName);
    const { reason, error: reasonError } = readReason(submission.reason);
    if (nameError || reasonError) {
      const errors: DeclineErrors = {
        ...(nameError && { fullName: nameError }),
        ...(reasonError && { reason: reasonError }),
      };
      return formView(assignment, policy, shown, { decline: { values: { fullName, reason }, errors } });
    }

    const decline: DeclineEvidence = {
      declineId: newEvidenceId(),
      declinedAt: now.toISOString(),
      ...agreedTo(policy),
      typedName: fullName,
      reason,
      ...(await traces(assignment, submission, tokenId, shownAt)),
    };
    const outcome = await store.recordDecline(
      assignment.assignmentId,
      decline,
      new Date(now.getTime() + deps.redriveAfterMs),
      reduceIpAt(now, deps.retention),
    );
    const current = outcome.assignment;
    if (!outcome.recorded) {
      // Lost a race: to an agreement (its receipt), a withdrawal, or another decline that filled the list.
      if (current.ack) return receiptOf(text, current.ack, current);
      if (current.status === 'cancelled') return await withdrawn(current, language);
      return formView(current, policy, shown, { declineRefused: 'decline.tooMany' });
    }

    const { assignmentId } = assignment;
    if (shownAt) await store.appendAudit(assignmentId, 'opened', shownAt, { tokenId });
    await store.appendAudit(assignmentId, 'declined', now, { declineId: decline.declineId, tokenId });
    await enqueue(deps.mailQueue, { assignmentId, kind: 'decline-notice' });
    deps.metrics.count('DeclineRecorded');
    deps.logger.info('decline recorded', { assignmentId });
    // Shown afresh: an agreement made from this page was shown it now.
    return formView(current, policy, stampShown(deps.tokenKeys, tokenId, now, language), {
      justDeclined: true,
    });
  }

  /**
   * POST from the expired-link page: makes a fresh invite owed, to the address on file (never one
   * typed in), at most once per interval per assignment.
   * 1. Verify the resend token (its own purpose, an hour's life).
   * 2. One conditional update makes the invite owed now, unless signed, withdrawn, owing other
   *    work, or asked for within the interval; the sweeper re-drives it if the message is lost.
   * 3. Enqueue the invite; the mailer sends it with a new link.
   * The answer is the same whether or not the interval held, so the page reveals nothing.
   */
  async function requestFreshLink(resendToken: string): Promise<AckView> {
    const { assignmentId } = verifyToken(deps.tokenKeys, resendToken, 'resend', clock.now());
    const now = clock.now();
    const requested = await store.requestFreshLink(
      assignmentId,
      now,
      new Date(now.getTime() - deps.freshLinkIntervalMs),
    );
    if (requested) {
      await store.appendAudit(assignmentId, 'fresh-link-requested', now);
      await enqueue(deps.mailQueue, { assignmentId, kind: 'invite' });
    }
    const assignment = await store.getAssignment(assignmentId);
    if (!assignment) return { kind: 'fresh-link-sent', language: DEFAULT_LANGUAGE };
    const policy = await store.getPolicyVersion(assignment.policyId, assignment.policyVersion);
    const language = await languageOf(assignment, policy);
    if (requested) return { kind: 'fresh-link-sent', language };
    if (assignment.status === 'cancelled') return await withdrawn(assignment, language);
    if (assignment.ack && policy) return receiptOf(policy, assignment.ack, assignment);
    return { kind: 'fresh-link-sent', language };
  }

  return { showAcknowledgement, recordAcknowledgement, recordDecline, requestFreshLink };
}

// Use case: do the step an assignment's mail lane owes — invite, reminder, escalation, manager digest, receipt, bounce notice, decline notice, renewal — once.
import type {
  AfterSend,
  Assignments,
  AuditTrail,
  Clock,
  Digests,
  DueWork,
  EmailAttachment,
  Logger,
  Mailer,
  MailWork,
  Metrics,
  Policies,
  Starters,
} from '../ports.ts';
import type { Certificate, CertificateInput } from './certificate.ts';
import { formatDate, formatDay } from './dates.ts';
import { EmailMaybeSentError, EmailThrottledError } from './errors.ts';
import { newTokenId } from './ids.ts';
import { type Language, languageFor, shownIn } from './language.ts';
import { type Lifecycle, type RenewalStore, signByFor } from './lifecycle.ts';
import type {
  BounceNoticeContent,
  DeclineNoticeContent,
  DigestContent,
  InviteContent,
  ReceiptContent,
  Rendered,
} from './mail-content.ts';
import type { makeOtherSteps } from './mail-steps.ts';
import type {
  Assignment,
  Chase,
  MailAttempt,
  MailKind,
  PolicyVersion,
  Starter,
  WorkMessage,
} from './model.ts';
import type { RetentionSettings } from './privacy/retention.ts';
import { type ChasePlan, chaseUntil, nextChaseStep } from './schedule.ts';
import { signToken, type TokenKeys } from './tokens.ts';

/** The mailer leases a mail-lane step, reads what the email needs, and records its outcome. */
export type MailStore = Pick<DueWork, 'claimWork' | 'releaseWork'> &
  Pick<MailWork, 'recordSend' | 'finishStep' | 'escalate' | 'getSentAttempt'> &
  Digests &
  Pick<Assignments, 'getAssignment'> &
  Pick<Starters, 'getStarter'> &
  Pick<Policies, 'getPolicyVersion'> &
  Pick<AuditTrail, 'appendAudit'> &
  RenewalStore;

export interface MailDeps {
  store: MailStore;
  mailer: Mailer;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /**
   * Counts the emails sent (`EmailSent`) and the sends that failed (`EmailSendFailed`), by kind, and
   * those SES throttled (`EmailThrottled`, by kind and quota).
   */
  metrics: Metrics;
  tokenKeys: TokenKeys;
  /**
   * Each kind's renderer (templates/*.ts): its email, or a promise of it from a renderer loaded
   * at its kind's first send (the mailer's bundle carries only the invite's at a cold start).
   */
  renderInvite: (content: InviteContent) => Rendered | Promise<Rendered>;
  renderReceipt: (content: ReceiptContent) => Rendered | Promise<Rendered>;
  renderDigest: (content: DigestContent) => Rendered | Promise<Rendered>;
  renderBounceNotice: (content: BounceNoticeContent) => Rendered | Promise<Rendered>;
  renderDeclineNotice: (content: DeclineNoticeContent) => Rendered | Promise<Rendered>;
  /** HR_NOTIFY_EMAIL: where decline notices go besides the manager; none when unset. */
  hrNotifyEmail?: string | undefined;
  /**
   * Makes the receipt's PDF certificate (shared/core/certificate.ts with its font): given here so
   * the PDF library is loaded by the mailer only, and only when a receipt is sent.
   */
  makeCertificate: (input: CertificateInput) => Promise<Certificate>;
  /** The chase for a policy: reminder offsets, escalation and send window (its overrides or the defaults). */
  planFor: (policyId: string) => ChasePlan;
  /**
   * A policy's re-attestation period and sign-by period (front matter `reattest:`, `due:`, and
   * REATTEST_EVERY); none when not given: no renewal is owed, and the chase's escalation offset
   * alone decides when a request is overdue.
   */
  lifecycleFor?: (policyId: string) => Lifecycle;
  /** How long a manager's digest collects escalations before it is sent. */
  digestDelayMs: number;
  /** RETAIN_EVIDENCE: how long a manager's digest is kept after its day. */
  retention: Pick<RetentionSettings, 'evidence'>;
  publicBaseUrl: string;
  organisationName: string;
  tokenTtlMs: number;
  /** How long a worker holds the send; longer than one SES call, shorter than a queue retry. */
  leaseMs: number;
  /**
   * How long after an interrupted attempt began its step waits for SES's word that the email went
   * (from SES's own events) before sending it again: the "maybe sent" grace.
   */
  maybeSentGraceMs: number;
}

export type MailOutcome = 'sent' | 'escalated' | 'renewed' | 'not-needed' | 'deferred' | 'not-owed' | 'busy';

/** An email a step sends, or why it needs none (recorded in the audit trail). */
export type Composed =
  | {
      to: string;
      /** Further recipients of the same email (a decline notice's HR). */
      alsoTo?: string[];
      email: Rendered;
      tokenId?: string;
      /** The language of an email carrying a link, kept with its send for the page the link opens. */
      language?: Language;
      audit: string;
      /** More for the audit entry than the message id (never an address). */
      detail?: Record<string, string>;
      after: AfterSend;
      attachments?: EmailAttachment[];
      /** Recorded once the email has gone (a digest's sending). */
      sent?: (at: Date, messageId: string) => Promise<void>;
    }
  | { skip: string };

const DAY_MS = 86_400_000;

/** The locale dates are written in for a language: British English, or the language itself (Intl knows Welsh). */
export const dateLocale = (language: Language) => (language === 'en' ? 'en-GB' : language);

/**
 * Does the one step an assignment's mail lane owes.
 * 1. Re-read the assignment: nothing is done unless that step is still owed (not acknowledged,
 *    cancelled or bounced meanwhile) — queue messages are hints, the table is the truth.
 * 2. Lease it by conditional update, so a duplicate message or an overlapping sweep does nothing.
 * 3. Do it: an invite or reminder mints a fresh link; an escalation joins the manager's digest of
 *    the day; a digest lists the manager's starters still unsigned; a receipt restates the evidence.
 * 4. Record it and what falls due next (the next reminder, the escalation, or nothing), conditional
 *    on the lease; append it to the audit trail.
 * A failure before the email left gives the lease back and throws, so SQS retries it; should
 * everything fail the step stays owed and the sweeper re-drives it.
 */
export function makeSendEmail(deps: MailDeps) {
  const { store, clock, logger } = deps;
  const lifecycleFor: (policyId: string) => Lifecycle = deps.lifecycleFor ?? (() => ({}));

  /**
   * The steps other than the invite and reminders (mail-steps.ts), loaded at the first of them,
   * once: most sends are invites and reminders, and a cold start need not load the rest (issue 18).
   */
  let others: Promise<ReturnType<typeof makeOtherSteps>> | undefined;
  const otherSteps = () => {
    others ??= import('./mail-steps.ts').then((steps) => steps.makeOtherSteps(deps, lifecycleFor));
    return others;
  };

  /** A link whose token id is the attempt's id, so the evidence names the email that carried it. */
  function link(assignment: Assignment, now: Date, tokenId: string) {
    const expiresAt = new Date(now.getTime() + deps.tokenTtlMs);
    const token = signToken(deps.tokenKeys, {
      assignmentId: assignment.assignmentId,
      purpose: 'ack',
      expiresAt,
      tokenId,
    });
    return { tokenId, expiresAt, url: `${deps.publicBaseUrl}/ack/${token}` };
  }

  /** The invite or a reminder: a fresh link, and the chase's next step after it. */
  async function chaseEmail(
    kind: 'invite' | 'reminder',
    assignment: Assignment,
    starter: Starter,
    policy: PolicyVersion,
    now: Date,
    attemptId: string,
  ): Promise<Composed> {
    const chase: Chase = {
      invitedAt: assignment.chase?.invitedAt ?? now.toISOString(),
      remindersSent: (assignment.chase?.remindersSent ?? 0) + (kind === 'reminder' ? 1 : 0),
    };
    const invitedAt = new Date(chase.invitedAt);
    // The sign-by date is fixed at the first invite (a request invited before `due:` was given has none).
    const due = lifecycleFor(assignment.policyId).due;
    const signBy =
      assignment.signBy ??
      (due && !assignment.chase ? signByFor(starter, invitedAt, due).toISOString() : undefined);
    const plan = chaseUntil(
      deps.planFor(assignment.policyId),
      invitedAt,
      signBy ? new Date(signBy) : undefined,
    );
    const dueOn = new Date(invitedAt.getTime() + plan.escalationOffsetMs);
    const { tokenId, expiresAt, url } = link(assignment, now, attemptId);
    // In the language the page will show: the starter's, when the policy has it (else English).
    const language = languageFor(starter.locale, policy);
    const shown = shownIn(policy, language);
    const locale = dateLocale(language);
    const email = await deps.renderInvite({
      language,
      publicBaseUrl: deps.publicBaseUrl,
      organisationName: deps.organisationName,
      givenName: starter.givenName,
      policyTitle: shown.title,
      policyVersion: policy.version,
      keyPoints: shown.keyPoints,
      ackUrl: url,
      expiresOn: formatDate(expiresAt, starter.timeZone, locale),
      startDate: formatDay(starter.startDate, locale),
      reacknowledge: assignment.reason === 'reacknowledge',
      ...(assignment.reason === 'reattest' && { renewal: true }),
      ...(signBy && { signBy: formatDate(new Date(signBy), starter.timeZone, locale) }),
      ...(shown.changes && { changes: shown.changes }),
      ...(kind === 'reminder' && {
        reminder: {
          number: chase.remindersSent,
          last: chase.remindersSent >= plan.reminderOffsetsMs.length,
          daysLeft: Math.ceil((dueOn.getTime() - now.getTime()) / DAY_MS),
          dueOn: formatDate(dueOn, starter.timeZone, locale),
        },
      }),
    });
    const audit = kind === 'invite' ? 'invited' : `reminded-${chase.remindersSent}`;
    const to = starter.email;
    // A fresh link for someone already escalated (or bounced and re-sent), or who declined, chases no further.
    if (assignment.status === 'overdue' || assignment.status === 'declined') {
      return { to, email, tokenId, language, audit, after: { chase } };
    }
    const step = nextChaseStep(plan, invitedAt, chase.remindersSent, starter.timeZone, now);
    return {
      to,
      email,
      tokenId,
      language,
      audit,
      after: {
        next: { kind: step.kind, dueAt: step.dueAt },
        chase,
        status: 'invited',
        ...(signBy && !assignment.signBy && { signBy }),
      },
    };
  }

  /**
   * The attempt this step's email goes under. An earlier attempt at the step that no send record
   * names was interrupted (a crash between SES and the table): if SES has since reported sending
   * it, that email is the step's and is recorded without sending again; if not, it may still have
   * gone, so the step waits until `maybeSentGraceMs` after that attempt began before sending anew.
   * SES has no idempotency key: an email SES took but never reported in the grace goes twice.
   */
  async function attemptFor(
    current: Assignment,
    kind: MailAttempt['kind'],
    now: Date,
  ): Promise<{ next: MailAttempt; sentAs?: string } | 'maybe-sent'> {
    const prior = current.attempt;
    const recorded = (id: string) => current.sends.some((s) => (s.attemptId ?? s.tokenId) === id);
    if (prior && prior.kind === kind && !recorded(prior.id)) {
      const sentAs = await store.getSentAttempt(current.assignmentId, prior.id);
      if (sentAs) return { next: prior, sentAs };
      if (now.getTime() < Date.parse(prior.startedAt) + deps.maybeSentGraceMs) return 'maybe-sent';
    }
    return { next: { id: newTokenId(), kind, startedAt: now.toISOString() } };
  }

  /** `delivery`: how many times the queue has handed this message over (1 the first time), for the logs. */
  /**
   * Leases the step, with the attempt its email goes under. The usual case first, in one request
   * and without reading the assignment: the step is owed (and still the message's), unleased, and
   * no attempt at it is on record (none, or another step's). Failing that — not owed, leased, or an
   * earlier attempt at this step to look into — the assignment is read and the claim made as
   * attemptFor decides; a message for work no longer owed then reads as `not-owed`.
   */
  async function claim(
    message: WorkMessage,
    kind: MailKind,
    now: Date,
  ): Promise<
    | { assignment: Assignment; attempt: { next: MailAttempt; sentAs?: string } | undefined }
    | 'not-owed'
    | 'busy'
  > {
    const { assignmentId } = message;
    const leaseUntil = new Date(now.getTime() + deps.leaseMs);
    // An escalation or a renewal sends nothing itself (the digest, the new invite are steps of their own): no attempt.
    const silent = kind === 'escalation' || kind === 'renewal';
    const fresh: MailAttempt | undefined = silent
      ? undefined
      : { id: newTokenId(), kind: kind as MailAttempt['kind'], startedAt: now.toISOString() };
    const claimed = await store.claimWork(
      assignmentId,
      kind,
      now,
      leaseUntil,
      message.dueAt,
      fresh && { next: fresh, otherKindOnly: true },
    );
    if (claimed) return { assignment: claimed, attempt: fresh && { next: fresh } };

    const current = await store.getAssignment(assignmentId);
    if (current?.dueKind !== kind) return 'not-owed';
    // A sweeper's message names the due time it dispatched: once that step is done it is stale.
    if (message.dueAt !== undefined && current.dueAt !== message.dueAt) return 'not-owed';
    const attempt = silent ? undefined : await attemptFor(current, kind as MailAttempt['kind'], now);
    if (attempt === 'maybe-sent') {
      logger.info('waiting for SES to report an interrupted attempt', {
        assignmentId,
        kind,
        attemptId: current.attempt?.id,
      });
      return 'busy';
    }
    const assignment = await store.claimWork(
      assignmentId,
      kind,
      now,
      leaseUntil,
      message.dueAt,
      attempt && { next: attempt.next, seen: current.attempt?.id },
    );
    return assignment ? { assignment, attempt } : 'busy';
  }

  return async function sendEmail(message: WorkMessage, delivery?: number): Promise<MailOutcome> {
    const { assignmentId } = message;
    const kind = message.kind as MailKind;
    const now = clock.now();
    const claimed = await claim(message, kind, now);
    if (typeof claimed === 'string') return claimed;
    const { assignment, attempt } = claimed;
    const attemptId = attempt?.next.id ?? '';
    // An email SES reported went when its attempt began: the chase counts from then.
    const sentAt = attempt?.sentAs ? new Date(attempt.next.startedAt) : now;
    let messageId: string | undefined;
    let sending = false;
    try {
      const [starter, policy] = await Promise.all([
        store.getStarter(assignment.starterId),
        store.getPolicyVersion(assignment.policyId, assignment.policyVersion),
      ]);
      if (!starter || !policy) throw new Error('assignment refers to a missing starter or policy version');
      let composed: Composed;
      if (kind === 'invite' || kind === 'reminder') {
        composed = await chaseEmail(kind, assignment, starter, policy, sentAt, attemptId);
      } else {
        const others = await otherSteps();
        if (kind === 'escalation') return await others.escalation(assignment, starter, now);
        if (kind === 'renewal') return await others.renewal(assignment, starter, now);
        composed =
          kind === 'receipt'
            ? await others.receipt(assignment, starter, policy, sentAt)
            : kind === 'digest'
              ? await others.digest(assignment)
              : kind === 'decline-notice'
                ? await others.declineNotice(assignment, starter, policy)
                : await others.bounceNotice(assignment, starter, policy);
      }
      if ('skip' in composed) {
        await store.finishStep(assignmentId, kind);
        await store.appendAudit(assignmentId, composed.skip, now);
        return 'sent';
      }
      if (attempt?.sentAs) {
        messageId = attempt.sentAs;
        logger.info('an interrupted attempt was sent: recorded, not sent again', {
          assignmentId,
          kind,
          attemptId,
        });
      } else {
        sending = true;
        messageId = await deps.mailer.send({
          to: composed.to,
          ...(composed.alsoTo && { alsoTo: composed.alsoTo }),
          ...composed.email,
          tags: { kind, policy: policy.policyId, assignment: assignmentId, attempt: attemptId },
          ...(composed.attachments && { attachments: composed.attachments }),
          headers: {
            'X-Attest-Assignment': assignmentId,
            'X-Attest-Kind': kind,
            'X-Attest-Attempt': attemptId,
          },
        });
        sending = false;
      }
      const at = clock.now();
      const { tokenId, language } = composed;
      await store.recordSend(
        assignmentId,
        {
          kind,
          messageId,
          at: at.toISOString(),
          attemptId,
          subject: composed.email.subject,
          ...(tokenId && { tokenId }),
          ...(language && { language }),
        },
        composed.after,
      );
      await composed.sent?.(at, messageId);
      await store.appendAudit(assignmentId, composed.audit, at, {
        messageId,
        ...(tokenId && { tokenId }),
        ...composed.detail,
      });
      deps.metrics.count('EmailSent', { kind });
      logger.info(`${kind} sent`, { assignmentId, messageId });
      return 'sent';
    } catch (error) {
      const maybeSent = error instanceof EmailMaybeSentError;
      if (sending && error instanceof EmailThrottledError) {
        // SES's rate or daily quota: a wait, not a failure (the caller puts the step back on its queue).
        deps.metrics.count('EmailThrottled', { kind, quota: error.quota });
      } else if (sending) {
        // No address, no name: which email, which try, and what SES said.
        logger.warn('email send failed', {
          assignmentId,
          kind,
          attemptId,
          ...(delivery !== undefined && { attempt: delivery }),
          error: error instanceof Error ? error.name : typeof error,
          maybeSent,
        });
        deps.metrics.count('EmailSendFailed', { kind });
      } else if (messageId !== undefined) {
        logger.error('email sent but not recorded', { assignmentId, kind, attemptId, messageId });
      }
      // Before SES took the email, give the lease back so the retry can send at once (forgetting
      // the attempt, unless SES may have taken it after all: then the retry waits for its word).
      // After, keep it: the retry must wait for the lease to lapse and then finds the attempt.
      if (messageId === undefined) {
        await store
          .releaseWork(assignmentId, kind, sending && !maybeSent && attempt ? attemptId : undefined)
          .catch(() => undefined);
      }
      throw error;
    }
  };
}

// Use case: send the email an assignment owes (the invite with a fresh signed link, or the receipt), once.
import type { Clock, Logger, Mailer, Store } from '../ports.ts';
import { newTokenId } from './ids.ts';
import type { Assignment, MailKind, PolicyVersion, Starter, WorkMessage } from './model.ts';
import { signToken, type TokenKeys } from './tokens.ts';

export interface InviteContent {
  organisationName: string;
  givenName: string;
  policyTitle: string;
  policyVersion: number;
  keyPoints: string[];
  ackUrl: string;
  expiresOn: string;
  startDate: string;
  reacknowledge: boolean;
}

export interface ReceiptContent {
  organisationName: string;
  givenName: string;
  typedName: string;
  policyTitle: string;
  policyVersion: number;
  effectiveDate: string;
  statement: string;
  acknowledgedAt: string;
  acknowledgedAtUtc: string;
  evidenceId: string;
  policySha256: string;
}

type Rendered = { subject: string; html: string; text: string };

export interface MailDeps {
  store: Store;
  mailer: Mailer;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn'>;
  tokenKeys: TokenKeys;
  renderInvite: (content: InviteContent) => Rendered;
  renderReceipt: (content: ReceiptContent) => Rendered;
  publicBaseUrl: string;
  organisationName: string;
  tokenTtlMs: number;
  /** How long a worker holds the send; longer than one SES call, shorter than a queue retry. */
  leaseMs: number;
}

export type MailOutcome = 'sent' | 'not-owed' | 'busy';

/** "24 December 2026" in the starter's time zone: how people read a date in an email. */
export function formatDate(at: Date, timeZone: string, locale = 'en-GB'): string {
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone }).format(
    at,
  );
}

/** "26 November 2026 at 09:14 (Europe/London)": a moment as the starter lived it. */
export function formatMoment(at: Date, timeZone: string, locale = 'en-GB'): string {
  const time = new Intl.DateTimeFormat(locale, {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  });
  return `${formatDate(at, timeZone, locale)} at ${time.format(at)} (${timeZone})`;
}

/**
 * Sends the one email an assignment's mail lane owes.
 * 1. Re-read the assignment: nothing is sent unless that email is still owed (an invite not yet
 *    sent, acknowledged or cancelled; a receipt not yet sent) — queue messages are hints, the
 *    table is the truth.
 * 2. Lease it by conditional update, so a duplicate message or an overlapping sweep sends nothing.
 * 3. Compose: an invite mints a fresh token (a link that never carries personal data); a receipt
 *    restates the evidence. Render, send through SES.
 * 4. Record the message id (and token id), clearing the owed email, conditional on the lease;
 *    append it to the audit trail.
 * A failed send gives the lease back and throws, so SQS retries it; should everything fail the
 * email stays owed and the sweeper re-drives it.
 */
export function makeSendEmail(deps: MailDeps) {
  const { store, clock, logger } = deps;

  function invite(assignment: Assignment, starter: Starter, policy: PolicyVersion, now: Date) {
    const tokenId = newTokenId();
    const expiresAt = new Date(now.getTime() + deps.tokenTtlMs);
    const token = signToken(deps.tokenKeys, {
      assignmentId: assignment.assignmentId,
      purpose: 'ack',
      expiresAt,
      tokenId,
    });
    const email = deps.renderInvite({
      organisationName: deps.organisationName,
      givenName: starter.givenName,
      policyTitle: policy.title,
      policyVersion: policy.version,
      keyPoints: policy.keyPoints,
      ackUrl: `${deps.publicBaseUrl}/ack/${token}`,
      expiresOn: formatDate(expiresAt, starter.timeZone),
      startDate: formatDate(new Date(`${starter.startDate}T12:00:00Z`), 'UTC'),
      reacknowledge: assignment.reason === 'reacknowledge',
    });
    return { email, tokenId, audit: 'invited' };
  }

  function receipt(assignment: Assignment, starter: Starter, policy: PolicyVersion) {
    const evidence = assignment.ack;
    if (!evidence) throw new Error('a receipt is owed for an assignment with no evidence');
    const at = new Date(evidence.acknowledgedAt);
    const email = deps.renderReceipt({
      organisationName: deps.organisationName,
      givenName: starter.givenName,
      typedName: evidence.typedName,
      policyTitle: evidence.policyTitle,
      policyVersion: evidence.policyVersion,
      effectiveDate: formatDate(new Date(`${policy.effectiveDate}T12:00:00Z`), 'UTC'),
      statement: evidence.statement,
      acknowledgedAt: formatMoment(at, starter.timeZone),
      acknowledgedAtUtc: evidence.acknowledgedAt,
      evidenceId: evidence.evidenceId,
      policySha256: evidence.policySha256,
    });
    return { email, tokenId: undefined, audit: 'receipt-sent' };
  }

  return async function sendEmail(message: WorkMessage): Promise<MailOutcome> {
    const { assignmentId } = message;
    const kind = message.kind as MailKind;
    const current = await store.getAssignment(assignmentId);
    if (current?.dueKind !== kind) return 'not-owed';
    const now = clock.now();
    const assignment = await store.claimWork(assignmentId, kind, now, new Date(now.getTime() + deps.leaseMs));
    if (!assignment) return 'busy';
    let messageId: string | undefined;
    try {
      const [starter, policy] = await Promise.all([
        store.getStarter(assignment.starterId),
        store.getPolicyVersion(assignment.policyId, assignment.policyVersion),
      ]);
      if (!starter || !policy) throw new Error('assignment refers to a missing starter or policy version');
      const composed =
        kind === 'invite' ? invite(assignment, starter, policy, now) : receipt(assignment, starter, policy);
      messageId = await deps.mailer.send({
        to: starter.email,
        ...composed.email,
        tags: { kind, policy: policy.policyId },
        headers: { 'X-Attest-Assignment': assignmentId },
      });
      const at = clock.now();
      const tokenId = composed.tokenId;
      await store.recordSend(assignmentId, {
        kind,
        messageId,
        at: at.toISOString(),
        ...(tokenId && { tokenId }),
      });
      await store.appendAudit(assignmentId, composed.audit, at, { messageId, ...(tokenId && { tokenId }) });
      logger.info(`${kind} sent`, { assignmentId, messageId });
      return 'sent';
    } catch (error) {
      // Before SES took the email, give the lease back so the retry can send at once. After, keep
      // it: the retry must wait for the lease to lapse, which narrows a double send to a crash
      // between SES and the table.
      if (messageId === undefined) await store.releaseWork(assignmentId, kind).catch(() => undefined);
      throw error;
    }
  };
}

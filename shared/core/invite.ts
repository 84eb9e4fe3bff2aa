// Use case: send the invite an assignment owes, with a fresh signed link, exactly once.
import type { Clock, Logger, Mailer, Store } from '../ports.ts';
import { newTokenId } from './ids.ts';
import type { PolicyVersion, Starter, WorkMessage } from './model.ts';
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
}

export interface InviteDeps {
  store: Store;
  mailer: Mailer;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn'>;
  tokenKeys: TokenKeys;
  renderInvite: (content: InviteContent) => { subject: string; html: string; text: string };
  publicBaseUrl: string;
  organisationName: string;
  tokenTtlMs: number;
  /** How long a worker holds the send; longer than one SES call, shorter than a queue retry. */
  leaseMs: number;
}

export type InviteOutcome = 'sent' | 'not-owed' | 'busy';

/** "24 December 2026" in the starter's time zone: how people read a date in an email. */
export function formatDate(at: Date, timeZone: string, locale = 'en-GB'): string {
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone }).format(
    at,
  );
}

/**
 * Sends one owed invite.
 * 1. Re-read the assignment: nothing is sent unless an invite is still owed (not yet sent,
 *    acknowledged or cancelled) — queue messages are hints, the table is the truth.
 * 2. Lease it by conditional update, so a duplicate message or an overlapping sweep sends nothing.
 * 3. Mint a fresh token (a link that never carries personal data), render, send through SES.
 * 4. Record the message id and token id, clearing the owed invite, conditional on the lease.
 * A failed send gives the lease back and throws, so SQS retries it; should everything fail the
 * invite stays owed and the sweeper re-drives it.
 */
export function makeSendInvite(deps: InviteDeps) {
  const { store, clock, logger } = deps;

  function content(starter: Starter, policy: PolicyVersion, token: string, expiresAt: Date): InviteContent {
    return {
      organisationName: deps.organisationName,
      givenName: starter.givenName,
      policyTitle: policy.title,
      policyVersion: policy.version,
      keyPoints: policy.keyPoints,
      ackUrl: `${deps.publicBaseUrl}/ack/${token}`,
      expiresOn: formatDate(expiresAt, starter.timeZone),
      startDate: formatDate(new Date(`${starter.startDate}T12:00:00Z`), 'UTC'),
    };
  }

  return async function sendInvite(message: WorkMessage): Promise<InviteOutcome> {
    const { assignmentId } = message;
    const current = await store.getAssignment(assignmentId);
    if (current?.dueKind !== 'invite') return 'not-owed';
    const now = clock.now();
    const assignment = await store.claimWork(
      assignmentId,
      'invite',
      now,
      new Date(now.getTime() + deps.leaseMs),
    );
    if (!assignment) return 'busy';
    let messageId: string | undefined;
    try {
      const [starter, policy] = await Promise.all([
        store.getStarter(assignment.starterId),
        store.getPolicyVersion(assignment.policyId, assignment.policyVersion),
      ]);
      if (!starter || !policy) throw new Error('assignment refers to a missing starter or policy version');
      const tokenId = newTokenId();
      const expiresAt = new Date(now.getTime() + deps.tokenTtlMs);
      const token = signToken(deps.tokenKeys, { assignmentId, purpose: 'ack', expiresAt, tokenId });
      const email = deps.renderInvite(content(starter, policy, token, expiresAt));
      messageId = await deps.mailer.send({
        to: starter.email,
        ...email,
        tags: { kind: 'invite', policy: policy.policyId },
        headers: { 'X-Attest-Assignment': assignmentId },
      });
      await store.recordSend(assignmentId, {
        kind: 'invite',
        tokenId,
        messageId,
        at: clock.now().toISOString(),
      });
      await store.appendAudit(assignmentId, 'invited', clock.now(), { messageId, tokenId });
      logger.info('invite sent', { assignmentId, messageId });
      return 'sent';
    } catch (error) {
      // Before SES took the email, give the lease back so the retry can send at once. After, keep
      // it: the retry must wait for the lease to lapse, which narrows a double send to a crash
      // between SES and the table.
      if (messageId === undefined) await store.releaseWork(assignmentId, 'invite').catch(() => undefined);
      throw error;
    }
  };
}

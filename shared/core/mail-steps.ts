// The mail lane's steps only some sends owe (receipt, manager digest, bounce and decline notices, escalation, renewal): makeSendEmail loads them at the first, so the mailer's cold start carries only the invite's and reminder's (issue 18).
import type { CertificateInput } from './certificate.ts';
import { formatDate, formatDay, formatMoment } from './dates.ts';
import { escalateToDigest } from './escalation.ts';
import { evidenceLanguage } from './language.ts';
import { type Lifecycle, renewAgreement, renewsAt } from './lifecycle.ts';
import { type Composed, dateLocale, type MailDeps, type MailOutcome } from './mail.ts';
import type { DigestContent } from './mail-content.ts';
import type { Assignment, PolicyVersion, Starter } from './model.ts';

/** The steps of makeSendEmail other than the invite and reminders, on its dependencies. */
export function makeOtherSteps(deps: MailDeps, lifecycleFor: (policyId: string) => Lifecycle) {
  const { store, clock } = deps;

  /**
   * The receipt: the evidence restated, and its PDF certificate attached. The certificate's settings
   * (the organisation's name, the starter's time zone) are those of this send, recorded with it;
   * a receipt sent again after a crash makes it again from the same evidence — the same bytes
   * unless ORGANISATION_NAME or the starter's time zone changed in between, and the record is the
   * one the last email carried.
   */
  async function receipt(
    assignment: Assignment,
    starter: Starter,
    policy: PolicyVersion,
    now: Date,
  ): Promise<Composed> {
    const evidence = assignment.ack;
    if (!evidence) throw new Error('a receipt is owed for an assignment with no evidence');
    const at = new Date(evidence.acknowledgedAt);
    const input: CertificateInput = {
      assignmentId: assignment.assignmentId,
      evidence,
      organisationName: deps.organisationName,
      timeZone: starter.timeZone,
    };
    const certificate = await deps.makeCertificate(input);
    // In the language signed in: the evidence's title, statement and hash are that language's.
    const language = evidenceLanguage(evidence);
    const locale = dateLocale(language);
    const email = await deps.renderReceipt({
      language,
      publicBaseUrl: deps.publicBaseUrl,
      organisationName: deps.organisationName,
      givenName: starter.givenName,
      typedName: evidence.typedName,
      policyTitle: evidence.policyTitle,
      policyVersion: evidence.policyVersion,
      effectiveDate: formatDay(policy.effectiveDate, locale),
      statement: evidence.statement,
      acknowledgedAt: formatMoment(at, starter.timeZone, locale),
      acknowledgedAtUtc: evidence.acknowledgedAt,
      evidenceId: evidence.evidenceId,
      policySha256: evidence.policySha256,
      certificateFileName: certificate.fileName,
      ...(evidence.method === 'on-behalf' && {
        onBehalf: { recordedOn: formatDate(at, starter.timeZone, locale) },
      }),
    });
    // With a re-attestation period, the lane owes the renewal next: when the agreement is that old.
    const renewAt = renewsAt(assignment, lifecycleFor(assignment.policyId).reattest);
    return {
      to: starter.email,
      email,
      audit: 'receipt-sent',
      after: {
        ...(renewAt && { next: { kind: 'renewal' as const, dueAt: renewAt } }),
        certificate: {
          sha256: certificate.sha256,
          fileName: certificate.fileName,
          organisationName: input.organisationName,
          timeZone: input.timeZone,
          format: certificate.format,
          madeAt: now.toISOString(),
        },
      },
      attachments: [
        { fileName: certificate.fileName, contentType: 'application/pdf', content: certificate.bytes },
      ],
    };
  }

  async function bounceNotice(
    assignment: Assignment,
    starter: Starter,
    policy: PolicyVersion,
  ): Promise<Composed> {
    const manager = starter.manager;
    if (!manager) return { skip: 'bounce-notice-not-needed' };
    const email = await deps.renderBounceNotice({
      organisationName: deps.organisationName,
      managerName: manager.name,
      starterName: `${starter.givenName} ${starter.familyName}`,
      email: assignment.bounce?.email ?? starter.email,
      policyTitle: policy.title,
      reason: assignment.bounce?.reason ?? 'bounced',
    });
    return { to: manager.email, email, audit: 'manager-told-of-bounce', after: {} };
  }

  /**
   * The decline notice: to the manager on file and HR_NOTIFY_EMAIL (one email to both), naming the
   * person, the policy and every decline kept with its reason. With neither, nobody can be told:
   * the step is recorded as such (`decline-notice-no-one-to-tell`); the report and console show
   * the decline regardless.
   */
  async function declineNotice(
    assignment: Assignment,
    starter: Starter,
    policy: PolicyVersion,
  ): Promise<Composed> {
    const declines = assignment.declines ?? [];
    if (!declines.length) throw new Error('a decline notice is owed for an assignment with no decline');
    const manager = starter.manager;
    const hr = deps.hrNotifyEmail;
    const told = [...(manager ? ['manager'] : []), ...(hr ? ['hr'] : [])];
    const addresses = [manager?.email, hr].filter((a): a is string => Boolean(a));
    const [to, ...rest] = addresses.filter(
      (a, i) => addresses.findIndex((b) => b.toLowerCase() === a.toLowerCase()) === i,
    );
    if (!to) return { skip: 'decline-notice-no-one-to-tell' };
    const email = await deps.renderDeclineNotice({
      organisationName: deps.organisationName,
      greeting: manager ? manager.name : 'HR team',
      starterName: `${starter.givenName} ${starter.familyName}`.trim(),
      employeeId: starter.employeeId,
      policyTitle: policy.title,
      policyVersion: policy.version,
      declines: declines.map((d) => ({
        on: formatMoment(new Date(d.declinedAt), starter.timeZone),
        reason: d.reason,
      })),
    });
    return {
      to,
      ...(rest.length && { alsoTo: rest }),
      email,
      audit: 'decline-notice-sent',
      detail: { told: told.join('+') },
      after: {},
    };
  }

  /**
   * The digest: close it to late joiners (the first member to close it sends it; a retry after a
   * crash finds it closed by itself), list those still unsigned, send one email.
   */
  async function digest(assignment: Assignment): Promise<Composed> {
    const key = assignment.digest;
    if (!key) throw new Error('a digest is owed by an assignment that joined none');
    const closed = await store.closeDigest(key, assignment.assignmentId, clock.now());
    if (!closed) throw new Error('the digest this assignment joined is missing');
    if (closed.closedBy !== assignment.assignmentId) return { skip: 'digest-sent-by-another-member' };
    const people: DigestContent['people'] = [];
    for (const id of [...closed.members].sort()) {
      const member = await store.getAssignment(id);
      // A member who declined since was told of in a decline notice: not "yet to sign" in this one.
      if (
        !member ||
        member.ack ||
        member.status === 'cancelled' ||
        member.status === 'bounced' ||
        member.status === 'declined'
      )
        continue;
      const [starter, policy] = await Promise.all([
        store.getStarter(member.starterId),
        store.getPolicyVersion(member.policyId, member.policyVersion),
      ]);
      if (!starter || !policy || starter.status === 'cancelled') continue;
      people.push({
        name: `${starter.givenName} ${starter.familyName}`,
        email: starter.email,
        policyTitle: policy.title,
        policyVersion: policy.version,
        invitedOn: member.chase ? formatDate(new Date(member.chase.invitedAt), starter.timeZone) : 'not yet',
        reminders: member.chase?.remindersSent ?? 0,
      });
    }
    // Everyone signed or left meanwhile: nobody to tell about.
    if (!people.length) return { skip: 'digest-not-needed' };
    const email = await deps.renderDigest({
      organisationName: deps.organisationName,
      managerName: closed.managerName,
      people,
    });
    return {
      to: closed.managerEmail,
      email,
      audit: 'digest-sent',
      after: {},
      sent: (at, messageId) => store.recordDigestSent(key, at, messageId),
    };
  }

  /** An escalation joins the manager's digest of the day; it sends nothing itself. */
  const escalation = (assignment: Assignment, starter: Starter, now: Date): Promise<MailOutcome> =>
    escalateToDigest(deps, assignment, starter, now);

  /** A renewal opens the agreement's next request (its invite a step of its own); it sends nothing itself. */
  const renewal = (assignment: Assignment, starter: Starter, now: Date): Promise<MailOutcome> =>
    renewAgreement({ ...deps, lifecycleFor }, assignment, starter, now);

  return { receipt, bounceNotice, declineNotice, digest, escalation, renewal };
}

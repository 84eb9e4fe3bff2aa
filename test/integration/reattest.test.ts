// Re-attestation on a stack of its own with a short period: a signer is asked again about 40 s after signing, and the first agreement is kept.
import { describe, expect, it } from 'vitest';
import { renewalIdFor } from '#shared/core/ids.ts';
import type { LocalStack } from '../../local/stack.ts';
import {
  ackLink,
  emailsTo,
  type StoredEmail,
  signsOn,
  table,
  usePrivateStack,
  waitFor,
} from '../support/local.ts';

/** Whether an email carries a signing link (an invite or reminder; not the receipt). */
function ackLinkOf(email: StoredEmail): boolean {
  try {
    return Boolean(ackLink(email));
  } catch {
    return false;
  }
}

let stack: LocalStack;
usePrivateStack(
  { REATTEST_EVERY: 'PT40S', SEND_WINDOW: 'always', SWEEP_INTERVAL: 'PT1S', REDRIVE_AFTER: 'PT5S' },
  (started) => {
    stack = started;
  },
);

describe('re-attestation (REATTEST_EVERY=PT40S)', () => {
  it('invites a signer again once their agreement is 40 s old, for a new request, the first agreement kept', async () => {
    // Prepare
    const { id } = await signsOn(stack);
    const { store } = table(stack);
    const signed = await waitFor('the agreement', async () => {
      const a = await store.getAssignment(id);
      return a?.ack ? a : undefined;
    });
    const email = (await store.getStarter(signed.starterId))?.email as string;

    // Act: the receipt goes, then the renewal falls due 40 s after the agreement.
    const again = await waitFor(
      'the second invite',
      async () =>
        (await emailsTo(email, stack.urls.mailbox)).find((e) => e.subject.startsWith('Time to sign again')),
      90_000,
    );

    // Assess
    const renewal = await store.getAssignment(renewalIdFor(id));
    expect(renewal).toMatchObject({
      reason: 'reattest',
      renews: id,
      policyId: signed.policyId,
      policyVersion: signed.policyVersion,
    });
    // Not before the agreement was 40 s old.
    expect(
      Date.parse(renewal?.createdAt as string) - Date.parse(signed.ack?.acknowledgedAt as string),
    ).toBeGreaterThanOrEqual(40_000);
    // A new link, for the new request: the first invite's is another.
    const invites = (await emailsTo(email, stack.urls.mailbox)).filter((e) => ackLinkOf(e));
    expect(invites.map((e) => e.subject)).toEqual([
      expect.stringMatching(/^Please read and sign/),
      again.subject,
    ]);
    expect(ackLink(again)).not.toBe(ackLink(invites[0] as StoredEmail));
    const first = await store.getAssignment(id);
    expect(first?.ack).toEqual(signed.ack);
    expect(first?.status).toBe('acknowledged');
    expect(first?.dueKind).toBeUndefined();
    const trail = (await store.getAuditTrail(id)).map((e) => e.kind);
    expect(trail).toContain('renewal-requested');
  }, 150_000);
});

// Sending the owed invite once, with a link that verifies and carries no personal data.
import { describe, expect, it } from 'vitest';
import { makeSendInvite } from '#shared/core/invite.ts';
import { verifyToken } from '#shared/core/tokens.ts';
import { renderInvite } from '#templates/invite.ts';
import { RecordingMailer, silentLogger } from '../../../support/memory-store.ts';
import { scenario, tokenKeys } from '../../../support/scenario.ts';

async function setup(overrides = {}) {
  const s = await scenario(overrides);
  const mailer = new RecordingMailer();
  const sendInvite = makeSendInvite({
    store: s.store,
    mailer,
    clock: s.clock,
    logger: silentLogger,
    tokenKeys,
    renderInvite,
    publicBaseUrl: 'https://attest.example.org',
    organisationName: 'Wirral',
    tokenTtlMs: 30 * 86400_000,
    leaseMs: 120_000,
  });
  return { ...s, mailer, sendInvite };
}

describe('sendInvite', () => {
  it('sends the invite and records its message id and token, clearing the owed work', async () => {
    // Prepare
    const { store, mailer, sendInvite, assignment } = await setup();

    // Act
    const outcome = await sendInvite({ assignmentId: assignment.assignmentId, kind: 'invite' });

    // Assess
    expect(outcome).toBe('sent');
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]).toMatchObject({
      to: 'ada@example.org',
      tags: { kind: 'invite', policy: 'safe-internet-use' },
    });
    const stored = store.assignments.get(assignment.assignmentId);
    expect(stored).toMatchObject({ status: 'invited', sends: [{ kind: 'invite', messageId: 'ses-1' }] });
    expect(stored?.dueKind).toBeUndefined();
    expect(store.audit.map((e) => e.kind)).toEqual(['invited']);
  });

  it('mints a link whose token verifies for this assignment and holds no personal data', async () => {
    // Prepare
    const { store, mailer, sendInvite, assignment, clock } = await setup();

    // Act
    await sendInvite({ assignmentId: assignment.assignmentId, kind: 'invite' });

    // Assess
    const url = /https:\/\/attest\.example\.org\/ack\/(\S+)/.exec(mailer.sent[0]?.text ?? '');
    const token = url?.[1] as string;
    const claims = verifyToken(tokenKeys, token, 'ack', clock.now());
    expect(claims.assignmentId).toBe(assignment.assignmentId);
    expect(claims.tokenId).toBe(store.assignments.get(assignment.assignmentId)?.sends[0]?.tokenId);
    expect(claims.expiresAt.toISOString()).toBe('2026-12-24T10:00:00.000Z');
    for (const personal of ['ada@', 'Lovelace', 'E1001', '@']) expect(token).not.toContain(personal);
  });

  it('sends nothing for a duplicate message', async () => {
    // Prepare
    const { mailer, sendInvite, assignment } = await setup();
    await sendInvite({ assignmentId: assignment.assignmentId, kind: 'invite' });

    // Act
    const again = await sendInvite({ assignmentId: assignment.assignmentId, kind: 'invite' });

    // Assess
    expect(again).toBe('not-owed');
    expect(mailer.sent).toHaveLength(1);
  });

  it('sends nothing while another worker holds the lease', async () => {
    // Prepare
    const { store, mailer, sendInvite, assignment, clock } = await setup();
    await store.claimWork(
      assignment.assignmentId,
      'invite',
      clock.now(),
      new Date(clock.now().getTime() + 60_000),
    );

    // Act
    const outcome = await sendInvite({ assignmentId: assignment.assignmentId, kind: 'invite' });

    // Assess
    expect(outcome).toBe('busy');
    expect(mailer.sent).toHaveLength(0);
  });

  it.each([
    ['acknowledged', { status: 'acknowledged', dueKind: 'lms' }],
    ['cancelled', { status: 'cancelled', dueKind: undefined, dueAt: undefined }],
  ])('skips an assignment that is %s', async (_, overrides) => {
    // Prepare
    const { mailer, sendInvite, assignment } = await setup(overrides);

    // Act
    const outcome = await sendInvite({ assignmentId: assignment.assignmentId, kind: 'invite' });

    // Assess
    expect(outcome).toBe('not-owed');
    expect(mailer.sent).toHaveLength(0);
  });

  it('gives the lease back and throws when SES fails, so a retry can send at once', async () => {
    // Prepare
    const { store, mailer, sendInvite, assignment } = await setup();
    mailer.failWith = Object.assign(new Error('Throttling'), { name: 'TooManyRequestsException' });

    // Act
    const attempt = sendInvite({ assignmentId: assignment.assignmentId, kind: 'invite' });

    // Assess
    await expect(attempt).rejects.toThrow('Throttling');
    const stored = store.assignments.get(assignment.assignmentId);
    expect(stored?.leaseUntil).toBeUndefined();
    expect(stored?.dueKind).toBe('invite');
    mailer.failWith = undefined;
    expect(await sendInvite({ assignmentId: assignment.assignmentId, kind: 'invite' })).toBe('sent');
  });
});

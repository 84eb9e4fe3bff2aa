// Publishing policy versions (changed text → next version, same text → nothing) and asking earlier signers again.
import { describe, expect, it, vi } from 'vitest';
import { assignmentIdFor, renewalIdFor } from '#shared/core/ids.ts';
import type { Evidence, PolicyText, PolicyVersion } from '#shared/core/model.ts';
import { makeListPolicyVersions, makePublishPolicy } from '#shared/core/publish.ts';
import {
  anAssignment,
  aPolicy,
  aStarter,
  FakeClock,
  FakeStore,
  silentLogger,
} from '../../../support/fakes.ts';

const text = (sha: string, title = 'Safe internet use'): PolicyText => {
  const { version: _v, publishedAt: _p, ...rest } = aPolicy({ sha256: sha, title });
  return rest;
};

function setup() {
  const store = new FakeStore();
  const clock = new FakeClock('2026-11-26T10:00:00.000Z');
  return { store, clock, ...makePublishPolicy({ store, clock, logger: silentLogger }) };
}

/** When the signers in these tests agreed: a fixed instant, never today. */
const SIGNED_AT = new Date('2026-11-25T10:00:00.000Z');

/** A starter who signed `policy`, on the assignment `reackVersion` names (undefined: their first). */
async function signer(store: FakeStore, employeeId: string, policy: PolicyVersion, reackVersion?: number) {
  const starter = aStarter({ employeeId, email: `${employeeId.toLowerCase()}@example.org` });
  await store.putStarter(starter);
  const assignment = anAssignment(starter, policy, {
    assignmentId: assignmentIdFor(employeeId, policy.policyId, reackVersion),
    status: 'invited',
    dueAt: undefined,
    dueKind: undefined,
  });
  store.seed(assignment);
  const evidence = {
    evidenceId: `ev_${employeeId}`,
    policyId: policy.policyId,
    policyVersion: policy.version,
  };
  await store.recordAcknowledgement(
    assignment.assignmentId,
    evidence as Evidence,
    { webhook: { webhookId: 'msg' } },
    SIGNED_AT,
  );
  return { starter, assignment };
}

describe('publish', () => {
  it('publishes the first text as version 1, stamped with the time', async () => {
    // Prepare
    const { publish } = setup();

    // Act
    const outcome = await publish(text('a'.repeat(64)));

    // Assess
    expect(outcome.created).toBe(true);
    expect(outcome.policy).toMatchObject({
      version: 1,
      sha256: 'a'.repeat(64),
      publishedAt: '2026-11-26T10:00:00.000Z',
    });
  });

  it('publishes nothing new for unchanged text', async () => {
    // Prepare
    const { store, publish } = setup();
    await publish(text('a'.repeat(64)));
    store.writes.length = 0;

    // Act
    const outcome = await publish(text('a'.repeat(64)));

    // Assess
    expect(outcome).toMatchObject({ created: false, policy: { version: 1 } });
    expect(store.writes).toEqual([]);
  });

  it('publishes changed text as the next version, keeping the earlier one as it was', async () => {
    // Prepare
    const { store, publish } = setup();
    await publish(text('a'.repeat(64)));

    // Act
    const outcome = await publish(text('b'.repeat(64), 'Safe internet use (revised)'));

    // Assess
    expect(outcome).toMatchObject({ created: true, policy: { version: 2, sha256: 'b'.repeat(64) } });
    expect(await store.getPolicyVersion('safe-internet-use', 1)).toMatchObject({ sha256: 'a'.repeat(64) });
    expect(await store.getLatestPolicyVersion('safe-internet-use')).toMatchObject({ version: 2 });
  });

  it('gives a text that went back to an older wording a new version of its own', async () => {
    // Prepare
    const { publish } = setup();
    await publish(text('a'.repeat(64)));
    await publish(text('b'.repeat(64)));

    // Act
    const outcome = await publish(text('a'.repeat(64)));

    // Assess
    expect(outcome).toMatchObject({ created: true, policy: { version: 3 } });
  });

  it('takes the next number when another publisher took this one with other text', async () => {
    // Prepare: between reading the latest and writing, someone publishes version 2
    const { store, publish } = setup();
    await publish(text('a'.repeat(64)));
    const put = store.putPolicyVersion.bind(store);
    vi.spyOn(store, 'putPolicyVersion').mockImplementationOnce(async (policy) => {
      await put({ ...policy, sha256: 'c'.repeat(64) });
      return put(policy);
    });

    // Act
    const outcome = await publish(text('b'.repeat(64)));

    // Assess
    expect(outcome).toMatchObject({ created: true, policy: { version: 3, sha256: 'b'.repeat(64) } });
  });

  it('reports nothing new when another publisher stored the same text first', async () => {
    // Prepare
    const { store, publish } = setup();
    const put = store.putPolicyVersion.bind(store);
    vi.spyOn(store, 'putPolicyVersion').mockImplementationOnce(async (policy) => {
      await put(policy);
      return put(policy);
    });

    // Act
    const outcome = await publish(text('a'.repeat(64)));

    // Assess
    expect(outcome).toMatchObject({ created: false, policy: { version: 1 } });
  });

  it('gives up with a clear error when the numbers keep changing', async () => {
    // Prepare
    const { store, publish } = setup();
    vi.spyOn(store, 'putPolicyVersion').mockResolvedValue('conflict');

    // Act
    const attempt = publish(text('a'.repeat(64)));

    // Assess
    await expect(attempt).rejects.toThrow(/try again/);
  });
});

describe('current', () => {
  it('is the newest version when there is one, and publishes nothing', async () => {
    // Prepare
    const { store, publish, current } = setup();
    await publish(text('a'.repeat(64)));
    await publish(text('b'.repeat(64)));

    // Act
    const policy = await current(text('a'.repeat(64)));

    // Assess
    expect(policy.version).toBe(2);
    expect(await store.getLatestPolicyVersion('safe-internet-use')).toMatchObject({ version: 2 });
  });
});

describe('reacknowledge', () => {
  it('asks everyone who signed an earlier version, with a new assignment owing an invite now', async () => {
    // Prepare
    const { store, publish, reacknowledge } = setup();
    const v1 = (await publish(text('a'.repeat(64)))).policy;
    const ada = await signer(store, 'E1', v1);
    const bob = await signer(store, 'E2', v1);
    const v2 = (await publish(text('b'.repeat(64)))).policy;

    // Act
    const outcome = await reacknowledge(v2);

    // Assess
    expect(outcome).toEqual({ asked: 2, alreadyAsked: 0, skipped: 0, moved: 0, alreadyMoved: 0 });
    for (const { starter, assignment } of [ada, bob]) {
      const id = assignmentIdFor(starter.employeeId, 'safe-internet-use', 2);
      expect(store.peek(id)).toMatchObject({
        starterId: starter.starterId,
        policyVersion: 2,
        policySha256: 'b'.repeat(64),
        reason: 'reacknowledge',
        status: 'pending',
        dueKind: 'invite',
        dueAt: '2026-11-26T10:00:00.000Z',
      });
      // The earlier agreement stands as it was.
      expect(store.peek(assignment.assignmentId)).toMatchObject({ status: 'acknowledged', policyVersion: 1 });
      expect(store.audit).toContainEqual(
        expect.objectContaining({
          assignmentId: id,
          kind: 'reacknowledge-requested',
          detail: { previousAssignmentId: assignment.assignmentId, previousVersion: '1' },
        }),
      );
    }
  });

  it('asks nobody twice when run again, signers and those who had not signed alike', async () => {
    // Prepare
    const { store, publish, reacknowledge } = setup();
    const v1 = (await publish(text('a'.repeat(64)))).policy;
    await signer(store, 'E1', v1);
    const unsigned = anAssignment(aStarter({ employeeId: 'E3' }), v1, {
      assignmentId: assignmentIdFor('E3', 'safe-internet-use'),
    });
    await store.putStarter(aStarter({ employeeId: 'E3' }));
    store.seed(unsigned);
    const v2 = (await publish(text('b'.repeat(64)))).policy;
    const first = await reacknowledge(v2);
    const writes = store.writes.length;

    // Act
    const again = await reacknowledge(v2);

    // Assess
    expect(first).toEqual({ asked: 1, alreadyAsked: 0, skipped: 0, moved: 1, alreadyMoved: 0 });
    expect(again).toEqual({ asked: 0, alreadyAsked: 1, skipped: 0, moved: 0, alreadyMoved: 0 });
    expect(store.writes.slice(writes)).toEqual([]);
    expect(store.peek(assignmentIdFor('E3', 'safe-internet-use', 2))).toMatchObject({ status: 'pending' });
    expect(store.peek(unsigned.assignmentId)).toMatchObject({ policyVersion: 1, status: 'cancelled' });
  });

  it.each(['pending', 'invited', 'overdue'] as const)(
    'asks someone %s for an earlier version, who never signed, for this one instead, withdrawing the earlier ask',
    async (status) => {
      // Prepare
      const { store, publish, reacknowledge } = setup();
      const v1 = (await publish(text('a'.repeat(64)))).policy;
      const starter = aStarter({ employeeId: 'E3' });
      await store.putStarter(starter);
      const earlier = anAssignment(starter, v1, {
        status,
        chase: { invitedAt: '2026-11-20T09:00:00.000Z', remindersSent: 2 },
        ...(status !== 'pending' && { dueAt: undefined, dueKind: undefined }),
      });
      store.seed(earlier);
      const v2 = (await publish(text('b'.repeat(64)))).policy;

      // Act
      const outcome = await reacknowledge(v2);

      // Assess: a fresh ask (not "again": they never signed), its invite owed now
      expect(outcome).toEqual({ asked: 0, alreadyAsked: 0, skipped: 0, moved: 1, alreadyMoved: 0 });
      const id = assignmentIdFor('E3', 'safe-internet-use', 2);
      expect(store.peek(id)).toEqual({
        assignmentId: id,
        starterId: starter.starterId,
        policyId: 'safe-internet-use',
        policyVersion: 2,
        policySha256: 'b'.repeat(64),
        reason: 'starter',
        status: 'pending',
        // When they were first asked, for reports' date ranges; the invite is owed now.
        createdAt: earlier.createdAt,
        // The starter's zone, for the receipt the page shows once signed.
        timeZone: starter.timeZone,
        dueAt: '2026-11-26T10:00:00.000Z',
        dueKind: 'invite',
        sends: [],
      });
      expect(store.peek(earlier.assignmentId)).toMatchObject({
        status: 'cancelled',
        supersededBy: { assignmentId: id, version: 2 },
      });
      expect(store.peek(earlier.assignmentId)?.dueKind).toBeUndefined();
      expect(store.audit).toContainEqual(
        expect.objectContaining({
          assignmentId: id,
          kind: 'replaces-unsigned',
          detail: { previousAssignmentId: earlier.assignmentId, previousVersion: '1' },
        }),
      );
      expect(store.audit).toContainEqual(
        expect.objectContaining({
          assignmentId: earlier.assignmentId,
          kind: 'superseded',
          detail: { by: id, version: '2' },
        }),
      );
    },
  );

  it('keeps someone bounced bounced on the new version, owing nothing until HR gives a new address', async () => {
    // Prepare
    const { store, publish, reacknowledge } = setup();
    const v1 = (await publish(text('a'.repeat(64)))).policy;
    const starter = aStarter({ employeeId: 'E4' });
    await store.putStarter(starter);
    const bounce = { reason: 'bounced' as const, email: starter.email, at: '2026-11-21T09:00:00.000Z' };
    const earlier = anAssignment(starter, v1, {
      status: 'bounced',
      bounce,
      dueAt: undefined,
      dueKind: undefined,
    });
    store.seed(earlier);
    const v2 = (await publish(text('b'.repeat(64)))).policy;

    // Act
    const outcome = await reacknowledge(v2);

    // Assess
    expect(outcome.moved).toBe(1);
    const moved = store.peek(assignmentIdFor('E4', 'safe-internet-use', 2));
    expect(moved).toMatchObject({ status: 'bounced', bounce, policyVersion: 2 });
    expect(moved?.dueKind).toBeUndefined();
    expect(store.peek(earlier.assignmentId)?.status).toBe('cancelled');
  });

  it('says nothing of superseding an ask signed between reading it and withdrawing it', async () => {
    // Prepare: the earlier ask is signed just as the publisher withdraws it
    const { store, publish, reacknowledge } = setup();
    const v1 = (await publish(text('a'.repeat(64)))).policy;
    const starter = aStarter({ employeeId: 'E9' });
    await store.putStarter(starter);
    const earlier = anAssignment(starter, v1, { status: 'invited' });
    store.seed(earlier);
    const v2 = (await publish(text('b'.repeat(64)))).policy;
    store.cancelAssignment = async () => false; // the conditional write refused: acknowledged meanwhile

    // Act
    await reacknowledge(v2);

    // Assess: asked for version 2 (as a signer would be), and no "superseded" on the signed ask
    expect(store.peek(assignmentIdFor('E9', 'safe-internet-use', 2))?.status).toBe('pending');
    expect(store.audit.filter((e) => e.assignmentId === earlier.assignmentId)).toEqual([]);
  });

  it('finishes a run interrupted between asking for the new version and withdrawing the earlier ask', async () => {
    // Prepare: the new assignment exists, the earlier one is still owed its reminder
    const { store, publish, reacknowledge } = setup();
    const v1 = (await publish(text('a'.repeat(64)))).policy;
    const starter = aStarter({ employeeId: 'E5' });
    await store.putStarter(starter);
    const earlier = anAssignment(starter, v1, { status: 'invited', dueKind: 'reminder' });
    store.seed(earlier);
    const v2 = (await publish(text('b'.repeat(64)))).policy;
    const id = assignmentIdFor('E5', 'safe-internet-use', 2);
    store.seed(anAssignment(starter, v2, { assignmentId: id }));

    // Act
    const outcome = await reacknowledge(v2);

    // Assess
    expect(outcome).toEqual({ asked: 0, alreadyAsked: 0, skipped: 0, moved: 0, alreadyMoved: 1 });
    expect(store.peek(earlier.assignmentId)).toMatchObject({
      status: 'cancelled',
      supersededBy: { assignmentId: id, version: 2 },
    });
  });

  it('leaves alone an ask of this version, a withdrawn one, and a leaver’s', async () => {
    // Prepare
    const { store, publish, reacknowledge } = setup();
    const v1 = (await publish(text('a'.repeat(64)))).policy;
    const v2 = (await publish(text('b'.repeat(64)))).policy;
    const current = aStarter({ employeeId: 'E6' });
    const withdrawn = aStarter({ employeeId: 'E7' });
    const leaver = aStarter({ employeeId: 'E8', status: 'cancelled' });
    for (const starter of [current, withdrawn, leaver]) await store.putStarter(starter);
    store.seed(anAssignment(current, v2));
    store.seed(anAssignment(withdrawn, v1, { status: 'cancelled', dueAt: undefined, dueKind: undefined }));
    store.seed(anAssignment(leaver, v1, { status: 'invited' }));
    const writes = store.writes.length;

    // Act
    const outcome = await reacknowledge(v2);

    // Assess
    expect(outcome).toEqual({ asked: 0, alreadyAsked: 0, skipped: 0, moved: 0, alreadyMoved: 0 });
    expect(store.writes.slice(writes)).toEqual([]);
  });

  it('skips starters who were cancelled or are gone', async () => {
    // Prepare
    const { store, publish, reacknowledge } = setup();
    const v1 = (await publish(text('a'.repeat(64)))).policy;
    const left = await signer(store, 'E1', v1);
    await store.putStarter({ ...left.starter, status: 'cancelled' });
    const gone = await signer(store, 'E2', v1);
    store.starters.delete(gone.starter.starterId);
    const v2 = (await publish(text('b'.repeat(64)))).policy;

    // Act
    const outcome = await reacknowledge(v2);

    // Assess
    expect(outcome).toEqual({ asked: 0, alreadyAsked: 0, skipped: 2, moved: 0, alreadyMoved: 0 });
  });

  it('judges a starter by the last version they signed, and withdraws an unsigned ask for a version in between', async () => {
    // Prepare: E1 signed v1 and v2; E2 signed v1 and was asked for v2 but has not signed it
    const { store, publish, reacknowledge } = setup();
    const v1 = (await publish(text('a'.repeat(64)))).policy;
    await signer(store, 'E1', v1);
    await signer(store, 'E2', v1);
    const v2 = (await publish(text('b'.repeat(64)))).policy;
    await reacknowledge(v2);
    const e1v2 = assignmentIdFor('E1', 'safe-internet-use', 2);
    await store.recordAcknowledgement(
      e1v2,
      { evidenceId: 'ev_E1v2', policyId: 'safe-internet-use', policyVersion: 2 } as Evidence,
      { webhook: { webhookId: 'msg' } },
      SIGNED_AT,
    );
    const v3 = (await publish(text('c'.repeat(64)))).policy;

    // Act
    const outcome = await reacknowledge(v3);

    // Assess
    expect(outcome).toEqual({ asked: 2, alreadyAsked: 0, skipped: 0, moved: 0, alreadyMoved: 0 });
    expect(store.peek(e1v2)?.status).toBe('acknowledged');
    const e2v2 = assignmentIdFor('E2', 'safe-internet-use', 2);
    expect(store.peek(e2v2)).toMatchObject({
      status: 'cancelled',
      supersededBy: { assignmentId: assignmentIdFor('E2', 'safe-internet-use', 3), version: 3 },
    });
    expect(store.peek(e2v2)?.dueKind).toBeUndefined();
    expect(store.audit).toContainEqual(
      expect.objectContaining({
        assignmentId: e2v2,
        kind: 'superseded',
        detail: { by: assignmentIdFor('E2', 'safe-internet-use', 3), version: '3' },
      }),
    );
    expect(store.peek(assignmentIdFor('E1', 'safe-internet-use', 3))).toMatchObject({ dueKind: 'invite' });
  });

  it('withdraws a signer’s unsigned renewal, the new version’s ask renewing it, also when a run was interrupted', async () => {
    // Prepare: E1 signed v1 and is asked to renew it (reattest:, unsigned); E2 likewise, and an
    // earlier run asked E2 for v2 but stopped before withdrawing the renewal
    const { store, publish, reacknowledge, clock } = setup();
    const v1 = (await publish(text('a'.repeat(64)))).policy;
    const renewals: string[] = [];
    const starters = [];
    for (const employeeId of ['E1', 'E2']) {
      const { starter, assignment } = await signer(store, employeeId, v1);
      const renewal = anAssignment(starter, v1, {
        assignmentId: renewalIdFor(assignment.assignmentId),
        reason: 'reattest',
        status: 'invited',
      });
      store.seed(renewal);
      renewals.push(renewal.assignmentId);
      starters.push(starter);
    }
    const v2 = (await publish(text('b'.repeat(64)))).policy;
    const [, e2] = starters;
    if (!e2) throw new Error('E2 missing');
    const e2v2 = assignmentIdFor('E2', 'safe-internet-use', 2);
    store.seed(anAssignment(e2, v2, { assignmentId: e2v2, reason: 'reacknowledge' }));

    // Act
    const outcome = await reacknowledge(v2);

    // Assess: one ask each, for version 2; each renewal withdrawn, pointing to it
    expect(outcome).toEqual({ asked: 1, alreadyAsked: 1, skipped: 0, moved: 0, alreadyMoved: 0 });
    for (const [i, employeeId] of ['E1', 'E2'].entries()) {
      const by = assignmentIdFor(employeeId, 'safe-internet-use', 2);
      expect(store.peek(renewals[i] ?? '')).toMatchObject({
        status: 'cancelled',
        supersededBy: { assignmentId: by, version: 2 },
      });
      expect(store.audit).toContainEqual({
        assignmentId: renewals[i],
        kind: 'superseded',
        at: clock.now().toISOString(),
        detail: { by, version: '2' },
      });
    }
  });
});

/**
 * Version 1 signed by E1 and E2 (E2 since cancelled), unsigned by E3 (invited) and E4 (bounced):
 * every kind of step a re-acknowledgement takes.
 */
async function everyKindOfPerson(store: FakeStore, v1: PolicyVersion) {
  await signer(store, 'E1', v1);
  const { starter: leaver } = await signer(store, 'E2', v1);
  await store.putStarter({ ...leaver, status: 'cancelled' });
  for (const [employeeId, status] of [
    ['E3', 'invited'],
    ['E4', 'bounced'],
  ] as const) {
    const starter = aStarter({ employeeId, email: `${employeeId.toLowerCase()}@example.org` });
    await store.putStarter(starter);
    store.seed(
      anAssignment(starter, v1, {
        status,
        dueAt: undefined,
        dueKind: undefined,
        ...(status === 'bounced' && {
          bounce: { reason: 'bounced' as const, email: starter.email, at: '2026-11-21T09:00:00.000Z' },
        }),
      }),
    );
  }
}

describe('planPublish', () => {
  it('counts what reacknowledge then does, writing nothing', async () => {
    // Prepare
    const { store, publish, planPublish, reacknowledge } = setup();
    const v1 = (await publish(text('a'.repeat(64)))).policy;
    await everyKindOfPerson(store, v1);
    const writes = store.writes.length;

    // Act
    const plan = await planPublish(text('b'.repeat(64)), true);

    // Assess: nothing written; the next number; E1 asked again, E3 and E4 moved, E4 not emailed
    expect(store.writes.slice(writes)).toEqual([]);
    expect(plan).toMatchObject({ created: true, latest: { version: 1 }, policy: { version: 2 }, emailed: 2 });
    expect(plan.count).toEqual({
      asked: 1,
      alreadyAsked: 0,
      skipped: 1,
      moved: 2,
      alreadyMoved: 0,
      stillBounced: 1,
    });
    const { stillBounced: _, ...counted } = plan.count ?? (undefined as never);
    expect(await reacknowledge((await publish(text('b'.repeat(64)))).policy)).toEqual(counted);
  });

  it('counts nobody once a re-acknowledgement has run, and sees the text is the newest version', async () => {
    // Prepare
    const { store, publish, planPublish, reacknowledge } = setup();
    const v1 = (await publish(text('a'.repeat(64)))).policy;
    await everyKindOfPerson(store, v1);
    await reacknowledge((await publish(text('b'.repeat(64)))).policy);

    // Act
    const plan = await planPublish(text('b'.repeat(64)), true);

    // Assess
    expect(plan).toMatchObject({
      created: false,
      latest: { version: 2 },
      policy: { version: 2 },
      emailed: 0,
    });
    expect(plan.count).toEqual({
      asked: 0,
      alreadyAsked: 1,
      skipped: 1,
      moved: 0,
      alreadyMoved: 0,
      stillBounced: 0,
    });
  });

  it('emails nobody without a re-acknowledgement, and plans version 1 for a policy never published', async () => {
    // Prepare
    const { store, publish, planPublish } = setup();
    const v1 = (await publish(text('a'.repeat(64)))).policy;
    await everyKindOfPerson(store, v1);

    // Act
    const next = await planPublish(text('b'.repeat(64)), false);
    const first = await planPublish({ ...text('c'.repeat(64)), policyId: 'new-policy' }, true);

    // Assess
    expect(next).toMatchObject({ created: true, policy: { version: 2 }, emailed: 0 });
    expect(next.count).toBeUndefined();
    expect(first).toMatchObject({ created: true, latest: undefined, policy: { version: 1 }, emailed: 0 });
    expect(store.writes.filter((w) => w === 'putPolicyVersion')).toHaveLength(1);
  });
});

describe('makeListPolicyVersions', () => {
  it('lists every published version, oldest first', async () => {
    // Prepare
    const { store, publish } = setup();
    await publish(text('a'.repeat(64)));
    await publish(text('b'.repeat(64), 'Safe internet use, revised'));

    // Act
    const versions = await makeListPolicyVersions({ store })('safe-internet-use');

    // Assess
    expect(versions.map((v) => [v.version, v.sha256, v.title])).toEqual([
      [1, 'a'.repeat(64), 'Safe internet use'],
      [2, 'b'.repeat(64), 'Safe internet use, revised'],
    ]);
  });

  it('refuses a policy never published', async () => {
    // Act
    const listed = makeListPolicyVersions({ store: new FakeStore() })('unknown');

    // Assess
    await expect(listed).rejects.toMatchObject({
      code: 'policy.not_found',
      message: 'No published versions of unknown.',
    });
  });
});

describe('reacknowledge with a dispatcher', () => {
  it('dispatches the invites it owes a hundred at a time as it makes them, the rest at the end', async () => {
    // Prepare: 250 signers of version 1; version 2 published
    const store = new FakeStore();
    const clock = new FakeClock('2026-11-26T10:00:00.000Z');
    const v1 = aPolicy({ version: 1 });
    for (let i = 0; i < 250; i++) await signer(store, `E${i}`, v1);
    const v2 = { ...v1, version: 2, sha256: 'b'.repeat(64) };
    await store.putPolicyVersion(v2);
    const batches: string[][] = [];
    const dispatch = vi.fn(async (items: readonly { assignmentId: string }[]) => {
      batches.push(items.map((i) => i.assignmentId));
      return { claimed: items.length, dispatched: items.length - 1, failed: 1, taken: [] };
    });
    const { reacknowledge } = makePublishPolicy({ store, clock, logger: silentLogger, dispatch });

    // Act
    const outcome = await reacknowledge(v2);

    // Assess: every invite owed dispatched once; one a batch refused, so left for the sweeper
    expect(batches.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(new Set(batches.flat()).size).toBe(250);
    expect(outcome).toMatchObject({ asked: 250, enqueued: 247 });
    expect(batches.flat()).toContain(assignmentIdFor('E7', v1.policyId, 2));
  });

  it('says nothing was enqueued without a dispatcher: the sweeper sends them', async () => {
    // Prepare
    const { store, reacknowledge } = setup();
    const v1 = aPolicy({ version: 1 });
    await signer(store, 'E1', v1);

    // Act
    const outcome = await reacknowledge({ ...v1, version: 2, sha256: 'b'.repeat(64) });

    // Assess
    expect(outcome.asked).toBe(1);
    expect(outcome).not.toHaveProperty('enqueued');
  });
});

// Retention on the local stack, with settings of seconds: the sweeper reduces IP addresses and expires leavers' requests, and the TTL's emulation deletes them.
import { describe, expect, it } from 'vitest';
import { starterIdFor } from '#shared/core/ids.ts';
import type { Assignment } from '#shared/core/model.ts';
import type { LocalStack } from '../../local/stack.ts';
import {
  invitedOn,
  postStarterTo,
  QUICK_LMS,
  signsOn,
  table as tableOf,
  usePrivateStack,
  waitFor,
} from '../support/local.ts';

let stack: LocalStack;
// A sweep a second; retention in seconds, each setting a different length so the steps are told apart.
usePrivateStack(
  {
    ...QUICK_LMS,
    RETAIN_AUDIT_IP: 'PT8S',
    RETAIN_UNSIGNED_AFTER_LEAVING: 'PT10S',
    RETAIN_EVIDENCE: 'PT12S',
  },
  (s) => {
    stack = s;
  },
);

const leaves = (employeeId: string, eventId: string) =>
  postStarterTo(stack, { type: 'starter.cancelled', id: eventId, data: { employeeId } });

/** Waits until the assignment's partition and the starter's profile are all deleted. */
async function gone(table: ReturnType<typeof tableOf>, assignmentId: string, employeeId: string) {
  return waitFor(
    'the TTL to delete the request, its trail and the profile',
    async () => {
      const left = await table.partition(`ASSIGN#${assignmentId}`);
      const profile = await table.get(`STARTER#${starterIdFor(employeeId)}`, 'PROFILE');
      return left.length === 0 && !profile ? true : undefined;
    },
    45_000,
  );
}

describe('retention on the local stack', () => {
  it('reduces a signer’s IP address and browser, then deletes a leaver’s unsigned request and, once superseded, signed evidence', async () => {
    const table = tableOf(stack);

    // Prepare: one starter signs; another is invited and leaves before signing.
    const [signer, unsigned] = await Promise.all([signsOn(stack), invitedOn(stack)]);
    const unsignedEmployee = unsigned.event.data.employeeId as string;
    expect((await leaves(unsignedEmployee, `${unsigned.event.id}_left`)).status).toBe(202);
    expect(await table.partition(`ASSIGN#${unsigned.id}`)).not.toHaveLength(0);

    // Act and assess: RETAIN_AUDIT_IP after signing, the address is its network, the browser its family.
    const reduced = await waitFor('the IP address to be reduced', async () => {
      const item = (await table.get(`ASSIGN#${signer.id}`, 'ASSIGNMENT')) as Assignment | undefined;
      return item?.ack?.reducedAt ? item : undefined;
    });
    expect(reduced.ack).toMatchObject({
      ipAddress: '127.0.0.0/24',
      userAgent: 'another browser on another system',
    });
    expect(reduced.ack?.typedName).toBe('Ada');
    expect(reduced.retainStep).toBeUndefined();

    // Act: the signer leaves, and their version is superseded by a new one.
    const v1 = await table.store.getLatestPolicyVersion('safe-internet-use');
    await table.store.putPolicyVersion({
      ...(v1 as NonNullable<typeof v1>),
      version: (v1?.version ?? 1) + 1,
      sha256: 'f'.repeat(64),
      publishedAt: new Date().toISOString(),
    });
    expect((await leaves(signer.employeeId, `evt_left_${signer.employeeId}`)).status).toBe(202);
    const left = (await table.get(`ASSIGN#${signer.id}`, 'ASSIGNMENT')) as Assignment;
    expect(left).toMatchObject({ status: 'acknowledged', retainStep: 'expire' });
    expect(left.leftAt).toBeDefined();

    // Assess: the unsigned request goes RETAIN_UNSIGNED_AFTER_LEAVING after the leaving, the signed
    // one RETAIN_EVIDENCE after it; each with its audit trail, and its starter's profile.
    await gone(table, unsigned.id, unsignedEmployee);
    await gone(table, signer.id, signer.employeeId);
  }, 90_000);
});

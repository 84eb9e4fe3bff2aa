// Moodle beside the webhook, on a stack of its own: completions marked in the demo Moodle over its REST web service, through a missing user, a deleted token, an outage and an activity without completion tracking.
import { describe, expect, it } from 'vitest';
import type { MoodleOverride, MoodleUser } from '../../local/moodle.ts';
import { DEMO_ACTIVITIES } from '../../local/moodle.ts';
import type { LocalStack } from '../../local/stack.ts';
import {
  ackLink,
  attestOn,
  evidenceOn,
  invitedOn,
  outageOn,
  QUICK_LMS,
  receiverOf,
  usePrivateStack,
  waitFor,
} from '../support/local.ts';

let stack: LocalStack;

usePrivateStack({ LMS_MODE: 'webhook,moodle', ...QUICK_LMS, REDRIVE_AFTER: 'PT3S' }, (s) => {
  stack = s;
});

const cli = (...argv: string[]) => attestOn(stack, argv);
const moodleAdmin = (path: string, method: 'PUT' | 'DELETE') =>
  fetch(`${stack.urls.lms}/moodle/${path}`, { method });

interface Lane {
  state: string;
  attempts: number;
  lastStatus?: number | null;
  completionId?: string;
  moodleUserId?: number;
  deadLetter?: { reason: string; status: number | null; detail?: string };
}
const report = (id: string) =>
  evidenceOn<{
    webhook: Lane;
    moodle: Lane;
    audit: Array<{ kind: string; detail: Record<string, string> }>;
  }>(stack, id);

/** Adds a user to the demo Moodle, as its admin would. */
async function addMoodleUser(user: { email: string; idnumber?: string }): Promise<MoodleUser> {
  const response = await fetch(`${stack.urls.lms}/moodle/users`, {
    method: 'POST',
    body: JSON.stringify(user),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as MoodleUser;
}

/** The overrides the demo Moodle took for an address. */
async function overridesFor(email: string): Promise<MoodleOverride[]> {
  const { moodle } = (await receiverOf(stack)) as unknown as { moodle: { overrides: MoodleOverride[] } };
  return moodle.overrides.filter((o) => o.email === email);
}

/** A new starter, invited; `before` runs before they sign (their Moodle account made, say). */
async function signs(before: (email: string) => Promise<unknown> = async () => undefined) {
  const { event, invite, id } = await invitedOn(stack);
  const email = event.data.email as string;
  await before(email);
  await fetch(ackLink(invite), {
    method: 'POST',
    body: new URLSearchParams({ fullName: 'Ada', agree: 'yes' }),
  });
  return { id, email };
}

const laneSettled = (id: string, state: 'delivered' | 'dead') =>
  waitFor(`the Moodle delivery ${state}`, async () => {
    const found = await report(id);
    return found.moodle?.state === state ? found : undefined;
  });

describe('an agreement with the webhook and Moodle configured', () => {
  it("marks the policy's activity complete for the signer's Moodle user, once, and sends the webhook once", async () => {
    // Prepare: someone else is in Moodle too, so the user found must be the right one
    await addMoodleUser({ email: 'someone-else@example.org' });
    let user: MoodleUser | undefined;

    // Act
    const { id, email } = await signs(async (address) => {
      user = await addMoodleUser({ email: address });
    });

    // Assess
    const found = await waitFor('both deliveries', async () => {
      const r = await report(id);
      return r.webhook.state === 'delivered' && r.moodle?.state === 'delivered' ? r : undefined;
    });
    expect(found.moodle).toMatchObject({ attempts: 1, moodleUserId: user?.id, lastStatus: 200 });
    expect(await overridesFor(email)).toMatchObject([
      { userid: user?.id, cmid: DEMO_ACTIVITIES.tracked, newstate: 1, state: 1 },
    ]);
    const webhooks = (await receiverOf(stack)).received.filter((c) => c.payload.data.assignmentId === id);
    expect(webhooks).toHaveLength(1);
    const delivered = found.audit.filter((e) => e.kind === 'delivered').map((e) => e.detail);
    expect(delivered).toContainEqual({ destination: 'moodle', completionId: found.moodle.completionId });
    expect((await cli('lms', 'status', id)).out).toMatch(/^moodle {2}delivered {2}attempts 1/m);
  });
});

describe('a signer Moodle does not know', () => {
  it('is dead-lettered with the reason, not retried, and delivered on replay once the user exists', async () => {
    // Prepare
    const { id, email } = await signs();
    const dead = await laneSettled(id, 'dead');
    expect(dead.moodle).toMatchObject({
      attempts: 1,
      deadLetter: {
        reason: 'rejected',
        status: 200,
        detail: expect.stringContaining(`no Moodle user with email ${email}`),
      },
    });
    const listed = await cli('lms', 'dead-letters', '--destination', 'moodle');
    expect(listed.out).toContain(`${id}  moodle  dead`);
    expect(listed.out).toContain(`no Moodle user with email ${email}`);
    const user = await addMoodleUser({ email });

    // Act
    const replay = await cli('lms', 'replay', '--assignment', id, '--destination', 'moodle');

    // Assess
    expect(replay.out).toBe('Replaying 1 deliveries; the sweeper sends them on its next run.');
    const done = await laneSettled(id, 'delivered');
    expect(done.moodle.moodleUserId).toBe(user.id);
    expect(await overridesFor(email)).toHaveLength(1);
    expect(done.webhook.state).toBe('delivered');
  });
});

describe("Moodle's refusals", () => {
  it('dead-letters a delivery whose token Moodle does not know, after one attempt', async () => {
    // Prepare: the admin deleted the token
    await moodleAdmin('token', 'DELETE');
    let id: string;
    let email: string;
    try {
      // Act
      ({ id, email } = await signs((address) => addMoodleUser({ email: address })));
      const dead = await laneSettled(id, 'dead');

      // Assess
      expect(dead.moodle).toMatchObject({
        attempts: 1,
        deadLetter: {
          reason: 'rejected',
          detail: 'core_user_get_users_by_field: invalidtoken: Invalid token - token not found',
        },
      });
      expect(await overridesFor(email)).toEqual([]);
    } finally {
      await moodleAdmin('token', 'PUT');
    }
  });

  it('dead-letters an activity without completion tracking, naming it', async () => {
    // Prepare: the admin turned completion tracking off for the policy's activity
    await moodleAdmin(`tracking?cmid=${DEMO_ACTIVITIES.tracked}`, 'DELETE');
    try {
      // Act
      const { id } = await signs((address) => addMoodleUser({ email: address }));
      const dead = await laneSettled(id, 'dead');

      // Assess
      expect(dead.moodle.deadLetter).toMatchObject({
        reason: 'rejected',
        detail: `completion tracking is off for activity ${DEMO_ACTIVITIES.tracked}`,
      });
      expect((await cli('lms', 'dead-letters', '--destination', 'moodle')).out).toContain(
        `completion tracking is off for activity ${DEMO_ACTIVITIES.tracked}`,
      );
    } finally {
      await moodleAdmin(`tracking?cmid=${DEMO_ACTIVITIES.tracked}`, 'PUT');
    }
  });
});

describe('a Moodle outage', () => {
  it('is retried on the schedule, and the activity completed once it recovers', async () => {
    // Prepare: Moodle answers 503 (with Retry-After), the webhook's receiver is fine
    await outageOn(stack, 503, 'moodle');
    let id: string;
    let email: string;
    try {
      ({ id, email } = await signs((address) => addMoodleUser({ email: address })));
      await waitFor('a refused attempt', async () => {
        const found = await report(id);
        return found.moodle?.lastStatus === 503 ? found : undefined;
      });
    } finally {
      // Act
      await outageOn(stack);
    }

    // Assess
    const done = await laneSettled(id, 'delivered');
    expect(done.moodle.attempts).toBeGreaterThanOrEqual(2);
    expect(await overridesFor(email)).toHaveLength(1);
    expect(done.webhook.state).toBe('delivered');
  });
});

describe('attest lms test --destination moodle', () => {
  it('looks a starter up in Moodle and reports the user id found, completing nothing', async () => {
    // Prepare: a starter Moodle does not know yet
    const { event } = await invitedOn(stack);
    const employeeId = event.data.employeeId as string;
    const email = event.data.email as string;
    const unknown = await cli('lms', 'test', '--destination', 'moodle', '--employee', employeeId);
    const user = await addMoodleUser({ email });

    // Act
    const known = await cli('lms', 'test', '--destination', 'moodle', '--employee', employeeId);

    // Assess
    expect(unknown.code).toBe(1);
    expect(unknown.out).toContain(`FAILED: no Moodle user with email ${email}`);
    expect(known.code).toBe(0);
    expect(known.out).toMatch(
      new RegExp(`^POST ${stack.urls.lms}/moodle/webservice/rest/server.php {2}200 {2}\\d+ ms$`, 'm'),
    );
    expect(known.out).toContain(`ok: Moodle user ${user.id} has email ${email}`);
    expect(known.out).not.toContain(stack.env.MOODLE_TOKEN as string);
    expect(await overridesFor(email)).toEqual([]);
  });

  it('checks the token with the test person when no starter is named, and fails on a token Moodle refuses', async () => {
    // Prepare
    const healthy = await cli('lms', 'test', '--destination', 'moodle');
    await moodleAdmin('token', 'DELETE');

    // Act
    const refused = await cli('lms', 'test', '--destination', 'moodle').finally(() =>
      moodleAdmin('token', 'PUT'),
    );

    // Assess
    expect(healthy.code).toBe(0);
    expect(healthy.out).toContain('ok: the lookup works: no Moodle user with email attest-test@invalid');
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('FAILED: core_user_get_users_by_field: invalidtoken');
  });
});

// A new policy version on a stack of its own: published once, re-asked of earlier signers only, each link showing its own version.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignmentIdFor } from '#shared/core/ids.ts';
import type { ReceivedCompletion } from '../../local/lms-receiver.ts';
import type { LocalStack } from '../../local/stack.ts';
import {
  ackLink,
  attestOn,
  emailsTo,
  postStarterTo,
  type StoredEmail,
  shownStamp,
  startPrivateStack,
  uniqueStarter,
  waitFor,
} from '../support/local.ts';

// Publishing changes what every later test would be assigned, so this file has a stack of its own.
let stack: LocalStack;

beforeAll(async () => {
  stack = await startPrivateStack({ SWEEP_INTERVAL: 'PT1H', REDRIVE_AFTER: 'PT5S' });
});

afterAll(async () => {
  await stack?.stop();
});

const POLICY_FILE = new URL('../../templates/policies/safe-internet-use.md', import.meta.url);
const NEW_PARAGRAPH = 'Staff must complete online-safety refresher training every year.';

async function start(): Promise<{
  email: string;
  employeeId: string;
  assignments: Array<{ policyVersion: number }>;
}> {
  const event = uniqueStarter();
  const response = await postStarterTo(stack, event);
  expect(response.status).toBe(202);
  const { assignments } = (await response.json()) as { assignments: Array<{ policyVersion: number }> };
  return { email: event.data.email as string, employeeId: event.data.employeeId as string, assignments };
}

async function mail(email: string, subject: RegExp): Promise<StoredEmail> {
  return waitFor(`an email "${subject}" to ${email}`, async () =>
    (await emailsTo(email, stack.urls.mailbox)).find((e) => subject.test(e.subject)),
  );
}

async function sign(link: string, fullName: string): Promise<string> {
  const page = await (await fetch(link)).text();
  const response = await fetch(link, {
    method: 'POST',
    body: new URLSearchParams({ fullName, agree: 'yes', shown: shownStamp(page) }),
  });
  expect(response.status).toBe(200);
  return response.text();
}

async function completions(): Promise<ReceivedCompletion[]> {
  return ((await (await fetch(`${stack.urls.lms}/received`)).json()) as { received: ReceivedCompletion[] })
    .received;
}

const cli = (...argv: string[]) => attestOn(stack, argv);

describe('a new policy version', () => {
  it('is published once, re-asks earlier signers, moves the unsigned to it, and every link says where it stands', async () => {
    // Prepare: Ada signs version 1; Bob is invited but has not signed
    const ada = await start();
    expect(ada.assignments.map((a) => a.policyVersion)).toEqual([1]);
    await sign(ackLink(await mail(ada.email, /^Please read and sign/)), 'Ada Lovelace');
    const bob = await start();
    const bobV1Link = ackLink(await mail(bob.email, /^Please read and sign/));
    const changed = readFileSync(POLICY_FILE, 'utf8').replace(
      '## Safeguarding Children',
      `${NEW_PARAGRAPH}\n\n## Safeguarding Children`,
    );
    const file = join(mkdtempSync(join(tmpdir(), 'attest-policy-')), 'safe-internet-use.md');
    writeFileSync(file, changed);

    // Act: publish the changed text, asking earlier signers again
    const published = await cli('policy', 'publish', file, '--reacknowledge');

    // Assess: version 2; Ada asked again, Bob asked for it instead of version 1
    expect(published.code).toBe(0);
    expect(published.out).toMatch(/published version 2 \(sha256 [0-9a-f]{64}\)/);
    expect(published.out).toMatch(/asked 1 who signed an earlier version to sign version 2/);
    expect(published.out).toMatch(
      /asked 1 who had not yet signed an earlier version to sign version 2 instead/,
    );

    // Act: publish the same text again, and the unchanged original
    const again = await cli('policy', 'publish', file, '--reacknowledge');
    const original = await cli('policy', 'publish', POLICY_FILE.pathname);

    // Assess: nothing new, nobody asked twice; the original text is a change back, so version 3
    expect(again.out).toMatch(/unchanged, version 2 is this text/);
    expect(again.out).toMatch(/asked 0 .* \(1 asked before, 0 left or gone\)/);
    expect(again.out).toMatch(/asked 0 who had not yet signed an earlier version to sign version 2 instead/);
    expect(original.out).toMatch(/published version 3/);
    const versions = await cli('policy', 'versions', 'safe-internet-use');
    expect(versions.out.split('\n').map((l) => l.split(' ')[1])).toEqual(['v1', 'v2', 'v3']);

    // Act: the re-acknowledgement's invites were queued as they were owed; a sweep now sends none twice
    await stack.sweep();
    const reask = await mail(ada.email, /^Updated policy/);

    // Assess: it says why, and its link shows version 2 with the new paragraph
    expect(reask.body.text).toContain('You signed an earlier version');
    const v2Link = ackLink(reask);
    const v2Page = await (await fetch(v2Link)).text();
    expect(v2Page).toContain('Version 2');
    expect(v2Page).toContain(NEW_PARAGRAPH);

    // Assess: Bob, who never signed, has a plain invite to version 2 (not "sign again"), and his
    // version 1 link says so rather than taking a signature for the old text
    const bobMails = await waitFor('Bob’s invite to version 2', async () => {
      const found = await emailsTo(bob.email, stack.urls.mailbox);
      return found.length === 2 ? found : undefined;
    });
    expect(bobMails.map((e) => e.subject)).toEqual([
      expect.stringMatching(/^Please read and sign/),
      expect.stringMatching(/^Please read and sign/),
    ]);
    const bobV2Link = bobMails.map(ackLink).find((link) => link !== bobV1Link) as string;
    expect(bobV2Link).toBeDefined();
    const bobV2Page = await (await fetch(bobV2Link)).text();
    expect(bobV2Page).toContain('Version 2');
    expect(bobV2Page).toContain(NEW_PARAGRAPH);
    const bobV1 = await fetch(bobV1Link);
    expect(bobV1.status).toBe(410);
    expect(await bobV1.text()).toContain('Please read and sign version 2 instead');
    const bobV1Post = await fetch(bobV1Link, {
      method: 'POST',
      body: new URLSearchParams({ fullName: 'Bob', agree: 'yes' }),
    });
    expect(bobV1Post.status).toBe(410);
    const bobReport = await cli('report', '--policy', 'safe-internet-use', '--status', 'all', '--csv');
    const bobRows = bobReport.out.split('\n').filter((line) => line.includes(bob.employeeId));
    expect(bobRows.map((line) => line.split(',').slice(10, 13))).toEqual([
      ['1', 'starter', 'cancelled'],
      ['2', 'starter', 'invited'],
    ]);

    // Act: Ada signs version 2
    await sign(v2Link, 'Ada Lovelace');

    // Assess: the new evidence names version 2 and its own sha256; the first agreement stands
    const reackId = assignmentIdFor(ada.employeeId, 'safe-internet-use', 2);
    const evidence = await cli('evidence', '--employee', ada.employeeId, '--policy', 'safe-internet-use');
    const [first, second] = evidence.out.split(/\n(?=\{)/).map((r) => JSON.parse(r));
    expect(first).toMatchObject({
      status: 'acknowledged',
      evidence: { policyVersion: 1 },
      integrity: { matches: true },
    });
    expect(second).toMatchObject({
      assignmentId: reackId,
      reason: 'reacknowledge',
      status: 'acknowledged',
      evidence: { policyVersion: 2 },
      integrity: { matches: true },
    });
    expect(second.evidence.policySha256).not.toBe(first.evidence.policySha256);
    expect(second.audit.map((e: { kind: string }) => e.kind).slice(0, 4)).toEqual([
      'reacknowledge-requested',
      'invited',
      'opened',
      'acknowledged',
    ]);
    // …and the LMS hears of version 2 as its own completion
    const delivered = await waitFor('the version 2 completion', async () =>
      (await completions()).find((c) => c.payload.data.assignmentId === reackId),
    );
    expect(delivered.payload.data.policy?.version).toBe(2);

    // Act: a new starter after all this
    const carol = await start();

    // Assess: assigned the newest version
    expect(carol.assignments.map((a) => a.policyVersion)).toEqual([3]);
  });

  it('refuses a policy file with a version number or a bad field, publishing nothing', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'attest-policy-'));
    const file = join(dir, 'bad.md');
    writeFileSync(
      file,
      readFileSync(POLICY_FILE, 'utf8')
        .replace('title:', 'version: 9\ntitle:')
        .replace('2026-11-24', '24/11/2026'),
    );
    const before = await cli('policy', 'versions', 'safe-internet-use');

    // Act
    const result = await cli('policy', 'publish', file);

    // Assess
    expect(result.code).toBe(1);
    expect(result.err).toContain('the policy file is not valid');
    expect(result.err).toContain('version: Remove it');
    expect(result.err).toContain('effectiveDate: Expected YYYY-MM-DD.');
    expect((await cli('policy', 'versions', 'safe-internet-use')).out).toBe(before.out);
  });
});

// The local mailbox on disk: what SES took survives a crash of npm start, and each email is reported once across restarts.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keepMailbox, reportedIn } from '../../../local/ses-mailbox.ts';

const sesStore = createRequire(import.meta.url)('aws-ses-v2-local/dist/store.js') as {
  saveEmail(email: { messageId: string }): void;
  getStoreReadonly(): { emails: Array<{ messageId: string }> };
};
const email = (messageId: string) => ({ messageId, destination: { to: ['ada@example.org'] }, at: 1 });

let dir: string;
let undo: (() => void) | undefined;
afterEach(() => {
  undo?.();
  const emails = sesStore.getStoreReadonly().emails;
  emails.splice(0, emails.length);
  rmSync(dir, { recursive: true, force: true });
});

describe('keepMailbox', () => {
  it('loads back the emails SES took before, leaving out a line a kill cut short', () => {
    // Prepare
    dir = mkdtempSync(join(tmpdir(), 'attest-mailbox-'));
    writeFileSync(
      join(dir, 'ses-mailbox.jsonl'),
      `${JSON.stringify(email('m-1'))}\n${JSON.stringify(email('m-2'))}\n{"messageId":"m-3","dest`,
    );

    // Act
    undo = keepMailbox(dir);

    // Assess
    expect(sesStore.getStoreReadonly().emails.map((e) => e.messageId)).toEqual(['m-1', 'm-2']);
  });

  it('writes each email SES takes to disk before SES answers the send', () => {
    // Prepare
    dir = mkdtempSync(join(tmpdir(), 'attest-mailbox-'));
    undo = keepMailbox(dir);

    // Act
    sesStore.saveEmail(email('m-9'));

    // Assess
    const lines = readFileSync(join(dir, 'ses-mailbox.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).messageId)).toEqual(['m-9']);
    expect(sesStore.getStoreReadonly().emails.map((e) => e.messageId)).toEqual(['m-9']);
  });
});

describe('reportedIn', () => {
  it('remembers across restarts which emails were reported', () => {
    // Prepare
    dir = mkdtempSync(join(tmpdir(), 'attest-mailbox-'));
    reportedIn(dir).add('m-1');
    appendFileSync(join(dir, 'ses-reported.txt'), 'm-2\n');

    // Act
    const after = reportedIn(dir);

    // Assess
    expect([...after.seen]).toEqual(['m-1', 'm-2']);
  });
});

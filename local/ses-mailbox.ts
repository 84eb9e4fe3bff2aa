// The local SES's mailbox kept on disk beside DynamoDB's data: SES keeps what it accepted, whatever becomes of the caller.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

interface SesStore {
  saveEmail(email: { messageId: string }): void;
  getStoreReadonly(): { emails: Array<{ messageId: string }> };
}

// aws-ses-v2-local keeps its mailbox in this module, and its handlers call `saveEmail` through the
// module's exports at each send, so a wrapper there sees every email before SES answers.
const sesStore = createRequire(import.meta.url)('aws-ses-v2-local/dist/store.js') as SesStore;

/** The lines of a file written a line at a time; a line cut short by a kill is left out. */
function lines<T>(file: string, parse: (line: string) => T): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return line ? [parse(line)] : [];
      } catch {
        return [];
      }
    });
}

/**
 * Keeps the local mailbox in `dir`: the emails SES accepted so far are loaded back, and each new
 * one is written before SES answers the send. On AWS, SES is a service of its own: an email it
 * took is sent, and reported in its events, even if the function that sent it dies the next
 * moment. Kept on disk, the local one behaves so too — after a crash, `npm start` reports the
 * emails it accepted before it (see the simulator's `reportedFile`). Returns the undo.
 */
export function keepMailbox(dir: string): () => void {
  const file = join(dir, 'ses-mailbox.jsonl');
  const emails = sesStore.getStoreReadonly().emails;
  const known = new Set(emails.map((e) => e.messageId));
  for (const email of lines(file, (line) => JSON.parse(line) as { messageId: string })) {
    if (!known.has(email.messageId)) emails.push(email);
  }
  const save = sesStore.saveEmail;
  sesStore.saveEmail = (email) => {
    appendFileSync(file, `${JSON.stringify(email)}\n`);
    save(email);
  };
  return () => {
    sesStore.saveEmail = save;
  };
}

/** The message ids already reported as SES events, kept in `dir` so a restart reports each once. */
export function reportedIn(dir: string): { seen: Set<string>; add(messageId: string): void } {
  const file = join(dir, 'ses-reported.txt');
  const seen = new Set(lines(file, (line) => line));
  return {
    seen,
    add(messageId) {
      seen.add(messageId);
      appendFileSync(file, `${messageId}\n`);
    },
  };
}

// The receipt's PDF certificate on the local stack: attached to the email SES stored, its sha256 the evidence's, made again identically by `npx attest evidence --pdf`.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ackLink,
  attest,
  emailsTo,
  evidenceOn,
  invitedOn,
  type StoredEmail,
  shell,
  stack,
  waitFor,
} from '../support/local.ts';
import { readPdf } from '../support/pdf.ts';

/** An email as the local SES stores it, with the files attached (base64). */
type WithAttachments = StoredEmail & {
  attachments?: Array<{ filename: string; contentType: string; content: string; size: number }>;
};

interface Report {
  evidence: { evidenceId: string; typedName: string; policySha256: string; method?: string };
  certificate: { sha256: string; remadeSha256: string | null; matches: boolean; fileName: string } | null;
}

async function receiptTo(address: string): Promise<WithAttachments> {
  return waitFor(
    'the receipt',
    async () => (await emailsTo(address)).find((e) => e.subject.startsWith('Receipt')) as WithAttachments,
    30_000,
  );
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * The evidence of `id` once the receipt's certificate is recorded on it: the mailer records its
 * sha256 after SES took the email, so the mailbox can hold the receipt a moment before.
 */
async function evidenceWithCertificate(id: string): Promise<Report> {
  return waitFor(
    'the certificate recorded',
    async () => {
      const report = await evidenceOn<Report>(stack(), id);
      return report.certificate ? report : undefined;
    },
    30_000,
  );
}

// `npx attest` starts npm and compiles the CLI: seconds, on a busy machine many.
describe('the receipt’s certificate', { timeout: 120_000 }, () => {
  it('is attached to the receipt SES stored, names the signer, and is made again byte for byte', async () => {
    // Prepare: a starter signs with a Welsh name
    const { event, invite, id } = await invitedOn(stack());
    const typedName = 'Siân Ŵyn ap Ŷwain';
    await fetch(ackLink(invite), {
      method: 'POST',
      body: new URLSearchParams({ fullName: typedName, agree: 'yes' }),
    });

    // Act
    const receipt = await receiptTo(event.data.email as string);
    const report = await evidenceWithCertificate(id);
    const dir = mkdtempSync(join(tmpdir(), 'attest-certificate-'));
    const file = join(dir, 'again.pdf');
    const again = await shell('npx attest evidence "$ID" --pdf "$FILE"', { ID: id, FILE: file });

    // Assess: one PDF, named for the policy and version only
    expect(receipt.attachments).toHaveLength(1);
    const [attached] = receipt.attachments ?? [];
    expect(attached).toMatchObject({
      filename: 'agreement-safe-internet-use-v1.pdf',
      contentType: 'application/pdf',
    });
    const bytes = new Uint8Array(Buffer.from(attached?.content ?? '', 'base64'));
    expect(receipt.body.text).toContain('The attached PDF, agreement-safe-internet-use-v1.pdf');
    // Its sha256 is the one the evidence recorded
    expect(report.certificate).toMatchObject({ sha256: sha256(bytes), matches: true });
    // A PDF reader finds the typed name, the text's sha256 and the evidence id
    const { text } = await readPdf(bytes);
    expect(text).toContain(typedName);
    expect(text).toContain(report.evidence.policySha256);
    expect(text).toContain(report.evidence.evidenceId);
    // Made again in another process: the same bytes
    expect(again.code).toBe(0);
    expect(again.err).toBe('');
    expect(sha256(new Uint8Array(readFileSync(file)))).toBe(sha256(bytes));
    expect(JSON.parse(again.out).certificate).toMatchObject({ remadeSha256: sha256(bytes), matches: true });
  });

  it('is made again from erased evidence, naming the pseudonyms, and so is no longer the one sent', async () => {
    // Prepare: someone signs; their receipt and LMS deliveries done, they are erased
    const { event, invite, id } = await invitedOn(stack());
    const typedName = `Ottoline Ŵyn ${randomUUID().slice(0, 8)}`;
    await fetch(ackLink(invite), {
      method: 'POST',
      body: new URLSearchParams({ fullName: typedName, agree: 'yes' }),
    });
    await receiptTo(event.data.email as string);
    await evidenceWithCertificate(id);
    await waitFor('the deliveries', async () => {
      const report = (await evidenceOn(stack(), id)) as Record<string, { state?: string } | null>;
      return ['webhook', 'xapi', 'moodle'].some((kind) => report[kind]?.state === 'pending')
        ? undefined
        : true;
    });
    const employeeId = event.data.employeeId as string;
    const erased = await attest(
      'privacy',
      'erase',
      '--employee',
      employeeId,
      '--reason',
      'Erasure request ref 17',
    );
    expect(erased.code, erased.err).toBe(0);
    const file = join(mkdtempSync(join(tmpdir(), 'attest-certificate-')), 'erased.pdf');

    // Act
    const again = await attest('evidence', id, '--pdf', file);

    // Assess
    expect(again.code, again.err).toBe(0);
    const report = JSON.parse(again.out) as Report;
    expect(report.evidence.typedName).toMatch(/^erased-/);
    expect(report.certificate).toMatchObject({ sha256: expect.stringMatching(/^erased-/), matches: false });
    const { text } = await readPdf(new Uint8Array(readFileSync(file)));
    expect(text).toContain(report.evidence.typedName);
    expect(text).not.toContain(typedName);
  });

  it('says an agreement recorded on the person’s behalf was recorded by HR, and names its recorder in the PDF', async () => {
    // Prepare: invited, then agreed on paper
    const { event, id } = await invitedOn(stack());
    const accepted = await attest(
      'accept-on-behalf',
      '--employee',
      event.data.employeeId as string,
      '--policy',
      'safe-internet-use',
      '--note',
      'Paper form signed at induction',
      '--by',
      'Grace Hopper',
    );
    expect(accepted.code).toBe(0);

    // Act: the sweeper sends the receipt the CLI left owed
    const receipt = await receiptTo(event.data.email as string);
    const report = await evidenceWithCertificate(id);

    // Assess: the email says HR recorded it and never that they signed, nor the note or recorder
    expect(receipt.subject).toBe('Receipt: agreed to Safe Internet Use – Guidance for Staff (version 1)');
    expect(receipt.body.text).toMatch(
      /HR recorded your agreement to our policy .* on your behalf on \d+ \w+ \d{4}\./,
    );
    for (const part of [receipt.body.text, receipt.body.html]) {
      expect(part).not.toMatch(/you signed|Signed as|Grace Hopper|Paper form/);
    }
    const bytes = new Uint8Array(Buffer.from(receipt.attachments?.[0]?.content ?? '', 'base64'));
    expect(report.certificate?.sha256).toBe(sha256(bytes));
    const { text } = await readPdf(bytes);
    expect(text).toContain('Recorded on the person’s behalf (agreed offline) by Grace Hopper');
    expect(text).not.toContain('Paper form');
  });
});

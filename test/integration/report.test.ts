// `attest report` on a stack of its own, so its counts are exact: who has not signed, who has (with the evidence), and the CSV.
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignmentIdFor } from '#shared/core/ids.ts';
import type { LinkEvidence } from '#shared/core/model.ts';
import type { LocalStack } from '../../local/stack.ts';
import {
  ackLink,
  attestOn,
  emailsTo,
  evidenceOn,
  postStarterTo,
  shownStamp,
  startPrivateStack,
  uniqueStarter,
  waitFor,
} from '../support/local.ts';

const POLICY = 'safe-internet-use';
/** What the signer types: not her name in HR's record, so the report shows which it read. */
const TYPED_NAME = 'Augusta Ada King';

let stack: LocalStack;
/** Posted in this order, a moment apart: one signs, two wait (one with a department and manager), one leaves. */
let people: Record<
  'signer' | 'managed' | 'unmanaged' | 'leaver',
  { employeeId: string; email: string; id: string }
>;
/** The signer's evidence as `attest evidence` shows it. */
let evidence: LinkEvidence;

const cli = (...argv: string[]) => attestOn(stack, argv);
const report = (...argv: string[]) => cli('report', '--policy', POLICY, ...argv);

/** A new starter from a fixture, posted; answers the ids the report and the evidence go by. */
async function post(fixture: string) {
  const event = uniqueStarter(fixture);
  const response = await postStarterTo(stack, event);
  expect(response.status).toBe(202);
  const employeeId = event.data.employeeId as string;
  return { event, employeeId, email: event.data.email as string, id: assignmentIdFor(employeeId, POLICY) };
}

/** Waits until the assignment stands at `status`: an invite's email is in the mailbox a moment before it is recorded. */
const statusOf = (id: string, status: string) =>
  waitFor(`${id} ${status}`, async () => {
    const found = await evidenceOn<{ status: string }>(stack, id);
    return found.status === status ? found : undefined;
  });

/** The table's rows below its title and header, cut into cells (cells are padded apart by two spaces or more). */
function tableRows(out: string): string[][] {
  const lines = out.split('\n');
  const header = lines.findIndex((l) => l.startsWith('EMPLOYEE'));
  return lines.slice(header + 1).map((l) => l.split(/ {2,}/));
}

/** RFC 4180: fields split on commas outside quotes, "" inside quotes is a quote, records end at CRLF or LF. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field || record.length) records.push([...record, field]);
  return records;
}

/** The CSV's rows as objects by header name. */
function csvObjects(text: string): { header: string[]; rows: Array<Record<string, string>> } {
  const [header = [], ...records] = parseCsv(text);
  return { header, rows: records.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? '']))) };
}

/** An id as a spreadsheet-safe CSV cell shows it: one beginning with "-" is prefixed with "'". */
const asCell = (id: string) => (id.startsWith('-') ? `'${id}` : id);

beforeAll(async () => {
  // No sweeps: nothing moves on (reminders, re-drives) while the report is read.
  stack = await startPrivateStack({ SWEEP_INTERVAL: 'PT1H', REDRIVE_AFTER: 'PT5M' });
  const signer = await post('created-full.json');
  const managed = await post('created-full.json');
  const unmanaged = await post('created-minimal.json');
  const leaver = await post('created-minimal.json');
  people = { signer, managed, unmanaged, leaver };
  await Promise.all(Object.values(people).map((p) => statusOf(p.id, 'invited')));

  // The signer signs through her invite's link, as the page's form would post it.
  const invite = await waitFor(
    'the invite',
    async () => (await emailsTo(signer.email, stack.urls.mailbox))[0],
  );
  const link = ackLink(invite);
  const page = await (await fetch(link)).text();
  const signed = await fetch(link, {
    method: 'POST',
    body: new URLSearchParams({ fullName: TYPED_NAME, agree: 'yes', shown: shownStamp(page) }),
  });
  expect(signed.status).toBe(200);
  // Her completion reaches the LMS, so no later read sees its delivery change.
  const shown = await waitFor('the delivery', async () => {
    const found = await evidenceOn<{ evidence: LinkEvidence; webhook: { state: string } | null }>(
      stack,
      signer.id,
    );
    return found.webhook?.state === 'delivered' ? found : undefined;
  });
  evidence = shown.evidence;

  // The leaver's start is cancelled.
  const cancel = {
    type: 'starter.cancelled',
    id: `${leaver.event.id}_cancel`,
    data: { employeeId: leaver.employeeId },
  };
  expect((await postStarterTo(stack, cancel)).status).toBe(202);
  await statusOf(leaver.id, 'cancelled');
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe('attest report', () => {
  it('counts every assignment and lists those not signed, oldest first', async () => {
    // Act
    const { code, out } = await report();

    // Assess: four assigned, one of the three still expected signed (the cancelled do not count)
    expect(code).toBe(0);
    const [title, counts] = out.split('\n');
    expect(title).toMatch(/ \(safe-internet-use; newest version 1\)$/);
    expect(counts).toBe('People asked: 4. Signed: 1 (33%). Not signed: 2 (2 invited). Cancelled: 1.');
    expect(out).toContain('Not signed (2), oldest first:');
    const rows = tableRows(out);
    expect(rows.map((r) => r[0])).toEqual([people.managed.employeeId, people.unmanaged.employeeId]);
    expect(rows[0]).toEqual([
      people.managed.employeeId,
      'Ada Lovelace',
      people.managed.email,
      "Children's Services",
      'Grace Hopper',
      'v1',
      'invited',
      expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/),
      '0',
      '0 days',
    ]);
    expect(rows[1]?.slice(3, 5)).toEqual(['–', '–']);
    expect(out).not.toContain(people.signer.employeeId);
    expect(out).not.toContain(people.leaver.employeeId);
  });

  it('lists the signed with the name they typed and the evidence `attest evidence` shows', async () => {
    // Act
    const { code, out } = await report('--status', 'acknowledged');

    // Assess
    expect(code).toBe(0);
    expect(out).toContain('Signed (1), oldest first:');
    const [row, ...others] = tableRows(out);
    expect(others).toEqual([]);
    expect(row?.slice(0, 2)).toEqual([people.signer.employeeId, 'Ada Lovelace']);
    expect(row?.slice(5)).toEqual([
      'v1',
      'acknowledged',
      `${evidence.acknowledgedAt.slice(0, 10)} ${evidence.acknowledgedAt.slice(11, 16)}`,
      TYPED_NAME,
      evidence.evidenceId,
    ]);
  });

  it('prints every assignment as CSV, the signed with their evidence', async () => {
    // Act
    const { code, out } = await report('--status', 'all', '--csv');

    // Assess: a header, then one row per assignment, oldest first
    expect(code).toBe(0);
    expect(out.startsWith('\uFEFF')).toBe(false);
    const { header, rows } = csvObjects(out);
    expect(header).toEqual([
      'assignment_id',
      'employee_id',
      'given_name',
      'family_name',
      'email',
      'department',
      'manager_name',
      'manager_email',
      'start_date',
      'policy_id',
      'policy_version',
      'reason',
      'status',
      'assigned_at',
      'invited_at',
      'reminders_sent',
      'days_waiting',
      'bounce',
      'bounced_at',
      'acknowledged_at',
      'typed_name',
      'evidence_id',
      'policy_sha256',
      'ip_address',
      'user_agent',
      'token_id',
      'email_message_id',
      'webhook_delivery',
      'xapi_delivery',
      'moodle_delivery',
      'superseded_by_version',
      'method',
      'recorded_by',
      'note',
      'declined_at',
      'decline_reason',
      'sign_by',
      'renews_at',
      'renewal',
    ]);
    expect(rows.map((r) => [r.employee_id, r.status])).toEqual([
      [people.signer.employeeId, 'acknowledged'],
      [people.managed.employeeId, 'invited'],
      [people.unmanaged.employeeId, 'invited'],
      [people.leaver.employeeId, 'cancelled'],
    ]);
    expect(rows.map((r) => r.assignment_id)).toEqual(
      [people.signer, people.managed, people.unmanaged, people.leaver].map((p) => asCell(p.id)),
    );
    expect(rows[0]).toMatchObject({
      acknowledged_at: evidence.acknowledgedAt,
      typed_name: TYPED_NAME,
      evidence_id: evidence.evidenceId,
      policy_sha256: evidence.policySha256,
      token_id: asCell(evidence.tokenId),
      days_waiting: '',
      webhook_delivery: 'delivered',
      method: 'link',
      recorded_by: '',
      note: '',
      // No due: nor reattest: on the stack's policy, and REATTEST_EVERY unset.
      sign_by: '',
      renews_at: '',
      renewal: '',
    });
    for (const unsigned of rows.slice(1)) {
      expect(unsigned).toMatchObject({ acknowledged_at: '', typed_name: '', evidence_id: '' });
    }
  });

  it('writes the CSV to a file only its owner can read, with a byte-order mark for Excel', async () => {
    // Prepare
    const file = join(mkdtempSync(join(tmpdir(), 'attest-report-')), 'r.csv');
    const printed = await report('--status', 'all', '--csv');

    // Act
    const { code, out } = await report('--status', 'all', '--out', file);

    // Assess: the same rows as printed, behind the mark
    expect(code).toBe(0);
    expect(out).toBe(`Wrote 4 rows to ${file}.`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const bytes = readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toBe(`\uFEFF${printed.out}\n`);
  });

  it('counts and lists nothing for a range after every assignment', async () => {
    // Prepare
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

    // Act
    const { code, out } = await report('--since', tomorrow);

    // Assess
    expect(code).toBe(0);
    expect(out.split('\n').slice(1)).toEqual([
      `People asked since ${tomorrow}: 0. Signed: 0 (–). Not signed: 0. Cancelled: 0.`,
      '',
      'Not signed: none.',
    ]);
  });

  it('refuses a policy never published, exiting 1 and writing no file', async () => {
    // Prepare
    const file = join(mkdtempSync(join(tmpdir(), 'attest-report-')), 'r.csv');

    // Act
    const printed = await cli('report', '--policy', 'no-such-policy');
    const written = await cli('report', '--policy', 'no-such-policy', '--out', file);

    // Assess
    expect(printed).toEqual({
      code: 1,
      out: '',
      err: 'attest: No policy no-such-policy has been published.',
    });
    expect(written.code).toBe(1);
    expect(existsSync(file)).toBe(false);
  });
});

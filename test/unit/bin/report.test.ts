// `attest report`: the counts and the table, CSV to the terminal or to a file, its usage errors, and the terminal formatting.
import { lstatSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Assignment, AssignmentStatus, PolicyVersion, Starter } from '#shared/core/model.ts';
import type { ReportSummary } from '#shared/core/report.ts';
import { runCli } from '../../../bin/attest.ts';
import { parseDay, summaryLines, tableLines } from '../../../bin/report.ts';
import {
  anEvidence,
  aPolicy,
  aReportRow,
  FakeStore,
  REPORT_CSV_HEADER,
  seedAssignment,
} from '../../support/fakes.ts';

const NOW = '2026-11-26T10:00:00.000Z';

const HEADER = REPORT_CSV_HEADER;

interface FakeFile {
  path: string;
  writes: string[];
  closes: number;
  removed?: true;
}

/** Runs the CLI against `store`; collects what it prints and every file it creates. */
async function cli(argv: string[], store = new FakeStore()) {
  const out: string[] = [];
  const err: string[] = [];
  const files: FakeFile[] = [];
  const code = await runCli(argv, {
    store,
    io: { out: (t) => out.push(t), err: (t) => err.push(t) },
    now: () => new Date(NOW),
    readFile: (path) => {
      throw new Error(`read ${path}`);
    },
    createFile: (path) => {
      const file: FakeFile = { path, writes: [], closes: 0 };
      files.push(file);
      return {
        write: (text) => {
          file.writes.push(text);
        },
        close: () => {
          file.closes++;
        },
        remove: () => {
          file.closes++;
          file.removed = true;
        },
      };
    },
  });
  return { code, out, err, files, store };
}

/** A store holding safe-internet-use v3. */
async function storeWithPolicy(policy: PolicyVersion = aPolicy()) {
  const store = new FakeStore();
  await store.putPolicyVersion(policy);
  return store;
}

/** Seeds a starter and their assignment of safe-internet-use v3 with `status`. */
const assign = (
  store: FakeStore,
  employeeId: string,
  status: AssignmentStatus,
  overrides: Partial<Assignment> = {},
  starter: Partial<Starter> = {},
) => seedAssignment(store, employeeId, status, overrides, { starter });

/** One of each status; the cancelled one is why the percentage is not of all six. */
async function mixedStore() {
  const store = await storeWithPolicy();
  await assign(
    store,
    'E1001',
    'invited',
    {
      createdAt: '2026-11-20T09:00:00.000Z',
      chase: { invitedAt: '2026-11-20T09:30:00.000Z', remindersSent: 2 },
    },
    { department: 'Engineering', manager: { name: 'Grace Hopper', email: 'grace@example.org' } },
  );
  await assign(
    store,
    'E1002',
    'pending',
    { createdAt: '2026-11-25T09:00:00.000Z' },
    { givenName: 'Alan', familyName: 'Turing', email: 'alan@example.org' },
  );
  await assign(
    store,
    'E1003',
    'acknowledged',
    {
      createdAt: '2026-11-18T09:00:00.000Z',
      chase: { invitedAt: '2026-11-18T09:15:00.000Z', remindersSent: 0 },
      ack: anEvidence(aPolicy(), {
        evidenceId: 'ev_joan',
        typedName: 'Joan Clarke',
        acknowledgedAt: '2026-11-19T16:42:10.000Z',
      }),
    },
    { givenName: 'Joan', familyName: 'Clarke', email: 'joan@example.org' },
  );
  await assign(store, 'E1004', 'cancelled', { createdAt: '2026-11-19T09:00:00.000Z' });
  await assign(
    store,
    'E1005',
    'overdue',
    {
      createdAt: '2026-11-10T09:00:00.000Z',
      chase: { invitedAt: '2026-11-10T09:15:00.000Z', remindersSent: 3 },
    },
    { givenName: 'Tommy', familyName: 'Flowers', email: 'tommy@example.org' },
  );
  await assign(
    store,
    'E1006',
    'bounced',
    {
      createdAt: '2026-11-24T09:00:00.000Z',
      chase: { invitedAt: '2026-11-24T09:15:00.000Z', remindersSent: 0 },
      bounce: { reason: 'bounced', email: 'gone@example.org', at: '2026-11-24T09:16:00.000Z' },
    },
    { givenName: 'Mary', familyName: 'Somerville', email: 'gone@example.org' },
  );
  return store;
}

/** `n` invited assignments, E001… made a minute apart. */
async function invitedStore(n: number) {
  const store = await storeWithPolicy();
  for (let i = 1; i <= n; i++) {
    const id = `E${String(i).padStart(3, '0')}`;
    const createdAt = new Date(Date.parse('2026-11-20T00:00:00.000Z') + i * 60_000).toISOString();
    await assign(store, id, 'invited', { createdAt }, { givenName: `Name${i}` });
  }
  return store;
}

/** The employee ids E001 to E`n`. */
const employees = (n: number) => Array.from({ length: n }, (_, i) => `E${String(i + 1).padStart(3, '0')}`);

/** The CSV's data lines, without the header. */
const dataLines = (csv: string) => csv.split('\n').filter((line) => line && line !== HEADER);

describe('attest report', () => {
  it('prints the counts, then the unsigned as a table, oldest first', async () => {
    // Prepare
    const store = await mixedStore();

    // Act
    const { code, out, err, files } = await cli(['report', '--policy', 'safe-internet-use'], store);

    // Assess
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(files).toEqual([]);
    expect(out).toHaveLength(1);
    expect(out[0]?.split('\n')).toEqual([
      'Safe internet use (safe-internet-use; newest version 3)',
      // 1 signed of the 5 not cancelled: 20%, not 16% of all 6.
      'People asked: 6. Signed: 1 (20%). Not signed: 4 (1 not yet invited, 1 invited, 1 overdue, 1 bounced). Cancelled: 1.',
      '',
      'Not signed (4), oldest first:',
      'EMPLOYEE  NAME             EMAIL              DEPARTMENT   MANAGER       VERSION  STATUS       INVITED (UTC)     REMINDERS  WAITING',
      'E1005     Tommy Flowers    tommy@example.org  –            –             v3       overdue      2026-11-10 09:15  3          16 days',
      'E1001     Ada Lovelace     ada@example.org    Engineering  Grace Hopper  v3       invited      2026-11-20 09:30  2          6 days',
      'E1006     Mary Somerville  gone@example.org   –            –             v3       bounced      2026-11-24 09:15  0          2 days',
      'E1002     Alan Turing      alan@example.org   –            –             v3       not invited  –                 0          1 day',
    ]);
  });

  it('lists the signed with their typed name and evidence id for --status acknowledged', async () => {
    // Prepare
    const store = await mixedStore();

    // Act
    const { code, out } = await cli(
      ['report', '--policy', 'safe-internet-use', '--status', 'acknowledged'],
      store,
    );

    // Assess
    expect(code).toBe(0);
    const lines = out[0]?.split('\n') ?? [];
    // The counts are of every assignment, whatever is listed.
    expect(lines[1]).toBe(
      'People asked: 6. Signed: 1 (20%). Not signed: 4 (1 not yet invited, 1 invited, 1 overdue, 1 bounced). Cancelled: 1.',
    );
    expect(lines.slice(3)).toEqual([
      'Signed (1), oldest first:',
      'EMPLOYEE  NAME         EMAIL             DEPARTMENT  MANAGER  VERSION  STATUS        SIGNED (UTC)      TYPED NAME   EVIDENCE',
      'E1003     Joan Clarke  joan@example.org  –           –        v3       acknowledged  2026-11-19 16:42  Joan Clarke  ev_joan',
    ]);
  });

  it('says none when nothing is unsigned', async () => {
    // Prepare
    const store = await storeWithPolicy();
    await assign(store, 'E1', 'acknowledged');
    await assign(store, 'E2', 'acknowledged');
    await assign(store, 'E3', 'cancelled');

    // Act
    const { code, out } = await cli(['report', '--policy', 'safe-internet-use'], store);

    // Assess
    expect(code).toBe(0);
    expect(out[0]?.split('\n')).toEqual([
      'Safe internet use (safe-internet-use; newest version 3)',
      'People asked: 3. Signed: 2 (100%). Not signed: 0. Cancelled: 1.',
      '',
      'Not signed: none.',
    ]);
  });

  it('lists both the --since and the --until day, and nothing outside them', async () => {
    // Prepare
    const store = await storeWithPolicy();
    await assign(store, 'E1', 'invited', { createdAt: '2026-10-31T23:59:59.999Z' });
    await assign(store, 'E2', 'invited', { createdAt: '2026-11-01T00:00:00.000Z' });
    await assign(store, 'E3', 'invited', { createdAt: '2026-11-03T23:59:59.999Z' });
    await assign(store, 'E4', 'invited', { createdAt: '2026-11-04T00:00:00.000Z' });

    // Act
    const { code, out } = await cli(
      ['report', '--policy', 'safe-internet-use', '--since', '2026-11-01', '--until', '2026-11-03', '--csv'],
      store,
    );
    const table = await cli(
      ['report', '--policy', 'safe-internet-use', '--since', '2026-11-01', '--until', '2026-11-03'],
      store,
    );

    // Assess
    expect(code).toBe(0);
    const lines = dataLines(out.join('\n'));
    expect(lines.map((line) => line.split(',')[1])).toEqual(['E2', 'E3']);
    expect(table.out[0]?.split('\n')[1]).toBe(
      'People asked from 2026-11-01 to 2026-11-03: 2. Signed: 0 (0%). Not signed: 2 (2 invited). Cancelled: 0.',
    );
  });

  it('lists a single day given as both --since and --until', async () => {
    // Prepare
    const store = await storeWithPolicy();
    await assign(store, 'E1', 'invited', { createdAt: '2026-10-31T23:59:59.999Z' });
    await assign(store, 'E2', 'invited', { createdAt: '2026-11-01T00:00:00.000Z' });
    await assign(store, 'E3', 'invited', { createdAt: '2026-11-01T23:59:59.999Z' });
    await assign(store, 'E4', 'invited', { createdAt: '2026-11-02T00:00:00.000Z' });

    // Act
    const { code, out } = await cli(
      ['report', '--policy', 'safe-internet-use', '--since', '2026-11-01', '--until', '2026-11-01', '--csv'],
      store,
    );

    // Assess
    expect(code).toBe(0);
    expect(dataLines(out.join('\n')).map((line) => line.split(',')[1])).toEqual(['E2', 'E3']);
  });

  it('prints the header and the rows as CSV with --csv, a hundred at a time, the header once and no BOM', async () => {
    // Prepare
    const store = await invitedStore(250);
    store.pageSize = 7;

    // Act
    const { code, out, err, files } = await cli(['report', '--policy', 'safe-internet-use', '--csv'], store);

    // Assess
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(files).toEqual([]);
    // One print per hundred rows, each without its final newline (io.out ends the line).
    expect(out).toHaveLength(3);
    expect(out.every((text) => !text.endsWith('\n'))).toBe(true);
    const lines = out.join('\n').split('\n');
    expect(lines[0]).toBe(HEADER);
    expect(lines.filter((line) => line === HEADER)).toHaveLength(1);
    expect(lines.slice(1).map((line) => line.split(',')[1])).toEqual(employees(250));
    expect(lines[1]?.split(',').slice(1, 3)).toEqual(['E001', 'Name1']);
  });

  it('prints the evidence of every agreement in the CSV of --status all', async () => {
    // Prepare
    const store = await mixedStore();

    // Act
    const { code, out } = await cli(
      ['report', '--policy', 'safe-internet-use', '--status', 'all', '--csv'],
      store,
    );

    // Assess
    expect(code).toBe(0);
    const lines = dataLines(out.join('\n'));
    expect(lines).toHaveLength(6);
    const joan = lines.find((line) => line.split(',')[1] === 'E1003')?.split(',');
    expect(joan?.slice(12, 13)).toEqual(['acknowledged']);
    expect(joan?.slice(19, 27)).toEqual([
      '2026-11-19T16:42:10.000Z',
      'Joan Clarke',
      'ev_joan',
      'a'.repeat(64),
      '203.0.113.7',
      'Mozilla/5.0',
      'AAAAAAAAAAA',
      'ses-1',
    ]);
  });

  it('prints only the header with --csv when nothing is listed', async () => {
    // Prepare
    const store = await storeWithPolicy();
    await assign(store, 'E1', 'acknowledged');

    // Act
    const { code, out } = await cli(['report', '--policy', 'safe-internet-use', '--csv'], store);

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual([HEADER]);
  });

  it('writes the CSV to the --out file, BOM first and the header once, then closes it', async () => {
    // Prepare
    const store = await invitedStore(250);
    store.pageSize = 7;

    // Act
    const { code, out, err, files } = await cli(
      ['report', '--policy', 'safe-internet-use', '--out', 'reports/unsigned.csv'],
      store,
    );

    // Assess
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toEqual(['Wrote 250 rows to reports/unsigned.csv.']);
    expect(files).toHaveLength(1);
    const [file] = files;
    expect(file?.path).toBe('reports/unsigned.csv');
    expect(file?.closes).toBe(1);
    expect(file?.writes).toHaveLength(3);
    expect(file?.writes[0]?.startsWith(`\uFEFF${HEADER}\n`)).toBe(true);
    expect(file?.writes.slice(1).some((text) => text.includes('\uFEFF') || text.includes(HEADER))).toBe(
      false,
    );
    const text = file?.writes.join('') ?? '';
    expect(text.endsWith('\n')).toBe(true);
    expect(dataLines(text.slice(1)).map((line) => line.split(',')[1])).toEqual(employees(250));
  });

  it('writes a file holding only the BOM and the header when nothing is listed', async () => {
    // Prepare
    const store = await storeWithPolicy();

    // Act
    const { code, out, files } = await cli(
      ['report', '--policy', 'safe-internet-use', '--out', 'r.csv'],
      store,
    );

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual(['Wrote 0 rows to r.csv.']);
    expect(files).toEqual([{ path: 'r.csv', writes: [`\uFEFF${HEADER}\n`], closes: 1 }]);
  });

  it('creates no file and exits 1 when the policy was never published', async () => {
    // Prepare
    const store = new FakeStore();

    // Act
    const { code, out, err, files } = await cli(['report', '--policy', 'nope', '--out', 'r.csv'], store);

    // Assess
    expect(code).toBe(1);
    expect(files).toEqual([]);
    expect(out).toEqual([]);
    expect(err).toEqual(['attest: No policy nope has been published.']);
  });

  it('removes the file, saying so, when the table fails part way through the export', async () => {
    // Prepare: the second hundred's assignments cannot be read
    const store = await invitedStore(150);
    let reads = 0;
    const getAssignments = store.getAssignments.bind(store);
    store.getAssignments = async (ids) => {
      if (++reads === 2)
        throw Object.assign(new Error('Throughput exceeds the limit'), { name: 'ThrottlingException' });
      return getAssignments(ids);
    };

    // Act
    const { code, out, err, files } = await cli(
      ['report', '--policy', 'safe-internet-use', '--out', 'r.csv'],
      store,
    );

    // Assess: the first page was written, then the partial file removed
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ path: 'r.csv', closes: 1, removed: true });
    expect(files[0]?.writes).toHaveLength(1);
    expect(err).toEqual([
      'attest: removed r.csv: the report did not finish.',
      'attest: ThrottlingException: Throughput exceeds the limit',
    ]);
  });

  it('says "1 row" for one', async () => {
    // Prepare
    const store = await invitedStore(1);

    // Act
    const { out } = await cli(['report', '--policy', 'safe-internet-use', '--out', 'r.csv'], store);

    // Assess
    expect(out).toEqual(['Wrote 1 row to r.csv.']);
  });

  it('exits 1 naming the policy when the table report asks for one never published', async () => {
    // Act
    const { code, out, err } = await cli(['report', '--policy', 'nope']);

    // Assess
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual(['attest: No policy nope has been published.']);
  });
});

describe('attest report --out, on the real file system', () => {
  /** The CLI with the real createFile: no fake given. */
  async function realCli(argv: string[], store: FakeStore) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, {
      store,
      io: { out: (t) => out.push(t), err: (t) => err.push(t) },
      now: () => new Date(NOW),
    });
    return { code, out, err };
  }
  const dir = () => mkdtempSync(join(tmpdir(), 'attest-report-'));

  it('makes an existing file readable only by its owner, and replaces its content', async () => {
    // Prepare
    const path = join(dir(), 'r.csv');
    writeFileSync(path, 'old content that is longer than the header line would be, surely'.repeat(20), {
      mode: 0o644,
    });

    // Act
    const { code } = await realCli(
      ['report', '--policy', 'safe-internet-use', '--out', path],
      await invitedStore(2),
    );

    // Assess
    expect(code).toBe(0);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe(
      `\uFEFF${HEADER}\n${readFileSync(path, 'utf8').split('\n').slice(1).join('\n')}`,
    );
    expect(readFileSync(path, 'utf8')).not.toContain('old content');
    expect(dataLines(readFileSync(path, 'utf8').slice(1))).toHaveLength(2);
  });

  it('refuses to write through a symbolic link, leaving its target alone', async () => {
    // Prepare
    const d = dir();
    const target = join(d, 'elsewhere.txt');
    writeFileSync(target, 'keep me');
    const path = join(d, 'r.csv');
    symlinkSync(target, path);

    // Act
    const { code, err } = await realCli(
      ['report', '--policy', 'safe-internet-use', '--out', path],
      await invitedStore(1),
    );

    // Assess
    expect(code).toBe(1);
    expect(err).toEqual([
      `attest: cannot write ${path}: it is a symbolic link, which attest does not write through`,
    ]);
    expect(readFileSync(target, 'utf8')).toBe('keep me');
    expect(lstatSync(path).isSymbolicLink()).toBe(true);
  });

  it.each([
    [
      'in a directory that does not exist',
      (d: string) => join(d, 'no-such-dir', 'r.csv'),
      'its directory does not exist',
    ],
    ['that is a directory', (d: string) => d, 'it is a directory; give a file name'],
  ])('refuses a file %s in words saying why, exit 1', async (_, where, why) => {
    // Prepare
    const path = where(dir());

    // Act
    const { code, out, err } = await realCli(
      ['report', '--policy', 'safe-internet-use', '--out', path],
      await invitedStore(1),
    );

    // Assess
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual([`attest: cannot write ${path}: ${why}`]);
  });

  it('removes the partial file when the report fails part way', async () => {
    // Prepare
    const path = join(dir(), 'r.csv');
    const store = await invitedStore(150);
    let reads = 0;
    const getAssignments = store.getAssignments.bind(store);
    store.getAssignments = async (ids) => {
      if (++reads === 2) throw new Error('the table went away');
      return getAssignments(ids);
    };

    // Act
    const { code, err } = await realCli(['report', '--policy', 'safe-internet-use', '--out', path], store);

    // Assess
    expect(code).toBe(1);
    expect(err[0]).toBe(`attest: removed ${path}: the report did not finish.`);
    expect(() => statSync(path)).toThrow(/ENOENT/);
  });
});

/** How a usage error ends: a pointer to the help of the command called wrongly. */
const tryHelp = (command = 'report') => `Try \`attest ${command} --help\`.`;

describe('attest report usage errors', () => {
  it.each([
    [
      ['report', 'safe-internet-use', '--policy', 'safe-internet-use'],
      'unexpected "safe-internet-use"',
      'report',
    ],
    [
      ['report', '--policy', 'safe-internet-use', '-x'],
      'unexpected "-x", not an option attest knows',
      'report',
    ],
    [['report', '--policy', 'safe-internet-use', '—csv'], 'unexpected "—csv"', 'report'],
    [['policy', 'publish', 'p.md', '-r'], 'unexpected "-r", not an option attest knows', 'policy publish'],
    [['evidence', 'a1', 'a2'], 'unexpected "a2"', 'evidence'],
    [['lms', 'dead-letters', 'now'], 'unexpected "now"', 'lms dead-letters'],
  ])('exits 2 for a word the command does not take: %j', async (argv, message, command) => {
    // Act
    const { code, out, err, files } = await cli(argv, await storeWithPolicy());

    // Assess: refused, not ignored
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(files).toEqual([]);
    expect(err[0]).toBe(`attest: ${message}\n${tryHelp(command)}`);
  });

  it('exits 2 pointing to the help when --policy is missing', async () => {
    // Act
    const { code, out, err, files } = await cli(['report', '--csv']);

    // Assess
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(files).toEqual([]);
    expect(err).toEqual([`attest: report needs --policy <policy-id>, e.g. safe-internet-use\n${tryHelp()}`]);
  });

  it('exits 2 for an --out with no file name, printing nothing', async () => {
    // Act
    const { code, out, err, files } = await cli(['report', '--policy', 'safe-internet-use', '--out', '']);

    // Assess
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(files).toEqual([]);
    expect(err[0]).toMatch(/^attest: --out needs a file name, e\.g\. --out report\.csv\n/);
  });

  it('exits 2 listing the valid statuses for an unknown --status', async () => {
    // Act
    const { code, err } = await cli(['report', '--policy', 'safe-internet-use', '--status', 'done']);

    // Assess
    expect(code).toBe(2);
    expect(err).toEqual([
      'attest: --status must be one of unsigned, all, pending, invited, overdue, bounced, declined, acknowledged, cancelled' +
        ` (or signed), not "done"\n${tryHelp()}`,
    ]);
  });

  it('takes --status signed as acknowledged', async () => {
    // Prepare
    const store = await storeWithPolicy();
    await assign(store, 'E1', 'acknowledged');
    await assign(store, 'E2', 'invited');

    // Act
    const signed = await cli(['report', '--policy', 'safe-internet-use', '--status', 'signed'], store);
    const acknowledged = await cli(
      ['report', '--policy', 'safe-internet-use', '--status', 'acknowledged'],
      store,
    );

    // Assess
    expect(signed.code).toBe(0);
    expect(signed.out).toEqual(acknowledged.out);
    expect(signed.out[0]).toContain('Signed (1), oldest first:');
  });

  it.each([
    ['--since', '2026-02-30'],
    ['--since', '26-11-01'],
    ['--until', '2026-13-01'],
    ['--until', '2026-11-1'],
    ['--since', 'yesterday'],
    ['--until', '2026-11-01T00:00:00Z'],
  ])('exits 2 pointing to the help for %s %s', async (flag, value) => {
    // Prepare
    const store = await storeWithPolicy();

    // Act
    const { code, out, err } = await cli(['report', '--policy', 'safe-internet-use', flag, value], store);

    // Assess
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual([
      `attest: ${flag} must be a day as YYYY-MM-DD, not ${JSON.stringify(value)}\n${tryHelp()}`,
    ]);
  });

  it('exits 2 when --since is after --until', async () => {
    // Prepare
    const store = await storeWithPolicy();

    // Act
    const { code, err, files } = await cli(
      [
        'report',
        '--policy',
        'safe-internet-use',
        '--since',
        '2026-11-02',
        '--until',
        '2026-11-01',
        '--out',
        'r.csv',
      ],
      store,
    );

    // Assess
    expect(code).toBe(2);
    expect(files).toEqual([]);
    expect(err).toEqual([`attest: --since must not be after --until\n${tryHelp()}`]);
  });

  it('documents the report command in its help', async () => {
    // Act
    const { code, out } = await cli(['report', '--help']);

    // Assess
    expect(code).toBe(0);
    expect(out[0]).toContain(
      'report --policy <policy-id> [--status <status>] [--since <day>] [--until <day>] [--csv | --out <file.csv>]',
    );
  });
});

describe('parseDay', () => {
  it('reads a day as its first moment in UTC', () => {
    // Act
    const day = parseDay('2026-11-01', false);

    // Assess
    expect(day?.toISOString()).toBe('2026-11-01T00:00:00.000Z');
  });

  it('reads a day as the next day’s first moment for an inclusive end', () => {
    // Act
    const end = parseDay('2026-12-31', true);
    const leap = parseDay('2028-02-29', true);

    // Assess
    expect(end?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(leap?.toISOString()).toBe('2028-03-01T00:00:00.000Z');
  });

  it.each([
    '2026-02-29',
    '2026-02-30',
    '2026-04-31',
    '2026-00-10',
    '2026-13-01',
    '2026-11-00',
    '26-11-01',
    '2026-1-01',
    '2026/11/01',
    ' 2026-11-01',
    '2026-11-01\n',
    '2026-11-01T00:00:00Z',
    '',
  ])('refuses %j', (value) => {
    // Act
    const day = parseDay(value, false);

    // Assess
    expect(day).toBeUndefined();
  });

  it('gives, for any string, either nothing or the very day written (property)', () => {
    // Prepare
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    const written = fc.oneof(
      fc.string(),
      fc
        .date({
          min: new Date('0000-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString().slice(0, 10)),
      fc
        .tuple(
          fc.integer({ min: 0, max: 9999 }),
          fc.integer({ min: 0, max: 99 }),
          fc.integer({ min: 0, max: 99 }),
        )
        // Well-formed but often impossible: month 00 or 13, day 00 or 31 of a short month.
        .map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`),
    );

    // Act & Assess
    fc.assert(
      fc.property(written, fc.boolean(), (value, endOfDay) => {
        const day = parseDay(value, endOfDay);
        if (day === undefined) return;
        const start = endOfDay ? new Date(day.getTime() - 86_400_000) : day;
        expect(start.toISOString()).toBe(`${value}T00:00:00.000Z`);
      }),
    );
  });
});

/** A summary of safe-internet-use v3 with these counts. */
function aSummary(byStatus: Partial<ReportSummary['byStatus']>): ReportSummary {
  const counts = {
    pending: 0,
    invited: 0,
    overdue: 0,
    bounced: 0,
    declined: 0,
    acknowledged: 0,
    cancelled: 0,
    ...byStatus,
  };
  const unsigned = counts.pending + counts.invited + counts.overdue + counts.bounced;
  return {
    policy: { policyId: 'safe-internet-use', version: 3, title: 'Safe internet use' },
    total: unsigned + counts.acknowledged + counts.cancelled,
    byStatus: counts,
    signed: counts.acknowledged,
    unsigned,
    listed: unsigned,
    dueForRenewal: 0,
    lapsed: 0,
  };
}

describe('summaryLines', () => {
  it('names only the reasons waiting that have a count', () => {
    // Act
    const lines = summaryLines(aSummary({ acknowledged: 2, overdue: 3, pending: 1 }), {});

    // Assess
    expect(lines).toEqual([
      'Safe internet use (safe-internet-use; newest version 3)',
      'People asked: 6. Signed: 2 (33%). Not signed: 4 (1 not yet invited, 3 overdue). Cancelled: 0.',
    ]);
  });

  it.each([
    [{ since: '2026-11-01' }, 'People asked since 2026-11-01: 1.'],
    [{ until: '2026-11-30' }, 'People asked up to 2026-11-30: 1.'],
    [{ since: '2026-11-01', until: '2026-11-30' }, 'People asked from 2026-11-01 to 2026-11-30: 1.'],
  ])('says which days were counted for %j', (range, start) => {
    // Act
    const [, line] = summaryLines(aSummary({ invited: 1 }), range);

    // Assess
    expect(line).toBe(`${start} Signed: 0 (0%). Not signed: 1 (1 invited). Cancelled: 0.`);
  });

  it('leaves cancelled assignments out of the percentage signed, and shows none when all are cancelled', () => {
    // Act
    const [, some] = summaryLines(aSummary({ acknowledged: 1, invited: 2, cancelled: 7 }), {});
    const [, allCancelled] = summaryLines(aSummary({ cancelled: 2 }), {});
    const [, nothing] = summaryLines(aSummary({}), {});

    // Assess
    expect(some).toBe('People asked: 10. Signed: 1 (33%). Not signed: 2 (2 invited). Cancelled: 7.');
    expect(allCancelled).toBe('People asked: 2. Signed: 0 (–). Not signed: 0. Cancelled: 2.');
    expect(nothing).toBe('People asked: 0. Signed: 0 (–). Not signed: 0. Cancelled: 0.');
  });
});

/** A report row, invited and not signed. */
const aRow = aReportRow;

describe('tableLines', () => {
  it('shows an ask withdrawn for a newer version as superseded by it, not as cancelled', () => {
    // Act
    const [, , row] = tableLines('all', [
      aRow({ status: 'cancelled', supersededByVersion: 2, daysWaiting: null }),
    ]);

    // Assess
    expect(row).toContain('superseded by v2');
    expect(row).not.toContain('cancelled');
  });

  it('shows control and format characters from HR or the signing page as �, never as themselves', () => {
    // Prepare: an escape sequence in a typed name, a bidi override in a department
    const row = aReportRow({
      status: 'acknowledged',
      typedName: 'Ada\u001b]8;;https://evil.example\u0007Lovelace',
      department: 'Sales\u202e',
    });

    // Act
    const lines = tableLines('acknowledged', [row]);
    const text = lines.join('\n');

    // Assess
    for (const line of lines) expect(line).not.toMatch(/[\p{Cc}\p{Cf}]/u);
    expect(text).toContain('Ada\uFFFD]8;;https://evil.example\uFFFDLovelace');
    expect(text).toContain('Sales\uFFFD');
  });

  it('titles each filter and says none when there are no rows', () => {
    // Act
    const titles = (
      ['unsigned', 'all', 'pending', 'overdue', 'bounced', 'acknowledged', 'cancelled'] as const
    ).map((filter) => tableLines(filter, [])[0]);

    // Assess
    expect(titles).toEqual([
      'Not signed: none.',
      'Every assignment: none.',
      'Not yet invited: none.',
      'Overdue (their manager was told): none.',
      'Bounced (their address refused the email): none.',
      'Signed: none.',
      'Cancelled: none.',
    ]);
  });

  it('marks a re-acknowledgement, a missing starter, a day in the singular and no wait', () => {
    // Prepare
    const rows = [
      aRow({ policyVersion: 4, reason: 'reacknowledge', daysWaiting: 1 }),
      aRow({
        employeeId: '',
        givenName: '',
        familyName: '',
        email: '',
        status: 'pending',
        invitedAt: '',
        daysWaiting: 0,
      }),
      aRow({ employeeId: 'E3', status: 'cancelled', daysWaiting: null, remindersSent: 0 }),
    ];

    // Act
    const lines = tableLines('all', rows);

    // Assess
    expect(lines).toEqual([
      'Every assignment (3), oldest first:',
      'EMPLOYEE  NAME               EMAIL            DEPARTMENT  MANAGER  VERSION     STATUS       INVITED (UTC)     REMINDERS  WAITING',
      'E1        Ada Lovelace       ada@example.org  –           –        v4 (again)  invited      2026-11-20 09:15  1          1 day',
      '?         (starter missing)  –                –           –        v3          not invited  –                 1          0 days',
      'E3        Ada Lovelace       ada@example.org  –           –        v3          cancelled    2026-11-20 09:15  0          –',
    ]);
  });
});

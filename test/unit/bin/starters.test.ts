// `attest import starters` and `attest starter add`: the summary on stdout, bad rows on stderr, exit codes, dry runs.
import { describe, expect, it } from 'vitest';
import { starterIdFor } from '#shared/core/ids.ts';
import { type CliDeps, runCli } from '../../../bin/attest.ts';
import { FakeQueue, FakeStore, seededStore } from '../../support/fakes.ts';

const HEADER =
  'employeeId,givenName,familyName,email,startDate,managerName,managerEmail,department,locale,timeZone,policies';
const EXCEL = [
  `\uFEFF${HEADER}`,
  'E1,Ada,Lovelace,ada@example.org,2026-12-01,Grace Hopper,grace@example.org,"Computing, Analytical",,,safe-internet-use',
  'E2,Bad,Row,not-an-email,2026-12-01,,,,,,',
  // A quoted line break is read, and refused as the webhook refuses one: it would reach a record.
  'E3,Alan,Turing,alan@example.org,2026-12-03,,,"Bletchley\r\nPark",en-GB,Europe/London,',
  'E4,Mary,Somerville,mary@example.org,2026-12-04,,,"Maths, Applied",fr-FR,Europe/Paris,',
  '',
].join('\r\n');

/** Runs the CLI on a FakeStore and queue, with `files` as what it may read. */
async function cli(
  argv: string[],
  files: Record<string, string> = {},
  store = new FakeStore(),
  queue = new FakeQueue(),
  more: Partial<CliDeps> = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    store,
    mailQueue: queue,
    io: { out: (t) => out.push(t), err: (t) => err.push(t) },
    now: () => new Date('2026-11-26T10:00:00.000Z'),
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT', path });
      return text;
    },
    ...more,
  });
  return { code, out, err, store, queue };
}

describe('attest import starters', () => {
  it('imports the good rows of an Excel file, names the bad ones by line and field, and exits 1', async () => {
    // Act
    const { code, out, err, store, queue } = await cli(['import', 'starters', 'new.csv'], {
      'new.csv': EXCEL,
    });

    // Assess
    expect(out).toEqual(['2 created, 0 updated, 0 unchanged, 2 rejected']);
    expect(err).toEqual([
      'line 3: email: Not an email address.',
      'line 4: department: Must not contain control, format or invisible characters (line breaks, tabs, direction marks).',
    ]);
    expect(code).toBe(1);
    expect(store.starters.get(starterIdFor('E1'))?.department).toBe('Computing, Analytical');
    expect(store.starters.get(starterIdFor('E4'))).toMatchObject({
      locale: 'fr-FR',
      timeZone: 'Europe/Paris',
    });
    expect(queue.sent).toHaveLength(2);
  });

  it('creates nothing new when the same file is imported again, and exits 0 when every row is imported', async () => {
    // Prepare
    const file = EXCEL.replace(/E2,Bad[\s\S]*?Park[^\n]*\n/, '');
    const first = await cli(['import', 'starters', 'new.csv'], { 'new.csv': file });

    // Act
    const again = await cli(['import', 'starters', 'new.csv'], { 'new.csv': file }, first.store, first.queue);

    // Assess
    expect([first.code, first.out]).toEqual([0, ['2 created, 0 updated, 0 unchanged, 0 rejected']]);
    expect([again.code, again.out, again.err]).toEqual([
      0,
      ['0 created, 0 updated, 2 unchanged, 0 rejected'],
      [],
    ]);
    expect(again.queue.sent).toHaveLength(2);
  });

  it('writes nothing on a dry run', async () => {
    // Act
    const { code, out, store, queue } = await cli(['import', 'starters', 'new.csv', '--dry-run'], {
      'new.csv': EXCEL,
    });

    // Assess
    expect(out).toEqual(['2 created, 0 updated, 0 unchanged, 2 rejected (dry run: nothing written)']);
    expect(code).toBe(1);
    expect([store.starters.size, store.receipts.size, queue.sent.length]).toEqual([0, 0, 0]);
  });

  it('shows a progress bar when given one (a terminal), stopped before the summary', async () => {
    // Prepare
    const seen: string[] = [];
    const progressBar = (total: number) => {
      seen.push(`start ${total}`);
      return { update: (done: number) => seen.push(`${done}`), stop: () => seen.push('stop') };
    };

    // Act
    const { out } = await cli(['import', 'starters', 'new.csv'], { 'new.csv': EXCEL }, undefined, undefined, {
      progressBar,
    });

    // Assess: the two good rows
    expect(seen).toEqual(['start 2', '1', '2', 'stop']);
    expect(out).toHaveLength(1);
  });

  it('refuses a file with a wrong header, importing nothing (exit 1)', async () => {
    // Act
    const { code, out, err, store } = await cli(['import', 'starters', 'x.csv'], {
      'x.csv': 'id,name\nE1,Ada\n',
    });

    // Assess
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err[0]).toMatch(
      /^attest: the header row is wrong: unknown columns "id", "name"; missing columns employeeId/,
    );
    expect(store.starters.size).toBe(0);
  });

  it('says a missing file is missing (exit 1) and a missing argument is a usage error (exit 2)', async () => {
    // Act
    const missing = await cli(['import', 'starters', 'nope.csv']);
    const usage = await cli(['import', 'starters']);

    // Assess
    expect([missing.code, missing.err]).toEqual([1, ['attest: no such file: nope.csv']]);
    expect(usage.code).toBe(2);
    expect(usage.err.join('\n')).toContain('Try `attest import starters --help`.');
  });
});

describe('attest starter add', () => {
  const ADA = [
    '--employee',
    'E9',
    '--given-name',
    'Ada',
    '--family-name',
    'Lovelace',
    '--email',
    'ada@example.org',
    '--start-date',
    '2026-12-01',
  ];

  it('adds one starter with their manager and policies, and invites them', async () => {
    // Act
    const { code, out, store, queue } = await cli([
      'starter',
      'add',
      ...ADA,
      '--manager-name',
      'Grace Hopper',
      '--manager-email',
      'grace@example.org',
      '--policies',
      'safe-internet-use',
      '--time-zone',
      'Europe/Paris',
    ]);

    // Assess
    expect([code, out]).toEqual([0, ['1 created, 0 updated, 0 unchanged, 0 rejected']]);
    expect(store.starters.get(starterIdFor('E9'))).toMatchObject({
      manager: { name: 'Grace Hopper', email: 'grace@example.org' },
      timeZone: 'Europe/Paris',
      locale: 'en-GB',
      policies: ['safe-internet-use'],
    });
    expect(queue.sent.map((s) => s.message.kind)).toEqual(['invite']);
  });

  it('updates the starter when called again with a change', async () => {
    // Prepare
    const first = await cli(['starter', 'add', ...ADA]);

    // Act
    const again = await cli(
      ['starter', 'add', ...ADA.slice(0, -1), '2026-12-08'],
      {},
      first.store,
      first.queue,
    );

    // Assess
    expect(again.out).toEqual(['0 created, 1 updated, 0 unchanged, 0 rejected']);
    expect(again.store.starters.get(starterIdFor('E9'))?.startDate).toBe('2026-12-08');
  });

  it('keeps where the starter works and as what, and counts a change of job title as an update', async () => {
    // Prepare
    const WHERE = [
      '--department',
      'Libraries',
      '--organization',
      'Example Council',
      '--division',
      'Communities',
      '--location',
      'Central Library',
      '--employment-type',
      'Contractor',
      '--job-title',
      'Archivist',
    ];
    const first = await cli(['starter', 'add', ...ADA, ...WHERE]);
    const same = await cli(['starter', 'add', ...ADA, ...WHERE], {}, first.store, first.queue);

    // Act
    const moved = await cli(
      ['starter', 'add', ...ADA, ...WHERE.slice(0, -1), 'Senior Archivist'],
      {},
      first.store,
      first.queue,
    );

    // Assess
    expect(first.out).toEqual(['1 created, 0 updated, 0 unchanged, 0 rejected']);
    expect(same.out).toEqual(['0 created, 0 updated, 1 unchanged, 0 rejected']);
    expect(moved.out).toEqual(['0 created, 1 updated, 0 unchanged, 0 rejected']);
    expect(moved.store.starters.get(starterIdFor('E9'))).toMatchObject({
      department: 'Libraries',
      organization: 'Example Council',
      division: 'Communities',
      location: 'Central Library',
      employmentType: 'Contractor',
      jobTitle: 'Senior Archivist',
    });
  });

  it('names a bad value by its option and exits 1, writing nothing', async () => {
    // Act
    const { code, err, store } = await cli([
      'starter',
      'add',
      ...ADA.slice(0, -1),
      '2026-02-30',
      '--manager-name',
      'Grace',
    ]);

    // Assess
    expect(code).toBe(1);
    expect(err).toEqual(['attest: --start-date: Not a calendar date.', 'attest: --manager-email: Required.']);
    expect(store.starters.size).toBe(0);
  });

  it('is a usage error (exit 2) without a required option', async () => {
    // Act
    const { code, err } = await cli(['starter', 'add', ...ADA.slice(2)]);

    // Assess
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/--employee <id>/);
  });
});

describe('attest starter resend', () => {
  it('owes a fresh invite now and says so on stdout; a second at once is refused with exit 1', async () => {
    // Prepare
    const { store, starter, policy, assignment } = await seededStore({
      status: 'invited',
      dueKind: 'reminder',
      dueAt: '2026-11-27T09:00:00.000Z',
    });
    const argv = ['starter', 'resend', '--employee', starter.employeeId, '--policy', policy.policyId];

    // Act
    const first = await cli(argv, {}, store);
    const again = await cli(argv, {}, store, first.queue);

    // Assess
    expect([first.code, first.err]).toEqual([0, []]);
    expect(first.out).toEqual([
      `${assignment.assignmentId}: a fresh invite is owed now; the mailer sends it with a new link.`,
    ]);
    expect(first.queue.sent.map((s) => s.message)).toEqual([
      { assignmentId: assignment.assignmentId, kind: 'invite' },
    ]);
    expect(again.code).toBe(1);
    expect(again.err.join('\n')).toMatch(/a fresh link was asked for within the last 15 minutes/);
    expect(again.queue.sent).toHaveLength(1);
  });

  it('exits 2 without --policy, writing nothing', async () => {
    // Act
    const { code, err, store } = await cli(['starter', 'resend', '--employee', 'E1']);

    // Assess
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('--policy');
    expect(store.writes).toEqual([]);
  });
});

describe('attest starter cancel', () => {
  const add = [
    'starter',
    'add',
    '--employee',
    'E1',
    '--given-name',
    'Ada',
    '--family-name',
    'Lovelace',
    '--email',
    'ada@example.org',
    '--start-date',
    '2026-12-01',
  ];

  it('withdraws every ask not signed, as starter.cancelled does, and says so; a second time does nothing', async () => {
    // Prepare
    const store = new FakeStore();
    await cli(add, {}, store);

    // Act
    const first = await cli(['starter', 'cancel', '--employee', 'E1'], {}, store);
    const writes = store.writes.length;
    const second = await cli(['starter', 'cancel', '--employee', 'E1'], {}, store);

    // Assess
    expect(first).toMatchObject({
      code: 0,
      out: ['E1: cancelled; 1 ask(s) withdrawn, 0 signed kept. Chasing has stopped.'],
    });
    expect(store.starters.get(starterIdFor('E1'))?.status).toBe('cancelled');
    expect([...store.assignments.values()].map((a) => a.status)).toEqual(['cancelled']);
    // The next sweep looks at the leaving at once, and counts with the deployment's own settings.
    expect([...store.assignments.values()].map((a) => [a.leftAt, a.retainStep, a.retainAt])).toEqual([
      ['2026-11-26T10:00:00.000Z', 'expire', '2026-11-26T10:00:01.000Z'],
    ]);
    expect(second).toMatchObject({ code: 0, out: ['E1: already cancelled; nothing to do.'] });
    expect(store.writes.length).toBe(writes);
  });

  it('brings a cancelled starter back with starter add, invited again', async () => {
    // Prepare
    const store = new FakeStore();
    const queue = new FakeQueue();
    await cli(add, {}, store, queue);
    await cli(['starter', 'cancel', '--employee', 'E1'], {}, store, queue);

    // Act
    const back = await cli(add, {}, store, queue);

    // Assess
    expect(back.code).toBe(0);
    expect(store.starters.get(starterIdFor('E1'))?.status).toBe('active');
    expect([...store.assignments.values()].map((a) => a.status)).toEqual(['pending']);
  });

  it('names an unknown employee (exit 1), writes nothing on a dry run, and needs --employee (exit 2)', async () => {
    // Prepare
    const store = new FakeStore();
    await cli(add, {}, store);
    const writes = store.writes.length;

    // Act
    const unknown = await cli(['starter', 'cancel', '--employee', 'E404'], {}, store);
    const dry = await cli(['starter', 'cancel', '--employee', 'E1', '--dry-run'], {}, store);
    const usage = await cli(['starter', 'cancel'], {}, store);

    // Assess
    expect(unknown.code).toBe(1);
    expect(unknown.err.join('\n')).toContain('No starter with employee id E404.');
    expect(dry).toMatchObject({ code: 0, out: ['E1: would be cancelled (dry run: nothing written)'] });
    expect(usage.code).toBe(2);
    expect(store.writes.length).toBe(writes);
  });
});

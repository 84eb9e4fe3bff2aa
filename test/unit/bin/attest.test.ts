// The attest command line: usage and exit codes, publishing versions (and re-acknowledgement), evidence, and the LMS deliveries.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { certificateFont } from '#shared/adapters/certificate-font.ts';
import { makeCertificate } from '#shared/core/certificate.ts';
import { statementIdFor } from '#shared/core/destinations/delivery-ids.ts';
import { assignmentIdFor } from '#shared/core/ids.ts';
import type { AttemptRecord, Evidence, OwedDeliveries, PolicyVersion } from '#shared/core/model.ts';
import { canonicalPolicyText, parsePolicy } from '#shared/core/policy.ts';
import { makePublishPolicy } from '#shared/core/publish.ts';
import { runCli } from '../../../bin/attest.ts';
import type { CliDeps } from '../../../bin/cli.ts';
import {
  anAssignment,
  anEvidence,
  aPolicy,
  aPolicySource,
  aStarter,
  deadLetterStore,
  FakeClock,
  FakeQueue,
  FakeStore,
  seedDeadLetter,
  seedSigned,
  silentLogger,
} from '../../support/fakes.ts';

const NOW = '2026-11-26T10:00:00.000Z';

const policySource = aPolicySource;

/** Runs the CLI against `store`, reading every file as `files` says; collects what it prints. */
async function cli(
  argv: string[],
  store = new FakeStore(),
  files: Record<string, string> = {},
  queues: Pick<CliDeps, 'mailQueue' | 'lmsQueue'> = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const read: string[] = [];
  const code = await runCli(argv, {
    ...queues,
    store,
    io: { out: (t) => out.push(t), err: (t) => err.push(t) },
    now: () => new Date(NOW),
    readFile: (path) => {
      read.push(path);
      const text = files[path];
      if (text === undefined) {
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), {
          code: 'ENOENT',
          path,
        });
      }
      return text;
    },
  });
  return { code, out, err, read, store };
}

function evidenceFor(policy: PolicyVersion, evidenceId = 'ev_1'): Evidence {
  return anEvidence(policy, { evidenceId, acknowledgedAt: '2026-11-25T14:03:00.000Z', tokenId: 'tok1' });
}

/** A store with a genuinely published policy and a starter who signed its version 1. */
async function signedStore(source = policySource(), employeeId = 'E1001') {
  const store = new FakeStore();
  const publisher = makePublishPolicy({ store, clock: new FakeClock(NOW), logger: silentLogger });
  const { policy } = await publisher.publish(parsePolicy(source));
  const starter = aStarter({ employeeId });
  await store.putStarter(starter);
  const assignmentId = await seedSigned(
    store,
    employeeId,
    { webhook: { webhookId: 'wh_1' } },
    { policy, evidence: evidenceFor(policy) },
  );
  return { store, publisher, policy, starter, assignmentId };
}

/** How a usage error ends: a pointer to the help of the command called wrongly (`lms replay`). */
const tryHelp = (command: string) => `Try \`attest ${command ? `${command} ` : ''}--help\`.`;

describe('attest usage', () => {
  it('prints the help on stderr and exits 2 when given no command', async () => {
    // Prepare
    const help = await cli(['--help']);

    // Act
    const { code, out, err } = await cli([]);

    // Assess
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual(help.out);
  });

  it.each([['--help'], ['-h']])('prints the help on stdout and exits 0 for %s', async (flag) => {
    // Act
    const { code, out, err } = await cli([flag]);

    // Assess
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^Usage: attest \[options\] \[command\]\n/);
    for (const command of ['policy', 'evidence', 'report', 'lms', 'keys']) {
      expect(out[0]).toMatch(new RegExp(`\\n  ${command} `));
    }
  });

  it('says once, in the root help only, that local defaults apply when TABLE_NAME is unset, and the exit codes', async () => {
    // Act
    const root = await cli(['--help']);
    const lms = await cli(['lms', '--help']);

    // Assess
    expect(root.out[0]).toContain('When\nTABLE_NAME is not set, and only then, against the local stack');
    expect(root.out[0]).toContain(
      'Exit codes: 0 done, 1 what was asked for failed, 2 the command was\ncalled wrongly',
    );
    expect(lms.out[0]).not.toContain('TABLE_NAME');
  });

  it.each([
    [
      ['lms', '--help'],
      /^Usage: attest lms \[options\] \[command\]\n[\s\S]*\n {2}replay \[options\] +Send dead-lettered/,
    ],
    [
      ['lms', 'replay', '--help'],
      /^Usage: attest lms replay --all \| --assignment <assignment-id> \[--destination <name>\]\n/,
    ],
    [['help', 'report'], /^Usage: attest report --policy <policy-id> \[--status <status>\]/],
    [
      ['help', 'lms', 'replay'],
      /^Usage: attest lms replay --all \| --assignment <assignment-id> \[--destination <name>\]\n/,
    ],
    [['evidence', '-h'], /\n {2}--text +print the exact text that was shown instead\n/],
  ])('prints the help of one command for %j and exits 0', async (argv, help) => {
    // Act
    const { code, out, err } = await cli(argv);

    // Assess
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(help);
  });

  it('prints the help of a command group on stderr and exits 2 when given no subcommand', async () => {
    // Act
    const { code, out, err } = await cli(['lms']);

    // Assess
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err[0]).toMatch(/^Usage: attest lms /);
  });

  it('answers help for a mistyped command in two lines, suggesting the one meant, and exits 2', async () => {
    // Act
    const { code, out, err } = await cli(['help', 'evidnce']);

    // Assess
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual(['attest: unknown command: evidnce\n(Did you mean evidence?)\nTry `attest --help`.']);
  });

  it('names an unknown command, suggests the one meant, points to the help and exits 2', async () => {
    // Act
    const unknown = await cli(['frobnicate', 'now']);
    const mistyped = await cli(['lms', 'dead-leters']);

    // Assess
    expect(unknown.code).toBe(2);
    expect(unknown.out).toEqual([]);
    expect(unknown.err).toEqual([`attest: unknown command: frobnicate now\n${tryHelp('')}`]);
    expect(mistyped.code).toBe(2);
    expect(mistyped.err).toEqual([
      `attest: unknown command: lms dead-leters\n(Did you mean dead-letters?)\n${tryHelp('lms')}`,
    ]);
  });

  it('exits 2 for an unknown option, suggesting the one meant', async () => {
    // Act
    const { code, err } = await cli(['policy', 'versions', 'sample', '--bogus']);
    const mistyped = await cli(['policy', 'publish', 'p.md', '--reacknowlege']);

    // Assess
    expect(code).toBe(2);
    expect(err[0]).toMatch(/^attest: .*--bogus/);
    expect(err[0]).toContain(tryHelp('policy versions'));
    expect(mistyped.err).toEqual([
      `attest: unknown option '--reacknowlege'\n(Did you mean --reacknowledge?)\n${tryHelp('policy publish')}`,
    ]);
  });

  it('says which table it reads on stderr with --verbose, and only then', async () => {
    // Prepare
    const run = async (argv: string[]) => {
      const err: string[] = [];
      const code = await runCli(argv, {
        store: new FakeStore(),
        where: '(table attest-test)',
        io: { out: () => undefined, err: (t) => err.push(t) },
      });
      return { code, err };
    };

    // Act
    const quiet = await run(['policy', 'versions', 'nothing']);
    const verbose = await run(['policy', 'versions', 'nothing', '--verbose']);

    // Assess
    const refused =
      'attest: no published versions of nothing. Known policies: safe-internet-use (not yet published).';
    expect(quiet.err).toEqual([refused]);
    expect(verbose.err).toEqual(['(table attest-test)', refused]);
  });

  it('exits 2 for a string option given no value, or given an option for its value', async () => {
    // Act
    const { code, err } = await cli(['evidence', '--employee']);
    const option = await cli(['evidence', '--employee', '--text', '--policy', 'sample']);

    // Assess
    expect(code).toBe(2);
    expect(err).toEqual([
      `attest: option '--employee <employee-id>' argument missing\n${tryHelp('evidence')}`,
    ]);
    expect(option.code).toBe(2);
    expect(option.err[0]).toMatch(
      /^attest: option '--employee <employee-id>' argument '--text' is invalid\./,
    );
  });
});

describe('attest policy publish', () => {
  it('publishes a valid policy file as version 1', async () => {
    // Prepare
    const expected = parsePolicy(policySource());

    // Act
    const { code, out, err, read, store } = await cli(['policy', 'publish', 'p.md'], new FakeStore(), {
      'p.md': policySource(),
    });

    // Assess
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(read).toEqual(['p.md']);
    expect(out).toEqual([`sample: published version 1 (sha256 ${expected.sha256})`]);
    expect(await store.getPolicyVersion('sample', 1)).toEqual({ ...expected, version: 1, publishedAt: NOW });
  });

  it('publishes nothing when the text is already the newest version', async () => {
    // Prepare
    const files = { 'p.md': policySource() };
    const { store } = await cli(['policy', 'publish', 'p.md'], new FakeStore(), files);
    store.writes.length = 0;

    // Act
    const { code, out } = await cli(['policy', 'publish', 'p.md'], store, files);

    // Assess
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^sample: unchanged, version 1 is this text \(sha256 [0-9a-f]{64}\)$/);
    expect(store.writes).toEqual([]);
  });

  it('publishes changed text as version 2', async () => {
    // Prepare
    const { store } = await cli(['policy', 'publish', 'p.md'], new FakeStore(), { 'p.md': policySource() });

    // Act
    const { code, out } = await cli(['policy', 'publish', 'p.md'], store, {
      'p.md': policySource('Para one, changed.\n'),
    });

    // Assess
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^sample: published version 2 \(sha256 [0-9a-f]{64}\)$/);
    expect((await store.getLatestPolicyVersion('sample'))?.version).toBe(2);
    expect((await store.getPolicyVersion('sample', 1))?.sha256).toBe(parsePolicy(policySource()).sha256);
  });

  it('asks a signer of version 1 to sign version 2 with --reacknowledge', async () => {
    // Prepare
    const { store, starter } = await signedStore();

    // Act
    const { code, out } = await cli(['policy', 'publish', 'p.md', '--reacknowledge'], store, {
      'p.md': policySource('Para one, changed.\n'),
    });

    // Assess
    expect(code).toBe(0);
    expect(out).toHaveLength(3);
    expect(out[0]).toMatch(/^sample: published version 2 /);
    expect(out[1]).toContain('sample: asked 1 who signed an earlier version to sign version 2');
    expect(out[1]).toContain('(0 asked before, 0 left or gone)');
    expect(out[2]).toBe(
      'sample: asked 0 who had not yet signed an earlier version to sign version 2 instead (0 asked before);' +
        ' their earlier links now say so',
    );
    const reack = store.peek(assignmentIdFor(starter.employeeId, 'sample', 2));
    expect(reack).toMatchObject({
      starterId: starter.starterId,
      policyVersion: 2,
      reason: 'reacknowledge',
      status: 'pending',
      dueKind: 'invite',
      dueAt: NOW,
    });
  });

  it('sends the invites --reacknowledge owes to the mail queue at once, claimed as the sweeper claims them', async () => {
    // Prepare
    const { store, starter } = await signedStore();
    const mailQueue = new FakeQueue();

    // Act
    const { code, out } = await cli(
      ['policy', 'publish', 'p.md', '--reacknowledge'],
      store,
      { 'p.md': policySource('Para one, changed.\n') },
      { mailQueue },
    );

    // Assess
    expect(code).toBe(0);
    expect(out[1]).toMatch(/; 1 emails queued now$/);
    const id = assignmentIdFor(starter.employeeId, 'sample', 2);
    // Claimed: due again at the re-drive time only if the message is lost (the sweeper's safety net).
    const redriveAt = new Date(Date.parse(NOW) + 15 * 60_000).toISOString();
    expect(mailQueue.sent).toEqual([
      { message: { assignmentId: id, kind: 'invite', dueAt: redriveAt }, delaySeconds: 0 },
    ]);
    expect(mailQueue.batches).toEqual([1]);
    expect(store.peek(id)).toMatchObject({ dueKind: 'invite', dueAt: redriveAt });
  });

  it('leaves for the sweeper an invite the mail queue refused, and says so', async () => {
    // Prepare
    const { store, starter } = await signedStore();
    const mailQueue = new FakeQueue();
    mailQueue.refuse.add(assignmentIdFor(starter.employeeId, 'sample', 2));

    // Act
    const { code, out, err } = await cli(
      ['policy', 'publish', 'p.md', '--reacknowledge'],
      store,
      { 'p.md': policySource('Para one, changed.\n') },
      { mailQueue },
    );

    // Assess
    expect(code).toBe(0);
    expect(out[1]).toMatch(/; 0 emails queued now, the sweeper sends the rest \(1\) on its next run$/);
    expect(err).toEqual(['attest: dispatch failed; the sweeper sends it']);
  });

  it('asks nobody twice when --reacknowledge runs again on unchanged text', async () => {
    // Prepare
    const { store } = await signedStore();
    const files = { 'p.md': policySource('Para one, changed.\n') };
    await cli(['policy', 'publish', 'p.md', '--reacknowledge'], store, files);

    // Act
    const { code, out } = await cli(['policy', 'publish', 'p.md', '--reacknowledge'], store, files);

    // Assess
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^sample: unchanged, version 2 /);
    expect(out[1]).toContain('asked 0 who signed an earlier version');
    expect(out[1]).toContain('(1 asked before, 0 left or gone)');
  });

  it('names the invalid field of a policy file and exits 1', async () => {
    // Act
    const { code, out, err, store } = await cli(['policy', 'publish', 'p.md'], new FakeStore(), {
      'p.md': policySource().replace('statement: I agree.\n', ''),
    });

    // Assess
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^attest: the policy file is not valid:\n {2}statement: /);
    expect(store.writes).toEqual([]);
  });

  it('refuses a version number in the policy file', async () => {
    // Act
    const { code, err } = await cli(['policy', 'publish', 'p.md'], new FakeStore(), {
      'p.md': policySource().replace('title:', 'version: 2\ntitle:'),
    });

    // Assess
    expect(code).toBe(1);
    expect(err[0]).toContain('the policy file is not valid');
    expect(err[0]).toContain('  version: Remove it');
  });

  it('says a missing file is missing and exits 1', async () => {
    // Act
    const { code, err } = await cli(['policy', 'publish', 'missing.md']);

    // Assess
    expect(code).toBe(1);
    expect(err).toEqual(['attest: no such file: missing.md']);
  });

  it('exits 2 when given no file', async () => {
    // Act
    const { code, err } = await cli(['policy', 'publish']);

    // Assess
    expect(code).toBe(2);
    expect(err[0]).toContain('attest: policy publish needs the policy file');
    expect(err[0]).toContain(tryHelp('policy publish'));
  });
});

describe('attest policy versions', () => {
  it('lists every published version, oldest first', async () => {
    // Prepare
    const { store } = await cli(['policy', 'publish', 'p.md'], new FakeStore(), { 'p.md': policySource() });
    await cli(['policy', 'publish', 'p.md'], store, { 'p.md': policySource('Changed.\n') });
    const v1 = parsePolicy(policySource()).sha256;
    const v2 = parsePolicy(policySource('Changed.\n')).sha256;

    // Act
    const { code, out } = await cli(['policy', 'versions', 'sample'], store);

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual([
      `sample v1  ${NOW}  sha256 ${v1}  Sample – Policy`,
      `sample v2  ${NOW}  sha256 ${v2}  Sample – Policy`,
    ]);
  });

  it('exits 1 for a policy with no versions, listing the policies it knows', async () => {
    // Act
    const { code, out, err } = await cli(['policy', 'versions', 'unknown']);

    // Assess
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual([
      'attest: no published versions of unknown. Known policies: safe-internet-use (not yet published).',
    ]);
  });

  it('exits 2 when given no policy id', async () => {
    // Act
    const { code, err } = await cli(['policy', 'versions']);

    // Assess
    expect(code).toBe(2);
    expect(err[0]).toContain('policy versions needs a policy id');
  });
});

describe('attest evidence', () => {
  it('prints the evidence as JSON, with the stored text checked against its sha256', async () => {
    // Prepare
    const { store, policy, assignmentId } = await signedStore();

    // Act
    const { code, out, err } = await cli(['evidence', assignmentId], store);

    // Assess
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toHaveLength(1);
    const report = JSON.parse(out[0] as string);
    expect(report).toMatchObject({
      assignmentId,
      status: 'acknowledged',
      reason: 'starter',
      starter: { employeeId: 'E1001', name: 'Ada Lovelace' },
      policy: { id: 'sample', version: 1, sha256: policy.sha256 },
      evidence: evidenceFor(policy),
      integrity: { recomputedSha256: policy.sha256, matches: true },
    });
  });

  it('prints the exact text that was shown with --text, its line ended by the output', async () => {
    // Prepare
    const { store, policy, assignmentId } = await signedStore();

    // Act
    const { code, out } = await cli(['evidence', assignmentId, '--text'], store);

    // Assess
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    const printed = `${out[0]}\n`;
    expect(printed).toBe(canonicalPolicyText(policy));
    expect(createHash('sha256').update(printed, 'utf8').digest('hex')).toBe(policy.sha256);
  });

  it('finds an employee’s first assignment and their re-acknowledgements by --employee and --policy', async () => {
    // Prepare
    const { store, starter, assignmentId } = await signedStore();
    await cli(['policy', 'publish', 'p.md', '--reacknowledge'], store, {
      'p.md': policySource('Para one, changed.\n'),
    });

    // Act
    const { code, out } = await cli(['evidence', '--employee', 'E1001', '--policy', 'sample'], store);

    // Assess
    expect(code).toBe(0);
    const reports = out.map((o) => JSON.parse(o));
    expect(reports.map((r) => r.assignmentId)).toEqual([
      assignmentId,
      assignmentIdFor(starter.employeeId, 'sample', 2),
    ]);
    expect(reports.map((r) => [r.policy.version, r.reason, r.integrity?.matches ?? null])).toEqual([
      [1, 'starter', true],
      [2, 'reacknowledge', null],
    ]);
  });

  it.each([[['evidence']], [['evidence', '--employee', 'E1001']], [['evidence', '--policy', 'sample']]])(
    'exits 2 without an assignment id or both --employee and --policy: %j',
    async (argv) => {
      // Act
      const { code, err } = await cli(argv);

      // Assess
      expect(code).toBe(2);
      expect(err[0]).toContain('evidence needs an assignment id, or --employee <id> and --policy <id>');
    },
  );

  it('says clearly that an assignment does not exist and exits 1', async () => {
    // Prepare
    const { store } = await signedStore();

    // Act
    const { code, out, err } = await cli(['evidence', 'no-such-assignment'], store);

    // Assess
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual(['attest: No assignment no-such-assignment.']);
  });

  it('exits 1 when the employee has no assignment for the policy', async () => {
    // Prepare
    const { store } = await signedStore();

    // Act
    const { code, err } = await cli(['evidence', '--employee', 'E9999', '--policy', 'sample'], store);

    // Assess
    expect(code).toBe(1);
    expect(err).toEqual(['attest: E9999 has no sample assignment.']);
  });

  it('exits 1 when the policy named by --policy has no versions', async () => {
    // Act
    const { code, err } = await cli(['evidence', '--employee', 'E1001', '--policy', 'unknown']);

    // Assess
    expect(code).toBe(1);
    expect(err).toEqual(['attest: No published versions of unknown.']);
  });
});

describe('attest evidence --pdf', () => {
  /** A signed store whose receipt went with the certificate the mailer made (its record kept). */
  async function certifiedStore() {
    const signed = await signedStore();
    const stored = signed.store.assignments.get(signed.assignmentId);
    if (!stored?.ack) throw new Error('seeded without evidence');
    const sent = await makeCertificate(
      {
        assignmentId: signed.assignmentId,
        evidence: stored.ack,
        organisationName: 'Wirral Council',
        timeZone: 'Europe/London',
      },
      await certificateFont(),
    );
    stored.certificate = {
      sha256: sent.sha256,
      fileName: sent.fileName,
      organisationName: 'Wirral Council',
      timeZone: 'Europe/London',
      format: sent.format,
      madeAt: '2026-11-25T14:04:00.000Z',
    };
    return { ...signed, stored, sent };
  }
  const dir = mkdtempSync(join(tmpdir(), 'attest-pdf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the certificate that was sent again, byte for byte, and says it matches', async () => {
    // Prepare
    const { store, assignmentId, sent } = await certifiedStore();
    const file = join(dir, 'again.pdf');

    // Act
    const { code, out, err } = await cli(['evidence', assignmentId, '--pdf', file], store);

    // Assess
    expect(code).toBe(0);
    expect(err).toEqual([]);
    const written = readFileSync(file);
    expect(written.equals(Buffer.from(sent.bytes))).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(out[0] as string).certificate).toMatchObject({
      sha256: sent.sha256,
      remadeSha256: sent.sha256,
      matches: true,
      organisationName: 'Wirral Council',
    });
  });

  it('finds it by --employee and --policy, and shows the check without --pdf', async () => {
    // Prepare
    const { store, sent } = await certifiedStore();

    // Act
    const { code, out } = await cli(['evidence', '--employee', 'E1001', '--policy', 'sample'], store);

    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(out[0] as string).certificate).toMatchObject({ sha256: sent.sha256, matches: true });
  });

  it('says a certificate made again from altered evidence is not the one sent', async () => {
    // Prepare
    const { store, assignmentId, stored, sent } = await certifiedStore();
    if (stored.ack) stored.ack.typedName = 'Someone Else';

    // Act
    const { code, out } = await cli(['evidence', assignmentId, '--pdf', join(dir, 'altered.pdf')], store);

    // Assess
    expect(code).toBe(0);
    const { certificate } = JSON.parse(out[0] as string);
    expect(certificate.sha256).toBe(sent.sha256);
    expect(certificate.remadeSha256).not.toBe(sent.sha256);
    expect(certificate.matches).toBe(false);
  });

  it('exits 1 and writes nothing when no certificate was sent', async () => {
    // Prepare
    const { store, assignmentId } = await signedStore();
    const file = join(dir, 'none.pdf');

    // Act
    const { code, out, err } = await cli(['evidence', assignmentId, '--pdf', file], store);

    // Assess
    expect(code).toBe(1);
    expect(JSON.parse(out[0] as string).certificate).toBeNull();
    expect(err[0]).toContain('No certificate was sent for this agreement');
    expect(existsSync(file)).toBe(false);
  });

  it('exits 2 for --text with --pdf', async () => {
    // Act
    const { code, err } = await cli(['evidence', 'a1', '--text', '--pdf', join(dir, 'x.pdf')]);

    // Assess
    expect(code).toBe(2);
    expect(err[0]).toContain('--text and --pdf: choose one');
  });
});

describe('attest given an assignment id that begins with "-"', () => {
  // Ids are base64url: one in 64 begins with "-", one in 4096 with "--". These employees' do.
  it.each([
    ['E1074', '-6cnU65UKynXba2H3P0wWg'],
    ['E3613', '--bkdz77rappGMYKByGbjg'],
  ])('takes %s’s id %s as the id, not an option, wherever an id goes', async (employeeId, id) => {
    // Prepare
    const { store, assignmentId } = await signedStore(policySource(), employeeId);
    expect(assignmentId).toBe(id);

    // Act
    const evidence = await cli(['evidence', id], store);
    const text = await cli(['evidence', id, '--text'], store);
    const status = await cli(['lms', 'status', id], store);
    const replay = await cli(['lms', 'replay', '--assignment', id], store);

    // Assess
    expect([evidence.code, evidence.err]).toEqual([0, []]);
    expect(JSON.parse(evidence.out[0] as string).assignmentId).toBe(id);
    expect([text.code, text.err]).toEqual([0, []]);
    expect([status.code, status.err, status.out[0]]).toEqual([0, [], expect.stringContaining('webhook')]);
    // Nothing is dead-lettered: the id was looked up, not refused as an option.
    expect([replay.code, replay.err]).toEqual([1, [`attest: ${id} has no dead-lettered delivery.`]]);
  });

  it('still refuses a misspelt option by name', async () => {
    // Act
    const { code, err } = await cli(['lms', 'dead-letters', '--destnation', 'xapi']);

    // Assess
    expect(code).toBe(2);
    expect(err[0]).toMatch(/^attest: .*--destnation/);
  });
});

describe('attest when the table cannot be reached', () => {
  const refused = () =>
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' });

  it.each([
    ['thrown directly', refused()],
    ['as the cause', new Error('fetch failed', { cause: refused() })],
  ])('points at `npm start` when the connection is refused (%s)', async (_how, error) => {
    // Prepare
    const store = new FakeStore();
    store.getAssignment = async () => {
      throw error;
    };

    // Act
    const { code, err } = await cli(['evidence', 'a1'], store);

    // Assess
    expect(code).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain('cannot reach DynamoDB');
    expect(err[0]).toContain('npm start');
  });

  it('reports any other failure by its name and message and exits 1', async () => {
    // Prepare
    const store = new FakeStore();
    store.getLatestPolicyVersion = async () => {
      throw Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' });
    };

    // Act
    const { code, err } = await cli(['policy', 'versions', 'sample'], store);

    // Assess
    expect(code).toBe(1);
    expect(err).toEqual(['attest: ResourceNotFoundException: Requested resource not found']);
  });
});

const BOTH: OwedDeliveries = { webhook: { webhookId: 'wh_1' }, xapi: { statementId: 'st_1' } };

describe('attest lms status', () => {
  it('shows a delivered webhook and a retrying xAPI statement, one line each', async () => {
    // Prepare
    const store = new FakeStore();
    const id = await seedSigned(store, 'E1');
    await store.recordDeliveryAttempt(id, 'webhook', {
      status: 204,
      at: new Date('2026-11-25T14:04:00.000Z'),
      outcome: { delivered: true },
    });
    await store.recordDeliveryAttempt(id, 'xapi', {
      status: 503,
      at: new Date('2026-11-25T14:04:00.000Z'),
      outcome: { retryAt: new Date('2026-11-25T14:05:00.000Z') },
    });
    await store.recordDeliveryAttempt(id, 'xapi', {
      status: null,
      at: new Date('2026-11-25T14:05:00.000Z'),
      outcome: { retryAt: new Date('2026-11-25T14:09:00.000Z') },
    });
    store.writes.length = 0;

    // Act
    const { code, out, err } = await cli(['lms', 'status', id], store);

    // Assess
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toEqual([
      'webhook  delivered  attempts 1  last status 204  delivered 2026-11-25T14:04:00.000Z',
      // A timeout has no status: it reads as none.
      'xapi  retrying  attempts 2  last status none  next attempt 2026-11-25T14:09:00.000Z',
    ]);
    expect(store.writes).toEqual([]);
  });

  it('shows each attempt under its destination, oldest first, with those dropped from the log counted', async () => {
    // Prepare: a timeout, then a 503, after 18 attempts no longer kept
    const store = new FakeStore();
    const id = await seedSigned(store, 'E1');
    const timeout: AttemptRecord = {
      at: '2026-11-25T14:04:00.000Z',
      durationMs: 10_000,
      status: null,
      error: 'TimeoutError',
    };
    const refused: AttemptRecord = {
      at: '2026-11-25T14:05:00.000Z',
      durationMs: 31,
      status: 503,
      answer: 'down',
    };
    await store.recordDeliveryAttempt(id, 'webhook', {
      status: 503,
      at: new Date('2026-11-25T14:05:00.000Z'),
      outcome: { retryAt: new Date('2026-11-25T14:09:00.000Z') },
      log: { attemptLog: [timeout, refused], attemptsDropped: 18 },
    });

    // Act
    const { code, out } = await cli(['lms', 'status', id, '--destination', 'webhook'], store);

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual([
      'webhook  retrying  attempts 1  last status 503  next attempt 2026-11-25T14:09:00.000Z',
      '  (18 earlier attempts not kept)',
      '  2026-11-25T14:04:00.000Z  no answer (TimeoutError)  10000 ms',
      '  2026-11-25T14:05:00.000Z  status 503  31 ms  "down"',
    ]);
  });

  it('shows why each destination dead-lettered, with the start of the answer', async () => {
    // Prepare
    const { store, e3 } = await deadLetterStore();
    await seedDeadLetter(store, await seedSigned(store, 'E4'), 'webhook', '2026-11-25T15:00:00.000Z', {
      body: 'x'.repeat(300),
    });

    // Act
    const { code, out } = await cli(['lms', 'status', e3], store);
    const long = await cli(['lms', 'status', assignmentIdFor('E4', 'safe-internet-use')], store);

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual([
      'webhook  dead  attempts 1  last status 410  gone at 2026-11-25T15:03:00.000Z',
      'xapi  dead  attempts 1  last status 503  exhausted at 2026-11-25T15:02:00.000Z',
    ]);
    expect(long.out[0]).toBe(
      `webhook  dead  attempts 1  last status 422  rejected at 2026-11-25T15:00:00.000Z  "${'x'.repeat(120)}"`,
    );
  });

  it('shows a pending delivery not yet attempted; a destination it was not owed only when named', async () => {
    // Prepare
    const store = new FakeStore();
    const id = await seedSigned(store, 'E1', { xapi: { statementId: 'st_1' } });

    // Act
    const { code, out } = await cli(['lms', 'status', id], store);

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual(['xapi  pending  attempts 0']);
    const named = await cli(['lms', 'status', id, '--destination', 'webhook'], store);
    expect(named.out).toEqual(['webhook  none (not a destination when it was signed)']);
  });

  it('shows only the destination named by --destination', async () => {
    // Prepare
    const { store, e3 } = await deadLetterStore();

    // Act
    const { code, out } = await cli(['lms', 'status', e3, '--destination', 'xapi'], store);

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual(['xapi  dead  attempts 1  last status 503  exhausted at 2026-11-25T15:02:00.000Z']);
  });

  it('says an unsigned agreement owes the LMS nothing yet', async () => {
    // Prepare
    const store = new FakeStore();
    const assignment = anAssignment();
    store.seed(assignment);

    // Act
    const { code, out, err } = await cli(['lms', 'status', assignment.assignmentId], store);

    // Assess
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toEqual([`${assignment.assignmentId}: not signed yet; nothing is owed to the LMS.`]);
  });

  it('exits 1 for an unknown assignment', async () => {
    // Act
    const { code, out, err } = await cli(['lms', 'status', 'no-such-assignment']);

    // Assess
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual(['attest: No assignment no-such-assignment.']);
  });

  it('exits 2 when given no assignment id', async () => {
    // Act
    const { code, err } = await cli(['lms', 'status']);

    // Assess
    expect(code).toBe(2);
    expect(err[0]).toContain('attest: lms status needs an assignment id');
    expect(err[0]).toContain(tryHelp('lms status'));
  });
});

describe('attest lms dead-letters', () => {
  it("lists every destination's dead letters, oldest first, each with its destination and why", async () => {
    // Prepare
    const { store, e1, e2, e3 } = await deadLetterStore();

    // Act
    const { code, out, err } = await cli(['lms', 'dead-letters'], store);

    // Assess
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toEqual([
      `${e1}  webhook  dead  attempts 1  last status 422  rejected at 2026-11-25T15:00:00.000Z  "bad actor"`,
      `${e2}  xapi  dead  attempts 1  last status 400  rejected at 2026-11-25T15:01:00.000Z`,
      `${e3}  xapi  dead  attempts 1  last status 503  exhausted at 2026-11-25T15:02:00.000Z`,
      `${e3}  webhook  dead  attempts 1  last status 410  gone at 2026-11-25T15:03:00.000Z`,
    ]);
    expect(store.writes).toEqual([]);
  });

  it.each([
    ['webhook', ['E1', 'E3']],
    ['xapi', ['E2', 'E3']],
  ])('lists only the dead letters of --destination %s', async (destination, employees) => {
    // Prepare
    const { store } = await deadLetterStore();

    // Act
    const { code, out } = await cli(['lms', 'dead-letters', '--destination', destination], store);

    // Assess
    expect(code).toBe(0);
    expect(out.map((line) => line.split('  ').slice(0, 2))).toEqual(
      employees.map((e) => [assignmentIdFor(e, 'safe-internet-use'), destination]),
    );
  });

  it("shows the destination's own reason for a dead letter, when it read the answer itself", async () => {
    // Prepare
    const store = new FakeStore();
    const id = await seedSigned(store, 'E1', { moodle: { completionId: 'moodle_1' } });
    await seedDeadLetter(store, id, 'moodle', '2026-11-25T15:00:00.000Z', {
      status: 200,
      detail: 'no Moodle user with email ada@example.org',
    });

    // Act
    const { code, out } = await cli(['lms', 'dead-letters', '--destination', 'moodle'], store);

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual([
      `${id}  moodle  dead  attempts 1  last status 200  rejected at 2026-11-25T15:00:00.000Z  no Moodle user with email ada@example.org`,
    ]);
  });

  it('says there are none, for a destination with none', async () => {
    // Prepare
    const store = new FakeStore();
    const id = await seedSigned(store, 'E1');
    await seedDeadLetter(store, id, 'xapi', '2026-11-25T15:00:00.000Z');

    // Act
    const all = await cli(['lms', 'dead-letters'], store);
    const webhook = await cli(['lms', 'dead-letters', '--destination', 'webhook'], store);
    const none = await cli(['lms', 'dead-letters'], new FakeStore());

    // Assess
    expect(all.out).toHaveLength(1);
    expect([webhook.code, webhook.out]).toEqual([0, ['No dead letters.']]);
    expect([none.code, none.out]).toEqual([0, ['No dead letters.']]);
  });
});

describe('attest lms --destination', () => {
  it.each([
    ['lms', ['lms', 'dead-letters']],
    ['ftp', ['lms', 'replay', '--all']],
    ['XAPI', ['lms', 'enable']],
    ['', ['lms', 'status', 'a1']],
  ])('exits 2 naming the bad value %j, writing nothing', async (value, command) => {
    // Prepare
    const { store } = await deadLetterStore();

    // Act
    const { code, out, err } = await cli([...command, '--destination', value], store);

    // Assess
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(
      `attest: --destination must be webhook, xapi or moodle, not ${JSON.stringify(value)}`,
    );
    expect(err[0]).toContain(tryHelp(command.slice(0, 2).join(' ')));
    expect(store.writes).toEqual([]);
  });
});

describe('attest lms replay', () => {
  it("replays every destination's dead letters with --all, counting afresh and auditing each", async () => {
    // Prepare
    const { store, e1, e2, e3 } = await deadLetterStore();

    // Act
    const { code, out, err } = await cli(['lms', 'replay', '--all'], store);

    // Assess
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toEqual(['Replaying 4 deliveries; the sweeper sends them on its next run.']);
    expect(await store.deadLetters(10)).toEqual([]);
    for (const [id, kind] of [
      [e1, 'webhook'],
      [e2, 'xapi'],
      [e3, 'xapi'],
      [e3, 'webhook'],
    ] as const) {
      const a = store.peek(id);
      expect(a?.[kind]).toMatchObject({ state: 'pending', attempts: 0 });
      expect(a?.[kind]).not.toHaveProperty('deadLetter');
      expect(a?.[`${kind}DueAt`]).toBe(NOW);
    }
    expect(store.audit.map((e) => [e.assignmentId, e.kind, e.at, e.detail])).toEqual(
      expect.arrayContaining([
        [e1, 'delivery-replayed', NOW, { destination: 'webhook' }],
        [e2, 'delivery-replayed', NOW, { destination: 'xapi' }],
        [e3, 'delivery-replayed', NOW, { destination: 'xapi' }],
      ]),
    );
  });

  it('replays only the dead letters of --destination with --all', async () => {
    // Prepare
    const { store, e1, e3 } = await deadLetterStore();

    // Act
    const { code, out } = await cli(['lms', 'replay', '--all', '--destination', 'webhook'], store);

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual(['Replaying 2 deliveries; the sweeper sends them on its next run.']);
    expect(store.peek(e1)?.webhook?.state).toBe('pending');
    expect(store.peek(e3)?.webhook?.state).toBe('pending');
    expect((await store.deadLetters(10)).map((d) => d.kind)).toEqual(['xapi', 'xapi']);
  });

  it('replays the other destination when one is disabled, saying so on stderr', async () => {
    // Prepare
    const { store, e1, e2, e3 } = await deadLetterStore();
    store.destinations.webhook = { state: 'disabled', reason: '410 Gone', at: '2026-11-25T15:03:00.000Z' };

    // Act
    const { code, out, err } = await cli(['lms', 'replay', '--all'], store);

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual(['Replaying 2 deliveries; the sweeper sends them on its next run.']);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain('The webhook destination is disabled (410 Gone)');
    expect(err[0]).toContain('lms enable --destination webhook');
    expect(store.peek(e2)?.xapi?.state).toBe('pending');
    expect(store.peek(e3)?.xapi?.state).toBe('pending');
    // The webhook's stay dead-lettered: replayed now they would only die again.
    expect(await store.deadLetters(10)).toEqual([
      { assignmentId: e1, kind: 'webhook', deadAt: '2026-11-25T15:00:00.000Z' },
      { assignmentId: e3, kind: 'webhook', deadAt: '2026-11-25T15:03:00.000Z' },
    ]);
  });

  it("replays one assignment's dead letters with --assignment, of every destination or the one named", async () => {
    // Prepare
    const { store, e3 } = await deadLetterStore();

    // Act
    const one = await cli(['lms', 'replay', '--assignment', e3, '--destination', 'xapi'], store);
    const rest = await cli(['lms', 'replay', '--assignment', e3], store);

    // Assess
    expect([one.code, one.out]).toEqual([
      0,
      ['Replaying 1 deliveries; the sweeper sends them on its next run.'],
    ]);
    expect([rest.code, rest.out]).toEqual([
      0,
      ['Replaying 1 deliveries; the sweeper sends them on its next run.'],
    ]);
    expect(store.peek(e3)?.xapi?.state).toBe('pending');
    expect(store.peek(e3)?.webhook?.state).toBe('pending');
    expect((await store.deadLetters(10)).map((d) => d.assignmentId)).not.toContain(e3);
  });

  it('exits 1 when the assignment has no dead letter to replay', async () => {
    // Prepare
    const { store, e1 } = await deadLetterStore();

    // Act
    const any = await cli(['lms', 'replay', '--assignment', 'no-such-assignment'], store);
    const xapi = await cli(['lms', 'replay', '--assignment', e1, '--destination', 'xapi'], store);

    // Assess
    expect([any.code, any.err]).toEqual([1, ['attest: no-such-assignment has no dead-lettered delivery.']]);
    expect([xapi.code, xapi.err]).toEqual([1, [`attest: ${e1} has no dead-lettered delivery to xapi.`]]);
    expect(store.peek(e1)?.webhook?.state).toBe('dead');
  });

  it.each([
    ['named', ['--destination', 'webhook']],
    ['the only one dead', []],
  ])(
    'exits 1 replaying an assignment to a disabled destination (%s), saying why and replaying nothing',
    async (_how, extra) => {
      // Prepare
      const { store, e1 } = await deadLetterStore();
      store.destinations.webhook = { state: 'disabled', reason: '410 Gone' };

      // Act
      const { code, out, err } = await cli(['lms', 'replay', '--assignment', e1, ...extra], store);

      // Assess
      expect(code).toBe(1);
      expect(out).toEqual([]);
      expect(err.join('\n')).toContain('The webhook destination is disabled (410 Gone)');
      expect(store.peek(e1)?.webhook?.state).toBe('dead');
      expect(store.writes).toEqual([]);
    },
  );

  it.each([[['lms', 'replay']], [['lms', 'replay', '--all', '--assignment', 'a1']]])(
    'exits 2 without exactly one of --all and --assignment: %j',
    async (argv) => {
      // Prepare
      const { store } = await deadLetterStore();

      // Act
      const { code, err } = await cli(argv, store);

      // Assess
      expect(code).toBe(2);
      expect(err[0]).toContain('lms replay needs --all or --assignment <assignment-id>, not both');
      expect(store.writes).toEqual([]);
    },
  );
});

describe('attest lms enable', () => {
  it('enables every destination when none is named', async () => {
    // Prepare
    const store = new FakeStore();
    store.destinations.webhook = { state: 'disabled', reason: '410 Gone' };
    store.destinations.xapi = { state: 'disabled', reason: '410 Gone' };
    store.destinations.moodle = { state: 'disabled', reason: '410 Gone' };

    // Act
    const { code, out } = await cli(['lms', 'enable'], store);

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual([
      'webhook, xapi and moodle enabled. Replay what was dead-lettered while disabled: lms replay --all',
    ]);
    expect(await store.getDestination('webhook')).toEqual({ state: 'enabled', at: NOW });
    expect(await store.getDestination('xapi')).toEqual({ state: 'enabled', at: NOW });
  });

  it('enables only the destination named by --destination', async () => {
    // Prepare
    const store = new FakeStore();
    store.destinations.webhook = { state: 'disabled', reason: '410 Gone' };
    store.destinations.xapi = { state: 'disabled', reason: '410 Gone' };

    // Act
    const { code, out } = await cli(['lms', 'enable', '--destination', 'xapi'], store);

    // Assess
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^xapi enabled\. /);
    expect(await store.getDestination('xapi')).toEqual({ state: 'enabled', at: NOW });
    expect(await store.getDestination('webhook')).toEqual({ state: 'disabled', reason: '410 Gone' });
  });

  it('exits 2 for an unknown lms command', async () => {
    // Act
    const { code, err } = await cli(['lms', 'frobnicate']);

    // Assess
    expect(code).toBe(2);
    expect(err[0]).toContain('attest: unknown command: lms frobnicate');
  });
});

describe('attest lms backfill', () => {
  it('sends what it owes to the LMS queue at once, ten to a call', async () => {
    // Prepare
    const store = new FakeStore();
    const ids = [];
    for (let i = 0; i < 12; i++)
      ids.push(await seedSigned(store, `E${i}`, { webhook: { webhookId: `wh_${i}` } }));
    const lmsQueue = new FakeQueue();

    // Act
    const { code, out } = await cli(
      ['lms', 'backfill', '--destination', 'xapi', '--policy', 'safe-internet-use'],
      store,
      {},
      { lmsQueue },
    );

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual([
      'safe-internet-use: 12 agreements owed to xapi (0 had a delivery there already); 12 queued now.',
    ]);
    expect(lmsQueue.sent.map((s) => s.message.kind)).toEqual(Array(12).fill('xapi'));
    expect(new Set(lmsQueue.sent.map((s) => s.message.assignmentId))).toEqual(new Set(ids));
  });

  it('owes an added destination every earlier agreement to the policy, once, under ids fixed by the evidence', async () => {
    // Prepare: two agreements delivered as webhooks only, one already owing a statement
    const store = new FakeStore();
    const e1 = await seedSigned(store, 'E1', { webhook: { webhookId: 'wh_1' } });
    const e2 = await seedSigned(store, 'E2', { webhook: { webhookId: 'wh_2' } });
    const e3 = await seedSigned(store, 'E3', BOTH);

    // Act
    const first = await cli(
      ['lms', 'backfill', '--destination', 'xapi', '--policy', 'safe-internet-use'],
      store,
    );
    const again = await cli(
      ['lms', 'backfill', '--destination', 'xapi', '--policy', 'safe-internet-use'],
      store,
    );

    // Assess
    expect(first.code).toBe(0);
    expect(first.out).toEqual([
      'safe-internet-use: 2 agreements owed to xapi (1 had a delivery there already); the sweeper sends them on its next run.',
    ]);
    expect(again.out[0]).toMatch(/^safe-internet-use: 0 agreements owed to xapi \(3 had/);
    // No LMS queue here: left owed, for the sweeper.
    for (const id of [e1, e2]) {
      expect(store.peek(id)?.xapi).toEqual({
        state: 'pending',
        attempts: 0,
        statementId: statementIdFor('ev_1'),
      });
      expect(store.peek(id)?.xapiDueAt).toBe(NOW);
      expect(store.peek(id)?.webhook?.webhookId).toMatch(/^wh_/);
    }
    expect(store.peek(e3)?.xapi?.statementId).toBe('st_1');
    expect((await store.queryDue(new Date(NOW), 10)).filter((d) => d.dueKind === 'xapi')).toHaveLength(3);
    expect(store.audit.filter((e) => e.kind === 'delivery-backfilled').map((e) => e.assignmentId)).toEqual([
      e1,
      e2,
    ]);
  });

  it('leaves other policies and unsigned assignments alone', async () => {
    // Prepare
    const store = new FakeStore();
    const id = await seedSigned(store, 'E1', { webhook: { webhookId: 'wh_1' } });
    store.seed(anAssignment(aStarter({ employeeId: 'E9' }), aPolicy(), { status: 'invited' }));

    // Act
    const { code, out } = await cli(
      ['lms', 'backfill', '--destination', 'xapi', '--policy', 'data-protection'],
      store,
    );

    // Assess
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^data-protection: 0 agreements owed to xapi \(0 had/);
    expect(store.peek(id)?.xapi).toBeUndefined();
  });

  it.each([
    [['lms', 'backfill', '--policy', 'safe-internet-use']],
    [['lms', 'backfill', '--destination', 'xapi']],
  ])('exits 2 without both --destination and --policy: %j', async (argv) => {
    // Act
    const { code, err } = await cli(argv);

    // Assess
    expect(code).toBe(2);
    expect(err[0]).toContain('lms backfill needs --destination webhook|xapi|moodle and --policy <policy-id>');
  });
});

describe('npx attest on AWS (TABLE_NAME set) without the AWS setup', () => {
  const noAws = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TABLE_NAME: 'attest-prod',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  };

  it.each([
    ['a region', {}, /^attest: no AWS region: TABLE_NAME is set, so attest works on AWS; set AWS_REGION/],
    ['credentials', { AWS_REGION: 'eu-west-2' }, /^attest: no AWS credentials \(.*\): TABLE_NAME is set/],
  ])('says it lacks %s and what to set, in one line, exit 1', (_what, more, said) => {
    // Act
    const run = spawnSync(process.execPath, ['bin/attest.js', 'report', '--policy', 'safe-internet-use'], {
      cwd: new URL('../../../', import.meta.url).pathname,
      env: { ...noAws, ...more },
      encoding: 'utf8',
      timeout: 60_000,
    });

    // Assess
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(said);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('npx attest on the local stack with a malformed port setting', () => {
  it('names the setting in one line, exit 1', () => {
    // Act
    const run = spawnSync(process.execPath, ['bin/attest.js', 'report', '--policy', 'safe-internet-use'], {
      cwd: new URL('../../../', import.meta.url).pathname,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DYNAMODB_LOCAL_PORT: 'abc' },
      encoding: 'utf8',
      timeout: 60_000,
    });

    // Assess
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('attest: DYNAMODB_LOCAL_PORT must be a port number, not "abc"\n');
  });
});

describe('npx attest piped into a reader that stops early', () => {
  it('ends quietly with status 0 when stdout is closed, as `attest … | head -1` does', async () => {
    // Prepare: the reader has gone before attest writes its first line
    const child = spawn(process.execPath, ['bin/attest.js', '--help'], {
      cwd: new URL('../../../', import.meta.url).pathname,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let err = '';
    child.stderr.on('data', (chunk) => {
      err += chunk;
    });

    // Act
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('close', (...ended) => resolve(ended)),
    );

    // Assess: no EPIPE stack trace, no failure status
    expect(err).toBe('');
    expect([code, signal]).toEqual([0, null]);
  }, 60_000);
});

describe('npx attest given a file that is not UTF-8', () => {
  const dir = mkdtempSync(join(tmpdir(), 'attest-utf8-'));
  const root = new URL('../../../', import.meta.url).pathname;
  /** The executable, against a DynamoDB that is not there: a file refused first never reaches it. */
  const attest = (...args: string[]) =>
    spawnSync(process.execPath, ['bin/attest.js', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DYNAMODB_LOCAL_PORT: '9' },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('refuses a starters CSV saved as Windows-1252, naming the file, line and byte, importing nothing', () => {
    // Prepare: Excel's "CSV (Comma delimited)" writes ’ as the byte 0x92
    const file = join(dir, 'starters.csv');
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from('employeeId,givenName,familyName,email,startDate\nE1,Siobh'),
        Buffer.from([0xe1]),
        Buffer.from('n,O'),
        Buffer.from([0x92]),
        Buffer.from('Brien,s@example.org,2026-12-01\n'),
      ]),
    );

    // Act
    const run = attest('import', 'starters', file);

    // Assess: refused before any row is read or the table reached
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `attest: ${file} is not UTF-8 text: the byte 0xE1 at line 2, column 9 (byte offset 56) is not valid UTF-8; the file was probably saved as Windows-1252. Save it again as UTF-8 (in Excel, Save As "CSV UTF-8 (Comma delimited)") and try again. Nothing was changed.\n`,
    );
  });

  it('refuses a policy whose translation is not UTF-8, naming the translation; takes one with a BOM', () => {
    // Prepare: the policy saved with a BOM; its Welsh translation once as UTF-8, once as Latin-1
    const policy = join(dir, 'safe-internet-use.md');
    const welsh = join(dir, 'safe-internet-use.cy.md');
    const source = readFileSync(join(root, 'templates/policies/safe-internet-use.md'));
    const translation = readFileSync(join(root, 'templates/policies/safe-internet-use.cy.md'), 'utf8');
    writeFileSync(policy, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), source]));
    writeFileSync(welsh, translation);
    const out = join(dir, 'preview');

    // Act
    const taken = attest('policy', 'preview', policy, '--as-version', '1', '--out', out);
    writeFileSync(welsh, Buffer.from(translation, 'latin1'));
    const refused = attest('policy', 'preview', policy, '--as-version', '1', '--out', join(dir, 'none'));

    // Assess
    expect([taken.status, taken.stderr]).toEqual([0, '']);
    expect(readFileSync(join(out, 'page.html'), 'utf8')).toContain('Safe Internet Use');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^attest: ${welsh.replaceAll('.', '\\.')} is not UTF-8 text: the byte 0x[0-9A-F]{2} at line \\d+, column \\d+ \\(byte offset \\d+\\)`,
      ),
    );
    expect(existsSync(join(dir, 'none'))).toBe(false);
  });
});

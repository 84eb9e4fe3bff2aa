// The attest command line: usage and exit codes, publishing versions (and re-acknowledgement), and evidence.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assignmentIdFor } from '#shared/core/ids.ts';
import type { Evidence, PolicyVersion } from '#shared/core/model.ts';
import { canonicalPolicyText, parsePolicy } from '#shared/core/policy.ts';
import { makePublishPolicy } from '#shared/core/publish.ts';
import { runCli, USAGE } from '../../../bin/attest.ts';
import {
  anAssignment,
  anEvidence,
  aPolicySource,
  aStarter,
  FakeClock,
  FakeStore,
  silentLogger,
} from '../../support/fakes.ts';

const NOW = '2026-11-26T10:00:00.000Z';

const policySource = aPolicySource;

/** Runs the CLI against `store`, reading every file as `files` says; collects what it prints. */
async function cli(argv: string[], store = new FakeStore(), files: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const read: string[] = [];
  const code = await runCli(argv, {
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
async function signedStore(source = policySource()) {
  const store = new FakeStore();
  const publisher = makePublishPolicy({ store, clock: new FakeClock(NOW), logger: silentLogger });
  const { policy } = await publisher.publish(parsePolicy(source));
  const starter = aStarter();
  await store.putStarter(starter);
  const assignment = anAssignment(starter, policy, {
    status: 'invited',
    dueAt: undefined,
    dueKind: undefined,
  });
  store.seed(assignment);
  await store.recordAcknowledgement(
    assignment.assignmentId,
    evidenceFor(policy),
    'wh_1',
    new Date('2026-11-25T14:03:00.000Z'),
  );
  return { store, publisher, policy, starter, assignment };
}

describe('attest usage', () => {
  it('prints the usage and exits 2 when given no command', async () => {
    // Act
    const { code, out, err } = await cli([]);

    // Assess
    expect(code).toBe(2);
    expect(out).toEqual([USAGE]);
    expect(err).toEqual([]);
  });

  it.each([['--help'], ['-h']])('prints the usage and exits 0 for %s', async (flag) => {
    // Act
    const { code, out } = await cli([flag]);

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual([USAGE]);
  });

  it('names an unknown command, prints the usage and exits 2', async () => {
    // Act
    const { code, out, err } = await cli(['frobnicate', 'now']);

    // Assess
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain('attest: unknown command: frobnicate now');
    expect(err[0]).toContain(USAGE);
  });

  it('exits 2 for an unknown option', async () => {
    // Act
    const { code, err } = await cli(['policy', 'versions', 'sample', '--bogus']);

    // Assess
    expect(code).toBe(2);
    expect(err[0]).toMatch(/^attest: .*--bogus/);
    expect(err[0]).toContain(USAGE);
  });

  it('exits 2 for a string option given no value', async () => {
    // Act
    const { code, err } = await cli(['evidence', '--employee']);

    // Assess
    expect(code).toBe(2);
    expect(err[0]).toContain(USAGE);
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
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^sample: published version 2 /);
    expect(out[1]).toContain('sample: asked 1 who signed an earlier version to sign version 2');
    expect(out[1]).toContain('(0 asked before, 0 left or gone)');
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
    expect(err[0]).toContain(USAGE);
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

  it('exits 1 for a policy with no versions', async () => {
    // Act
    const { code, out, err } = await cli(['policy', 'versions', 'unknown']);

    // Assess
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual(['attest: No published versions of unknown.']);
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
    const { store, policy, assignment } = await signedStore();

    // Act
    const { code, out, err } = await cli(['evidence', assignment.assignmentId], store);

    // Assess
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toHaveLength(1);
    const report = JSON.parse(out[0] as string);
    expect(report).toMatchObject({
      assignmentId: assignment.assignmentId,
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
    const { store, policy, assignment } = await signedStore();

    // Act
    const { code, out } = await cli(['evidence', assignment.assignmentId, '--text'], store);

    // Assess
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    const printed = `${out[0]}\n`;
    expect(printed).toBe(canonicalPolicyText(policy));
    expect(createHash('sha256').update(printed, 'utf8').digest('hex')).toBe(policy.sha256);
  });

  it('finds an employee’s first assignment and their re-acknowledgements by --employee and --policy', async () => {
    // Prepare
    const { store, starter, assignment } = await signedStore();
    await cli(['policy', 'publish', 'p.md', '--reacknowledge'], store, {
      'p.md': policySource('Para one, changed.\n'),
    });

    // Act
    const { code, out } = await cli(['evidence', '--employee', 'E1001', '--policy', 'sample'], store);

    // Assess
    expect(code).toBe(0);
    const reports = out.map((o) => JSON.parse(o));
    expect(reports.map((r) => r.assignmentId)).toEqual([
      assignment.assignmentId,
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

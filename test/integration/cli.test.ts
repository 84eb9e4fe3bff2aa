// The attest executable as a user runs it, in a shell: stdout carries only the answer, so the README's pipes give the right answer.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emailsTo, shell, signsOn, stack, waitFor } from '../support/local.ts';

// Each call starts npm and compiles the CLI: seconds, on a busy machine many.
describe('npx attest', { timeout: 120_000 }, () => {
  it('pipes the exact text shown into sha256sum, giving the sha256 the evidence names', async () => {
    // Prepare: someone signs; ids may begin with "-", so they travel as a variable
    const { id } = await signsOn(stack());

    // Act
    const hashed = await shell('npx attest evidence "$ID" --text | sha256sum', { ID: id });
    const shown = await shell('npx attest evidence "$ID"', { ID: id });

    // Assess
    const evidence = JSON.parse(shown.out) as {
      policy: { sha256: string };
      integrity: { recomputedSha256: string; matches: boolean };
    };
    expect(hashed.out).toBe(`${evidence.policy.sha256}  -\n`);
    expect(evidence.integrity).toEqual({ recomputedSha256: evidence.policy.sha256, matches: true });
    expect([hashed.err, shown.err]).toEqual(['', '']);
    expect(shown.code).toBe(0);
  });

  it('exports what attest holds about a person who signed, as JSON alone on stdout', async () => {
    // Prepare: someone is posted by HR and signs
    const { id, employeeId } = await signsOn(stack());

    // Act
    const exported = await shell('npx attest privacy export --employee "$EMPLOYEE"', {
      EMPLOYEE: employeeId,
    });

    // Assess
    expect(exported.code).toBe(0);
    expect(exported.err).toBe('');
    const data = JSON.parse(exported.out) as {
      about: { employeeId: string; notIncluded: string[] };
      starter: { employeeId: string };
      assignments: Array<{ assignmentId: string; evidence: { typedName: string } | null }>;
    };
    expect(data.about.employeeId).toBe(employeeId);
    expect(data.starter.employeeId).toBe(employeeId);
    expect(data.about.notIncluded.length).toBeGreaterThan(0);
    expect(data.assignments.find((a) => a.assignmentId === id)?.evidence?.typedName).toBe('Ada');
  });

  it('prints its usage on stdout and nothing on stderr', async () => {
    // Act
    const help = await shell('npx attest --help');

    // Assess
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: /);
    expect(help.err).toBe('');
  });

  it('says once, in its help, where it runs and what its exit codes mean; each command has its own help', async () => {
    // Act
    const root = await shell('npx attest --help');
    const lms = await shell('npx attest lms --help');

    // Assess
    expect(root.out).toContain('When\nTABLE_NAME is not set, and only then, against the local stack');
    expect(root.out).toContain(
      'Exit codes: 0 done, 1 what was asked for failed, 2 the command was\ncalled wrongly.',
    );
    expect([lms.code, lms.err]).toEqual([0, '']);
    expect(lms.out).toMatch(/^Usage: attest lms \[options\] \[command\]\n/);
    expect(lms.out).toMatch(/\n {2}dead-letters \[options\] +Deliveries the LMS rejected/);
    expect(lms.out).not.toContain('TABLE_NAME');
  });

  it("tests the local stack's webhook receiver with its settings, answer on stdout, exit 0", async () => {
    // Act
    const tested = await shell('npx attest lms test --destination webhook');
    const usage = await shell('npx attest lms test');

    // Assess
    expect([tested.code, tested.err]).toEqual([0, '']);
    expect(tested.out).toMatch(
      /^webhook test, about the test person attest-test@invalid\nPOST http:\/\/127\.0\.0\.1:\d+\/webhook {2}204 /,
    );
    expect(tested.out).toMatch(/\nok: the receiver took the signed policy\.test event \(2xx\)\n$/);
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('lms test needs --destination webhook|xapi|moodle');
  });

  it('suggests the command meant for a mistyped one and exits 2, with nothing on stdout', async () => {
    // Act
    const mistyped = await shell('npx attest evidnce "$ID"', { ID: '-6cnU65UKynXba2H3P0wWg' });

    // Assess
    expect(mistyped.code).toBe(2);
    expect(mistyped.out).toBe('');
    expect(mistyped.err).toBe(
      'attest: unknown command: evidnce -6cnU65UKynXba2H3P0wWg\n(Did you mean evidence?)\nTry `attest --help`.\n',
    );
  });

  it('exits 1 when what was asked for is not there, saying so on stderr only', async () => {
    // Act: an id beginning with "-" is an id, not an option
    const missing = await shell('npx attest evidence "$ID" --text', { ID: '-nosuchassignment00000A' });

    // Assess
    expect(missing.code).toBe(1);
    expect(missing.out).toBe('');
    expect(missing.err).toBe('attest: No assignment -nosuchassignment00000A.\n');
  });

  it('lists the known policies when given an unknown policy id, and changes nothing', async () => {
    // Act
    const versions = await shell('npx attest policy versions safe-internet');
    const publish = await shell('npx attest policy publish safe-internet-use --yes');

    // Assess
    expect([versions.code, versions.out]).toEqual([1, '']);
    expect(versions.err).toMatch(
      /^attest: no published versions of safe-internet\. Known policies: .*safe-internet-use \((version \d+|not yet published)\)/,
    );
    expect([publish.code, publish.out]).toEqual([2, '']);
    expect(publish.err).toMatch(
      /^attest: safe-internet-use is not a file: give the policy's file, e\.g\. templates\/policies\/safe-internet-use\.md, .* Known policies: .*safe-internet-use /,
    );
    expect(publish.err).toMatch(/\nTry `attest policy publish --help`\.\n$/);
  });

  it('says which table it reads on stderr only when asked, with --verbose', async () => {
    // Act
    const verbose = await shell('npx attest policy versions safe-internet-use --verbose');

    // Assess
    expect(verbose.code).toBe(0);
    expect(verbose.out).toMatch(/^safe-internet-use v1 /);
    expect(verbose.err).toBe(
      `(the local stack's table at ${stack().urls.dynamodb}; set TABLE_NAME for AWS)\n`,
    );
  });

  it('still runs as the npm script', async () => {
    // Act
    const help = await shell('npm run -s attest -- --help');

    // Assess
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: /);
    expect(help.err).toBe('');
  });

  it('imports a CSV file as Excel saves it: the good rows are invited, the bad one named, and again creates nothing', async () => {
    // Prepare: a BOM, CRLF, a quoted comma, and a bad row between two good ones
    const suffix = randomUUID().slice(0, 8);
    const ada = `ada.${suffix}@example.org`;
    const alan = `alan.${suffix}@example.org`;
    const file = join(mkdtempSync(join(tmpdir(), 'attest-import-')), 'starters.csv');
    writeFileSync(
      file,
      [
        '\uFEFFemployeeId,givenName,familyName,email,startDate,department',
        `A-${suffix},Ada,Lovelace,${ada},2026-12-01,"Computing, Analytical"`,
        `B-${suffix},Bad,Row,not-an-email,2026-12-01,`,
        `C-${suffix},Alan,Turing,${alan},2026-12-03,`,
        '',
      ].join('\r\n'),
    );

    // Act
    const first = await shell('npx attest import starters "$FILE"', { FILE: file });
    const again = await shell('npx attest import starters "$FILE"', { FILE: file });

    // Assess
    expect([first.code, first.out, first.err]).toEqual([
      1,
      '2 created, 0 updated, 0 unchanged, 1 rejected\n',
      'line 3: email: Not an email address.\n',
    ]);
    for (const address of [ada, alan]) {
      const invite = await waitFor(`the invite to ${address}`, async () => (await emailsTo(address))[0]);
      expect(invite.subject).toMatch(/Safe Internet Use/i);
    }
    expect([again.code, again.out]).toEqual([1, '0 created, 0 updated, 2 unchanged, 1 rejected\n']);
    expect((await emailsTo(ada)).length).toBe(1);
  });

  it('explains a starter’s policies by the audience rules this build carries, and exits 1 for one unknown', async () => {
    // Prepare: a starter added with no policies, in the department the shipped rule names
    const id = `AU-${randomUUID().slice(0, 8)}`;
    const added = await shell(
      'npx attest starter add --employee "$ID" --given-name Ada --family-name Lovelace ' +
        '--email "$ID@example.org" --start-date 2026-12-01 --department " children’s services" --job-title Archivist',
      { ID: id },
    );

    // Act
    const explained = await shell('npx attest audience explain --employee "$ID"', { ID: id });
    const unknown = await shell('npx attest audience explain --employee "$ID-none"', { ID: id });

    // Assess
    expect([added.code, added.err]).toEqual([0, '']);
    expect([explained.code, explained.err]).toEqual([0, '']);
    expect(explained.out).toBe(
      [
        `employee ${id}`,
        'attributes: department "children’s services"; job title "Archivist"',
        'default set: safe-internet-use (from DEFAULT_POLICIES)',
        'rule "children\'s services staff": matched, adds safe-internet-use',
        'the rules give: safe-internet-use',
        "policies: safe-internet-use, from the rules (matched: children's services staff)",
        '',
      ].join('\n'),
    );
    expect([unknown.code, unknown.out, unknown.err]).toEqual([
      1,
      '',
      `attest: No starter with employee id ${id}-none.\n`,
    ]);
  });
});

// `attest audience explain`: a starter's rules matched and not (and why), the default set, the policies and their origin; attributes to try; exit codes.
import { describe, expect, it } from 'vitest';
import type { AudienceRules } from '#shared/core/audience.ts';
import { parseAudienceRules } from '#shared/core/audience-file.ts';
import { type CliDeps, runCli } from '../../../bin/attest.ts';
import { aStarter, FakeQueue, FakeStore } from '../../support/fakes.ts';

const RULES: AudienceRules = parseAudienceRules(
  `
rules:
  - name: libraries
    when: { department: Libraries }
    policies: [safe-internet-use]
  - name: field staff
    when: { location: [Depot, Town Hall], employmentType: Contractor }
    policies: [safe-internet-use]
`,
  new Set(['safe-internet-use']),
);

async function cli(argv: string[], store = new FakeStore(), more: Partial<CliDeps> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    store,
    mailQueue: new FakeQueue(),
    io: { out: (t) => out.push(t), err: (t) => err.push(t) },
    now: () => new Date('2026-11-26T10:00:00.000Z'),
    audience: RULES,
    // No default set: what a starter signs is what the rules add (this build carries one policy).
    defaultPolicies: [],
    ...more,
  });
  return { code, out, err, store };
}

/** Adds E1 through `starter add`, as ingest records them, with `more` options. */
async function added(more: string[]) {
  const ada = [
    ...['--employee', 'E1', '--given-name', 'Ada', '--family-name', 'Lovelace'],
    ...['--email', 'ada@example.org', '--start-date', '2026-12-01'],
  ];
  const { store, code } = await cli(['starter', 'add', ...ada, ...more]);
  expect(code).toBe(0);
  return store;
}

describe('attest audience explain', () => {
  it('says which rules matched a starter, why the others did not, and that their policies came from the rules', async () => {
    // Prepare
    const store = await added(['--department', 'libraries', '--location', 'Depot']);

    // Act
    const { code, out, err } = await cli(['audience', 'explain', '--employee', 'E1'], store);

    // Assess
    expect([code, err]).toEqual([0, []]);
    expect(out).toEqual([
      'employee E1',
      'attributes: department "libraries"; location "Depot"',
      'default set: none (from DEFAULT_POLICIES)',
      'rule "libraries": matched, adds safe-internet-use',
      'rule "field staff": not matched: employment type not given (the rule wants "Contractor")',
      'the rules give: safe-internet-use',
      'policies: safe-internet-use, from the rules (matched: libraries)',
    ]);
  });

  it('says when the event’s own list overrode the rules', async () => {
    // Prepare
    const store = await added(['--department', 'Finance', '--policies', 'safe-internet-use']);

    // Act
    const { code, out } = await cli(['audience', 'explain', '--employee', 'E1'], store);

    // Assess
    expect(code).toBe(0);
    expect(out.slice(-2)).toEqual([
      'the rules give: none',
      'policies: safe-internet-use, named by the event: its list overrides the rules',
    ]);
  });

  it('says when the rules have changed since the starter’s list was decided', async () => {
    // Prepare: decided when no rule named Libraries
    const store = new FakeStore();
    await store.putStarter(
      aStarter({
        employeeId: 'E2',
        department: 'Libraries',
        policies: [],
        policiesFrom: 'rules',
        matchedRules: [],
      }),
    );

    // Act
    const { code, out } = await cli(['audience', 'explain', '--employee', 'E2'], store);

    // Assess
    expect(code).toBe(0);
    expect(out.at(-1)).toBe(
      'policies: none, from the rules (matched: none); the rules have changed since: the next event naming no policies applies what they give now',
    );
  });

  it('gives the explanation as JSON with --json', async () => {
    // Prepare
    const store = await added(['--department', 'Finance']);

    // Act
    const { code, out } = await cli(['audience', 'explain', '--employee', 'E1', '--json'], store);

    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(out.join('\n'))).toMatchObject({
      employeeId: 'E1',
      attributes: { department: 'Finance' },
      outcomes: [
        {
          rule: 'libraries',
          matched: false,
          misses: [{ key: 'department', wanted: ['Libraries'], actual: 'Finance' }],
        },
        { rule: 'field staff', matched: false },
      ],
      policies: [],
      from: 'rules',
      matchedWhenDecided: [],
    });
  });

  it('tries the rules on attributes given, reading no table', async () => {
    // Act
    const { code, out } = await cli([
      'audience',
      'explain',
      '--location',
      ' town  hall ',
      '--employment-type',
      'contractor',
    ]);

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual([
      'attributes: location "town  hall"; employment type "contractor"',
      'default set: none (from DEFAULT_POLICIES)',
      'rule "libraries": not matched: department not given (the rule wants "Libraries")',
      'rule "field staff": matched, adds safe-internet-use',
      'the rules give: safe-internet-use',
      'policies: safe-internet-use, for a starter whose event names none',
    ]);
  });

  it('says an unknown employee is unknown, on stderr, and exits 1', async () => {
    // Act
    const { code, out, err } = await cli(['audience', 'explain', '--employee', 'E404']);

    // Assess
    expect([code, out, err]).toEqual([1, [], ['attest: No starter with employee id E404.']]);
  });

  it.each([
    [[], 'give --employee, or attributes to try (--department, --job-title…)'],
    [['--employee', 'E1', '--department', 'IT'], 'give --employee or attributes to try, not both'],
  ])('is a usage error (exit 2) given %j', async (args, message) => {
    // Act
    const { code, out, err } = await cli(['audience', 'explain', ...args]);

    // Assess
    expect([code, out, err]).toEqual([
      2,
      [],
      [`attest: ${message}\nTry \`attest audience explain --help\`.`],
    ]);
  });
});

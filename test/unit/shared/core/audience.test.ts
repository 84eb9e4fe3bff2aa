// Audience rules: the file's checks (each problem named by its rule), matching, the policies that follow, and the explanation of a starter's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AudienceRules,
  decideAudience,
  explainAudience,
  MATCH_KEYS,
  makeExplainAudience,
  NO_AUDIENCE_RULES,
  normalise,
} from '#shared/core/audience.ts';
import { parseAudienceRules } from '#shared/core/audience-file.ts';
import { ConfigError, NotFoundError } from '#shared/core/errors.ts';
import { aStarter, FakeStore } from '../../../support/fakes.ts';

const KNOWN = new Set(['safe-internet-use', 'data-protection', 'safeguarding', 'lone-working']);

const FILE = `
# a comment
default: [safe-internet-use]
rules:
  - name: children's services staff
    when: { department: "Children's Services" }
    policies: [safeguarding]
  - name: field staff
    when:
      employmentType: [Employee, Contractor]
      location: [Depot, "Town Hall"]
    policies: [lone-working, safeguarding]
  - name: data handlers
    when: { jobTitle: Data Officer, division: People }
    policies: [data-protection]
`;

/** The problems a file is refused for, one a line. */
function problemsOf(source: string): string[] {
  try {
    parseAudienceRules(source, KNOWN);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message.split('\n');
  }
  throw new Error('accepted');
}

describe('parseAudienceRules', () => {
  it('reads the default set and each rule, a single value as a list of one', () => {
    // Act
    const rules = parseAudienceRules(FILE, KNOWN);

    // Assess
    expect(rules).toEqual({
      default: ['safe-internet-use'],
      rules: [
        {
          name: "children's services staff",
          when: { department: ["Children's Services"] },
          policies: ['safeguarding'],
        },
        {
          name: 'field staff',
          when: { employmentType: ['Employee', 'Contractor'], location: ['Depot', 'Town Hall'] },
          policies: ['lone-working', 'safeguarding'],
        },
        {
          name: 'data handlers',
          when: { jobTitle: ['Data Officer'], division: ['People'] },
          policies: ['data-protection'],
        },
      ],
    });
  });

  it('reads an empty file, or one of comments, as no rules and no default set of its own', () => {
    // Act
    const empty = parseAudienceRules('', KNOWN);
    const comments = parseAudienceRules('# nothing yet\n', KNOWN);
    const none = parseAudienceRules('rules: []\n', KNOWN);

    // Assess
    expect([empty, comments, none]).toEqual([NO_AUDIENCE_RULES, NO_AUDIENCE_RULES, { rules: [] }]);
  });

  it.each([
    [
      'an unknown policy',
      'rules:\n  - name: x\n    when: { department: IT }\n    policies: [y]\n',
      'audience.yaml: rule "x": unknown policy "y"',
    ],
    [
      'an unknown policy in the default set',
      'default: [nope]\n',
      'audience.yaml: default: unknown policy "nope"',
    ],
    [
      'an unknown match key',
      'rules:\n  - name: x\n    when: { departmnt: IT }\n    policies: [safeguarding]\n',
      'audience.yaml: rule "x": unknown match key "departmnt" (the keys are department, organization, division, location, employmentType, jobTitle)',
    ],
    [
      'empty policies',
      'rules:\n  - name: x\n    when: { department: IT }\n    policies: []\n',
      'audience.yaml: rule "x": policies: Must add at least one policy.',
    ],
    [
      'a rule matching on nothing',
      'rules:\n  - name: everyone\n    when: {}\n    policies: [safeguarding]\n',
      'audience.yaml: rule "everyone": when: Must match on at least one of department, organization, division, location, employmentType, jobTitle.',
    ],
    [
      'a rule without a name, by its place',
      'rules:\n  - when: { department: IT }\n    policies: [safeguarding]\n',
      'audience.yaml: rule 1: name: Expected text (quote a value YAML would read as a number, a date or yes/no).',
    ],
    [
      'a number where text belongs',
      'rules:\n  - name: x\n    when: { location: 42 }\n    policies: [safeguarding]\n',
      'audience.yaml: rule "x": when.location: Expected text, or a list of texts any of which matches.',
    ],
    [
      'an unknown key of a rule',
      'rules:\n  - name: x\n    when: { department: IT }\n    policies: [safeguarding]\n    polices: [x]\n',
      'audience.yaml: rule "x": unknown key "polices"',
    ],
    [
      'a file that is not a mapping',
      '- a\n- b\n',
      'audience.yaml: Expected a mapping with rules (and an optional default).',
    ],
  ])('refuses %s, naming the rule', (_, source, problem) => {
    // Act
    const problems = problemsOf(source);

    // Assess
    expect(problems).toEqual([problem]);
  });

  it('refuses two rules of one name, whatever their case, naming both places', () => {
    // Act
    const problems = problemsOf(
      'rules:\n' +
        '  - { name: IT, when: { department: IT }, policies: [safeguarding] }\n' +
        '  - { name: HR, when: { department: HR }, policies: [safeguarding] }\n' +
        '  - { name: " it", when: { department: Digital }, policies: [data-protection] }\n',
    );

    // Assess
    expect(problems).toEqual(['audience.yaml: rule "it": named twice (rules 1 and 3)']);
  });

  it('names every problem of a file at once, its shape’s and its policies’', () => {
    // Act
    const problems = problemsOf(
      'rules:\n' +
        '  - { name: a, when: { departmnt: IT }, policies: [nope] }\n' +
        '  - { name: b, when: { department: IT }, policies: [safeguarding, gone] }\n' +
        '  - { name: A, when: { department: HR }, policies: [safeguarding] }\n',
    );

    // Assess
    expect(problems).toEqual([
      'audience.yaml: rule "a": unknown match key "departmnt" (the keys are department, organization, division, location, employmentType, jobTitle)',
      'audience.yaml: rule "a": unknown policy "nope"',
      'audience.yaml: rule "b": unknown policy "gone"',
      'audience.yaml: rule "A": named twice (rules 1 and 3)',
    ]);
  });

  it('refuses a file that is not YAML, saying so', () => {
    // Act
    const problems = problemsOf('rules: [\n');

    // Assess
    expect(problems[0]).toMatch(/^audience\.yaml: not YAML: /);
  });

  it('answers any text with rules or a ConfigError', () => {
    fc.assert(
      fc.property(fc.string(), (source) => {
        try {
          expect(parseAudienceRules(source, KNOWN).rules).toBeInstanceOf(Array);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
        }
      }),
    );
  });
});

describe('normalise', () => {
  it.each([
    ["Children's Services", ' children’s   services '],
    ['Town Hall', 'TOWN\u00A0HALL'],
    ['Data Officer', 'ｄａｔａ officer'],
  ])('compares %j and %j as equal', (a, b) => {
    // Assess
    expect(normalise(a)).toBe(normalise(b));
  });

  it('keeps different words different', () => {
    // Assess
    expect(normalise('Children’s Services')).not.toBe(normalise('Childrens Services'));
  });
});

describe('decideAudience', () => {
  const rules = parseAudienceRules(FILE, KNOWN);

  it('gives the default set and each matching rule’s policies in rule order, each once', () => {
    // Act
    const decision = decideAudience(rules, ['data-protection'], {
      department: 'children’s services',
      employmentType: 'contractor',
      location: 'town hall',
    });

    // Assess
    expect(decision.policies).toEqual(['safe-internet-use', 'safeguarding', 'lone-working']);
    expect(decision.matched).toEqual(["children's services staff", 'field staff']);
  });

  it('needs every key a rule names to match: one differing or absent is a miss, said with what was wanted', () => {
    // Act
    const decision = decideAudience(rules, [], { jobTitle: 'Data Officer', location: 'Depot' });

    // Assess
    expect(decision.policies).toEqual(['safe-internet-use']);
    expect(decision.outcomes.map((o) => [o.rule, o.matched, o.misses])).toEqual([
      ["children's services staff", false, [{ key: 'department', wanted: ["Children's Services"] }]],
      ['field staff', false, [{ key: 'employmentType', wanted: ['Employee', 'Contractor'] }]],
      ['data handlers', false, [{ key: 'division', wanted: ['People'] }]],
    ]);
  });

  it('takes DEFAULT_POLICIES as the default set when the file gives none', () => {
    // Act
    const decision = decideAudience({ rules: rules.rules }, ['data-protection'], {});

    // Assess
    expect([decision.default, decision.policies]).toEqual([['data-protection'], ['data-protection']]);
  });

  it('gives the default set whatever the attributes, and never a policy twice', () => {
    const value = fc.constantFrom("Children's Services", 'Depot', 'Employee', 'People', 'Data Officer', 'x');
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...MATCH_KEYS), value), (attributes) => {
        const { policies } = decideAudience(rules, [], attributes);
        expect(policies[0]).toBe('safe-internet-use');
        expect(new Set(policies).size).toBe(policies.length);
      }),
    );
  });
});

describe('explainAudience', () => {
  const rules: AudienceRules = parseAudienceRules(FILE, KNOWN);

  it('explains a starter whose event named their policies: the rules tried, the event’s list in force', async () => {
    // Prepare
    const store = new FakeStore();
    const starter = aStarter({
      employeeId: 'E7',
      department: "Children's Services",
      policies: ['data-protection'],
      policiesFrom: 'event',
    });
    await store.putStarter(starter);

    // Act
    const explained = await makeExplainAudience({ store, audience: rules, defaultPolicies: [] })('E7');

    // Assess
    expect(explained).toMatchObject({
      employeeId: 'E7',
      attributes: { department: "Children's Services" },
      default: ['safe-internet-use'],
      defaultFrom: 'audience.yaml',
      rulesGive: ['safe-internet-use', 'safeguarding'],
      policies: ['data-protection'],
      from: 'event',
    });
  });

  it('says a starter stored before the origin was recorded keeps their list', () => {
    // Act
    const explained = explainAudience(
      NO_AUDIENCE_RULES,
      ['safe-internet-use'],
      {},
      aStarter({ employeeId: 'E8' }),
    );

    // Assess
    expect(explained).toMatchObject({ from: 'kept', defaultFrom: 'DEFAULT_POLICIES', outcomes: [] });
  });

  it('refuses an employee no starter has, naming them', async () => {
    // Act
    const explaining = makeExplainAudience({ store: new FakeStore(), audience: rules, defaultPolicies: [] })(
      'E404',
    );

    // Assess
    await expect(explaining).rejects.toThrow(
      new NotFoundError('starter.not_found', 'No starter with employee id E404.'),
    );
  });
});

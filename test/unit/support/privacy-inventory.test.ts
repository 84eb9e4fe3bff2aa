// The reader of PRIVACY.md's inventory: the real file parses, a malformed block fails loudly, and stored items map to the paths and kinds it names.
import { describe, expect, it } from 'vitest';
import { key } from '#shared/adapters/dynamo/table.ts';
import {
  attributePaths,
  END,
  InventoryError,
  ITEM_KINDS,
  itemKindOf,
  names,
  parseInventory,
  readInventory,
  START,
} from '../../support/privacy-inventory.ts';

const ITEMS = '| item | key | retention as built |\n|---|---|---|\n| starter | `STARTER#…` | Kept. |';
const HEADER = '| item | attribute | index | personal | purpose | basis |\n|---|---|---|---|---|---|';

/** A block with the items table and one attributes table holding `rows`. */
const block = (...rows: string[]) => `# Title\n${START}\n${ITEMS}\n\n${HEADER}\n${rows.join('\n')}\n${END}\n`;
const GOOD = '| starter | `email` | — | yes | Where invites go. | 6(1)(b) |';

describe('parseInventory', () => {
  it('reads PRIVACY.md: a retention for every kind of item, and attributes for each', () => {
    // Act
    const inventory = readInventory();

    // Assess
    expect(inventory.items.map((i) => i.item).sort()).toEqual([...ITEM_KINDS].sort());
    expect(
      inventory.attributes.find((a) => a.item === 'assignment' && a.attribute === 'ack.ipAddress'),
    ).toMatchObject({ personal: true, basis: ['6(1)(f)'] });
  });

  it('reads a row’s cells, code spans unwrapped and bases split', () => {
    // Act
    const { attributes } = parseInventory(
      block(
        '| starter | `manager.email` | — | yes | The manager. | 6(1)(b), 6(1)(f) |',
        '| starter | `sk` | — | no | Key. | — |',
      ),
    );

    // Assess
    expect(attributes).toEqual([
      {
        item: 'starter',
        attribute: 'manager.email',
        index: '—',
        personal: true,
        purpose: 'The manager.',
        basis: ['6(1)(b)', '6(1)(f)'],
      },
      { item: 'starter', attribute: 'sk', index: '—', personal: false, purpose: 'Key.', basis: [] },
    ]);
  });

  it.each([
    ['an unknown item', '| profile | `email` | — | yes | Why. | 6(1)(b) |', /unknown item "profile"/],
    ['a path with spaces', '| starter | `e mail` | — | yes | Why. | 6(1)(b) |', /not an attribute path/],
    [
      'a path with a stray dot',
      '| starter | `manager.` | — | yes | Why. | 6(1)(b) |',
      /not an attribute path/,
    ],
    ['personal neither yes nor no', '| starter | `email` | — | maybe | Why. | 6(1)(b) |', /yes or no/],
    ['personal without a basis', '| starter | `email` | — | yes | Why. | — |', /personal, no basis/],
    [
      'a basis not in Art. 6(1)(b), (c) or (f)',
      '| starter | `email` | — | yes | Why. | 6(1)(a) |',
      /basis must be/,
    ],
    ['no purpose', '| starter | `email` | — | yes |  | 6(1)(b) |', /no purpose/],
    ['a cell missing', '| starter | `email` | — | yes | 6(1)(b) |', /5 cells where the header has 6/],
    ['a row listed twice', `${GOOD}\n${GOOD}`, /listed twice/],
    ['a table of another header', '\n| item | field |\n|---|---|\n| starter | email |', /not an inventory's/],
    [
      'a header without its rule',
      '\n| item | attribute | index | personal | purpose | basis |\n| starter | `email` | — | yes | Why. | 6(1)(b) |',
      /without its \|---\| line/,
    ],
    ['attributes of an item without a retention', '| digest | `day` | — | no | Day. | — |', /no retention/],
  ])('fails loudly on %s', (_, rows, message) => {
    // Act / Assess
    expect(() => parseInventory(block(rows))).toThrow(message);
  });

  it('fails loudly without its markers', () => {
    // Act / Assess
    expect(() => parseInventory(block(GOOD).replace(START, ''))).toThrow(InventoryError);
  });

  it('names the line at fault', () => {
    // Act / Assess
    expect(() =>
      parseInventory(block(GOOD, '| starter | `email2` | — | perhaps | Why. | 6(1)(b) |')),
    ).toThrow(/PRIVACY\.md line 10: personal must be yes or no, not "perhaps"/);
  });
});

describe('attributePaths', () => {
  it('writes maps with dots, lists and sets as [], schema URNs as placeholders, empty ones as themselves', () => {
    // Prepare
    const item = {
      pk: 'ASSIGN#a',
      ack: { typedName: 'Ada' },
      sends: [{ kind: 'invite' }, { kind: 'reminder', tokenId: 't' }],
      members: new Set(['a', 'b']),
      empty: [],
      resource: { 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'HR' } },
    };

    // Act
    const paths = attributePaths(item);

    // Assess
    expect(paths.sort()).toEqual(
      [
        'pk',
        'ack.typedName',
        'sends[].kind',
        'sends[].tokenId',
        'members[]',
        'empty[]',
        'resource.<enterprise>.department',
      ].sort(),
    );
  });
});

describe('names', () => {
  it('names a path listed exactly, or under a listed `prefix.*`, of the same kind of item only', () => {
    // Prepare
    const inventory = parseInventory(
      block(GOOD, '| starter | `extra.*` | — | yes | Anything else. | 6(1)(b) |'),
    );

    // Assess
    expect(names(inventory, 'starter', 'email')).toBe(true);
    expect(names(inventory, 'starter', 'extra.a.b')).toBe(true);
    expect(names(inventory, 'starter', 'extras')).toBe(false);
    expect(names(inventory, 'starter', 'extra[]')).toBe(false);
    expect(names(inventory, 'digest', 'email')).toBe(false);
  });

  it('names an empty list or map by the entries it lists', () => {
    // Prepare
    const inventory = parseInventory(
      block(
        '| starter | `sends[].kind` | — | no | Why. | — |',
        '| starter | `manager.email` | — | yes | Why. | 6(1)(f) |',
      ),
    );

    // Assess
    expect(names(inventory, 'starter', 'sends[]')).toBe(true);
    expect(names(inventory, 'starter', 'manager')).toBe(true);
    expect(names(inventory, 'starter', 'send[]')).toBe(false);
    expect(names(inventory, 'starter', 'manage')).toBe(false);
  });
});

describe('itemKindOf', () => {
  it('knows each kind of item by the keys table.ts makes', () => {
    // Assess
    expect(itemKindOf(key.starter('s'))).toBe('starter');
    expect(itemKindOf(key.assignment('a'))).toBe('assignment');
    expect(itemKindOf({ pk: key.assignment('a').pk, sk: 'EVT#2026-01-01T00:00:00.000Z#acknowledged' })).toBe(
      'audit-event',
    );
    expect(itemKindOf(key.sentAttempt('a', 't'))).toBe('sent-attempt');
    expect(itemKindOf(key.receipt('hr', 'e'))).toBe('event-receipt');
    expect(itemKindOf(key.digest({ managerEmail: 'm@example.org', day: '2026-01-01' }))).toBe('digest');
    expect(itemKindOf(key.destination('xapi'))).toBe('destination');
    expect(itemKindOf(key.scimUser('u'))).toBe('scim-user');
    expect(itemKindOf(key.scimLookup('email', 'u@example.org', 'u'))).toBe('scim-lookup');
    expect(itemKindOf(key.policy('p', 1))).toBe('policy-version');
    expect(itemKindOf({ pk: 'SESSION#x', sk: 'S' })).toBeUndefined();
  });
});

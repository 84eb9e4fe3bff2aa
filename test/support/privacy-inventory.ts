// PRIVACY.md's inventory as data: its tables parsed (loudly, on anything malformed), and a stored item's kind and attribute paths as the inventory writes them.
import { readFileSync } from 'node:fs';

/** The kinds of item the table holds, each named by its keys (shared/adapters/dynamo/table.ts). */
export const ITEM_KINDS = [
  'starter',
  'assignment',
  'audit-event',
  'sent-attempt',
  'event-receipt',
  'digest',
  'destination',
  'scim-user',
  'scim-lookup',
  'policy-version',
  'erasure',
  'due-shards',
] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

export interface AttributeRow {
  item: ItemKind;
  /** A path: `a.b`, `list[].field`, `<placeholder>` for a key that is data, `prefix.*` for anything below. */
  attribute: string;
  index: string;
  personal: boolean;
  purpose: string;
  basis: string[];
}

export interface ItemRow {
  item: ItemKind;
  key: string;
  retention: string;
}

export interface Inventory {
  items: ItemRow[];
  attributes: AttributeRow[];
}

export class InventoryError extends Error {
  constructor(message: string, line?: number) {
    super(line === undefined ? message : `PRIVACY.md line ${line}: ${message}`);
    this.name = 'InventoryError';
  }
}

export const START = '<!-- inventory:start -->';
export const END = '<!-- inventory:end -->';

const ITEMS_HEADER = ['item', 'key', 'retention as built'];
const ATTRIBUTES_HEADER = ['item', 'attribute', 'index', 'personal', 'purpose', 'basis'];
/** UK GDPR Art. 6(1) points an organisation typically relies on here: contract, legal obligation, legitimate interests. */
const BASES = new Set(['6(1)(b)', '6(1)(c)', '6(1)(f)']);
const PATH =
  /^(?:[A-Za-z][A-Za-z0-9]*|<[a-z-]+>)(?:\[\])?(?:\.(?:[A-Za-z][A-Za-z0-9]*|<[a-z-]+>)(?:\[\])?)*(?:\.\*)?$/;

/** The cells of a table row, `|`-separated, code spans unwrapped; a `\|` is a literal bar. */
function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) =>
    c
      .trim()
      .replace(/\\\|/g, '|')
      .replace(/^`(.*)`$/, '$1'),
  );
}

const isItemKind = (v: string): v is ItemKind => (ITEM_KINDS as readonly string[]).includes(v);

/**
 * The inventory between PRIVACY.md's markers: one items table (`item | key | retention as built`)
 * and any number of attributes tables (`item | attribute | index | personal | purpose | basis`).
 * Prose between tables is allowed; a table row anywhere else inside the markers is not.
 */
export function parseInventory(markdown: string): Inventory {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim() === START);
  const end = lines.findIndex((l) => l.trim() === END);
  if (start < 0 || end < 0 || end < start) throw new InventoryError(`no ${START} … ${END} block`);
  if (lines.filter((l) => l.trim() === START).length > 1) throw new InventoryError(`more than one ${START}`);
  const items: ItemRow[] = [];
  const attributes: AttributeRow[] = [];
  let header: string[] | undefined;
  for (let i = start + 1; i < end; i++) {
    const line = lines[i] as string;
    const n = i + 1;
    if (!line.trim().startsWith('|')) {
      header = undefined;
      continue;
    }
    const row = cells(line);
    if (!header) {
      header = row.map((c) => c.toLowerCase());
      const known = [ITEMS_HEADER, ATTRIBUTES_HEADER].some((h) => h.join() === header?.join());
      if (!known) throw new InventoryError(`a table whose header is not an inventory's: ${line}`, n);
      if (!/^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?$/.test((lines[i + 1] ?? '').trim()))
        throw new InventoryError('a header without its |---| line', n);
      i++;
      continue;
    }
    if (row.length !== header.length)
      throw new InventoryError(`${row.length} cells where the header has ${header.length}`, n);
    const [item, second, third, personal, purpose, basis] = row as [string, string, string, ...string[]];
    if (!isItemKind(item)) throw new InventoryError(`unknown item "${item}"`, n);
    if (header.length === ITEMS_HEADER.length) {
      if (!second || !third) throw new InventoryError(`item ${item}: a key and a retention are required`, n);
      items.push({ item, key: second, retention: third });
      continue;
    }
    if (!PATH.test(second)) throw new InventoryError(`"${second}" is not an attribute path`, n);
    if (personal !== 'yes' && personal !== 'no')
      throw new InventoryError(`personal must be yes or no, not "${personal}"`, n);
    if (!purpose) throw new InventoryError(`${item} ${second}: no purpose`, n);
    const bases = basis === '—' ? [] : (basis ?? '').split(/\s*,\s*/);
    if (bases.some((b) => !BASES.has(b)))
      throw new InventoryError(`basis must be 6(1)(b), 6(1)(c), 6(1)(f) or —, not "${basis}"`, n);
    if (personal === 'yes' && !bases.length)
      throw new InventoryError(`${item} ${second}: personal, no basis`, n);
    attributes.push({
      item,
      attribute: second,
      index: third,
      personal: personal === 'yes',
      purpose,
      basis: bases,
    });
  }
  const seen = new Set<string>();
  for (const a of attributes) {
    const k = `${a.item} ${a.attribute}`;
    if (seen.has(k)) throw new InventoryError(`${k} listed twice`);
    seen.add(k);
  }
  for (const kind of new Set(attributes.map((a) => a.item))) {
    if (!items.some((r) => r.item === kind))
      throw new InventoryError(`${kind} has attributes but no retention`);
  }
  for (const r of items) {
    if (!attributes.some((a) => a.item === r.item)) throw new InventoryError(`${r.item} has no attributes`);
  }
  return { items, attributes };
}

export function readInventory(path = new URL('../../PRIVACY.md', import.meta.url)): Inventory {
  return parseInventory(readFileSync(path, 'utf8'));
}

/** Which kind of item a stored one is, by its keys; undefined for one the inventory has no kind for. */
export function itemKindOf(item: { pk?: unknown; sk?: unknown }): ItemKind | undefined {
  const pk = String(item.pk);
  const sk = String(item.sk);
  if (pk.startsWith('STARTER#') && sk === 'PROFILE') return 'starter';
  if (pk.startsWith('ASSIGN#') && sk === 'ASSIGNMENT') return 'assignment';
  if (pk.startsWith('ASSIGN#') && sk.startsWith('EVT#')) return 'audit-event';
  if (pk.startsWith('ASSIGN#') && sk.startsWith('ATTEMPT#')) return 'sent-attempt';
  if (pk.startsWith('EVENT#') && sk === 'RECEIPT') return 'event-receipt';
  if (pk.startsWith('DIGEST#') && sk.startsWith('DAY#')) return 'digest';
  if (pk.startsWith('DESTINATION#')) return 'destination';
  if (pk === 'SCIMUSERS' && sk.startsWith('USER#')) return 'scim-user';
  if (pk.startsWith('SCIMKEY#') && sk.startsWith('USER#')) return 'scim-lookup';
  if (pk.startsWith('POLICY#') && sk.startsWith('V#')) return 'policy-version';
  if (pk === 'ERASURES' && sk.startsWith('STARTER#')) return 'erasure';
  if (pk === 'SHARDS' && sk === 'DUE') return 'due-shards';
  return undefined;
}

/** Map keys that are data, written as the inventory writes them: SCIM schema URNs. */
function generalised(name: string): string {
  if (name === 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User') return '<enterprise>';
  if (name === 'urn:ietf:params:scim:schemas:extension:attest:2.0:User') return '<attest>';
  return /^[A-Za-z][A-Za-z0-9]*$/.test(name) ? name : '<key>';
}

/** Every leaf's path in an item: arrays and sets as `[]`, an empty map or list as its own path. */
export function attributePaths(value: unknown, prefix = ''): string[] {
  if (value instanceof Set) value = [...value];
  if (Array.isArray(value)) {
    const paths = value.flatMap((v) => attributePaths(v, `${prefix}[]`));
    return paths.length ? [...new Set(paths)] : [`${prefix}[]`];
  }
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    const entries = Object.entries(value);
    if (!entries.length) return [prefix];
    const paths = entries.flatMap(([k, v]) =>
      attributePaths(v, prefix ? `${prefix}.${generalised(k)}` : generalised(k)),
    );
    return [...new Set(paths)];
  }
  return [prefix];
}

/**
 * Whether the inventory names this path of an item of this kind: exactly, under a `prefix.*`, or
 * (an empty list or map, whose entries it lists) as the start of a listed path.
 */
export function names(inventory: Inventory, kind: ItemKind, path: string): boolean {
  return inventory.attributes.some(
    ({ item, attribute }) =>
      item === kind &&
      (attribute === path ||
        (attribute.endsWith('.*') && path.startsWith(attribute.slice(0, -1))) ||
        attribute.startsWith(path.endsWith('[]') ? path : `${path}.`)),
  );
}

/** Every leaf of an item with its path as the inventory writes it (see attributePaths) and its value. */
export function leafValues(value: unknown, prefix = ''): Array<{ path: string; value: unknown }> {
  if (value instanceof Set) value = [...value];
  if (Array.isArray(value)) return value.flatMap((v) => leafValues(v, `${prefix}[]`));
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    return Object.entries(value).flatMap(([k, v]) =>
      leafValues(v, prefix ? `${prefix}.${generalised(k)}` : generalised(k)),
    );
  }
  return [{ path: prefix, value }];
}

/** Whether the inventory marks this path of an item of this kind as personal data. */
export function isPersonal(inventory: Inventory, kind: ItemKind, path: string): boolean {
  return inventory.attributes.some(
    ({ item, attribute, personal }) =>
      personal &&
      item === kind &&
      (attribute === path || (attribute.endsWith('.*') && path.startsWith(attribute.slice(0, -1)))),
  );
}

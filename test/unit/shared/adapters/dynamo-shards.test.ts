// The due shards: an assignment's shard from its id alone, the values a sweep reads, and which values count as owed.
import { describe, expect, it } from 'vitest';
import { owes } from '#shared/adapters/dynamo/lanes.ts';
import {
  checkShardCount,
  DEFAULT_DUE_SHARDS,
  dueShard,
  isDueShard,
  retainShard,
  shardNumber,
  shardValues,
} from '#shared/adapters/dynamo/shards.ts';
import { common, parseEnv } from '#shared/config.ts';
import * as z from '#shared/core/zod.ts';

const ids = Array.from({ length: 8_000 }, (_, i) => `${i.toString(36)}-assignment`);

describe('shardNumber', () => {
  it('gives an assignment the same shard every time, from its id alone', () => {
    // Assess
    expect(shardNumber('a1', 8)).toBe(shardNumber('a1', 8));
    expect(dueShard('a1', 8)).toBe(`due#${shardNumber('a1', 8)}`);
    expect(retainShard('a1', 8)).toBe(`retain#${shardNumber('a1', 8)}`);
  });

  it('spreads assignments evenly over the shards, each within range', () => {
    // Act
    const counts = new Array<number>(DEFAULT_DUE_SHARDS).fill(0);
    for (const id of ids)
      counts[shardNumber(id, DEFAULT_DUE_SHARDS)] = (counts[shardNumber(id, DEFAULT_DUE_SHARDS)] ?? 0) + 1;

    // Assess: 1,000 each on average; none far off
    for (const n of counts) expect(n).toBeGreaterThan(850);
    for (const n of counts) expect(n).toBeLessThan(1_150);
  });

  it('puts everything in shard 0 when there is one shard', () => {
    // Assess
    expect(new Set(ids.map((id) => shardNumber(id, 1)))).toEqual(new Set([0]));
  });
});

describe('shardValues', () => {
  it('reads the unsharded value first, then every shard', () => {
    // Assess
    expect(shardValues('due', 3)).toEqual(['due', 'due#0', 'due#1', 'due#2']);
    expect(shardValues('retain', 1)).toEqual(['retain', 'retain#0']);
  });
});

describe('isDueShard', () => {
  it.each([
    ['due', true],
    ['due#0', true],
    ['due#63', true],
    ['dead', false],
    ['retain#1', false],
    [undefined, false],
  ])('counts %s as owed: %s', (value, owed) => {
    // Assess
    expect(isDueShard(value)).toBe(owed);
  });
});

describe('owes', () => {
  it('accepts a delivery lane owed under any due shard, the unsharded one too, never the dead letters', () => {
    // Act
    const { condition, values } = owes('webhook');

    // Assess: begins_with 'due' holds for due and due#k; 'dead' does not begin with it
    expect(condition).toBe('attribute_exists(lmsDueAt) AND begins_with(lmsShard, :due)');
    expect(values).toEqual({ ':due': 'due' });
    expect('dead'.startsWith(values[':due'] as string)).toBe(false);
  });
});

describe('DUE_SHARDS', () => {
  const parse = (value?: string) =>
    parseEnv(z.object({ DUE_SHARDS: common.DUE_SHARDS }), value === undefined ? {} : { DUE_SHARDS: value });

  it('is 8 unless set, and takes a whole number from 1 to 64', () => {
    // Assess
    expect(parse().DUE_SHARDS).toBe(8);
    expect(parse('1').DUE_SHARDS).toBe(1);
    expect(parse('64').DUE_SHARDS).toBe(64);
  });

  it.each(['0', '65', '2.5', 'eight', '-1'])('refuses %s with a clear error', (value) => {
    // Assess
    expect(() => parse(value)).toThrow(/invalid configuration: DUE_SHARDS/);
  });

  it('is checked the same way at synth', () => {
    // Assess
    expect(checkShardCount(16)).toBe(16);
    expect(() => checkShardCount(0)).toThrow('DUE_SHARDS must be a whole number from 1 to 64, not 0');
  });
});

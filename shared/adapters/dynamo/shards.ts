// How owed work spreads over its sparse indexes' partitions: an item's shard from its assignment id, and the shards a sweep reads.
import { createHash } from 'node:crypto';

/**
 * The due indexes' shards when DUE_SHARDS is not set. An index partition takes about 1,000 write
 * units a second on AWS; every claim, lease and step of owed work rewrites its index entry, so one
 * partition value capped the whole pipeline there. Eight spread a burst (a re-acknowledgement, a
 * backfill) past what a default on-demand table serves at first (4,000 write units a second),
 * while a sweep's empty reads stay few (8 a lane, each the least a query costs).
 */
export const DEFAULT_DUE_SHARDS = 8;
/** The most DUE_SHARDS may be: beyond it a sweep's queries (one per shard and lane) cost more than they spread. */
export const MAX_DUE_SHARDS = 64;

/** The prefix of every due shard (`due#0`…), and the one value items written before sharding hold. */
export const DUE_SHARD = 'due';
/** The prefix of the `retain` index's shards (`retain#0`…), and its one value before sharding. */
export const RETAIN_SHARD = 'retain';
/** Dead-lettered deliveries wait in their lane's index under a shard the sweeper never reads. */
export const DEAD_SHARD = 'dead';

/**
 * The shard of an assignment among `count`: from a hash of its id, so any writer (each function,
 * the CLI) computes the same one without reading anything, and assignments spread evenly.
 */
export function shardNumber(assignmentId: string, count: number): number {
  return createHash('sha256').update(assignmentId).digest().readUInt32BE(0) % count;
}

/** An assignment's partition value in its lanes' due indexes while it owes work there. */
export const dueShard = (assignmentId: string, count: number) =>
  `${DUE_SHARD}#${shardNumber(assignmentId, count)}`;

/** An assignment's partition value in the `retain` index while it owes a retention step. */
export const retainShard = (assignmentId: string, count: number) =>
  `${RETAIN_SHARD}#${shardNumber(assignmentId, count)}`;

/**
 * Every partition value a sweep reads under `prefix`: the value items written before sharding
 * hold (they keep it until their lane is next rewritten), then each of `count` shards.
 */
export function shardValues(prefix: string, count: number): string[] {
  return [prefix, ...Array.from({ length: count }, (_, k) => `${prefix}#${k}`)];
}

/** Owed in a lane: any due shard, the unsharded value included; never the dead letters'. */
export const isDueShard = (value: unknown): boolean =>
  value === DUE_SHARD || (typeof value === 'string' && value.startsWith(`${DUE_SHARD}#`));

/** A setting's shard count checked: a whole number from 1 to MAX_DUE_SHARDS, else a RangeError. */
export function checkShardCount(count: number): number {
  if (!Number.isInteger(count) || count < 1 || count > MAX_DUE_SHARDS)
    throw new RangeError(`DUE_SHARDS must be a whole number from 1 to ${MAX_DUE_SHARDS}, not ${count}`);
  return count;
}

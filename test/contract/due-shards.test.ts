// Owed work spread over the due indexes' shards: a sweep reads every shard and the unsharded items written before, never the dead letters, and lowering DUE_SHARDS strands nothing.
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dueShard, shardNumber } from '#shared/adapters/dynamo/shards.ts';
import { makeDynamoStore } from '#shared/adapters/dynamo/store.ts';
import { makeSweepDue } from '#shared/core/sweep.ts';
import { FakeClock, FakeQueue, silentLogger } from '../support/fakes.ts';
import { ask, at, dynaliteTables, iso } from './support.ts';

describe('due shards on dynalite', () => {
  const tables = dynaliteTables('due-shards');

  /** A table, a way to put raw items in it and read them back, and a store on it with `dueShards`. */
  async function table(dueShards: number) {
    const { name, client } = await tables.table();
    const doc = DynamoDBDocumentClient.from(client);
    return {
      store: makeDynamoStore(name, client, { dueShards }),
      withShards: (n: number) => makeDynamoStore(name, client, { dueShards: n }),
      put: (Item: Record<string, unknown>) => doc.send(new PutCommand({ TableName: name, Item })),
      get: async (assignmentId: string) =>
        (
          await doc.send(
            new GetCommand({ TableName: name, Key: { pk: `ASSIGN#${assignmentId}`, sk: 'ASSIGNMENT' } }),
          )
        ).Item,
    };
  }

  /** Ids whose shards among `n` cover every shard. */
  const covering = (n: number) => {
    const ids: string[] = [];
    for (let i = 0; new Set(ids.map((id) => shardNumber(id, n))).size < n; i++) ids.push(`spread${i}`);
    return ids;
  };

  it('writes each assignment under its own shard, and a sweep reads every shard and the items written before sharding', async () => {
    // Prepare: assignments in each of 4 shards, one written before sharding (`due`), one dead letter
    const t = await table(4);
    const ids = covering(4);
    for (const [i, id] of ids.entries()) await t.store.createAssignment(ask(id, { dueAt: iso(i % 5) }));
    await t.put({
      pk: 'ASSIGN#legacy',
      sk: 'ASSIGNMENT',
      ...ask('legacy', { dueAt: iso(1) }),
      dueShard: 'due',
    });
    await t.put({
      pk: 'ASSIGN#deadone',
      sk: 'ASSIGNMENT',
      ...ask('deadone', { dueAt: undefined, dueKind: undefined }),
      lms: { state: 'dead', attempts: 9 },
      lmsDueAt: iso(0),
      lmsShard: 'dead',
    });
    const mail = new FakeQueue();
    const lms = new FakeQueue();
    const sweep = makeSweepDue({
      store: t.store,
      queues: { mail, lms },
      clock: new FakeClock(iso(10)),
      logger: silentLogger,
      intervalMs: 60_000,
      redriveAfterMs: 15 * 60_000,
    });

    // Act
    const result = await sweep(() => 60_000);

    // Assess
    for (const id of ids) expect((await t.get(id))?.dueShard).toBe(dueShard(id, 4));
    expect(new Set(ids.map((id) => dueShard(id, 4)))).toEqual(new Set(['due#0', 'due#1', 'due#2', 'due#3']));
    expect(result.dispatched).toBe(ids.length + 1);
    expect(mail.sent.map((s) => s.message.assignmentId).sort()).toEqual([...ids, 'legacy'].sort());
    expect(lms.sent).toEqual([]);
    // The unsharded item was claimed as any other: its due time moved on, its shard kept.
    expect(await t.get('legacy')).toMatchObject({ dueShard: 'due', dueAt: iso(25) });
    expect(await t.store.deadLetters(10)).toEqual([
      { assignmentId: 'deadone', kind: 'webhook', deadAt: iso(0) },
    ]);
  });

  it('takes work from any due shard but never from the dead letters’ shard', async () => {
    // Prepare
    const t = await table(4);
    await t.put({
      pk: 'ASSIGN#owed',
      sk: 'ASSIGNMENT',
      ...ask('owed', { status: 'acknowledged', dueAt: undefined, dueKind: undefined }),
      lms: { state: 'pending', attempts: 0 },
      lmsDueAt: iso(0),
      lmsShard: 'due#3',
    });
    await t.put({
      pk: 'ASSIGN#dead',
      sk: 'ASSIGNMENT',
      ...ask('dead', { status: 'acknowledged', dueAt: undefined, dueKind: undefined }),
      lms: { state: 'dead', attempts: 9 },
      lmsDueAt: iso(0),
      lmsShard: 'dead',
    });

    // Act
    const owed = await t.store.claimWork('owed', 'webhook', at(1), at(3));
    const dead = await t.store.claimWork('dead', 'webhook', at(1), at(3));
    const deferred = await t.store.deferDue('dead', 'webhook', iso(0), at(20));

    // Assess
    expect(owed).toMatchObject({ webhookLeaseUntil: iso(3) });
    expect(dead).toBeUndefined();
    expect(deferred).toBe(false);
    expect(await t.store.laneDue('dead', 'webhook')).toBeUndefined();
  });

  it('still reads the shards written under a higher DUE_SHARDS after it is lowered', async () => {
    // Prepare: written and swept with 8 shards; then DUE_SHARDS lowered to 2
    const t = await table(8);
    const ids = covering(8);
    await t.store.queryDue(at(0), 10); // a sweep with 8 records it
    for (const id of ids) await t.store.createAssignment(ask(id, { dueAt: iso(1) }));
    const lowered = t.withShards(2);

    // Act
    const due = await lowered.queryDue(at(5), 100);

    // Assess
    expect(due.map((d) => d.assignmentId).sort()).toEqual([...ids].sort());
  });
});

// The pipeline bench's ceiling makes the stack's own DynamoDB calls again on a table of its own: each call's table is renamed, nothing else.
import { describe, expect, it } from 'vitest';
import { retarget } from '../../../bench/replay.ts';
import { TABLE_NAME } from '../../../local/settings.ts';

describe('retarget', () => {
  it('renames the table of a single-item call and leaves the rest of its input as it was', () => {
    // Prepare
    const input = {
      TableName: TABLE_NAME,
      Key: { pk: 'ASSIGN#a', sk: 'A' },
      ConditionExpression: 'attribute_exists(pk)',
    };

    // Act
    const out = retarget(input, 'replay-1');

    // Assess
    expect(out).toEqual({ ...input, TableName: 'replay-1' });
    expect(input.TableName).toBe(TABLE_NAME);
  });

  it('renames the table a batch names, keeping its requests', () => {
    // Prepare
    const keys = { Keys: [{ pk: 'P#1', sk: 'P' }], ConsistentRead: true };

    // Act
    const out = retarget({ RequestItems: { [TABLE_NAME]: keys } }, 'replay-2');

    // Assess
    expect(out).toEqual({ RequestItems: { 'replay-2': keys } });
  });

  it('renames the table in each item of a transaction, and no other table', () => {
    // Prepare
    const put = { Put: { TableName: TABLE_NAME, Item: { pk: 'x', sk: 'y' } } };
    const other = { ConditionCheck: { TableName: 'someone-else', Key: { pk: 'z', sk: 'z' } } };

    // Act
    const out = retarget({ TransactItems: [put, other] }, 'replay-3');

    // Assess
    expect(out).toEqual({
      TransactItems: [{ Put: { ...put.Put, TableName: 'replay-3' } }, other],
    });
  });
});

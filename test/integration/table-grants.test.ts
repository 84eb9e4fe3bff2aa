// The table grants against what the functions really send: the real handlers run the invite and acknowledgement paths against dynalite behind a recording proxy, and every action each sends must be in its grant.
import { describe, expect, it } from 'vitest';
import { type FunctionTableAccess, type TableFunction, tableAccessOf } from '#functions/table-access.ts';
import { type CallsResult, PATH_FUNCTIONS, runCalls } from '../../bench/calls.ts';

/** Whether `access` allows a call of `op`, on the index `index` or on the table. */
function allows(access: FunctionTableAccess, op: string, index?: string): boolean {
  const action = `dynamodb:${op}`;
  if (index) return op === 'Query' && access.queriesIndex;
  return [...access.actions, ...(access.partitionWrites?.actions ?? [])].includes(action as never);
}

describe('the table grants, at run time', () => {
  it('lets each function on the invite and acknowledgement paths make every call it makes, cold and warm', async () => {
    // Prepare: what the paths' functions sent, by function (two starters: every function cold, then warm)
    const result: CallsResult = await runCalls(2);
    const sent = new Map<string, Set<string>>();
    for (const pass of result.passes)
      for (const run of Object.values(pass))
        for (const call of run.calls) {
          const seen = sent.get(call.phase) ?? new Set<string>();
          seen.add(call.index ? `${call.op} on ${call.index}` : call.op);
          sent.set(call.phase, seen);
        }

    // Assess: each function on the paths was seen, and sent nothing its grant lacks
    const onPaths = [...new Set(Object.values(PATH_FUNCTIONS).flat())].sort();
    expect([...sent.keys()].sort()).toEqual(onPaths);
    for (const [fn, ops] of sent) {
      const access = tableAccessOf(fn as TableFunction);
      const refused = [...ops].filter((op) => {
        const [action, index] = op.split(' on ') as [string, string | undefined];
        return !allows(access, action, index);
      });
      expect(refused, `${fn} sent ${[...ops].join(', ')}`).toEqual([]);
    }
  }, 240_000);
});

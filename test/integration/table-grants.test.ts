// The table grants against what the functions really send: their real handlers run against dynalite behind a recording proxy, and every call each makes must be one its grant allows.
import { describe, expect, it } from 'vitest';
import { FUNCTION_AGGREGATES, type TableFunction, tableAccessOf } from '#functions/table-access.ts';
import { runCalls } from '../../bench/calls.ts';
import { type RecordedCall, recordOthers } from '../support/table-calls.ts';

/** Why `call` is refused by its function's grant, or undefined when the grant allows it. */
function refusal(call: RecordedCall): string | undefined {
  const access = tableAccessOf(call.fn as TableFunction);
  const action = `dynamodb:${call.op}`;
  if (call.index)
    return call.op === 'Query' && access.queriesIndex ? undefined : `${call.op} on ${call.index}`;
  if ((access.actions as string[]).includes(action)) return undefined;
  const limited = access.partitionWrites;
  if (!limited || !(limited.actions as string[]).includes(action)) return call.op;
  // Held to a partition: each item written must be in it (the proxy names an item by its keys' prefixes).
  const prefix = limited.prefix.replace(/#$/, '/');
  return call.items?.length && call.items.every((item) => item.startsWith(prefix))
    ? undefined
    : `${call.op} of ${call.items?.join(', ')}`;
}

describe('the table grants, at run time', () => {
  it('lets every function make every call it makes: the invite and acknowledgement paths, SCIM, SES events, the console and the sweep', async () => {
    // Prepare: the paths of issue 18, twice (every function cold, then warm), and the other functions' work
    const paths = await runCalls(2);
    const others = await recordOthers();

    // Act
    const calls: RecordedCall[] = [
      ...paths.passes.flatMap((pass) =>
        Object.values(pass).flatMap((run) =>
          run.calls.map((c) => ({
            fn: c.phase,
            op: c.op,
            ...(c.index && { index: c.index }),
            ...(c.items && { items: c.items }),
          })),
        ),
      ),
      ...others,
    ];
    const refused = calls.flatMap((call) => {
      const why = refusal(call);
      return why ? [`${call.fn}: ${why}`] : [];
    });

    // Assess: every function was seen at work, and none made a call its grant lacks
    expect([...new Set(calls.map((c) => c.fn))].sort()).toEqual(Object.keys(FUNCTION_AGGREGATES).sort());
    expect([...new Set(refused)]).toEqual([]);
    // Assess: the recording saw what the grants are for (a delete, an index query, a batch write)
    expect(calls).toContainEqual(expect.objectContaining({ fn: 'scim', op: 'DeleteItem' }));
    expect(calls).toContainEqual(expect.objectContaining({ fn: 'sweeper', op: 'Query', index: 'retain' }));
    expect(calls.some((c) => c.op === 'BatchWriteItem')).toBe(true);
  }, 240_000);
});

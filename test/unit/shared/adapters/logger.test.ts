// Log lines on Lambda carry the invocation (function, request id, cold start); the local stack's calls, without a context, still log.
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeLogger, withLambdaContext } from '#shared/adapters/logger.ts';

const context = {
  functionName: 'attest-Mailer',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-2:123456789012:function:attest-Mailer',
  memoryLimitInMB: '512',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
} as Context;

/** The JSON lines the logger writes while `act` runs. */
async function linesOf(act: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await act();
  } finally {
    spy.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

afterEach(() => vi.unstubAllEnvs());

describe('withLambdaContext', () => {
  it('stamps each log line with the function, the request id and whether it was a cold start', async () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    const logger = makeLogger();
    const handler = withLambdaContext(logger, async (event: { n: number }) => {
      logger.info('handled', { n: event.n });
      return event.n * 2;
    });

    // Act
    let result: number | undefined;
    const lines = await linesOf(async () => {
      result = await handler({ n: 21 }, context);
    });

    // Assess
    expect(result).toBe(42);
    expect(lines).toEqual([
      expect.objectContaining({
        message: 'handled',
        n: 21,
        function_name: 'attest-Mailer',
        function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
        cold_start: expect.any(Boolean),
      }),
    ]);
  });

  it('passes the event alone through when there is no context (the local stack)', async () => {
    // Prepare
    const handler = withLambdaContext(makeLogger(), async (event: string) => `got ${event}`);

    // Act
    const result = await handler('event');

    // Assess
    expect(result).toBe('got event');
  });

  it('lets an error go as it came, its stack as it was where there is no map (the source tree)', async () => {
    // Prepare
    const thrown = new RangeError('no');
    const stack = thrown.stack;
    const handler = withLambdaContext(makeLogger(), async () => {
      throw thrown;
    });

    // Act, Assess
    await expect(handler(undefined, context)).rejects.toBe(thrown);
    expect(thrown.stack).toBe(stack);
  });
});

describe('the JSON line of an invocation', () => {
  it('carries the invocation’s keys that are read, and not the ARN, memory, sampling rate or service', async () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    vi.stubEnv(
      '_X_AMZN_TRACE_ID',
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=557abcec3ee5a047;Sampled=0',
    );
    const logger = makeLogger();
    const handler = withLambdaContext(logger, async () =>
      logger.info('invite sent', { assignmentId: 'asg_1' }),
    );

    // Act
    const [line] = await linesOf(() => handler(undefined, context));

    // Assess: in this order, nothing else
    expect(Object.keys(line ?? {})).toEqual([
      'level',
      'message',
      'timestamp',
      'cold_start',
      'function_name',
      'function_request_id',
      'xray_trace_id',
      'assignmentId',
    ]);
  });

  it('names the service on a line written outside an invocation', async () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    const logger = makeLogger();

    // Act
    const [line] = await linesOf(async () => logger.info('started'));

    // Assess
    expect(line).toMatchObject({ level: 'INFO', message: 'started', service: 'attest' });
    expect(line).not.toHaveProperty('function_arn');
  });
});

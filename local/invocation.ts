// Handlers called as Lambda calls them, with a context of the local stack's: each log line names its function and request, as on AWS.
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * `handler` with a fresh Lambda context each call, naming the function by its folder under
 * functions/. The fields only AWS can know (the ARN, the memory, the log stream) are left empty:
 * Powertools leaves empty fields out of the line. With `timeoutMs`, the context counts down the
 * time left from each call's start as Lambda's does (without, it says none is left).
 */
export function invoked<E, R>(
  functionName: string,
  handler: (event: E, context?: Context) => Promise<R>,
  timeoutMs?: number,
): (event: E) => Promise<R> {
  return (event) => {
    const deadline = Date.now() + (timeoutMs ?? 0);
    return handler(event, {
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: '',
      memoryLimitInMB: '',
      awsRequestId: randomUUID(),
      logGroupName: '',
      logStreamName: '',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    });
  };
}

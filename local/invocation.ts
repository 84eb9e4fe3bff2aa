// Handlers called as Lambda calls them, with a context of the local stack's: each log line names its function and request, as on AWS.
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * `handler` with a fresh Lambda context each call, naming the function by its folder under
 * functions/. The fields only AWS can know (the ARN, the memory, the log stream) are left empty:
 * Powertools leaves empty fields out of the line.
 */
export function invoked<E, R>(
  functionName: string,
  handler: (event: E, context?: Context) => Promise<R>,
): (event: E) => Promise<R> {
  return (event) =>
    handler(event, {
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: '',
      memoryLimitInMB: '',
      awsRequestId: randomUUID(),
      logGroupName: '',
      logStreamName: '',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => 0,
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    });
}

// Structured JSON logs through Powertools' Logger; callers pass ids, never personal data.
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { Logger } from '../ports.ts';

export function makeLogger(serviceName = 'attest'): Logger & { raw: PowertoolsLogger } {
  const raw = new PowertoolsLogger({ serviceName });
  return {
    raw,
    debug: (message, extra) => raw.debug(message, extra ?? {}),
    info: (message, extra) => raw.info(message, extra ?? {}),
    warn: (message, extra) => raw.warn(message, extra ?? {}),
    error: (message, extra) => raw.error(message, extra ?? {}),
  };
}

/**
 * A Lambda handler whose log lines carry the invocation: the function's name, version and memory,
 * the request id and whether it was a cold start (Powertools' Lambda context keys). Lambda passes
 * the context as the second argument; the local stack calls the same handler with the event alone.
 */
export function withLambdaContext<E, R>(
  logger: { raw: PowertoolsLogger },
  handler: (event: E) => Promise<R>,
): (event: E, context?: Context) => Promise<R> {
  return (event, context) => {
    if (context) logger.raw.addContext(context);
    return handler(event);
  };
}

// Structured logs through Powertools' Logger — JSON lines, or one readable line each under `npm start` — callers pass ids, never personal data.
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { parseEnv } from '../config.ts';
import type { Logger } from '../ports.ts';
import { LineLogger } from './log-line.ts';

/** How entries are written: Powertools' JSON lines (on AWS, and the default), or `pretty` lines for a person. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * LOG_FORMAT, read where Powertools reads LOG_LEVEL and POWERTOOLS_SERVICE_NAME: when a function's
 * logger is made, at load. The local stack's `npm start` sets it; a bad value stops the cold start.
 */
export function logFormatFrom(env: NodeJS.ProcessEnv): LogFormat {
  return parseEnv(
    z.object({ LOG_FORMAT: z.preprocess((v) => v || undefined, z.enum(LOG_FORMATS).default('json')) }),
    env,
  ).LOG_FORMAT;
}

export function makeLogger(
  serviceName = 'attest',
  format: LogFormat = logFormatFrom(process.env),
): Logger & { raw: PowertoolsLogger } {
  const raw = format === 'pretty' ? new LineLogger({ serviceName }) : new PowertoolsLogger({ serviceName });
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
 * the context as the second argument; the local stack passes one of its own (local/invocation.ts).
 */
export function withLambdaContext<E, R>(
  logger: { raw: PowertoolsLogger },
  handler: (event: E, context?: Context) => Promise<R>,
): (event: E, context?: Context) => Promise<R> {
  return (event, context) => {
    if (context) logger.raw.addContext(context);
    return handler(event, context);
  };
}

// Structured logs through Powertools' Logger — JSON lines, or one readable line each under `npm start` — callers pass ids, never personal data.
import { LogFormatter, LogItem, Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import type { Context } from 'aws-lambda';
import { parseEnv } from '../config.ts';
import * as z from '../core/zod.ts';
import type { Logger } from '../ports.ts';
import { LineLogger } from './log-line.ts';
import { mappedStack } from './stack-map.ts';

/** How entries are written: Powertools' JSON lines (on AWS, and the default), or `pretty` lines for a person. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * LOG_FORMAT, read where Powertools reads LOG_LEVEL and POWERTOOLS_SERVICE_NAME: when a function's
 * logger is made, at load. The local stack's `npm start` sets it; a bad value stops the cold start.
 */
export function logFormatFrom(env: NodeJS.ProcessEnv): LogFormat {
  return parseEnv(
    z.object({
      LOG_FORMAT: z.pipe(
        z.transform((v) => v || undefined),
        z._default(z.enum(LOG_FORMATS), 'json'),
      ),
    }),
    env,
  ).LOG_FORMAT;
}

/**
 * Powertools' entry (its PowertoolsLogFormatter's keys, in its order) without the keys no one reads
 * (issue 18: a line costs by the byte): the function's ARN and memory (the log group is the
 * function's own, its memory is in the template), the log sampling rate (not used here) and the
 * service name (`attest` on every line, kept only outside an invocation). The level, message, time, function name, request id, cold
 * start and X-Ray trace id stay; then the entry's own keys.
 */
export class LeanLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: attributes.message,
        timestamp: this.formatTimestamp(attributes.timestamp),
        // Without an invocation (a script, the CLI) the service names who wrote the line.
        service: attributes.lambdaContext ? undefined : attributes.serviceName,
        cold_start: attributes.lambdaContext?.coldStart,
        function_name: attributes.lambdaContext?.functionName,
        function_request_id: attributes.lambdaContext?.awsRequestId,
        xray_trace_id: attributes.xRayTraceId,
      },
    }).addAttributes(additional);
  }
}

export function makeLogger(
  serviceName = 'attest',
  format: LogFormat = logFormatFrom(process.env),
): Logger & { raw: PowertoolsLogger } {
  const logFormatter = new LeanLogFormatter();
  const raw =
    format === 'pretty'
      ? new LineLogger({ serviceName, logFormatter })
      : new PowertoolsLogger({ serviceName, logFormatter });
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
 * An error it lets go (which Lambda logs) has its stack pointed at the TypeScript first.
 */
export function withLambdaContext<E, R>(
  logger: { raw: PowertoolsLogger },
  handler: (event: E, context?: Context) => Promise<R>,
): (event: E, context?: Context) => Promise<R> {
  return async (event, context) => {
    if (context) logger.raw.addContext(context);
    try {
      return await handler(event, context);
    } catch (error) {
      if (error instanceof Error && error.stack) error.stack = mappedStack(error.stack);
      throw error;
    }
  };
}

// Log entries as one readable line each, for a person watching `npm start`: the JSON line's own fields, as time, level, function, message and key=value.
import { type LogItem, LogLevelThreshold, Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { clockTime } from '../core/dates.ts';

/** The JSON line's fields the line's head shows, or that only Lambda's tooling reads. */
const HEAD_AND_LAMBDA = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'function_name',
  'function_arn',
  'function_memory_size',
  'function_request_id',
  'cold_start',
  'sampling_rate',
  'xray_trace_id',
  'tenant_id',
]);
/** The longest function name (`ses-events`): the messages line up. */
const NAME_WIDTH = 10;

const COLOUR = { dim: 2, red: 31, green: 32, yellow: 33, cyan: 36, grey: 90 } as const;
const LEVEL_COLOUR: Record<string, keyof typeof COLOUR> = {
  DEBUG: 'grey',
  INFO: 'green',
  WARN: 'yellow',
  ERROR: 'red',
  CRITICAL: 'red',
};

/** A JSON string of `text`, with every unseen character escaped (JSON leaves C1 controls and bidi marks be). */
const quoted = (text: string) =>
  JSON.stringify(text).replace(
    /[\p{Cc}\p{Cf}]/gu,
    (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}`,
  );

/**
 * A value as it stands, or quoted when it holds a space, a quote, an `=` or an unseen character: a
 * value never breaks the line, fakes a field or sends the terminal an escape sequence.
 */
const shown = (text: string) => (/^[^\s"=\p{Cc}\p{Cf}]+$/u.test(text) ? text : quoted(text));
/** The message as it stands, quoted only if it holds an unseen character (a line break, an escape). */
const shownMessage = (text: string) => (/[\p{Cc}\p{Cf}]/u.test(text) ? quoted(text) : text);

/** A field's value: Powertools' error object as name, message and where it was thrown; any other object as JSON. */
function fieldValue(value: unknown): string {
  if (typeof value === 'string') return shown(value);
  if (value && typeof value === 'object' && 'name' in value && 'message' in value && 'stack' in value) {
    const { name, message, location } = value as { name: unknown; message: unknown; location?: unknown };
    return shown(`${String(name)}: ${String(message)}${location ? ` (${String(location)})` : ''}`);
  }
  return shown(typeof value === 'object' ? JSON.stringify(value) : String(value));
}

/**
 * `18:02:11 INFO  mailer      invite sent  assignmentId=… messageId=…`: an entry as the JSON line
 * holds it (after Powertools' own serialisation), shown with nothing added. The time is this
 * machine's clock; the function is the Lambda context's (the service's without one).
 */
export function logLine(entry: Record<string, unknown>, options: { colours: boolean }): string {
  const paint = (colour: keyof typeof COLOUR, text: string) =>
    options.colours ? `\u001b[${COLOUR[colour]}m${text}\u001b[0m` : text;
  const level = String(entry.level ?? '');
  const at = typeof entry.timestamp === 'string' ? new Date(entry.timestamp) : undefined;
  const head = [
    paint('dim', at && !Number.isNaN(at.getTime()) ? clockTime(at) : '--:--:--'),
    paint(LEVEL_COLOUR[level] ?? 'dim', level.padEnd(5)),
    paint('cyan', String(entry.function_name ?? entry.service ?? '').padEnd(NAME_WIDTH)),
    shownMessage(String(entry.message ?? '')),
  ].join(' ');
  const fields = Object.entries(entry)
    .filter(([key]) => !HEAD_AND_LAMBDA.has(key))
    .map(([key, value]) => `${paint('dim', `${key}=`)}${fieldValue(value)}`);
  return fields.length ? `${head}  ${fields.join(' ')}` : head;
}

/** May `stream` be written in colour: a terminal that has them (Node reads NO_COLOR, FORCE_COLOR and TERM)? */
export const hasColours = (stream: NodeJS.WriteStream) => stream.isTTY === true && stream.hasColors();

/**
 * Powertools' Logger writing each entry as a `logLine`. A LogFormatter cannot do this alone: it
 * chooses an entry's fields, but the Logger always writes them as JSON (Logger#printLog), so this
 * is where the text is made. The line is built from the JSON the Logger would have written, so it
 * holds nothing the JSON line would not. Warnings and errors go to stderr, as Powertools' do.
 */
export class LineLogger extends PowertoolsLogger {
  protected override printLog(logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    const entry = JSON.parse(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
    const stream = logLevel >= LogLevelThreshold.WARN ? process.stderr : process.stdout;
    stream.write(`${logLine(entry, { colours: hasColours(stream) })}\n`);
  }
}

// Log entries as a person reads them under `npm start`: one line each, made from the JSON line's fields and nothing else.
import type { Context } from 'aws-lambda';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { logLine } from '#shared/adapters/log-line.ts';
import { logFormatFrom, makeLogger, withLambdaContext } from '#shared/adapters/logger.ts';
import { ConfigError } from '#shared/core/errors.ts';

/** The escape that starts a terminal's colour sequence. */
const ESC = '\u001b';

const FC = process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {};

const context = {
  functionName: 'mailer',
  functionVersion: '$LATEST',
  invokedFunctionArn: '',
  memoryLimitInMB: '',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
} as Context;

/** What the logger writes to stdout and stderr while `act` runs, line by line. */
function written(act: () => void): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0),
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0),
  ];
  try {
    act();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  const lines = (chunks: string[]) => chunks.join('').split('\n').filter(Boolean);
  return { out: lines(out), err: lines(err) };
}

/** A logger of `format` inside an invocation of `context`, as a handler's logger is on Lambda. */
async function invokedLogger(format: 'json' | 'pretty') {
  const logger = makeLogger('attest', format);
  await withLambdaContext(logger, async () => undefined)(undefined, context);
  return logger;
}

beforeEach(() => {
  vi.stubEnv('TZ', 'UTC');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
  vi.useFakeTimers({ now: new Date('2026-11-26T18:02:11.123Z'), toFake: ['Date'] });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe('logLine', () => {
  it('writes time, level, function, message and then each other field as key=value', () => {
    // Prepare: an entry as Powertools' JSON line holds it
    const entry = {
      level: 'INFO',
      message: 'invite sent',
      timestamp: '2026-11-26T18:02:11.123Z',
      service: 'attest',
      cold_start: true,
      function_name: 'mailer',
      function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      sampling_rate: 0,
      xray_trace_id: 'Root=1-5759e988-bd862e3fe1be46a994272793',
      assignmentId: 'D2rZd2I_TlIZ7JuI4NkZ6Q',
      messageId: 'ses-551125576',
      attempt: 2,
      maybeSent: false,
    };

    // Act
    const line = logLine(entry, { colours: false });

    // Assess
    expect(line).toBe(
      '18:02:11 INFO  mailer     invite sent  assignmentId=D2rZd2I_TlIZ7JuI4NkZ6Q messageId=ses-551125576 attempt=2 maybeSent=false',
    );
  });

  it('colours the line only when asked, leaving the same text', () => {
    // Prepare
    const entry = {
      level: 'WARN',
      message: 'dispatch failed',
      timestamp: '2026-11-26T18:02:11Z',
      service: 'attest',
      n: 1,
    };

    // Act
    const plain = logLine(entry, { colours: false });
    const coloured = logLine(entry, { colours: true });

    // Assess
    expect(plain).not.toContain(ESC);
    expect(coloured).toContain(`${ESC}[33mWARN `);
    expect(coloured.replace(new RegExp(`${ESC}\\[\\d+m`, 'g'), '')).toBe(plain);
    expect(plain).toBe('18:02:11 WARN  attest     dispatch failed  n=1');
  });

  it('quotes a value that could break the line, fake a field or reach the terminal as an escape', () => {
    // Prepare
    const entry = {
      level: 'INFO',
      message: 'a\nfake line',
      service: 'attest',
      spaced: 'two words',
      fake: 'x other=1',
      escape: '\u001b[2J',
      bidi: 'abc\u202Edef',
      c1: 'a\u009Bb',
      list: ['a', 'b'],
      error: {
        name: 'TypeError',
        message: 'boom',
        location: 'file.ts:1',
        stack: 'TypeError: boom\n    at …',
      },
    };

    // Act
    const line = logLine(entry, { colours: false });

    // Assess
    expect(line).not.toMatch(/[\p{Cc}\p{Cf}]/u);
    expect(line).toBe(
      '--:--:-- INFO  attest     "a\\nfake line"  spaced="two words" fake="x other=1" escape="\\u001b[2J" bidi="abc\\u202edef" c1="a\\u009bb" list="[\\"a\\",\\"b\\"]" error="TypeError: boom (file.ts:1)"',
    );
  });
});

describe('makeLogger with the pretty format', () => {
  it('writes the readable line on Lambda’s context, to stdout, and warnings and errors to stderr', async () => {
    // Prepare
    const logger = await invokedLogger('pretty');

    // Act
    const { out, err } = written(() => {
      logger.info('invite sent', { assignmentId: 'asg_1', messageId: 'ses-1' });
      logger.warn('email send failed', { assignmentId: 'asg_1', error: 'Throttling' });
    });

    // Assess
    expect(out).toEqual(['18:02:11 INFO  mailer     invite sent  assignmentId=asg_1 messageId=ses-1']);
    expect(err).toEqual(['18:02:11 WARN  mailer     email send failed  assignmentId=asg_1 error=Throttling']);
  });

  it('writes exactly what the JSON line holds, as a line: nothing the JSON line does not', async () => {
    const key = fc
      .stringMatching(/^[a-z][A-Za-z0-9]{0,12}$/)
      .filter((k) => !['level', 'message', 'service', 'timestamp'].includes(k));
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
    );
    const [json, pretty] = [await invokedLogger('json'), await invokedLogger('pretty')];
    fc.assert(
      fc.property(fc.string(), fc.dictionary(key, value, { maxKeys: 5 }), (message, extra) => {
        // Act
        const asJson = written(() => json.info(message, extra)).out;
        const asLine = written(() => pretty.info(message, extra)).out;

        // Assess: the line is made from the JSON line's entry alone
        const entry = JSON.parse(asJson[0] as string) as Record<string, unknown>;
        expect(asLine).toEqual([logLine(entry, { colours: false })]);
      }),
      FC,
    );
  });
});

describe('logFormatFrom', () => {
  it('reads LOG_FORMAT: json unless set, pretty when asked, and refuses anything else by name', () => {
    // Act and assess
    expect(logFormatFrom({})).toBe('json');
    expect(logFormatFrom({ LOG_FORMAT: '' })).toBe('json');
    expect(logFormatFrom({ LOG_FORMAT: 'json' })).toBe('json');
    expect(logFormatFrom({ LOG_FORMAT: 'pretty' })).toBe('pretty');
    expect(() => logFormatFrom({ LOG_FORMAT: 'yaml' })).toThrow(ConfigError);
    expect(() => logFormatFrom({ LOG_FORMAT: 'yaml' })).toThrow(/LOG_FORMAT/);
  });
});

// The mailer's pace: its share of SES's quota (GetAccount, capped by SES_MAX_RATE), a token bucket on an injected clock, and a throttled send's wait on the queue.
import { describe, expect, it, vi } from 'vitest';
import { EmailThrottledError } from '#shared/core/errors.ts';
import {
  deferThrottled,
  type MailerScaling,
  mailerConcurrency,
  makeSendPacer,
  makeSizeMailers,
  type PacerClock,
  parseSendRate,
  type SendQuota,
  sendRateShare,
  throttleDelaySeconds,
} from '#shared/core/send-rate.ts';
import { FakeQueue, silentLogger } from '../../../support/fakes.ts';

/** A clock recording each sleep; a sleep moves it on at once, unless `advance` is off (sends asked for together). */
class SleepingClock implements PacerClock {
  at = 1_000_000;
  advance = true;
  readonly slept: number[] = [];

  now() {
    return this.at;
  }

  async sleep(ms: number) {
    this.slept.push(ms);
    if (this.advance) this.at += ms;
  }
}

const quota = (overrides: Partial<SendQuota> = {}): SendQuota => ({
  maxSendRate: 14,
  max24HourSend: 50_000,
  sentLast24Hours: 0,
  ...overrides,
});

function pacer(
  options: { quota?: SendQuota; maxRate?: number; instances?: number; maxWaitMs?: number } = {},
) {
  const clock = new SleepingClock();
  const readQuota = vi.fn(async () => options.quota ?? quota());
  const logger = { warn: vi.fn() };
  const paced = makeSendPacer({
    readQuota,
    maxRate: options.maxRate,
    instances: options.instances ?? 1,
    clock,
    logger,
    ...(options.maxWaitMs !== undefined && { maxWaitMs: options.maxWaitMs }),
  });
  return { paced, clock, readQuota, logger };
}

/** When each of `n` sends asked for one after another went, in ms after the first. */
async function sendTimes(paced: ReturnType<typeof pacer>['paced'], clock: SleepingClock, n: number) {
  const start = clock.now();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    await paced.take();
    paced.sent();
    times.push(clock.now() - start);
  }
  return times;
}

describe('makeSendPacer', () => {
  it('lets a second of sends go at once, then one every 1/rate seconds', async () => {
    // Prepare: 2 a second
    const { paced, clock } = pacer({ quota: quota({ maxSendRate: 2 }) });

    // Act
    const times = await sendTimes(paced, clock, 5);

    // Assess
    expect(times).toEqual([0, 0, 500, 1000, 1500]);
  });

  it('takes its share of the rate: the account’s rate divided among the mailers that may run at once', async () => {
    // Prepare: 14 a second among two mailers: 7 each
    const { paced, clock } = pacer({ quota: quota({ maxSendRate: 14 }), instances: 2 });

    // Act
    const times = await sendTimes(paced, clock, 9);

    // Assess: seven at once, then one every 1/7 s
    expect(times.slice(0, 7)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(times[7]).toBeCloseTo(1000 / 7, 6);
    expect(times[8]).toBeCloseTo(2000 / 7, 6);
  });

  it('divides by as many mailers as the rate sizes them for when not told how many (AWS)', async () => {
    // Prepare: 100 a second sizes five mailers (the event source's maximum, kept so by the sweeper): 20 each
    const clock = new SleepingClock();
    const paced = makeSendPacer({
      readQuota: async () => quota({ maxSendRate: 100 }),
      clock,
      logger: { warn: vi.fn() },
    });

    // Act
    const times = await sendTimes(paced, clock, 21);

    // Assess: twenty at once, then one every 1/20 s
    expect(times.slice(0, 20)).toEqual(Array.from({ length: 20 }, () => 0));
    expect(times[20]).toBeCloseTo(50, 6);
  });

  it('keeps to SES_MAX_RATE when it is below the account’s rate, and to the account’s when above', async () => {
    // Prepare
    const capped = pacer({ quota: quota({ maxSendRate: 14 }), maxRate: 1 });
    const above = pacer({ quota: quota({ maxSendRate: 1 }), maxRate: 50 });

    // Act
    const cappedTimes = await sendTimes(capped.paced, capped.clock, 3);
    const aboveTimes = await sendTimes(above.paced, above.clock, 3);

    // Assess
    expect(cappedTimes).toEqual([0, 1000, 2000]);
    expect(aboveTimes).toEqual([0, 1000, 2000]);
    expect(sendRateShare({ maxSendRate: 14 }, 10, 2)).toBe(5);
    expect(sendRateShare({ maxSendRate: 14 }, undefined, 2)).toBe(7);
  });

  it('gives concurrent sends their turns in order', async () => {
    // Prepare: 1 a second, three records of a batch at once
    const { paced, clock } = pacer({ quota: quota({ maxSendRate: 1 }) });
    clock.advance = false;

    // Act
    await Promise.all([paced.take(), paced.take(), paced.take()]);

    // Assess: the first at once, the others a second and two seconds on
    expect(clock.slept).toEqual([1000, 2000]);
  });

  it('refills while idle, never beyond a second of sends', async () => {
    // Prepare
    const { paced, clock } = pacer({ quota: quota({ maxSendRate: 2 }) });
    await sendTimes(paced, clock, 2);

    // Act: a minute idle
    clock.at += 60_000;
    const times = await sendTimes(paced, clock, 3);

    // Assess
    expect(times).toEqual([0, 0, 500]);
  });

  it('reads the quota once while warm, and again after its refresh interval', async () => {
    // Prepare
    const { paced, clock, readQuota } = pacer();

    // Act
    await Promise.all([paced.take(), paced.take()]);
    clock.at += 30_000;
    await paced.take();
    clock.at += 31_000;
    await paced.take();

    // Assess
    expect(readQuota).toHaveBeenCalledTimes(2);
  });

  it('refuses to send once the day’s quota is spent, counting its own sends since the quota was read', async () => {
    // Prepare: 3 left today
    const { paced, clock } = pacer({ quota: quota({ max24HourSend: 100, sentLast24Hours: 97 }) });
    await sendTimes(paced, clock, 3);

    // Act
    const refused = paced.take();

    // Assess
    await expect(refused).rejects.toBeInstanceOf(EmailThrottledError);
    await expect(paced.take()).rejects.toMatchObject({ quota: 'daily', code: 'email.throttled' });
  });

  it('takes a negative daily quota as none', async () => {
    // Prepare
    const { paced, clock } = pacer({ quota: quota({ max24HourSend: -1, sentLast24Hours: 1e9 }) });

    // Act and assess
    await expect(sendTimes(paced, clock, 2)).resolves.toHaveLength(2);
  });

  it('sends the email back to the queue rather than wait longer than it may for its turn', async () => {
    // Prepare: one every 2 s, waits of up to 3 s, three records asking at once
    const { paced, clock } = pacer({ quota: quota({ maxSendRate: 0.5 }), maxWaitMs: 3000 });
    clock.advance = false;

    // Act
    const [first, second, third] = await Promise.allSettled([paced.take(), paced.take(), paced.take()]);
    clock.at += 2000;
    await paced.take();

    // Assess: the third (4 s off) refused, its turn not kept: the next, 2 s on, waits 2 s, not 4
    expect([first?.status, second?.status]).toEqual(['fulfilled', 'fulfilled']);
    expect(third).toMatchObject({ status: 'rejected', reason: { quota: 'rate' } });
    expect(clock.slept).toEqual([2000, 2000]);
  });

  it('paces by SES_MAX_RATE, or one a second, when the quota cannot be read, and tries again soon', async () => {
    // Prepare
    const clock = new SleepingClock();
    const readQuota = vi
      .fn<() => Promise<SendQuota>>()
      .mockRejectedValueOnce(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))
      .mockResolvedValue(quota({ maxSendRate: 10 }));
    const logger = { warn: vi.fn() };
    const paced = makeSendPacer({ readQuota, instances: 1, clock, logger });

    // Act
    await paced.take();
    await paced.take();
    clock.at += 10_000;
    await paced.take();

    // Assess: the second waited a second (1 a second); the quota read again after 10 s
    expect(clock.slept).toEqual([1000]);
    expect(readQuota).toHaveBeenCalledTimes(2);
    expect(logger.warn).toHaveBeenCalledWith('SES send quota not read; pacing by the last known rate', {
      error: 'AccessDeniedException',
      rate: 1,
    });
  });

  it('pauses for a turn and reads the quota again soon after SES throttled a send', async () => {
    // Prepare
    const { paced, clock, readQuota } = pacer({ quota: quota({ maxSendRate: 2 }) });
    await paced.take();

    // Act
    paced.throttled();
    await paced.take();
    clock.at += 10_000;
    await paced.take();

    // Assess: the next send waited half a second; the quota was read again 10 s on, not 60
    expect(clock.slept).toEqual([500]);
    expect(readQuota).toHaveBeenCalledTimes(2);
  });
});

describe('mailerConcurrency', () => {
  it.each([
    [0.5, 2],
    [1, 2],
    [14, 2],
    [40, 2],
    [41, 3],
    [500, 25],
  ])('runs enough mailers for %s emails a second, never fewer than two: %i', (rate, expected) => {
    // Act and assess
    expect(mailerConcurrency(rate)).toBe(expected);
  });

  it('never asks for more than an event source allows, 1,000', () => {
    // Act and assess
    expect(mailerConcurrency(20_000)).toBe(1000);
    expect(mailerConcurrency(1_000_000)).toBe(1000);
  });
});

describe('makeSizeMailers', () => {
  /** An event source's maximum concurrency in memory, recording each change. */
  function scaling(initial: number | undefined) {
    const changes: number[] = [];
    let current = initial;
    const kept: MailerScaling = {
      current: async () => current,
      set: async (concurrency) => {
        changes.push(concurrency);
        current = concurrency;
      },
    };
    return { kept, changes };
  }

  it('raises the mailers’ concurrency when the quota was raised after deploy, and logs both sizes', async () => {
    // Prepare: deployed for 14 a second (two); the account now has 100
    const { kept, changes } = scaling(2);
    const logger = { info: vi.fn() };
    const size = makeSizeMailers({
      readQuota: async () => quota({ maxSendRate: 100 }),
      scaling: kept,
      logger,
    });

    // Act
    const first = await size();
    const second = await size();

    // Assess: changed once; the second sweep finds it right
    expect(first).toEqual({ rate: 100, concurrency: 5, was: 2 });
    expect(second).toEqual({ rate: 100, concurrency: 5, was: 5 });
    expect(changes).toEqual([5]);
    expect(logger.info).toHaveBeenCalledTimes(1);
    expect(logger.info).toHaveBeenCalledWith('mailers resized for the SES quota', {
      rate: 100,
      concurrency: 5,
      was: 2,
    });
  });

  it('lowers it for a lower quota, and never below two', async () => {
    // Prepare: sized for 250 a second (13); the account is back in the sandbox, 1 a second
    const { kept, changes } = scaling(13);

    // Act
    const sized = await makeSizeMailers({
      readQuota: async () => quota({ maxSendRate: 1 }),
      scaling: kept,
      logger: silentLogger,
    })();

    // Assess
    expect(sized).toEqual({ rate: 1, concurrency: 2, was: 13 });
    expect(changes).toEqual([2]);
  });

  it('sizes for SES_MAX_RATE when it is below the quota, and for the quota when above', async () => {
    // Prepare
    const below = scaling(2);
    const above = scaling(2);

    // Act
    const capped = await makeSizeMailers({
      readQuota: async () => quota({ maxSendRate: 500 }),
      maxRate: 60,
      scaling: below.kept,
      logger: silentLogger,
    })();
    const quotaBound = await makeSizeMailers({
      readQuota: async () => quota({ maxSendRate: 14 }),
      maxRate: 60,
      scaling: above.kept,
      logger: silentLogger,
    })();

    // Assess
    expect(capped).toEqual({ rate: 60, concurrency: 3, was: 2 });
    expect(quotaBound).toEqual({ rate: 14, concurrency: 2, was: 2 });
    expect(below.changes).toEqual([3]);
    expect(above.changes).toEqual([]);
  });

  it('sets a size where none was set, and changes nothing when the quota cannot be read', async () => {
    // Prepare
    const unset = scaling(undefined);
    const unread = scaling(2);

    // Act
    const sized = await makeSizeMailers({
      readQuota: async () => quota({ maxSendRate: 14 }),
      scaling: unset.kept,
      logger: silentLogger,
    })();
    const failing = makeSizeMailers({
      readQuota: async () => {
        throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
      },
      scaling: unread.kept,
      logger: silentLogger,
    })();

    // Assess
    expect(sized).toEqual({ rate: 14, concurrency: 2, was: undefined });
    expect(unset.changes).toEqual([2]);
    await expect(failing).rejects.toThrow('denied');
    expect(unread.changes).toEqual([]);
  });
});

describe('parseSendRate', () => {
  it.each([
    ['14', 14],
    [' 0.5 ', 0.5],
    ['200', 200],
  ])('reads %j as %s emails a second', (text, rate) => {
    // Act and assess
    expect(parseSendRate(text)).toBe(rate);
  });

  it.each(['', '0', '-1', 'NaN', 'Infinity', '14/s', 'fourteen'])(
    'refuses %j, saying what it must be',
    (text) => {
      // Act and assess
      expect(() => parseSendRate(text)).toThrow(
        `must be a positive number of emails a second (e.g. 14 or 0.5), not "${text}"`,
      );
    },
  );
});

describe('throttleDelaySeconds', () => {
  it('waits 2, 4, 8… seconds for each throttle before, jittered to between half and all of it', () => {
    // Act
    const longest = [0, 1, 2, 3].map((n) => throttleDelaySeconds('rate', n, () => 1));
    const shortest = [0, 1, 2, 3].map((n) => throttleDelaySeconds('rate', n, () => 0));

    // Assess
    expect(longest).toEqual([2, 4, 8, 16]);
    expect(shortest).toEqual([1, 2, 4, 8]);
  });

  it('never waits longer than SQS’s longest delay, however often it was throttled', () => {
    // Act and assess
    expect(throttleDelaySeconds('rate', 9, () => 1)).toBe(900);
    expect(throttleDelaySeconds('rate', 1000, () => 1)).toBe(900);
  });

  it('waits SQS’s longest delay, each time, while the day’s quota is spent', () => {
    // Act and assess
    expect(throttleDelaySeconds('daily', 0, () => 0)).toBe(900);
    expect(throttleDelaySeconds('daily', 5, () => 0)).toBe(900);
  });
});

describe('deferThrottled', () => {
  const message = {
    assignmentId: 'A'.repeat(22),
    kind: 'invite' as const,
    dueAt: '2026-11-24T10:00:00.000Z',
  };

  it('puts the step back on the queue with a delay, counting the throttle, and logs no personal data', async () => {
    // Prepare
    const queue = new FakeQueue();
    const logger = { ...silentLogger, info: vi.fn() };

    // Act
    const first = await deferThrottled(queue, message, new EmailThrottledError('rate'), logger, () => 1);
    const again = await deferThrottled(
      queue,
      { ...message, throttled: 1 },
      new EmailThrottledError('rate'),
      logger,
      () => 1,
    );

    // Assess
    expect(first).toBe(2);
    expect(again).toBe(4);
    expect(queue.sent).toEqual([
      { message: { ...message, throttled: 1 }, delaySeconds: 2 },
      { message: { ...message, throttled: 2 }, delaySeconds: 4 },
    ]);
    expect(logger.info).toHaveBeenCalledWith('email send throttled; waiting on the queue', {
      assignmentId: message.assignmentId,
      kind: 'invite',
      quota: 'rate',
      throttled: 1,
      delaySeconds: 2,
    });
  });

  it('throws when the queue refuses, so the record fails and SQS redelivers it', async () => {
    // Prepare
    const queue = new FakeQueue();
    queue.failWith = new Error('queue unavailable');

    // Act and assess
    await expect(
      deferThrottled(queue, message, new EmailThrottledError('daily'), silentLogger),
    ).rejects.toThrow('queue unavailable');
  });
});

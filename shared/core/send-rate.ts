// The mailer's pace: SES's send quota (or SES_MAX_RATE below it) shared among the mailers that run at once, kept by a token bucket in each, and the wait before a throttled send is tried again.
import type { Logger, Queue } from '../ports.ts';
import { EmailThrottledError } from './errors.ts';
import { MAX_DELAY_SECONDS } from './hint.ts';
import type { WorkMessage } from './model.ts';

/** SES's send quota as GetAccount reports it. */
export interface SendQuota {
  /** Emails a second the account may send. */
  maxSendRate: number;
  /** Emails in any 24 hours; negative: no limit (SES reports -1 for an unlimited quota). */
  max24HourSend: number;
  /** Emails sent in the last 24 hours, when read. */
  sentLast24Hours: number;
}

/** A new production SES account's rate, which the stack sizes the mailer for unless SES_MAX_RATE says otherwise. */
export const DEFAULT_SES_RATE = 14;

/**
 * The sends one mailer instance sustains when SES is not the limit: a batch of ten records in
 * parallel, each about half a second of table reads and writes around its SES call.
 */
const SENDS_PER_INSTANCE = 20;

/**
 * How many mailers may run at once (the event source's maximum concurrency) for `rate` sends a
 * second: enough for the rate, and never fewer than two, the least the event source allows, nor
 * more than its most, 1,000. Each
 * takes `rate / concurrency` (sendRateShare), so together they stay within the rate however many run.
 */
export function mailerConcurrency(rate: number): number {
  return Math.min(MAX_EVENT_SOURCE_CONCURRENCY, Math.max(2, Math.ceil(rate / SENDS_PER_INSTANCE)));
}

/** The most an SQS event source's maximum concurrency may be set to (Lambda's limit). */
const MAX_EVENT_SOURCE_CONCURRENCY = 1000;

/**
 * SES_MAX_RATE (and the CDK context `attest:sesMaxRate`): sends a second, a positive number (a
 * fraction allowed: 0.5 is one every two seconds). Throws a RangeError saying what is wrong.
 */
export function parseSendRate(text: string): number {
  const rate = Number(text.trim());
  if (!text.trim() || !Number.isFinite(rate) || rate <= 0) {
    throw new RangeError(`must be a positive number of emails a second (e.g. 14 or 0.5), not "${text}"`);
  }
  return rate;
}

/** The rate the mailers keep together: the account's, capped by SES_MAX_RATE when set. */
export function effectiveSendRate(
  quota: Pick<SendQuota, 'maxSendRate'>,
  maxRate: number | undefined,
): number {
  return Math.min(quota.maxSendRate, maxRate ?? Number.POSITIVE_INFINITY);
}

/**
 * One mailer's share of the rate: the account's rate, capped by SES_MAX_RATE when set (the quota
 * is the account's, shared with whatever else sends from it), divided among the `instances` that
 * may run at once — by default as many as that rate sizes the mailers for (mailerConcurrency), the
 * number the sweeper keeps the event source at (makeSizeMailers).
 */
export function sendRateShare(
  quota: Pick<SendQuota, 'maxSendRate'>,
  maxRate: number | undefined,
  instances?: number,
) {
  const rate = effectiveSendRate(quota, maxRate);
  return rate / (instances ?? mailerConcurrency(rate));
}

/**
 * Where the most mailers that may run at once is kept: the mail queue's event source mapping
 * (its maximum concurrency) on AWS, the mail queue's poller under `npm start`.
 */
export interface MailerScaling {
  /** The most mailers that may run at once now; undefined when none is set. */
  current(): Promise<number | undefined>;
  set(concurrency: number): Promise<void>;
}

export interface MailerSize {
  /** Emails a second the mailers keep together (the account's quota, or SES_MAX_RATE below it). */
  rate: number;
  /** The most mailers that may run at once for that rate. */
  concurrency: number;
  /** What it was before. */
  was: number | undefined;
}

/**
 * Keeps the mailers sized for the account's quota as it is now, not as it was at deploy (the
 * stack sizes them at synth from SES_MAX_RATE, or a new account's 14 a second): each mailer sends
 * rate ÷ mailerConcurrency(rate) (sendRateShare), so the event source must let that many run — no
 * more, or together they would pass the rate, and no fewer, or a raised quota would go unused.
 * Reads the quota and the event source's setting each time (the sweeper's schedule) and changes
 * the setting only when it differs. A mailer reads the quota once a minute, so for up to a minute
 * after a change the two may disagree: a lowered quota is then exceeded briefly and SES throttles
 * (each such send waits on the queue); a raised one is used a minute late.
 */
export function makeSizeMailers(deps: {
  readQuota: () => Promise<Pick<SendQuota, 'maxSendRate'>>;
  maxRate?: number | undefined;
  scaling: MailerScaling;
  logger: Pick<Logger, 'info'>;
}) {
  return async function sizeMailers(): Promise<MailerSize> {
    const rate = effectiveSendRate(await deps.readQuota(), deps.maxRate);
    const concurrency = mailerConcurrency(rate);
    const was = await deps.scaling.current();
    if (was !== concurrency) {
      await deps.scaling.set(concurrency);
      deps.logger.info('mailers resized for the SES quota', { rate, concurrency, was });
    }
    return { rate, concurrency, was };
  };
}

/**
 * How long a send SES throttled waits on the queue before it is tried again: at the daily quota,
 * SQS's longest delay (and again, until the quota allows); at the rate, 2, 4, 8… seconds for each
 * time it was throttled before, up to that longest delay, jittered to between half and all of it
 * so a throttled burst does not come back at once.
 */
export function throttleDelaySeconds(
  quota: EmailThrottledError['quota'],
  deferrals: number,
  random: () => number = Math.random,
): number {
  if (quota === 'daily') return MAX_DELAY_SECONDS;
  const ceiling = Math.min(MAX_DELAY_SECONDS, 2 * 2 ** Math.min(deferrals, 10));
  return Math.max(1, Math.round(ceiling * (0.5 + random() / 2)));
}

export interface PacerClock {
  /** Milliseconds (Date.now()). */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface SendPacerOptions {
  /** Reads the account's quota (SES GetAccount). */
  readQuota: () => Promise<SendQuota>;
  /** SES_MAX_RATE: sends a second, at most; none: the account's rate. */
  maxRate?: number | undefined;
  /**
   * How many mailers may run at once, sharing the rate (MAILER_CONCURRENCY); by default as many as
   * the rate sizes them for (mailerConcurrency), which the sweeper keeps the event source at.
   */
  instances?: number | undefined;
  clock?: PacerClock;
  /** How often the quota is read again (its SentLast24Hours moves; a raised quota is taken). */
  refreshMs?: number;
  /** A send that would wait longer than this for its turn waits on the queue instead. */
  maxWaitMs?: number;
  logger: { warn(message: string, extra?: Record<string, unknown>): void };
}

export interface SendPacer {
  /**
   * Waits for this instance's next turn to send. Rejects with EmailThrottledError, sending nothing,
   * when the daily quota is spent ('daily') or the turn is further off than `maxWaitMs` ('rate').
   */
  take(): Promise<void>;
  /** SES took an email. */
  sent(): void;
  /** SES throttled a send: this instance pauses for a turn, and reads the quota again soon. */
  throttled(): void;
}

const systemClock: PacerClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** When the quota cannot be read (and none was before): SES's least rate, a sandbox account's. */
const FALLBACK_RATE = 1;
/** How soon an unread quota is tried again. */
const RETRY_QUOTA_MS = 10_000;

/**
 * A token bucket per function instance, at this instance's share of the rate, holding at most a
 * second of sends (at least one): a burst goes at once up to it, then one send every 1/share
 * seconds. Each caller reserves its turn as it asks (the bucket may go below zero), so concurrent
 * records take turns in order. Hand-written rather than a library's: the rate changes while it
 * runs (the quota is read again), and the daily quota is part of the same decision.
 */
export function makeSendPacer(options: SendPacerOptions): SendPacer {
  const clock = options.clock ?? systemClock;
  const refreshMs = options.refreshMs ?? 60_000;
  const maxWaitMs = options.maxWaitMs ?? 10_000;
  let quota: SendQuota | undefined;
  /** When the quota is to be read again. */
  let readAgainAt = 0;
  let reading: Promise<void> | undefined;
  /** Sent by this instance since the quota was read (SES's SentLast24Hours counts them from then). */
  let sentSinceRead = 0;
  let tokens = 0;
  let filledAt: number | undefined;

  async function read(): Promise<void> {
    try {
      quota = await options.readQuota();
      sentSinceRead = 0;
      readAgainAt = clock.now() + refreshMs;
    } catch (error) {
      // The last quota read stands; with none, a cautious rate until it can be read.
      quota ??= { maxSendRate: options.maxRate ?? FALLBACK_RATE, max24HourSend: -1, sentLast24Hours: 0 };
      readAgainAt = clock.now() + RETRY_QUOTA_MS;
      options.logger.warn('SES send quota not read; pacing by the last known rate', {
        error: (error as Error).name,
        rate: quota.maxSendRate,
      });
    }
  }

  async function current(): Promise<SendQuota> {
    if (!quota || clock.now() >= readAgainAt) {
      reading ??= read().finally(() => {
        reading = undefined;
      });
      await reading;
    }
    return quota as SendQuota;
  }

  return {
    async take() {
      const q = await current();
      if (q.max24HourSend >= 0 && q.sentLast24Hours + sentSinceRead >= q.max24HourSend) {
        throw new EmailThrottledError('daily');
      }
      const rate = sendRateShare(q, options.maxRate, options.instances);
      const capacity = Math.max(1, rate);
      const now = clock.now();
      tokens = Math.min(
        capacity,
        filledAt === undefined ? capacity : tokens + ((now - filledAt) / 1000) * rate,
      );
      filledAt = now;
      const waitMs = tokens >= 1 ? 0 : ((1 - tokens) / rate) * 1000;
      if (waitMs > maxWaitMs) throw new EmailThrottledError('rate');
      tokens -= 1;
      if (waitMs > 0) await clock.sleep(waitMs);
    },
    sent() {
      sentSinceRead += 1;
    },
    throttled() {
      tokens = Math.min(tokens, 0);
      readAgainAt = Math.min(readAgainAt, clock.now() + RETRY_QUOTA_MS);
    },
  };
}

/**
 * Puts a throttled step back on the mail queue: a fresh message, counting the throttle, delayed by
 * throttleDelaySeconds. The record that carried it then succeeds and is deleted, so no receive
 * count grows towards the DLQ, however long SES keeps the send waiting. The step's lease and
 * attempt were given back when the send was refused (not sent, so not "maybe sent"), and the
 * message names the same due time, so the new message claims the step as the first would have.
 * A crash between this send and the record's deletion leaves two messages for the step: harmless,
 * as each must claim it by a conditional write, and the later finds it leased or done.
 * Should the send itself fail, that is thrown: the record fails and SQS redelivers it.
 */
export async function deferThrottled(
  queue: Queue,
  message: WorkMessage,
  error: EmailThrottledError,
  logger: Pick<Logger, 'info'>,
  random: () => number = Math.random,
): Promise<number> {
  const throttled = message.throttled ?? 0;
  const delaySeconds = throttleDelaySeconds(error.quota, throttled, random);
  await queue.send({ ...message, throttled: throttled + 1 }, delaySeconds);
  logger.info('email send throttled; waiting on the queue', {
    assignmentId: message.assignmentId,
    kind: message.kind,
    quota: error.quota,
    throttled: throttled + 1,
    delaySeconds,
  });
  return delaySeconds;
}

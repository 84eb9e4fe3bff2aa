// Parsing a function's environment: one zod schema, checked at load so a bad deploy fails fast.
import { DEFAULT_DUE_SHARDS, MAX_DUE_SHARDS } from './adapters/dynamo/shards.ts';
import { isDestinationName, modeChoices } from './core/destinations/names.ts';
import { calendarDurationSetting, durationSetting, parseCalendarDuration } from './core/duration.ts';
import { ConfigError } from './core/errors.ts';
import type { DeliveryKind } from './core/model.ts';
import { RETENTION_DEFAULTS } from './core/privacy/retention.ts';
import { parseSendRate } from './core/send-rate.ts';
import { textSetting } from './core/validation.ts';
import * as z from './core/zod.ts';

export function parseEnv<S extends z.ZodMiniType>(schema: S, env: NodeJS.ProcessEnv): Readonly<z.infer<S>> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  return Object.freeze(result.data);
}

/**
 * The setting holding the ARN of secret `name` on AWS: `HR_WEBHOOK_SECRET_ARN`,
 * `ACK_TOKEN_KEYS_SECRET_ARN` — the stack sets it, the functions read it, both through this.
 */
export function secretArnSetting(name: string): string {
  return name.endsWith('_SECRET') ? `${name}_ARN` : `${name}_SECRET_ARN`;
}

/**
 * Where completions go — one or more of the registry's destinations, comma-separated — as delivery
 * lanes; the functions' LMS_MODE and the CDK context `attest:lmsMode` alike. Throws a RangeError
 * otherwise.
 */
export function parseLmsMode(text: string): DeliveryKind[] {
  const names = [...new Set(text.split(/[\s,]+/).filter(Boolean))];
  if (!names.length || !names.every(isDestinationName)) throw new RangeError(`must be ${modeChoices()}`);
  return names.map((n) => n);
}

/**
 * `thunks`' values as properties, each made when first read and kept: a schema a function's
 * config never names is never built at its cold start (building zod schemas is most of what
 * parsing settings costs an import).
 */
function builtWhenRead<T extends Record<string, () => unknown>>(
  thunks: T,
): { readonly [K in keyof T]: ReturnType<T[K]> } {
  const built = {} as { [K in keyof T]: ReturnType<T[K]> };
  for (const [key, make] of Object.entries(thunks) as [keyof T, () => ReturnType<T[keyof T]>][]) {
    let value: ReturnType<T[keyof T]> | undefined;
    Object.defineProperty(built, key, { enumerable: true, get: () => (value ??= make()) });
  }
  return built;
}

/** Settings more than one function reads, each schema built when a function's config first names it. */
export const common = builtWhenRead({
  /** The LMS destinations: their delivery lanes. */
  LMS_MODE: () => z._default(textSetting(parseLmsMode), () => parseLmsMode('webhook')),
  TABLE_NAME: () => z.string().check(z.minLength(1)),
  /**
   * Emails a second at most, below the account's SES quota (GetAccount), which is shared with
   * whatever else sends from the account; unset or empty: the quota's rate. The mailer paces by it;
   * the sweeper sizes the mailers by it.
   */
  SES_MAX_RATE: () =>
    z.pipe(
      z.optional(z.string()),
      z.transform((text: string | undefined, ctx) => {
        if (!text?.trim()) return undefined;
        try {
          return parseSendRate(text);
        } catch (error) {
          ctx.issues.push({ code: 'custom', message: (error as Error).message, input: text });
          return z.NEVER;
        }
      }),
    ),
  /**
   * How many partitions each due index (and the `retain` index) spreads owed work over: 1 to
   * MAX_DUE_SHARDS. Every function writing owed work and the sweeper reading it must agree; raising
   * it is safe at any time, and lowering strands nothing (the sweeper reads the most the table held).
   */
  DUE_SHARDS: () =>
    z.pipe(
      z.pipe(
        z._default(z.string().check(z.regex(/^\d+$/, 'must be a whole number')), String(DEFAULT_DUE_SHARDS)),
        z.transform(Number),
      ),
      z.number().check(z.int(), z.gte(1), z.lte(MAX_DUE_SHARDS)),
    ),
  /** How long after its due time owed work is re-driven if its queue message was lost. */
  REDRIVE_AFTER: () => z._default(durationSetting, 15 * 60_000),
  /** The least time between two fresh links for one assignment (the expired-link page, `starter resend`). */
  FRESH_LINK_INTERVAL: () => z._default(durationSetting, 15 * 60_000),
  /** Policies assigned when a starter event names none (ingest, and the CLI's imports). */
  DEFAULT_POLICIES: () =>
    z.pipe(
      z._default(z.string(), 'safe-internet-use'),
      z.transform((s: string) =>
        s
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean),
      ),
    ),
  /** How long a worker holds owed work while doing it. */
  LEASE: () => z._default(durationSetting, 2 * 60_000),
  /** Retention (PRIVACY.md): how long a leaver's unsigned requests are kept after they leave. */
  RETAIN_UNSIGNED_AFTER_LEAVING: () =>
    z._default(calendarDurationSetting, () =>
      parseCalendarDuration(RETENTION_DEFAULTS.RETAIN_UNSIGNED_AFTER_LEAVING),
    ),
  /** How long evidence is kept after the person leaves or its version is superseded, whichever is later. */
  RETAIN_EVIDENCE: () =>
    z._default(calendarDurationSetting, () => parseCalendarDuration(RETENTION_DEFAULTS.RETAIN_EVIDENCE)),
  /**
   * Re-attestation: how old an agreement may grow before the signer is asked again (ISO 8601, P1Y);
   * unset or empty, none. A policy's front matter `reattest:` overrides it.
   */
  REATTEST_EVERY: () =>
    z.pipe(
      z.pipe(
        z.optional(z.string()),
        z.transform((text: string | undefined) => (text?.trim() ? text.trim() : undefined)),
      ),
      z.optional(calendarDurationSetting),
    ),
  /** How long an agreement's IP address and browser are kept whole before being reduced. */
  RETAIN_AUDIT_IP: () =>
    z._default(calendarDurationSetting, () => parseCalendarDuration(RETENTION_DEFAULTS.RETAIN_AUDIT_IP)),
});

/**
 * The settings of a function that makes starters and asks them to sign (ingest, SCIM): what the
 * ingest use case needs, the same in both.
 */
export function startersSettings() {
  return {
    TABLE_NAME: common.TABLE_NAME,
    DUE_SHARDS: common.DUE_SHARDS,
    REDRIVE_AFTER: common.REDRIVE_AFTER,
    RETAIN_UNSIGNED_AFTER_LEAVING: common.RETAIN_UNSIGNED_AFTER_LEAVING,
    RETAIN_EVIDENCE: common.RETAIN_EVIDENCE,
    MAIL_QUEUE_URL: z.url(),
    DEFAULT_POLICIES: common.DEFAULT_POLICIES,
  };
}

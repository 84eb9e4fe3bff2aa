// Parsing a function's environment: one zod schema, checked at load so a bad deploy fails fast.
import { z } from 'zod';
import { durationSetting } from './core/duration.ts';
import { ConfigError } from './core/errors.ts';
import { type DeliveryKind, KIND_OF, type LmsDestination } from './core/model.ts';

export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): Readonly<z.infer<S>> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  return Object.freeze(result.data);
}

/**
 * Where completions go — `webhook`, `xapi`, or both (`webhook,xapi`) — as delivery lanes; the
 * functions' LMS_MODE and the CDK context `attest:lmsMode` alike. Throws a RangeError otherwise.
 */
export function parseLmsMode(text: string): DeliveryKind[] {
  const names = [...new Set(text.split(/[\s,]+/).filter(Boolean))];
  if (!names.length || names.some((n) => n !== 'webhook' && n !== 'xapi')) {
    throw new RangeError('must be webhook, xapi, or both (webhook,xapi)');
  }
  return names.map((n) => KIND_OF[n as LmsDestination]);
}

const lmsMode = z
  .string()
  .default('webhook')
  .transform((text, ctx) => {
    try {
      return parseLmsMode(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

/** A URL signed or authenticated data is sent to: TLS only, except a receiver on this machine. */
export const secureUrl = z
  .url()
  .refine((u) => /^https:\/\//.test(u) || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(u), {
    message: 'must be https (http only for localhost)',
  });

/** Settings more than one function reads. */
export const common = {
  /** The LMS destinations: their delivery lanes. */
  LMS_MODE: lmsMode,
  TABLE_NAME: z.string().min(1),
  /** How long after its due time owed work is re-driven if its queue message was lost. */
  REDRIVE_AFTER: durationSetting.default(15 * 60_000),
  /** How long a worker holds owed work while doing it. */
  LEASE: durationSetting.default(2 * 60_000),
};

// Parsing a function's environment: one zod schema, checked at load so a bad deploy fails fast.
import { z } from 'zod';
import { durationSetting } from './core/duration.ts';
import { ConfigError } from './core/errors.ts';

export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): Readonly<z.infer<S>> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  return Object.freeze(result.data);
}

/** Settings more than one function reads. */
export const common = {
  TABLE_NAME: z.string().min(1),
  /** How long after its due time owed work is re-driven if its queue message was lost. */
  REDRIVE_AFTER: durationSetting.default(15 * 60_000),
  /** How long a worker holds owed work while doing it. */
  LEASE: durationSetting.default(2 * 60_000),
};

// Turning zod's issues into the field errors every edge shows.
import type { FieldIssue } from './errors.ts';
import * as z from './zod.ts';

/** Flattens zod's issues into one entry per bad field, named by dotted path (`data.email`). */
export function toFieldIssues(error: z.core.$ZodError): FieldIssue[] {
  const seen = new Map<string, FieldIssue>();
  for (const issue of error.issues) {
    // A policy id's index is noise to the sender: `data.policies` names the field.
    const path = issue.path.filter((p) => typeof p === 'string');
    const field = path.length ? path.join('.') : '(root)';
    if (!seen.has(field)) seen.set(field, { field, message: issue.message });
  }
  return [...seen.values()];
}

/**
 * A zod schema for a setting written as text and read by `parse`, whose error (a RangeError, say)
 * becomes the setting's issue: its output is what `parse` returns.
 */
export function textSetting<T>(parse: (text: string) => T) {
  return z.pipe(
    z.string(),
    z.transform((text: string, ctx) => {
      try {
        return parse(text);
      } catch (error) {
        ctx.issues.push({ code: 'custom', message: (error as Error).message, input: text });
        return z.NEVER;
      }
    }),
  );
}

/** A URL signed or authenticated data is sent to: TLS only, except a receiver on this machine. */
export const secureUrl = z.url().check(
  z.refine((u) => /^https:\/\//.test(u) || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(u), {
    message: 'must be https (http only for localhost)',
  }),
);

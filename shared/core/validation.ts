// Turning zod's issues into the field errors every edge shows.
import type { z } from 'zod';
import type { FieldIssue } from './errors.ts';

/** Flattens zod's issues into one entry per bad field, named by dotted path (`data.email`). */
export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  const seen = new Map<string, FieldIssue>();
  for (const issue of error.issues) {
    // A policy id's index is noise to the sender: `data.policies` names the field.
    const path = issue.path.filter((p) => typeof p === 'string');
    const field = path.length ? path.join('.') : '(root)';
    if (!seen.has(field)) seen.set(field, { field, message: issue.message });
  }
  return [...seen.values()];
}

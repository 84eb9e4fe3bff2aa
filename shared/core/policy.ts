// Policies as published: front matter + Markdown, the canonical text, and its sha256 that names the version.
import { createHash } from 'node:crypto';
import { Marked } from 'marked';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { isoDay } from './dates.ts';
import { parseCalendarDuration } from './duration.ts';
import { ValidationError } from './errors.ts';
import { escapeHtml } from './html.ts';
import type { PolicyText, PolicyVersion } from './model.ts';
import { chaseOverridesSchema, chasePlan } from './schedule.ts';
import { toFieldIssues } from './validation.ts';
import { hasUnseen } from './visible.ts';

/** The most a `changes:` item may hold, in characters: a line, not a paragraph. */
export const MAX_CHANGE_LENGTH = 200;

/**
 * What changed since the last version, one short line each: shown on the page and in the
 * re-acknowledgement email, so each must look like what it is (no control or direction marks).
 */
const changesSchema = z
  .array(
    z
      .string()
      .trim()
      .min(1)
      .refine((s) => !hasUnseen(s), 'Must not contain control, format or invisible characters.')
      .refine((s) => [...s].length <= MAX_CHANGE_LENGTH, `At most ${MAX_CHANGE_LENGTH} characters.`),
  )
  .min(1)
  .max(10);

/**
 * A lifecycle period (`reattest:`, `due:`): an ISO 8601 duration of years to seconds, more than
 * nothing, as retention's are read (a calendar matter: P1Y is the same date a year on). Kept as
 * written; its reading is `parseCalendarDuration`'s.
 */
const lifecycleDuration = z.string().superRefine((text, ctx) => {
  try {
    parseCalendarDuration(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

export const policyFrontMatterSchema = z.object({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'Expected a lower-case id such as safe-internet-use.'),
  title: z.string().trim().min(1),
  effectiveDate: z.union([z.string(), z.date()]).transform((d, ctx) => {
    const text = d instanceof Date ? isoDay(d) : d;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) ctx.addIssue({ code: 'custom', message: 'Expected YYYY-MM-DD.' });
    return text;
  }),
  statement: z.string().trim().min(1),
  keyPoints: z.array(z.string().trim().min(1)).min(1).max(8),
  changes: changesSchema.optional(),
  /** Overrides of the chase (REMINDER_OFFSETS, ESCALATION_OFFSET, SEND_WINDOW) for this policy. */
  chase: chaseOverridesSchema.optional(),
  /** The Moodle activity an agreement completes (LMS_MODE with moodle; MOODLE_ACTIVITIES overrides it). */
  moodle: z.object({ cmid: z.number().int().positive() }).strict().optional(),
  /** Whether the page offers "I do not agree" with a reason; a setting of the version, not its text. */
  declinable: z.boolean().optional(),
  /** How old an agreement may grow before the person is asked again (ISO 8601: P1Y, P6M, PT40S). */
  reattest: lifecycleDuration.optional(),
  /** How long a person has to sign, from their start date (or the invite, when that has passed). */
  due: lifecycleDuration.optional(),
  version: z
    .undefined({ error: 'Remove it: publishing numbers the versions (changed text becomes the next one).' })
    .optional(),
});

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/;

/** One normal form for text, so the same words always hash the same. */
function normalise(text: string): string {
  return `${text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

/** What the page shows, and so what the sha256 names. */
type ShownText = Pick<PolicyVersion, 'title' | 'body' | 'statement' | 'changes'>;

/**
 * The exact text a person is shown and agrees to: title, what changed (when the file says), body
 * and statement. The changes are shown on the page, so they are hashed too; a policy without them
 * hashes as it always has, so versions published before `changes:` existed keep their sha256.
 */
export function canonicalPolicyText(p: ShownText): string {
  const changes = p.changes?.length ? ['', 'What changed:', ...p.changes.map((c) => `- ${c}`)] : [];
  return normalise([p.title, ...changes, '', p.body, '', p.statement].join('\n'));
}

export function policySha256(p: ShownText): string {
  return createHash('sha256').update(canonicalPolicyText(p), 'utf8').digest('hex');
}

/**
 * Parses a policy file; a missing or malformed field is a ValidationError naming it. The version
 * number is not the file's to say: publishing gives the next one to text that changed.
 */
export function parsePolicy(source: string): PolicyText {
  const match = FRONT_MATTER.exec(source);
  if (!match)
    throw new ValidationError('policy.invalid', [
      { field: 'front matter', message: 'Missing --- front matter.' },
    ]);
  const result = policyFrontMatterSchema.safeParse(parseYaml(match[1] as string));
  if (!result.success) throw new ValidationError('policy.invalid', toFieldIssues(result.error));
  const fm = result.data;
  // A malformed override fails here, naming it, rather than when a reminder falls due.
  if (fm.chase) chasePlan(fm.chase, {}, 'chase.');
  const body = normalise(match[2] as string);
  const policy = {
    policyId: fm.id,
    title: fm.title,
    statement: fm.statement,
    effectiveDate: fm.effectiveDate,
    keyPoints: fm.keyPoints,
    ...(fm.changes && { changes: fm.changes }),
    body,
    ...(fm.chase && { chase: fm.chase }),
    ...(fm.moodle && { moodle: fm.moodle }),
    ...(fm.declinable && { declinable: true }),
    ...(fm.reattest && { reattest: fm.reattest }),
    ...(fm.due && { due: fm.due }),
  };
  return { ...policy, sha256: policySha256(policy) };
}

// Raw HTML in a policy is shown as text: the page's markup is ours alone.
const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html: ({ text }) => escapeHtml(text),
  },
});
const rendered = new Map<string, string>();

/** The policy body as HTML, rendered once per distinct body. */
export function renderPolicyHtml(body: string): string {
  let html = rendered.get(body);
  if (html === undefined) {
    html = marked.parse(body, { async: false });
    rendered.set(body, html);
  }
  return html;
}

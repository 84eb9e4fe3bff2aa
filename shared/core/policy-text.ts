// A policy's canonical text — exactly what a person is shown and agrees to — and its sha256, which names the version (no parser here: the functions hash without bundling YAML or Markdown).
import { createHash } from 'node:crypto';
import type { PolicyVersion } from './model.ts';

/** One normal form for text, so the same words always hash the same. */
export function normalise(text: string): string {
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

// A readable difference between two versions of a policy (issue 15's policies page): what a signer was asked to agree to then, against now.
import { diffArrays, diffWordsWithSpace } from 'diff';
import type { PolicyTranslation, PolicyVersion } from '../model.ts';

/** A run of text: in both versions, only the older (removed) or only the newer (added). */
export interface DiffPart {
  change: 'same' | 'removed' | 'added';
  text: string;
}

/** How one part of the policy changed: its title, statement, key points, what changed, or body. */
export interface FieldDiff {
  field: 'title' | 'statement' | 'effectiveDate' | 'keyPoints' | 'changes' | 'body';
  changed: boolean;
  parts: DiffPart[];
}

const partsOf = (changes: Array<{ added?: boolean; removed?: boolean; value: string }>): DiffPart[] =>
  changes.map((c) => ({ change: c.added ? 'added' : c.removed ? 'removed' : 'same', text: c.value }));

/**
 * The differences from `older` to `newer`: the body paragraph by paragraph (a paragraph that
 * changed shown word by word inside it), the key points and what changed item by item, the other
 * fields word by word.
 */
export function policyDiff(older: PolicyVersion, newer: PolicyVersion): FieldDiff[] {
  const words = (field: 'title' | 'statement' | 'effectiveDate'): FieldDiff => {
    const parts = partsOf(diffWordsWithSpace(older[field], newer[field]));
    return { field, changed: parts.some((p) => p.change !== 'same'), parts };
  };
  const items = (field: 'keyPoints' | 'changes'): FieldDiff => {
    const parts = partsOf(
      diffArrays(older[field] ?? [], newer[field] ?? []).flatMap((c) =>
        c.value.map((item) => ({ ...c, value: item })),
      ),
    );
    return { field, changed: parts.some((p) => p.change !== 'same'), parts };
  };
  return [
    words('title'),
    words('effectiveDate'),
    words('statement'),
    items('keyPoints'),
    // Front matter `changes:` is shown and hashed; versions without it have nothing to compare.
    ...(older.changes?.length || newer.changes?.length ? [items('changes')] : []),
    bodyDiff(older.body, newer.body),
  ];
}

/**
 * How one translation of the policy changed between two versions: `same` (the same sha256),
 * `changed` (another sha256; its fields compared as the English are, but for the effective date,
 * which is the version's own and shown once), `added` (the older version had none) or `removed` (the newer has
 * none: its readers are shown English).
 */
export interface TranslationDiff {
  language: string;
  change: 'same' | 'changed' | 'added' | 'removed';
  olderSha256?: string;
  newerSha256?: string;
  /** The changed fields' parts, empty unless `changed`. */
  diff: FieldDiff[];
}

/** Each translation either version has, by language, compared: a Welsh-only change is a change too. */
export function translationDiffs(older: PolicyVersion, newer: PolicyVersion): TranslationDiff[] {
  const languages = [
    ...new Set([...Object.keys(older.translations ?? {}), ...Object.keys(newer.translations ?? {})]),
  ].sort();
  const out: TranslationDiff[] = [];
  for (const language of languages) {
    const before = older.translations?.[language];
    const after = newer.translations?.[language];
    if (!before && !after) continue;
    const hashes = {
      ...(before && { olderSha256: before.sha256 }),
      ...(after && { newerSha256: after.sha256 }),
    };
    if (!before || !after) {
      out.push({ language, change: before ? 'removed' : 'added', ...hashes, diff: [] });
      continue;
    }
    const diff =
      before.sha256 === after.sha256
        ? []
        : policyDiff(asVersion(older, before), asVersion(newer, after)).filter(
            (d) => d.field !== 'effectiveDate',
          );
    // The hash decides, as it decides a new version: a change only in spacing has no words to show.
    out.push({ language, change: diff.length ? 'changed' : 'same', ...hashes, diff });
  }
  return out;
}

/** A translation's text in its version's place, its own `changes` (or none) replacing the English. */
function asVersion(policy: PolicyVersion, translation: PolicyTranslation): PolicyVersion {
  const { changes: _english, translations: _all, ...settings } = policy;
  return { ...settings, ...translation };
}

/** Paragraphs (blocks between blank lines) compared whole; a removed one followed by an added one is shown word by word. */
function bodyDiff(older: string, newer: string): FieldDiff {
  const blocks = (text: string) =>
    text
      .split(/\n{2,}/)
      .map((b) => b.trim())
      .filter(Boolean);
  const changes = diffArrays(blocks(older), blocks(newer));
  const parts: DiffPart[] = [];
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i] as (typeof changes)[number];
    const next = changes[i + 1];
    if (change.removed && next?.added && change.value.length === next.value.length) {
      // A paragraph edited in place: its words, not the whole paragraph twice.
      change.value.forEach((block, j) => {
        if (j || parts.length) parts.push({ change: 'same', text: '\n\n' });
        parts.push(...partsOf(diffWordsWithSpace(block, next.value[j] as string)));
      });
      i++;
      continue;
    }
    const kind = change.added ? 'added' : change.removed ? 'removed' : 'same';
    for (const block of change.value) {
      if (parts.length) parts.push({ change: 'same', text: '\n\n' });
      parts.push({ change: kind, text: block });
    }
  }
  return { field: 'body', changed: parts.some((p) => p.change !== 'same'), parts };
}

// Which characters a person can see: the test typed names and HR's header-bound values must pass.

/**
 * What draws nothing or changes how the rest draws, so that text holding it is not what it looks
 * like (an invisible signature, a name that reads backwards, a header split in two):
 * - `\p{Cc}` controls (NUL, TAB, CR, LF…); `\p{Cf}` format characters: zero-width space and
 *   joiners, BOM, soft hyphen, the bidi marks (U+200E, U+200F, U+061C), embeddings and overrides
 *   (U+202A–U+202E) and isolates (U+2066–U+2069); `\p{Co}` private use (no agreed glyph);
 *   `\p{Cs}` lone surrogates and noncharacters (not text); `\p{Zl}` `\p{Zp}` line and paragraph
 *   separators (a line break to many mail clients);
 * - every other default-ignorable code point — the Hangul fillers U+115F, U+1160, U+3164 and
 *   U+FFA0 are letters by category yet draw nothing; the combining grapheme joiner; the Khmer
 *   inherent vowels — except variation selectors, which choose a glyph for the character before
 *   them (Japanese names written with their registered kanji forms use them);
 * - a variation selector with no glyph to choose, so drawing nothing: at the start, after a space,
 *   after a Latin, Greek or Cyrillic letter (no variation sequence has one), or after a combining
 *   mark or another selector — `Pat\u{FE0F}` reads as `Pat` yet is another name;
 * - U+2800 BRAILLE PATTERN BLANK, a symbol that draws nothing.
 */
const UNSEEN_SOURCE =
  '[\\p{Cc}\\p{Cf}\\p{Co}\\p{Cs}\\p{Noncharacter_Code_Point}\\p{Zl}\\p{Zp}\\u2800]|(?!\\p{Variation_Selector})\\p{Default_Ignorable_Code_Point}' +
  '|(?<=^|[\\p{White_Space}\\p{Script=Latin}\\p{Script=Greek}\\p{Script=Cyrillic}\\p{Script=Inherited}])\\p{Variation_Selector}';
/** A letter that draws something: the Hangul fillers are `\p{Lo}` but default-ignorable. */
const VISIBLE_LETTER_SOURCE = '(?!\\p{Default_Ignorable_Code_Point})\\p{L}';

// Each expression is compiled at its first use, not as the module loads: V8 builds the Unicode
// property sets as it parses one (about a millisecond of a cold start for these three), and most
// functions' first request checks no typed text (a console page, an acknowledgement link opened).
let unseen: RegExp | undefined;
let unseenAll: RegExp | undefined;
let visibleLetter: RegExp | undefined;

/** True when `text` holds a character that cannot be seen or that changes how the rest is seen. */
export function hasUnseen(text: string): boolean {
  unseen ??= new RegExp(UNSEEN_SOURCE, 'u');
  return unseen.test(text);
}

/** `text` without its unseen characters: for showing back what was refused, never for storing. */
export function withoutUnseen(text: string): string {
  unseenAll ??= new RegExp(UNSEEN_SOURCE, 'gu');
  return text.replace(unseenAll, '');
}

/** How many letters (`\p{L}`) in `text` draw something. */
export function visibleLetters(text: string): number {
  visibleLetter ??= new RegExp(VISIBLE_LETTER_SOURCE, 'gu');
  return text.match(visibleLetter)?.length ?? 0;
}

/**
 * The marks people type, and word processors substitute, for an apostrophe: U+0027 ', U+2019 ’
 * (what Word and phones type), U+2018 ‘, U+201B ‛, U+02BC ʼ and U+02BB ʻ (modifier letters: Hawaiian
 * names, some Welsh and Breton text), U+2032 ′ (prime), U+0060 ` and U+00B4 ´ (accents typed as
 * one). The fullwidth U+FF07 is U+0027 after NFKD.
 */
const APOSTROPHES = /['\u2019\u2018\u201B\u02BC\u02BB\u2032`\u00B4]/gu;

/**
 * Lower case without accents, every apostrophe the same, so `zoe` finds Zoë, `SIAN` finds Siân and
 * `o'brien` finds O’Brien (and `o’brien` O'Brien).
 */
export function folded(text: string): string {
  // U+00B4 decomposes to a space and a combining acute under NFKD: made an apostrophe first.
  return text.replace(APOSTROPHES, "'").normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

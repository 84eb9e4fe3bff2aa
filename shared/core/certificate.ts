// The PDF certificate of an agreement: made from the evidence and two recorded settings alone, byte for byte the same on any machine, any day.
import { createHash } from 'node:crypto';
import fontkit from '@pdf-lib/fontkit';
import { mergeUint8Arrays, PDFDocument, type PDFFont, PDFHexString, type PDFPage, rgb } from 'pdf-lib';
import { isoMoment } from './dates.ts';
import { evidenceLanguage, htmlLang, type Language } from './language.ts';
import type { Evidence } from './model.ts';
import { fillText as fill } from './template.ts';

/**
 * The certificate's words in each language the pages and emails speak; `{name}` marks a value.
 * Chosen by the language the evidence says was shown (its `locale`), so a Welsh agreement's
 * certificate is in Welsh, and made again from the evidence alone it is still the same bytes.
 * The Welsh is a draft for the customer's Welsh-language officer to review, like the catalogue's.
 */
export const TEXTS = {
  en: {
    title: 'Certificate of agreement',
    intro: 'This certifies the agreement below, as {organisation} recorded it.',
    policy: 'Policy',
    version: 'Version',
    sha256: 'Text fingerprint (SHA-256) of the policy agreed to',
    statement: 'Statement agreed to',
    typedName: 'Name typed',
    nameOnBehalf: 'Name (as HR held it, entered for them)',
    unshown: 'Characters the font cannot show: {codes}',
    when: 'Agreed at',
    whenValue: '{local} ({zone}, UTC{offset}); {utc} UTC',
    evidenceId: 'Evidence reference',
    method: 'How it was agreed',
    methodLink: 'Signed by the person through the link emailed to them',
    methodOnBehalf: 'Recorded on the person’s behalf (agreed offline) by {recorder}',
    check:
      'To check it: HR runs "attest evidence {assignmentId}", which shows this evidence, the SHA-256 of this file as it was sent, and whether a certificate made again from the evidence is identical.',
    subject: '{policy}, version {version}',
  },
  cy: {
    title: 'Tystysgrif cytundeb',
    intro: 'Mae hyn yn ardystio’r cytundeb isod, fel y’i cofnodwyd gan {organisation}.',
    policy: 'Polisi',
    version: 'Fersiwn',
    sha256: 'Ôl bys testun (SHA-256) y polisi y cytunwyd iddo',
    statement: 'Y datganiad y cytunwyd iddo',
    typedName: 'Yr enw a deipiwyd',
    nameOnBehalf: 'Enw (fel yr oedd gan AD, wedi’i gofnodi ar eu rhan)',
    unshown: 'Nodau na all y ffont eu dangos: {codes}',
    when: 'Cytunwyd am',
    whenValue: '{local} ({zone}, UTC{offset}); {utc} UTC',
    evidenceId: 'Cyfeirnod y dystiolaeth',
    method: 'Sut y cytunwyd',
    methodLink: 'Wedi’i lofnodi gan yr unigolyn drwy’r ddolen a anfonwyd ato mewn e-bost',
    methodOnBehalf: 'Wedi’i gofnodi ar ran yr unigolyn (cytunwyd all-lein) gan {recorder}',
    check:
      'I’w wirio: mae AD yn rhedeg "attest evidence {assignmentId}", sy’n dangos y dystiolaeth hon, SHA-256 y ffeil hon fel y’i hanfonwyd, ac a yw tystysgrif a wneir eto o’r dystiolaeth yn union yr un fath.',
    subject: '{policy}, fersiwn {version}',
  },
} as const satisfies Record<Language, Record<string, string>>;

/** The English words (the certificate of evidence recorded without a language, or in English). */
export const TEXT = TEXTS.en;

/** The layout's version, recorded with each certificate: a later layout keeps this one makeable. */
export const CERTIFICATE_FORMAT = 1;

/** What a certificate is made of: the evidence, its assignment and the two settings recorded with it. */
export interface CertificateInput {
  assignmentId: string;
  evidence: Evidence;
  /** ORGANISATION_NAME when it was made. */
  organisationName: string;
  /** The starter's time zone when it was made: the time of agreement is shown in it, and in UTC. */
  timeZone: string;
}

export interface Certificate {
  bytes: Uint8Array;
  sha256: string;
  /** The attachment's name: the policy and version only, no personal data. */
  fileName: string;
  /** The layout's version (CERTIFICATE_FORMAT), recorded with it. */
  format: number;
}

/** The font, read by an adapter (DejaVu Sans, TrueType): embedded as the subset the text uses. */
export type CertificateFont = Uint8Array;

/** `agreement-safe-internet-use-v2.pdf`: what the file is, never whose. */
export function certificateFileName(policyId: string, version: number): string {
  return `agreement-${policyId.replace(/[^A-Za-z0-9_-]/g, '_')}-v${version}.pdf`;
}

const PAGE = { width: 595.28, height: 841.89 }; // A4, in points
const MARGIN = 56;
const WIDTH = PAGE.width - 2 * MARGIN;
const INK = rgb(0.106, 0.106, 0.106);
const GREY = rgb(0.29, 0.29, 0.29);
const ACCENT = rgb(0.043, 0.31, 0.541);
/** The PDF subset tag (six capitals, ISO 32000 §9.6.4) and font name, fixed rather than pdf-lib's counter. */
const FONT_NAME = 'ATTEST+DejaVuSans';

/** A glyph as fontkit keeps it in a font's cache: the code points it was first made for are what the ToUnicode map says. */
interface CachedGlyph {
  id: number;
  codePoints: number[];
  advanceWidth: number;
}
type GlyphCache = Record<number, CachedGlyph | undefined>;
/** The part of a fontkit font this module reaches into: its glyph cache, and shaping (`layout`). */
interface FontkitFont {
  _glyphs: GlyphCache;
  layout(text: string, features?: unknown): { glyphs: CachedGlyph[] };
  getGlyph(id: number, codePoints: number[]): CachedGlyph;
  glyphForCodePoint(codePoint: number): CachedGlyph;
  characterSet: number[];
}

/**
 * What one computation over a document's glyph cache (shaping a text, or wrapping it into lines,
 * which shapes each line it tries) read from the cache, made in it, and gave. Shaping is a
 * function of the text and of the cache entries it reads alone (the font's tables are only read),
 * so wherever those entries hold the same code points, doing it again makes the same entries and
 * gives the same result.
 */
interface Outcome<T> {
  /** Each entry read before the computation made it: the code points found, or null for none. */
  reads: Array<[number, number[] | null]>;
  /** Each entry made, in order, with the code points it was made for. */
  made: Array<[number, number[]]>;
  value: T;
}

/** The most outcomes kept for one text: they differ only with what the document drew before it. */
const OUTCOMES_PER_TEXT = 4;

/**
 * What an outcome weighs against a memory's `capacity`: the characters of its text and of what it
 * gave, and each cache entry it read or made (with its code points). About 10–20 bytes of heap a
 * unit, so a full memory of the default capacity holds a few MB however long the texts.
 */
function weight(key: string, outcome: Outcome<unknown>): number {
  const { value } = outcome;
  const gave = Array.isArray(value)
    ? value.reduce((n: number, v) => n + (typeof v === 'string' ? v.length : 1), 0)
    : 1;
  return key.length + gave + 8 * (outcome.reads.length + outcome.made.length);
}

/**
 * Shapings and wrappings remembered across documents, the least recently used forgotten once
 * their weight passes `capacity` (see `weight`: a warm function's memory stays bounded).
 * Most of a certificate's texts (labels, the statement, the policy's title, the organisation,
 * and every line `wrap` measures on the way to them) are the same for every certificate, and
 * shaping them (OpenType, in fontkit) was most of a certificate's work. Replayed into each
 * document's own glyph cache, an outcome leaves the document's glyphs, and the ToUnicode map
 * written from them, as doing the work afresh would (the corpus test holds 300 varied
 * certificates to the bytes of the code before this memory). `new ShapeMemory(0)` remembers
 * nothing: each document shapes every text in full, as before (the bench's baseline).
 */
export class ShapeMemory {
  readonly #outcomes = new Map<string, { weight: number; outcomes: Array<Outcome<unknown>> }>();
  #weight = 0;
  constructor(readonly capacity = 250_000) {}

  /** How many texts it remembers outcomes for now. */
  get size(): number {
    return this.#outcomes.size;
  }

  /** What the outcomes it remembers weigh (see `weight`): never more than `capacity`. */
  get weight(): number {
    return this.#weight;
  }

  /**
   * `compute()` in `view`, or its outcome replayed when one kept for `key` read the same cache
   * entries as the view holds now. `keep` turns a result into what is kept (undefined: not kept),
   * `revive` what is kept back into a result for this view.
   */
  recall<R, T>(
    view: FontkitFont,
    key: string,
    compute: () => R,
    keep: (result: R) => T | undefined,
    revive: (kept: T) => R,
  ): R {
    if (this.capacity === 0) return compute();
    const kept = this.#outcomes.get(key);
    const outcomes = kept?.outcomes as Array<Outcome<T>> | undefined;
    const cache = view._glyphs;
    const known = outcomes?.find((outcome) =>
      outcome.reads.every(([id, codePoints]) => holds(cache[id], codePoints)),
    );
    if (known) {
      // Most recently used last: a Map keeps insertion order.
      this.#outcomes.delete(key);
      this.#outcomes.set(key, kept as { weight: number; outcomes: Array<Outcome<unknown>> });
      // A computation replaying this one inside it read what this one read, and makes what it made.
      for (const watch of watches.get(view) ?? [])
        for (const [id, read] of known.reads) noteRead(watch, id, read);
      for (const [id, codePoints] of known.made) view.getGlyph(id, [...codePoints]);
      return revive(known.value);
    }
    const watched = watch(view, compute);
    const value = watched.sound ? keep(watched.result) : undefined;
    if (value !== undefined) {
      const outcome: Outcome<T> = { reads: [...watched.watch.reads], made: watched.watch.made, value };
      this.#remember(key, [outcome, ...(outcomes ?? [])].slice(0, OUTCOMES_PER_TEXT));
    }
    return watched.result;
  }

  /** Keeps `outcomes` for `key` as the most recently used, forgetting the least recently used past `capacity`. */
  #remember(key: string, outcomes: Array<Outcome<unknown>>): void {
    this.#forget(key);
    const kept = { weight: outcomes.reduce((n, outcome) => n + weight(key, outcome), 0), outcomes };
    // One text heavier than the whole memory is not kept: it would push out everything else.
    if (kept.weight > this.capacity) return;
    this.#outcomes.set(key, kept);
    this.#weight += kept.weight;
    for (const oldest of this.#outcomes.keys()) {
      if (this.#weight <= this.capacity) break;
      this.#forget(oldest);
    }
  }

  #forget(key: string): void {
    const kept = this.#outcomes.get(key);
    if (!kept) return;
    this.#outcomes.delete(key);
    this.#weight -= kept.weight;
  }
}

/**
 * `layout(text)` in a document's view: a text of `plain` characters laid out without shaping
 * (`plainLayout`), any other through `memory`: glyphs only (`glyphsOnly`), kept as glyph ids when
 * every glyph given is the view's own cache entry (fontkit's way), as a run of the view's entries
 * when replayed. pdf-lib reads nothing of a run but its glyphs. A memory of nothing shapes every
 * text in full, as before either.
 */
function shapeIn(
  view: FontkitFont,
  layout: FontkitFont['layout'],
  text: string,
  memory: ShapeMemory,
  plain: ReadonlyMap<number, number>,
) {
  if (memory.capacity === 0) return layout.call(view, text);
  const run = plainLayout(view, text, plain);
  if (run) return run;
  return memory.recall(
    view,
    `layout:${text}`,
    () => {
      glyphsOnly(view);
      return layout.call(view, text);
    },
    (run) =>
      run.glyphs.every((glyph) => view._glyphs[glyph.id] === glyph) ? run.glyphs.map((g) => g.id) : undefined,
    (ids) => ({ glyphs: ids.map((id) => view._glyphs[id] as CachedGlyph) }),
  );
}

/** Whether a cache entry holds what a shaping read there (null: nothing). */
function holds(glyph: CachedGlyph | undefined, codePoints: number[] | null): boolean {
  if (!glyph) return codePoints === null;
  if (!codePoints || glyph.codePoints.length !== codePoints.length) return false;
  return glyph.codePoints.every((c, i) => c === codePoints[i]);
}

/** fontkit's layout engine of a font, as far as `glyphsOnly` replaces it. */
interface LayoutEngine {
  engine?: { zeroMarkAdvances?: unknown };
  position(run: { glyphs: CachedGlyph[]; positions: unknown[]; direction: string }): void;
}

/**
 * Lets `view`'s shaping give glyphs only. pdf-lib measures and draws a text with each glyph's own
 * advance (hmtx), never the positions GPOS works out (kerning, marks), and positioning reads the
 * font's tables alone, never the glyph cache: so skipping it changes neither the glyphs given nor
 * the cache entries made. Only what positioning does to the glyphs is kept: fontkit reverses a
 * right-to-left run's glyphs there. For OpenType layout only (fontkit's OTLayoutEngine, DejaVu's).
 */
function glyphsOnly(view: FontkitFont): void {
  const engine = (view as unknown as { _layoutEngine: LayoutEngine })._layoutEngine;
  if (Object.hasOwn(engine, 'position') || typeof engine.engine?.zeroMarkAdvances !== 'function') return;
  engine.position = (run) => {
    run.positions = run.glyphs.map(() => ({ xAdvance: 0, yAdvance: 0, xOffset: 0, yOffset: 0 }));
    if (run.direction === 'rtl') {
      run.glyphs.reverse();
      run.positions.reverse();
    }
  };
}

/** What a computation in progress read from and made in a view's glyph cache (see `Outcome`). */
interface Watch {
  reads: Map<number, number[] | null>;
  made: Array<[number, number[]]>;
  /** Set by a glyph id that is not a whole number (never seen from fontkit): then nothing is kept. */
  odd: boolean;
}

/** The computations watched in each view, outermost first (a wrapping shapes lines inside it). */
const watches = new WeakMap<FontkitFont, Watch[]>();

function noteRead(watch: Watch, id: number, read: number[] | null): void {
  if (!watch.reads.has(id)) watch.reads.set(id, read);
}

/**
 * `getGlyph` of a document's view: fontkit's, noting for each watched computation each cache
 * entry's first read and each entry made. In fontkit the cache is read and filled by `getGlyph`
 * alone (for a TrueType font such as DejaVu; @pdf-lib/fontkit 1.1.1, pinned), and `watch` checks
 * that the cache grew by just the entries noted.
 */
function watchedGetGlyph(
  getGlyph: FontkitFont['getGlyph'],
  decoded: Map<number, unknown> | null,
  metrics: Map<number, unknown> | null,
) {
  return function (this: FontkitFont, id: number, codePoints: number[]): CachedGlyph {
    const found = this._glyphs[id];
    const watching = watches.get(this) ?? [];
    const read = watching.length && found ? [...found.codePoints] : null;
    for (const watch of watching) {
      if (!Number.isInteger(id) || id < 0) watch.odd = true;
      noteRead(watch, id, read);
    }
    const glyph = getGlyph.call(this, id, codePoints);
    if (!found && glyph) {
      if (decoded) decodeOnce(glyph, decoded);
      if (metrics) metricsOnce(glyph, metrics);
      for (const watch of watching) watch.made.push([id, [...glyph.codePoints]]);
    }
    return glyph;
  };
}

/**
 * A glyph made in a view decodes its outline once per font file rather than once per document:
 * pdf-lib's subsetter decodes each glyph it embeds (`_decode`, to find a composite's parts), and
 * the record is a function of the file and the glyph id alone. Shared between documents, it is
 * only read: by the subsetter and by fontkit's outlines (the points are transformed in place only
 * for a variable font, which DejaVu Sans is not).
 */
function decodeOnce(glyph: CachedGlyph & { _decode?: () => unknown }, decoded: Map<number, unknown>): void {
  const decode = glyph._decode;
  if (typeof decode !== 'function') return;
  glyph._decode = () => {
    if (!decoded.has(glyph.id)) decoded.set(glyph.id, decode.call(glyph));
    return decoded.get(glyph.id);
  };
}

/**
 * A glyph made in a view takes its metrics (advance, bearings) as worked out once per font file
 * rather than once per document: fontkit works them out for each glyph object (from hmtx, and the
 * outline's box for the vertical ones), a function of the file and the glyph id alone, and keeps
 * them in `_metrics`, which it only reads once set (but for a variable font, left out here).
 */
function metricsOnce(
  glyph: CachedGlyph & { _metrics?: unknown; _getMetrics?: (...args: unknown[]) => unknown },
  metrics: Map<number, unknown>,
): void {
  const known = metrics.get(glyph.id);
  if (known) {
    glyph._metrics = known;
    return;
  }
  const getMetrics = glyph._getMetrics;
  if (typeof getMetrics !== 'function') return;
  glyph._getMetrics = function (this: unknown, ...args: unknown[]) {
    const worked = getMetrics.apply(this, args);
    if (worked) metrics.set(glyph.id, worked);
    return worked;
  };
}

/** Runs `compute` watching `view`'s glyph cache; sound when every change to the cache was noted. */
function watch<R>(view: FontkitFont, compute: () => R) {
  const cache = view._glyphs;
  const before = Object.keys(cache).length;
  const watch: Watch = { reads: new Map(), made: [], odd: false };
  const watching = watches.get(view) ?? [];
  watches.set(view, [...watching, watch]);
  let result: R;
  try {
    result = compute();
  } finally {
    watches.set(view, watching);
  }
  const sound =
    !watch.odd &&
    Object.keys(cache).length === before + watch.made.length &&
    watch.made.every(([id]) => watch.reads.get(id) === null);
  return { result, watch, sound };
}

/** Each font file as fontkit parsed it, its characters, and the shapings remembered for it, kept while its bytes are (a warm function's). */
interface ParsedFont {
  font: FontkitFont;
  characters: Set<number>;
  /** Each glyph's outline record as fontkit decodes it (`decodeOnce`), one at most a glyph; null for a variable font. */
  decoded: Map<number, unknown> | null;
  /** Each glyph's metrics as fontkit works them out (`metricsOnce`); null for a variable font. */
  metrics: Map<number, unknown> | null;
  /** The bytes of the tables its subsets copy whole (`encodeSubset`). */
  whole: WholeTables;
  /** The characters a text made of them alone is laid out without shaping (`plainCharacters`), with their glyphs. */
  plain: ReadonlyMap<number, number>;
  memory: ShapeMemory;
}
const parsedFonts = new WeakMap<CertificateFont, ParsedFont>();

function parsedFont(fontBytes: CertificateFont): ParsedFont {
  let parsed = parsedFonts.get(fontBytes);
  if (!parsed) {
    const font = fontkit.create(fontBytes) as unknown as FontkitFont;
    // Computed once on the parsed font, which the views read through to: a pure function of the file.
    const variable = Boolean((font as unknown as { _variationProcessor: unknown })._variationProcessor);
    parsed = {
      font,
      characters: new Set(font.characterSet),
      decoded: variable ? null : new Map(),
      metrics: variable ? null : new Map(),
      whole: {},
      plain: plainCharacters(font),
      memory: new ShapeMemory(),
    };
    parsedFonts.set(fontBytes, parsed);
  }
  return parsed;
}

/**
 * fontkit for one document, parsing each font file once rather than for every certificate:
 * parsing DejaVu's tables (outlines, metrics, and GSUB and GPOS, which shaping reads) was about
 * half of a certificate's work. The document gets a view of the parsed font with a glyph cache of
 * its own, as a font parsed afresh has: fontkit keeps with each glyph the code points it was first
 * made for (a glyph reached through a substitution keeps those it came from), and the PDF's
 * ToUnicode map is written from them, so a cache shared between documents would make a
 * certificate's bytes depend on the ones made before it in the same process. Everything else the
 * view reads through to is decoded once and only read, so each certificate is still the same bytes
 * as when made alone. Its shaping goes through `memory`, which replays into the view's own cache.
 */
function fontkitFor(
  fontBytes: CertificateFont,
  parsed: ParsedFont,
  memory: ShapeMemory,
  views: FontkitFont[],
): Parameters<PDFDocument['registerFontkit']>[0] {
  const shared = parsed.font;
  return {
    create: (bytes: Uint8Array) => {
      if (bytes !== fontBytes) throw new Error('certificate: a font other than the one given');
      // fontkit's own glyph cache (`_glyphs`) and its layout engine, which makes glyphs through the
      // font it was made for, are the view's; both are per font in fontkit (@pdf-lib/fontkit 1.1.1, pinned).
      const view: FontkitFont = Object.create(shared, {
        _glyphs: { value: {}, writable: true },
        getGlyph: { value: watchedGetGlyph(shared.getGlyph, parsed.decoded, parsed.metrics) },
        layout: {
          // pdf-lib shapes with the embedding's features, none here; anything else is shaped without the memory.
          value: (text: unknown, ...rest: unknown[]) =>
            typeof text === 'string' && rest.every((arg) => arg === undefined)
              ? shapeIn(view, shared.layout, text, memory, parsed.plain)
              : shared.layout.call(view, text as string, ...rest),
        },
      });
      views.push(view);
      // The view is the font fontkit made, with a cache and shaping of its own (typed here by what is used).
      return view as unknown as ReturnType<Parameters<PDFDocument['registerFontkit']>[0]['create']>;
    },
  };
}

/** The part of fontkit's font subset (TTFSubset) and of its encoding stream (restructure's EncodeStream) used here. */
export interface FontSubset {
  encode(stream: EncodeStream): void;
  encodeStream(): EncodeStream;
}
interface EncodeStream {
  push(chunk: Uint8Array | null): boolean;
  end(): void;
}
type EncodeStreamClass = new () => EncodeStream;
let encodeStreamClass: EncodeStreamClass | undefined;

/**
 * The subset's font file, encoded at once: fontkit's own encoding (`encode`) into fontkit's own
 * stream, its chunks joined as pdf-lib joins them. fontkit's `encodeStream` encodes the same way
 * but only after a `setTimeout` (its bundled `nextTick`), and hands the chunks over through a
 * bundled `Readable`: a certificate waited about a millisecond and a half for it, of which the
 * encoding is a third. The stream's class is taken once from an encoding of nothing.
 */
export function encodeAtOnce(subset: FontSubset): Uint8Array {
  encodeStreamClass ??= subset.encodeStream.call({ encode: () => undefined })
    .constructor as EncodeStreamClass;
  const stream = new encodeStreamClass();
  const chunks: Uint8Array[] = [];
  stream.push = (chunk) => {
    if (chunk) chunks.push(chunk);
    return true;
  };
  subset.encode(stream);
  stream.end();
  return mergeUint8Arrays(chunks);
}

/** Lets pdf-lib's embedder of `font` take its subset's font file from `encodeSubset` (same bytes, no wait). */
function serializeAtOnce(font: PDFFont, whole: WholeTables): void {
  const embedder = (font as unknown as { embedder: { subset?: FontSubset; serializeFont?: unknown } })
    .embedder;
  const { subset } = embedder;
  if (!subset || typeof subset.encode !== 'function' || typeof embedder.serializeFont !== 'function')
    throw new Error('certificate: pdf-lib did not embed the font as a subset');
  embedder.serializeFont = async () => encodeSubset(subset, whole);
}

/** The tables fontkit's subset copies whole from the font (TTFSubset), each with the array it is read from. */
const WHOLE_TABLES = [
  ['cvt ', 'controlValues'],
  ['prep', 'controlValueProgram'],
  ['fpgm', 'instructions'],
] as const;

/**
 * What `encodeSubset` knows of a font's whole tables: nothing yet, their bytes as fontkit encodes
 * them (and that putting them back gives fontkit's file), or that it does not (then it is not done).
 */
export interface WholeTables {
  tables?: ReadonlyMap<string, Uint8Array> | 'off';
}

/**
 * The subset's font file, as `encodeAtOnce` makes it, without encoding again the tables fontkit
 * copies whole from the font (`WHOLE_TABLES`): some 1,800 numbers in DejaVu Sans, which fontkit
 * encodes one by one for every subset (about a twentieth of a certificate's work). fontkit encodes
 * the subset with those tables empty (`encodeEmptied`), and their bytes are put back in their
 * places, each table's record moved to suit (ISO/IEC 14496-22 §5.1.1: offset and length; fontkit
 * writes no checksums).
 * The first subset of a font is encoded both ways: the whole tables' bytes are taken from fontkit's
 * own file, and unless the two files are the same bytes, every later subset is encoded in full.
 */
export function encodeSubset(subset: FontSubset, whole: WholeTables): Uint8Array {
  if (whole.tables === 'off') return encodeAtOnce(subset);
  const { font } = subset as unknown as { font: Record<string, unknown> };
  const present = WHOLE_TABLES.filter(([tag]) => font[tag]);
  if (whole.tables)
    return putBack(encodeEmptied(subset, font, present), whole.tables) ?? encodeAtOnce(subset);
  const full = encodeAtOnce(subset);
  const tables = new Map(present.map(([tag]) => [tag, tableOf(full, tag) ?? new Uint8Array()]));
  const again = putBack(encodeEmptied(subset, font, present), tables);
  whole.tables = again && Buffer.from(again).equals(full) ? tables : 'off';
  return full;
}

/**
 * `encodeAtOnce` of the subset with the whole tables its font has (`present`) empty: encoded from a
 * font that reads through to its own but for those tables, and then from its own again.
 */
function encodeEmptied(
  subset: FontSubset,
  font: object,
  present: ReadonlyArray<(typeof WHOLE_TABLES)[number]>,
): Uint8Array {
  const emptied = Object.create(
    font,
    Object.fromEntries(present.map(([tag, field]) => [tag, { value: { [field]: [] } }])),
  ) as object;
  const encoding = subset as unknown as { font: object };
  encoding.font = emptied;
  try {
    return encodeAtOnce(subset);
  } finally {
    encoding.font = font;
  }
}

/** A font file's table records: tag, offset and length, in the order written. */
function tableRecords(file: Uint8Array) {
  const data = new DataView(file.buffer, file.byteOffset, file.byteLength);
  return Array.from({ length: data.getUint16(4) }, (_, i) => {
    const at = 12 + 16 * i;
    const tag = String.fromCharCode(...file.subarray(at, at + 4));
    return { at, tag, offset: data.getUint32(at + 8), length: data.getUint32(at + 12) };
  });
}

/** The bytes of table `tag` in a font file. */
function tableOf(file: Uint8Array, tag: string): Uint8Array | undefined {
  const record = tableRecords(file).find((r) => r.tag === tag);
  return record && file.slice(record.offset, record.offset + record.length);
}

/**
 * `file` with each table of `tables` in place of its own, the tables laid out one after another as
 * fontkit lays them out (in the order of their records, after the records); undefined for a file
 * not laid out so.
 */
function putBack(file: Uint8Array, tables: ReadonlyMap<string, Uint8Array>): Uint8Array | undefined {
  const records = tableRecords(file);
  let at = 12 + 16 * records.length;
  for (const record of records) {
    if (record.offset !== at) return undefined;
    at += record.length;
  }
  if (at !== file.length) return undefined;
  const parts = records.map((r) => tables.get(r.tag) ?? file.subarray(r.offset, r.offset + r.length));
  const out = new Uint8Array(12 + 16 * records.length + parts.reduce((n, part) => n + part.length, 0));
  out.set(file.subarray(0, 12 + 16 * records.length));
  const data = new DataView(out.buffer);
  at = 12 + 16 * records.length;
  records.forEach((record, i) => {
    const part = parts[i] as Uint8Array;
    data.setUint32(record.at + 8, at);
    data.setUint32(record.at + 12, part.length);
    out.set(part, at);
    at += part.length;
  });
  return out;
}

/**
 * The features fontkit's default shaper (the one for Latin and for text of no script) can apply:
 * fontkit 1.1.1's VARIATION, DIRECTIONAL (both ways), FRACTIONAL, COMMON and HORIZONTAL features.
 * pdf-lib asks for no others (`embedFont` is given no features).
 */
const DEFAULT_SHAPER_FEATURES = new Set(
  'rvrn ltra ltrm rtla rtlm frac numr dnom ccmp locl rlig mark mkmk calt clig liga rclt curs kern'.split(' '),
);
/**
 * The characters `plainCharacters` considers: printable ASCII and the typographic quotes and dashes,
 * each of the Latin or the Common script in every Unicode version, none a default ignorable, a
 * surrogate or a variation selector.
 */
const PLAIN_CANDIDATES = [
  ...Array.from({ length: 0x7f - 0x20 }, (_, i) => 0x20 + i),
  ...[0x2013, 0x2014, 0x2018, 0x2019, 0x201c, 0x201d],
];

/** The parts of fontkit's parsed GSUB table `plainCharacters` reads, as fontkit's GSUB processor reads them. */
interface Coverage {
  version: number;
  glyphs?: number[];
  rangeRecords?: Array<{ start: number; end: number; startCoverageIndex: number }>;
}
interface ClassDef {
  version: number;
  startGlyph?: number;
  classValueArray?: number[];
  classRangeRecord?: Array<{ start: number; end: number; class: number }>;
}
interface ChainRule {
  backtrack: number[];
  input: number[];
  lookahead: number[];
}
interface SubTable {
  version: number;
  lookupType?: number;
  extension?: SubTable;
  coverage?: Coverage;
  ligatureSets?: { get(index: number): Array<{ components: number[] }> };
  ruleSets?: Array<Array<{ input: number[] }> | undefined>;
  classDef?: ClassDef;
  classSet?: Array<Array<{ classes: number[] }> | undefined>;
  coverages?: Coverage[];
  chainRuleSets?: Array<ChainRule[] | undefined>;
  inputClassDef?: ClassDef;
  backtrackClassDef?: ClassDef;
  lookaheadClassDef?: ClassDef;
  chainClassSet?: Array<ChainRule[] | undefined>;
  backtrackCoverage?: Coverage[];
  inputCoverage?: Coverage[];
  lookaheadCoverage?: Coverage[];
}
interface Gsub {
  scriptList: Array<{ tag: string }>;
  featureList: Array<{ tag: string; feature: { lookupListIndexes: number[] } }>;
  lookupList: { get(index: number): { lookupType: number; subTables: SubTable[] } };
  featureVariations?: unknown;
}

/** fontkit's `coverageIndex`: where `glyph` is in `coverage`, -1 if not (null: a format not known here). */
function coverageIndex(coverage: Coverage | undefined, glyph: number): number | null {
  if (coverage?.version === 1 && coverage.glyphs) return coverage.glyphs.indexOf(glyph);
  if (coverage?.version === 2 && coverage.rangeRecords) {
    const range = coverage.rangeRecords.find((r) => r.start <= glyph && glyph <= r.end);
    return range ? range.startCoverageIndex + glyph - range.start : -1;
  }
  return null;
}

/** fontkit's `getClassID`. */
function classOf(classDef: ClassDef | undefined, glyph: number): number | null {
  if (classDef?.version === 1 && classDef.classValueArray && classDef.startGlyph !== undefined) {
    const i = glyph - classDef.startGlyph;
    return i >= 0 && i < classDef.classValueArray.length ? (classDef.classValueArray[i] ?? 0) : 0;
  }
  if (classDef?.version === 2 && classDef.classRangeRecord)
    return classDef.classRangeRecord.find((range) => range.start <= glyph && glyph <= range.end)?.class ?? 0;
  return null;
}

/**
 * The characters whose shaping provably substitutes nothing in any text made of them alone, so
 * that shaping such a text gives each character's own glyph (`glyphForCodePoint`), in order; each
 * with the glyph the font's cmap gives it.
 * fontkit applies a GSUB lookup at a glyph only when that glyph starts one of its subtables'
 * patterns (each lookup type begins with the current glyph's coverage, or its class); a pattern
 * matches only glyphs of the text. So if no subtable of a feature the default shaper applies
 * (`DEFAULT_SHAPER_FEATURES`) has a pattern that starts with one of these glyphs and asks only for
 * these glyphs after or before it, the first lookup changes nothing, nor then the next, and so on
 * (one pass is enough: leaving out a character only makes fewer patterns possible).
 * The text is shaped by the default shaper because its characters are Latin or of no script, and
 * the font has a Latin script (or fontkit would keep the last script it shaped). A table this does
 * not know, or anything unexpected, makes no character plain: wrong here would mean wrong lines.
 */
export function plainCharacters(font: FontkitFont): ReadonlyMap<number, number> {
  const parsed = font as unknown as {
    GSUB?: Gsub;
    morx?: unknown;
    _cmapProcessor: { lookup(codePoint: number): number };
  };
  const gsub = parsed.GSUB;
  if (parsed.morx || !gsub || gsub.featureVariations || !gsub.scriptList.some((s) => s.tag === 'latn'))
    return new Map();
  const glyphOf = new Map(PLAIN_CANDIDATES.map((c) => [c, parsed._cmapProcessor.lookup(c)]));
  const glyphs = [...new Set(glyphOf.values())];
  const judged = <T>(value: T | null | undefined): T => {
    if (value === null || value === undefined) throw new Error('certificate: a GSUB table not judged');
    return value;
  };
  const has = (coverage: Coverage | undefined, glyph: number) => judged(coverageIndex(coverage, glyph)) >= 0;
  const only = (sequence: number[]) => sequence.every((glyph) => glyphs.includes(glyph));
  const meets = (coverage: Coverage) => glyphs.some((glyph) => has(coverage, glyph));
  const onlyClasses = (classes: number[], classDef: ClassDef | undefined) => {
    const reached = new Set(glyphs.map((glyph) => judged(classOf(classDef, glyph))));
    return classes.every((c) => reached.has(c));
  };
  /** Whether a subtable of lookup `type` can apply at `glyph` in a text of these glyphs alone (as fontkit's GSUBProcessor and OTProcessor apply it). */
  const applies = (type: number, table: SubTable, glyph: number): boolean => {
    if (type === 7) return applies(judged(table.lookupType), judged(table.extension), glyph);
    if (type === 1 || type === 2 || type === 3) return has(table.coverage, glyph);
    if (type === 4 || ((type === 5 || type === 6) && table.version === 1)) {
      const index = judged(coverageIndex(table.coverage, glyph));
      if (index < 0) return false;
      if (type === 4)
        return judged(table.ligatureSets?.get(index)).some((ligature) => only(ligature.components));
      if (type === 5) return (judged(table.ruleSets)[index] ?? []).some((rule) => only(rule.input));
      return (judged(table.chainRuleSets)[index] ?? []).some(
        (rule) => only(rule.backtrack) && only(rule.input) && only(rule.lookahead),
      );
    }
    if ((type === 5 || type === 6) && table.version === 2) {
      if (!has(table.coverage, glyph)) return false;
      if (type === 5) {
        const rules = judged(table.classSet)[judged(classOf(table.classDef, glyph))] ?? [];
        return rules.some((rule) => onlyClasses(rule.classes, table.classDef));
      }
      const rules = judged(table.chainClassSet)[judged(classOf(table.inputClassDef, glyph))] ?? [];
      return rules.some(
        (rule) =>
          onlyClasses(rule.backtrack, table.backtrackClassDef) &&
          onlyClasses(rule.input, table.inputClassDef) &&
          onlyClasses(rule.lookahead, table.lookaheadClassDef),
      );
    }
    if (type === 5 && table.version === 3) {
      const [first, ...rest] = judged(table.coverages);
      return has(judged(first), glyph) && rest.every(meets);
    }
    if (type === 6 && table.version === 3) {
      const [first, ...rest] = judged(table.inputCoverage);
      const context = [...rest, ...judged(table.backtrackCoverage), ...judged(table.lookaheadCoverage)];
      return has(judged(first), glyph) && context.every(meets);
    }
    return judged<boolean>(null);
  };
  try {
    const lookups = new Set(
      gsub.featureList
        .filter((record) => DEFAULT_SHAPER_FEATURES.has(record.tag))
        .flatMap((record) => record.feature.lookupListIndexes),
    );
    const unplain = new Set<number>();
    for (const index of lookups) {
      const lookup = judged(gsub.lookupList.get(index));
      for (const table of lookup.subTables)
        for (const glyph of glyphs) if (applies(lookup.lookupType, table, glyph)) unplain.add(glyph);
    }
    return new Map([...glyphOf].filter(([, glyph]) => !unplain.has(glyph)));
  } catch {
    return new Map();
  }
}

/**
 * fontkit's `layout(text)` of a text whose characters are all `plain`, without shaping it (undefined
 * for any other text, and for the empty one, which fontkit does not shape at all). For such a text
 * shaping substitutes nothing (see `plainCharacters`), so what fontkit's layout does to the glyphs
 * and the view's glyph cache comes down to these steps, done here in its order: each character's
 * glyph (`glyphsForString` → `glyphForCodePoint`, that is `getGlyph` of the glyph its cmap gives,
 * found once per font by `plainCharacters`, with the character: the cache entries shaping makes), then
 * the space glyph (`hideDefaultIgnorables` fetches it for any text of a glyph or more, and stands it
 * in for a glyph whose first code point is a default ignorable). The same glyphs and cache entries,
 * so pdf-lib measures and draws the text as before: the same lines, the same document.
 */
function plainLayout(
  view: FontkitFont,
  text: string,
  plain: ReadonlyMap<number, number>,
): { glyphs: CachedGlyph[] } | undefined {
  if (text === '') return undefined;
  const ids: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const id = plain.get(text.charCodeAt(i));
    if (id === undefined) return undefined;
    ids.push(id);
  }
  const engine = (view as unknown as { _layoutEngine: { isDefaultIgnorable(codePoint: number): boolean } })
    ._layoutEngine;
  const glyphs: CachedGlyph[] = [];
  for (let i = 0; i < text.length; i++) glyphs.push(view.getGlyph(ids[i] as number, [text.charCodeAt(i)]));
  const space = view.glyphForCodePoint(0x20);
  // fontkit passes the first code point as it is: undefined for a glyph made with none.
  return {
    glyphs: glyphs.map((glyph) => (engine.isDefaultIgnorable(glyph.codePoints[0] as number) ? space : glyph)),
  };
}

/** Lines of `text` no wider than `width`: broken at spaces, and inside a word longer than a line. */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\r\n|\r|\n/)) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      const candidate = line ? `${line} ${word}` : word;
      if (font.widthOfTextAtSize(candidate, size) <= width) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      line = '';
      for (const char of word) {
        if (line && font.widthOfTextAtSize(line + char, size) > width) {
          lines.push(line);
          line = '';
        }
        line += char;
      }
    }
    lines.push(line);
  }
  return lines;
}

/** The characters of `text` the font has no glyph for, as code points (U+4E2D), once each. */
function unshown(text: string, has: ReadonlySet<number>): string[] {
  const missing = [...new Set(text)].filter((c) => !/\s/.test(c) && !has.has(c.codePointAt(0) ?? 0));
  return missing.map((c) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/** Writes lines down the page, starting a new page when one is full. */
function writer(doc: PDFDocument, font: PDFFont, wrapped: (text: string, size: number) => string[]) {
  let page: PDFPage = doc.addPage([PAGE.width, PAGE.height]);
  let y = PAGE.height - MARGIN;
  return {
    text(text: string, options: { size?: number; color?: typeof INK; gap?: number } = {}) {
      const size = options.size ?? 11;
      const lineHeight = size * 1.4;
      for (const line of wrapped(text, size)) {
        if (y - lineHeight < MARGIN) {
          page = doc.addPage([PAGE.width, PAGE.height]);
          y = PAGE.height - MARGIN;
        }
        y -= lineHeight;
        page.drawText(line, { x: MARGIN, y, size, font, color: options.color ?? INK });
      }
      y -= options.gap ?? 0;
    },
    field(label: string, value: string) {
      this.text(label, { size: 9, color: GREY });
      this.text(value, { gap: 8 });
    },
  };
}

/**
 * Makes the certificate of one agreement.
 * Deterministic: no clock, no chance, no machine's locale — the document's dates are the agreement's
 * time, its id is derived from the evidence id, the font subset is named, times are written from
 * numbers (not Intl's words, which differ between ICU versions). Same input, same pdf-lib version
 * (pinned), same font file: the same bytes, whatever `memory` remembers (by default, the font's own).
 */
export async function makeCertificate(
  input: CertificateInput,
  fontBytes: CertificateFont,
  memory?: ShapeMemory,
): Promise<Certificate> {
  const { evidence } = input;
  const language = evidenceLanguage(evidence);
  const TEXT = TEXTS[language];
  const at = new Date(evidence.acknowledgedAt);
  const doc = await PDFDocument.create({ updateMetadata: false });
  const parsed = parsedFont(fontBytes);
  const shapes = memory ?? parsed.memory;
  const views: FontkitFont[] = [];
  doc.registerFontkit(fontkitFor(fontBytes, parsed, shapes, views));
  const font = await doc.embedFont(fontBytes, { subset: true, customName: FONT_NAME });
  const [view] = views;
  if (!view || views.length > 1) throw new Error('certificate: pdf-lib did not embed the font once');
  serializeAtOnce(font, parsed.whole);
  const subject = fill(TEXT.subject, {
    policy: evidence.policyTitle,
    version: String(evidence.policyVersion),
  });
  doc.setTitle(`${TEXT.title}: ${subject}`, { showInWindowTitleBar: true });
  doc.setSubject(subject);
  doc.setAuthor(input.organisationName);
  doc.setCreator('attest');
  doc.setProducer(`attest certificate format ${CERTIFICATE_FORMAT} (pdf-lib)`);
  doc.setLanguage(htmlLang(language));
  doc.setCreationDate(at);
  doc.setModificationDate(at);
  // The file identifier (ISO 32000 §14.4): from the evidence, never random.
  const id = PDFHexString.of(
    createHash('sha256').update(`certificate:${evidence.evidenceId}`).digest('hex').slice(0, 32),
  );
  doc.context.trailerInfo.ID = doc.context.obj([id, id]);

  // Lines as `wrap` breaks them, its work in the view (each line it measures, shaped) replayed when remembered.
  const out = writer(doc, font, (text, size) =>
    shapes.recall(
      view,
      `wrap:${size}:${text}`,
      () => wrap(text, font, size, WIDTH),
      (lines) => lines,
      (lines) => [...lines],
    ),
  );
  out.text(input.organisationName, { size: 12, color: ACCENT, gap: 4 });
  out.text(TEXT.title, { size: 20, color: ACCENT, gap: 6 });
  out.text(fill(TEXT.intro, { organisation: input.organisationName }), { gap: 12 });
  out.field(TEXT.policy, evidence.policyTitle);
  out.field(TEXT.version, String(evidence.policyVersion));
  out.field(TEXT.sha256, evidence.policySha256);
  out.field(TEXT.statement, evidence.statement);
  const onBehalf = evidence.method === 'on-behalf';
  out.field(onBehalf ? TEXT.nameOnBehalf : TEXT.typedName, evidence.typedName);
  const missing = unshown(evidence.typedName, parsed.characters);
  if (missing.length) out.text(fill(TEXT.unshown, { codes: missing.join(' ') }), { size: 9, gap: 8 });
  const local = isoMoment(at, input.timeZone);
  out.field(
    TEXT.when,
    fill(TEXT.whenValue, {
      local: local.text,
      zone: input.timeZone,
      offset: local.offset,
      utc: isoMoment(at, 'UTC').text,
    }),
  );
  out.field(TEXT.evidenceId, evidence.evidenceId);
  out.field(
    TEXT.method,
    evidence.method === 'on-behalf'
      ? fill(TEXT.methodOnBehalf, { recorder: evidence.recordedBy })
      : TEXT.methodLink,
  );
  out.text(fill(TEXT.check, { assignmentId: input.assignmentId }), { size: 9, color: GREY });

  const bytes = await doc.save({ useObjectStreams: false });
  return {
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    fileName: certificateFileName(evidence.policyId, evidence.policyVersion),
    format: CERTIFICATE_FORMAT,
  };
}

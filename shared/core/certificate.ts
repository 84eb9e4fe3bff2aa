// The PDF certificate of an agreement: made from the evidence and two recorded settings alone, byte for byte the same on any machine, any day.
import { createHash } from 'node:crypto';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, type PDFFont, PDFHexString, type PDFPage, rgb } from 'pdf-lib';
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

/** Each font file's tables as fontkit parsed them, kept while the file's bytes are (a warm function's). */
const parsedFonts = new WeakMap<CertificateFont, object>();

/**
 * fontkit for one document, parsing each font file once rather than for every certificate:
 * parsing DejaVu's tables (outlines, metrics, and GSUB and GPOS, which shaping reads) was about
 * half of a certificate's work. The document gets a view of the parsed font with a glyph cache of
 * its own, as a font parsed afresh has: fontkit keeps with each glyph the code points it was first
 * made for (a glyph reached through a substitution keeps those it came from), and the PDF's
 * ToUnicode map is written from them, so a cache shared between documents would make a
 * certificate's bytes depend on the ones made before it in the same process. Everything else the
 * view reads through to is decoded once and only read, so each certificate is still the same bytes
 * as when made alone.
 */
function fontkitFor(fontBytes: CertificateFont): Parameters<PDFDocument['registerFontkit']>[0] {
  let parsed = parsedFonts.get(fontBytes);
  if (!parsed) {
    const font = fontkit.create(fontBytes);
    // Computed once on the parsed font, which the views read through to: pure functions of the file.
    void font.characterSet;
    parsed = font;
    parsedFonts.set(fontBytes, parsed);
  }
  const shared = parsed;
  return {
    create: (bytes: Uint8Array) => {
      if (bytes !== fontBytes) throw new Error('certificate: a font other than the one given');
      // fontkit's own glyph cache (`_glyphs`) and its layout engine, which makes glyphs through the
      // font it was made for, are the view's; both are per font in fontkit (@pdf-lib/fontkit 1.1.1, pinned).
      return Object.create(shared, { _glyphs: { value: {}, writable: true } });
    },
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
function unshown(text: string, font: PDFFont): string[] {
  const has = new Set(font.getCharacterSet());
  const missing = [...new Set(text)].filter((c) => !/\s/.test(c) && !has.has(c.codePointAt(0) ?? 0));
  return missing.map((c) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/** Writes lines down the page, starting a new page when one is full. */
function writer(doc: PDFDocument, font: PDFFont) {
  let page: PDFPage = doc.addPage([PAGE.width, PAGE.height]);
  let y = PAGE.height - MARGIN;
  return {
    text(text: string, options: { size?: number; color?: typeof INK; gap?: number } = {}) {
      const size = options.size ?? 11;
      const lineHeight = size * 1.4;
      for (const line of wrap(text, font, size, WIDTH)) {
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
 * (pinned), same font file: the same bytes.
 */
export async function makeCertificate(
  input: CertificateInput,
  fontBytes: CertificateFont,
): Promise<Certificate> {
  const { evidence } = input;
  const language = evidenceLanguage(evidence);
  const TEXT = TEXTS[language];
  const at = new Date(evidence.acknowledgedAt);
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(fontkitFor(fontBytes));
  const font = await doc.embedFont(fontBytes, { subset: true, customName: FONT_NAME });
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

  const out = writer(doc, font);
  out.text(input.organisationName, { size: 12, color: ACCENT, gap: 4 });
  out.text(TEXT.title, { size: 20, color: ACCENT, gap: 6 });
  out.text(fill(TEXT.intro, { organisation: input.organisationName }), { gap: 12 });
  out.field(TEXT.policy, evidence.policyTitle);
  out.field(TEXT.version, String(evidence.policyVersion));
  out.field(TEXT.sha256, evidence.policySha256);
  out.field(TEXT.statement, evidence.statement);
  const onBehalf = evidence.method === 'on-behalf';
  out.field(onBehalf ? TEXT.nameOnBehalf : TEXT.typedName, evidence.typedName);
  const missing = unshown(evidence.typedName, font);
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

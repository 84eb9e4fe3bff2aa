// The agreement's PDF certificate: the same bytes from the same evidence, every value readable by a PDF reader, any name in any script.
import { createHash } from 'node:crypto';
import fontkit from '@pdf-lib/fontkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { certificateFont } from '#shared/adapters/certificate-font.ts';
import {
  CERTIFICATE_FORMAT,
  type CertificateFont,
  type CertificateInput,
  certificateFileName,
  encodeAtOnce,
  encodeSubset,
  type FontSubset,
  makeCertificate,
  plainCharacters,
  ShapeMemory,
} from '#shared/core/certificate.ts';
import type { LinkEvidence, OnBehalfEvidence } from '#shared/core/model.ts';
import { readPdf } from '../../../support/pdf.ts';

const evidence: LinkEvidence = {
  evidenceId: 'ev_8d0c3a6e-0b7a-4f43-9a4b-6b0f7f1f2a10',
  acknowledgedAt: '2026-07-14T08:14:03.123Z',
  policyId: 'safe-internet-use',
  policyVersion: 3,
  policyTitle: 'Safe Internet Use – Guidance for Staff',
  policySha256: 'a3f1c2d4e5b6a7980112233445566778899aabbccddeeff00112233445566778',
  statement: 'I understand and agree to adhere to the Policy on the Use of Social Networking Websites.',
  typedName: 'Ada King Lovelace',
  method: 'link',
  ipAddress: '192.0.2.1',
  userAgent: 'Mozilla/5.0',
  tokenId: 'AAAAAAAAAAA',
  messageId: 'ses-0',
};
const input: CertificateInput = {
  assignmentId: 'as_-6cnU65UKynXba2H3P0wWg',
  evidence,
  organisationName: 'Wirral Children’s Services',
  timeZone: 'Europe/London',
};
/**
 * The certificate of `input`, as pdf-lib 1.17.1 (pinned) makes it with DejaVu Sans 2.37: a change
 * here means every certificate already sent would no longer be made again identically.
 */
const GOLDEN_SHA256 = 'bc2293362380be517ecd18d618f4b43ec4e714936e2cea905ef1ae510ddf9f83';

let font: CertificateFont;
beforeAll(async () => {
  font = await certificateFont();
});

describe('makeCertificate', () => {
  it('makes the same bytes from the same evidence, and says their sha256', async () => {
    // Act
    const first = await makeCertificate(input, font);
    const second = await makeCertificate(structuredClone(input), await certificateFont());

    // Assess
    expect(Buffer.from(second.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    expect(first.sha256).toBe(createHash('sha256').update(first.bytes).digest('hex'));
    expect(first.format).toBe(CERTIFICATE_FORMAT);
    expect(first.fileName).toBe('agreement-safe-internet-use-v3.pdf');
  });

  it('makes the bytes pinned for this evidence (pdf-lib and the font unchanged)', async () => {
    // Act
    const { sha256 } = await makeCertificate(input, font);

    // Assess
    expect(sha256).toBe(GOLDEN_SHA256);
  });

  it('makes different bytes for another organisation name or time zone', async () => {
    // Act
    const [base, renamed, elsewhere] = await Promise.all([
      makeCertificate(input, font),
      makeCertificate({ ...input, organisationName: 'Wirral Council' }, font),
      makeCertificate({ ...input, timeZone: 'America/New_York' }, font),
    ]);

    // Assess
    expect(new Set([base.sha256, renamed.sha256, elsewhere.sha256]).size).toBe(3);
  });

  it('makes the same bytes whatever the process made before or alongside it', async () => {
    // Prepare: ı (U+0131) and an i with a combining acute are drawn with the one glyph, which fontkit
    // keeps with the code points it was first made for, and the PDF's text map is written from
    // those; a copy of the font's bytes is parsed afresh, as in a process that made nothing before.
    const dotless: CertificateInput = { ...input, evidence: { ...evidence, typedName: 'Işıl Yılmaz' } };
    const accented: CertificateInput = {
      ...input,
      evidence: { ...evidence, typedName: 'Zoi\u0301 Lovelace' },
    };
    const alone = await makeCertificate(dotless, new Uint8Array(font));
    const warm = new Uint8Array(font);
    await makeCertificate(accented, warm);

    // Act
    const after = await makeCertificate(dotless, warm);
    const [alongside] = await Promise.all([makeCertificate(dotless, warm), makeCertificate(accented, warm)]);

    // Assess
    expect(after.sha256).toBe(alone.sha256);
    expect(alongside?.sha256).toBe(alone.sha256);
    expect((await readPdf(after.bytes)).text).toContain('Işıl Yılmaz');
  });

  it('carries every value of the evidence as text a PDF reader extracts', async () => {
    // Act
    const { text, pages } = await readPdf((await makeCertificate(input, font)).bytes);

    // Assess
    expect(pages).toBe(1);
    for (const value of [
      'Wirral Children’s Services',
      'Certificate of agreement',
      evidence.policyTitle,
      evidence.policySha256,
      evidence.statement,
      evidence.typedName,
      evidence.evidenceId,
      'Signed by the person through the link emailed to them',
      `attest evidence ${input.assignmentId}`,
    ]) {
      expect(text.replace(/\n/g, ' ')).toContain(value);
    }
    expect(text).toMatch(/^Version\n3$/m);
  });

  it('is in Welsh for an agreement to the Welsh text, and the same bytes when made again', async () => {
    // Prepare: the evidence of the Welsh text (its title and statement are the Welsh ones)
    const welsh: CertificateInput = {
      ...input,
      evidence: {
        ...evidence,
        locale: 'cy',
        policyTitle: 'Defnyddio’r Rhyngrwyd yn Ddiogel – Canllawiau i Staff',
        statement: 'Rwy’n deall ac yn cytuno i lynu wrth y Polisi.',
        typedName: 'Siân Ŵyn',
      },
    };

    // Act
    const first = await makeCertificate(welsh, font);
    const again = await makeCertificate(welsh, font);
    const { text } = await readPdf(first.bytes);

    // Assess
    expect(again.sha256).toBe(first.sha256);
    expect(first.sha256).not.toBe((await makeCertificate(input, font)).sha256);
    const flat = text.replace(/\n/g, ' ');
    for (const value of [
      'Tystysgrif cytundeb',
      'Yr enw a deipiwyd',
      'Siân Ŵyn',
      'Fersiwn',
      'Sut y cytunwyd',
    ]) {
      expect(flat).toContain(value);
    }
    expect(flat).not.toContain('Certificate of agreement');
  });

  it('gives the time of agreement in the starter’s zone with its offset, and in UTC', async () => {
    // Act
    const { text } = await readPdf((await makeCertificate(input, font)).bytes);

    // Assess: 08:14 UTC in July is 09:14 in London (BST)
    expect(text).toContain('2026-07-14 09:14:03 (Europe/London, UTC+01:00); 2026-07-14 08:14:03 UTC');
  });

  it('sets its title, language, author and dates from the evidence, not the clock', async () => {
    // Act
    const { info } = await readPdf((await makeCertificate(input, font)).bytes);

    // Assess
    expect(info).toMatchObject({
      Title: 'Certificate of agreement: Safe Internet Use – Guidance for Staff, version 3',
      Language: 'en-GB',
      Author: 'Wirral Children’s Services',
      Creator: 'attest',
      CreationDate: 'D:20260714081403Z',
      ModDate: 'D:20260714081403Z',
    });
  });

  it.each([
    ['Welsh', 'Siân Ŵyn ap Ŷwain'],
    ['accented Latin', 'Zoë Ångström-Łukasiewicz Đặng'],
    ['Greek', 'Ελένη Παπαδοπούλου'],
    ['Cyrillic', 'Иван Петров'],
  ])('draws a %s name in the embedded font, and a reader gets it back exactly', async (_, typedName) => {
    // Act
    const { text } = await readPdf(
      (await makeCertificate({ ...input, evidence: { ...evidence, typedName } }, font)).bytes,
    );

    // Assess
    expect(text).toContain(typedName);
    expect(text).not.toContain('Characters the font cannot show');
  });

  it('lists by code point each character of a name the font cannot draw', async () => {
    // Act
    const { text } = await readPdf(
      (await makeCertificate({ ...input, evidence: { ...evidence, typedName: 'Li 李华' } }, font)).bytes,
    );

    // Assess
    expect(text).toContain('Characters the font cannot show: U+674E U+534E');
  });

  it('names an agreement recorded on the person’s behalf and its recorder, not the note', async () => {
    // Prepare
    const { method: _, pageShownAt: __, reducedAt: ___, ...agreed } = evidence;
    const onBehalf: OnBehalfEvidence = {
      ...agreed,
      method: 'on-behalf',
      note: 'Paper form signed at induction',
      recordedBy: 'Grace Hopper',
      ipAddress: null,
      userAgent: null,
      tokenId: null,
      messageId: null,
    };

    // Act
    const { text } = await readPdf((await makeCertificate({ ...input, evidence: onBehalf }, font)).bytes);

    // Assess
    expect(text).toContain('Recorded on the person’s behalf (agreed offline) by Grace Hopper');
    expect(text).toContain('Name (as HR held it, entered for them)');
    expect(text).not.toContain('Signed by the person');
    expect(text).not.toContain('Paper form');
  });

  it('makes the same bytes laying out plain texts without shaping as shaping every text', async () => {
    // Prepare: plain texts that wrap and break inside a word; f, which starts ligatures; plain
    // letters whose glyphs an earlier text made for other code points (Kelvin K, a decomposed Ǆ,
    // an i before a combining accent); a soft hyphen; in one warm font, one after another
    const names = [
      `Plain ${'X'.repeat(150)} name`,
      'Effie Fjord-Flaffin of the ffi office',
      Array.from({ length: 50 }, (_, i) => `official${i % 7 ? '' : 'ly'}`).join(' '),
      'Kelvin \u212A then K and Ohm \u2126',
      'Ǆemal Ǉubić, then DZ and LJ',
      'Zoi\u0301 then i and j',
      'Jo\u00adanna - Soft',
      Array.from({ length: 60 }, (_, i) => `w${i}`).join(' '),
    ];
    const inputs = names.map((typedName, i) => ({
      ...input,
      assignmentId: `as_${'abcdeghijk'[i]}${'-_Zq9'.repeat(4)}x`,
      evidence: { ...evidence, typedName },
    }));
    const warm = new Uint8Array(font);
    const shaped = new ShapeMemory(0);

    // Act
    const made: Array<[string, string]> = [];
    for (const agreement of inputs)
      made.push([
        (await makeCertificate(agreement, warm)).sha256,
        (await makeCertificate(agreement, font, shaped)).sha256,
      ]);

    // Assess
    expect(made.map(([plain]) => plain)).toEqual(made.map(([, everyText]) => everyText));
  });

  it('wraps a long statement and an unbroken value onto further lines and pages, losing nothing', async () => {
    // Prepare
    const statement = Array.from({ length: 400 }, (_, i) => `clause${i}`).join(' ');
    const typedName = 'X'.repeat(150);

    // Act
    const { text, pages } = await readPdf(
      (await makeCertificate({ ...input, evidence: { ...evidence, statement, typedName } }, font)).bytes,
    );

    // Assess
    expect(pages).toBeGreaterThan(1);
    expect(text.replace(/\n/g, ' ')).toContain(statement);
    expect(text.replace(/\n/g, '')).toContain(typedName);
  });
});

describe('plainCharacters', () => {
  /** A font as fontkit parses it, each code point its own glyph, with `lookups` in `GSUB` under the feature each names. */
  function fontWith(
    lookups: Array<[string, { lookupType: number; subTables: unknown[] }]>,
    scripts = ['DFLT', 'latn'],
  ) {
    return {
      _cmapProcessor: { lookup: (codePoint: number) => codePoint },
      GSUB: {
        scriptList: scripts.map((tag) => ({ tag })),
        featureList: lookups.map(([tag], i) => ({ tag, feature: { lookupListIndexes: [i] } })),
        lookupList: { get: (i: number) => lookups[i]?.[1] },
      },
    } as unknown as Parameters<typeof plainCharacters>[0];
  }
  const code = (c: string) => c.codePointAt(0) ?? 0;
  /** A ligature lookup: each of `ligatures` (its first character, then the rest) made one glyph. */
  const ligatures = (...ligatures: string[]) => ({
    lookupType: 4,
    subTables: [
      {
        version: 1,
        coverage: { version: 1, glyphs: ligatures.map((l) => code(l)) },
        ligatureSets: {
          get: (i: number) => [{ glyph: 9999, components: [...(ligatures[i] ?? '')].slice(1).map(code) }],
        },
      },
    ],
  });

  it('finds DejaVu Sans’s printable ASCII and quotes plain, but f, which starts its ligatures', () => {
    // Act
    const plain = plainCharacters(fontkit.create(font) as unknown as Parameters<typeof plainCharacters>[0]);

    // Assess
    const ascii = Array.from({ length: 95 }, (_, i) => String.fromCodePoint(0x20 + i));
    expect(ascii.filter((c) => !plain.has(code(c)))).toEqual(['f']);
    expect([...'‘’“”–—'].every((c) => plain.has(code(c)))).toBe(true);
    expect(plain.has(code('é'))).toBe(false);
  });

  it('counts a character unplain when a pattern of plain characters alone starts with it', () => {
    // Prepare: "ab" and "c" + a combining acute (not plain) are ligatures; "d" is substituted in a
    // feature the default shaper never applies
    const font = fontWith([
      ['liga', ligatures('ab', 'c\u0301')],
      ['smcp', { lookupType: 1, subTables: [{ version: 1, coverage: { version: 1, glyphs: [code('d')] } }] }],
    ]);

    // Act
    const plain = plainCharacters(font);

    // Assess
    expect(plain.has(code('a'))).toBe(false);
    expect(['b', 'c', 'd', ' '].every((c) => plain.has(code(c)))).toBe(true);
  });

  it('finds nothing plain in a font with a table it does not judge, without a Latin script, or laid out by AAT', () => {
    // Prepare
    const unknownType = fontWith([['liga', { lookupType: 8, subTables: [{ version: 1 }] }]]);
    const unknownCoverage = fontWith([
      ['ccmp', { lookupType: 1, subTables: [{ version: 1, coverage: { version: 3 } }] }],
    ]);
    const noLatin = fontWith([['liga', ligatures('ab')]], ['DFLT', 'cyrl']);
    const aat = Object.assign(fontWith([]), { morx: {} });

    // Act
    const found = [unknownType, unknownCoverage, noLatin, aat].map((f) => plainCharacters(f).size);

    // Assess
    expect(found).toEqual([0, 0, 0, 0]);
    expect(plainCharacters(fontWith([['liga', ligatures('ab')]])).size).toBeGreaterThan(90);
  });
});

/** A subset of `font` with `glyphs` in that order, and the font file fontkit's own stream makes of another such. */
async function subsetAndStreamed(glyphs: number[]): Promise<[FontSubset, Buffer]> {
  const parsed = fontkit.create(font);
  const make = () => {
    const subset = parsed.createSubset();
    for (const id of glyphs) subset.includeGlyph(id);
    return subset as unknown as FontSubset;
  };
  const streamed = await new Promise<Buffer>((resolve, reject) => {
    const parts: Uint8Array[] = [];
    (make().encodeStream() as unknown as NodeJS.EventEmitter)
      .on('data', (part: Uint8Array) => parts.push(part))
      .on('end', () => resolve(Buffer.concat(parts)))
      .on('error', reject);
  });
  return [make(), streamed];
}

describe('encodeAtOnce', () => {
  it('encodes a subset as fontkit’s stream does, composite glyphs’ parts included', async () => {
    // Prepare: glyphs out of order, among them composites (accented capitals) whose parts join the subset as it is encoded
    const parsed = fontkit.create(font);
    const glyphs = [...'Ŵŷ Zoë Ångström ﬁ ǅ'].map((c) => parsed.glyphForCodePoint(c.codePointAt(0) ?? 0).id);
    const [subset, streamed] = await subsetAndStreamed(glyphs);

    // Act
    const encoded = encodeAtOnce(subset);

    // Assess
    expect(streamed.length).toBeGreaterThan(0);
    expect(Buffer.from(encoded).equals(streamed)).toBe(true);
  });

  it('encodes a subset larger than the stream’s buffer, which it hands over in several parts', async () => {
    // Prepare: 1,500 glyphs, well past the 64 KB the stream fills before handing a part over
    const glyphs = Array.from({ length: 1500 }, (_, i) => 3 * i + 1);
    const [subset, streamed] = await subsetAndStreamed(glyphs);

    // Act
    const encoded = encodeAtOnce(subset);

    // Assess
    expect(streamed.length).toBeGreaterThan(65_536);
    expect(Buffer.from(encoded).equals(streamed)).toBe(true);
  });
});

describe('encodeSubset', () => {
  it('puts back the tables a subset copies whole, making fontkit’s file for every glyph set after the first', async () => {
    // Prepare: one font's memory of its whole tables, and three glyph sets (accented capitals are composites)
    const parsed = fontkit.create(font);
    const ids = (text: string) => [...text].map((c) => parsed.glyphForCodePoint(c.codePointAt(0) ?? 0).id);
    const sets = [
      ids('Ada King Lovelace'),
      ids('Ŵŷ Zoë Ångström ﬁ ǅ'),
      Array.from({ length: 1500 }, (_, i) => 3 * i + 1),
    ];
    const whole = {};

    // Act
    const made: Array<[Uint8Array, Buffer]> = [];
    for (const glyphs of sets) {
      const [subset, streamed] = await subsetAndStreamed(glyphs);
      made.push([encodeSubset(subset, whole), streamed]);
    }

    // Assess
    for (const [encoded, streamed] of made) expect(Buffer.from(encoded).equals(streamed)).toBe(true);
    expect(whole).toEqual({
      tables: new Map([
        ['cvt ', expect.any(Uint8Array)],
        ['prep', expect.any(Uint8Array)],
        ['fpgm', expect.any(Uint8Array)],
      ]),
    });
  });

  it('encodes in full once putting the tables back is off', async () => {
    // Prepare
    const [subset, streamed] = await subsetAndStreamed([1, 2, 3, 36, 37]);

    // Act
    const encoded = encodeSubset(subset, { tables: 'off' });

    // Assess
    expect(Buffer.from(encoded).equals(streamed)).toBe(true);
  });
});

describe('certificateFileName', () => {
  it('names the policy and version only, in characters safe in any header', () => {
    // Assess
    expect(certificateFileName('safe-internet-use', 2)).toBe('agreement-safe-internet-use-v2.pdf');
    expect(certificateFileName('odd id/ü', 1)).toBe('agreement-odd_id__-v1.pdf');
  });
});

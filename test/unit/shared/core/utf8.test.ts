// Reading people's files as UTF-8: a BOM dropped, anything else refused, saying where.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUtf8, NotUtf8Error } from '#shared/core/utf8.ts';

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

/** The error decodeUtf8 throws for `input`, or a failure if it throws none. */
function refusal(input: Uint8Array, name = 'starters.csv'): NotUtf8Error {
  try {
    decodeUtf8(input, name);
  } catch (error) {
    if (error instanceof NotUtf8Error) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe('decodeUtf8', () => {
  it('reads UTF-8 as it is, and drops a leading byte-order mark', () => {
    expect(decodeUtf8(bytes('Siân O’Brien\n'), 'a.csv')).toBe('Siân O’Brien\n');
    expect(decodeUtf8(bytes([0xef, 0xbb, 0xbf], 'employee_id\n'), 'a.csv')).toBe('employee_id\n');
  });

  it('refuses Windows-1252 (Excel’s ’ is 0x92), naming the file, line, column and byte offset', () => {
    // Prepare: a header, then a row whose apostrophe Excel saved as the single byte 0x92
    const file = bytes([0xef, 0xbb, 0xbf], 'employee_id,family_name\nE1,O', [0x92], 'Brien\n');

    // Act
    const error = refusal(file, 'people.csv');

    // Assess
    expect(error).toMatchObject({ code: 'file.not_utf8', line: 2, column: 5, byteOffset: 31 });
    expect(error.message).toBe(
      'people.csv is not UTF-8 text: the byte 0x92 at line 2, column 5 (byte offset 31) is not valid UTF-8; the file was probably saved as Windows-1252. Save it again as UTF-8 (in Excel, Save As "CSV UTF-8 (Comma delimited)") and try again. Nothing was changed.',
    );
  });

  it('suggests an editor’s encoding, not Excel, for a file that is no CSV', () => {
    expect(refusal(bytes([0xe9]), 'policies/x.md').message).toContain('at line 1, column 1 (byte offset 0)');
    expect(refusal(bytes([0xe9]), 'policies/x.md').message).toContain(
      'choose the UTF-8 encoding when saving it',
    );
  });

  it.each([
    ['an overlong form', [0xc0, 0xaf]],
    ['a surrogate', [0xed, 0xa0, 0x80]],
    ['a sequence cut short by the end', [0xe2, 0x80]],
    ['a lead byte before ASCII', [0xc3, 0x28]],
    ['beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ])('refuses %s, pointing at its first byte', (_, invalid) => {
    // Act
    const error = refusal(bytes('ok é\n', invalid, 'x'));

    // Assess
    expect([error.line, error.column, error.byteOffset]).toEqual([2, 1, 6]);
  });

  it('reads any text written as UTF-8 back exactly', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        fc.pre(!text.startsWith('\uFEFF'));
        expect(decodeUtf8(Buffer.from(text, 'utf8'), 'a.csv')).toBe(text);
      }),
    );
  });

  it('refuses any bytes a lenient reading would change, at a point before which all is UTF-8', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (input) => {
        const lenient = new TextDecoder('utf-8', { ignoreBOM: true }).decode(input);
        const exact = Buffer.from(lenient, 'utf8').equals(Buffer.from(input));
        if (exact) return;
        const error = refusal(input);
        expect(() =>
          new TextDecoder('utf-8', { fatal: true }).decode(input.subarray(0, error.byteOffset)),
        ).not.toThrow();
        expect(error.byteOffset).toBeLessThan(input.length);
      }),
    );
  });
});

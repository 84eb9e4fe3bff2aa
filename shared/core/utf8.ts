// Reading a file people made (a starters CSV, a policy, the audience rules, a template) as UTF-8 text: refused, and where, when it is not.
import { AttestError } from './errors.ts';

/**
 * A file that is not UTF-8 — most often Windows-1252, as Excel's "CSV (Comma delimited)" and older
 * editors save it (’ is the byte 0x92). Decoded leniently, each such byte would become U+FFFD in a
 * name or a policy's text, silently; refused instead, saying where the first one is.
 */
export class NotUtf8Error extends AttestError {
  /** 1-based, counting line feeds before the byte. */
  readonly line: number;
  /** 1-based, counting the characters before it on its line. */
  readonly column: number;
  /** From the start of the file, counting from 0 (as `cmp` and `xxd` do). */
  readonly byteOffset: number;

  constructor(
    name: string,
    at: { line: number; column: number; byteOffset: number; byte: number },
    options?: { cause?: unknown },
  ) {
    const hex = `0x${at.byte.toString(16).toUpperCase().padStart(2, '0')}`;
    // How to save it again: Excel, for a CSV; an editor's encoding, for a policy or a template.
    const how = /\.csv$/i.test(name)
      ? 'in Excel, Save As "CSV UTF-8 (Comma delimited)"'
      : 'choose the UTF-8 encoding when saving it';
    super(
      'file.not_utf8',
      `${name} is not UTF-8 text: the byte ${hex} at line ${at.line}, column ${at.column} (byte offset ${at.byteOffset}) is not valid UTF-8; the file was probably saved as Windows-1252. Save it again as UTF-8 (${how}) and try again. Nothing was changed.`,
      options,
    );
    this.name = 'NotUtf8Error';
    this.line = at.line;
    this.column = at.column;
    this.byteOffset = at.byteOffset;
  }
}

/** Where the first ill-formed sequence starts (Unicode's well-formed UTF-8 table, 3.9 D92), or -1. */
function firstIllFormed(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    // The sequence's length and the range its second byte must be in (overlongs and surrogates out).
    const [length, low, high] =
      lead >= 0xc2 && lead <= 0xdf
        ? [2, 0x80, 0xbf]
        : lead === 0xe0
          ? [3, 0xa0, 0xbf]
          : lead === 0xed
            ? [3, 0x80, 0x9f]
            : lead >= 0xe1 && lead <= 0xef
              ? [3, 0x80, 0xbf]
              : lead === 0xf0
                ? [4, 0x90, 0xbf]
                : lead >= 0xf1 && lead <= 0xf3
                  ? [4, 0x80, 0xbf]
                  : lead === 0xf4
                    ? [4, 0x80, 0x8f]
                    : [0, 0, 0];
    if (!length) return i;
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      const [min, max] = k === 1 ? [low, high] : [0x80, 0xbf];
      if (next === undefined || next < min || next > max) return i;
    }
    i += length;
  }
  return -1;
}

/**
 * The text of a file's bytes, which must be UTF-8 (a leading byte-order mark is accepted and
 * dropped, as Excel's "CSV UTF-8" writes one); otherwise a NotUtf8Error naming `name`, the line and
 * the byte offset of the first invalid byte.
 */
export function decodeUtf8(bytes: Uint8Array, name: string): string {
  try {
    // ignoreBOM false (the default): a leading BOM is consumed, not returned.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    const found = firstIllFormed(bytes);
    const byteOffset = found === -1 ? 0 : found;
    const lineStart = byteOffset === 0 ? 0 : bytes.lastIndexOf(0x0a, byteOffset - 1) + 1;
    let line = 1;
    for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line += 1;
    // What comes before it on its line is well-formed (it is the first), so decodes as characters (a BOM not counted).
    const before = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, byteOffset));
    const at = { line, column: [...before].length + 1, byteOffset, byte: bytes[byteOffset] ?? 0 };
    throw new NotUtf8Error(name, at, { cause: error });
  }
}

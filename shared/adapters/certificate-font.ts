// The certificate's font: DejaVu Sans (TrueType, free to embed) read from the dejavu-fonts-ttf package, once per process.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { CertificateFont } from '../core/certificate.ts';

/**
 * Where the font is, resolved as a module is: from the source tree, node_modules; from a Lambda
 * bundle, the copy the build puts in the bundle's own node_modules (infra/functions.ts), so the
 * 750 KB file is read from disk rather than inlined into the JavaScript.
 */
export const CERTIFICATE_FONT_FILE = 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf';

let font: Promise<CertificateFont> | undefined;

/** The font's bytes, read at the first certificate and kept; a failed read is tried again next time. */
export function certificateFont(): Promise<CertificateFont> {
  font ??= readFile(createRequire(import.meta.url).resolve(CERTIFICATE_FONT_FILE)).then(
    (bytes) => new Uint8Array(bytes),
    (error: unknown) => {
      font = undefined;
      throw error;
    },
  );
  return font;
}

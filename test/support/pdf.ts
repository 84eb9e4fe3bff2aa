// Reads a PDF as a person's PDF reader would: its text, page by page, and its document information (pdf.js).
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface ReadPdf {
  pages: number;
  /** Each page's text, lines joined with a newline. */
  text: string;
  info: Record<string, unknown>;
}

export async function readPdf(bytes: Uint8Array): Promise<ReadPdf> {
  // pdf.js takes the buffer over: give it a copy so the caller's bytes stay whole.
  const doc = await getDocument({ data: bytes.slice(), isEvalSupported: false, verbosity: 0 }).promise;
  try {
    const lines: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const content = await (await doc.getPage(n)).getTextContent();
      for (const item of content.items) if ('str' in item && item.str) lines.push(item.str);
    }
    const { info } = await doc.getMetadata();
    return { pages: doc.numPages, text: lines.join('\n'), info: info as Record<string, unknown> };
  } finally {
    await doc.destroy();
  }
}

// Build-time reading of ORGANISATION_LOGO: a PNG or JPEG file, checked by its bytes, bundled with the functions that show it.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { ConfigError } from '#shared/core/errors.ts';

/** The most a logo may weigh: it is in every page and email, and bundled into the functions. */
export const MAX_LOGO_BYTES = 200 * 1024;

/** The logo as bundled: its type, the name it is served under (by its content, so cached for good) and its bytes. */
export interface BundledLogo {
  contentType: 'image/png' | 'image/jpeg';
  /** `logo-{12 hex of its sha256}.{png|jpg}`: a changed logo is a new name, never a stale cache. */
  file: string;
  base64: string;
}

const KINDS = [
  { contentType: 'image/png', ext: 'png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { contentType: 'image/jpeg', ext: 'jpg', magic: [0xff, 0xd8, 0xff] },
] as const;

/**
 * Reads and checks the logo at `path`: a PNG or a JPEG by its first bytes (not its name), at most
 * MAX_LOGO_BYTES. SVG is refused: an SVG can carry script and links out, and many email clients
 * do not show it. Any problem is a ConfigError naming the file and what to do.
 */
export function readLogo(path: string): BundledLogo {
  const refuse = (why: string) => new ConfigError(`ORGANISATION_LOGO (${path}): ${why}`);
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw refuse('is not a file.');
    size = stat.size;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw refuse('cannot be read; give the path of a PNG or JPEG file.');
  }
  if (size > MAX_LOGO_BYTES) {
    throw refuse(`is ${Math.ceil(size / 1024)} KB; a logo may be at most ${MAX_LOGO_BYTES / 1024} KB.`);
  }
  const bytes = readFileSync(path);
  const kind = KINDS.find((k) => k.magic.every((b, i) => bytes[i] === b));
  if (!kind) {
    const svg = /<svg[\s>]/i.test(bytes.subarray(0, 1024).toString('utf8'));
    throw refuse(
      svg
        ? 'SVG is not accepted (it can carry script, and many email clients do not show it): export the logo as PNG.'
        : 'is not a PNG or JPEG image.',
    );
  }
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  return {
    contentType: kind.contentType,
    file: `logo-${hash}.${kind.ext}`,
    base64: bytes.toString('base64'),
  };
}

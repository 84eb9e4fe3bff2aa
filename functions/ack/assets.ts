// GET /assets/{file}: the organisation's logo (ORGANISATION_LOGO, bundled at build), from the pages' own origin so their CSP stays `img-src 'self'`.
import type { HttpResult } from '#shared/edge/http.ts';
import { logo as bundled } from '#templates/generated/logo-bytes.ts';
import type { BundledLogo } from '#templates/logo-file.ts';

/** The route the logo is served on; its name carries its hash, so it may be cached for good. */
export const ASSET_ROUTE = 'GET /assets/{file}';

/** The logo by its bundled name, with its type fixed (never sniffed); anything else is 404. */
export function serveAsset(file: string | undefined, logo: BundledLogo | null = bundled): HttpResult {
  if (!logo || file !== logo.file) {
    return {
      statusCode: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
      body: 'Not found',
    };
  }
  return {
    statusCode: 200,
    headers: {
      'content-type': logo.contentType,
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'",
      'cross-origin-resource-policy': 'cross-origin',
    },
    body: logo.base64,
    isBase64Encoded: true,
  };
}

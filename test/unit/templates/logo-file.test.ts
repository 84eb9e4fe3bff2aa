// ORGANISATION_LOGO at build: a PNG or JPEG by its bytes, small enough; SVG and anything else refused, named.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveAsset } from '#functions/ack/assets.ts';
import { brandHtml } from '#templates/branding.ts';
import { buildTemplates } from '#templates/build.ts';
import { MAX_LOGO_BYTES, readLogo } from '#templates/logo-file.ts';

const demoLogo = new URL('../../../local/demo-logo.png', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'attest-logo-'));
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe('readLogo', () => {
  it('bundles a PNG under a name that carries its hash', () => {
    // Act
    const logo = readLogo(demoLogo);

    // Assess
    expect(logo.contentType).toBe('image/png');
    expect(logo.file).toMatch(/^logo-[0-9a-f]{12}\.png$/);
    expect(Buffer.from(logo.base64, 'base64').subarray(1, 4).toString()).toBe('PNG');
  });

  it('knows a JPEG by its bytes, whatever its name', () => {
    // Act
    const logo = readLogo(file('logo.png', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10])));

    // Assess
    expect(logo).toMatchObject({ contentType: 'image/jpeg', file: expect.stringMatching(/\.jpg$/) });
  });

  it.each([
    [
      'an SVG',
      file('logo.svg', '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>'),
      /SVG is not accepted/,
    ],
    ['a text file named .png', file('fake.png', 'hello'), /is not a PNG or JPEG image/],
    ['a missing file', join(dir, 'none.png'), /cannot be read/],
    ['a directory', dir, /is not a file/],
    [
      'a PNG over the limit',
      file(
        'big.png',
        Buffer.concat([
          Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
          Buffer.alloc(MAX_LOGO_BYTES),
        ]),
      ),
      /a logo may be at most 200 KB/,
    ],
  ])('refuses %s, naming the setting', (_, path, why) => {
    // Act & Assess
    expect(() => readLogo(path)).toThrow(why);
    expect(() => readLogo(path)).toThrow(/^ORGANISATION_LOGO/);
  });
});

describe('the build', () => {
  it('refuses a bad ORGANISATION_LOGO, naming it, before writing the logo', async () => {
    // Act & Assess
    await expect(buildTemplates({ logo: file('bad.svg', '<svg onload="x()"></svg>') })).rejects.toThrow(
      /ORGANISATION_LOGO .*SVG is not accepted/,
    );
  });
});

describe('serveAsset', () => {
  it('serves the bundled logo by its name, typed, never sniffed, cached for good', () => {
    // Prepare
    const logo = readLogo(demoLogo);

    // Act
    const result = serveAsset(logo.file, logo);

    // Assess
    expect(result).toMatchObject({
      statusCode: 200,
      isBase64Encoded: true,
      body: logo.base64,
      headers: {
        'content-type': 'image/png',
        'cache-control': 'public, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
      },
    });
  });

  it.each([
    ['another name', 'logo-000000000000.png'],
    ['no name', undefined],
  ])('answers 404 for %s', (_, name) => {
    // Assess
    expect(serveAsset(name, readLogo(demoLogo)).statusCode).toBe(404);
    expect(serveAsset(name, null).statusCode).toBe(404);
  });
});

describe('brandHtml', () => {
  it('shows the logo named by its alt text, the name beside it read once', () => {
    // Act
    const html = brandHtml(
      'Wirral Children’s <Services>',
      'https://attest.example.org',
      '',
      '/assets/logo-abc.png',
    );

    // Assess
    expect(html).toBe(
      '<img src="https://attest.example.org/assets/logo-abc.png" alt="Wirral Children’s &lt;Services&gt;" height="40"> <span aria-hidden="true">Wirral Children’s &lt;Services&gt;</span>',
    );
  });

  it('shows the name alone, and no image, without a logo', () => {
    // Assess
    expect(brandHtml('Wirral', '', '', null)).toBe('Wirral');
  });
});
